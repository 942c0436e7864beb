"""The ``nprl`` command: one sub-command per job.

Each sub-command lives in its own module under ``nprl/commands/`` and exposes
``register(subparsers)`` which adds its parser and sets ``func`` to the function
that runs it.  Modules are listed in ``COMMANDS`` below; heavy imports (NumPy
networks, pygame, matplotlib) happen inside the command functions, so
``nprl --help`` is instant.

User mistakes raise :class:`nprl.errors.UserError`; ``main`` prints them as one
line on stderr and exits non-zero, never with a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
import warnings

from nprl import __version__
from nprl.argparsing import OneLineParser
from nprl.errors import Note, UserError

# Sub-command modules, in the order ``nprl --help`` lists them.
COMMANDS: list[str] = [
    "nprl.commands.train",
    "nprl.commands.resume",
    "nprl.commands.sweep",
    "nprl.commands.eval",
    "nprl.commands.plot",
    "nprl.commands.qmap",
    "nprl.commands.report",
    "nprl.commands.mnist",
    "nprl.commands.physics_demo",
    "nprl.commands.play",
    "nprl.commands.lessons",
]


# The end of ``nprl --help``: what a newcomer runs first, in order.
FIRST_COMMANDS = """\
start here:
  nprl train --list-presets          # what can be trained, and how long each takes
  nprl train                         # CartPole-v1 with its preset, under a minute
  nprl plot runs/CartPole-v1-s1-...  # every metric of that run in one picture
  nprl eval pretrained:lander --render   # watch the Lander agent shipped with nprl
  nprl lessons copy                  # the course: notebooks that grade themselves

'nprl COMMAND --help' shows each command's options, their defaults and examples.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="nprl",
        description="Deep reinforcement learning from first principles (NumPy only).",
        epilog=FIRST_COMMANDS,
    )
    parser.add_argument("--version", action="version", version=f"nprl {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def _show_note(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a :class:`~nprl.errors.Note` as one line; other warnings as Python would."""
    if issubclass(category, Note):
        print(f"nprl: note: {message}", file=sys.stderr)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


_python_showwarning = warnings.showwarning


def main(argv: list[str] | None = None) -> int:
    with warnings.catch_warnings():  # notes as one line, for this command only
        warnings.simplefilter("always", Note)
        warnings.showwarning = _show_note
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not hasattr(args, "func"):
            parser.print_help()
            return 2
        result = args.func(args)
    except UserError as error:
        print(f"nprl: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nprl: interrupted", file=sys.stderr)
        return 130
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        # Any file a command writes (a picture, a report, a video) on a full disk.
        where = f" writing {error.filename}" if error.filename else ""
        print(f"nprl: error: no space left on the device{where}; free some space and run "
              "the command again", file=sys.stderr)
        return 2
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
