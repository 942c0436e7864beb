"""Replay memory for Atari frames: nprl's FrameReplayBuffer beside naive storage and SB3.

Prints bytes per transition of 4 stacked 84x84 uint8 frames (and as a multiple of one
84x84 frame, the issue's unit) for:

- nprl ``FrameReplayBuffer`` and ``PrioritizedFrameReplayBuffer`` (each frame once);
- nprl ``ReplayBuffer`` of whole stacks (``obs`` and ``next_obs``: 8 frames);
- Stable-Baselines3's ``ReplayBuffer``, with and without ``optimize_memory_usage``
  (measured in a separate process, skipped when SB3 is not installed).

Array sizes come from the buffers' own arrays (allocated lazily by NumPy, so nothing is
filled); the whole-stack buffers, which this machine cannot even reserve at 1M, are
measured at 10,000 transitions and scaled linearly (their size is linear in N). Then a FrameReplayBuffer is filled with ``--fill``
transitions of real Breakout play (random actions, ``make_atari``, a lost life ending
the episode as for learning) and checkpointed with nprl's pickle-free storage; the bytes
on disk are printed against the issue's bound of 1.2 x N x 84 x 84.

    python benchmarks/frame_buffer_memory.py --fill 20000

Goals (issue 10): memory <= 1.1 x N x 84 x 84 bytes, checkpoint <= 1.2 x N x 84 x 84.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FRAME = 84 * 84
SB3_SNIPPET = """
import json, gymnasium as gym, numpy as np
from stable_baselines3.common.buffers import ReplayBuffer
space = gym.spaces.Box(0, 255, (4, 84, 84), np.uint8)
out = {}
for optimize in (False, True):
    buf = ReplayBuffer(N_TRANSITIONS, space, gym.spaces.Discrete(4), device="cpu",
                       optimize_memory_usage=optimize, handle_timeout_termination=False)
    arrays = [buf.observations, buf.actions, buf.rewards, buf.dones]
    if not optimize:
        arrays.append(buf.next_observations)
    out[str(optimize)] = sum(a.nbytes for a in arrays)
print(json.dumps(out))
"""


def sb3_bytes(n: int) -> dict[str, int] | None:
    """SB3's buffer sizes, measured in a child process (None without SB3)."""
    result = subprocess.run([sys.executable, "-c", SB3_SNIPPET.replace("N_TRANSITIONS", str(n))],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def fill_and_save(n: int, seed: int = 0) -> tuple[int, int, float]:
    """Fill a FrameReplayBuffer with n transitions of Breakout; return (held, bytes on disk,
    seconds)."""
    from nprl.envs.atari import make_atari
    from nprl.fileio import save_arrays, write_json
    from nprl.rl.frame_buffer import FrameReplayBuffer

    env = make_atari("ALE/Breakout-v5", terminal_on_life_loss=True)
    buffer = FrameReplayBuffer(n, seed=seed)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(n):
        action = int(rng.integers(env.action_space.n))
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated, truncated)
        obs = env.reset()[0] if terminated or truncated else next_obs
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        arrays, meta = buffer.state_dict()
        save_arrays(Path(tmp) / "buffer", arrays)
        write_json(Path(tmp) / "buffer" / "buffer.json", meta)
        on_disk = sum(p.stat().st_size for p in (Path(tmp) / "buffer").iterdir())
    return len(buffer), on_disk, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity", type=int, default=1_000_000)
    parser.add_argument("--fill", type=int, default=20_000,
                        help="transitions of real Breakout play to checkpoint (0: skip)")
    args = parser.parse_args()

    from nprl.rl.frame_buffer import FrameReplayBuffer, PrioritizedFrameReplayBuffer
    from nprl.rl.replay_buffer import ReplayBuffer

    n = args.capacity
    small = 10_000  # whole-stack buffers: measured here, scaled to n
    scale = n / small
    rows = [("nprl FrameReplayBuffer", FrameReplayBuffer(n).nbytes),
            ("nprl PrioritizedFrameReplayBuffer", PrioritizedFrameReplayBuffer(n).nbytes),
            ("nprl ReplayBuffer (whole stacks)",
             ReplayBuffer(small, (4, 84, 84), obs_dtype=np.uint8).nbytes * scale)]
    sb3 = sb3_bytes(small)
    if sb3 is not None:
        rows += [("SB3 ReplayBuffer", sb3["False"] * scale),
                 ("SB3 ReplayBuffer, optimize_memory_usage", sb3["True"] * scale)]
    print(f"Replay memory for {n:,} transitions of 4 x 84 x 84 uint8 frames "
          "(goal: <= 1.1 x N x 84 x 84)\n")
    print("| buffer | GB | bytes per transition | x (N x 84 x 84) |")
    print("| --- | ---: | ---: | ---: |")
    for name, size in rows:
        print(f"| {name} | {size / 1e9:.2f} | {size / n:,.0f} | {size / (n * FRAME):.3f} |")
    if args.fill:
        held, on_disk, seconds = fill_and_save(args.fill)
        print(f"\nCheckpoint of a FrameReplayBuffer holding {held:,} transitions of Breakout "
              f"(random play, filled in {seconds:.0f} s): {on_disk / 1e6:.1f} MB on disk = "
              f"{on_disk / (held * FRAME):.3f} x N x 84 x 84 (goal: <= 1.2)")


if __name__ == "__main__":
    main()
