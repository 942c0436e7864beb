"""Environments built on ``nprl.physics``, with the Gymnasium API, and wrappers for any
Gymnasium environment (:mod:`nprl.envs.wrappers`: potential-based reward shaping, with
named potentials for the classic-control tasks in :mod:`nprl.envs.potentials`), and the
pixel games.

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
from nprl.envs.potentials import POTENTIALS, shape_env
from nprl.envs.registration import register_envs
from nprl.envs.wrappers import PotentialShaping

__all__ = ["POTENTIALS", "LanderConfig", "LanderEnv", "PotentialShaping", "heuristic_action",
           "make_atari", "make_pixel_env", "register_envs", "shape_env"]
