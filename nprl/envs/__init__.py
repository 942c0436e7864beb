"""Environments built on ``nprl.physics``, with the Gymnasium API.

``import nprl`` registers ``nprl/Lander-v0`` (1000-step time limit), so
``gymnasium.make("nprl/Lander-v0")`` works anywhere.
"""

from nprl.envs.lander import LanderEnv
from nprl.envs.lander_config import LanderConfig
from nprl.envs.lander_heuristic import heuristic_action
from nprl.envs.registration import register_envs

__all__ = ["LanderConfig", "LanderEnv", "heuristic_action", "register_envs"]
