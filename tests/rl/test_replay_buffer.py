"""ReplayBuffer: ring wrap-around, field separation, sampling range, checkpoint round trip."""

import json

import numpy as np
import pytest

from nprl.rl.replay_buffer import ReplayBuffer


def fill(buffer, count, start=0):
    for i in range(start, start + count):
        buffer.add(np.full(3, i), i % 2, float(i), np.full(3, i + 1), terminated=(i % 5 == 0),
                   truncated=(i % 7 == 0))


def test_ring_wraps_and_overwrites_oldest():
    buffer = ReplayBuffer(5, (3,), seed=0)
    fill(buffer, 8)
    assert len(buffer) == 5
    assert buffer.pos == 3
    # slots 0..2 hold transitions 5, 6, 7; slots 3, 4 still hold 3, 4
    assert buffer.fields["rewards"].tolist() == [5.0, 6.0, 7.0, 3.0, 4.0]
    assert buffer.obs[:, 0].tolist() == [5, 6, 7, 3, 4]
    assert buffer.next_obs[:, 0].tolist() == [6, 7, 8, 4, 5]


def test_terminated_and_truncated_are_kept_apart():
    buffer = ReplayBuffer(20, (3,), seed=0)
    fill(buffer, 15)
    ids = np.arange(15)
    assert np.array_equal(buffer.fields["terminated"][:15], (ids % 5 == 0).astype(np.float32))
    assert np.array_equal(buffer.fields["truncated"][:15], (ids % 7 == 0).astype(np.float32))


def test_sample_only_filled_slots_with_consistent_fields():
    buffer = ReplayBuffer(100, (3,), seed=1)
    fill(buffer, 10)
    batch = buffer.sample(500)
    assert batch.obs.shape == (500, 3) and batch.obs.dtype == np.float32
    assert batch.indices.min() >= 0 and batch.indices.max() < 10
    assert len(np.unique(batch.indices)) == 10  # every filled slot shows up
    # the fields of one sample belong to the same transition
    assert np.array_equal(batch.obs[:, 0], batch.rewards)
    assert np.array_equal(batch.next_obs[:, 0], batch.rewards + 1)
    assert np.all(batch.weights == 1.0)


def test_same_seed_same_batches():
    a, b = ReplayBuffer(50, (3,), seed=7), ReplayBuffer(50, (3,), seed=7)
    fill(a, 30), fill(b, 30)
    assert np.array_equal(a.sample(16).indices, b.sample(16).indices)


def test_empty_buffer_and_wrong_shape_give_clear_errors():
    buffer = ReplayBuffer(5, (3,))
    with pytest.raises(ValueError, match="empty"):
        buffer.sample(2)
    with pytest.raises(ValueError, match="shape"):
        buffer.add(np.zeros(4), 0, 0.0, np.zeros(4), False)
    with pytest.raises(ValueError, match="capacity"):
        ReplayBuffer(0, (3,))


def test_state_dict_round_trip_continues_the_same_stream():
    buffer = ReplayBuffer(6, (3,), seed=3)
    fill(buffer, 9)
    buffer.sample(4)
    arrays, meta = buffer.state_dict()
    meta = json.loads(json.dumps(meta))  # must be JSON-able
    copy = ReplayBuffer(6, (3,))
    copy.load_state_dict(arrays, meta)
    assert (copy.pos, copy.size) == (buffer.pos, buffer.size)
    assert np.array_equal(copy.sample(8).indices, buffer.sample(8).indices)
    fill(buffer, 2, start=100), fill(copy, 2, start=100)
    assert np.array_equal(copy.obs, buffer.obs)


def test_pruned_buffer_keeps_the_newest_when_full():
    # The original article's memory: 1500 transitions, pruned to the newest 500 when full.
    buffer = ReplayBuffer(1500, (1,), seed=0, prune_to=500)
    for k in range(1499):
        buffer.add(np.array([k]), 0, float(k), np.array([k + 1]), terminated=False)
    assert len(buffer) == 1499
    buffer.add(np.array([1499]), 0, 1499.0, np.array([1500]), terminated=False)
    assert len(buffer) == 500
    np.testing.assert_array_equal(buffer.fields["rewards"][:500], np.arange(1000, 1500))
    batch = buffer.sample(4096)
    assert batch.rewards.min() >= 1000 and batch.rewards.max() == 1499
    for k in range(1500, 2500):  # fills up again: 500 + 1000 more
        buffer.add(np.array([k]), 0, float(k), np.array([k + 1]), terminated=False)
    assert len(buffer) == 500
    np.testing.assert_array_equal(buffer.fields["rewards"][:500], np.arange(2000, 2500))


def test_prune_to_must_be_smaller_than_the_capacity():
    with pytest.raises(ValueError, match="prune_to"):
        ReplayBuffer(100, (1,), prune_to=100)
