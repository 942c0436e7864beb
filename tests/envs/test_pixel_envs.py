"""Pixel environments: Atari through make_atari, MinAtar registered on demand."""

import sys

import gymnasium as gym
import numpy as np
import pytest

from nprl.envs.atari import make_atari
from nprl.envs.pixels import (
    MINATAR_GAMES,
    frames_per_step,
    make_pixel_env,
    pixel_action_names,
    register_pixel_envs,
)
from nprl.errors import UserError


def test_atari_observations_are_four_stacked_84x84_uint8_frames_padded_at_reset():
    env = make_atari("ALE/Breakout-v5")
    obs, _ = env.reset(seed=0)
    assert env.observation_space.shape == obs.shape == (4, 84, 84)
    assert obs.dtype == np.uint8
    assert all(np.array_equal(frame, obs[-1]) for frame in obs)  # reset frame, repeated
    next_obs, *_ = env.step(0)
    np.testing.assert_array_equal(next_obs[:3], obs[1:])  # the stack slides by one frame
    assert frames_per_step(env) == 4
    assert pixel_action_names(env) == ["NOOP", "FIRE", "RIGHT", "LEFT"]


def test_atari_rewards_are_clipped_for_learning_and_the_score_is_kept():
    env = make_atari("ALE/SpaceInvaders-v5", repeat_action_probability=0.0)
    env.reset(seed=1)
    raw = []
    for _ in range(400):  # a random player shoots aliens worth 5 to 30 points
        _, reward, terminated, truncated, info = env.step(env.action_space.sample())
        raw.append(info["raw_reward"])
        assert reward == np.sign(info["raw_reward"])
        if terminated or truncated:
            break
    assert max(raw) > 1


def test_breakout_starts_moving_after_reset_without_the_agent_pressing_fire():
    env = make_atari("ALE/Breakout-v5", repeat_action_probability=0.0, noop_max=0)
    obs, _ = env.reset(seed=0)
    frames = [obs[-1]]
    for _ in range(20):  # NOOP only: the ball must be in play thanks to FireOnReset
        obs, *_ = env.step(0)
        frames.append(obs[-1])
    assert any(not np.array_equal(frames[0], frame) for frame in frames[1:])
    env = make_atari("ALE/Breakout-v5", repeat_action_probability=0.0, noop_max=0,
                     fire_on_reset=False)
    obs, _ = env.reset(seed=0)
    still = [env.step(0)[0][-1] for _ in range(20)]
    assert all(np.array_equal(obs[-1], frame) for frame in still)


def test_a_whole_breakout_game_of_noops_ends_because_each_new_ball_is_served():
    # Without FIRE after a lost life the game would wait for it until the time limit.
    env = make_atari("ALE/Breakout-v5", repeat_action_probability=0.0, noop_max=0)
    env.reset(seed=0)
    lives = [env.unwrapped.ale.lives()]
    for _ in range(3000):
        *_, terminated, truncated, _ = env.step(0)
        lives.append(env.unwrapped.ale.lives())
        if terminated or truncated:
            break
    assert terminated and not truncated
    assert lives[0] == 5 and lives[-1] == 0


def test_terminal_on_life_loss_ends_the_learning_episode_early():
    whole = make_atari("ALE/Breakout-v5", repeat_action_probability=0.0)
    life = make_atari("ALE/Breakout-v5", repeat_action_probability=0.0,
                      terminal_on_life_loss=True)

    def length(env):
        env.reset(seed=3)
        for step in range(1, 5000):
            *_, terminated, truncated, _ = env.step(1)  # FIRE: each life starts
            if terminated or truncated:
                return step
        return None

    assert length(life) < length(whole)


@pytest.mark.parametrize("game", MINATAR_GAMES)
def test_every_minatar_game_gives_10x10_bool_planes_channels_last(game):
    env = make_pixel_env(f"MinAtar/{game}-v1", render_mode="rgb_array")
    obs, _ = env.reset(seed=0)
    assert obs.shape[:2] == (10, 10) and obs.dtype == np.bool_
    assert env.observation_space.shape == obs.shape
    picture = env.render()
    assert picture.shape == (160, 160, 3) and picture.dtype == np.uint8
    assert frames_per_step(env) == 1
    assert len(pixel_action_names(env)) == env.action_space.n


def test_a_missing_extra_is_one_line_naming_the_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "minatar", None)
    monkeypatch.setitem(sys.modules, "minatar.gym", None)
    monkeypatch.setitem(sys.modules, "ale_py", None)
    with pytest.raises(UserError, match=r"pip install 'nprl\[minatar\]'"):
        register_pixel_envs("MinAtar/NotRegisteredYet-v1")
    with pytest.raises(UserError, match=r"pip install 'nprl\[atari\]'"):
        register_pixel_envs("ALE/NotRegisteredYet-v5")
    register_pixel_envs("CartPole-v1")  # not a pixel id: nothing to do


def test_gym_make_finds_the_ids_once_nprl_registered_them():
    register_pixel_envs("MinAtar/Breakout-v1")
    assert "MinAtar/Seaquest-v1" in gym.registry
