"""DQN on Gymnasium: nprl against Stable-Baselines3, side by side, same hyperparameters.

Both learners train with the RL Baselines3 Zoo's DQN hyperparameters for the chosen
environment (the nprl presets ``cartpole-zoo`` and ``LunarLander-v3`` hold the same
numbers) for ``--steps`` environment steps. Every ``--eval-every`` steps the greedy
policy plays 20 episodes on a separate env; the evaluation's time is *not* counted as
training time. Reported per learner (medians over seeds): training wall time for all
steps, steps per second, the first step and the training time at which the greedy
20-episode mean reached the env's threshold, and the final mean. ``--preset NAME --only
nprl`` measures another nprl preset instead.

Each (learner, seed) runs in its own process, learners alternating, with ``--threads``
BLAS threads (nprl) and torch threads (SB3), 1 by default. ``--jobs 2`` runs two
processes at a time (nprl seed k beside SB3 seed k, so both see the same contention):
fine for learning curves, not for a speed claim.
``--sweep`` runs the nprl seeds through ``nprl sweep`` instead (``nprl.scale``, on Ray:
as many at a time as there are cores, or on a cluster with ``--address``): each is then an
ordinary run directory, evaluated by nprl's own greedy evaluation (20 episodes every
``--eval-every`` steps) and timed by its ``metrics.csv``, evaluations included, so use it
for curves and success counts, not for the speed ratio.
``--save FILE.json`` keeps every evaluation; ``--plot FILE.png`` draws the curves
(mean and min..max band over seeds), from this run or from ``--load`` of earlier ones.

    flock /tmp/nprl-bench.lock python benchmarks/vs_sb3.py --env CartPole-v1 --seeds 5
    python benchmarks/vs_sb3.py --env LunarLander-v3 --seeds 5 --jobs 2 \\
        --save benchmarks/lunar.json --plot benchmarks/lunar_curves.png
    python benchmarks/vs_sb3.py --env LunarLander-v3 --seeds 10 --only nprl --sweep \\
        --address HEAD_IP:6379          # the nprl seeds on a Ray cluster

SB3 needs torch, stable-baselines3 and (LunarLander) box2d: ``pip install 'nprl[bench]'``;
``--sb3-python`` points at another interpreter that has them, if this one does not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

EVAL_EPISODES = 20

# RL Baselines3 Zoo, hyperparams/dqn.yml; SB3 defaults elsewhere. gradient_steps -1 in the
# zoo's LunarLander entry = as many updates as steps collected, i.e. train_freq.
ENVS = {
    "CartPole-v1": dict(
        threshold=475.0, preset="cartpole-zoo", steps=50_000, eval_every=2_500,
        zoo=dict(learning_rate=2.3e-3, batch_size=64, buffer_size=100_000,
                 learning_starts=1_000, gamma=0.99, target_update_interval=10,
                 train_freq=256, gradient_steps=128, exploration_fraction=0.16,
                 exploration_final_eps=0.04, net_arch=[256, 256])),
    "LunarLander-v3": dict(
        threshold=200.0, preset="LunarLander-v3", steps=200_000, eval_every=10_000,
        zoo=dict(learning_rate=6.3e-4, batch_size=128, buffer_size=50_000,
                 learning_starts=0, gamma=0.99, target_update_interval=250,
                 train_freq=4, gradient_steps=4, exploration_fraction=0.12,
                 exploration_final_eps=0.1, net_arch=[256, 256])),
}


def worker_nprl(env_id: str, seed: int, steps: int, eval_every: int, preset: str,
                overrides: list[str], threads: int) -> dict:
    import gymnasium as gym

    from nprl.rl import evaluate, train
    from nprl.rl.presets import resolve_config

    _, config = resolve_config(env_id, preset, {"total_steps": steps, "seed": seed,
                                                "eval_interval": 0,
                                                "checkpoint_interval": 0,
                                                "blas_threads": threads}, overrides)
    eval_env = gym.make(env_id)
    evals, paused = [], [0.0]
    start = time.perf_counter()

    def callback(step, agent):
        if step % eval_every == 0:
            begin = time.perf_counter()
            stats = evaluate(agent, eval_env, EVAL_EPISODES, seed=10_000 + seed)
            paused[0] += time.perf_counter() - begin
            evals.append((step, time.perf_counter() - start - paused[0], stats["mean"]))

    train(env_id, config, callback=callback)
    return {"train_seconds": time.perf_counter() - start - paused[0], "evals": evals}


def worker_sb3(env_id: str, seed: int, steps: int, eval_every: int, threads: int) -> dict:
    import gymnasium as gym
    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.evaluation import evaluate_policy

    torch.set_num_threads(threads)  # the same number of threads as nprl's BLAS
    eval_env = gym.make(env_id)
    evals, paused = [], [0.0]
    start = time.perf_counter()

    class Evaluate(BaseCallback):
        def _on_step(self) -> bool:
            if self.num_timesteps % eval_every == 0:
                begin = time.perf_counter()
                eval_env.reset(seed=10_000 + seed)
                mean, _ = evaluate_policy(self.model, eval_env, EVAL_EPISODES,
                                          deterministic=True)
                paused[0] += time.perf_counter() - begin
                evals.append((self.num_timesteps, time.perf_counter() - start - paused[0],
                              float(mean)))
            return True

    settings = dict(ENVS[env_id]["zoo"])
    net_arch = settings.pop("net_arch")
    model = DQN("MlpPolicy", env_id, policy_kwargs={"net_arch": net_arch}, seed=seed,
                device="cpu", verbose=0, **settings)
    model.learn(total_timesteps=steps, callback=Evaluate())
    return {"train_seconds": time.perf_counter() - start - paused[0], "evals": evals}


def summarise(runs: list[dict], steps: int, threshold: float) -> dict:
    times = [run["train_seconds"] for run in runs]
    reached = [next(((s, t) for s, t, m in run["evals"] if m >= threshold), None)
               for run in runs]
    hits = [r for r in reached if r is not None]
    finals = [run["evals"][-1][2] if run["evals"] else float("nan") for run in runs]
    return {
        "seeds": len(runs),
        "solved": len(hits),
        "final_solved": sum(f >= threshold for f in finals),
        "median_train_s": statistics.median(times),
        "median_sps": statistics.median(steps / t for t in times),
        "median_step_to": statistics.median(s for s, _ in hits) if hits else None,
        "median_s_to": statistics.median(t for _, t in hits) if hits else None,
        "finals": finals,
    }


def print_table(env_id: str, results: dict[str, list[dict]], steps: int, preset: str) -> None:
    threshold = ENVS[env_id]["threshold"]
    t = f"{threshold:g}"
    print(f"\n{env_id}, {steps} steps, nprl preset {preset} (SB3: RL Zoo), "
          f"greedy {EVAL_EPISODES}-episode evaluations")
    print(f"| learner | seeds reaching >= {t} | seeds >= {t} at the end | median train time (s) "
          f"| median steps/s | median step to >= {t} | median time to >= {t} (s) | final means |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |")
    summaries = {name: summarise(runs, steps, threshold) for name, runs in results.items()
                 if runs}
    for name, s in summaries.items():
        to_step = "-" if s["median_step_to"] is None else f"{s['median_step_to']:.0f}"
        to_time = "-" if s["median_s_to"] is None else f"{s['median_s_to']:.1f}"
        finals = ", ".join(f"{f:.0f}" for f in s["finals"])
        print(f"| {name} | {s['solved']}/{s['seeds']} | {s['final_solved']}/{s['seeds']} | "
              f"{s['median_train_s']:.1f} | {s['median_sps']:.0f} | {to_step} | {to_time} | "
              f"{finals} |")
    if len(summaries) == 2:
        ratio = summaries["sb3"]["median_train_s"] / summaries["nprl"]["median_train_s"]
        print(f"\nnprl trains {ratio:.2f}x faster than SB3 for the same steps and updates")


def plot(env_id: str, results: dict[str, list[dict]], path: str) -> None:
    """Greedy evaluation return against steps: mean over seeds, band from min to max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, color in (("nprl", "tab:blue"), ("sb3", "tab:orange")):
        runs = [run for run in results.get(name, []) if run["evals"]]
        if not runs:
            continue
        length = min(len(run["evals"]) for run in runs)
        steps = np.array([s for s, _, _ in runs[0]["evals"][:length]])
        means = np.array([[m for _, _, m in run["evals"][:length]] for run in runs])
        label = f"{'nprl' if name == 'nprl' else 'Stable-Baselines3'} ({len(runs)} seeds)"
        ax.plot(steps, means.mean(axis=0), color=color, label=label)
        ax.fill_between(steps, means.min(axis=0), means.max(axis=0), color=color, alpha=0.2)
    ax.axhline(ENVS[env_id]["threshold"], color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("environment steps")
    ax.set_ylabel(f"greedy {EVAL_EPISODES}-episode mean return")
    ax.set_title(f"{env_id}: DQN, RL Zoo hyperparameters (mean, min..max over seeds)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"curves: {path}")


def nprl_via_sweep(args: argparse.Namespace, seeds: list[int]) -> list[dict]:
    """The nprl seeds as one ``nprl sweep`` (Ray); evaluations and times from metrics.csv."""
    import tempfile
    from pathlib import Path

    from nprl.rl.run_dir import RunDir
    from nprl.scale import sweep

    out = Path(args.sweep_out or tempfile.mkdtemp(prefix="vs_sb3-")) / f"nprl-{args.env}"
    settings = [*args.settings, f"eval_interval={args.eval_every}",
                f"eval_episodes={EVAL_EPISODES}"]
    sweep(env=args.env, preset=args.preset, steps=args.steps, seeds=seeds, settings=settings,
          out=out, address=args.address, cpus_per_trial=args.threads)
    runs = []
    for seed in seeds:
        rows = RunDir(out / f"c00-s{seed}").read_metrics()
        times = [(int(row["step"]), float(row["time"])) for row in rows if row["time"]]
        evals = [(int(row["step"]),
                  max((t for s, t in times if s <= int(row["step"])), default=0.0),
                  float(row["eval_mean"])) for row in rows if row["kind"] == "eval"]
        runs.append({"train_seconds": times[-1][1], "evals": evals, "seed": seed})
    return runs


def run_worker(python: str, name: str, args: argparse.Namespace, seed: int) -> dict:
    command = [python, __file__, "--worker", name, "--env", args.env, "--seed", str(seed),
               "--steps", str(args.steps), "--eval-every", str(args.eval_every),
               "--preset", args.preset, "--threads", str(args.threads)]
    for setting in args.settings:
        command += ["--set", setting]
    output = subprocess.run(command, capture_output=True, text=True)
    if output.returncode != 0:
        sys.exit(f"{name} seed {seed} failed:\n{output.stderr[-3000:]}")
    run = json.loads(output.stdout.strip().splitlines()[-1])
    run["seed"] = seed
    threshold = ENVS[args.env]["threshold"]
    first = next(((s, round(t, 1)) for s, t, m in run["evals"] if m >= threshold), None)
    print(f"seed {seed} {name:>4}: {run['train_seconds']:6.1f} s, final greedy mean "
          f"{run['evals'][-1][2]:6.1f}, first >= {threshold:g} at (step, s) {first}",
          flush=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", choices=sorted(ENVS), default="CartPole-v1")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--steps", type=int, help="environment steps (default per env)")
    parser.add_argument("--eval-every", type=int, help="steps between evaluations")
    parser.add_argument("--only", choices=["nprl", "sb3"], help="run one learner only")
    parser.add_argument("--jobs", type=int, default=1, choices=[1, 2],
                        help="processes at a time (2: curves only, no speed claim)")
    parser.add_argument("--sb3-python", default=sys.executable,
                        help="interpreter with torch + stable-baselines3")
    parser.add_argument("--preset", help="nprl preset (default: the zoo's numbers)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (nprl) and torch threads (SB3), the same on both "
                             "sides (default 1)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        help="override an nprl DQNConfig field (key=value)")
    parser.add_argument("--sweep", action="store_true",
                        help="run the nprl seeds through nprl sweep (Ray); times then include "
                             "evaluations")
    parser.add_argument("--address", help="with --sweep: the Ray cluster to run on")
    parser.add_argument("--sweep-out", help="with --sweep: keep the sweep directory here")
    parser.add_argument("--save", help="write every run's evaluations to this JSON file")
    parser.add_argument("--load", help="read runs from a --save file instead of training")
    parser.add_argument("--plot", help="draw the learning curves to this PNG")
    parser.add_argument("--worker", choices=["nprl", "sb3"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    spec = ENVS[args.env]
    args.steps = args.steps or spec["steps"]
    args.eval_every = args.eval_every or spec["eval_every"]
    args.preset = args.preset or spec["preset"]

    if args.worker == "nprl":
        print(json.dumps(worker_nprl(args.env, args.seed, args.steps, args.eval_every,
                                     args.preset, args.settings, args.threads)))
        return
    if args.worker == "sb3":
        print(json.dumps(worker_sb3(args.env, args.seed, args.steps, args.eval_every,
                                    args.threads)))
        return

    if args.load:
        with open(args.load) as file:
            saved = json.load(file)
        args.env, args.steps, args.preset = saved["env"], saved["steps"], saved["preset"]
        results = saved["results"]
    else:
        learners = [args.only] if args.only else ["nprl", "sb3"]
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        swept = nprl_via_sweep(args, seeds) if args.sweep and "nprl" in learners else None
        pooled = [name for name in learners if not (swept is not None and name == "nprl")]
        jobs = [(name, seed) for seed in seeds for name in pooled]
        python = {"nprl": sys.executable, "sb3": args.sb3_python}
        with ThreadPoolExecutor(args.jobs) as pool:
            runs = list(pool.map(lambda job: run_worker(python[job[0]], job[0], args, job[1]),
                                 jobs))
        results = {name: [run for (n, _), run in zip(jobs, runs) if n == name]
                   for name in pooled}
        if swept is not None:
            results = {"nprl": swept, **results}
        if args.save:
            with open(args.save, "w") as file:
                json.dump({"env": args.env, "steps": args.steps, "preset": args.preset,
                           "jobs": args.jobs, "results": results}, file, indent=1)
    print_table(args.env, results, args.steps, args.preset)
    if args.plot:
        plot(args.env, results, args.plot)


if __name__ == "__main__":
    main()
