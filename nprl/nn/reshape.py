"""``Flatten``: (N, d1, d2, ...) -> (N, d1*d2*...), e.g. between convolutions and Dense."""

from __future__ import annotations

import numpy as np

from nprl.nn.layer import Layer


class Flatten(Layer):
    """Keep the batch axis, merge all others; backward restores the shape."""

    def __init__(self) -> None:
        super().__init__()
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        if self._shape is None:
            raise RuntimeError("Flatten.backward called before forward")
        return grad_y.reshape(self._shape)
