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
import importlib
import sys

from nprl import __version__
from nprl.errors import UserError

# Sub-command modules, in the order ``nprl --help`` lists them.
COMMANDS: list[str] = [
    "nprl.commands.train",
    "nprl.commands.resume",
    "nprl.commands.eval",
    "nprl.commands.plot",
    "nprl.commands.qmap",
    "nprl.commands.report",
    "nprl.commands.mnist",
    "nprl.commands.physics_demo",
    "nprl.commands.play",
    "nprl.commands.lessons",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nprl",
        description="Deep reinforcement learning from first principles (NumPy only).",
    )
    parser.add_argument("--version", action="version", version=f"nprl {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        result = args.func(args)
    except UserError as error:
        print(f"nprl: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nprl: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
