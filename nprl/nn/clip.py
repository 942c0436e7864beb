"""Gradient clipping by global norm (PyTorch's ``clip_grad_norm_``)."""

from __future__ import annotations

import math

import numpy as np

from nprl.nn.parameter import Parameter


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
    grads = [p.grad for p in params if isinstance(p, Parameter)]
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total
