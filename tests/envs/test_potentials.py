"""The named potentials: their formulas at known states, the physics they claim to
measure, and the registry's clear errors."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest

from nprl.envs.potentials import (
    POTENTIALS,
    acrobot_tip_height,
    cartpole_upright,
    check_shaping_name,
    mountain_car_energy,
    shape_env,
)
from nprl.envs.wrappers import PotentialShaping


def test_mountain_car_energy_is_minus_scale_in_the_valley_and_zero_at_the_goal():
    valley = [-math.pi / 6, 0.0]  # bottom of the track: sin(3x) = -1
    assert mountain_car_energy(valley, scale=40.0) == pytest.approx(-40.0)
    assert mountain_car_energy([0.5, 0.0], scale=40.0) == pytest.approx(0.0, abs=1e-12)
    # half-way in energy: sin(3x) = (sin(1.5) - 1) / 2, at rest
    x = math.asin((math.sin(1.5) - 1) / 2) / 3
    assert mountain_car_energy([x, 0.0], scale=40.0) == pytest.approx(-20.0)
    # speed is energy too: v**2 / 2 on the same scale as the height term
    delta = 0.0025 / 3 * (math.sin(1.5) + 1)
    assert mountain_car_energy([-math.pi / 6, 0.05], scale=1.0) == pytest.approx(
        -1.0 + 0.5 * 0.05**2 / delta)
    # enough energy for the flag is enough: no more potential for going faster
    assert mountain_car_energy([0.45, 0.07], scale=40.0) == 0.0
    assert mountain_car_energy([-1.2, 0.07], scale=40.0) == 0.0  # high on the left, fast


def test_mountain_car_energy_is_nearly_conserved_when_coasting_and_grows_when_pushing():
    env = gym.make("MountainCar-v0")
    obs, _ = env.reset(seed=0)
    start = mountain_car_energy(obs, scale=40.0)
    for _ in range(30):  # action 1: no engine
        obs = env.step(1)[0]
    coasting = mountain_car_energy(obs, scale=40.0)
    assert abs(coasting - start) < 1.0  # Euler steps leak a little, not more
    obs, _ = env.reset(seed=0)
    for _ in range(60):  # push along the velocity: the textbook way up
        obs = env.step(2 if obs[1] >= 0 else 0)[0]
    assert mountain_car_energy(obs, scale=40.0) > start + 10.0


def test_cartpole_upright_is_scale_at_the_centre_and_half_at_one_limit():
    assert cartpole_upright([0.0, 0.0, 0.0, 0.0], scale=10.0) == pytest.approx(10.0)
    assert cartpole_upright([2.4, 0.0, 0.0, 0.0], scale=10.0) == pytest.approx(5.0)
    assert cartpole_upright([0.0, 0.0, -12 * math.pi / 180, 0.0], scale=10.0) == pytest.approx(5.0)
    assert cartpole_upright([2.4, 3.0, 12 * math.pi / 180, -1.0], scale=10.0) == pytest.approx(0.0)


def test_acrobot_tip_height_from_the_observation():
    down = [1.0, 0.0, 1.0, 0.0, 0.0, 0.0]  # t1 = t2 = 0: hanging, tip at -2
    assert acrobot_tip_height(down, scale=30.0) == pytest.approx(-30.0)
    up = [-1.0, 0.0, 1.0, 0.0, 0.0, 0.0]  # t1 = pi, t2 = 0: straight up, tip at +2
    assert acrobot_tip_height(up, scale=30.0) == pytest.approx(10.0)
    # t1 = pi/2 (first link horizontal), t2 = pi/2: tip one link length up, the goal line
    line = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    assert acrobot_tip_height(line, scale=30.0) == pytest.approx(0.0, abs=1e-12)
    # the same height as Gymnasium's own termination test measures
    env = gym.make("Acrobot-v1").unwrapped
    env.reset(seed=4)
    t1, t2 = env.state[0], env.state[1]
    obs = env._get_ob()
    assert acrobot_tip_height(obs, 3.0) == pytest.approx(-math.cos(t1) - math.cos(t1 + t2) - 1)


def test_potentials_take_a_batch_of_observations():
    batch = np.array([[-math.pi / 6, 0.0], [0.5, 0.0]])
    np.testing.assert_allclose(mountain_car_energy(batch, 40.0), [-40.0, 0.0], atol=1e-12)


def test_every_registered_potential_fits_its_env():
    for name, named in POTENTIALS.items():
        env = shape_env(gym.make(named.env_id), name, 0.99)
        assert isinstance(env, PotentialShaping)
        obs, _ = env.reset(seed=0)
        reward, info = env.step(env.action_space.sample())[1::3]
        assert math.isfinite(reward) and set(info["reward_terms"]) == {"env", "shaping"}
        # the default scale is the size of a task's values, neither 0.001 nor 10,000
        assert -2 * named.scale <= named.make()(obs) <= 2 * named.scale
        assert 1.0 <= named.scale <= 100.0


def test_shape_env_with_none_returns_the_env_itself():
    env = gym.make("CartPole-v1")
    assert shape_env(env, "none", 0.99) is env and shape_env(env, "", 0.99) is env


def test_a_scale_override_scales_the_shaping_term():
    terms = []
    for scale in (1.0, 3.0):
        env = shape_env(gym.make("MountainCar-v0"), "energy", 0.98, scale)
        env.reset(seed=1)
        terms.append(env.step(2)[4]["reward_terms"]["shaping"])
    assert terms[1] == pytest.approx(3.0 * terms[0])


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError) as error:
        check_shaping_name("enrgy")
    message = str(error.value)
    assert "'enrgy'" in message and "energy" in message and "tip_height" in message
    assert "\n" not in message


def test_a_potential_for_another_task_is_refused():
    with pytest.raises(ValueError, match="MountainCar-v0"):
        shape_env(gym.make("CartPole-v1"), "energy", 0.99)
