"""Checks of lesson 12 (batch normalisation and residual connections): BN's forward and
backward against ``nprl.nn.BatchNorm`` (and finite differences), its running statistics
(unbiased variance, as PyTorch), the debug exercise (the shift's gradient summed over
the wrong axes) and a residual block's backward against ``nprl.nn.Residual``.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.results import unpack
from nprl.lessons.grading import (
    check,
    expect_close,
    expect_gradient,
    reject_mistakes,
    reject_planted_bug,
    sample,
)

EPS = 1e-5


def _batchnorm(gamma: np.ndarray, beta: np.ndarray) -> nn.BatchNorm:
    layer = nn.BatchNorm(len(gamma), eps=EPS, dtype=np.float64)
    layer.weight.data[...] = gamma
    layer.bias.data[...] = beta
    return layer


def _forward(x, gamma, beta):
    """Train-mode BN of (N, C) with the biased variance, as the truth for finite differences."""
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + EPS) + beta


def _problem():
    x = sample((6, 3), seed=120) * np.array([1.0, 3.0, 0.5]) + np.array([0.0, 2.0, -1.0])
    return x, sample(3, seed=121), sample(3, seed=122), sample((6, 3), seed=123)


@check
def check_batchnorm_forward(batchnorm_forward):
    x, gamma, beta, _ = _problem()
    truth = _batchnorm(gamma, beta).forward(x)
    got = batchnorm_forward(x.copy(), gamma.copy(), beta.copy(), EPS)
    unbiased = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + EPS) + beta
    reject_mistakes(got, {"you normalised with the unbiased variance (divide by N - 1); in "
                          "training, batch norm divides by N (np.var's default)": unbiased})
    expect_close(got, truth, what="batchnorm_forward(x, gamma, beta)")


@check
def check_batchnorm_backward(batchnorm_backward):
    x, gamma, beta, g = _problem()
    layer = _batchnorm(gamma, beta)
    layer.forward(x)
    truth_x = layer.backward(g)
    grad_x, grad_gamma, grad_beta = unpack(
        batchnorm_backward(x.copy(), gamma.copy(), g.copy(), EPS),
        ("grad_x", "grad_gamma", "grad_beta"), "batchnorm_backward")
    expect_close(grad_gamma, layer.weight.grad, what="grad_gamma")
    expect_close(grad_beta, layer.bias.grad, what="grad_beta", reduced_from=g)
    as_constants = g * gamma / np.sqrt(x.var(axis=0) + EPS)
    reject_mistakes(grad_x, {"grad_x treats the batch mean and variance as constants; they "
                             "depend on x too: subtract the two mean terms of the formula":
                             as_constants})
    expect_close(grad_x, truth_x, what="grad_x")
    expect_gradient(grad_x, lambda v: np.sum(_forward(v, gamma, beta) * g), x, what="grad_x")


@check
def check_channel_grads(channel_grads):
    x, g = sample((4, 4, 3, 3), seed=124), sample((4, 4, 3, 3), seed=125)  # N = C = 4
    layer = nn.BatchNorm(4, eps=EPS, dtype=np.float64)
    layer.forward(x)
    layer.backward(g)
    axes = (0, 2, 3)
    x_hat = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(
        x.var(axis=axes, keepdims=True) + EPS)
    grad_gamma, grad_beta = unpack(channel_grads(x_hat.copy(), g.copy()),
                                   ("grad_gamma", "grad_beta"), "channel_grads")
    reject_planted_bug(grad_beta, g.sum(axis=(1, 2, 3)),
                       "the planted bug is still there: grad_beta holds one number per "
                       "sample, not one per channel")
    expect_close(grad_gamma, layer.weight.grad, what="grad_gamma")
    expect_close(grad_beta, layer.bias.grad, what="grad_beta")


@check
def check_update_running_stats(update_running_stats):
    x = _problem()[0]
    layer = nn.BatchNorm(3, momentum=0.1, dtype=np.float64)
    layer.running_mean[...] = [0.5, -0.5, 1.0]
    layer.running_var[...] = [2.0, 1.0, 0.5]
    mean0, var0 = layer.running_mean.copy(), layer.running_var.copy()
    layer.forward(x)
    mean, var = unpack(update_running_stats(mean0.copy(), var0.copy(), x.copy(), 0.1),
                       ("running_mean", "running_var"), "update_running_stats")
    expect_close(mean, layer.running_mean, what="running_mean")
    biased = 0.9 * var0 + 0.1 * x.var(axis=0)
    reject_mistakes(var, {"running_var used the biased variance (divide by N); the running "
                          "estimate uses the unbiased one, np.var(x, axis=0, ddof=1), as "
                          "PyTorch": biased})
    expect_close(var, layer.running_var, what="running_var")


@check
def check_residual_backward(residual_backward):
    x, g = sample((5, 4), seed=126), sample((5, 4), seed=127)
    inner = nn.Sequential(nn.Dense(4, 4, rng=0, dtype=np.float64), nn.Tanh())
    block = nn.Residual(inner.copy())
    block.forward(x)
    truth = block.backward(g)
    inner.forward(x)
    got = residual_backward(g.copy(), inner.backward)
    reject_mistakes(got, {"you returned only the inner path's gradient; the shortcut adds "
                          "grad_y itself": truth - g})
    expect_close(got, truth, what="residual_backward(grad_y, inner_backward)")
