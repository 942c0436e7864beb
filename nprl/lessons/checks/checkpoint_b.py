"""Checks of checkpoint B (a full forward pass with MSE and cross-entropy).

``forward``, ``mse`` and ``cross_entropy`` reuse lessons 5 and 6's checks. New here:
``accuracy``, the DQN loss ``td_loss`` on the actions taken, and ``evaluate``, which puts a
forward pass, a loss and an accuracy together; all against ``nprl.nn``.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.lesson04 import mlp
from nprl.lessons.checks.lesson05 import check_forward
from nprl.lessons.checks.lesson06 import check_cross_entropy, check_mse
from nprl.lessons.checks.results import unpack
from nprl.lessons.grading import Wrong, check, expect_scalar, reject_mistakes, sample

__all__ = [
    "check_accuracy",
    "check_cross_entropy",
    "check_evaluate",
    "check_forward",
    "check_mse",
    "check_td_loss",
]


def _labels(n: int, k: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, k, size=n)


@check
def check_accuracy(accuracy):
    logits, labels = sample((20, 4), seed=90), _labels(20, 4, 91)
    got = accuracy(logits.copy(), labels.copy())
    truth = float(np.mean(logits.argmax(axis=1) == labels))
    if np.size(got) == 1 and np.isclose(float(np.asarray(got)), 100 * truth) and truth:
        raise Wrong("accuracy is a fraction between 0 and 1, not a percentage")
    expect_scalar(got, truth, what="accuracy(logits, labels)")


@check
def check_td_loss(td_loss):
    q, actions, targets = sample((6, 3), seed=92), _labels(6, 3, 93), sample((6,), seed=94)
    got = td_loss(q.copy(), actions.copy(), targets.copy())
    reject_mistakes(got, {"q[:, actions] is an (N, N) table; pick one Q-value per row: "
                          "q[np.arange(N), actions]": np.mean((q[:, actions] - targets) ** 2)})
    every_action = np.mean((q - targets[:, None]) ** 2)
    if np.size(got) == 1 and np.isclose(float(np.asarray(got)), every_action):
        raise Wrong("td_loss compared every action's Q-value with the target; only the "
                    "action taken has a target: q[np.arange(N), actions]")
    truth = nn.MSELoss()(q[np.arange(6), actions], targets)
    expect_scalar(got, truth, what="td_loss(q, actions, targets)")


@check
def check_evaluate(evaluate):
    sizes = [12, 8, 5]
    X, labels = sample((30, 12), seed=95), _labels(30, 5, 96)
    net = mlp(sizes)
    params = [(p.data.copy(), q.data.copy()) for p, q in
              zip(net.parameters()[0::2], net.parameters()[1::2])]
    logits = net.forward(X)
    got_loss, got_accuracy = unpack(evaluate(X.copy(), labels.copy(), params),
                                    ("loss", "accuracy"), "evaluate")
    expect_scalar(got_loss, nn.CrossEntropyLoss()(logits, labels), what="the loss")
    expect_scalar(got_accuracy, float(np.mean(logits.argmax(axis=1) == labels)),
                  what="the accuracy")
