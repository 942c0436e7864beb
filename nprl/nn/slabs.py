"""Speed behind the optimizers: parameters packed into slabs, subnormal state flushed.

Nothing here changes the maths of an update, and a reader of ``nprl/nn/optimizers.py``
may skip this file. Two tricks live here:

1. Packing. :class:`PackedParameters` copies all parameters (of one dtype) into one
   contiguous ``data`` array and one ``grad`` array, and rebinds each ``Parameter.data``
   / ``.grad`` to a view of them. An optimizer then updates a whole network with a dozen
   NumPy calls instead of a dozen per parameter, which matters for small networks where
   per-call overhead dominates. If someone rebinds ``param.data`` later (``net.astype``,
   assignment), :meth:`PackedParameters.repack_if_rebound` notices and packs again;
   in-place edits (``load_state_dict``, ``p.data[...] = x``, ``p.grad += g``) need
   nothing.
2. Denormals. NumPy has no flush-to-zero switch, and state that decays geometrically
   (Adam's v by 0.999 per step) drifts into subnormal floats, where arithmetic is many
   times slower. :func:`flush_denormals` sets entries smaller than the smallest normal
   float to exactly zero (their effect on an update is far below eps); the optimizers
   call it every ``FLUSH_EVERY`` steps.

:func:`chunks` cuts a large slab into cache-sized pieces (Adam's step is ten passes;
on a CNN's 1.7M parameters each would stream from main memory).
"""

from __future__ import annotations

import numpy as np

from nprl.nn.parameter import Parameter

FLUSH_EVERY = 100  # steps between flushes of subnormal optimizer state
# Slabs of at least CHUNKED_FROM values are processed in chunks of CHUNK values (64k
# float32: 256 kB per array); smaller slabs go in one piece. Measured on a 1.7M-value
# slab: 16% faster than one piece; on 67k and 133k values one piece was faster.
CHUNK = 65_536
CHUNKED_FROM = 4 * CHUNK

Layout = list[tuple[int, int, int]]  # per parameter: (slab, start, stop)


def flush_denormals(array: np.ndarray) -> None:
    """Set entries with magnitude below the smallest normal float to zero, in place."""
    tiny = np.finfo(array.dtype).tiny
    np.copyto(array, 0, where=np.abs(array) < tiny)


def chunks(size: int) -> list[slice]:
    """Slices that cover ``range(size)``: one piece, or CHUNK-sized pieces when large."""
    if size < CHUNKED_FROM:
        return [slice(0, size)]
    return [slice(start, min(start + CHUNK, size)) for start in range(0, size, CHUNK)]


class PackedParameters:
    """Parameters packed into one ``(data, grad)`` pair of flat arrays per dtype.

    Attributes
    ----------
    params : list of Parameter
    slabs : list of (data, grad)
        Flat arrays; every parameter's ``.data`` and ``.grad`` are views into them.
    layout : list of (slab, start, stop)
        Where parameter ``i`` lives.
    """

    def __init__(self, params: list[Parameter]) -> None:
        self.params = params
        self._pack()

    def _pack(self) -> None:
        groups: dict[np.dtype, list[int]] = {}
        for i, p in enumerate(self.params):
            groups.setdefault(p.data.dtype, []).append(i)
        self.slabs: list[tuple[np.ndarray, np.ndarray]] = []
        self.layout: Layout = [(0, 0, 0)] * len(self.params)
        for slab_id, (dtype, members) in enumerate(groups.items()):
            total = sum(self.params[i].data.size for i in members)
            data, grad = np.empty(total, dtype=dtype), np.empty(total, dtype=dtype)
            offset = 0
            for i in members:
                p = self.params[i]
                stop = offset + p.data.size
                data_view = data[offset:stop].reshape(p.data.shape)
                grad_view = grad[offset:stop].reshape(p.data.shape)
                data_view[...] = p.data
                grad_view[...] = p.grad
                p.data, p.grad = data_view, grad_view
                self.layout[i] = (slab_id, offset, stop)
                offset = stop
            self.slabs.append((data, grad))
        self._bound = [(p.data, p.grad) for p in self.params]

    def repack_if_rebound(self) -> Layout | None:
        """Pack again if a parameter's ``data`` or ``grad`` was rebound since packing.

        Returns the old layout when it packed (so that state can be moved over), else None.
        """
        for p, (data, grad) in zip(self.params, self._bound):
            if p.data is not data or p.grad is not grad:
                old = self.layout
                self._pack()
                return old
        return None

    def gather(self, values: dict[int, np.ndarray]) -> list[np.ndarray]:
        """Slab-shaped arrays holding ``values[i]`` at parameter i's place (zeros elsewhere)."""
        slab_arrays = [np.zeros_like(data) for data, _ in self.slabs]
        for i, value in values.items():
            slab, start, stop = self.layout[i]
            slab_arrays[slab][start:stop] = value.reshape(-1)
        return slab_arrays
