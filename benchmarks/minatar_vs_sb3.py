"""MinAtar Breakout: nprl's DQN against Stable-Baselines3's, same network, same settings.

Both learners run the MinAtar paper's DQN (nprl's ``minatar`` preset): conv 16@3x3 ->
128 -> actions, replay 100k, batch 32, one update per step after 5,000 steps, target
copied every 1,000 steps, centred RMSprop (lr 2.5e-4, alpha 0.95, eps 0.01), Huber loss,
gamma 0.99, epsilon 1 -> 0.1. SB3 gets the same network as a custom features extractor
(``MinAtarCNN`` below, channels-last bool planes permuted to NCHW) with ``net_arch=[]``,
``max_grad_norm`` off as in nprl, and ``exploration_fraction`` set so that epsilon
reaches 0.1 after the same 100k steps (SB3 has no warm-up delay before the decay: the
only difference). Each (learner, seed) runs in its own process, learners alternating,
one thread each (BLAS for nprl, torch for SB3). Reported: training wall time for
``--steps`` steps, in wall-clock and in CPU seconds of the learner's process (on a busy
machine only the second is fair), then a greedy 20-episode evaluation, not timed.

    python benchmarks/minatar_vs_sb3.py --steps 200000 --seeds 1 2

Goal (issue 10): nprl at least 1.5x faster for the same steps and updates.
SB3 needs torch and stable-baselines3 (``pip install 'nprl[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ENV_ID = "MinAtar/Breakout-v1"
EVAL_EPISODES = 20
EVAL_SEED = 777_000


def run_nprl(seed: int, steps: int) -> dict:
    from nprl.rl import evaluate, train
    from nprl.rl.config import DQNConfig
    from nprl.rl.presets import load_preset
    from nprl.rl.train import make_env

    _, settings = load_preset("minatar")
    config = DQNConfig.from_dict({**settings, "total_steps": steps, "seed": seed,
                                  "eval_interval": 0, "checkpoint_interval": 0})
    start, cpu_start = time.perf_counter(), time.process_time()
    result = train(ENV_ID, config)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    stats = evaluate(result.agent, make_env(ENV_ID), EVAL_EPISODES, seed=EVAL_SEED)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "mean": stats["mean"],
            "updates": result.agent.updates}


def run_sb3(seed: int, steps: int) -> dict:
    import gymnasium as gym
    import minatar.gym
    import numpy as np
    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    torch.set_num_threads(1)
    minatar.gym.register_envs()

    class MinAtarCNN(BaseFeaturesExtractor):
        """The MinAtar paper's network body: conv 16@3x3/1 -> ReLU -> Linear 128 -> ReLU."""

        def __init__(self, observation_space, features_dim: int = 128):
            super().__init__(observation_space, features_dim)
            height, width, channels = observation_space.shape
            self.conv = torch.nn.Conv2d(channels, 16, 3, 1)
            self.fc = torch.nn.Linear(16 * (height - 2) * (width - 2), features_dim)

        def forward(self, obs):
            x = torch.relu(self.conv(obs.permute(0, 3, 1, 2)))
            return torch.relu(self.fc(x.flatten(1)))

    env = gym.make(ENV_ID)
    model = DQN(
        "MlpPolicy", env, learning_rate=2.5e-4, buffer_size=100_000, learning_starts=5_000,
        batch_size=32, gamma=0.99, train_freq=1, gradient_steps=1,
        target_update_interval=1_000, exploration_initial_eps=1.0,
        exploration_final_eps=0.1, exploration_fraction=min(1.0, 105_000 / steps),
        max_grad_norm=1e10, seed=seed, device="cpu",
        policy_kwargs=dict(features_extractor_class=MinAtarCNN, net_arch=[],
                           normalize_images=False, optimizer_class=torch.optim.RMSprop,
                           optimizer_kwargs=dict(alpha=0.95, eps=0.01, centered=True)))
    start, cpu_start = time.perf_counter(), time.process_time()
    model.learn(total_timesteps=steps)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    eval_env = gym.make(ENV_ID)
    returns = []
    for episode in range(EVAL_EPISODES):
        obs, _ = eval_env.reset(seed=EVAL_SEED if episode == 0 else None)
        done, total = False, 0.0
        while not done:
            action, _ = model.predict(obs, deterministic=True)
            obs, reward, terminated, truncated, _ = eval_env.step(int(action))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "mean": float(np.mean(returns)),
            "updates": int(model._n_updates)}


def child(learner: str, seed: int, steps: int) -> dict:
    """Run one learner in a fresh process; return its JSON line."""
    command = [sys.executable, __file__, "--child", learner, "--seeds", str(seed),
               "--steps", str(steps)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--child", choices=("nprl", "sb3"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        from nprl.blas import blas_threads

        with blas_threads(1):
            run = run_nprl if args.child == "nprl" else run_sb3
            print(json.dumps(run(args.seeds[0], args.steps)))
        return
    results = {"nprl": [], "sb3": []}
    for seed in args.seeds:  # alternate, so both see the same machine load
        for learner in ("nprl", "sb3"):
            results[learner].append(child(learner, seed, args.steps))
            print(f"{learner} seed {seed}: {results[learner][-1]}", file=sys.stderr)
    print(f"MinAtar Breakout, {args.steps:,} steps, seeds {args.seeds}, 1 thread each, "
          f"load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| learner | train wall time (median) | train CPU time (median) | steps/s (wall) "
          "| updates | greedy return, 20 episodes (per seed) |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    wall, cpu = {}, {}
    for learner, runs in results.items():
        wall[learner] = statistics.median(r["seconds"] for r in runs)
        cpu[learner] = statistics.median(r["cpu_seconds"] for r in runs)
        returns = ", ".join(f"{r['mean']:.1f}" for r in runs)
        print(f"| {learner} | {wall[learner]:.0f} s | {cpu[learner]:.0f} s | "
              f"{args.steps / wall[learner]:.0f} | {runs[0]['updates']:,} | {returns} |")
    # On a busy machine wall time mostly measures the other processes; CPU time does not.
    print(f"\nnprl is {wall['sb3'] / wall['nprl']:.2f}x faster in wall time, "
          f"{cpu['sb3'] / cpu['nprl']:.2f}x in CPU time (goal: 1.5x)")


if __name__ == "__main__":
    main()
