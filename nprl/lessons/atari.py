"""Real Atari frames for lesson 13 and checkpoint D: from ALE when ale-py is installed,
else a small sample shipped with the package.

:func:`pong_frames` plays Pong for a fixed number of steps with a fixed action (the same
frames every time) through Gymnasium's standard DQN preprocessing (grey, 84x84, frame
skip 4) and returns ``FRAMES`` consecutive preprocessed frames. Stacks of four
consecutive frames are DQN's observations: ``frames[0:4]`` is a state ``s`` and
``frames[1:5]`` the next state ``s'``.

``rewards[i]`` is the reward of the step that produced ``frames[i]`` (Pong gives -1 when
the opponent scores, +1 when we do), so ``rewards[4]`` belongs to the transition from
``frames[0:4]`` to ``frames[1:5]``.

``assets/pong_frames.npz`` holds the same frames and rewards, made once by
:func:`write_sample` and read with ``allow_pickle=False``; it is used when ale-py is
missing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

SAMPLE = Path(__file__).resolve().parent / "assets" / "pong_frames.npz"
GAME = "ALE/Pong-v5"
FRAMES = 6  # two overlapping stacks of four: enough for two transitions (s, s')
WARMUP_STEPS = 59  # the ball is in play; the opponent scores (-1) on frame 4
ACTION = 2  # RIGHT (the paddle moves up), every step
SEED = 0


@contextmanager
def _quiet_native_output() -> Iterator[None]:
    """Silence what C++ code writes to file descriptors 1 and 2 (ALE's start-up banner),
    which a notebook would otherwise show in red under the cell."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def _record() -> tuple[np.ndarray, np.ndarray]:
    """Play Pong with ALE: ``FRAMES`` preprocessed frames (uint8) and their rewards."""
    import ale_py
    import gymnasium as gym
    from gymnasium.wrappers import AtariPreprocessing

    gym.register_envs(ale_py)
    with _quiet_native_output():
        env = AtariPreprocessing(gym.make(GAME, frameskip=1), frame_skip=4, screen_size=84,
                                 grayscale_obs=True, noop_max=0)
        env.reset(seed=SEED)
    try:
        frames, rewards = [], []
        for step in range(WARMUP_STEPS + FRAMES):
            frame, reward, terminated, truncated, _ = env.step(ACTION)
            if terminated or truncated:  # never in 66 steps of Pong; a guard all the same
                raise RuntimeError("the Pong episode ended while recording frames")
            if step >= WARMUP_STEPS:
                frames.append(frame)
                rewards.append(reward)
    finally:
        env.close()
    return np.stack(frames).astype(np.uint8), np.array(rewards, dtype=np.float32)


def pong_frames(live: bool | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """``FRAMES`` consecutive preprocessed Pong frames, their rewards, and their source.

    Parameters
    ----------
    live : bool or None
        True: record with ALE (ale-py must be installed); False: the shipped sample;
        None (default): ALE when ale-py imports, else the sample.

    Returns
    -------
    frames : ndarray, uint8, shape (FRAMES, 84, 84)
    rewards : ndarray, float32, shape (FRAMES,)
    source : str
        "ALE (Pong)" or "the Pong sample shipped with nprl".
    """
    if live is None:
        try:
            import ale_py  # noqa: F401
        except ImportError:
            live = False
        else:
            live = True
    if live:
        return (*_record(), "ALE (Pong)")
    with np.load(SAMPLE, allow_pickle=False) as arrays:
        frames, rewards = arrays["frames"], arrays["rewards"]
    if frames.dtype != np.uint8 or frames.shape != (FRAMES, 84, 84) or rewards.shape != (FRAMES,):
        raise ValueError(f"{SAMPLE}: expected uint8 frames ({FRAMES}, 84, 84) and {FRAMES} "
                         f"rewards, got {frames.dtype} {frames.shape} and {rewards.shape}")
    return frames, rewards.astype(np.float32), "the Pong sample shipped with nprl"


def write_sample(path: Path = SAMPLE) -> None:
    """Record the frames with ALE and save them as the shipped sample (development tool)."""
    frames, rewards = _record()
    np.savez_compressed(path, frames=frames, rewards=rewards)
