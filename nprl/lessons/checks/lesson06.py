"""Checks of lesson 6 (loss functions): MSE and its gradient, softmax cross-entropy and its
gradient, and the debug exercise (a policy-gradient loss that picks the taken actions'
log-probabilities with the wrong indexing).

The truth is ``nprl.nn.MSELoss`` and ``nprl.nn.CrossEntropyLoss`` (values and
``backward()``), and finite differences for both gradients.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    expect_gradient,
    expect_scalar,
    reject_mistakes,
    reject_planted_bug,
    sample,
)

LABELS = np.array([2, 0, 3, 3, 1])


def _logits(seed: int) -> np.ndarray:
    return sample((5, 4), seed=seed, low=-3, high=3)


def _mse_inputs():
    return sample((6, 3), seed=80), sample((6, 3), seed=81)


@check
def check_mse(mse):
    pred, target = _mse_inputs()
    got = mse(pred.copy(), target.copy())
    truth = nn.MSELoss()(pred, target)
    if np.size(got) == 1 and np.isclose(float(np.asarray(got)), np.sum((pred - target) ** 2)):
        raise Wrong("mse is the sum of the squared errors; take their mean instead")
    reject_mistakes(got, {"that is the mean absolute error: square the errors":
                          np.mean(np.abs(pred - target))})
    expect_scalar(got, truth, what="mse(pred, target)")


@check
def check_mse_grad(mse_grad):
    pred, target = _mse_inputs()
    loss = nn.MSELoss()
    loss(pred, target)
    got = mse_grad(pred.copy(), target.copy())
    expect_close(got, loss.backward(), what="mse_grad(pred, target)")
    expect_gradient(got, lambda p: np.mean((p - target) ** 2), pred,
                    what="mse_grad(pred, target)")


@check
def check_cross_entropy(cross_entropy):
    logits = _logits(82)
    got = cross_entropy(logits.copy(), LABELS.copy())
    truth = nn.CrossEntropyLoss()(logits, LABELS)
    reject_mistakes(got, {f"that is the sum over the batch: take the mean (divide by "
                          f"N = {len(LABELS)})": truth * len(LABELS),
                          "the sign: the loss is MINUS the log-probability": -truth})
    expect_scalar(got, nn.CrossEntropyLoss()(logits, LABELS), what="cross_entropy(logits, labels)")
    big = logits * 300  # logits in the hundreds: a softmax without the max shift overflows
    expect_scalar(cross_entropy(big, LABELS.copy()), nn.CrossEntropyLoss()(big, LABELS),
                  what="cross_entropy(300 * logits, labels)", rtol=1e-6)


@check
def check_cross_entropy_grad(cross_entropy_grad):
    logits = _logits(83)
    loss = nn.CrossEntropyLoss()
    loss(logits, LABELS)
    got = cross_entropy_grad(logits.copy(), LABELS.copy())
    expect_close(got, loss.backward(), what="cross_entropy_grad(logits, labels)")
    expect_gradient(got, lambda z: nn.CrossEntropyLoss()(z, LABELS), logits,
                    what="cross_entropy_grad(logits, labels)")


@check
def check_policy_loss(policy_loss):
    logits, returns = _logits(84), sample((5,), seed=85)
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs = log_probs - np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    planted = -np.mean(log_probs[:, LABELS] * returns)
    got = policy_loss(logits.copy(), LABELS.copy(), returns.copy())
    reject_planted_bug(got, planted, "still the planted bug: log_probs[:, actions] is a "
                                     "(5, 5) table, not one number per state")
    truth = nn.CrossEntropyLoss()(logits, LABELS, weights=returns)
    expect_scalar(got, truth, what="policy_loss(logits, actions, returns)")
