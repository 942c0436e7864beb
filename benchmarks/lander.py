"""Learning to land: the `lander` and `lander-article` presets on nprl/Lander-v0, several seeds.

For each preset the benchmark runs an ``nprl sweep`` over the seeds (``nprl.scale.sweep``,
on Ray: each trial is exactly ``nprl train --preset P --seed S`` with one CPU and one BLAS
thread, as many at a time as there are cores, or on a Ray cluster with ``--address``),
and reads each run's training wall time from its ``metrics.csv``. Then it loads the run's
agent the way
``nprl eval`` does (``checkpoints/best``, kept from the 30-episode evaluations during
training) and lands it 100 times at the hardest curriculum stage (random start, pad
anywhere) on episode seeds that no training evaluation used. It prints one table, and
draws the learning curves (return and success rate, mean and spread over seeds) with
``nprl plot``'s code.

    python benchmarks/lander.py --seeds 1 2 3
    python benchmarks/lander.py --presets lander --seeds 1 --steps 100000   # quick look
    python benchmarks/lander.py --seeds 1 2 3 4 5 6 7 8 --address HEAD_IP:6379  # a cluster

Target (issue 5): `lander` lands in >= 95% of the 100 episodes, trained in <= 20 minutes.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

EVAL_EPISODES = 100
EVAL_SEED = 777_000  # far from the seeds training evaluations use


def land(run_dir: Path) -> dict:
    """Evaluate the run's best agent on 100 full-task episodes."""
    from nprl.fileio import read_json
    from nprl.rl import DQNAgent, evaluate
    from nprl.rl.run_dir import RunDir
    from nprl.rl.train import make_env

    run = RunDir(run_dir)
    env_id, config = run.read_config()
    folder = run.best_checkpoint() or run.latest_checkpoint()
    agent = DQNAgent.load(folder / "agent")
    env = make_env(env_id, **{**config.env_kwargs, **config.eval_env_kwargs, "stage": 3})
    stats = evaluate(agent, env, EVAL_EPISODES, seed=EVAL_SEED)
    best_step = read_json(folder / "state.json").get("step") if folder.name == "best" else None
    return {"success": stats["success_rate"], "mean": stats["mean"], "best_step": best_step}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=["lander", "lander-article"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--steps", type=int, default=None, help="override the presets' steps")
    parser.add_argument("--max-concurrent", type=int,
                        help="training runs at once (default: as many as there are cores)")
    parser.add_argument("--address", help="run the trials on this Ray cluster (default: "
                        "$RAY_ADDRESS, else a local Ray with this machine's cores)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/runs/lander"))
    args = parser.parse_args()

    from nprl.rl.run_dir import RunDir
    from nprl.scale import sweep
    from nprl.scale.ray_session import ray_session
    from nprl.scale.summary import read_trial

    for preset in args.presets:
        if (args.out / preset).exists():
            raise SystemExit(f"{args.out / preset} exists; remove it or pass another --out")
    with ray_session(args.address):  # one Ray for both presets' sweeps
        for preset in args.presets:
            sweep(env="nprl/Lander-v0", preset=preset, steps=args.steps, seeds=args.seeds,
                  out=args.out / preset, max_concurrent=args.max_concurrent)
    jobs = [(preset, seed) for seed in args.seeds for preset in args.presets]
    runs = {job: args.out / job[0] / f"c00-s{job[1]}" for job in jobs}
    walls = {job: read_trial(RunDir(runs[job])).wall for job in jobs}

    print(f"\nnprl/Lander-v0, {EVAL_EPISODES} evaluation episodes at stage 3 per run "
          "(trained by nprl sweep: as many runs at a time as cores)\n")
    print("| preset | seed | train wall (s) | best eval at step | landed | mean return |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    summary: dict[str, list] = {preset: [] for preset in args.presets}
    for job in jobs:
        result = land(runs[job])
        summary[job[0]].append((result["success"], walls[job]))
        wall = "-" if walls[job] is None else f"{walls[job]:.0f}"
        print(f"| {job[0]} | {job[1]} | {wall} | {result['best_step'] or '-'} | "
              f"{result['success']:.0%} | {result['mean']:.1f} |")
    print()
    for preset, results in summary.items():
        rates = [rate for rate, _ in results]
        print(f"{preset}: median landed {statistics.median(rates):.0%}, "
              f"{sum(rate >= 0.95 for rate in rates)} of {len(rates)} seeds >= 95%, "
              f"median train wall {statistics.median(w or 0.0 for _, w in results):.0f} s")

    from nprl.viz.dashboard import LEARNING_CURVES, plot_dashboard

    figure = plot_dashboard(list(runs.values()), args.out / "lander_curves.png",
                            title="nprl/Lander-v0: lander vs lander-article",
                            metrics=LEARNING_CURVES)
    print(f"\nlearning curves: {figure}")


if __name__ == "__main__":
    main()
