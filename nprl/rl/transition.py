"""The transition schema: what one step of experience is, how replay stores it, and the
batch it samples. Every buffer, the n-step accumulator and the checkpoints use these three
definitions, so a field is added or changed here and nowhere else.

- :class:`Transition`: one (possibly n-step) transition, the arguments of
  ``ReplayBuffer.add(*transition)`` in order.
- :data:`STORED`: the NumPy record type of one replay slot, every field of a transition
  except its observations (how observations are kept is the buffer's business: whole, or
  as frames stored once). The names are the plural of :class:`Transition`'s: a column of
  many transitions, as in :class:`Batch` and in a checkpoint's ``<name>.npy`` files.
- :class:`Batch`: ``B`` transitions drawn for one gradient step.

``terminated`` (a true end: the pole fell, the lander crashed) is kept apart from
``truncated`` (a time limit): only the first stops bootstrapping in the TD target. Both are
stored as float32 0/1 so that they multiply straight into the target. ``n_steps`` records
how many rewards ``reward`` sums (1 unless the :class:`~nprl.rl.nstep.NStepAccumulator`
built it), so the target discounts by ``gamma**n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class Transition(NamedTuple):
    """One (possibly n-step) transition, ready for ``ReplayBuffer.add(*transition)``."""

    obs: np.ndarray
    action: int
    reward: float
    next_obs: np.ndarray
    terminated: bool
    truncated: bool
    n_steps: int


# One replay slot without its observations, in Transition's order (packed: 28 bytes).
STORED = np.dtype([
    ("actions", np.int64),
    ("rewards", np.float32),  # n-step discounted sum when n_steps > 1
    ("terminated", np.float32),  # 1.0 where the episode truly ended
    ("truncated", np.float32),  # 1.0 where a time limit cut the episode
    ("n_steps", np.int64),  # rewards summed in ``rewards`` (discount gamma**n)
])


@dataclass
class Batch:
    """A batch of transitions, every field with leading axis ``B`` (the batch size).

    Attributes
    ----------
    obs, next_obs : ndarray, shape (B, *obs_shape), the buffer's obs dtype
    actions, rewards, terminated, truncated, n_steps : ndarray, shape (B,)
        The :data:`STORED` fields, with its dtypes (int64, float32, float32, float32, int64).
    weights : ndarray, shape (B,), float32, importance-sampling weights (ones when uniform)
    indices : ndarray, shape (B,), int64, buffer slots (to update priorities)
    """

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_obs: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    n_steps: np.ndarray
    weights: np.ndarray
    indices: np.ndarray
