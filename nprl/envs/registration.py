"""Registering nprl's environments with Gymnasium (cheap: no physics is imported)."""

import gymnasium as gym

LANDER_ID = "nprl/Lander-v0"


def register_envs() -> None:
    """Register ``nprl/Lander-v0`` once; calling again is harmless."""
    if LANDER_ID not in gym.registry:
        gym.register(id=LANDER_ID, entry_point="nprl.envs.lander:LanderEnv",
                     max_episode_steps=1000)
