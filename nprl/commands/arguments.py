"""Argument types shared by the sub-commands: numbers checked where they are typed.

Used as ``parser.add_argument("--seed", type=seed)``: a wrong value becomes argparse's
own one-line ``error: argument --seed: ...`` (after the usage line), exactly like a value
that is not a number at all, and never reaches NumPy or Gymnasium to fail there with a
traceback (``--seed -3`` used to end in Gymnasium's "Seed must be greater or equal to
zero").

Also the arguments several commands share (:func:`add_run_target_arguments`: which agent
``nprl eval``, ``nprl qmap`` and ``nprl report`` open; :func:`add_episodes_argument`), and
:func:`examples`, which builds the "examples:" block each sub-command's help ends with
(the parser itself, one-line errors and help with defaults, is :mod:`nprl.argparsing`).
"""

from __future__ import annotations

import argparse
import math


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _whole_in(low: int, high: int | None = None, what: str = "expected a whole number"):
    """An argparse type: a whole number from ``low`` (to ``high``), else one line saying
    ``<what> >= low`` (or ``from low to high``) and the value given."""
    bounds = f">= {low}" if high is None else f"from {low} to {high}"

    def parse(text: str) -> int:
        value = _integer(text)
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{what} {bounds}, got {value}")
        return value

    return parse


# A seed: what NumPy's ``SeedSequence`` and Gymnasium accept.
seed = _whole_in(0, what="a seed must be a whole number")
positive_int = _whole_in(1)  # a count of steps, epochs, jobs...
non_negative_int = _whole_in(0)
episodes = _whole_in(1, 1000)  # evaluation episodes


ALLOW_ENV_MODULE_HELP = ("let an environment id of the form module:Id in the run's "
                         "config.json import that module (runs its code: only for runs you "
                         "trust)")

# How many episodes ``nprl eval`` and ``nprl report`` play when not told: 20 greedy
# episodes give a mean whose standard error is std / 4.5, and take a few seconds on
# CartPole and the Lander. Training's own evaluations use the preset's eval_episodes.
EVAL_EPISODES = 20


def add_run_target_arguments(parser: argparse.ArgumentParser, pretrained: bool = True) -> None:
    """Add what names an agent to a command's parser: ``RUN_DIR`` (also ``pretrained:NAME``
    when ``pretrained``), ``--checkpoint NAME`` (default best) and ``--allow-env-module``;
    :func:`nprl.commands.run_target.open_target` opens what they name."""
    parser.add_argument("run_dir", metavar="RUN_DIR",
                        help="run directory made by nprl train"
                             + (", or pretrained:NAME" if pretrained else ""))
    parser.add_argument("--checkpoint", default="best", metavar="NAME",
                        help="which checkpoint of a run: best, latest, or a name such as "
                             "step_000012000 (default best; best falls back to the "
                             "newest intact one)")
    parser.add_argument("--allow-env-module", action="store_true", help=ALLOW_ENV_MODULE_HELP)


def add_episodes_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--episodes N`` (1 to 1000, default :data:`EVAL_EPISODES`) to a parser."""
    parser.add_argument("--episodes", type=episodes, default=EVAL_EPISODES,
                        help="evaluation episodes, 1 to 1000")


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


def examples(*lines: str) -> str:
    """The epilog of a command's ``--help``: ``examples:`` and one command per line,
    each ``command  # what it does`` (kept as written by :class:`TeachingHelpFormatter`)."""
    return "examples:\n" + "".join(f"  {line}\n" for line in lines)


def wrote(what: str, path, detail: str = "") -> None:
    """Print a command's result line, the same way for every command:
    ``wrote <what>: <path>`` and, when given, `` (<detail>)``."""
    print(f"wrote {what}: {path}" + (f" ({detail})" if detail else ""))
