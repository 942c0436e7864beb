"""Evaluate an agent: run N episodes on an environment, greedy or with a given epsilon.

Evaluation always uses its own environment instance (never the training one, whose
episode would be cut short) and its own random stream, seeded from ``seed``, so
evaluating never changes what training does next, and the same seed gives the same
episodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from nprl.nn.layer import make_rng
from nprl.rewards import task_reward


def evaluation_score(success_rate: float | None, mean: float) -> list[float]:
    """How evaluations rank for "best" (``checkpoints/best``): success rate first (0 for
    envs that report none), then mean return; compare with ``>=`` so later ties win."""
    return [float(success_rate or 0.0), float(mean)]


def evaluate(
    agent,
    env: gym.Env,
    episodes: int = 10,
    epsilon: float = 0.0,
    seed: int | None = None,
    on_step: Callable[[gym.Env], None] | None = None,
) -> dict[str, Any]:
    """Run ``episodes`` full episodes and summarise their returns.

    Parameters
    ----------
    agent : DQNAgent (anything with ``act(obs, epsilon, rng)``; the random actions draw
        from ``rng``, the evaluation's own generator)
    env : gymnasium.Env
        A separate instance from the training environment.
    episodes : int
        Number of episodes (>= 1).
    epsilon : float
        Probability of a random action; 0 = greedy.
    seed : int, optional
        Seeds the first reset (later resets continue the env's stream) and the random
        actions, so that the evaluation is repeatable.
    on_step : callable, optional
        Called as ``on_step(env)`` after each reset and step (rendering, video frames).

    Returns
    -------
    dict
        ``mean``, ``std``, ``min``, ``max`` of the returns (floats), ``returns`` and
        ``lengths`` (lists, one entry per episode), and ``success_rate`` (fraction of
        episodes whose last ``info["is_success"]`` was true) when the environment reports
        success, as the Lander does; None otherwise.
    """
    if int(episodes) != episodes or episodes < 1:
        raise ValueError(f"episodes must be a positive integer, got {episodes!r}")
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must lie in [0, 1], got {epsilon}")
    rng = make_rng(seed, "evaluation seed")  # its own: the agent's stream is untouched
    returns, lengths, successes = [], [], []
    for episode in range(int(episodes)):
        obs, _ = env.reset(seed=seed if episode == 0 else None)
        if on_step is not None:
            on_step(env)
        done, total, length = False, 0.0, 0
        while not done:
            obs, reward, terminated, truncated, info = env.step(agent.act(obs, epsilon, rng))
            if on_step is not None:
                on_step(env)
            total += task_reward(reward, info)
            length += 1
            done = terminated or truncated
        returns.append(total)
        lengths.append(length)
        if "is_success" in info:
            successes.append(bool(info["is_success"]))
    values = np.array(returns)
    return {"mean": float(values.mean()), "std": float(values.std()),
            "min": float(values.min()), "max": float(values.max()),
            "returns": returns, "lengths": lengths,
            "success_rate": float(np.mean(successes)) if successes else None}
