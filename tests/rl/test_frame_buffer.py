"""FrameReplayBuffer: every sampled stack equals what a naive buffer of whole stacks holds."""

import gymnasium as gym
import numpy as np
import pytest

from nprl.fileio import load_arrays, read_json, save_arrays, write_json
from nprl.rl.frame_buffer import FrameReplayBuffer, PrioritizedFrameReplayBuffer, is_frame_stack
from nprl.rl.nstep import NStepAccumulator
from nprl.rl.prioritized import PrioritizedReplayBuffer
from nprl.rl.replay_buffer import ReplayBuffer

FRAME = (6, 5)
STACK = 4


class RandomFrames(gym.Env):
    """Random uint8 frames, episodes of random length ending in termination or truncation."""

    observation_space = gym.spaces.Box(0, 255, FRAME, np.uint8)
    action_space = gym.spaces.Discrete(3)

    def __init__(self, min_length=1, max_length=15):
        self.lengths = (min_length, max_length)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.left = int(self.np_random.integers(self.lengths[0], self.lengths[1] + 1))
        return self._frame(), {}

    def step(self, action):
        self.left -= 1
        end = self.left == 0
        terminated = end and bool(self.np_random.random() < 0.5)
        return self._frame(), float(self.np_random.normal()), terminated, end and not terminated, {}

    def _frame(self):
        return self.np_random.integers(0, 256, FRAME, dtype=np.uint8)


def fill(buffers, steps, n_step=1, seed=0, min_length=1, max_length=15, update=None):
    """Play ``steps`` random steps through FrameStackObservation and an n-step accumulator
    into every buffer; return the list of transitions added, in order."""
    env = gym.wrappers.FrameStackObservation(RandomFrames(min_length, max_length), STACK)
    nstep = NStepAccumulator(n_step, 0.9)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    added = []
    for _ in range(steps):
        action = int(rng.integers(3))
        next_obs, reward, terminated, truncated, _ = env.step(action)
        for transition in nstep.push(obs, action, reward, next_obs, terminated, truncated):
            for buffer in buffers:
                buffer.add(*transition)
            added.append(transition)
            if update is not None:
                update()
        obs = next_obs
        if terminated or truncated:
            obs, _ = env.reset()
    return added


def assert_same_batches(a, b):
    for name in ("obs", "next_obs", "actions", "rewards", "terminated", "truncated",
                 "n_steps", "weights", "indices"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype, name
        np.testing.assert_array_equal(left, right, err_msg=name)


@pytest.mark.parametrize("n_step", [1, 3, 10])
def test_every_transition_comes_back_exactly_as_added(n_step):
    # 40 transitions of capacity over ~1500 steps: both rings wrap many times.
    naive = ReplayBuffer(40, (STACK, *FRAME), obs_dtype=np.uint8, seed=1)
    frames = FrameReplayBuffer(40, FRAME, STACK, seed=1)
    fill([naive, frames], 1500, n_step=n_step)
    assert len(frames) == len(naive) == 40
    slots = np.arange(40)
    assert_same_batches(frames.gather(slots), naive.gather(slots))
    batch = frames.sample(64)
    expected = naive.gather(batch.indices)
    assert_same_batches(batch, expected)


def test_n_step_returns_longer_than_the_stack_still_store_each_frame_about_once():
    # With n = 10 next_obs's frames start 7 frames after obs's newest; the skipped ones
    # come with the next obs, which must continue the stream, not open a new segment
    # (that cost ~14 frames a transition and let the ring hold a tenth of the capacity).
    frames = FrameReplayBuffer(2000, FRAME, STACK, seed=0)
    added = fill([frames], 1500, n_step=10, min_length=20, max_length=60)
    assert len(frames) == len(added)
    episodes = sum(1 for t in added if t.terminated or t.truncated)
    assert frames.next_frame <= len(added) + 15 * episodes


def test_stacks_never_reach_across_an_episode_start():
    frames = FrameReplayBuffer(100, FRAME, STACK, seed=0)
    added = fill([frames], 60, max_length=3)  # many episodes of 1-3 steps
    batch = frames.gather(np.arange(len(added)))
    for i, transition in enumerate(added):
        np.testing.assert_array_equal(batch.obs[i], transition.obs)
        np.testing.assert_array_equal(batch.next_obs[i], transition.next_obs)
    # An episode's first observation is its reset frame, repeated (Gymnasium's padding).
    assert (batch.obs[0] == batch.obs[0][-1]).all()


def test_very_short_episodes_drop_the_oldest_transitions_never_a_wrong_frame():
    # Episodes of one step cost 2 frames per transition: the frame ring (capacity * 17/16
    # + 64) cannot hold capacity of them, so the oldest leave early.
    naive = ReplayBuffer(400, (STACK, *FRAME), obs_dtype=np.uint8, seed=3)
    frames = FrameReplayBuffer(400, FRAME, STACK, seed=3)
    fill([naive, frames], 2000, min_length=1, max_length=1)
    assert 0 < len(frames) < 400
    held = frames._filled_slots()
    assert_same_batches(frames.gather(held), naive.gather(held))
    newest = (frames.pos - 1) % 400
    assert newest in held


def test_prioritized_frame_buffer_samples_like_the_naive_prioritized_buffer():
    naive = PrioritizedReplayBuffer(50, (STACK, *FRAME), obs_dtype=np.uint8, seed=7)
    frames = PrioritizedFrameReplayBuffer(50, FRAME, STACK, seed=7)
    td_rng = np.random.default_rng(0)

    def learn():
        if len(naive) < 8:
            return
        a, b = naive.sample(8, beta=0.5), frames.sample(8, beta=0.5)
        assert_same_batches(b, a)
        td = td_rng.normal(size=8)
        naive.update_priorities(a.indices, td)
        frames.update_priorities(b.indices, td)

    fill([naive, frames], 400, n_step=2, update=learn)


def test_memory_stays_within_1_1_bytes_per_pixel_per_transition():
    capacity, pixels = 100_000, 84 * 84
    for buffer in (FrameReplayBuffer(capacity), PrioritizedFrameReplayBuffer(capacity)):
        assert buffer.nbytes <= 1.1 * capacity * pixels
        assert buffer.frames.nbytes >= capacity * pixels  # it does hold every frame
    naive = ReplayBuffer(1000, (4, 84, 84), obs_dtype=np.uint8)
    assert naive.nbytes / 1000 > 7 * FrameReplayBuffer(1000).nbytes / 1000


def save(buffer, folder):
    arrays, meta = buffer.state_dict()
    save_arrays(folder, arrays)
    write_json(folder / "buffer.json", meta)


def test_checkpoint_round_trip_is_exact_and_small(tmp_path):
    frame = (84, 84)
    frames = FrameReplayBuffer(300, frame, STACK, seed=5)

    class Big(RandomFrames):
        observation_space = gym.spaces.Box(0, 255, frame, np.uint8)

        def _frame(self):
            return self.np_random.integers(0, 256, frame, dtype=np.uint8)

    env = gym.wrappers.FrameStackObservation(Big(20, 60), STACK)
    obs, _ = env.reset(seed=0)
    for step in range(700):
        next_obs, reward, terminated, truncated, _ = env.step(0)
        frames.add(obs, 0, reward, next_obs, terminated, truncated)
        obs = next_obs if not (terminated or truncated) else env.reset()[0]
    save(frames, tmp_path / "buffer")
    on_disk = sum(path.stat().st_size for path in (tmp_path / "buffer").iterdir())
    assert on_disk <= 1.2 * len(frames) * 84 * 84
    restored = FrameReplayBuffer(300, frame, STACK)
    restored.load_state_dict(load_arrays(tmp_path / "buffer"),
                             read_json(tmp_path / "buffer" / "buffer.json"))
    assert len(restored) == len(frames) == 300
    assert_same_batches(restored.sample(32), frames.sample(32))
    # Both go on identically (the open episode continues in the restored one too).
    next_obs, reward, terminated, truncated, _ = env.step(0)
    for buffer in (frames, restored):
        buffer.add(obs, 0, reward, next_obs, terminated, truncated)
    slots = np.arange(300)
    assert_same_batches(restored.gather(slots), frames.gather(slots))


def test_a_buffer_that_dropped_its_oldest_transitions_reloads(tmp_path):
    # One-step episodes: the ring wraps before the slots do, so size < capacity while
    # pos != size, which a plain replay buffer never has.
    frames = FrameReplayBuffer(400, FRAME, STACK, seed=3)
    fill([frames], 2000, min_length=1, max_length=1)
    assert 0 < len(frames) < 400 and frames.pos != len(frames)
    save(frames, tmp_path / "buffer")
    restored = FrameReplayBuffer(400, FRAME, STACK, seed=3)
    restored.load_state_dict(load_arrays(tmp_path / "buffer"),
                             read_json(tmp_path / "buffer" / "buffer.json"))
    held = frames._filled_slots()
    assert_same_batches(restored.gather(held), frames.gather(held))


def test_next_obs_that_does_not_continue_obs_is_refused():
    frames = FrameReplayBuffer(10, FRAME, STACK)
    obs = np.zeros((STACK, *FRAME), np.uint8)
    with pytest.raises(ValueError, match="does not continue"):
        frames.add(obs, 0, 0.0, np.full_like(obs, 9), terminated=False)


def test_only_stacked_uint8_frames_use_the_frame_buffer():
    assert is_frame_stack((4, 84, 84), np.uint8)
    assert not is_frame_stack((10, 10, 4), np.bool_)  # MinAtar: the ordinary buffer
    assert not is_frame_stack((4, 84, 84), np.float32)
    assert not is_frame_stack((8,), np.uint8)


def test_the_success_tier_keeps_whole_episodes_of_frames_exactly():
    from nprl.rl.nstep import Transition
    from nprl.rl.success_buffer import SuccessBuffer

    tier = SuccessBuffer(FrameReplayBuffer(100, FRAME, STACK, seed=0))

    class Recorder:
        added = []

        def add(self, *transition):
            self.added.append(Transition(*transition))

    fill([Recorder()], 200, n_step=2, max_length=8)
    # Stage every episode; keep two of every four (as successes), drop the others.
    expected, episode, ended = [], [], 0
    for transition in Recorder.added:
        episode.append(transition)
        tier.stage(transition)
        if transition.terminated or transition.truncated:
            keep = ended % 4 < 2
            tier.end_episode(keep)
            expected += episode if keep else []
            episode, ended = [], ended + 1
    expected = expected[-100:]
    batch = tier.buffer.gather(tier.buffer._filled_slots())
    assert len(tier) == len(expected) > 0
    for i, transition in enumerate(expected):
        np.testing.assert_array_equal(batch.obs[i], transition.obs)
        np.testing.assert_array_equal(batch.next_obs[i], transition.next_obs)
