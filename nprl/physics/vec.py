"""2-vectors as tuples of plain Python floats, and the checks on user input.

The engine keeps every 2-vector as a tuple ``(x, y)`` of Python floats. At the sizes a
game scene has (a few bodies, a handful of vertices each) a NumPy call costs about a
microsecond of overhead while a float multiply costs tens of nanoseconds, so tuples are
several times faster than small arrays (``benchmarks/physics.py --micro`` measures it).

The algebra itself is written out inline where it is used (the collider's and the
solver's inner loops are the hottest code in the engine); this module holds the type and
the checks that turn a user's input into such a tuple, or a clear ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Vec2 = tuple[float, float]


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
        # hasattr first: it is true for tuples and arrays, and far cheaper than the ABC check.
        if not hasattr(value, "__len__") and not isinstance(value, Sequence):
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
