"""Argument types shared by the sub-commands: numbers checked where they are typed.

Used as ``parser.add_argument("--seed", type=seed)``: a wrong value becomes argparse's
own one-line ``error: argument --seed: ...`` (after the usage line), exactly like a value
that is not a number at all, and never reaches NumPy or Gymnasium to fail there with a
traceback (``--seed -3`` used to end in Gymnasium's "Seed must be greater or equal to
zero").
"""

from __future__ import annotations

import argparse
import math
from typing import NoReturn


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def seed(text: str) -> int:
    """A seed: a whole number >= 0 (what NumPy's ``SeedSequence`` and Gymnasium accept)."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"a seed must be a whole number >= 0, got {value}")
    return value


def positive_int(text: str) -> int:
    """A whole number >= 1 (a count of steps, episodes, epochs...)."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """A whole number >= 0."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def finite_float(text: str) -> float:
    """A finite real number (no nan, no inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (a learning rate, a duration)."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def probability(text: str) -> float:
    """A number in [0, 1]."""
    value = finite_float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text}")
    return value


class OneLineParser(argparse.ArgumentParser):
    """argparse's parser whose mistakes are one line: ``error()`` raises
    :class:`~nprl.errors.UserError` (printed by ``nprl.cli.main`` as ``nprl: error: ...``,
    exit status 2) instead of printing the usage and calling ``sys.exit``. Sub-parsers
    made with ``add_subparsers`` are of the same class."""

    def error(self, message: str) -> NoReturn:
        from nprl.errors import UserError

        raise UserError(f"{message} (see '{self.prog} --help')")
