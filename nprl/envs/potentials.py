"""Named potentials for :class:`~nprl.envs.wrappers.PotentialShaping` on Gymnasium's
classic-control tasks, and the registry that ``DQNConfig.shaping`` names them from.

Shaping with ``phi`` is the same as starting the agent's Q-values at ``phi`` (Wiewiora
2003), so each potential below is a cheap guess of the task's optimal value ``V*``:

- its *shape* grows as the task nears completion;
- its *scale* is that of the task's discounted returns. With a reward of -1 per step and
  ``gamma = 0.98``, ``V*`` runs from about ``-1 / (1 - gamma) = -50`` (far from done) to 0
  (done), so a potential spanning a few tens is the right size; one spanning 0.001 (raw
  physical energy) would do nothing, one spanning thousands would drown the task's reward
  in the network's regression error.
- it is 0 where the task ends well (``phi(terminal) = 0`` is imposed by the wrapper; a
  potential near 0 just before the goal avoids a large jump at the last step).
- it keeps ``(1 - gamma) * |phi|`` below the task's per-step reward. Each step's shaping
  term is ``gamma * (phi(s') - phi(s)) - (1 - gamma) * phi(s)``: with ``phi <= 0`` the
  second part pays ``(1 - gamma) * |phi(s)|`` per step for *being* far from done. While
  that stays below the -1 per step, waiting still costs; above it (MountainCar with
  ``gamma = 0.98`` and a scale over 50), idling in the valley earns reward until the
  goal's value has propagated back, and DQN can get stuck there (a scale of 80 did, in
  the benchmark's tuning runs: -200 in 11 of 20 evaluations).

Every potential takes one observation (or a batch, on the last axis) and a ``scale``.
The registry's default scales of ``energy`` (20) and ``tip_height`` (40) are the ones
``benchmarks/shaping.py`` measured (``benchmarks/RESULTS.md``); ``upright``'s (10) follows
the rules above but has not been benchmarked.
A user's own potential is any function of the observation: pass it to
``PotentialShaping`` directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import gymnasium as gym
import numpy as np

from nprl.env_factory import NO_SHAPING
from nprl.envs.wrappers import Potential, PotentialShaping

# MountainCar-v0's physics (gymnasium/envs/classic_control/mountain_car.py): the track's
# slope pulls with -gravity * cos(3 x) per step, so E = v**2 / 2 + gravity / 3 * sin(3 x)
# is the car's mechanical energy per unit mass (conserved when the engine is off).
MOUNTAIN_CAR_GRAVITY = 0.0025
MOUNTAIN_CAR_GOAL = 0.5
CARTPOLE_ANGLE_LIMIT = 12 * 2 * math.pi / 360  # rad: beyond this the episode terminates
CARTPOLE_POSITION_LIMIT = 2.4
ACROBOT_GOAL_HEIGHT = 1.0  # tip height (in link lengths) that ends the episode


def mountain_car_energy(obs: np.ndarray, scale: float) -> float | np.ndarray:
    """MountainCar-v0: minus the mechanical energy the car still lacks to reach the flag.

    ``phi = -scale * max(E_goal - E, 0) / (E_goal - E_valley)`` with
    ``E = v**2 / 2 + (g / 3) * sin(3 x)`` (``x, v = obs``, ``g = 0.0025``), ``E_goal`` the
    energy at rest at the flag (``x = 0.5``) and ``E_valley`` at rest at the bottom. So
    ``phi`` is ``-scale`` at rest in the valley and rises with every bit of height or
    speed gained, up to 0 once the car has the energy to reach the flag.

    Why it helps: the only way up is to pump energy by rocking, and the task's reward
    (-1 per step until the flag) says nothing about progress until the flag is reached by
    chance. Energy measures that progress: each swing that gains energy earns a positive
    shaping term at once, so the agent learns to push with the velocity long before it
    has ever seen the flag.

    Why the cap at 0: ``V*`` is about 0 near the flag whatever the speed, and the wrapper
    sets ``phi(terminal) = 0``. Without the cap, a car arriving fast would have
    ``phi`` up to 1.5 x ``scale`` just before the flag, so its last step would cost that
    much: a cliff in the shaped values right where the policy matters most (the
    benchmark's first runs, uncapped, peaked early and then drifted back).
    """
    obs = np.asarray(obs, dtype=np.float64)
    position, velocity = obs[..., 0], obs[..., 1]
    potential = MOUNTAIN_CAR_GRAVITY / 3.0
    e_goal = potential * math.sin(3 * MOUNTAIN_CAR_GOAL)
    e_valley = -potential
    energy = 0.5 * velocity**2 + potential * np.sin(3 * position)
    lacking = np.maximum(e_goal - energy, 0.0)
    return _scalar(-scale * lacking / (e_goal - e_valley))


def cartpole_upright(obs: np.ndarray, scale: float) -> float | np.ndarray:
    """CartPole-v1: upright and centred.

    ``phi = scale * (1 - ((theta / 12 deg)**2 + (x / 2.4)**2) / 2)``: ``scale`` with the
    pole upright at the centre, ``scale / 2`` at either failure limit alone, 0 at both.

    Why it helps: the reward (+1 per step alive) only turns bad at the failing step. The
    potential says earlier that the pole leaning or the cart drifting is worse, and
    ending the episode (``phi(terminal) = 0``) costs the potential of the last state, a
    clear penalty for falling. Its scale should stay well below ``1 / (1 - gamma)``
    (100 at ``gamma = 0.99``), the return of balancing for ever.
    """
    obs = np.asarray(obs, dtype=np.float64)
    position, angle = obs[..., 0], obs[..., 2]
    deviation = (angle / CARTPOLE_ANGLE_LIMIT) ** 2 + (position / CARTPOLE_POSITION_LIMIT) ** 2
    return _scalar(scale * (1.0 - 0.5 * deviation))


def acrobot_tip_height(obs: np.ndarray, scale: float) -> float | np.ndarray:
    """Acrobot-v1: height of the free end, 0 at the goal line.

    ``phi = scale * (h - 1) / 3`` with the tip height (in link lengths)
    ``h = -cos(t1) - cos(t1 + t2)``, read from the observation
    ``(cos t1, sin t1, cos t2, sin t2, w1, w2)`` as ``h = -c1 - (c1 c2 - s1 s2)``. The
    episode ends when ``h > 1``, so ``phi`` is ``-scale`` hanging straight down and 0 at
    the goal line.

    Why it might help, and why it might not: height is what the task rewards in the end,
    but the way up is to swing, and each swing down loses height the potential charges
    for (it is paid back on the way up; over a full swing the terms cancel). Height
    without the kinetic term is a rougher guess of ``V*`` than MountainCar's energy.
    """
    obs = np.asarray(obs, dtype=np.float64)
    c1, s1, c2, s2 = obs[..., 0], obs[..., 1], obs[..., 2], obs[..., 3]
    height = -c1 - (c1 * c2 - s1 * s2)
    return _scalar(scale * (height - ACROBOT_GOAL_HEIGHT) / 3.0)


def _scalar(value: np.ndarray) -> float | np.ndarray:
    """A plain float for one observation, the array for a batch."""
    return float(value) if np.ndim(value) == 0 else value


@dataclass(frozen=True)
class NamedPotential:
    """A registered potential: the function, its default scale and the task it fits."""

    function: Callable[[np.ndarray, float], float | np.ndarray]
    scale: float  # default scale: the size of the task's values (see the module docstring)
    env_id: str  # the Gymnasium task it was written for
    obs_shape: tuple[int, ...]  # the observation shape it reads

    def make(self, scale: float | None = None) -> Potential:
        """The potential as a function of the observation alone."""
        return partial(self.function, scale=float(self.scale if scale is None else scale))


# The one list of names that DQNConfig.shaping accepts (looked up here, never imported).
POTENTIALS: dict[str, NamedPotential] = {
    "energy": NamedPotential(mountain_car_energy, 20.0, "MountainCar-v0", (2,)),
    "upright": NamedPotential(cartpole_upright, 10.0, "CartPole-v1", (4,)),
    "tip_height": NamedPotential(acrobot_tip_height, 40.0, "Acrobot-v1", (6,)),
}


def potential_names() -> list[str]:
    """Names of the registered potentials, in registry order."""
    return list(POTENTIALS)


def check_shaping_name(name: str) -> None:
    """Raise ``ValueError`` (one line, listing the known names) for an unknown name."""
    if name.lower() not in NO_SHAPING and name not in POTENTIALS:
        raise ValueError(f"unknown shaping {name!r}; known: none, "
                         f"{', '.join(potential_names())} (or pass your own potential "
                         "to nprl.envs.wrappers.PotentialShaping)")


def shape_env(env: gym.Env, name: str, gamma: float,
              scale: float | None = None) -> gym.Env:
    """``env`` wrapped in :class:`PotentialShaping` with the named potential, or ``env``
    itself for ``""`` / ``"none"``.

    Raises ``ValueError`` for an unknown name, or a potential written for another
    observation shape than ``env``'s.
    """
    check_shaping_name(name)
    if name.lower() in NO_SHAPING:
        return env
    named = POTENTIALS[name]
    shape = tuple(env.observation_space.shape or ())
    if shape != named.obs_shape:
        raise ValueError(f"shaping {name!r} is written for {named.env_id} (observations of "
                         f"shape {named.obs_shape}); this environment's are {shape}")
    return PotentialShaping(env, named.make(scale), gamma)
