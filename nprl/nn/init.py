"""Weight initialisers: functions ``init(shape, rng, dtype) -> ndarray``.

Fans follow PyTorch's convention: for a Dense weight ``(in, out)`` fan_in = in and
fan_out = out; for a Conv2D weight ``(out, in, kh, kw)`` fan_in = in*kh*kw and
fan_out = out*kh*kw.

- ``xavier_uniform`` / ``xavier_normal`` (Glorot & Bengio 2010): keep activation variance
  constant for tanh-like units; the default for Dense.
- ``he_uniform`` / ``he_normal`` (He et al. 2015, fan_in mode): for ReLU networks.
- ``glorot_seed``: the original article's uniform init with bound 1/sqrt(fan_in + fan_out).
- ``zeros``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a Dense ``(in, out)`` or Conv2D ``(out, in, kh, kw)`` weight."""
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) == 4:
        receptive = shape[2] * shape[3]
        return shape[1] * receptive, shape[0] * receptive
    if len(shape) == 1:
        return shape[0], shape[0]
    raise ValueError(f"cannot compute fans of a weight with shape {shape}")


def _uniform(shape, bound: float, rng: np.random.Generator, dtype) -> np.ndarray:
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def _normal(shape, std: float, rng: np.random.Generator, dtype) -> np.ndarray:
    return (rng.standard_normal(size=shape) * std).astype(dtype)


def xavier_uniform(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Uniform on [-b, b] with b = sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return _uniform(shape, math.sqrt(6.0 / (fan_in + fan_out)), rng, dtype)


def xavier_normal(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Normal with std = sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return _normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def he_uniform(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Uniform on [-b, b] with b = sqrt(6 / fan_in)."""
    fan_in, _ = fans(shape)
    return _uniform(shape, math.sqrt(6.0 / fan_in), rng, dtype)


def he_normal(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Normal with std = sqrt(2 / fan_in)."""
    fan_in, _ = fans(shape)
    return _normal(shape, math.sqrt(2.0 / fan_in), rng, dtype)


def glorot_seed(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """The original article's init: uniform on [-b, b] with b = 1 / sqrt(fan_in + fan_out)."""
    fan_in, fan_out = fans(shape)
    return _uniform(shape, 1.0 / math.sqrt(fan_in + fan_out), rng, dtype)


def zeros(shape, rng: np.random.Generator | None = None, dtype=np.float32) -> np.ndarray:
    """All zeros (the default for biases)."""
    return np.zeros(shape, dtype=dtype)


INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "glorot_seed": glorot_seed,
    "zeros": zeros,
}


def get_initializer(name: str) -> Callable[..., np.ndarray]:
    """Look an initialiser up by name, with a clear error for a typo."""
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown initializer {name!r}; choose one of {sorted(INITIALIZERS)}"
        ) from None
