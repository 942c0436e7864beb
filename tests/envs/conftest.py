"""Shared Lander helpers: put the lander in a chosen state, run an episode to its end."""

import pytest

from nprl.envs.lander_world import GOAL_HEIGHT


def place_lander(env, x_offset=0.0, height=0.02, angle=0.0, velocity=(0.0, 0.0), spin=0.0):
    """Put the lander ``x_offset`` metres right of and ``height`` metres above its resting
    point on the pad (where its body sits when it stands upright on the pad's centre)."""
    scene = env.unwrapped.scene
    lander = scene.lander
    lander.angle = angle
    lander.position = (scene.pad_x + x_offset, scene.pad_top + GOAL_HEIGHT + height)
    lander.velocity = velocity
    lander.angular_velocity = spin


def step_until_end(env, action=0, steps=300):
    """Step with ``action`` until the episode ends (or ``steps``); the last info."""
    for _ in range(steps):
        _, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return info
    return info


@pytest.fixture
def place():
    """:func:`place_lander`, for tests."""
    return place_lander


@pytest.fixture
def run_until_end():
    """:func:`step_until_end`, for tests."""
    return step_until_end
