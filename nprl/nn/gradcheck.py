"""``gradcheck``: compare a layer's analytic gradients with central finite differences.

The check runs on a float64 copy of the layer, with a fixed random upstream gradient g
so that the scalar being differentiated is ``sum(forward(x) * g)``.  It covers the input
and every parameter.  Layers that draw random numbers in forward (Dropout) have their
generator rewound before every forward, so every evaluation sees the same mask.
"""

from __future__ import annotations

import numpy as np

from nprl.nn.layer import Layer


def _random_layers(layer: Layer) -> list[Layer]:
    found = [layer] if isinstance(getattr(layer, "rng", None), np.random.Generator) else []
    for _, child in layer.children():
        found += _random_layers(child)
    return found


# Floor of the error's denominator: a gradient that is exactly zero in theory (a bias
# just before batch norm) comes out as round-off on both sides, ~1e-17 analytic and
# ~1e-10 numeric; dividing by their own tiny norms would report a 100% error.
NORM_FLOOR = 1e-2


def numeric_gradient(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to ``array`` (edited in place
    and restored): ``(f(a + eps) - f(a - eps)) / (2 eps)`` entry by entry."""
    grad = np.zeros_like(array)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = f()
        flat[i] = original - eps
        minus = f()
        flat[i] = original
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def _relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / max(||a||, ||n||, NORM_FLOOR)."""
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric), NORM_FLOOR)
    return float(np.linalg.norm(analytic - numeric) / scale)


def gradcheck(layer_or_net: Layer, x: np.ndarray, eps: float = 1e-6, seed: int = 0,
              return_details: bool = False):
    """Largest relative error between analytic and numerical gradients, in float64.

    Parameters
    ----------
    layer_or_net : Layer
        Any layer or Sequential; it is copied and converted to float64, the original is
        left untouched.  Its train/eval mode is kept.
    x : ndarray
        An input batch of the shape the layer expects.
    eps : float
        Central-difference step.
    seed : int
        Seed of the fixed upstream gradient.
    return_details : bool
        If True, also return a dict ``{"input": err, "<param name>": err, ...}``.

    Returns
    -------
    float
        max over the input and each parameter of ``||analytic - numeric|| /
        max(||analytic||, ||numeric||, 1e-2)``.  Below 1e-6 means the backward pass is right.
    """
    net = layer_or_net.copy().astype(np.float64)
    x = np.array(x, dtype=np.float64)
    random_layers = _random_layers(net)
    rng_states = [layer.rng.bit_generator.state for layer in random_layers]

    def forward() -> np.ndarray:
        for layer, state in zip(random_layers, rng_states):
            layer.rng.bit_generator.state = state
        return net.forward(x)

    y = forward()
    # A seed sequence unlike any plain default_rng(seed) a caller may have used for x:
    # if g were proportional to x, batch norm's input gradient would vanish identically.
    upstream = np.random.default_rng([seed, 0x6E70726C]).uniform(-1.0, 1.0, size=y.shape)
    net.zero_grad()
    analytic = {"input": np.array(net.backward(upstream), dtype=np.float64)}
    named = list(net.named_parameters())
    analytic.update({name: p.grad.copy() for name, p in named})

    def objective() -> float:
        return float(np.sum(forward() * upstream))

    errors = {"input": _relative_error(analytic["input"], numeric_gradient(objective, x, eps))}
    for name, p in named:
        errors[name] = _relative_error(analytic[name], numeric_gradient(objective, p.data, eps))
    worst = max(errors.values())
    return (worst, errors) if return_details else worst


def gradcheck_loss(loss, pred: np.ndarray, target: np.ndarray, weights=None,
                   eps: float = 1e-6) -> float:
    """Relative error of ``loss.backward()`` against central differences of ``loss(pred)``.

    All arrays are converted to float64 first (integer labels are kept as they are).
    """
    pred = np.array(pred, dtype=np.float64)
    target = np.asarray(target)
    if target.dtype.kind == "f":
        target = target.astype(np.float64)
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
    loss(pred, target, weights)
    analytic = np.array(loss.backward(), dtype=np.float64)
    numeric = numeric_gradient(lambda: loss(pred, target, weights), pred, eps)
    return _relative_error(analytic, numeric)
