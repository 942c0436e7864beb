"""The Python API refuses bad values where they enter, naming them (issue 13).

Seeds that are negative or not whole numbers used to reach NumPy's ``SeedSequence``
("expected non-negative integer", naming nothing); ``Adam(lr=inf)``, a Lander with
``gravity=nan`` or ``fps=0``, a replay buffer with ``obs_shape="4"`` were accepted and
failed (or silently misbehaved) later. DQNConfig and the nn layers have their own tests.
"""

import gymnasium as gym
import numpy as np
import pytest

import nprl  # noqa: F401  (registers the Lander)
from nprl.nn import SGD, Adam, Dense, RMSprop, Sequential
from nprl.rl import ReplayBuffer
from nprl.rl.evaluate import evaluate


@pytest.mark.parametrize("build, message", [
    (lambda: ReplayBuffer(10, (2,), seed=-1), "ReplayBuffer seed must be >= 0"),
    (lambda: ReplayBuffer(10, (2,), seed=1.5), "ReplayBuffer seed must be a whole number"),
    (lambda: ReplayBuffer(10, (2,), seed="7"), "ReplayBuffer seed must be a whole number"),
    (lambda: ReplayBuffer(10, "4"), "obs_shape must be a tuple"),
    (lambda: ReplayBuffer(10, (2.5,)), "obs_shape entry must be a whole number"),
    (lambda: ReplayBuffer(10, (0,)), "obs_shape entry must be >= 1"),
    (lambda: Adam(Dense(2, 2).parameters(), lr=float("inf")), "learning rate must be a finite"),
    (lambda: SGD(Dense(2, 2).parameters(), lr=float("nan")), "learning rate must be a finite"),
    (lambda: RMSprop(Dense(2, 2).parameters(), lr=-1.0), "learning rate must be >= 0"),
    (lambda: Dense(2, 2, rng=-5), "rng must be >= 0"),
    (lambda: gym.make("nprl/Lander-v0", gravity=float("nan")), "Lander setting gravity"),
    (lambda: gym.make("nprl/Lander-v0", fps=0), "Lander setting fps must be >= 1"),
    (lambda: gym.make("nprl/Lander-v0", fps=2.5), "Lander setting fps must be a whole"),
    (lambda: gym.make("nprl/Lander-v0", mass=0.0), "Lander setting mass must be > 0"),
    (lambda: gym.make("nprl/Lander-v0", crash_penalty=-1.0), "crash_penalty must be >= 0"),
])
def test_a_bad_value_is_refused_where_it_enters(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_a_bad_evaluation_or_training_seed_is_named():
    from nprl.rl.agent import DQNAgent
    from nprl.rl.config import DQNConfig

    env = gym.make("CartPole-v1")
    agent = DQNAgent(env.observation_space, env.action_space, DQNConfig(hidden_sizes=[4]))
    with pytest.raises(ValueError, match="evaluation seed must be >= 0"):
        evaluate(agent, env, 1, seed=-3)
    net = Sequential(Dense(2, 2))
    x, y = np.zeros((4, 2), np.float32), np.zeros((4, 2), np.float32)
    from nprl.nn import MSELoss

    with pytest.raises(ValueError, match="fit seed must be a whole number"):
        net.fit(x, y, MSELoss(), SGD(net.parameters(), lr=0.1), seed=0.5)


def test_seeds_in_every_accepted_form_still_work():
    for seed in (0, 7, np.int64(7), 2**70, np.random.SeedSequence(3), None):
        ReplayBuffer(4, (2,), seed=seed)
    assert gym.make("nprl/Lander-v0", fps=30.0).unwrapped.config.fps == 30
