"""Potential-based reward shaping: DQN with and without it, same settings otherwise.

For each environment, nprl's DQN trains from one preset twice per seed: once with the
preset's shaping potential, once with ``shaping=none``; nothing else differs. Every
``--eval-every`` steps the greedy policy plays ``--eval-episodes`` (100) episodes on
separate, *unshaped* environments (all episodes in lockstep, one batched forward pass per
step, so that 100 x 200 steps stay cheap) and the mean of the task's own return is
recorded. The evaluation's time is not counted as training time. Reported per condition
over seeds: how many seeds reached the task's classic "solved" line
(MountainCar-v0: -110, Acrobot-v1: -100) as a greedy 100-episode mean, the first step
where each did, the final mean, the mean over all evaluations of a run (how good the
greedy policy was along the way: an area under the curve) and the training wall time.

Each (env, condition, seed) runs in its own process, conditions alternating, ``--jobs``
at a time (2 by default: the machine is shared, timings are indicative only).

    python benchmarks/shaping.py --env MountainCar-v0 --seeds 1 2 3 4 5 \\
        --save benchmarks/shaping_mountaincar.json
    python benchmarks/shaping.py --load benchmarks/shaping_mountaincar.json \\
        benchmarks/shaping_acrobot.json --plot benchmarks/shaping_curves.png
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

EVAL_SEED = 10_000  # evaluation envs are seeded EVAL_SEED + seed * 1000 + episode index

# env id -> (preset, shaping name, solved line, steps, eval interval)
ENVS = {
    "MountainCar-v0": dict(preset="MountainCar-v0-shaped", shaping="energy",
                           threshold=-110.0, steps=50_000, eval_every=2_500),
    "Acrobot-v1": dict(preset="Acrobot-v1", shaping="tip_height",
                       threshold=-100.0, steps=50_000, eval_every=5_000),
}


def greedy_returns(agent, env_id: str, episodes: int, seed: int) -> list[float]:
    """Unshaped returns of ``episodes`` greedy episodes, played in lockstep."""
    import gymnasium as gym
    import numpy as np

    import nprl  # noqa: F401  (registers nprl's envs)

    envs = [gym.make(env_id) for _ in range(episodes)]
    obs = np.stack([env.reset(seed=EVAL_SEED + seed * 1000 + i)[0]
                    for i, env in enumerate(envs)])
    returns = np.zeros(episodes)
    running = np.ones(episodes, dtype=bool)
    while running.any():
        active = np.flatnonzero(running)
        actions = agent.q_values(obs[active]).argmax(axis=1)
        for index, action in zip(active, actions):
            next_obs, reward, terminated, truncated, _ = envs[index].step(int(action))
            returns[index] += float(reward)
            obs[index] = next_obs
            if terminated or truncated:
                running[index] = False
    for env in envs:
        env.close()
    return returns.tolist()


def run_one(env_id: str, shaping: str, seed: int, steps: int, eval_every: int,
            episodes: int, overrides: list[str]) -> dict:
    """One training run; returns its evaluation curve and timings."""
    from nprl.rl.presets import resolve_config
    from nprl.rl.train import train

    spec = ENVS[env_id]
    _, config = resolve_config(env_id, spec["preset"],
                               {"total_steps": steps, "seed": seed, "eval_interval": 0,
                                "checkpoint_interval": 0, "tensorboard": False},
                               [*overrides, f"shaping={shaping}"])
    curve: list[list[float]] = []
    eval_seconds = 0.0

    def evaluate(step: int, agent) -> None:
        nonlocal eval_seconds
        if step % eval_every == 0:
            start = time.perf_counter()
            curve.append([step, statistics.fmean(greedy_returns(agent, env_id, episodes,
                                                                seed))])
            eval_seconds += time.perf_counter() - start

    start = time.perf_counter()
    train(env_id, config, callback=evaluate)
    total = time.perf_counter() - start
    reached = next((step for step, mean in curve if mean >= spec["threshold"]), None)
    return {"env": env_id, "shaping": shaping, "seed": seed, "steps": steps,
            "curve": curve, "reached": reached, "final": curve[-1][1] if curve else None,
            "train_seconds": total - eval_seconds, "eval_seconds": eval_seconds,
            "config": config.to_dict()}


def table(results: list[dict]) -> str:
    """Markdown table: one row per (env, condition), over seeds."""
    lines = ["| env | shaping | seeds | reached line | first step reaching it (median; "
             "per seed) | final greedy mean (median; per seed) | mean of all evaluations "
             "(median) | train s (median) |",
             "| --- | --- | ---: | ---: | --- | --- | ---: | ---: |"]
    groups: dict[tuple[str, str], list[dict]] = {}
    for result in results:
        groups.setdefault((result["env"], result["shaping"]), []).append(result)
    for (env_id, shaping), runs in groups.items():
        runs.sort(key=lambda r: r["seed"])
        reached = [r["reached"] for r in runs]
        hits = [s for s in reached if s is not None]
        first = (f"{statistics.median(hits):,.0f}" if len(hits) == len(runs) else
                 "not all") + "; " + ", ".join("-" if s is None else f"{s:,}" for s in reached)
        finals = [r["final"] for r in runs]
        final = (f"{statistics.median(finals):.1f}; "
                 + ", ".join(f"{f:.1f}" for f in finals))
        line = ENVS[env_id]["threshold"]
        area = statistics.median(statistics.fmean(m for _, m in r["curve"]) for r in runs)
        lines.append(f"| {env_id} | {shaping} | {len(runs)} | {len(hits)}/{len(runs)} "
                     f"(>= {line:g}) | {first} | {final} | {area:.1f} | "
                     f"{statistics.median(r['train_seconds'] for r in runs):.0f} |")
    return "\n".join(lines)


def plot(results: list[dict], path: str) -> None:
    """Greedy 100-episode mean against steps: one panel per env, a line per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    envs = list(dict.fromkeys(r["env"] for r in results))
    figure, axes = plt.subplots(1, len(envs), figsize=(6 * len(envs), 4), squeeze=False)
    colours = {"none": "tab:gray"}
    for axis, env_id in zip(axes[0], envs):
        for result in (r for r in results if r["env"] == env_id):
            steps, means = zip(*result["curve"])
            colour = colours.get(result["shaping"], "tab:blue")
            axis.plot(steps, means, color=colour, alpha=0.7, lw=1.2,
                      label=result["shaping"] if result["seed"] == min(
                          r["seed"] for r in results if r["env"] == env_id) else None)
        axis.axhline(ENVS[env_id]["threshold"], color="tab:red", ls="--", lw=1,
                     label=f"solved ({ENVS[env_id]['threshold']:g})")
        axis.set_title(f"{env_id}: DQN with and without shaping, one line per seed")
        axis.set_xlabel("environment steps")
        axis.set_ylabel("greedy 100-episode mean of the unshaped return")
        axis.legend(loc="lower right")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", choices=list(ENVS), action="append", default=[])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--steps", type=int, help="env steps per run (default per env)")
    parser.add_argument("--eval-every", type=int, help="steps between evaluations")
    parser.add_argument("--eval-episodes", type=int, default=100)
    parser.add_argument("--conditions", nargs="+", default=["shaped", "none"],
                        choices=["shaped", "none"])
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="DQNConfig override for both conditions")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--save", help="write every run's results to this JSON file")
    parser.add_argument("--load", nargs="+", default=[], help="earlier --save files")
    parser.add_argument("--plot", help="draw the curves to this PNG")
    args = parser.parse_args()

    results = [r for path in args.load for r in json.loads(Path(path).read_text())]
    jobs = []
    for env_id in args.env:
        spec = ENVS[env_id]
        for seed in args.seeds:
            for condition in args.conditions:
                shaping = spec["shaping"] if condition == "shaped" else "none"
                jobs.append((env_id, shaping, seed, args.steps or spec["steps"],
                             args.eval_every or spec["eval_every"], args.eval_episodes,
                             args.settings))
    if jobs:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_one, *job) for job in jobs]
            for future in futures:
                result = future.result()
                results.append(result)
                print(f"{result['env']} shaping={result['shaping']} seed {result['seed']}: "
                      f"reached {result['reached']}, final {result['final']:.1f}, "
                      f"{result['train_seconds']:.0f} s", flush=True)
                if args.save:
                    Path(args.save).write_text(json.dumps(results, indent=1))
    print(table(results))
    if args.plot:
        plot(results, args.plot)
        print(f"curves: {args.plot}")


if __name__ == "__main__":
    main()
