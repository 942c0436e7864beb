"""The reward a task scores, read from a step's ``info``: one convention for every wrapper.

A wrapper that changes the reward an agent learns from keeps the task's own reward in the
step's info: Atari's sign clipping (:mod:`nprl.envs.atari`) puts the game's score under
:data:`RAW_REWARD_KEY`, potential-based shaping (:mod:`nprl.envs.wrappers`) the reward
before shaping under :data:`UNSHAPED_KEY`. Training logs and evaluations add up
:func:`task_reward`. The file sits at the package root so that ``nprl.envs`` (which writes
these keys) and ``nprl.rl`` (which reads them) share it without importing each other.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

RAW_REWARD_KEY = "raw_reward"  # the game's score of the step, before sign clipping
UNSHAPED_KEY = "unshaped_reward"  # the step's reward before potential-based shaping


def task_reward(reward: SupportsFloat, info: dict[str, Any]) -> float:
    """What the task scores for a step: the game's raw score when a clipping wrapper kept it
    (it is also what a shaping wrapper above it saw before clipping), else the reward before
    shaping, else ``reward`` itself."""
    return float(info.get(RAW_REWARD_KEY, info.get(UNSHAPED_KEY, reward)))
