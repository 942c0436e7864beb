"""Uniform experience replay: preallocated ring arrays, vectorised sampling.

A DQN agent learns from transitions ``(obs, action, reward, next_obs, terminated)`` drawn
at random from its recent past. :class:`ReplayBuffer` stores them in fixed NumPy arrays
allocated once (no deque, no list of tuples); when full, the oldest slot is overwritten
(a ring). Sampling draws all indices with one ``Generator.integers`` call and gathers
with one ``take`` per array, so a batch costs a handful of NumPy calls.

The fields of a transition, their dtypes and the :class:`Batch` it samples are defined
once, in :mod:`nprl.rl.transition`. Besides the observations the ring is one record
array ``fields`` of its :data:`~nprl.rl.transition.STORED` type: ``add`` writes a slot
in one assignment, ``fields["rewards"]`` is the column of rewards.

How observations are kept is the one thing a subclass changes: :class:`ReplayBuffer`
stores ``obs`` and ``next_obs`` whole, :class:`~nprl.rl.frame_buffer.FrameReplayBuffer`
stores each Atari frame once and rebuilds the stacks. Both go through the hooks
``_allocate_observations``, ``_store_observations``, ``_observations_at`` and
``_OBSERVATION_ARRAYS`` (what a checkpoint saves of them); ``_added`` lets prioritized
replay and the frame ring act on each new slot without restating ``add``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from nprl.checks import whole_number
from nprl.nn.layer import make_rng
from nprl.rl.rng import generator_from_state, generator_state
from nprl.rl.transition import STORED, Batch


class ReplayBuffer:
    """Fixed-capacity ring buffer of transitions with uniform sampling.

    Parameters
    ----------
    capacity : int
        Number of transitions kept; the oldest is overwritten when full.
    obs_shape : tuple of int
        Shape of one observation, e.g. ``(4,)`` for CartPole.
    obs_dtype : dtype, default float32
        Storage dtype of observations.
    seed : int or None
        Seed of the buffer's own random generator (sampling only).
    prune_to : int or None
        When the buffer fills up, keep only the newest ``prune_to`` transitions and drop
        the rest at once (the original article's memory: 1500 transitions, pruned to the
        newest 500). None (default): a plain ring that overwrites the oldest one at a time.

    Examples
    --------
    >>> buf = ReplayBuffer(1000, (4,), seed=0)
    >>> buf.add(np.zeros(4), 1, 1.0, np.ones(4), terminated=False)
    >>> len(buf)
    1
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...] | int,
        obs_dtype: Any = np.float32,
        seed: int | np.random.SeedSequence | None = None,
        prune_to: int | None = None,
    ) -> None:
        if int(capacity) != capacity or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        if prune_to is not None and not 1 <= prune_to < capacity:
            raise ValueError(f"prune_to must lie in 1..capacity-1 ({capacity - 1}), "
                             f"got {prune_to!r}")
        self.prune_to = prune_to
        if isinstance(obs_shape, int):
            obs_shape = (obs_shape,)
        self.capacity = int(capacity)
        if isinstance(obs_shape, str) or not isinstance(obs_shape, (tuple, list)):
            raise ValueError(f"obs_shape must be a tuple of sizes, got {obs_shape!r}")
        self.obs_shape = tuple(whole_number(d, "obs_shape entry") for d in obs_shape)
        self.obs_dtype = np.dtype(obs_dtype)
        self.rng = make_rng(seed, "ReplayBuffer seed")
        self._allocate_observations()
        self.fields = np.zeros(self.capacity, dtype=STORED)  # all but the observations
        self.fields["n_steps"] = 1
        self.pos = 0  # next slot to write
        self.size = 0  # number of filled slots

    def __len__(self) -> int:
        return self.size

    @property
    def nbytes(self) -> int:
        """Bytes held by the buffer's arrays (observations and transition fields)."""
        return self.fields.nbytes + sum(getattr(self, name).nbytes
                                        for name in self._OBSERVATION_ARRAYS)

    # -- how observations are kept (the hooks a subclass overrides) --------------------

    _OBSERVATION_ARRAYS = ("obs", "next_obs")  # per-slot arrays a checkpoint saves
    # Whether the oldest transitions may leave before the buffer is full (the frame
    # buffer's): then any position goes with any size, else a buffer not yet full has
    # pos == size.
    _DROPS_OLDEST = False

    def _allocate_observations(self) -> None:
        """Preallocate ``obs`` and ``next_obs``: ``(capacity, *obs_shape)`` each."""
        _check_memory(self.capacity, self.obs_shape, self.obs_dtype)
        self.obs = np.zeros((self.capacity, *self.obs_shape), dtype=self.obs_dtype)
        self.next_obs = np.zeros_like(self.obs)

    def _store_observations(self, slot: int, obs: np.ndarray, next_obs: np.ndarray,
                            n_steps: int, episode_over: bool) -> None:
        """Keep the observations of the transition written to ``slot``.

        ``episode_over`` is True for the last transition of an episode (terminated or
        truncated with ``n_steps == 1``: the n-step flush ends with it)."""
        self.obs[slot] = obs
        self.next_obs[slot] = next_obs

    def _observations_at(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(obs, next_obs)`` of the transitions at ``indices``, each ``(B, *obs_shape)``."""
        return self.obs.take(indices, axis=0), self.next_obs.take(indices, axis=0)

    def _filled_slots(self) -> np.ndarray:
        """Slots holding transitions, oldest first (a plain ring: ``0 .. size-1``)."""
        return np.arange(self.size)

    def _holds(self, indices: np.ndarray) -> bool:
        """Whether every slot in ``indices`` holds a transition."""
        return bool(np.all((indices >= 0) & (indices < self.size)))

    def _forget(self, slots: np.ndarray) -> None:
        """Called when transitions leave the buffer early (the frame buffer); no-op here."""

    def _added(self, slot: int) -> None:
        """Called once a transition is stored in ``slot`` (its priority, the frame ring's
        cleanup); no-op here."""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(capacity={self.capacity}, obs_shape={self.obs_shape}, "
            f"size={self.size})"
        )

    def add(
        self,
        obs: np.ndarray,
        action: int,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool = False,
        n_steps: int = 1,
    ) -> int:
        """Store one transition, overwriting the oldest when full; return its slot."""
        obs = np.asarray(obs)
        if obs.shape != self.obs_shape:
            raise ValueError(
                f"observation has shape {obs.shape}, but this buffer stores {self.obs_shape}; "
                "build the buffer with the environment's observation_space.shape"
            )
        slot = self.pos
        self._store_observations(slot, obs, np.asarray(next_obs), int(n_steps),
                                 bool(terminated or truncated) and n_steps == 1)
        self.fields[slot] = (action, reward, terminated, truncated, n_steps)
        self.pos = (slot + 1) % self.capacity
        if self.size < self.capacity:
            self.size += 1
        if self.prune_to is not None and self.size == self.capacity:
            self._prune()
        self._added(slot)
        return slot

    def _prune(self) -> None:
        """Keep the newest ``prune_to`` transitions, moved to the front (slots 0..k-1).

        A pruned buffer never wraps (it is cut before it would), so when it is full the
        newest transitions are the last ``prune_to`` slots.
        """
        keep = self.prune_to
        for array in self._per_slot_arrays().values():
            array[:keep] = array[self.capacity - keep:].copy()
        self.size = self.pos = keep

    def _check_can_sample(self, batch_size: int) -> None:
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer; add transitions first")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")

    def gather(self, indices: np.ndarray, weights: np.ndarray | None = None) -> Batch:
        """Return the transitions at ``indices`` (shape (B,), int) as a :class:`Batch`."""
        indices = np.asarray(indices, dtype=np.int64)
        if weights is None:
            weights = np.ones(len(indices), dtype=np.float32)
        obs, next_obs = self._observations_at(indices)
        rows = self.fields.take(indices)  # take: many times faster than fields[indices]
        return Batch(obs=obs, next_obs=next_obs, weights=weights, indices=indices,
                     **{name: rows[name] for name in STORED.names})

    def sample(self, batch_size: int) -> Batch:
        """Draw ``batch_size`` transitions uniformly, with replacement."""
        self._check_can_sample(batch_size)
        indices = self.rng.integers(0, self.size, size=batch_size)
        return self.gather(indices)

    # -- checkpointing (pickle-free: arrays + a JSON-able dict) -------------------------

    def _per_slot_arrays(self) -> dict[str, np.ndarray]:
        """Every per-slot array by its checkpoint name: observations, then each field."""
        arrays = {name: getattr(self, name) for name in self._OBSERVATION_ARRAYS}
        arrays.update((name, self.fields[name]) for name in STORED.names)
        return arrays

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Return ``(arrays, meta)``: the filled slots as arrays, and JSON-able counters."""
        slots = self._filled_slots()
        arrays = {name: array[slots] for name, array in self._per_slot_arrays().items()}
        meta = {
            "type": type(self).__name__,
            "capacity": self.capacity,
            "obs_shape": list(self.obs_shape),
            "obs_dtype": self.obs_dtype.str,
            "pos": self.pos,
            "size": self.size,
            "rng": generator_state(self.rng),
        }
        return arrays, meta

    def load_state_dict(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (capacity and shapes must match).

        ``meta`` and ``arrays`` come from files: every count is checked against this
        buffer and against the arrays given (``size`` rows each, ``0 <= pos < capacity``,
        ``pos == size`` until the ring is full) before anything is copied.
        """
        if meta["capacity"] != self.capacity or tuple(meta["obs_shape"]) != self.obs_shape:
            raise ValueError(
                f"saved buffer has capacity {meta['capacity']} and obs_shape "
                f"{tuple(meta['obs_shape'])}, this one {self.capacity} and {self.obs_shape}"
            )
        size, pos = meta["size"], meta["pos"]
        if type(size) is not int or not 0 <= size <= self.capacity:
            raise ValueError(f"saved buffer size {size!r} is not an integer in "
                             f"0..{self.capacity} (its capacity)")
        if type(pos) is not int or not 0 <= pos < self.capacity or (
                size < self.capacity and pos != size and not self._DROPS_OLDEST):
            raise ValueError(f"saved buffer position {pos!r} is impossible for size {size} "
                             f"and capacity {self.capacity}")
        targets = self._per_slot_arrays()
        for name, target in targets.items():
            source = arrays.get(name)
            if source is None:
                raise ValueError(f"saved buffer has no array {name!r}")
            if source.shape != (size, *target.shape[1:]) or source.dtype != target.dtype:
                raise ValueError(f"saved buffer array {name!r} has shape {source.shape} and "
                                 f"dtype {source.dtype}, expected {(size, *target.shape[1:])} "
                                 f"and {target.dtype}")
        self.size, self.pos = size, pos
        slots = self._filled_slots()
        for name, target in targets.items():
            target[slots] = arrays[name]
        self.rng = generator_from_state(meta["rng"])


def _check_memory(capacity: int, obs_shape: tuple[int, ...], obs_dtype: np.dtype) -> None:
    """Refuse, in one line, a buffer larger than this machine's memory (a mistyped
    buffer_size, or one read from a file) instead of failing deep inside NumPy."""
    row = 2 * int(np.prod(obs_shape, dtype=object)) * obs_dtype.itemsize + STORED.itemsize
    needed = capacity * row
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not on this system: let NumPy decide
        return
    if needed > memory:
        raise ValueError(f"a replay buffer of {capacity:,} transitions needs "
                         f"{needed / 2**30:,.1f} GiB, more than this machine's "
                         f"{memory / 2**30:,.1f} GiB of memory; lower buffer_size")
