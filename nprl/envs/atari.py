"""``make_atari``: the Nature-DQN Atari setup, built from Gymnasium's and ale-py's own parts.

    ALE/<Game>-v5 (frameskip=1)  ->  AtariPreprocessing  ->  FireOnReset
        ->  SignRewards  ->  FrameStackObservation(4)

``AtariPreprocessing`` (Gymnasium) does the no-op starts, the frame skip of 4 with the max
of the last two frames, the 84x84 grayscale resize and, optionally, ``terminated`` on a
lost life; ``FrameStackObservation`` (Gymnasium) stacks the last 4 frames, padding an
episode's first stack with its reset frame. nprl writes only the two pieces neither
package provides: pressing FIRE after a reset and after a lost life in games that wait
for it, and clipping rewards to their sign for learning while keeping the game's score in
``info["raw_reward"]``, which is what training logs and evaluations add up.

Note: Gymnasium's ``terminal_on_life_loss`` ends the episode at a lost life and the next
``reset()`` starts a new game (unlike the "episodic life" wrappers of older code, which
continue the game); evaluation therefore always turns it off.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from nprl.envs.pixels import ATARI_PREFIX, register_pixel_envs
from nprl.rewards import RAW_REWARD_KEY


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
    env = gym.make(env_id, render_mode=render_mode, **make_kwargs)
    env = gym.wrappers.AtariPreprocessing(
        env, noop_max=noop_max, frame_skip=frame_skip, screen_size=screen_size,
        terminal_on_life_loss=terminal_on_life_loss, grayscale_obs=True, scale_obs=False)
    if fire_on_reset:
        env = FireOnReset(env)
    if clip_rewards:
        env = SignRewards(env)
    return gym.wrappers.FrameStackObservation(env, stack)
