"""``PotentialShaping``: what is optimal does not change, and the episode-boundary cases.

The invariance is checked on small random MDPs solved exactly by value iteration: the
shaped model is read off the wrapper itself (its reward for every transition), and the
optimal policy must be the same while ``Q'* = Q* - phi(s)`` holds to rounding. A wrong
discount in the wrapper must break that relation (so the check can fail).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from nprl.envs.wrappers import PotentialShaping, unshaped_reward

GAMMA = 0.9


class TabularMDP(gym.Env):
    """A finite MDP as a Gymnasium env: ``P[s, a, s']``, reward ``R[s, a, s']``, terminal
    states. ``reset(options={"state": s})`` starts in ``s``; ``force_next`` (tests only)
    picks the next state instead of sampling it, so every transition can be visited."""

    def __init__(self, P: np.ndarray, R: np.ndarray, terminal: np.ndarray) -> None:
        self.P, self.R, self.terminal = P, R, terminal
        self.observation_space = spaces.Discrete(P.shape[0])
        self.action_space = spaces.Discrete(P.shape[1])
        self.state = 0
        self.force_next: int | None = None

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.state = int((options or {}).get("state", 0))
        return self.state, {}

    def step(self, action):
        s = self.state
        if self.force_next is not None:
            s_next = self.force_next
        else:
            s_next = int(self.np_random.choice(len(self.P), p=self.P[s, action]))
        self.state = s_next
        return s_next, float(self.R[s, action, s_next]), bool(self.terminal[s_next]), False, {}


def random_mdp(rng: np.random.Generator, states: int = 7, actions: int = 3):
    P = rng.random((states, actions, states)) ** 3  # uneven, some near-zero transitions
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(states, actions, states))
    terminal = np.zeros(states, dtype=bool)
    terminal[-2:] = True  # two absorbing ends
    return P, R, terminal


def value_iteration(P, R, terminal, gamma, tol=1e-13):
    """Optimal Q of the MDP (terminal states have value 0), iterated to ``tol``."""
    Q = np.zeros(P.shape[:2])
    while True:
        V = np.where(terminal, 0.0, Q.max(axis=1))
        Q_new = np.einsum("ast,ast->as", P, R + gamma * V[None, None, :])
        if np.abs(Q_new - Q).max() < tol:
            return Q_new
        Q = Q_new


def rewards_through(wrapper: PotentialShaping, env: TabularMDP) -> np.ndarray:
    """The reward table of the wrapped MDP, read by stepping every (s, a, s')."""
    S, A = env.P.shape[:2]
    table = np.zeros((S, A, S))
    for s in range(S):
        for a in range(A):
            for s_next in range(S):
                wrapper.reset(options={"state": s})
                env.force_next = s_next
                table[s, a, s_next] = wrapper.step(a)[1]
    env.force_next = None
    return table


@pytest.mark.parametrize("seed", range(6))
def test_optimal_policy_is_unchanged_and_q_shifts_by_exactly_phi(seed):
    rng = np.random.default_rng(seed)
    P, R, terminal = random_mdp(rng)
    phi = rng.normal(scale=5.0, size=len(P))  # a random potential, nonzero on terminals too
    env = TabularMDP(P, R, terminal)
    shaped_R = rewards_through(PotentialShaping(env, lambda s: phi[s], GAMMA), env)

    Q = value_iteration(P, R, terminal, GAMMA)
    Q_shaped = value_iteration(P, shaped_R, terminal, GAMMA)
    live = ~terminal
    np.testing.assert_allclose(Q_shaped[live], Q[live] - phi[live, None], atol=1e-9)
    np.testing.assert_allclose(Q_shaped[live].max(axis=1), Q[live].max(axis=1) - phi[live],
                               atol=1e-9)  # V'* = V* - phi
    assert np.array_equal(Q_shaped[live].argmax(axis=1), Q[live].argmax(axis=1))
    # the shaping really changed the rewards (large potential, so not by a rounding error)
    assert np.abs(shaped_R - R).max() > 1.0


def test_a_wrong_discount_breaks_the_invariance():
    """The guarantee holds for the agent's own gamma only: shaping with gamma = 1 while the
    agent discounts by 0.9 changes the optimal values by more than phi, and here the
    policy too."""
    rng = np.random.default_rng(0)
    P, R, terminal = random_mdp(rng)
    phi = rng.normal(scale=5.0, size=len(P))
    env = TabularMDP(P, R, terminal)
    wrong_R = rewards_through(PotentialShaping(env, lambda s: phi[s], 1.0), env)
    Q = value_iteration(P, R, terminal, GAMMA)
    Q_wrong = value_iteration(P, wrong_R, terminal, GAMMA)
    live = ~terminal
    assert np.abs(Q_wrong[live] - (Q[live] - phi[live, None])).max() > 0.1
    assert not np.array_equal(Q_wrong[live].argmax(axis=1), Q[live].argmax(axis=1))


class Scripted(gym.Env):
    """Observations ``[k]`` counting up from the reset's start; reward 1 each step; ends
    (terminated or truncated, as asked) at step ``length``; may report its own terms."""

    def __init__(self, length: int = 3, end: str = "terminated", terms: bool = False) -> None:
        self.observation_space = spaces.Box(-1e3, 1e3, (1,), np.float64)
        self.action_space = spaces.Discrete(2)
        self.length, self.end, self.terms = length, end, terms
        self.start = 0.0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.start = float((options or {}).get("start", 10.0))
        self.t = 0
        return np.array([self.start]), {}

    def step(self, action):
        self.t += 1
        over = self.t >= self.length
        info = {"reward_terms": {"a": 0.25, "b": 0.75}} if self.terms else {}
        return (np.array([self.start + self.t]), 1.0, over and self.end == "terminated",
                over and self.end == "truncated", info)


def phi(obs) -> float:
    return 2.0 * float(obs[0])


def run_episode(wrapper, start=10.0):
    wrapper.reset(options={"start": start})
    out = []
    while True:
        obs, reward, terminated, truncated, info = wrapper.step(0)
        out.append((obs, reward, terminated, truncated, info))
        if terminated or truncated:
            return out


def test_a_middle_step_adds_gamma_phi_next_minus_phi():
    steps = run_episode(PotentialShaping(Scripted(length=3), phi, GAMMA))
    # s = 10 -> 11: 1 + 0.9 * 22 - 20
    assert steps[0][1] == pytest.approx(1.0 + GAMMA * 22.0 - 20.0)
    assert steps[1][1] == pytest.approx(1.0 + GAMMA * 24.0 - 22.0)


def test_termination_counts_phi_of_the_terminal_state_as_zero():
    last = run_episode(PotentialShaping(Scripted(length=3), phi, GAMMA))[-1]
    assert last[2] and not last[3]
    assert last[1] == pytest.approx(1.0 - 24.0)  # phi(12) is not used: terminal -> 0
    assert last[4]["reward_terms"]["shaping"] == pytest.approx(-24.0)


def test_truncation_keeps_gamma_phi_of_the_last_state():
    last = run_episode(PotentialShaping(Scripted(length=3, end="truncated"), phi, GAMMA))[-1]
    assert last[3] and not last[2]
    assert last[1] == pytest.approx(1.0 + GAMMA * 26.0 - 24.0)  # bootstrapping goes on


def test_truncation_by_gymnasiums_time_limit_keeps_bootstrapping():
    env = gym.make("MountainCar-v0", max_episode_steps=5)
    shaped = PotentialShaping(env, lambda obs: 100.0 * float(obs[0]), GAMMA)
    obs, _ = shaped.reset(seed=0)
    for _ in range(5):
        previous = obs
        obs, reward, terminated, truncated, info = shaped.step(1)
    assert truncated and not terminated
    assert reward == pytest.approx(-1.0 + GAMMA * 100.0 * obs[0] - 100.0 * previous[0])


def test_reset_reads_phi_again_so_no_bonus_crosses_the_episode_boundary():
    wrapper = PotentialShaping(Scripted(length=2), phi, GAMMA)
    run_episode(wrapper, start=10.0)  # ends in state 12
    first = run_episode(wrapper, start=-5.0)[0]
    # s = -5 -> -4 in the new episode; nothing from the old episode's end (12)
    assert first[1] == pytest.approx(1.0 + GAMMA * -8.0 - -10.0)


def test_stepping_past_the_end_without_reset_is_refused():
    wrapper = PotentialShaping(Scripted(length=1), phi, GAMMA)
    with pytest.raises(gym.error.ResetNeeded):
        wrapper.step(0)  # never reset
    run_episode(wrapper)
    with pytest.raises(gym.error.ResetNeeded):
        wrapper.step(0)


def test_reward_terms_carry_the_env_reward_and_the_shaping_term_apart():
    for obs, reward, _, _, info in run_episode(PotentialShaping(Scripted(), phi, GAMMA)):
        terms = info["reward_terms"]
        assert set(terms) == {"env", "shaping"} and terms["env"] == 1.0
        assert sum(terms.values()) == pytest.approx(reward)
        assert unshaped_reward(reward, info) == 1.0  # exact, not reward - shaping


def test_an_envs_own_terms_are_kept_beside_the_shaping_term():
    steps = run_episode(PotentialShaping(Scripted(terms=True), phi, GAMMA))
    for _, reward, _, _, info in steps:
        assert set(info["reward_terms"]) == {"a", "b", "shaping"}
        assert sum(info["reward_terms"].values()) == pytest.approx(reward)


def test_stacked_shapings_add_up_and_keep_the_tasks_own_reward():
    inner = PotentialShaping(Scripted(), phi, GAMMA)
    both = PotentialShaping(inner, lambda obs: -3.0 * float(obs[0]), GAMMA)
    single = PotentialShaping(Scripted(), lambda obs: -1.0 * float(obs[0]), GAMMA)
    for (_, r2, _, _, info), (_, r1, _, _, _) in zip(run_episode(both), run_episode(single)):
        assert r2 == pytest.approx(r1)  # phi_1 + phi_2 = -obs
        assert info["unshaped_reward"] == 1.0
        assert sum(info["reward_terms"].values()) == pytest.approx(r2)


def test_unshaped_reward_of_a_plain_env_is_its_reward():
    assert unshaped_reward(-1.0, {}) == -1.0


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_non_finite_potential_is_a_clear_error(bad):
    wrapper = PotentialShaping(Scripted(), lambda obs: bad, GAMMA)
    with pytest.raises(ValueError, match="must be finite"):
        wrapper.reset()


@pytest.mark.parametrize("gamma", [-0.1, 1.5])
def test_gamma_outside_0_1_is_refused(gamma):
    with pytest.raises(ValueError, match="gamma"):
        PotentialShaping(Scripted(), phi, gamma)


def test_the_wrapped_env_passes_gymnasiums_checker():
    from gymnasium.utils.env_checker import check_env

    from nprl.envs.potentials import shape_env

    check_env(shape_env(gym.make("CartPole-v1").unwrapped, "upright", 0.99),
              skip_render_check=True)


def test_task_reward_prefers_the_games_score_then_the_unshaped_reward():
    from nprl.rewards import RAW_REWARD_KEY, UNSHAPED_KEY, task_reward

    assert task_reward(-1.0, {}) == -1.0
    assert task_reward(0.7, {UNSHAPED_KEY: -1.0}) == -1.0  # shaping removed
    # shaping on top of sign clipping: the shaped step saw the clipped 1.0; the game scored 4
    assert task_reward(1.3, {UNSHAPED_KEY: 1.0, RAW_REWARD_KEY: 4.0}) == 4.0
