"""2-vector helpers on plain Python floats.

The engine keeps every 2-vector as a tuple ``(x, y)`` of Python floats. At the sizes a
game scene has (a few bodies, a handful of vertices each) a NumPy call costs about a
microsecond of overhead while a float multiply costs tens of nanoseconds, so tuples are
several times faster than small arrays (``benchmarks/physics.py --micro`` measures it).

These helpers spell out the algebra for readers and for the non-hot code paths; the
inner loops of the collider and the solver inline the same formulas by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Vec2 = tuple[float, float]


def add(a: Vec2, b: Vec2) -> Vec2:
    """a + b."""
    return (a[0] + b[0], a[1] + b[1])


def sub(a: Vec2, b: Vec2) -> Vec2:
    """a - b."""
    return (a[0] - b[0], a[1] - b[1])


def scale(a: Vec2, s: float) -> Vec2:
    """s * a."""
    return (a[0] * s, a[1] * s)


def dot(a: Vec2, b: Vec2) -> float:
    """Dot product a . b."""
    return a[0] * b[0] + a[1] * b[1]


def cross(a: Vec2, b: Vec2) -> float:
    """2D cross product (the z of the 3D one): a.x * b.y - a.y * b.x."""
    return a[0] * b[1] - a[1] * b[0]


def cross_sv(s: float, a: Vec2) -> Vec2:
    """Scalar times vector cross product: (0, 0, s) x (a.x, a.y, 0) = (-s a.y, s a.x).

    This is the velocity of a point at offset ``a`` on a body turning at ``s`` rad/s.
    """
    return (-s * a[1], s * a[0])


def length(a: Vec2) -> float:
    """Euclidean norm |a|."""
    return math.hypot(a[0], a[1])


def rotate(a: Vec2, c: float, s: float) -> Vec2:
    """Rotate ``a`` by the angle whose cosine is ``c`` and sine is ``s``."""
    return (c * a[0] - s * a[1], s * a[0] + c * a[1])


def to_vec2(value: object, what: str) -> Vec2:
    """Check that ``value`` is a finite 2-vector and return it as a tuple of floats.

    Parameters
    ----------
    value : sequence of 2 numbers (tuple, list or ndarray of shape (2,))
    what : str
        Name used in the error message, e.g. ``"Body.apply_force: force"``.

    Raises
    ------
    ValueError
        If ``value`` does not hold exactly two finite numbers.
    """
    try:
        if not isinstance(value, Sequence) and not hasattr(value, "__len__"):
            raise TypeError
        if len(value) != 2:  # type: ignore[arg-type]
            raise TypeError
        x, y = float(value[0]), float(value[1])  # type: ignore[index]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a 2-vector (x, y) of numbers, got {value!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(
            f"{what} must be finite, got ({x}, {y}); a NaN or infinity here would poison "
            "the whole world, so check the value you computed"
        )
    return (x, y)


def to_finite(value: object, what: str) -> float:
    """Check that ``value`` is one finite number and return it as a float."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(
            f"{what} must be finite, got {x}; a NaN or infinity here would poison "
            "the whole world, so check the value you computed"
        )
    return x
