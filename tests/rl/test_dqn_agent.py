"""DQNAgent: acting, the gradient of one update, target updates, save/load, variants."""

import gymnasium as gym
import numpy as np
import pytest

from nprl.fileio import write_manifest
from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.targets import td_targets

OBS = gym.spaces.Box(-1.0, 1.0, shape=(3,), dtype=np.float32)
ACTIONS = gym.spaces.Discrete(2)


def make_agent(**overrides):
    config = DQNConfig(hidden_sizes=[8], batch_size=16, buffer_size=200, seed=3, **overrides)
    return DQNAgent(OBS, ACTIONS, config)


def fill(agent, count=64, seed=0):
    rng = np.random.default_rng(seed)
    for i in range(count):
        obs, next_obs = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)
        action = int(rng.integers(2))
        end = i % 10 == 9
        agent.observe(obs, action, float(action), next_obs, terminated=end)
        if end:
            agent.end_episode()


def test_act_is_greedy_without_epsilon_and_random_with_epsilon_one():
    agent = make_agent()
    obs = np.array([0.1, -0.2, 0.3], np.float32)
    assert agent.act(obs) == int(agent.q_values(obs[None])[0].argmax())
    actions = [agent.act(obs, epsilon=1.0) for _ in range(400)]
    assert 150 < sum(actions) < 250


def test_one_update_follows_the_gradient_of_the_td_loss():
    # With SGD, one update must move each parameter by -lr * dL/dparam, where L is the
    # mean squared TD error on the batch with targets held fixed: check by finite differences.
    agent = make_agent(optimizer="sgd", learning_rate=0.1, dtype="float64", loss="mse")
    fill(agent)
    batch = agent.buffer.gather(np.arange(16))
    targets = td_targets(batch.rewards, batch.terminated, agent.target_net.predict(batch.next_obs),
                         agent.config.gamma, batch.n_steps)

    def loss():
        q = agent.q_net.predict(batch.obs)[np.arange(16), batch.actions]
        return float(np.mean((q - targets) ** 2))

    params = agent.q_net.parameters()
    expected = []
    for param in params:
        grad = np.zeros_like(param.data)
        for i in np.ndindex(param.data.shape):
            old = param.data[i]
            param.data[i] = old + 1e-6
            plus = loss()
            param.data[i] = old - 1e-6
            minus = loss()
            param.data[i] = old
            grad[i] = (plus - minus) / 2e-6
        expected.append(param.data - 0.1 * grad)
    metrics, td = agent.learn(batch)
    assert metrics["td_loss"] == pytest.approx(float(np.mean(td**2)))
    for param, want in zip(params, expected):
        assert np.allclose(param.data, want, atol=1e-8)


def test_hard_and_polyak_target_updates():
    agent = make_agent(learning_starts=0)
    fill(agent)
    agent.update()
    online = [p.data.copy() for p in agent.q_net.parameters()]
    before = [p.data.copy() for p in agent.target_net.parameters()]
    assert not all(np.array_equal(a, b) for a, b in zip(online, before))
    agent.config.tau = 0.25
    agent.update_target()
    for target, a, b in zip(agent.target_net.parameters(), online, before):
        assert np.allclose(target.data, 0.25 * a + 0.75 * b)
    agent.config.tau = 1.0
    agent.update_target()
    for target, a in zip(agent.target_net.parameters(), online):
        assert np.array_equal(target.data, a)


@pytest.mark.parametrize("variant", [
    {}, {"double_q": True, "dueling": True, "loss": "huber", "max_grad_norm": 1.0},
    {"prioritized": True, "n_step": 3}, {"success_buffer": True, "success_batch_size": 4},
])
def test_variants_learn_a_one_step_bandit(variant):
    # Reward = action, episode ends at once: Q(s, 1) -> 1 and Q(s, 0) -> 0.
    agent = make_agent(learning_rate=1e-2, **variant)
    rng = np.random.default_rng(0)
    for _ in range(300):
        obs = rng.uniform(-1, 1, 3)
        action = int(rng.integers(2))
        agent.observe(obs, action, float(action), obs, terminated=True)
        agent.end_episode(success=action == 1)
    for _ in range(300):
        metrics = agent.update(beta=0.5)
    q = agent.q_values(rng.uniform(-1, 1, (20, 3)))
    assert np.all(np.abs(q[:, 1] - 1.0) < 0.15) and np.all(np.abs(q[:, 0]) < 0.15)
    assert set(metrics) >= {"td_loss", "q_mean"}


def test_save_load_round_trip_continues_identically(tmp_path):
    agent = make_agent(prioritized=True, success_buffer=True, success_batch_size=4)
    fill(agent, 80)
    agent.end_episode(success=True)
    for _ in range(5):
        agent.update()
    agent.save(tmp_path / "agent", include_buffer=True)
    copy = DQNAgent.load(tmp_path / "agent")
    for _ in range(5):
        a, b = agent.update(), copy.update()
        assert a == b
    obs = np.ones((4, 3), np.float32)
    assert np.array_equal(agent.q_values(obs), copy.q_values(obs))
    assert agent.act(obs[0], 0.5) == copy.act(obs[0], 0.5)


def test_load_of_missing_folder_names_the_file(tmp_path):
    with pytest.raises(ValueError, match="agent.json"):
        DQNAgent.load(tmp_path / "nothing")


def test_continuous_actions_are_refused_clearly():
    with pytest.raises(ValueError, match="discrete action space"):
        DQNAgent(OBS, gym.spaces.Box(-1, 1, (2,)), DQNConfig())


def test_saved_networks_are_plain_nprl_nn_folders(tmp_path):
    from nprl.nn import load

    agent = make_agent(dueling=True)
    agent.save(tmp_path / "agent")
    net = load(tmp_path / "agent" / "q_net")
    obs = np.ones((3, 3), np.float32)
    assert np.array_equal(net.predict(obs), agent.q_values(obs))


def test_incomplete_agent_folder_is_a_clear_error(tmp_path):
    agent = make_agent()
    agent.save(tmp_path / "agent")
    (tmp_path / "agent" / "agent.json").write_text('{"format": 1}')
    with pytest.raises(ValueError, match=r"agent\.json: damaged or changed since it was saved"):
        DQNAgent.load(tmp_path / "agent")
    write_manifest(tmp_path / "agent")  # edited on purpose: the check behind the manifest
    with pytest.raises(ValueError, match="not a complete nprl agent"):
        DQNAgent.load(tmp_path / "agent")


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam", "adamw"])
def test_make_optimizer_builds_the_named_nn_optimizer(name):
    from nprl.nn import OPTIMIZERS, Parameter
    from nprl.rl.agent import make_optimizer

    optimizer = make_optimizer(DQNConfig(optimizer=name, learning_rate=0.01),
                               [Parameter(np.zeros(3, np.float32))])
    assert type(optimizer) is OPTIMIZERS[name]
    assert optimizer.lr == 0.01


def test_make_optimizer_rejects_an_unknown_name_instead_of_using_sgd():
    import dataclasses

    from nprl.nn import Parameter
    from nprl.rl.agent import make_optimizer

    config = dataclasses.replace(DQNConfig(), optimizer="sgd")
    config.optimizer = "nadam"  # past the config's own check, as a stale object could be
    with pytest.raises(ValueError, match="unknown optimizer 'nadam'"):
        make_optimizer(config, [Parameter(np.zeros(3, np.float32))])


def test_double_dqn_skips_the_target_forward_only_while_the_target_is_a_fresh_copy():
    # Target copied after every update (atari-100k): Q_target(s') is the online net's own
    # Q(s'), so one forward serves both. Same parameters as always running the target net,
    # bit for bit, and the target net runs again as soon as it lags or is a Polyak mix.
    def train(shortcut, tau=1.0):
        agent = make_agent(learning_starts=0, double_q=True, tau=tau)
        fill(agent)
        calls = []
        predict = agent.target_net.predict
        agent.target_net.predict = lambda x: calls.append(1) or predict(x)
        for update in range(6):
            if not shortcut:
                agent._target_is_online = False
            agent.update()
            if update != 2:  # one update without a sync: the target lags behind
                agent.update_target()
        return [p.data.copy() for p in agent.q_net.parameters()], len(calls)

    fast, fast_calls = train(shortcut=True)
    slow, slow_calls = train(shortcut=False)
    assert (fast_calls, slow_calls) == (1, 6)  # only the update after the lagging one
    for a, b in zip(fast, slow):
        assert np.array_equal(a, b)
    assert train(shortcut=True, tau=0.5)[1] == 5  # Polyak: only the very first is a copy
