"""Checks of lesson 10 (regularisation): inverted dropout (its statistics, and nprl's
``nn.Dropout`` as the reference of what kept values look like), the debug exercise
(dropout left on at test time), an SGD step with weight decay against ``nn.SGD``, and
early stopping against a reference on fixed loss curves.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    reject_mistakes,
    reject_planted_bug,
    sample,
)


def _expect_inverted_dropout(y, x: np.ndarray, p: float, what: str) -> None:
    """Raise Wrong unless y looks like inverted dropout of x (x has no zeros)."""
    if y is None:
        raise Wrong(f"{what} returned None: did you forget `return`?")
    y = np.asarray(y, dtype=float)
    if y.shape != x.shape:
        raise Wrong(f"{what} has shape {y.shape}, expected {x.shape} (the shape of x)")
    reference = nn.Dropout(p, rng=0).forward(x)  # nprl's kept values: x / (1 - p)
    scale = float(np.max(reference / x))
    ratio = y / x
    dropped = float(np.mean(ratio == 0))
    kept = ratio[ratio != 0]
    if dropped == 0:
        raise Wrong(f"{what} zeroed nothing: drop each element with probability p={p}")
    if kept.size and not np.allclose(kept, scale):
        if np.allclose(kept, 1.0):
            raise Wrong(f"{what} keeps values unscaled: divide the kept ones by (1 - p), "
                        f"so they become {scale:g} times x (the mean stays the same)")
        raise Wrong(f"kept values of {what} are {float(np.median(kept)):.4g} times x; "
                    f"expected {scale:g} times x (divide by 1 - p)")
    if abs(dropped - p) > 0.02:
        hint = " (you kept with probability p instead of dropping?)" if abs(
            dropped - (1 - p)) < 0.02 else ""
        raise Wrong(f"{what} zeroed {dropped:.1%} of the elements; expected about {p:.0%}{hint}")


@check
def check_dropout(dropout):
    p = 0.3
    x = np.abs(sample((200, 100), seed=100)) + 0.5  # no zeros, so zeroed elements are visible
    y = dropout(x.copy(), p, np.random.default_rng(0))
    _expect_inverted_dropout(y, x, p, "dropout(x, p, rng)")
    again = dropout(x.copy(), p, np.random.default_rng(0))
    if not np.array_equal(np.asarray(again), np.asarray(y)):
        raise Wrong("two calls with the same rng seed dropped different elements: draw "
                    "random numbers from `rng`, not from np.random")


@check
def check_dropout_layer(dropout_layer):
    p = 0.5
    x = np.abs(sample((50, 40), seed=101)) + 0.5
    planted = x * (np.random.default_rng(1).random(x.shape) >= p) / (1 - p)
    at_test = dropout_layer(x.copy(), p, np.random.default_rng(1), False)
    reject_planted_bug(at_test, planted,
                       "the planted bug is still there: with training=False the layer "
                       "still drops units")
    expect_close(at_test, x, what="dropout_layer(x, p, rng, training=False)")
    y = dropout_layer(x.copy(), p, np.random.default_rng(1), True)
    _expect_inverted_dropout(y, x, p, "dropout_layer(..., training=True)")


@check
def check_sgd_weight_decay_step(sgd_weight_decay_step):
    lr, wd = 0.1, 0.05
    w0, grad = sample((3, 4), seed=102), sample((3, 4), seed=103)
    param = nn.Parameter(w0.copy())
    optimizer = nn.SGD([param], lr=lr, weight_decay=wd)
    param.grad[...] = grad
    optimizer.step()
    got = sgd_weight_decay_step(w0.copy(), grad.copy(), lr, wd)
    reject_mistakes(got, {"weight decay pushes the weights away from zero: the extra "
                          "gradient is +weight_decay * w": w0 - lr * (grad - wd * w0)})
    expect_close(np.asarray(got) - w0, param.data - w0, what="the change of w")


def _reference_early_stopping(losses: list[float], patience: int) -> tuple[int, int]:
    best, waited = 0, 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
        if waited >= patience:
            return epoch, best
    return len(losses) - 1, best


CURVES = [
    ([1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9, 1.0], 3),   # stops at 5, best 2
    ([1.0, 0.8, 0.7, 0.72, 0.69, 0.75, 0.9, 1.0], 3),   # a late improvement resets the wait
    ([1.0, 0.9, 0.8, 0.7, 0.6], 2),                     # never stops early
    ([0.5, 0.6, 0.6, 0.4], 1),                          # patience 1: stops at the first miss
]


@check
def check_early_stopping(early_stopping):
    for losses, patience in CURVES:
        expected = _reference_early_stopping(losses, patience)
        got = early_stopping(list(losses), patience)
        if got is None or np.shape(got) != (2,):
            raise Wrong(f"return two numbers (stop_epoch, best_epoch), got {got!r}")
        got = tuple(int(v) for v in got)
        if got != expected:
            raise Wrong(f"for losses {losses} with patience {patience} you returned "
                        f"(stop, best) = {got}, expected {expected}"
                        + (": off by one?" if abs(got[0] - expected[0]) == 1 else ""))
