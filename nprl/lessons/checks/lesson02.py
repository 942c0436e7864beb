"""Checks of lesson 2 (the perceptron): prediction, the learning rule, the training loop,
and the debug exercise (a training loop that never updates the bias).

The truth for the weighted sum is ``nprl.nn.Dense``; the perceptron rule itself has no
layer in nprl, so the reference loop below is the textbook rule, written once here.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.results import unpack
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    reject_mistakes,
    reject_planted_bug,
    sample,
)

AND_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
AND_Y = np.array([0, 0, 0, 1], dtype=np.float64)


def _predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    layer = nn.Dense(X.shape[1], 1, dtype=np.float64)
    layer.weight.data[:, 0] = w
    layer.bias.data[0] = b
    return (layer.predict(X)[:, 0] > 0).astype(np.float64)


def reference_train(X, y, epochs, lr, bias_only_up=False):
    """The perceptron rule from zero weights, samples in order; (w, b, mistakes per epoch).

    ``bias_only_up`` is the debug exercise's planted bug: b moves only when the error is +1.
    """
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - float(w @ x_i + b > 0)
            w = w + lr * error * x_i
            if error > 0 or not bias_only_up:
                b = b + lr * error
            mistakes += int(error != 0)
        errors.append(mistakes)
    return w, b, errors


def _mistakes_after_update(X, y, epochs, lr) -> list[int]:
    """The mistakes per epoch a loop gets if it counts after each update (a common slip)."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - float(w @ x_i + b > 0)
            w, b = w + lr * error * x_i, b + lr * error
            mistakes += int(float(w @ x_i + b > 0) != y_i)
        errors.append(mistakes)
    return errors


@check
def check_perceptron_predict(perceptron_predict):
    X, w, b = sample((8, 3), seed=20), sample((3,), seed=21), 0.3
    got = perceptron_predict(X.copy(), w.copy(), b)
    reject_mistakes(got, {"that is z = X w + b itself: return its step, 1.0 where z > 0, "
                          "else 0.0": X @ w + b})
    expect_close(got, _predict(X, w, b), what="perceptron_predict(X, w, b)")
    on_the_line = perceptron_predict(np.zeros((1, 3)), w.copy(), 0.0)  # z = 0 exactly
    if np.shape(on_the_line) == (1,) and float(np.asarray(on_the_line)[0]) != 0:
        raise Wrong("a point exactly on the line (z = 0) gets 0, as step(0) = 0: "
                    "use > 0, not >= 0")


@check
def check_perceptron_update(perceptron_update):
    w, x = sample((3,), seed=22), sample((3,), seed=23)
    b, lr = -0.2, 0.5
    for y in (0.0, 1.0):  # one case where the prediction is right, one where it is wrong
        predicted = float(w @ x + b > 0)
        error = y - predicted
        got_w, got_b = unpack(perceptron_update(w.copy(), b, x.copy(), y, lr),
                              ("w", "b"), "perceptron_update")
        case = f"(y={y:g}, prediction={predicted:g})"
        if error:
            reject_mistakes(got_w, {f"the new w {case} moved the wrong way: add "
                                    f"lr * (y - y_hat) * x, do not subtract it":
                                    w - lr * error * x})
        expect_close(got_w, w + lr * error * x, what=f"the new w {case}")
        expect_close(np.asarray(got_b, float), np.asarray(b + lr * error), what=f"the new b {case}")


@check
def check_train_perceptron(train_perceptron):
    for X, y, epochs in ((AND_X, AND_Y, 10), (sample((12, 2), seed=24), None, 6)):
        if y is None:  # a random problem that a line can separate
            y = (X @ np.array([1.0, -2.0]) + 0.3 > 0).astype(float)
        w, b, errors = reference_train(X, y, epochs, 0.1)
        got = unpack(train_perceptron(X.copy(), y.copy(), epochs, 0.1),
                     ("w", "b", "errors"), "train_perceptron")
        reject_mistakes(np.asarray(got[2], float), {
            "errors: count a mistake BEFORE the update (after it, the example is often "
            "already right)": _mistakes_after_update(X, y, epochs, 0.1)})
        expect_close(np.asarray(got[2], float), np.asarray(errors, float),
                     what="errors (mistakes per epoch)")
        expect_close(got[0], w, what="the final w")
        expect_close(np.asarray(got[1], float), np.asarray(b), what="the final b")


@check
def check_learn_and(learn_and):
    got = unpack(learn_and(AND_X.copy(), AND_Y.copy()), ("w", "b"), "learn_and")
    w_bug, b_bug, _ = reference_train(AND_X, AND_Y, 20, 0.1, bias_only_up=True)
    flat = np.append(np.asarray(got[0], float), float(np.asarray(got[1])))
    reject_planted_bug(flat, np.append(w_bug, b_bug),
                       "still the planted bug: b can only grow, but AND needs a negative "
                       "bias (the point (0, 0) must get a no)")
    w, b, _ = reference_train(AND_X, AND_Y, 20, 0.1)
    expect_close(got[0], w, what="w after training")
    expect_close(np.asarray(got[1], float), np.asarray(b), what="b after training")
    if not np.array_equal(_predict(AND_X, got[0], float(np.asarray(got[1]))), AND_Y):
        raise Wrong("your weights do not compute AND on all four inputs")
