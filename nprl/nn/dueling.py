"""``DuelingHead``: the dueling architecture's output layer (Wang et al., 2016).

Instead of one linear map to Q-values, the head has two linear streams on the shared
features ``x``: a state value ``V(x)`` (one number) and advantages ``A(x, a)`` (one per
action), combined as

    Q(x, a) = V(x) + A(x, a) - mean_a' A(x, a')

Subtracting the mean makes V and A identifiable (otherwise any constant could move
between them). Backward, for ``g = dL/dQ`` of shape (B, A):

    dL/dV = sum_a g[:, a]                      (V is broadcast over the actions)
    dL/dA = g - mean_a g[:, a]                 (the mean's Jacobian is 1/A everywhere)
    dL/dx = value.backward(dL/dV) + advantage.backward(dL/dA)

It lives in nprl.nn (not with the DQN that uses it) and is registered like every other
layer, so ``nprl.nn.load`` rebuilds a saved dueling network without importing ``nprl.rl``.
"""

from __future__ import annotations

import numpy as np

from nprl.nn.dense import Dense
from nprl.nn.layer import Layer, check_dtype, make_rng, register_layer


@register_layer
class DuelingHead(Layer):
    """Value and advantage streams combined into Q-values.

    Parameters
    ----------
    in_features : int
        Width of the shared features.
    n_actions : int
        Number of discrete actions.
    init : str
        Weight initialiser of both streams (see ``nprl.nn.init``).
    dtype : numpy dtype
        float32 (default) or float64.
    rng : numpy Generator, int or None
        Randomness for the initial weights.

    Shapes
    ------
    x : (B, in_features) -> Q : (B, n_actions)
    """

    def __init__(self, in_features: int, n_actions: int, init: str = "xavier_uniform",
                 dtype=np.float32, rng=None) -> None:
        super().__init__()
        rng = make_rng(rng)
        self.in_features = int(in_features)
        self.n_actions = int(n_actions)
        self.init = init
        self.dtype = check_dtype(dtype)
        self.value = Dense(self.in_features, 1, init=init, dtype=self.dtype, rng=rng)
        self.advantage = Dense(self.in_features, self.n_actions, init=init, dtype=self.dtype,
                               rng=rng)

    def children(self) -> list[tuple[str, Layer]]:
        return [("value", self.value), ("advantage", self.advantage)]

    @staticmethod
    def _combine(value: np.ndarray, advantage: np.ndarray) -> np.ndarray:
        return value + (advantage - advantage.mean(axis=1, keepdims=True))

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self._combine(self.value.forward(x), self.advantage.forward(x))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._combine(self.value.predict(x), self.advantage.predict(x))

    def backward(self, grad_q: np.ndarray) -> np.ndarray:
        grad_value = grad_q.sum(axis=1, keepdims=True)
        grad_advantage = grad_q - grad_q.mean(axis=1, keepdims=True)
        return self.value.backward(grad_value) + self.advantage.backward(grad_advantage)

    def config(self) -> dict:
        return {"type": "DuelingHead", "in_features": self.in_features,
                "n_actions": self.n_actions, "init": self.init, "dtype": self.dtype.name}
