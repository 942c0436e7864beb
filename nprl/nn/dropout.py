"""``Dropout``: randomly zero activations while training (inverted dropout).

In train mode each element is kept with probability 1 - p and scaled by 1 / (1 - p), so
the expected activation is unchanged and eval mode (and ``predict``) is the identity.
"""

from __future__ import annotations

import numpy as np

from nprl.checks import real_number
from nprl.nn.layer import Layer, make_rng, register_layer


@register_layer
class Dropout(Layer):
    """Zero each element with probability ``p`` in train mode; identity in eval mode.

    Parameters
    ----------
    p : float
        Drop probability, in [0, 1).
    rng : numpy Generator, int or None
        Source of the random masks (seed it for reproducible training).

    Shapes
    ------
    Any shape; the output has the input's shape and dtype.
    """

    def __init__(self, p: float = 0.5, rng=None) -> None:
        super().__init__()
        self.p = real_number(p, "Dropout probability")
        if not 0.0 <= self.p < 1.0:
            raise ValueError(f"Dropout probability must be in [0, 1), got {p}")
        self.rng = make_rng(rng)
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self._mask = keep * np.asarray(1.0 / (1.0 - self.p), dtype=x.dtype)
        return x * self._mask

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        if self._mask is None:  # eval mode (or p = 0): identity
            return grad_y
        return grad_y * self._mask

    def _clear_cache(self) -> None:
        self._mask = None

    def config(self) -> dict:
        return {"type": "Dropout", "p": self.p}
