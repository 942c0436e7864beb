"""Gradient clipping by global norm (PyTorch's ``clip_grad_norm_``), and that norm alone."""

from __future__ import annotations

import math

import numpy as np

from nprl.nn.parameter import Parameter


def grad_norm(params) -> float:
    """Global L2 norm of the parameters' gradients, as if concatenated into one vector.

    Summed in the gradients' own dtype (fast); only when that overflows (float32 squares
    pass 3.4e38 for entries near 1.8e19) summed again in float64, so that a huge but
    finite gradient is reported as such, not as ``inf``.
    """
    grads = [p.grad for p in params if isinstance(p, Parameter)]
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if not math.isfinite(total):
        total = math.sqrt(sum(float(np.vdot(g, g))
                              for g in (g.astype(np.float64) for g in grads)))
    return total


def clip_grad_norm(params, max_norm: float) -> float:
    """Scale all gradients in place so that their joint L2 norm is at most ``max_norm``.

    Parameters
    ----------
    params : iterable of Parameter
    max_norm : float
        Largest allowed global norm (> 0).

    Returns
    -------
    float
        The global norm *before* clipping (useful to log).
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    params = list(params)
    total = grad_norm(params)
    grads = [p.grad for p in params if isinstance(p, Parameter)]
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total
