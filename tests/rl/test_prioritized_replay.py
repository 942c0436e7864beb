"""PrioritizedReplayBuffer: sampling frequencies match p^alpha / sum, IS weights are right."""

import numpy as np
import pytest

from nprl.rl.prioritized import PrioritizedReplayBuffer


def make(capacity, count, alpha=0.6, seed=0):
    buffer = PrioritizedReplayBuffer(capacity, (2,), alpha=alpha, seed=seed)
    for i in range(count):
        buffer.add(np.array([i, i]), 0, float(i), np.array([i, i]), False)
    return buffer


@pytest.mark.parametrize("capacity", [10, 13])
def test_sampling_frequencies_follow_priorities_statistically(capacity):
    buffer = make(capacity, capacity, alpha=0.7, seed=42)
    td = np.linspace(0.1, 3.0, capacity)
    buffer.update_priorities(np.arange(capacity), td)
    draws = np.concatenate([buffer.sample(64, beta=0.5).indices for _ in range(1500)])
    counts = np.bincount(draws, minlength=capacity)
    p = (td + buffer.eps) ** 0.7
    expected = p / p.sum() * len(draws)
    chi2 = ((counts - expected) ** 2 / expected).sum()
    # Stratified sampling has less variance than multinomial; chi2 with 12 dof at p=0.999
    # is 32.9, so this bound fails only on a real bias.
    assert chi2 < 33.0, (counts, expected)


def test_never_samples_empty_slots_nor_zero_priority():
    buffer = make(100, 7)  # 93 empty slots
    draws = np.concatenate([buffer.sample(32).indices for _ in range(200)])
    assert draws.max() < 7
    buffer = PrioritizedReplayBuffer(5, (2,), alpha=1.0, seed=0)
    for i in range(5):
        buffer.add(np.zeros(2), 0, 0.0, np.zeros(2), False)
    buffer.tree.update([0, 2, 4], 0.0)  # only slots 1 and 3 have mass
    draws = np.concatenate([buffer.sample(16).indices for _ in range(200)])
    assert set(draws.tolist()) == {1, 3}


def test_importance_weights_normalised_by_batch_max():
    buffer = make(4, 4, alpha=1.0, seed=1)
    buffer.update_priorities(np.arange(4), np.array([1.0, 2.0, 3.0, 4.0]) - buffer.eps)
    batch = buffer.sample(256, beta=0.5)
    p = buffer.tree[batch.indices] / buffer.tree.total
    raw = (4 * p) ** -0.5
    assert np.allclose(batch.weights, raw / raw.max(), rtol=1e-6)
    assert batch.weights.max() == pytest.approx(1.0)
    # beta = 0: no correction at all
    assert np.all(buffer.sample(32, beta=0.0).weights == 1.0)


def test_new_transitions_get_max_priority():
    buffer = make(8, 3, alpha=1.0)
    buffer.update_priorities(np.array([0, 1]), np.array([5.0, 0.5]))
    slot = buffer.add(np.zeros(2), 0, 0.0, np.zeros(2), False)
    assert buffer.tree[slot] == pytest.approx(5.0 + buffer.eps)


def test_state_dict_round_trip_gives_the_same_samples():
    buffer = make(9, 12, seed=5)
    buffer.update_priorities(np.arange(9), np.arange(9) * 0.3)
    arrays, meta = buffer.state_dict()
    copy = PrioritizedReplayBuffer(9, (2,))
    copy.load_state_dict(arrays, meta)
    assert np.array_equal(copy.tree.tree, buffer.tree.tree)
    a, b = copy.sample(16, 0.4), buffer.sample(16, 0.4)
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.weights, b.weights)


def test_bad_arguments_raise():
    buffer = make(4, 4)
    with pytest.raises(ValueError, match="beta"):
        buffer.sample(2, beta=1.5)
    with pytest.raises(ValueError, match="shape"):
        buffer.update_priorities(np.arange(2), np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        buffer.update_priorities(np.arange(1), np.array([np.nan]))
