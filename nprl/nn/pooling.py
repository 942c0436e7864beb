"""``MaxPool2D``: the maximum of each window, on NCHW batches.

Forward takes all windows at once from a strided view and records which element of
each window won (``argmax``); backward routes each output gradient to that element only
(ties go to the first maximum, as in PyTorch).  Output size: (H - k) // stride + 1.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nprl.nn.conv import _pair
from nprl.nn.layer import Layer


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
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride")
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError("MaxPool2D needs kernel_size >= 1 and stride >= 1")
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

    def forward(self, x: np.ndarray) -> np.ndarray:
        flat, ho, wo = self._windows(x)
        winner = flat.argmax(axis=-1)[..., None]
        self._cache = (winner, x.shape, ho, wo)
        return np.take_along_axis(flat, winner, axis=-1)[..., 0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        flat, _, _ = self._windows(x)
        return flat.max(axis=-1)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("MaxPool2D.backward called before forward")
        winner, shape, ho, wo = self._cache
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        grad_windows = np.zeros(winner.shape[:-1] + (kh * kw,), dtype=grad_y.dtype)
        np.put_along_axis(grad_windows, winner, grad_y[..., None], axis=-1)
        grad_x = np.zeros(shape, dtype=grad_y.dtype)
        if (sh, sw) == (kh, kw):  # non-overlapping: a reshape puts every value in place
            n, c = shape[:2]
            block = grad_windows.reshape(n, c, ho, wo, kh, kw).transpose(0, 1, 2, 4, 3, 5)
            grad_x[:, :, : ho * kh, : wo * kw] = block.reshape(n, c, ho * kh, wo * kw)
            return grad_x
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
