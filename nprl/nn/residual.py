"""``Residual``: a skip connection, y = x + inner(x) (He et al. 2016).

The gradient flows through both paths: dx = dy + inner.backward(dy).  ``inner`` must
map its input to the same shape.
"""

from __future__ import annotations

import numpy as np

from nprl.nn.layer import Layer, layer_from_config, register_layer


@register_layer
class Residual(Layer):
    """Wrap ``inner`` (any Layer, typically a Sequential) as x + inner(x)."""

    def __init__(self, inner: Layer) -> None:
        super().__init__()
        if not isinstance(inner, Layer):
            raise ValueError(f"Residual wraps a Layer, got {type(inner).__name__}")
        self.inner = inner

    def children(self) -> list[tuple[str, Layer]]:
        return [("inner", self.inner)]

    def _add(self, x: np.ndarray, fx: np.ndarray) -> np.ndarray:
        if fx.shape != x.shape:
            raise ValueError(
                f"Residual: inner layer changed the shape {x.shape} -> {fx.shape}; "
                "x + inner(x) needs them equal"
            )
        return x + fx

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self._add(x, self.inner.forward(x))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._add(x, self.inner.predict(x))

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        return grad_y + self.inner.backward(grad_y)

    def backward_params(self, grad_y: np.ndarray) -> None:
        self.inner.backward_params(grad_y)

    def config(self) -> dict:
        return {"type": "Residual", "inner": self.inner.config()}

    @classmethod
    def from_config(cls, config: dict) -> Residual:
        return cls(layer_from_config(config["inner"]))

    def __repr__(self) -> str:
        return f"Residual({self.inner!r})"
