"""Checks of lesson 7 (backpropagation): numerical gradient, Dense and ReLU backward, and
the debug exercise (a two-layer backward pass with a missing transpose).

The truth is ``nprl.nn`` (Dense, ReLU, Sequential in float64) and, for every gradient,
central finite differences.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.results import unpack
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    expect_gradient,
    reject_planted_bug,
    sample,
)


def _dense(W: np.ndarray, b: np.ndarray) -> nn.Dense:
    """An nprl Dense layer in float64 holding exactly ``W`` and ``b``."""
    layer = nn.Dense(W.shape[0], W.shape[1], dtype=np.float64)
    layer.weight.data[...] = W
    layer.bias.data[...] = b
    return layer


@check
def check_numerical_gradient(numerical_gradient):
    """f(x) = sum(sin(x) * c) + sum(x**2), whose gradient is cos(x) * c + 2 x."""
    x = sample((3, 4), seed=70)
    c = sample((3, 4), seed=71)
    truth = np.cos(x) * c + 2 * x
    before = x.copy()
    got = numerical_gradient(lambda v: float(np.sum(np.sin(v) * c) + np.sum(v * v)), x)
    expect_close(got, truth, what="numerical_gradient(f, x)", rtol=1e-4, atol=1e-5)
    if not np.array_equal(x, before):
        raise Wrong("your function changed x: put every nudged element back "
                    "(x.flat[i] = old) before you return")


@check
def check_dense_backward(dense_backward):
    x, W, b = sample((5, 3), seed=72), sample((3, 4), seed=73), sample((4,), seed=74)
    g = sample((5, 4), seed=75)
    layer = _dense(W, b)
    layer.forward(x)
    truth_x = layer.backward(g)
    got = unpack(dense_backward(x.copy(), W.copy(), g.copy()),
                 ("grad_x", "grad_W", "grad_b"), "dense_backward")
    grad_x, grad_W, grad_b = got
    expect_close(grad_W, layer.weight.grad, what="grad_W")
    expect_close(grad_b, layer.bias.grad, what="grad_b", reduced_from=g)
    expect_close(grad_x, truth_x, what="grad_x")
    # The same three, against finite differences of L = sum((x W + b) * g).
    expect_gradient(grad_W, lambda v: np.sum((x @ v + b) * g), W, what="grad_W")
    expect_gradient(grad_b, lambda v: np.sum((x @ W + v) * g), b, what="grad_b")
    expect_gradient(grad_x, lambda v: np.sum((v @ W + b) * g), x, what="grad_x")


@check
def check_relu_backward(relu_backward):
    x, g = sample((4, 6), seed=76), sample((4, 6), seed=77)
    relu = nn.ReLU()
    relu.forward(x)
    expect_close(relu_backward(x.copy(), g.copy()), relu.backward(g),
                 what="relu_backward(x, grad_y)")


@check
def check_two_layer_backward(two_layer_backward):
    x = sample((5, 4), seed=78)
    W1, b1 = sample((4, 4), seed=79), sample((4,), seed=80)
    W2, b2 = sample((4, 3), seed=81), sample((3,), seed=82)
    g = sample((5, 3), seed=83)
    net = nn.Sequential(_dense(W1, b1), nn.ReLU(), _dense(W2, b2))
    net.forward(x)
    truth_x = net.backward(g)
    names = ("grad_x", "grad_W1", "grad_b1", "grad_W2", "grad_b2")
    got = unpack(two_layer_backward(x.copy(), W1.copy(), b1.copy(), W2.copy(), b2.copy(),
                                    g.copy()), names, "two_layer_backward")
    h_pre = x @ W1 + b1
    planted = (g @ W2.T * (h_pre > 0)) @ W1  # grad_x without the transpose
    reject_planted_bug(got[0], planted,
                       "the planted bug is still there: grad_x differs from finite differences")
    truths = (truth_x, net[0].weight.grad, net[0].bias.grad, net[2].weight.grad,
              net[2].bias.grad)
    for name, value, truth in zip(names, got, truths):
        expect_close(value, truth, what=name)

    def loss_of_x(v):
        return np.sum((np.maximum(v @ W1 + b1, 0) @ W2 + b2) * g)

    expect_gradient(got[0], loss_of_x, x, what="grad_x")
