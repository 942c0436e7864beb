"""``nprl resume RUN_DIR``: continue a run from its newest checkpoint.

With the replay buffer in the checkpoint (the default), the continued run writes the
same metrics as if it had never stopped. ``--steps N`` raises the run's total.
"""

from __future__ import annotations

import argparse
import sys

from nprl.commands.arguments import ALLOW_ENV_MODULE_HELP, examples, positive_int
from nprl.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "resume", help="continue a training run from its last checkpoint",
        description="Continue a training run from the newest checkpoint in RUN_DIR, "
                    "exactly as if it had never stopped (same seeds, same metrics).",
        epilog=examples(
            "nprl resume runs/CartPole-v1-s1-20261130-120000",
            "nprl resume runs/lander --steps 400000   # train on, to a new total",
            "nprl resume runs/lander --checkpoint step_000100000",
        ),
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="run directory made by nprl train")
    parser.add_argument("--steps", type=positive_int,
                        help="new total of environment steps, saved in config.json "
                             "(default: the run's own total_steps)")
    parser.add_argument("--checkpoint", metavar="NAME",
                        help="continue from this checkpoint (e.g. step_000012000) instead of "
                             "the newest intact one (the default)")
    parser.add_argument("--allow-env-module", action="store_true", help=ALLOW_ENV_MODULE_HELP)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (default: "
                        "a progress bar on stderr)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nprl.commands.train import report_result
    from nprl.rl.train import resume
    from nprl.stop_signals import sigterm_as_interrupt

    print(f"resuming {args.run_dir}", file=sys.stderr)
    try:
        with sigterm_as_interrupt():  # `kill PID` saves a checkpoint, as Ctrl-C does
            result = resume(args.run_dir, total_steps=args.steps, progress=not args.no_progress,
                            checkpoint=args.checkpoint, allow_env_module=args.allow_env_module)
    except ValueError as error:
        raise UserError(str(error)) from None
    report_result(result)
    return 130 if result.interrupted else 0
