"""NStepAccumulator: n-step returns checked against sums written out by hand."""

import numpy as np
import pytest

from nprl.rl.nstep import NStepAccumulator


def obs(i):
    return np.array([float(i)])


def run_episode(acc, rewards, terminated_at_end, truncated_at_end):
    out = []
    for t, r in enumerate(rewards):
        last = t == len(rewards) - 1
        out += acc.push(obs(t), t, r, obs(t + 1), terminated=last and terminated_at_end,
                        truncated=last and truncated_at_end)
    return out


def test_three_step_returns_by_hand_with_termination():
    g = 0.9
    acc = NStepAccumulator(3, g)
    out = run_episode(acc, [1.0, 2.0, 3.0, 4.0, 5.0], True, False)
    assert [t.action for t in out] == [0, 1, 2, 3, 4]
    expected = [1 + g * 2 + g * g * 3, 2 + g * 3 + g * g * 4, 3 + g * 4 + g * g * 5,
                4 + g * 5, 5.0]
    assert [t.reward for t in out] == pytest.approx(expected)
    assert [t.n_steps for t in out] == [3, 3, 3, 2, 1]
    assert [float(t.next_obs[0]) for t in out] == [3, 4, 5, 5, 5]
    # only the steps flushed by the true end are terminal
    assert [t.terminated for t in out] == [False, False, True, True, True]
    assert len(acc) == 0


def test_truncated_episode_flushes_without_termination():
    acc = NStepAccumulator(4, 0.5)
    out = run_episode(acc, [1.0, 1.0], False, True)
    assert [t.reward for t in out] == pytest.approx([1.5, 1.0])
    assert [t.n_steps for t in out] == [2, 1]
    assert not any(t.terminated for t in out) and all(t.truncated for t in out)


def test_one_step_passes_steps_through():
    acc = NStepAccumulator(1, 0.99)
    out = acc.push(obs(0), 1, 2.5, obs(1), False)
    assert len(out) == 1 and out[0].reward == 2.5 and out[0].n_steps == 1


def test_bad_n_raises():
    with pytest.raises(ValueError, match="n_step"):
        NStepAccumulator(0, 0.9)
