"""Learning to land: the `lander` and `lander-article` presets on nprl/Lander-v0, several seeds.

For each (preset, seed) the benchmark runs ``nprl train --preset P --seed S --out DIR``
in its own process (``--jobs`` at a time; each uses one BLAS thread, so two jobs fit the
two cores), timing the whole run's wall clock. Then it loads the run's agent the way
``nprl eval`` does (``checkpoints/best``, kept from the 30-episode evaluations during
training) and lands it 100 times at the hardest curriculum stage (random start, pad
anywhere) on episode seeds that no training evaluation used. It prints one table, and
draws the learning curves (return and success rate, mean and spread over seeds) with
``nprl plot``'s code.

    python benchmarks/lander.py --seeds 1 2 3 --jobs 2
    python benchmarks/lander.py --presets lander --seeds 1 --steps 100000   # quick look

Target (issue 5): `lander` lands in >= 95% of the 100 episodes, trained in <= 20 minutes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EVAL_EPISODES = 100
EVAL_SEED = 777_000  # far from the seeds training evaluations use


def train_run(preset: str, seed: int, steps: int | None, out: Path) -> float:
    """Train one run in a child process; return its wall time in seconds."""
    command = [sys.executable, "-m", "nprl", "train", "--preset", preset, "--seed", str(seed),
               "--out", str(out)]
    if steps:
        command += ["--steps", str(steps)]
    start = time.perf_counter()
    with open(out.with_suffix(".log"), "w") as log:
        subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT)
    return time.perf_counter() - start


def land(run_dir: Path) -> dict:
    """Evaluate the run's best agent on 100 full-task episodes."""
    from nprl.rl import DQNAgent, evaluate
    from nprl.rl.run_dir import RunDir
    from nprl.rl.storage import read_json
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
    parser.add_argument("--jobs", type=int, default=2, help="training runs at once")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/runs/lander"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    jobs = [(preset, seed) for seed in args.seeds for preset in args.presets]
    runs = {job: args.out / f"{job[0]}-s{job[1]}" for job in jobs}
    for path in runs.values():
        if path.exists():
            raise SystemExit(f"{path} exists; remove it or pass another --out")
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        walls = dict(zip(jobs, pool.map(
            lambda job: train_run(job[0], job[1], args.steps, runs[job]), jobs)))

    print(f"\nnprl/Lander-v0, {EVAL_EPISODES} evaluation episodes at stage 3 per run "
          f"({args.jobs} runs at a time on this machine)\n")
    print("| preset | seed | train wall (s) | best eval at step | landed | mean return |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    summary: dict[str, list] = {preset: [] for preset in args.presets}
    for job in jobs:
        result = land(runs[job])
        summary[job[0]].append((result["success"], walls[job]))
        print(f"| {job[0]} | {job[1]} | {walls[job]:.0f} | {result['best_step'] or '-'} | "
              f"{result['success']:.0%} | {result['mean']:.1f} |")
    print()
    for preset, results in summary.items():
        rates = [rate for rate, _ in results]
        print(f"{preset}: median landed {statistics.median(rates):.0%}, "
              f"{sum(rate >= 0.95 for rate in rates)} of {len(rates)} seeds >= 95%, "
              f"median train wall {statistics.median(w for _, w in results):.0f} s")

    from nprl.viz.learning_curve import plot_learning_curves

    figure = plot_learning_curves(list(runs.values()), args.out / "lander_curves.png",
                                  title="nprl/Lander-v0: lander vs lander-article")
    print(f"\nlearning curves: {figure}")


if __name__ == "__main__":
    main()
