"""``nprl train``: train a DQN agent on a Gymnasium environment into a run directory.

    nprl train                                   # CartPole-v1 with its preset
    nprl train --env Acrobot-v1 --seed 2 --out runs/acrobot-s2
    nprl train --preset cartpole-tutorial --set learning_rate=1e-3 --set dueling=true
    nprl train --env MountainCar-v0 --set shaping=energy   # potential-based reward shaping

The preset (``--preset``, or the one named after ``--env``) gives the hyperparameters;
``--steps``, ``--seed`` and ``--set key=value`` override them. Everything resolved goes
to ``RUN_DIR/config.json``; ``nprl resume``, ``nprl eval`` and ``nprl plot`` take it from
there. Heavy imports happen inside :func:`run` so that ``nprl --help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys
import time

from nprl.commands.arguments import examples, positive_int, seed
from nprl.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a DQN agent (CartPole-v1 by default)",
        description="Train a DQN agent on a Gymnasium environment with discrete actions. "
                    "The preset gives every hyperparameter; --steps, --seed and --set "
                    "override them. Everything lands in one run directory (config.json, "
                    "metrics.csv, checkpoints/, learning_curve.png).",
        epilog=examples(
            "nprl train                                # CartPole-v1, its preset",
            "nprl train --preset lander --steps 20000  # a short Lander run",
            "nprl train --env Acrobot-v1 --seed 2 --out runs/acrobot-s2",
            "nprl train --list-presets                 # every preset, what it is for",
        ),
    )
    parser.add_argument("--env", help="Gymnasium id, e.g. CartPole-v1 (default: the "
                        "preset's environment, else CartPole-v1)")
    parser.add_argument("--preset", help="hyperparameter preset from nprl/presets "
                        "(default: the one named after --env, if any)")
    parser.add_argument("--steps", type=positive_int, help="environment steps to train for "
                        "(default: the preset's total_steps; --list-presets shows them)")
    parser.add_argument("--seed", type=seed, help="seed of the environment, networks and "
                        "exploration, a whole number >= 0 (default 1)")
    parser.add_argument("--out", help="run directory to create (default runs/ENV-sSEED-TIME)")
    parser.add_argument("--overwrite", action="store_true",
                        help="if --out already holds a run, delete it and start again (e.g. "
                             "a run that filled the disk before its first checkpoint; "
                             "default: refuse)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="override one DQNConfig field, e.g. "
                        "learning_rate=3e-4 (repeatable; default: the preset's values)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (default: "
                        "a progress bar on stderr)")
    parser.add_argument("--list-presets", action="store_true", help="list the presets, one line each (environment, what it is for, "
                        "how long it trains), and exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nprl.output_paths import check_output_dir
    from nprl.rl.presets import describe_presets, resolve_config
    from nprl.rl.train import train
    from nprl.stop_signals import sigterm_as_interrupt

    if args.list_presets:
        print(describe_presets())
        return 0
    overrides = {}
    if args.steps is not None:
        overrides["total_steps"] = args.steps
    if args.seed is not None:
        overrides["seed"] = args.seed
    try:
        env_id, config = resolve_config(args.env, args.preset, overrides, args.settings)
    except ValueError as error:
        raise UserError(str(error)) from None
    out = args.out or f"runs/{env_id.replace('/', '_')}-s{config.seed}-{time.strftime('%Y%m%d-%H%M%S')}"
    check_output_dir(out, "--out")  # a file, a read-only place: one line, before training
    print(f"training DQN on {env_id} for {config.total_steps} steps (seed {config.seed}) "
          f"-> {out}", file=sys.stderr)
    try:
        with sigterm_as_interrupt():  # `kill PID` saves a checkpoint, as Ctrl-C does
            result = train(env_id, config, run_dir=out, progress=not args.no_progress,
                           overwrite=args.overwrite)
    except ValueError as error:
        raise UserError(str(error)) from None
    report_result(result)
    return 130 if result.interrupted else 0


def report_result(result) -> None:
    """Print where the run stands and try to draw its learning curve."""
    from nprl.commands.arguments import wrote

    if result.interrupted:
        print(f"interrupted at step {result.steps}; checkpoint saved. Continue with: "
              f"nprl resume {result.run_dir}", file=sys.stderr)
    if result.recent_returns:
        mean = sum(result.recent_returns) / len(result.recent_returns)
        print(f"{result.steps} steps, {result.episodes} episodes, mean return of the last "
              f"{len(result.recent_returns)} episodes: {mean:.1f}")
    _print_evaluations(result)
    try:
        from nprl.viz.dashboard import LEARNING_CURVES, plot_dashboard

        png = plot_dashboard([result.run_dir], result.run_dir / "learning_curve.png",
                             metrics=LEARNING_CURVES)
        wrote("learning curve", png)
    except UserError as error:  # most often matplotlib missing; the run itself is saved
        print(f"(no learning curve: {error})", file=sys.stderr)
    except OSError as error:  # e.g. the disk is full: the run itself is saved
        print(f"(no learning curve: {error.strerror or error})", file=sys.stderr)
    except ValueError as error:  # stopped before its first episode: no rows to draw
        print(f"(no learning curve: {error})", file=sys.stderr)
    print(f"evaluate with: nprl eval {result.run_dir}")
    print(f"look inside:   nprl plot {result.run_dir}  (every metric)   "
          f"nprl report {result.run_dir}  (one HTML page)")


def eval_text(mean: float, std: float, success_rate: float | None, step: int | None) -> str:
    """One greedy evaluation, the same fields every time: ``mean ± std``, the success rate
    where the env reports one, and the step it was taken at."""
    text = f"{mean:.1f} ± {std:.1f}"
    text += f", success {success_rate:.0%}" if success_rate is not None else ""
    return text + (f" at step {step:,}" if step is not None else "")


def _print_evaluations(result) -> None:
    """The last greedy evaluation, then the best one (the agent ``nprl eval`` uses; DQN's
    last is often worse), each with the same fields, and what "best" means."""
    from nprl.rl.run_dir import RunDir, read_state

    if result.last_eval is None:
        return
    last, step = result.last_eval, None
    if result.run_dir is not None:  # the step of the last evaluation is in metrics.csv
        try:
            rows = [row for row in RunDir(result.run_dir).read_metrics()
                    if row.get("kind") == "eval"]
            step = int(rows[-1]["step"]) if rows else None
        except (ValueError, KeyError, OSError):
            step = None
    print(f"last greedy evaluation: "
          f"{eval_text(last['mean'], last['std'], last.get('success_rate'), step)}")
    best = RunDir(result.run_dir).best_checkpoint() if result.run_dir is not None else None
    if best is None:
        return
    saved = read_state(best)
    stats = saved["eval"]
    rate = stats.get("success_rate")
    ranked = "highest success rate, then mean return" if rate is not None else \
        "highest mean return"
    print(f"best greedy evaluation:  {eval_text(stats['mean'], stats['std'], rate, saved['step'])}"
          f"\n  (best = {ranked} of all evaluations; kept in checkpoints/best, which nprl "
          "eval uses)")
