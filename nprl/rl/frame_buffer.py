"""Replay for stacked Atari frames that stores each frame once (Dopamine's circular buffer).

An Atari observation is the last 4 frames, ``(4, 84, 84)`` uint8. Stored naively, each
transition holds ``obs`` and ``next_obs``: 8 frames, 56 KB, of which 7 are copies of
frames held by its neighbours (SB3's ``optimize_memory_usage`` drops ``next_obs`` and
keeps 4). :class:`FrameReplayBuffer` keeps one ring of single frames, numbered by a
running *frame counter*, and per transition only two integers::

    frames[x % F]          the frame with counter x         (F = frame ring size)
    obs_frame[slot] = c    counter of obs's newest frame
    segment[slot]   = e    counter of the first frame of the episode it belongs to

    obs       = frames[max(c - 3, e)], ..., frames[max(c, e)]
    next_obs  = frames[max(c + n - 3, e)], ..., frames[c + n]     (n = n_steps)

Clamping at ``e`` is Gymnasium's ``FrameStackObservation`` padding: the first stack of an
episode repeats its reset frame, so a stack never reaches into the previous episode. An
episode of L steps costs L + 1 frames. Everything is checked, not assumed: an ``obs`` that
does not continue the stored stream starts a new segment, and a first stack that is not
4 copies of one frame is stored frame by frame, so ``sample`` returns every observation
exactly as it was added whatever the environment does.

With n-step returns ``next_obs`` lies ``n`` frames ahead of ``obs``; its frames are
written when the transition arrives (and again, identical, by the later transitions
whose ``obs`` they are).

The frame ring holds ``capacity + capacity // 16 + 64`` frames: enough for the newest
``capacity`` transitions as long as episodes average 16 steps or more. With shorter
episodes the oldest transitions leave early (``len()`` says how many are held): they are
never returned with a frame that was overwritten. Memory: 84 x 84 frames take
``1.0625 x 7056`` bytes per transition plus 44 bytes of transition fields (1.07 x N x
84 x 84 in all; 1.07 also with prioritized replay's sum tree).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nprl.rl.prioritized import PrioritizedReplayBuffer
from nprl.rl.replay_buffer import ReplayBuffer
from nprl.rl.transition import Batch


def is_frame_stack(obs_shape: tuple[int, ...], obs_dtype: Any) -> bool:
    """Whether observations look like stacked frames ``(stack, H, W)``: uint8, a few
    channels first and frames of at least 36 x 36 (Atari after ``make_atari``)."""
    return (np.dtype(obs_dtype) == np.uint8 and len(obs_shape) == 3
            and obs_shape[0] <= 16 and min(obs_shape[1:]) >= 36)


class FrameStorage:
    """The frame ring behind :class:`FrameReplayBuffer` (mixed into a replay buffer class).

    It overrides only how observations are kept (the hooks of
    :class:`~nprl.rl.replay_buffer.ReplayBuffer`), so uniform and prioritized replay,
    n-step returns and checkpoints work unchanged on top of it.
    """

    _OBSERVATION_ARRAYS = ("obs_frame", "segment")
    _DROPS_OLDEST = True  # when the frame ring wraps first (episodes under 16 steps)

    def _init_frames(self, frame_shape: tuple[int, ...], stack: int) -> tuple[int, ...]:
        if int(stack) != stack or stack < 1:
            raise ValueError(f"stack must be a positive integer, got {stack!r}")
        self.frame_shape = tuple(int(d) for d in frame_shape)
        self.stack = int(stack)
        return (self.stack, *self.frame_shape)

    # -- the hooks ----------------------------------------------------------------------

    def _allocate_observations(self) -> None:
        self.frame_capacity = self.capacity + self.capacity // 16 + 64
        self.frames = np.zeros((self.frame_capacity, *self.frame_shape), dtype=np.uint8)
        self.obs_frame = np.zeros(self.capacity, dtype=np.int64)
        self.segment = np.zeros(self.capacity, dtype=np.int64)
        self.next_frame = 0  # counter of the next frame never written yet
        self.last_frame = -1  # counter of the newest obs frame added
        self.open = False  # whether the next obs may continue the current segment
        self.segment_start = 0  # counter of the current segment's first frame
        self._offsets = np.arange(1 - self.stack, 1)  # -3, -2, -1, 0

    @property
    def nbytes(self) -> int:
        """Bytes held by the frame ring and the per-transition arrays."""
        return self.frames.nbytes + super().nbytes

    def _store_observations(self, slot: int, obs: np.ndarray, next_obs: np.ndarray,
                            n_steps: int, episode_over: bool) -> None:
        if next_obs.shape != obs.shape:
            raise ValueError(f"next_obs has shape {next_obs.shape}, obs {obs.shape}")
        if obs.dtype != np.uint8 or next_obs.dtype != np.uint8:
            raise ValueError("FrameReplayBuffer stores uint8 frames; got "
                             f"{obs.dtype} and {next_obs.dtype}")
        if self._continues(obs):
            newest, first = self.last_frame + 1, int(self.segment_start)
            self._write(newest, obs[-1])
        else:  # a new segment: an episode's first stack (or a stream that broke off)
            first = self.next_frame
            if (obs == obs[-1]).all():  # FrameStackObservation's reset padding: one frame
                newest = first
                self._write(first, obs[-1])
            else:  # any other first stack: kept frame by frame
                newest = first + self.stack - 1
                for k in range(self.stack):
                    self._write(first + k, obs[k])
            self.segment_start = first
        # next_obs's frames, n steps ahead (clamped at the segment's first frame).
        for counter, frame in zip(newest + n_steps + self._offsets, next_obs):
            if counter >= first and counter > newest:
                self._write(int(counter), frame)
        if not np.array_equal(self._stacks(np.array([newest + n_steps]),
                                           np.array([first]))[0], next_obs):
            raise ValueError("next_obs does not continue obs's frame stack (its older "
                             "frames differ from obs's newer ones); FrameReplayBuffer "
                             "takes stacks from FrameStackObservation")
        self.obs_frame[slot] = newest
        self.segment[slot] = first
        self.last_frame = newest
        self.open = not episode_over

    def _continues(self, obs: np.ndarray) -> bool:
        """Whether ``obs`` is the next observation of the open segment (frames checked)."""
        if not self.open:
            return False
        newest = self.last_frame + 1
        known = self._stacks(np.array([newest]), np.array([self.segment_start]))[0]
        if not np.array_equal(known[:-1], obs[:-1]):
            return False
        # Its newest frame is new, or skipped: with n-step returns (n > stack) the last
        # next_obs's frames start n - stack + 1 after the last obs's newest, and the ones
        # in between come with the obs that reach them. Else it was stored as an earlier
        # next_obs's frame and must match.
        last_n = int(self.fields["n_steps"][(self.pos - 1) % self.capacity])
        skipped_until = self.last_frame + last_n - self.stack + 1
        return (newest >= self.next_frame or newest < skipped_until
                or np.array_equal(known[-1], obs[-1]))

    def _write(self, counter: int, frame: np.ndarray) -> None:
        self.frames[counter % self.frame_capacity] = frame
        self.next_frame = max(self.next_frame, counter + 1)

    def _stacks(self, newest: np.ndarray, first: np.ndarray) -> np.ndarray:
        """Stacks ending at counters ``newest`` (B,) of segments starting at ``first`` (B,)."""
        counters = np.maximum(newest[:, None] + self._offsets, first[:, None])
        return self.frames[counters % self.frame_capacity]

    def _observations_at(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        newest, first = self.obs_frame[indices], self.segment[indices]
        return (self._stacks(newest, first),
                self._stacks(newest + self.fields["n_steps"][indices], first))

    def _added(self, slot: int) -> None:
        super()._added(slot)
        self._drop_overwritten()

    def _drop_overwritten(self) -> None:
        """Let the oldest transitions go whose frames the ring has written over."""
        floor = self.next_frame - self.frame_capacity  # counters below are overwritten
        while self.size > 0:
            oldest = (self.pos - self.size) % self.capacity
            needs = max(self.obs_frame[oldest] - self.stack + 1, self.segment[oldest])
            if needs >= floor:
                return
            self.size -= 1
            self._forget(np.array([oldest]))

    # -- which slots are filled: the newest ``size`` before ``pos`` ----------------------

    def _filled_slots(self) -> np.ndarray:
        return (self.pos - self.size + np.arange(self.size)) % self.capacity

    def _holds(self, indices: np.ndarray) -> bool:
        age = (self.pos - 1 - indices) % self.capacity  # 0 = the newest
        return bool(np.all((indices >= 0) & (indices < self.capacity) & (age < self.size)))

    # -- checkpoint: the transitions' fields plus the frames they use --------------------

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and meta; frames saved only from the oldest one a transition uses."""
        arrays, meta = super().state_dict()
        low = self._lowest_needed()
        arrays["frames"] = self.frames[np.arange(low, self.next_frame) % self.frame_capacity]
        meta.update(frame_shape=list(self.frame_shape), stack=self.stack, frames_from=low,
                    next_frame=self.next_frame, last_frame=self.last_frame, open=self.open,
                    segment_start=self.segment_start)
        return arrays, meta

    def load_state_dict(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        if tuple(meta["frame_shape"]) != self.frame_shape or meta["stack"] != self.stack:
            raise ValueError(f"saved buffer holds {meta['stack']} frames of "
                             f"{tuple(meta['frame_shape'])}, this one {self.stack} of "
                             f"{self.frame_shape}")
        super().load_state_dict(arrays, meta)
        low, self.next_frame = int(meta["frames_from"]), int(meta["next_frame"])
        frames = arrays["frames"]
        if frames.shape != (self.next_frame - low, *self.frame_shape) or \
                frames.dtype != np.uint8 or frames.shape[0] > self.frame_capacity:
            raise ValueError(f"saved frames have shape {frames.shape}, expected "
                             f"{(self.next_frame - low, *self.frame_shape)} uint8")
        self.frames[np.arange(low, self.next_frame) % self.frame_capacity] = frames
        self.last_frame = int(meta["last_frame"])
        self.open = bool(meta["open"])
        self.segment_start = int(meta["segment_start"])

    def _lowest_needed(self) -> int:
        if self.size == 0:
            return self.next_frame
        oldest = (self.pos - self.size) % self.capacity
        return int(max(self.obs_frame[oldest] - self.stack + 1, self.segment[oldest]))


class FrameReplayBuffer(FrameStorage, ReplayBuffer):
    """Uniform replay of stacked frames, each frame stored once.

    Parameters
    ----------
    capacity : int
        Transitions kept (the newest ``capacity``; fewer if episodes average under 16 steps).
    frame_shape : tuple of int, default (84, 84)
        Shape of one frame.
    stack : int, default 4
        Frames per observation: ``obs`` is ``(stack, *frame_shape)`` uint8.
    seed : int or None
        Seed of the sampling generator.

    Examples
    --------
    >>> buf = FrameReplayBuffer(1000, frame_shape=(84, 84), stack=4, seed=0)
    >>> first = np.zeros((4, 84, 84), np.uint8)
    >>> second = np.concatenate([first[1:], np.ones((1, 84, 84), np.uint8)])
    >>> buf.add(first, 0, 1.0, second, terminated=False)
    0
    >>> bool((buf.sample(1).next_obs[0] == second).all())
    True
    """

    def __init__(self, capacity: int, frame_shape: tuple[int, ...] = (84, 84), stack: int = 4,
                 seed: int | np.random.SeedSequence | None = None) -> None:
        obs_shape = self._init_frames(frame_shape, stack)
        super().__init__(capacity, obs_shape, obs_dtype=np.uint8, seed=seed)

    def sample(self, batch_size: int) -> Batch:
        """Draw ``batch_size`` of the held transitions uniformly, with replacement."""
        self._check_can_sample(batch_size)
        offsets = self.rng.integers(0, self.size, size=batch_size)
        return self.gather((self.pos - self.size + offsets) % self.capacity)


class PrioritizedFrameReplayBuffer(FrameStorage, PrioritizedReplayBuffer):
    """Prioritized replay (proportional, Schaul et al. 2016) of stacked frames.

    Parameters as :class:`FrameReplayBuffer`, plus ``alpha`` and ``eps`` as
    :class:`~nprl.rl.prioritized.PrioritizedReplayBuffer`.
    """

    def __init__(self, capacity: int, frame_shape: tuple[int, ...] = (84, 84), stack: int = 4,
                 alpha: float = 0.6, seed: int | np.random.SeedSequence | None = None,
                 eps: float = 1e-6) -> None:
        obs_shape = self._init_frames(frame_shape, stack)
        super().__init__(capacity, obs_shape, alpha=alpha, obs_dtype=np.uint8, seed=seed,
                         eps=eps)


def make_replay_buffer(config, capacity: int, obs_shape: tuple[int, ...], obs_dtype: Any,
                       seed: Any, prioritized: bool) -> ReplayBuffer:
    """The replay buffer an agent uses: frames stored once for stacked uint8 frames
    (:func:`is_frame_stack`), whole observations otherwise; prioritized or uniform."""
    if is_frame_stack(obs_shape, obs_dtype):
        stack, frame_shape = obs_shape[0], obs_shape[1:]
        if prioritized:
            return PrioritizedFrameReplayBuffer(capacity, frame_shape, stack,
                                                alpha=config.per_alpha, seed=seed,
                                                eps=config.per_eps)
        return FrameReplayBuffer(capacity, frame_shape, stack, seed=seed)
    if prioritized:
        return PrioritizedReplayBuffer(capacity, obs_shape, alpha=config.per_alpha,
                                       obs_dtype=obs_dtype, seed=seed, eps=config.per_eps)
    return ReplayBuffer(capacity, obs_shape, obs_dtype=obs_dtype, seed=seed,
                        prune_to=config.buffer_prune_to)
