"""A finished Lander episode stays finished until reset (issue 13).

Observed: after ``terminated=True`` (``crashed``, -118.7) the next step returned +1.07,
``terminated=False`` and ``outcome="flying"``: a crashed lander flew on and earned reward.
"""

import gymnasium as gym
import pytest

import nprl  # noqa: F401  (registers nprl/Lander-v0)


def fall_until_the_end(env, seed: int):
    env.reset(seed=seed)
    for _ in range(1000):
        _, reward, terminated, truncated, info = env.step(0)  # engines off: it falls
        if terminated or truncated:
            return terminated, info
    raise AssertionError("a lander with its engines off never came down")


def test_stepping_a_crashed_lander_raises_until_reset():
    env = gym.make("nprl/Lander-v0", stage=3, curriculum=False)
    terminated, info = fall_until_the_end(env, seed=4)
    assert terminated and info["outcome"] == "crashed"
    for _ in range(2):  # and it stays an error, however often it is tried
        with pytest.raises(RuntimeError, match="the episode has ended .*'crashed'.*reset"):
            env.step(0)
    obs, info = env.reset(seed=5)
    assert info["outcome"] == "flying"
    _, _, terminated, _, info = env.step(0)  # a fresh episode steps normally
    assert not terminated and info["outcome"] == "flying"
    env.close()


def test_a_landed_episode_ends_too():
    from nprl.envs.lander_heuristic import heuristic_action

    env = gym.make("nprl/Lander-v0", stage=0, curriculum=False)
    obs, _ = env.reset(seed=0)
    for _ in range(1000):
        obs, _, terminated, truncated, info = env.step(heuristic_action(obs))
        if terminated or truncated:
            break
    assert terminated and info["outcome"] == "landed"
    with pytest.raises(RuntimeError, match="'landed'"):
        env.step(0)
