"""rl gets its environments from the installed factory and keeps an env's own state in
checkpoints through the env-state protocol (checkpoint_state / load_checkpoint_state)."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest

from nprl import env_factory
from nprl.envs.registration import ENVS
from nprl.rl.config import DQNConfig
from nprl.rl.environments import env_state, make_env, restore_env_state, shaped
from nprl.rl.run_dir import RunDir
from nprl.rl.train import resume, train

TINY = {"total_steps": 300, "learning_starts": 50, "batch_size": 16, "buffer_size": 1000,
        "hidden_sizes": [16], "checkpoint_interval": 100, "eval_interval": 0, "seed": 3}


class CountingEnv(gym.Env):
    """Ten-step episodes; counts finished episodes, a count it keeps in checkpoints."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, render_mode: str | None = None) -> None:
        self.render_mode = render_mode
        self.finished = 0
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.zeros(2, np.float32), {}

    def step(self, action):
        self.t += 1
        done = self.t == 10
        self.finished += done
        return np.full(2, self.t / 10, np.float32), float(action), done, False, {}

    def checkpoint_state(self) -> dict:
        return {"finished": self.finished}

    def load_checkpoint_state(self, state: dict) -> None:
        if type(state.get("finished")) is not int:
            raise ValueError("finished must be a whole number")
        self.finished = state["finished"]


@pytest.fixture(scope="module", autouse=True)
def counting_env_id():
    gym.register("nprl-test/Counting-v0", entry_point=CountingEnv)
    yield "nprl-test/Counting-v0"
    del gym.registry["nprl-test/Counting-v0"]


def test_the_package_root_installs_the_envs_factory():
    assert env_factory.env_factory() is ENVS


def test_an_envs_own_state_goes_into_the_checkpoint_and_comes_back_on_resume(tmp_path):
    run_dir = tmp_path / "run"
    first = train("nprl-test/Counting-v0", DQNConfig(**TINY), run_dir=run_dir)
    saved = json.loads((RunDir(run_dir).latest_checkpoint() / "state.json").read_text())
    assert first.episodes == 30 and saved["env_state"] == {"finished": 30}
    resume(run_dir, total_steps=400)
    final = json.loads((RunDir(run_dir).latest_checkpoint() / "state.json").read_text())
    assert final["env_state"] == {"finished": 40}  # 30 restored + 10 in this session


def test_a_refused_env_state_names_the_checkpoint_file():
    env = make_env("nprl-test/Counting-v0")
    assert env_state(env) == {"finished": 0}
    with pytest.raises(ValueError, match=r"state\.json: finished must be a whole number"):
        restore_env_state(env, {"finished": "many"}, "x/state.json")
    with pytest.raises(ValueError, match="holds an environment state, but CartPole-v1"):
        restore_env_state(make_env("CartPole-v1"), {"finished": 1}, "x/state.json")
    assert env_state(make_env("CartPole-v1")) is None


def test_without_the_envs_factory_rl_falls_back_to_plain_gymnasium(monkeypatch):
    monkeypatch.setattr(env_factory, "_installed", env_factory.PlainGym())
    plain = env_factory.env_factory()
    assert make_env("CartPole-v1").spec.id == "CartPole-v1"
    assert shaped(make_env("CartPole-v1"), DQNConfig()).spec.id == "CartPole-v1"
    with pytest.raises(ValueError, match="unknown shaping 'upright'"):
        plain.check_shaping_name("upright")
    with pytest.raises(ValueError, match="not registered"):
        plain.check_id_from_file("evil:Env-v0", "config.json")
    assert plain.frames_per_step(make_env("CartPole-v1")) is None


def test_a_minatar_games_random_state_round_trips():
    pytest.importorskip("minatar")
    env = make_env("MinAtar/Breakout-v1")
    env.reset(seed=5)
    for _ in range(20):
        env.step(1)
    state = env_state(env)
    assert state["name"] == "MT19937" and len(state["keys"]) == 624
    other = make_env("MinAtar/Breakout-v1")
    other.reset(seed=6)
    restore_env_state(other, state, "state.json")
    assert env_state(other) == state
    game, restored = env.unwrapped.game, other.unwrapped.game
    assert np.array_equal(game.random.random_sample(5), restored.random.random_sample(5))
    assert restored.env.random is restored.random  # one stream, as minatar seeds it
    with pytest.raises(ValueError, match="not an MT19937 state"):
        restore_env_state(other, {**state, "keys": [1, 2]}, "state.json")
