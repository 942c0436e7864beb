"""Replay-buffer cost per call, this checkout against another one (e.g. main).

What a CartPole DQN step pays for replay: ``NStepAccumulator.push`` + ``ReplayBuffer.add``
of a ``(4,)`` float32 transition, and ``sample(64)`` (uniform); the same under
prioritized replay (``add``, ``sample(64, beta)``, ``update_priorities``); and the
Atari frame buffer's ``add`` + ``sample(32)`` of ``(4, 84, 84)`` uint8 stacks.

Each checkout runs in its own process (this script re-runs itself with ``--child``,
``PYTHONPATH`` set to that checkout); the driver alternates them for ``--repeats``
rounds and prints the median of the per-process medians, in microseconds of CPU time
per call:

    python benchmarks/replay_buffer.py --against /work/main

The two sides share one machine: on a busy one, rerun and compare the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _per_call_us(fn, calls: int) -> float:
    """Median over 5 blocks of ``calls`` calls, in microseconds of this process's CPU time
    per call (CPU time, not wall time: other processes on a shared machine inflate it less)."""
    blocks = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(calls):
            fn()
        blocks.append((time.process_time() - start) / calls * 1e6)
    return float(np.median(blocks))


def child() -> dict[str, float]:
    """Time every case in this process (the checkout on ``PYTHONPATH``)."""
    from nprl.rl import FrameReplayBuffer, NStepAccumulator, PrioritizedReplayBuffer, ReplayBuffer

    rng = np.random.default_rng(0)
    obs = rng.standard_normal((1000, 4)).astype(np.float32)
    results = {}

    buffer, nstep = ReplayBuffer(50_000, (4,), seed=0), NStepAccumulator(1, 0.99)
    step = iter(range(10**9))

    def add():
        i = next(step) % 999
        for transition in nstep.push(obs[i], i & 1, 1.0, obs[i + 1], i % 200 == 0):
            buffer.add(*transition)

    for _ in range(2000):
        add()
    results["uniform push+add"] = _per_call_us(add, 20_000)
    results["uniform sample(64)"] = _per_call_us(lambda: buffer.sample(64), 5_000)

    per = PrioritizedReplayBuffer(50_000, (4,), seed=0)
    for i in range(5000):
        per.add(obs[i % 999], i & 1, 1.0, obs[i % 999 + 1], i % 200 == 0)
    results["PER add"] = _per_call_us(lambda: per.add(obs[0], 1, 1.0, obs[1], False), 2_000)
    td = rng.standard_normal(64)

    def per_sample_update():
        batch = per.sample(64, 0.4)
        per.update_priorities(batch.indices, td)

    results["PER sample(64)+update"] = _per_call_us(per_sample_update, 300)

    frames = FrameReplayBuffer(20_000, seed=0)
    stack = np.zeros((5, 84, 84), np.uint8)
    counter = iter(range(10**9))

    def frame_add():
        stack[:-1] = stack[1:]
        stack[-1] = next(counter) % 251
        frames.add(stack[:4].copy(), 1, 1.0, stack[1:].copy(), False)

    for _ in range(500):
        frame_add()
    results["frame add"] = _per_call_us(frame_add, 500)
    results["frame sample(32)"] = _per_call_us(lambda: frames.sample(32), 100)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=False,
                        help="another checkout to time beside this one (e.g. /work/main)")
    parser.add_argument("--repeats", type=int, default=5, help="alternating rounds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child()))
        return
    sides = {"this": ROOT}
    if args.against is not None:
        sides["against"] = args.against.resolve()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    for _ in range(args.repeats):
        for name, root in sides.items():
            env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS="1",
                       OPENBLAS_NUM_THREADS="1")
            output = subprocess.run([sys.executable, __file__, "--child"], env=env,
                                    capture_output=True, text=True, check=True).stdout
            runs[name].append(json.loads(output.strip().splitlines()[-1]))
    cases = list(runs["this"][0])
    header = f"{'case (us per call, median)':<28}" + "".join(
        f"{f'{name} ({root.name})':>18}" for name, root in sides.items())
    print(header)
    for case in cases:
        medians = [statistics.median(run[case] for run in runs[name]) for name in sides]
        ratio = f"{medians[0] / medians[1]:>10.2f}x" if len(medians) == 2 else ""
        print(f"{case:<28}" + "".join(f"{m:>18.2f}" for m in medians) + ratio)


if __name__ == "__main__":
    main()
