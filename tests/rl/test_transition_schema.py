"""The transition schema (nprl.rl.transition) is the one definition that the buffers, their
batches and their checkpoint files follow."""

import dataclasses

import numpy as np

from nprl.rl.frame_buffer import FrameReplayBuffer
from nprl.rl.prioritized import PrioritizedReplayBuffer
from nprl.rl.replay_buffer import ReplayBuffer
from nprl.rl.transition import STORED, Batch, Transition


def test_each_field_of_a_transition_lands_in_its_own_column():
    buffer = ReplayBuffer(4, (2,), seed=0)
    step = Transition(np.array([1.0, 2.0]), 5, 0.25, np.array([3.0, 4.0]), True, False, 3)
    buffer.add(*step)
    stored = buffer.fields[0]
    assert (stored["actions"], stored["rewards"], stored["terminated"], stored["truncated"],
            stored["n_steps"]) == (5, 0.25, 1.0, 0.0, 3)
    batch = buffer.sample(2)
    assert batch.actions.tolist() == [5, 5] and batch.n_steps.tolist() == [3, 3]
    assert batch.terminated.tolist() == [1.0, 1.0] and batch.truncated.tolist() == [0.0, 0.0]
    assert batch.obs.tolist() == [[1.0, 2.0]] * 2 and batch.next_obs.tolist() == [[3.0, 4.0]] * 2


def test_stored_fields_follow_the_transition_after_its_observations():
    plural = {"action": "actions", "reward": "rewards"}
    fields = [plural.get(name, name) for name in Transition._fields
              if name not in ("obs", "next_obs")]
    assert list(STORED.names) == fields
    assert STORED["actions"] == np.int64 and STORED["n_steps"] == np.int64
    assert all(STORED[name] == np.float32 for name in ("rewards", "terminated", "truncated"))


def test_a_batch_holds_the_observations_the_stored_fields_weights_and_indices():
    names = {field.name for field in dataclasses.fields(Batch)}
    assert names == {"obs", "next_obs", "weights", "indices", *STORED.names}
    buffer = PrioritizedReplayBuffer(8, (2,), seed=0)
    buffer.add(np.zeros(2), 1, 1.0, np.ones(2), False)
    sampled = buffer.sample(3, beta=0.4)
    for name in STORED.names:
        assert getattr(sampled, name).dtype == STORED[name] and len(getattr(sampled, name)) == 3


def test_checkpoints_save_one_array_per_stored_field_under_its_name():
    buffer = ReplayBuffer(4, (2,), seed=0)
    buffer.add(np.zeros(2), 1, 1.0, np.ones(2), False)
    arrays, _ = buffer.state_dict()
    assert set(arrays) == {"obs", "next_obs", *STORED.names}
    assert all(arrays[name].dtype == STORED[name] for name in STORED.names)
    frames = FrameReplayBuffer(4, frame_shape=(36, 36), stack=2, seed=0)
    first = np.zeros((2, 36, 36), np.uint8)
    frames.add(first, 0, 1.0, np.stack([first[1], first[1] + 1]), False)
    arrays, _ = frames.state_dict()
    assert set(arrays) == {"frames", "obs_frame", "segment", *STORED.names}
