"""Checks of lesson 8 (gradient descent): a momentum step and an Adam step against
``nprl.nn.SGD`` and ``nprl.nn.Adam`` over several steps, and the debug exercise (an Adam
without bias correction).

Each check drives nprl's optimizer and the learner's code with the same gradients and
compares, step by step, the *change* of the weights (so a flipped sign is named as such)
and the optimizer's state (velocity, moments).
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.results import unpack
from nprl.lessons.grading import check, expect_close, reject_planted_bug, sample

STEPS = 4


def _gradients() -> list[np.ndarray]:
    """A fixed sequence of gradients for a 2x3 weight; they change from step to step."""
    return [sample((2, 3), seed=800 + t) * (1 + t) for t in range(STEPS)]


def _reference(make_optimizer, w0: np.ndarray) -> list[tuple[np.ndarray, dict]]:
    """(weights, optimizer state) after each step of an nprl optimizer from ``w0``."""
    param = nn.Parameter(w0.copy())
    optimizer = make_optimizer([param])
    history = []
    for grad in _gradients():
        optimizer.zero_grad()
        param.grad[...] = grad
        optimizer.step()
        history.append((param.data.copy(), optimizer.state_dict()))
    return history


@check
def check_momentum_step(momentum_step):
    lr, mu = 0.1, 0.9
    w0 = sample((2, 3), seed=810)
    reference = _reference(lambda p: nn.SGD(p, lr=lr, momentum=mu), w0)
    w, velocity = w0.copy(), np.zeros_like(w0)
    for t, (grad, (w_ref, state)) in enumerate(zip(_gradients(), reference), start=1):
        before = w.copy()
        w_new, velocity = unpack(momentum_step(w.copy(), grad.copy(), velocity.copy(), lr, mu),
                                 ("w", "velocity"), "momentum_step")
        w_prev_ref = w0 if t == 1 else reference[t - 2][0]
        expect_close(np.asarray(w_new) - before, w_ref - w_prev_ref,
                     what=f"the change of w in step {t}")
        expect_close(velocity, state["momentum_buffer.0"], what=f"velocity after step {t}")
        w = np.asarray(w_new, dtype=np.float64)


@check
def check_adam_step(adam_step):
    lr = 0.01
    w0 = sample((2, 3), seed=811)
    reference = _reference(lambda p: nn.Adam(p, lr=lr), w0)
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, (grad, (w_ref, state)) in enumerate(zip(_gradients(), reference), start=1):
        before = w.copy()
        w_new, m, v = unpack(adam_step(w.copy(), grad.copy(), m.copy(), v.copy(), t, lr=lr),
                             ("w", "m", "v"), "adam_step")
        w_prev_ref = w0 if t == 1 else reference[t - 2][0]
        expect_close(m, state["exp_avg.0"], what=f"m after step {t}")
        expect_close(v, state["exp_avg_sq.0"], what=f"v after step {t}")
        expect_close(np.asarray(w_new) - before, w_ref - w_prev_ref,
                     what=f"the change of w in step {t}")
        w = np.asarray(w_new, dtype=np.float64)


def _adam_without_bias_correction(w0: np.ndarray, lr: float) -> np.ndarray:
    """The planted bug's weights after the first step."""
    g = _gradients()[0]
    m, v = 0.1 * g, 0.001 * g * g
    return w0 - lr * m / (np.sqrt(v) + 1e-8)


@check
def check_tiny_adam(TinyAdam):
    lr = 0.01
    w0 = sample((2, 3), seed=812)
    reference = _reference(lambda p: nn.Adam(p, lr=lr), w0)
    optimizer = TinyAdam(w0.copy(), lr=lr)
    for t, (grad, (w_ref, _)) in enumerate(zip(_gradients(), reference), start=1):
        w = optimizer.step(grad.copy())
        if t == 1:
            planted = _adam_without_bias_correction(w0, lr)
            reject_planted_bug(w, planted, "the planted bug is still there: the first step "
                               f"moves w by {np.abs(planted - w0).max():.2g} instead of "
                               f"{np.abs(w_ref - w0).max():.2g} (no bias correction)",
                               atol=1e-9)
        expect_close(w, w_ref, what=f"TinyAdam's w after step {t}")
