"""Gymnasium wrappers that work on any environment: potential-based reward shaping.

:class:`PotentialShaping` adds ``F(s, s') = gamma * phi(s') - phi(s)`` to every reward
(Ng, Harada and Russell 1999, "Policy invariance under reward transformations"). Along
any trajectory the added terms telescope: the discounted sum of ``F`` from ``s_0`` is
``gamma**T * phi(s_T) - phi(s_0)``, so every policy's discounted value changes by the
same ``-phi(s_0)`` and the optimal policy stays optimal. Exactly:
``Q'*(s, a) = Q*(s, a) - phi(s)`` and ``V'*(s) = V*(s) - phi(s)``.

Three things make that hold in practice, and this wrapper does all three:

- ``gamma`` must be the discount of the agent that learns (``DQNConfig.gamma``): with
  another discount the terms no longer telescope and the optimal policy can change.
- ``phi(terminal) = 0``. A terminal state has no future, so its potential must add
  nothing; the last step of a terminated episode gets ``F = -phi(s)``.
- Truncation (a time limit) is not an end of the task: the agent bootstraps from the
  last observation, so the shaping keeps ``gamma * phi(s')`` there too.

And no bonus crosses an episode boundary: ``reset()`` re-reads ``phi`` from the new first
observation, so the jump from one episode's last state to the next one's first is never
rewarded.

Equivalently (Wiewiora 2003), shaping with ``phi`` is the same as starting the agent's
Q-values at ``phi``: a good potential resembles the optimal value ``V*``, in its shape
(larger where the task is nearer done) and in its scale (returns of the task, up to
``max|r| / (1 - gamma)``). The named potentials in :mod:`nprl.envs.potentials` follow
that rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

from nprl.rewards import UNSHAPED_KEY

SHAPING_TERM = "shaping"  # name of the shaping term in info["reward_terms"]
ENV_TERM = "env"  # the env's own reward, when the env reports no terms of its own

Potential = Callable[[np.ndarray], float]


class PotentialShaping(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Add ``gamma * phi(s') - phi(s)`` to each reward, with ``phi(terminal) = 0``.

    Parameters
    ----------
    env : gymnasium.Env
        Any environment.
    potential : callable
        ``phi(observation) -> float``: any function of one observation. See
        :mod:`nprl.envs.potentials` for named ones.
    gamma : float
        The discount of the agent that learns from the shaped reward (in [0, 1]).

    Each step's ``info`` gains:

    - ``info["reward_terms"]``: the env's own terms (or ``{"env": reward}`` when it
      reports none) plus ``"shaping"``, so that the terms sum to the shaped reward;
    - ``info["unshaped_reward"]``: the task's own reward, exactly (what returns,
      evaluations and benchmarks score). Stacked shaping wrappers keep the innermost.
    """

    def __init__(self, env: gym.Env, potential: Potential, gamma: float) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, potential=potential, gamma=gamma)
        gym.Wrapper.__init__(self, env)
        if not callable(potential):
            raise ValueError(f"potential must be a function of the observation, "
                             f"got {potential!r}")
        if not 0.0 <= float(gamma) <= 1.0:
            raise ValueError(f"gamma must lie in [0, 1], got {gamma}")
        self.potential = potential
        self.gamma = float(gamma)
        self._phi: float | None = None  # phi of the current state; None = reset needed

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Reset the env and read ``phi`` of the new first state (nothing is added)."""
        obs, info = self.env.reset(seed=seed, options=options)
        self._phi = self._evaluate(obs)
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the env and return the shaped reward; ``info`` says what came from where."""
        if self._phi is None:
            raise gym.error.ResetNeeded("call reset() before step(), and again after an "
                                        "episode ends")
        obs, reward, terminated, truncated, info = self.env.step(action)
        phi_next = 0.0 if terminated else self._evaluate(obs)
        shaping = self.gamma * phi_next - self._phi
        # After the episode's end the next phi comes from reset(), never from this state.
        self._phi = None if (terminated or truncated) else phi_next
        info = dict(info)
        terms = dict(info.get("reward_terms") or {ENV_TERM: float(reward)})
        terms[SHAPING_TERM] = terms.get(SHAPING_TERM, 0.0) + shaping
        info["reward_terms"] = terms
        info.setdefault(UNSHAPED_KEY, float(reward))
        return obs, float(reward) + shaping, terminated, truncated, info

    def _evaluate(self, obs: Any) -> float:
        value = float(self.potential(obs))
        if not np.isfinite(value):
            raise ValueError(f"the potential returned {value} for observation {obs!r}; "
                             "it must be finite everywhere")
        return value


def unshaped_reward(reward: SupportsFloat, info: dict[str, Any]) -> float:
    """The task's own reward of a step: ``info["unshaped_reward"]`` when a shaping
    wrapper put it there, else ``reward`` itself."""
    return float(info.get(UNSHAPED_KEY, reward))
