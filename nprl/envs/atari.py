"""``make_atari``: the Nature-DQN Atari setup, built from Gymnasium's and ale-py's own parts.

    ALE/<Game>-v5 (frameskip=1)  ->  AtariGameState  ->  AtariPreprocessing
        ->  FireOnReset  ->  SignRewards  ->  FrameStackObservation(4)

``AtariPreprocessing`` (Gymnasium) does the no-op starts, the frame skip of 4 with the max
of the last two frames, the 84x84 grayscale resize and, optionally, ``terminated`` on a
lost life; ``FrameStackObservation`` (Gymnasium) stacks the last 4 frames, padding an
episode's first stack with its reset frame. nprl writes only the three pieces neither
package provides: pressing FIRE after a reset and after a lost life in games that wait
for it; clipping rewards to their sign for learning while keeping the game's score in
``info["raw_reward"]``, which is what training logs and evaluations add up; and
:class:`AtariGameState`, which puts the emulator's state, its random generator included,
into training checkpoints, so that a resumed run with sticky actions plays what an
uninterrupted one would.

Note: Gymnasium's ``terminal_on_life_loss`` ends the episode at a lost life and the next
``reset()`` starts a new game (unlike the "episodic life" wrappers of older code, which
continue the game); evaluation therefore always turns it off.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from typing import Any

import gymnasium as gym
import numpy as np

from nprl.envs.pixels import ATARI_PREFIX, register_pixel_envs
from nprl.rewards import RAW_REWARD_KEY

# ale-py's ALEState.serialize(): six little-endian int32 (left and right paddle, frame
# number, episode frame number, mode, difficulty), the emulator's own serialization as a
# string (int32 length, bytes: it opens with the ROM's MD5 as a string), then two int32
# (paddle min and max).
_ALE_INT = struct.Struct("<i")
_ALE_HEADER_INTS = 6
_ALE_TRAILER_BYTES = 2 * _ALE_INT.size
_ROM_MD5_CHARS = 32


def _ale_state_fields(raw: bytes) -> tuple[tuple[int, ...], str]:
    """The six header ints and the ROM MD5 of a serialized ALE state; ``ValueError``
    when the bytes do not have that layout."""
    header_size = (_ALE_HEADER_INTS + 1) * _ALE_INT.size
    if len(raw) < header_size + _ALE_INT.size + _ROM_MD5_CHARS + _ALE_TRAILER_BYTES:
        raise ValueError(f"is {len(raw)} bytes, too short for an ALE state")
    *header, inner_size = struct.unpack_from(f"<{_ALE_HEADER_INTS + 1}i", raw)
    if header_size + inner_size + _ALE_TRAILER_BYTES != len(raw):
        raise ValueError("does not have the layout of an ALE state (its lengths disagree)")
    (md5_size,) = _ALE_INT.unpack_from(raw, header_size)
    md5 = raw[header_size + _ALE_INT.size:header_size + _ALE_INT.size + _ROM_MD5_CHARS]
    if md5_size != _ROM_MD5_CHARS or not re.fullmatch(rb"[0-9a-f]{32}", md5):
        raise ValueError("does not start with a ROM's MD5 as an ALE state does")
    return tuple(header), md5.decode("ascii")


class AtariGameState(gym.Wrapper):
    """An Atari game whose emulator state, random generator included, goes into training
    checkpoints.

    ALE v5's sticky actions (``repeat_action_probability``) draw from the emulator's own
    random generator, which Gymnasium's ``np_random`` (saved with every checkpoint; it
    drives the no-op starts) does not cover, and which a new environment seeds from the
    operating system. This wrapper implements the env-state protocol of
    :mod:`nprl.rl.environments` (``checkpoint_state`` / ``load_checkpoint_state``) with
    ale-py's own serialization (``cloneState(include_rng=True)``), as base64 text.

    A restored state holds the emulator at the saved moment, but the wrappers above it
    (frame stack, frame-skip buffers) are not restored: call ``reset()`` next, as the
    training loop does after a checkpoint. The ALE's ``reset`` starts every game from the
    same sticky-action state (the last action is NOOP), so the generator is all a
    resumed run needs to draw what an uninterrupted one would.
    """

    def checkpoint_state(self) -> dict[str, Any]:
        """The emulator's state with its random generator, JSON-able."""
        import ale_py

        raw = self.env.unwrapped.ale.cloneState(include_rng=True).serialize()
        return {"ale_state": base64.b64encode(raw).decode("ascii"),
                "ale_py": ale_py.__version__}

    def load_checkpoint_state(self, state: dict[str, Any]) -> None:
        """Put back what :meth:`checkpoint_state` saved. A file is untrusted: the state
        must be base64 of an ALE state of this game (same ROM, mode and difficulty) that
        ale-py reads back to the very same bytes; otherwise ``ValueError`` and the
        emulator is left as it was."""
        import ale_py

        ale = self.env.unwrapped.ale
        try:
            raw = base64.b64decode(state["ale_state"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise ValueError("the checkpoint's 'ale_state' is not base64 text") from None
        saved_by = state.get("ale_py")  # only named in the message: a version, or nothing
        if not (isinstance(saved_by, str) and re.fullmatch(r"[0-9A-Za-z_.+-]{1,40}", saved_by)):
            saved_by = "unknown"
        own = ale.cloneState(include_rng=True)
        try:
            own_header, own_md5 = _ale_state_fields(own.serialize())
        except ValueError:  # a future ale-py that changed its layout: say so, never guess
            raise ValueError(f"ale-py {ale_py.__version__} writes its states in a layout nprl "
                             "does not know; resume with the ale-py that saved the "
                             "checkpoint") from None
        try:
            header, md5 = _ale_state_fields(raw)
        except ValueError as error:
            raise ValueError(f"the checkpoint's 'ale_state' {error}") from None
        if md5 != own_md5:
            raise ValueError(f"the checkpoint's 'ale_state' is of another game (ROM MD5 "
                             f"{md5}, this game's is {own_md5})")
        mode, difficulty = header[4:6]
        if (mode, difficulty) != tuple(own_header[4:6]):
            raise ValueError(f"the checkpoint's 'ale_state' has game mode {mode} and "
                             f"difficulty {difficulty}, this game {own_header[4]} and "
                             f"{own_header[5]}")
        try:
            ale.restoreState(ale_py.ALEState(raw))
            faithful = ale.cloneState(include_rng=True).serialize() == raw
        except (RuntimeError, SystemError):  # ale-py's C++ errors reach Python as these
            faithful = False
        if not faithful:  # damaged, without its random generator, or another format
            ale.restoreState(own)
            raise ValueError(f"the checkpoint's 'ale_state' (saved by ale-py {saved_by}) "
                             f"does not load back to itself in ale-py {ale_py.__version__}")


class FireOnReset(gym.Wrapper):
    """Press FIRE once after every reset and after every lost life, for games that wait for
    it (Breakout, ...) before the ball or the round starts.

    Without it a greedy agent that never picks FIRE stands still until the time limit
    (108,000 frames): in training, where ``terminal_on_life_loss`` makes every episode one
    life that starts with a reset, the agent never even sees a waiting state, so a whole
    game in evaluation would stall after its first lost life.
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        meanings = env.unwrapped.get_action_meanings()
        self.fire = meanings.index("FIRE") if "FIRE" in meanings else None
        self.lives = 0

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        if self.fire is None:
            return obs, info
        obs, _, terminated, truncated, info = self.env.step(self.fire)
        if terminated or truncated:  # a game that ends on FIRE: start again, no FIRE loop
            obs, info = self.env.reset()
        self.lives = self.env.unwrapped.ale.lives()
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self.fire is None or terminated or truncated:
            return obs, reward, terminated, truncated, info
        lives = self.env.unwrapped.ale.lives()
        if lives < self.lives:  # a life lost, the game goes on: serve the next ball
            obs, more, terminated, truncated, info = self.env.step(self.fire)
            reward += more
            lives = self.env.unwrapped.ale.lives()
        self.lives = lives
        return obs, reward, terminated, truncated, info


class SignRewards(gym.Wrapper):
    """Reward -> its sign (-1, 0, +1) for learning; the unclipped one in ``info["raw_reward"]``."""

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        info[RAW_REWARD_KEY] = float(reward)
        return obs, float(np.sign(reward)), terminated, truncated, info


def make_atari(
    env_id: str,
    render_mode: str | None = None,
    *,
    repeat_action_probability: float = 0.25,
    noop_max: int = 30,
    frame_skip: int = 4,
    screen_size: int = 84,
    stack: int = 4,
    terminal_on_life_loss: bool = False,
    fire_on_reset: bool = True,
    clip_rewards: bool = True,
    max_episode_steps: int | None = None,
) -> gym.Env:
    """Build an Atari game with the classic DQN preprocessing.

    Parameters
    ----------
    env_id : str
        ``ALE/<Game>-v5``.
    render_mode : str, optional
        ``"rgb_array"``: ``env.render()`` returns the game's own 210x160 RGB screen.
    repeat_action_probability : float
        Sticky actions (0.25 is ALE v5's default, Machado et al. 2018; 0 for Atari 100k).
    noop_max : int
        Up to this many no-op actions after reset (Nature DQN: 30).
    frame_skip : int
        Each agent action is repeated for this many frames (max-pooled over the last 2).
    screen_size : int
        Frames are resized to ``screen_size`` x ``screen_size`` grayscale.
    stack : int
        Frames stacked per observation.
    terminal_on_life_loss : bool
        ``terminated`` when a life is lost (for learning only; a new game starts).
    fire_on_reset : bool
        Press FIRE after reset and after a lost life in games whose action set has it.
    clip_rewards : bool
        Rewards clipped to their sign (raw ones in ``info["raw_reward"]``).
    max_episode_steps : int, optional
        Time limit in agent steps (ALE v5 already stops at 108,000 frames).

    Returns
    -------
    gymnasium.Env
        Observations uint8 ``(stack, screen_size, screen_size)``, Discrete actions.
    """
    if not env_id.startswith(ATARI_PREFIX):
        raise ValueError(f"make_atari takes ALE/<Game>-v5 ids, got {env_id!r}")
    register_pixel_envs(env_id)
    make_kwargs: dict[str, Any] = {"frameskip": 1,
                                   "repeat_action_probability": repeat_action_probability}
    if max_episode_steps is not None:
        make_kwargs["max_episode_steps"] = max_episode_steps * frame_skip
    env = AtariGameState(gym.make(env_id, render_mode=render_mode, **make_kwargs))
    env = gym.wrappers.AtariPreprocessing(
        env, noop_max=noop_max, frame_skip=frame_skip, screen_size=screen_size,
        terminal_on_life_loss=terminal_on_life_loss, grayscale_obs=True, scale_obs=False)
    if fire_on_reset:
        env = FireOnReset(env)
    if clip_rewards:
        env = SignRewards(env)
    return gym.wrappers.FrameStackObservation(env, stack)
