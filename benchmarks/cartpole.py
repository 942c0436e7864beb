"""CartPole-v1 DQN: nprl against Stable-Baselines3, side by side, same hyperparameters.

Both learners train with the RL Baselines3 Zoo's CartPole-v1 DQN hyperparameters (the
nprl preset ``cartpole-zoo`` holds the same numbers) for ``--steps`` environment steps;
``--preset CartPole-v1 --only nprl`` measures nprl's own tuned preset instead.
Every ``--eval-every`` steps the greedy policy plays 20 episodes on a separate env; the
evaluation's time is *not* counted as training time. Reported per learner (medians over
seeds): training wall time for all steps, steps per second, the first step and the
training time at which the greedy 20-episode mean reached >= 475, and the final mean.

Each (learner, seed) runs in its own process, learners alternating, so one never warms
caches for the other. Run with (one benchmark at a time on this machine)::

    flock /tmp/nprl-bench.lock python benchmarks/cartpole.py --seeds 5

SB3 needs torch and stable-baselines3 (``pip install 'nprl[bench]'``); ``--sb3-python``
points at another interpreter that has them, if this one does not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

THRESHOLD = 475.0
EVAL_EPISODES = 20

# RL Baselines3 Zoo, hyperparams/dqn.yml, CartPole-v1.
ZOO = dict(learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1_000,
           gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
           exploration_fraction=0.16, exploration_final_eps=0.04, net_arch=[256, 256])


def worker_nprl(seed: int, steps: int, eval_every: int, preset: str, overrides: list[str]) -> dict:
    import gymnasium as gym

    from nprl.rl import evaluate, train
    from nprl.rl.presets import resolve_config

    _, config = resolve_config("CartPole-v1", preset, {"total_steps": steps, "seed": seed,
                                                      "eval_interval": 0,
                                                      "checkpoint_interval": 0}, overrides)
    eval_env = gym.make("CartPole-v1")
    evals, paused = [], [0.0]
    start = time.perf_counter()

    def callback(step, agent):
        if step % eval_every == 0:
            begin = time.perf_counter()
            stats = evaluate(agent, eval_env, EVAL_EPISODES, seed=10_000 + seed)
            paused[0] += time.perf_counter() - begin
            evals.append((step, time.perf_counter() - start - paused[0], stats["mean"]))

    train("CartPole-v1", config, callback=callback)
    return {"train_seconds": time.perf_counter() - start - paused[0], "evals": evals}


def worker_sb3(seed: int, steps: int, eval_every: int) -> dict:
    import gymnasium as gym
    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.evaluation import evaluate_policy

    torch.set_num_threads(1)  # measured faster than 2 threads here, as for nprl
    eval_env = gym.make("CartPole-v1")
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

    settings = dict(ZOO)
    net_arch = settings.pop("net_arch")
    model = DQN("MlpPolicy", "CartPole-v1", policy_kwargs={"net_arch": net_arch}, seed=seed,
                device="cpu", verbose=0, **settings)
    model.learn(total_timesteps=steps, callback=Evaluate())
    return {"train_seconds": time.perf_counter() - start - paused[0], "evals": evals}


def summarise(runs: list[dict], steps: int) -> dict:
    times = [run["train_seconds"] for run in runs]
    reached = [next(((s, t) for s, t, m in run["evals"] if m >= THRESHOLD), None) for run in runs]
    hits = [r for r in reached if r is not None]
    finals = [run["evals"][-1][2] if run["evals"] else float("nan") for run in runs]
    return {
        "seeds": len(runs),
        "solved": len(hits),
        "median_train_s": statistics.median(times),
        "median_sps": statistics.median(steps / t for t in times),
        "median_step_to_475": statistics.median(s for s, _ in hits) if hits else None,
        "median_s_to_475": statistics.median(t for _, t in hits) if hits else None,
        "finals": finals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--eval-every", type=int, default=2_500)
    parser.add_argument("--only", choices=["nprl", "sb3"], help="run one learner only")
    parser.add_argument("--sb3-python", default=sys.executable,
                        help="interpreter with torch + stable-baselines3")
    parser.add_argument("--preset", default="cartpole-zoo",
                        help="nprl preset (default cartpole-zoo: the same numbers as SB3's)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        help="override an nprl DQNConfig field (key=value)")
    parser.add_argument("--worker", choices=["nprl", "sb3"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "nprl":
        print(json.dumps(worker_nprl(args.seed, args.steps, args.eval_every, args.preset,
                                     args.settings)))
        return
    if args.worker == "sb3":
        print(json.dumps(worker_sb3(args.seed, args.steps, args.eval_every)))
        return

    learners = [args.only] if args.only else ["nprl", "sb3"]
    results: dict[str, list[dict]] = {name: [] for name in learners}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for name in learners:
            python = args.sb3_python if name == "sb3" else sys.executable
            command = [python, __file__, "--worker", name, "--seed", str(seed),
                       "--steps", str(args.steps), "--eval-every", str(args.eval_every),
                       "--preset", args.preset]
            for setting in args.settings:
                command += ["--set", setting]
            output = subprocess.run(command, capture_output=True, text=True, check=True)
            run = json.loads(output.stdout.strip().splitlines()[-1])
            results[name].append(run)
            first = next(((s, round(t, 1)) for s, t, m in run["evals"] if m >= THRESHOLD), None)
            print(f"seed {seed} {name:>4}: {run['train_seconds']:6.1f} s, "
                  f"final greedy mean {run['evals'][-1][2]:6.1f}, first >= 475 at "
                  f"(step, s) {first}", flush=True)

    print(f"\nCartPole-v1, {args.steps} steps, nprl preset {args.preset} (SB3: RL Zoo), "
          f"greedy {EVAL_EPISODES}-episode evaluation every {args.eval_every} steps")
    print("| learner | seeds reaching >= 475 | median train time (s) | median steps/s | "
          "median step to >= 475 | median time to >= 475 (s) | final means |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    summaries = {name: summarise(runs, args.steps) for name, runs in results.items()}
    for name, s in summaries.items():
        to_step = "-" if s["median_step_to_475"] is None else f"{s['median_step_to_475']:.0f}"
        to_time = "-" if s["median_s_to_475"] is None else f"{s['median_s_to_475']:.1f}"
        finals = ", ".join(f"{f:.0f}" for f in s["finals"])
        print(f"| {name} | {s['solved']}/{s['seeds']} | {s['median_train_s']:.1f} | "
              f"{s['median_sps']:.0f} | {to_step} | {to_time} | {finals} |")
    if len(summaries) == 2:
        ratio = summaries["sb3"]["median_train_s"] / summaries["nprl"]["median_train_s"]
        print(f"\nnprl trains {ratio:.2f}x faster than SB3 for the same steps and updates")


if __name__ == "__main__":
    main()
