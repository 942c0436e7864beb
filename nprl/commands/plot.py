"""``nprl plot RUN_DIR...``: a dashboard of every logged metric of one or more runs.

    nprl plot runs/cartpole                       # -> runs/cartpole/dashboard.png
    nprl plot runs/cartpole-s1 runs/cartpole-s2   # seeds: mean and min..max band
    nprl plot runs/cartpole --curves              # the short learning-curve figure
    nprl plot sweeps/lr                           # a sweep: every trial, one colour per config

Runs that differ only by seed are drawn as one curve (mean) with a band (min to max).
A sweep directory (``nprl sweep``) stands for its trials' run directories. The metrics
are those of ``nprl/rl/metrics.py``.
"""

from __future__ import annotations

import argparse

from nprl.commands.arguments import examples, positive_int, wrote
from nprl.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plot", help="plot every metric of runs (dashboard PNG)",
        description="Draw a dashboard of every logged metric of one or more run directories "
                    "(return, length, success, evaluation, TD loss, Q, epsilon, learning "
                    "rate, gradient and weight norms, speed, replay size, PER), or with "
                    "--curves only the learning curves. Runs that differ only by seed are "
                    "drawn as their mean with a min..max band.",
        epilog=examples(
            "nprl plot runs/CartPole-v1-s1-20261130-120000   # RUN_DIR/dashboard.png",
            "nprl plot runs/cp-s1 runs/cp-s2 runs/cp-s3 --curves --out seeds.png",
            "nprl plot sweeps/CartPole-v1-20261130-120000    # every trial of a sweep",
        ),
    )
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR",
                        help="run directories, or sweep directories made by nprl sweep")
    parser.add_argument("--out", help="PNG to write (default: RUN_DIR/dashboard.png for one "
                        "run, runs/compare-TIME/dashboard.png for several; with "
                        "--curves learning_curve.png / learning_curves.png)")
    parser.add_argument("--curves", action="store_true",
                        help="draw only the learning curves (return, evaluation, success; "
                             "default: the whole dashboard)")
    parser.add_argument("--smooth", type=positive_int, default=20,
                        help="episodes in the moving average (default 20)")
    parser.add_argument("--title", help="figure title (default: the "
                        "environment, run and steps)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from nprl.output_paths import check_output_file
    from nprl.viz.dashboard import LEARNING_CURVES, plot_dashboard

    given = args.run_dirs
    args.run_dirs = _expand_sweeps(given)
    name = "learning_curve" if args.curves else "dashboard"
    if args.out:
        out = Path(args.out)
    elif len(given) == 1:
        out = Path(given[0]) / f"{name}.png"
    else:  # several runs have no folder of their own: a fresh one under runs/
        import time

        from nprl.output_paths import fresh_dir

        folder = fresh_dir(Path("runs") / f"compare-{time.strftime('%Y%m%d-%H%M%S')}")
        out = folder / (f"{name}s.png" if args.curves else f"{name}.png")
    if args.out or len(given) > 1:  # a run's (or sweep's) own folder is checked with the run
        check_output_file(out, "--out", (".png",))
    try:
        path = plot_dashboard(args.run_dirs, out, smooth=args.smooth, title=args.title,
                              metrics=LEARNING_CURVES if args.curves else None)
    except ValueError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"cannot write {out}: {error.strerror or error}") from None
    wrote("learning curves" if args.curves else "dashboard", path)
    return 0


def _expand_sweeps(paths: list[str]) -> list[str]:
    """Replace each sweep directory by its trials' run directories (those with rows)."""
    from nprl.scale.summary import read_trial
    from nprl.scale.sweep_dir import SweepDir, is_sweep_dir

    expanded = []
    for path in paths:
        if not is_sweep_dir(path):
            expanded.append(path)
            continue
        folder = SweepDir(path)
        try:
            trials = folder.read_spec().trials()
        except ValueError as error:
            raise UserError(str(error)) from None
        runs = [str(folder.run_dir(trial).path) for trial in trials
                if read_trial(folder.run_dir(trial)).steps > 0]
        if not runs:
            raise UserError(f"sweep {path} has no trial with metrics yet; let it run first")
        expanded += runs
    return expanded
