"""evaluate(): statistics of full episodes, repeatable by seed, training stream untouched."""

import gymnasium as gym
import numpy as np
import pytest

from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.evaluate import evaluate


def make_agent():
    env = gym.make("CartPole-v1")
    return DQNAgent(env.observation_space, env.action_space, DQNConfig(hidden_sizes=[8], seed=0))


def test_statistics_of_full_episodes_and_same_seed_same_result():
    agent = make_agent()
    env = gym.make("CartPole-v1")
    stats = evaluate(agent, env, episodes=4, epsilon=0.3, seed=11)
    returns = np.array(stats["returns"])
    assert len(returns) == 4 and stats["lengths"] == [int(r) for r in returns]  # +1 per step
    assert stats["mean"] == pytest.approx(returns.mean())
    assert stats["std"] == pytest.approx(returns.std())
    assert (stats["min"], stats["max"]) == (returns.min(), returns.max())
    assert evaluate(agent, gym.make("CartPole-v1"), episodes=4, epsilon=0.3, seed=11) == stats


def test_evaluation_leaves_the_agents_exploration_stream_alone():
    agent, twin = make_agent(), make_agent()
    evaluate(agent, gym.make("CartPole-v1"), episodes=2, epsilon=0.5, seed=1)
    obs = np.zeros(4, np.float32)
    assert [agent.act(obs, 0.5) for _ in range(50)] == [twin.act(obs, 0.5) for _ in range(50)]


def test_bad_arguments_raise():
    agent = make_agent()
    with pytest.raises(ValueError, match="episodes"):
        evaluate(agent, gym.make("CartPole-v1"), episodes=0)
    with pytest.raises(ValueError, match="epsilon"):
        evaluate(agent, gym.make("CartPole-v1"), episodes=1, epsilon=1.5)
