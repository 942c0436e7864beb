"""Checks of lesson 3 (activation functions): ReLU, sigmoid, tanh, softmax, the sigmoid's
derivative, and the debug exercise (Boltzmann action probabilities without the max shift).

The truth is nprl.nn's own layers (``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``) and, for
the derivative, ``Sigmoid.backward`` and finite differences. Checkpoint A reuses these.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    expect_gradient,
    reject_mistakes,
    reject_planted_bug,
    sample,
)

# Q-values of two states and a low temperature: Q / T reaches 1200, exp overflows.
BIG_Q = np.array([[10.0, 12.0, 11.0], [-3.0, -3.5, -2.0]])
TEMPERATURE = 0.01


def _elementwise(fn, layer: nn.Layer, what: str, mistakes, low: float = -4.0,
                 high: float = 4.0) -> None:
    """Compare fn with the layer on a fixed input; ``mistakes(x)`` maps hints to the
    outputs that common mistakes give on x."""
    x = sample((4, 5), seed=30, low=low, high=high)
    got = fn(x.copy())
    reject_mistakes(got, mistakes(x))
    expect_close(got, layer.forward(x), what=what)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@check
def check_relu(relu):
    _elementwise(relu, nn.ReLU(), "relu(x)", lambda x: {
        "relu(x) made negative inputs positive: ReLU sets them to 0, it does not flip them":
            np.abs(x),
        "relu(x) kept the negative part: ReLU keeps the positive part, max(x, 0)":
            np.minimum(x, 0),
        "relu(x) returned True/False: multiply by the mask, or use np.maximum(x, 0)":
            x > 0})


@check
def check_sigmoid(sigmoid):
    _elementwise(sigmoid, nn.Sigmoid(), "sigmoid(x)", lambda x: {
        "sigmoid(x) is mirrored: the exponent is -x, as in 1 / (1 + e^(-x))": _sigmoid(-x),
        "that is tanh, not the sigmoid": np.tanh(x)}, low=-8, high=8)


@check
def check_tanh(tanh):
    _elementwise(tanh, nn.Tanh(), "tanh(x)", lambda x: {
        "that is the sigmoid, whose range is (0, 1); tanh's range is (-1, 1)": _sigmoid(x),
        "tanh(x) has the wrong sign: (e^x - e^(-x)) on top, not the reverse": -np.tanh(x)})


@check
def check_softmax(softmax):
    x = sample((4, 6), seed=31)
    got = softmax(x.copy())
    by_column = np.exp(x) / np.exp(x).sum(axis=0, keepdims=True)
    if np.shape(got) == x.shape and np.allclose(np.asarray(got, float), by_column):
        raise Wrong("softmax(x) normalised each column (axis 0); normalise each row: "
                    "sum over axis=-1 with keepdims=True")
    expect_close(got, nn.Softmax().forward(x), what="softmax(x)")
    rows = np.asarray(got, dtype=float).sum(axis=-1)
    if not np.allclose(rows, 1):
        raise Wrong("each row of softmax(x) should sum to 1")


@check
def check_sigmoid_derivative(sigmoid_derivative):
    z = sample((3, 4), seed=32, low=-5, high=5)
    layer = nn.Sigmoid()
    layer.forward(z)
    truth = layer.backward(np.ones_like(z))
    got = sigmoid_derivative(z.copy())
    s = _sigmoid(z)
    reject_mistakes(got, {"that is the sigmoid itself; its slope is s * (1 - s)": s,
                          "s * (1 + s): the slope is s * (1 - s)": s * (1 + s)})
    expect_close(got, truth, what="sigmoid_derivative(z)")
    expect_gradient(got, lambda v: float(np.sum(1 / (1 + np.exp(-v)))), z,
                    what="sigmoid_derivative(z)")


@check
def check_action_probabilities(action_probabilities):
    got = action_probabilities(BIG_Q.copy(), TEMPERATURE)
    scaled = BIG_Q / TEMPERATURE
    reject_mistakes(got, {"the temperature is gone: use softmax(q / temperature)":
                          nn.Softmax().forward(BIG_Q)})
    planted = np.exp(scaled) / np.exp(scaled).sum(axis=-1, keepdims=True)
    reject_planted_bug(got, planted, "still NaN: exp(Q / T) overflows for Q / T = 1200. "
                                     "Subtract each row's max before exp")
    expect_close(got, nn.Softmax().forward(scaled), what="action_probabilities(q, 0.01)")
