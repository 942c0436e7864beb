"""TD targets against a batch computed by hand: double DQN, n-step, termination vs truncation."""

import numpy as np
import pytest

from nprl.rl.targets import td_targets

# Four transitions, three actions.
#   0: ordinary step                    1: terminated (no bootstrap)
#   2: truncated by a time limit (bootstraps)   3: a 3-step transition (gamma**3)
REWARDS = np.array([1.0, 2.0, 0.5, 3.0], dtype=np.float32)
TERMINATED = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
N_STEPS = np.array([1, 1, 1, 3])
NEXT_Q_TARGET = np.array([[1.0, 5.0, 2.0],
                          [9.0, 9.0, 9.0],
                          [4.0, 0.0, -1.0],
                          [2.0, 3.0, 7.0]], dtype=np.float32)
NEXT_Q_ONLINE = np.array([[3.0, 0.0, 1.0],   # online picks action 0 -> target says 1.0
                          [0.0, 1.0, 0.0],
                          [0.0, 0.0, 8.0],   # online picks 2 -> target says -1.0
                          [0.0, 5.0, 1.0]],  # online picks 1 -> target says 3.0
                         dtype=np.float32)
GAMMA = 0.9


def test_plain_dqn_targets_by_hand():
    y = td_targets(REWARDS, TERMINATED, NEXT_Q_TARGET, GAMMA, N_STEPS)
    expected = [1.0 + 0.9 * 5.0, 2.0, 0.5 + 0.9 * 4.0, 3.0 + 0.9**3 * 7.0]
    assert y.dtype == np.float32
    assert y == pytest.approx(expected, rel=1e-6)


def test_double_dqn_targets_by_hand():
    y = td_targets(REWARDS, TERMINATED, NEXT_Q_TARGET, GAMMA, N_STEPS, NEXT_Q_ONLINE)
    expected = [1.0 + 0.9 * 1.0, 2.0, 0.5 + 0.9 * -1.0, 3.0 + 0.9**3 * 3.0]
    assert y == pytest.approx(expected, rel=1e-6)


def test_truncation_bootstraps_but_termination_does_not():
    q = np.full((2, 2), 10.0)
    ended = td_targets(np.zeros(2), np.array([1.0, 0.0]), q, 0.5)
    assert ended.tolist() == [0.0, 5.0]


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="shape"):
        td_targets(REWARDS, TERMINATED, NEXT_Q_TARGET[:2], GAMMA)
    with pytest.raises(ValueError, match="one shape"):
        td_targets(REWARDS, TERMINATED, NEXT_Q_TARGET, GAMMA, next_q_online=NEXT_Q_ONLINE[:, :2])
