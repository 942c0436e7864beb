"""Environments built on ``nprl.physics``, with the Gymnasium API, and the pixel games.

``import nprl`` registers ``nprl/Lander-v0`` (1000-step time limit), so
``gymnasium.make("nprl/Lander-v0")`` works anywhere. Atari (``make_atari``, extra
``atari``) and MinAtar (extra ``minatar``) come from ale-py and minatar, registered on
demand (``pixels.py``).
"""

from nprl.envs.atari import make_atari
from nprl.envs.lander import LanderEnv
from nprl.envs.lander_config import LanderConfig
from nprl.envs.lander_heuristic import heuristic_action
from nprl.envs.pixels import make_pixel_env
from nprl.envs.registration import register_envs

__all__ = ["LanderConfig", "LanderEnv", "heuristic_action", "make_atari", "make_pixel_env",
           "register_envs"]
