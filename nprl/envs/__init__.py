"""Environments built on ``nprl.physics``, with the Gymnasium API, and wrappers for any
Gymnasium environment (:mod:`nprl.envs.wrappers`: potential-based reward shaping, with
named potentials for the classic-control tasks in :mod:`nprl.envs.potentials`).

``import nprl`` registers ``nprl/Lander-v0`` (1000-step time limit), so
``gymnasium.make("nprl/Lander-v0")`` works anywhere.
"""

from nprl.envs.lander import LanderEnv
from nprl.envs.lander_config import LanderConfig
from nprl.envs.lander_heuristic import heuristic_action
from nprl.envs.potentials import POTENTIALS, shape_env
from nprl.envs.registration import register_envs
from nprl.envs.wrappers import PotentialShaping

__all__ = ["POTENTIALS", "LanderConfig", "LanderEnv", "PotentialShaping", "heuristic_action",
           "register_envs", "shape_env"]
