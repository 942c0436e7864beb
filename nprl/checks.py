"""Checks of the numbers a user hands to a constructor, where they enter.

``Dense(4.7, 2)`` used to build ``Dense(4, 2)`` (``int()`` truncates), and
``DQNConfig(hidden_sizes="128")`` a 4-1-2-8-2 network (a string is a sequence of digits).
These helpers accept exactly what is meant and raise ``ValueError`` with one line that
names the argument otherwise. They are shared by :mod:`nprl.nn`'s layers,
:class:`nprl.envs.lander_config.LanderConfig` and :class:`nprl.rl.config.DQNConfig`, so this
is a root module, below all of them.
"""

from __future__ import annotations

import math
import numbers
from typing import Any


def whole_number(value: Any, name: str, minimum: int | None = 1,
                 maximum: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number (``4``, ``np.int64(4)``, ``4.0``)
    within ``[minimum, maximum]``; ``ValueError`` naming ``name`` otherwise. Booleans
    and strings are refused: ``True`` is not a size, ``"128"`` is not a width."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)
    else:
        real = _real(value)
        if real is None or not math.isfinite(real) or real != int(real):
            raise ValueError(f"{name} must be a whole number{_bounds(minimum, maximum)}, "
                             f"got {value!r}")
        number = int(real)
    _check_range(number, name, minimum, maximum)
    return number


def real_number(value: Any, name: str, minimum: float | None = None,
                maximum: float | None = None, above: float | None = None,
                below: float | None = None) -> float:
    """``value`` as a finite ``float`` within ``[minimum, maximum]`` and strictly within
    ``(above, below)``; ``ValueError`` naming ``name`` otherwise (nan and inf included)."""
    number = _real(value)
    if number is None or not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number{_bounds(minimum, maximum)}, "
                         f"got {value!r}")
    _check_range(number, name, minimum, maximum)
    if above is not None and not number > above:
        raise ValueError(f"{name} must be > {above}, got {value!r}")
    if below is not None and not number < below:
        raise ValueError(f"{name} must be < {below}, got {value!r}")
    return float(number)


def _real(value: Any) -> float | None:
    """A real number's value, None for anything else (bool, str, None, containers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:  # an int beyond float range
        return math.inf if value > 0 else -math.inf


def _bounds(minimum, maximum) -> str:
    """`` >= 1``, `` in [0, 1]``: the range in words, for messages."""
    if minimum is not None and maximum is not None:
        return f" in [{minimum:g}, {maximum:g}]"
    if minimum is not None:
        return f" >= {minimum:g}"
    return f" <= {maximum:g}" if maximum is not None else ""


def _check_range(number: float, name: str, minimum, maximum) -> None:
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        verb = "lie" if minimum is not None and maximum is not None else "be"
        raise ValueError(f"{name} must {verb}{_bounds(minimum, maximum)}, got {number!r}")
