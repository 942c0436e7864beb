"""``nprl plot RUN_DIR...``: learning curves of one or more runs in one PNG.

Runs that differ only by seed are drawn as one curve (mean) with a band (min to max).
"""

from __future__ import annotations

import argparse

from nprl.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plot", help="plot learning curves of runs",
        description="Plot the learning curves of one or more run directories.",
    )
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run directories")
    parser.add_argument("--out", help="PNG to write (default: RUN_DIR/learning_curve.png "
                        "for one run, learning_curves.png for several)")
    parser.add_argument("--smooth", type=int, default=20,
                        help="episodes in the moving average (default 20)")
    parser.add_argument("--title", help="figure title")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from nprl.viz.learning_curve import plot_learning_curves

    if args.smooth < 1:
        raise UserError(f"--smooth must be at least 1, got {args.smooth}")
    out = args.out or (Path(args.run_dirs[0]) / "learning_curve.png"
                       if len(args.run_dirs) == 1 else "learning_curves.png")
    try:
        path = plot_learning_curves(args.run_dirs, out, smooth=args.smooth, title=args.title)
    except ValueError as error:
        raise UserError(str(error)) from None
    print(f"learning curves: {path}")
    return 0
