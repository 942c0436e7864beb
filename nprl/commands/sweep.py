"""``nprl sweep``: many seeds and hyperparameters at once, on Ray Tune.

    nprl sweep --env CartPole-v1 --seeds 1 2 3 --grid learning_rate=1e-3,3e-4
    nprl sweep --env CartPole-v1 --seeds 1 2 --sample learning_rate=loguniform:1e-4:1e-2 \\
        --samples 8 --scheduler asha --out sweeps/lr
    nprl sweep --resume sweeps/lr                       # after Ctrl-C, a crash, a reboot
    nprl sweep ... --address HEAD_IP:6379               # on a running Ray cluster

Every trial is an ordinary run directory inside SWEEP_DIR (``nprl eval``, ``plot``,
``report``, ``resume`` work on it); ``summary.md``, ``summary.csv`` and ``sweep.png`` sum
up the configurations over seeds. The work is done by :func:`nprl.scale.sweep`; Ray is
imported only there (``pip install 'nprl[scale]'``).
"""

from __future__ import annotations

import argparse

from nprl.commands.arguments import examples, positive_int, seed
from nprl.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep", help="train many seeds and hyperparameters at once (Ray Tune)",
        description="Train every configuration (a --grid of values, --samples random\n"
                    "draws) on every seed, in parallel on Ray Tune: on this machine's cores,\n"
                    "or on a Ray cluster (--address). Each trial is an ordinary nprl run\n"
                    "directory; the sweep directory adds summary.md, summary.csv and\n"
                    "sweep.png (one curve per configuration, min..max band over seeds).",
        epilog=examples(
            "nprl sweep --env CartPole-v1 --seeds 1 2 3 --grid learning_rate=1e-3,3e-4",
            "nprl sweep --env CartPole-v1 --seeds 1 2 --sample "
            "learning_rate=loguniform:1e-4:1e-2 --samples 8 --scheduler asha",
            "nprl sweep --resume sweeps/CartPole-v1-20261130-120000"),
    )
    parser.add_argument("--env", help="Gymnasium id (default: the preset's, else CartPole-v1)")
    parser.add_argument("--preset", help="hyperparameter preset (default: the one named "
                        "after --env)")
    parser.add_argument("--steps", type=positive_int, help="environment steps per trial (default: the preset's "
                        "total_steps)")
    parser.add_argument("--seeds", type=seed, nargs="+", default=[1], metavar="S",
                        help="seeds every configuration is trained on (default: 1)")
    parser.add_argument("--grid", action="append", default=[], metavar="FIELD=V1,V2",
                        help="try each value of a DQNConfig field; several --grid are "
                             "crossed (repeatable; default: none, one configuration)")
    parser.add_argument("--sample", action="append", default=[],
                        metavar="FIELD=KIND:LOW:HIGH",
                        help="draw a field from uniform, loguniform or randint (repeatable; "
                             "default: none)")
    parser.add_argument("--samples", type=positive_int, default=1,
                        help="random draws of the --sample fields (default 1)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="override a DQNConfig field in every trial (default: "
                        "none)")
    parser.add_argument("--out", help="sweep directory to create (default "
                        "sweeps/ENV-TIME)")
    parser.add_argument("--cpus-per-trial", type=positive_int, default=1,
                        help="CPUs, and BLAS threads, of each trial (default 1)")
    parser.add_argument("--max-concurrent", type=positive_int,
                        help="at most this many trials at once (default: as many as fit)")
    parser.add_argument("--address", help="join this Ray cluster (default: $RAY_ADDRESS, "
                        "else start Ray here with all CPUs)")
    parser.add_argument("--num-cpus", type=positive_int, help="CPUs of the local Ray (default: all)")
    parser.add_argument("--scheduler", choices=["asha"],
                        help="stop poor trials early (Ray Tune's ASHA), judged at evaluations "
                        "(default: none, every trial runs to the end)")
    parser.add_argument("--metric", default="eval_mean", choices=["eval_mean", "eval_success"],
                        help="what --scheduler compares (default eval_mean)")
    parser.add_argument("--target", type=float,
                        help="report the first step whose evaluation reached this return "
                        "(default: none)")
    parser.add_argument("--resume", metavar="SWEEP_DIR",
                        help="continue an interrupted sweep (its own settings are reused; "
                        "default: start a new one)")
    parser.add_argument("--no-live", action="store_true", help="no live table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nprl.scale import sweep

    try:
        sweep(env=args.env, preset=args.preset, steps=args.steps, seeds=args.seeds,
              grid=args.grid, sample=args.sample, samples=args.samples, out=args.out,
              cpus_per_trial=args.cpus_per_trial, max_concurrent=args.max_concurrent,
              address=args.address, scheduler=args.scheduler, metric=args.metric,
              target=args.target, settings=args.settings, resume=args.resume,
              num_cpus=args.num_cpus, live=not args.no_live)
    except ValueError as error:
        raise UserError(str(error)) from None
    return 0
