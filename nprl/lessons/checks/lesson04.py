"""Checks of lesson 4 (multi-layer perceptrons): layer shapes, parameter counting, a
two-layer forward pass, and the debug exercise (an XOR network with its ReLU missing).

The truth is ``nprl.nn.Sequential`` of ``Dense`` and ``ReLU`` layers: its parameters'
shapes and sizes, and its output.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.grading import Wrong, check, expect_close, reject_planted_bug, sample

SIZES = ([2, 3, 1], [8, 256, 256, 4], [784, 100, 50, 10], [5, 7])
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_Y = np.array([0, 1, 1, 0], dtype=np.float64)
# The hand-made XOR network of Goodfellow, Bengio and Courville, "Deep Learning", 6.1.
XOR_W1, XOR_B1 = np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])
XOR_W2, XOR_B2 = np.array([1.0, -2.0]), 0.0


def mlp(sizes: list[int]) -> nn.Sequential:
    """Dense layers of the given sizes with ReLU between them (none after the last)."""
    net = nn.Sequential()
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if i:
            net.add(nn.ReLU())
        net.add(nn.Dense(n_in, n_out, dtype=np.float64, rng=i))
    return net


@check
def check_layer_shapes(layer_shapes):
    for sizes in SIZES:
        truth = [p.data.shape for p in mlp(sizes).parameters()]
        truth = list(zip(truth[0::2], truth[1::2]))
        got = layer_shapes(list(sizes))
        try:
            got = [(tuple(w), tuple(b)) for w, b in got]
        except (TypeError, ValueError):
            raise Wrong("layer_shapes should return a list of (weight shape, bias shape) "
                        "pairs, e.g. [((2, 3), (3,)), ((3, 1), (1,))]") from None
        if got != truth:
            if [(w[::-1], b) for w, b in got] == truth:
                raise Wrong(f"for sizes {sizes} your weight shapes are transposed: nprl's W "
                            f"is (n_in, n_out), so that y = x @ W + b")
            raise Wrong(f"for sizes {sizes} you gave {got}, expected {truth}")


@check
def check_count_parameters(count_parameters):
    for sizes in SIZES:
        truth = sum(p.data.size for p in mlp(sizes).parameters())
        got = count_parameters(list(sizes))
        weights_only = sum(a * b for a, b in zip(sizes, sizes[1:]))
        if got == weights_only:
            raise Wrong(f"for sizes {sizes} you counted only the weights ({got}): "
                        f"add one bias per neuron of each layer")
        if got != truth:
            raise Wrong(f"for sizes {sizes} you counted {got}, expected {truth}")


@check
def check_two_layer(two_layer):
    X, W1, b1 = sample((6, 4), seed=50), sample((4, 5), seed=51), sample((5,), seed=52)
    W2, b2 = sample((5, 3), seed=53), sample((3,), seed=54)
    net = mlp([4, 5, 3])
    for param, value in zip(net.parameters(), (W1, b1, W2, b2)):
        param.data[...] = value
    got = two_layer(X.copy(), W1.copy(), b1.copy(), W2.copy(), b2.copy())
    reject_linear = (X @ W1 + b1) @ W2 + b2
    if np.shape(got) == reject_linear.shape and np.allclose(got, reject_linear):
        raise Wrong("two_layer(...) has no ReLU between the layers: apply it to X @ W1 + b1")
    expect_close(got, net.forward(X), what="two_layer(X, W1, b1, W2, b2)")


@check
def check_xor_net(xor_net):
    got = xor_net(XOR_X.copy())
    planted = (XOR_X @ XOR_W1 + XOR_B1) @ XOR_W2 + XOR_B2
    reject_planted_bug(got, planted, "still the planted bug: without an activation the two "
                                     "layers are one straight line, which cannot do XOR")
    expect_close(got, XOR_Y, what="xor_net(X)")
