"""``nprl play``: fly the Lander with the keyboard, to feel the task an agent learns."""

from __future__ import annotations

import argparse

from nprl.commands.arguments import examples, seed
from nprl.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "play",
        help="fly the Lander yourself with the arrow keys",
        description="Fly the nprl Lander in a window: UP main engine, LEFT / RIGHT side "
                    "thrusters (turn counter-clockwise / clockwise), R restart, ESC quit. "
                    "Land with both feet on the yellow pad, slowly and upright.",
        epilog=examples(
            "nprl play --stage 0      # start just above the pad: learn the controls",
            "nprl play                # the full task",
            "nprl play --seed 7       # the same start every time",
        ),
    )
    parser.add_argument("--stage", type=int, default=3, metavar="K",
                        help="curriculum stage 0-3: 0 starts just above the pad, 3 (default) "
                             "anywhere, the full task")
    parser.add_argument("--seed", type=seed, default=None, help="seed of the first episode "
                        "(default: a random one)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.stage not in range(4):
        raise UserError(f"--stage must be 0, 1, 2 or 3, got {args.stage}")
    from nprl.viz.lander_play import play

    play(stage=args.stage, seed=args.seed)
    return 0
