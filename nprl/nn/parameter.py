"""``Parameter``: a trainable array together with the gradient that backward accumulates.

Layers hold their weights as Parameters so that optimizers, ``zero_grad`` and
``state_dict`` can find them without knowing what kind of layer they belong to.

Update ``.grad`` in place (``+=``, ``fill``, ``grad[...] = g``): an optimizer may have
packed every parameter of a network into one contiguous buffer (``nprl/nn/slabs.py``)
and notices a rebound array only at its next step.
"""

from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array and its accumulated gradient.

    Parameters
    ----------
    data : array_like
        The initial value; kept as an ndarray with its own dtype (float32 by default
        in every layer).
    name : str
        A human-readable name such as ``"weight"`` or ``"bias"``.

    Attributes
    ----------
    data : ndarray
        The current value.
    grad : ndarray
        Same shape and dtype as ``data``; backward passes add into it, ``zero_grad``
        resets it to zero.
    """

    __slots__ = ("data", "grad", "name")

    def __init__(self, data, name: str = "") -> None:
        self.data = np.array(data, copy=True)
        if self.data.dtype.kind != "f":
            raise ValueError(
                f"Parameter {name!r} must hold floating-point values, got dtype {self.data.dtype}"
            )
        self.grad = np.zeros_like(self.data)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def zero_grad(self) -> None:
        """Set the gradient to zero, in place."""
        self.grad.fill(0)

    def astype(self, dtype) -> None:
        """Convert value and gradient to ``dtype`` (rebinds both arrays)."""
        self.data = self.data.astype(dtype)
        self.grad = self.grad.astype(dtype)

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"
