"""Checks of checkpoint A (a neuron and all four activations from scratch).

The four activations reuse lesson 3's checks (the same exercises, graded the same way);
the new exercise is a batched neuron with a chosen activation, against ``nprl.nn.Dense``
followed by the matching nprl activation layer.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.lesson03 import check_relu, check_sigmoid, check_softmax, check_tanh
from nprl.lessons.grading import check, expect_close, sample

__all__ = ["check_layer", "check_relu", "check_sigmoid", "check_softmax", "check_tanh"]

_LAYERS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softmax": nn.Softmax}


@check
def check_layer(layer, activations):
    """``layer(X, W, b, f)`` = f(X W + b), for each activation the learner passes in."""
    X, W, b = sample((5, 4), seed=40), sample((4, 3), seed=41), sample((3,), seed=42)
    dense = nn.Dense(4, 3, dtype=np.float64)
    dense.weight.data[...] = W
    dense.bias.data[...] = b
    for name, truth_layer in _LAYERS.items():
        fn = activations[name]
        got = layer(X.copy(), W.copy(), b.copy(), fn)
        expect_close(got, truth_layer().forward(dense.forward(X)),
                     what=f"layer(X, W, b, {name})")
