"""``MaxPool2D``: the maximum of each window, on NCHW batches.

Forward records which element of each window won; backward routes each output gradient
to that element only (ties go to the first maximum, as in PyTorch).  Output size:
(H - k) // stride + 1.

Two vectorised paths, neither loops over pixels or samples:

- non-overlapping windows (stride == kernel, the usual case): the kh*kw strided views
  ``x[:, :, i::kh, j::kw]`` each hold one position of every window, so a running maximum
  over those kh*kw views (4 for 2x2) and one boolean mask per view find the winners
  without copying windows out;
- overlapping windows: all windows from ``sliding_window_view``, copied into rows of
  kh*kw values, then ``argmax`` per row.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nprl.nn.conv import _pair
from nprl.nn.layer import Layer, register_layer


@register_layer
class MaxPool2D(Layer):
    """Max pooling.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int, (int, int) or None
        Defaults to ``kernel_size`` (non-overlapping windows).

    Shapes
    ------
    x : (N, C, H, W) -> y : (N, C, Ho, Wo), same dtype.
    """

    def __init__(self, kernel_size, stride=None) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size, "MaxPool2D kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "MaxPool2D stride")
        self._cache = None

    def _windows(self, x: np.ndarray) -> tuple[np.ndarray, int, int]:
        if x.ndim != 4:
            raise ValueError(f"MaxPool2D expects NCHW input (N, C, H, W), got shape {x.shape}")
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        n, c, h, w = x.shape
        ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
        if ho < 1 or wo < 1:
            raise ValueError(f"MaxPool2D: input {h}x{w} is smaller than the window {(kh, kw)}")
        windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :ho, :wo]
        return windows.reshape(n, c, ho, wo, kh * kw), ho, wo

    def _offsets(self, array: np.ndarray, ho: int, wo: int) -> list[np.ndarray]:
        """Strided views, one per window offset (i, j), each of shape (N, C, Ho, Wo)."""
        (kh, kw) = self.kernel_size
        return [array[:, :, i : i + kh * ho : kh, j : j + kw * wo : kw]
                for i in range(kh) for j in range(kw)]

    def _disjoint(self, x: np.ndarray) -> bool:
        """True when the fast path applies: stride == kernel and at least one window."""
        (kh, kw) = self.kernel_size
        return (x.ndim == 4 and self.stride == self.kernel_size
                and x.shape[2] >= kh and x.shape[3] >= kw)

    def _forward_disjoint(self, x: np.ndarray) -> np.ndarray:
        (kh, kw) = self.kernel_size
        ho, wo = x.shape[2] // kh, x.shape[3] // kw
        views = self._offsets(x, ho, wo)
        # order="K" keeps the input's memory layout (a Conv2D output is NHWC in memory),
        # so every element-wise pass below walks all arrays in the same order.
        best = views[0].copy(order="K")
        for view in views[1:]:
            np.maximum(best, view, out=best)
        # One boolean mask per offset marks the windows it wins; the first maximum wins
        # a tie (as argmax and PyTorch do), so later offsets skip windows already taken.
        taken = views[0] == best
        masks = [taken.copy()]
        for view in views[1:]:
            mask = view == best
            mask &= ~taken
            taken |= mask
            masks.append(mask)
        self._cache = ("disjoint", masks, x, ho, wo)
        return best

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self._disjoint(x):
            return self._forward_disjoint(x)
        flat, ho, wo = self._windows(x)
        winner = flat.argmax(axis=-1)[..., None]
        self._cache = ("windows", winner, x, ho, wo)
        return np.take_along_axis(flat, winner, axis=-1)[..., 0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self._disjoint(x):
            (kh, kw) = self.kernel_size
            views = self._offsets(x, x.shape[2] // kh, x.shape[3] // kw)
            best = views[0].copy(order="K")
            for view in views[1:]:
                np.maximum(best, view, out=best)
            return best
        flat, _, _ = self._windows(x)
        return flat.max(axis=-1)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("MaxPool2D.backward called before forward")
        path, winner, x, ho, wo = self._cache
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        # zeros_like keeps x's memory layout (NHWC after a Conv2D), so the convolution's
        # backward below us can read this gradient without another transposing copy.
        grad_x = np.zeros_like(x, dtype=grad_y.dtype)
        if path == "disjoint":  # ``winner`` holds one mask per window offset
            for mask, view in zip(winner, self._offsets(grad_x, ho, wo)):
                np.multiply(grad_y, mask, out=view)  # each window's gradient to its winner
            return grad_x
        grad_windows = np.zeros(winner.shape[:-1] + (kh * kw,), dtype=grad_y.dtype)
        np.put_along_axis(grad_windows, winner, grad_y[..., None], axis=-1)
        for i in range(kh):  # overlapping windows: one strided add per window offset
            for j in range(kw):
                grad_x[:, :, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] += (
                    grad_windows[..., i * kw + j]
                )
        return grad_x

    def _clear_cache(self) -> None:
        self._cache = None

    def config(self) -> dict:
        return {"type": "MaxPool2D", "kernel_size": list(self.kernel_size),
                "stride": list(self.stride)}
