"""LanderEnv: Gymnasium API, determinism, reward bookkeeping, curriculum, outcomes, drawing."""

import math

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import nprl  # noqa: F401  (registers nprl/Lander-v0)
from nprl.envs import LanderEnv, heuristic_action
from nprl.envs.curriculum import HARDEST_STAGE, SPAWN_HEIGHTS, Curriculum


def rollout(env, actions, seed):
    obs, _ = env.reset(seed=seed)
    trajectory = [obs]
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        trajectory.append(obs)
        if terminated or truncated:
            break
    return np.array(trajectory)


def test_passes_gymnasium_env_checker():
    check_env(LanderEnv(), skip_render_check=True)


def test_passes_gymnasium_env_checker_with_rendering():
    pytest.importorskip("pygame")
    check_env(gym.make("nprl/Lander-v0", render_mode="rgb_array").unwrapped)


def test_registered_with_a_1000_step_time_limit():
    env = gym.make("nprl/Lander-v0")
    assert env.spec.max_episode_steps == 1000
    obs, info = env.reset(seed=0)
    assert obs.shape == (9,) and obs.dtype == np.float32
    assert env.action_space.n == 6


def test_same_seed_and_actions_give_the_same_trajectory():
    actions = np.random.default_rng(5).integers(0, 6, size=300)
    first = rollout(LanderEnv(stage=3), actions, seed=11)
    second = rollout(LanderEnv(stage=3), actions, seed=11)
    other = rollout(LanderEnv(stage=3), actions, seed=12)
    np.testing.assert_array_equal(first, second)
    assert first.shape != other.shape or not np.array_equal(first, other)


def test_reward_terms_sum_to_the_reward():
    env = LanderEnv(stage=3)
    obs, _ = env.reset(seed=2)
    names = None
    for t in range(400):
        action = heuristic_action(obs) if t % 3 else t % 6
        obs, reward, terminated, truncated, info = env.step(action)
        terms = info["reward_terms"]
        names = names or set(terms)
        assert set(terms) == names
        assert math.isclose(sum(terms.values()), reward, rel_tol=0, abs_tol=1e-12)
        if terminated:
            break
    assert {"distance", "speed", "tilt", "alignment", "leg_contact", "thrust",
            "outcome"} <= names


def test_engines_push_and_turn_the_right_way():
    def after_ten_steps(action):
        env = LanderEnv(stage=0)
        env.reset(seed=0)
        for _ in range(10):
            env.step(action)
        return env.scene.lander

    idle = after_ten_steps(0)
    assert idle.angular_velocity == 0.0 and idle.velocity[1] < 0  # falls, does not turn
    assert after_ten_steps(1).velocity[1] > idle.velocity[1] + 0.5  # main engine: up
    assert after_ten_steps(2).angular_velocity > 0.05  # left thruster: counter-clockwise
    assert after_ten_steps(3).angular_velocity < -0.05  # right thruster: clockwise
    assert after_ten_steps(4).angular_velocity > 0.05
    assert after_ten_steps(5).angular_velocity < -0.05


def test_gentle_touchdown_on_the_pad_is_a_success(place, run_until_end):
    env = LanderEnv(stage=0)
    env.reset(seed=0)
    place(env)
    info = run_until_end(env)
    assert info["outcome"] == "landed" and info["is_success"]
    assert info["reward_terms"]["outcome"] == 120.0
    assert env.curriculum.successes == 1


def test_resting_half_off_the_pad_ends_the_episode_without_success(place, run_until_end):
    # One foot on the pad, one on the lower ground beside it: it rests tilted, and the
    # episode must end there (no leg-contact bonus farmed until the time limit).
    env = LanderEnv(stage=0)
    env.reset(seed=0)
    place(env, x_offset=env.config.pad_half_width + 0.1, height=0.05)
    info = run_until_end(env, steps=600)
    assert info["outcome"] == "landed_off_pad" and not info["is_success"]
    assert info["reward_terms"]["outcome"] == 0.0  # neither the bonus nor the penalty


@pytest.mark.parametrize("how", ["fast", "tilted", "upside_down"])
def test_crashes_are_detected(how, place, run_until_end):
    env = LanderEnv(stage=0)
    env.reset(seed=0)
    if how == "fast":
        place(env, height=0.05, velocity=(0.0, -4.0))
    elif how == "tilted":
        place(env, height=0.3, angle=0.9)
    else:
        place(env, height=1.0, angle=math.pi)
    info = run_until_end(env)
    assert info["outcome"] == "crashed" and not info["is_success"]
    assert info["reward_terms"]["outcome"] == -120.0
    assert env.curriculum.successes == 0


def test_leaving_the_area_ends_the_episode(place, run_until_end):
    env = LanderEnv(stage=0, gravity=0.0)
    env.reset(seed=0)
    place(env, height=3.0, velocity=(15.0, 0.0))
    info = run_until_end(env)
    assert info["outcome"] == "left_area"
    assert info["reward_terms"]["outcome"] == -120.0  # as bad as a crash


def test_curriculum_stages_follow_successes():
    curriculum = Curriculum()
    stages = []
    for successes in (0, 99, 100, 199, 200, 299, 300, 5000):
        curriculum.successes = successes
        stages.append(curriculum.stage)
    assert stages == [0, 0, 1, 1, 2, 2, 3, 3]
    # Only landings count: 99 landings among failures stay in stage 0, the 100th moves on.
    counted = Curriculum()
    for episode in range(300):
        counted.record(episode % 3 == 0 and episode < 297)
    assert counted.successes == 99 and counted.stage == 0
    counted.record(True)
    assert counted.successes == 100 and counted.stage == 1
    assert Curriculum(enabled=False).stage == HARDEST_STAGE
    assert Curriculum(stage=1).stage == 1
    with pytest.raises(ValueError, match="stage"):
        Curriculum(stage=7)


def test_spawn_height_rises_with_the_stage_and_state_round_trips():
    env = LanderEnv()
    heights = []
    for successes in (0, 100, 200):
        env.load_checkpoint_state({"successes": successes})
        _, info = env.reset(seed=0)
        heights.append(env.scene.lander.position[1] - env.scene.pad_top)
        assert info["stage"] == successes // 100
    assert heights[0] < heights[1] < heights[2]
    assert abs(heights[0] - SPAWN_HEIGHTS[0]) < 0.5
    state = env.checkpoint_state()
    fresh = LanderEnv()
    fresh.load_checkpoint_state(state)
    assert fresh.curriculum.stage == 2


def test_hardest_stage_moves_the_pad():
    env = LanderEnv(curriculum=False)
    pads = set()
    for seed in range(5):
        env.reset(seed=seed)
        pads.add(round(env.scene.pad_x, 3))
    assert len(pads) == 5


def test_heuristic_lands_at_the_hardest_stage():
    env = gym.make("nprl/Lander-v0", stage=3)
    landed = 0
    for seed in range(10):
        obs, _ = env.reset(seed=seed)
        while True:
            obs, _, terminated, truncated, info = env.step(heuristic_action(obs))
            if terminated or truncated:
                break
        landed += info["is_success"]
    assert landed >= 9


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="unknown Lander setting"):
        LanderEnv(gravty=3.0)
    with pytest.raises(ValueError, match="render_mode"):
        LanderEnv(render_mode="window")
    env = LanderEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(6)


def test_rgb_array_renders_headless():
    pytest.importorskip("pygame")
    env = LanderEnv(render_mode="rgb_array", stage=3)
    obs, _ = env.reset(seed=1)
    env.step(1)  # main engine on: a flame is drawn
    frame = env.render()
    assert frame.shape == (405, 600, 3) and frame.dtype == np.uint8
    assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 5
    env.close()
