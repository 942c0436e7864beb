"""The Lander's action names and ``action_of`` are read off the engines each action fires."""

import pytest

from nprl.envs import LanderEnv
from nprl.envs.lander_actions import ACTION_NAMES, action_of


def test_the_names_are_those_of_the_design():
    assert ACTION_NAMES == ("nothing", "main", "left", "right", "main+left", "main+right")


@pytest.mark.parametrize("action", range(6))
def test_each_name_says_which_engines_the_env_fires(action):
    env = LanderEnv(stage=3)
    env.reset(seed=0)
    env.step(action)
    fired = {name for name, on in zip(("main", "left", "right"), env.engines) if on}
    assert fired == (set(ACTION_NAMES[action].split("+")) - {"nothing"})
    assert action_of(*env.engines) == action


def test_no_action_fires_both_side_thrusters():
    with pytest.raises(ValueError, match="no Lander action"):
        action_of(False, True, True)
