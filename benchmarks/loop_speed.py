"""Seconds of one CartPole DQN training (``DQNConfig()``'s defaults, no run directory) for
two or more source trees, each in its own process, the trees taken in turn, medians.

It answers "is the training loop of this branch slower than main's?" on a busy machine:
alternating the trees spreads the other load over both sides alike.

    python benchmarks/loop_speed.py --tree /work/main --tree . --rounds 7
    python benchmarks/loop_speed.py --tree . --profile     # cProfile's top entries, one run
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

WORKER = """
import time
from nprl.rl import DQNConfig, train
config = DQNConfig(total_steps={steps}, seed={seed})  # the defaults: no evaluations
start, cpu_start = time.perf_counter(), time.process_time()
train("CartPole-v1", config)
print(time.perf_counter() - start, time.process_time() - cpu_start)
"""


def run_once(tree: str, steps: int, seed: int, profile: bool = False) -> str:
    """One training in a fresh interpreter whose ``nprl`` comes from ``tree``."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    code = WORKER.format(steps=steps, seed=seed)
    if profile:
        code = ("import cProfile, pstats\ncProfile.run(" + repr(code) + ", '/tmp/loop.prof')\n"
                "pstats.Stats('/tmp/loop.prof').sort_stats('tottime').print_stats(25)")
    output = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    return output.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True,
                        help="a source tree holding nprl/ (repeat: compared in turn)")
    parser.add_argument("--steps", type=int, default=15_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="profile one run per tree")
    args = parser.parse_args()
    if args.profile:
        for tree in args.tree:
            print(f"== {tree}\n{run_once(tree, args.steps, args.seed, profile=True)}")
        return
    wall: dict[str, list[float]] = {tree: [] for tree in args.tree}
    cpu: dict[str, list[float]] = {tree: [] for tree in args.tree}
    for _ in range(args.rounds):
        for tree in args.tree:
            seconds, cpu_seconds = run_once(tree, args.steps, args.seed).split()[-2:]
            wall[tree].append(float(seconds))
            cpu[tree].append(float(cpu_seconds))
    print(f"CartPole-v1, DQNConfig() defaults, {args.steps} steps, seed {args.seed}, "
          f"{args.rounds} rounds (seconds of train(), each in its own process, trees "
          f"alternating; load average {os.getloadavg()[0]:.1f} at the end)")
    # CPU time is the fair measure on a busy machine: wall time also counts the others.
    print(f"{'tree':40} {'wall median':>12} {'CPU median':>11} {'CPU min':>8} {'CPU max':>8}")
    for tree in args.tree:
        print(f"{tree:40} {statistics.median(wall[tree]):12.3f} "
              f"{statistics.median(cpu[tree]):11.3f} {min(cpu[tree]):8.3f} "
              f"{max(cpu[tree]):8.3f}")


if __name__ == "__main__":
    main()
