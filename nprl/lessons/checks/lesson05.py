"""Checks of lesson 5 (forward propagation): a batched dense layer, a whole MLP forward
pass, greedy actions from Q-values, and the debug exercise (a Q-network with a ReLU after
its last layer, which can never output a negative Q-value).

The truth is ``nprl.nn.Dense`` and ``nprl.nn.Sequential`` (Dense and ReLU layers).
"""

from __future__ import annotations

import numpy as np

from nprl.lessons.checks.lesson04 import mlp
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    reject_mistakes,
    reject_planted_bug,
    sample,
)

SIZES = [6, 5, 4, 3]


def _params(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random (W, b) pairs for SIZES, and nothing else."""
    return [(sample((a, b), seed=seed + 2 * i), sample((b,), seed=seed + 2 * i + 1))
            for i, (a, b) in enumerate(zip(SIZES, SIZES[1:]))]


def _net(params):
    net = mlp(SIZES)
    flat = [array for pair in params for array in pair]
    for param, value in zip(net.parameters(), flat):
        param.data[...] = value
    return net


def _copies(params):
    return [(W.copy(), b.copy()) for W, b in params]


def _layer_mistakes(X, params, truth) -> dict[str, np.ndarray]:
    """Outputs of the two usual slips in a forward pass, keyed by their hint."""
    linear = X
    for W, b in params:
        linear = linear @ W + b
    return {"a ReLU after the last layer: the outputs (scores, Q-values) must be able to "
            "be negative": np.maximum(truth, 0),
            "no ReLU between the layers: then the layers collapse into one linear map": linear}


@check
def check_dense_forward(dense_forward):
    X, W, b = sample((7, 4), seed=60), sample((4, 3), seed=61), sample((3,), seed=62)
    net = mlp([4, 3])
    net[0].weight.data[...], net[0].bias.data[...] = W, b
    got = dense_forward(X.copy(), W.copy(), b.copy())
    reject_mistakes(got, {"the bias b is missing: X @ W + b": X @ W})
    expect_close(got, net.forward(X), what="dense_forward(X, W, b)")
    Ws = sample((4, 4), seed=63)  # square: a transposed W would run without an error
    net = mlp([4, 4])
    net[0].weight.data[...], net[0].bias.data[...] = Ws, b[:1].repeat(4)
    expect_close(dense_forward(X.copy(), Ws.copy(), b[:1].repeat(4)), net.forward(X),
                 what="dense_forward(X, W, b) with a square W")


@check
def check_forward(forward):
    X, params = sample((8, 6), seed=64), _params(65)
    got = forward(X.copy(), _copies(params))
    truth = _net(params).forward(X)
    reject_mistakes(got, _layer_mistakes(X, params, truth))
    expect_close(got, truth, what="forward(X, params)")


@check
def check_greedy_actions(greedy_actions):
    q = sample((6, 4), seed=66)
    got = greedy_actions(q.copy())
    reject_mistakes(got, {"that is the worst action: the greedy one has the LARGEST Q-value":
                          q.argmin(axis=1)})
    if np.shape(got) == (4,) and np.array_equal(got, q.argmax(axis=0)):
        raise Wrong("you took the best row of each column; take the best action (column) "
                    "of each state (row): argmax over axis=1")
    expect_close(got, q.argmax(axis=1), what="greedy_actions(q)")


@check
def check_q_network(q_network):
    X, params = sample((8, 6), seed=70), _params(71)
    truth = _net(params).forward(X)  # has negative Q-values (a test pins this down)
    got = q_network(X.copy(), _copies(params))
    # The last-layer ReLU is the planted bug, recognised below; name the other slip here.
    reject_mistakes(got, {key: value for key, value in _layer_mistakes(X, params, truth).items()
                          if not key.startswith("a ReLU after the last")})
    reject_planted_bug(got, np.maximum(truth, 0),
                       "still the planted bug: no Q-value is ever negative. Which layer "
                       "should not have a ReLU?")
    expect_close(got, truth, what="q_network(X, params)")
