"""Checks of lesson 1 (from biological to artificial neurons): the weighted sum, the step
activation, a sigmoid neuron, and the debug exercise (a batched neuron that sums over
the whole batch).

The truth is ``nprl.nn``: a ``Dense(n, 1)`` layer holding the learner's weights, followed
by ``Sigmoid`` for the neuron.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    expect_scalar,
    reject_mistakes,
    reject_planted_bug,
    sample,
)


def _dense(w: np.ndarray, b: float) -> nn.Dense:
    """A float64 ``Dense(n, 1)`` whose weight column is ``w`` and bias ``b``."""
    layer = nn.Dense(w.shape[0], 1, dtype=np.float64)
    layer.weight.data[:, 0] = w
    layer.bias.data[0] = b
    return layer


@check
def check_weighted_sum(weighted_sum):
    x, w, b = sample((5,), seed=10), sample((5,), seed=11), 0.7
    truth = _dense(w, b).predict(x[None, :])[0, 0]
    got = weighted_sum(x.copy(), w.copy(), b)
    reject_mistakes(got, {"the bias is added, not subtracted: w · x + b": w @ x - b,
                          "the bias b is missing: w · x + b": w @ x})
    expect_scalar(got, truth, what="weighted_sum(x, w, b)")


@check
def check_step(step):
    z = sample((7,), seed=12)
    got = step(z.copy())
    expect_close(got, (z > 0).astype(np.float64), what="step(z)")
    edge = np.asarray(step(np.array([0.0])), dtype=float)
    if edge.shape == (1,) and edge[0] != 0:
        raise Wrong("step(0) should be 0: the neuron fires only when z > 0 (strictly)")


@check
def check_neuron(neuron):
    x, w, b = sample((4,), seed=13), sample((4,), seed=14), -0.3
    truth = nn.Sigmoid().predict(_dense(w, b).predict(x[None, :]))[0, 0]
    got = neuron(x.copy(), w.copy(), b)
    reject_mistakes(got, {"the exponent is -z: sigmoid(z) = 1 / (1 + e^(-z))": 1 - truth,
                          "that is z itself: apply the sigmoid to it": w @ x + b})
    expect_scalar(got, truth, what="neuron(x, w, b)")


@check
def check_batch_neuron(batch_neuron):
    X, w, b = sample((6, 3), seed=15), sample((3,), seed=16), 0.2
    planted = np.sum(X * w) + b
    got = batch_neuron(X.copy(), w.copy(), b)
    reject_planted_bug(got, planted,
                       "the planted bug is still there: one number for the whole batch. "
                       "Sum over the inputs of each row only (axis=1).")
    truth = _dense(w, b).predict(X)[:, 0]
    expect_close(got, truth, what="batch_neuron(X, w, b)", reduced_from=X * w + b)
