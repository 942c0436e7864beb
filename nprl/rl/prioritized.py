"""Prioritized experience replay (Schaul et al., 2016), proportional variant.

Transition ``i`` is drawn with probability ``P(i) = p_i^alpha / sum_k p_k^alpha`` where
``p_i = |td_error_i| + eps``; new transitions get the largest priority seen so far, so
each is replayed at least once soon. Because this skews the data the network sees, each
sample carries an importance-sampling weight ``w_i = (N * P(i))^(-beta)``, divided by the
batch's largest weight so that weights only ever scale the loss down. ``beta`` is annealed
from ``beta_start`` to 1 over training by the caller (see :mod:`nprl.rl.schedules`).

Sampling is stratified as in the paper: the total mass is cut into ``B`` equal segments
and one value is drawn uniformly in each, then all ``B`` are looked up in the
:class:`~nprl.rl.sum_tree.SumTree` at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nprl.rl.replay_buffer import ReplayBuffer
from nprl.rl.sum_tree import SumTree
from nprl.rl.transition import Batch


class PrioritizedReplayBuffer(ReplayBuffer):
    """Ring buffer whose sampling probability follows each transition's TD error.

    Parameters
    ----------
    capacity, obs_shape, obs_dtype, seed
        As for :class:`~nprl.rl.replay_buffer.ReplayBuffer`.
    alpha : float, default 0.6
        How much prioritisation is used (0 = uniform); 0.6 is the paper's value for
        proportional prioritisation.
    eps : float, default 1e-6
        Added to ``|td_error|`` so that no stored transition gets probability zero.
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...] | int,
        alpha: float = 0.6,
        obs_dtype: Any = np.float32,
        seed: int | np.random.SeedSequence | None = None,
        eps: float = 1e-6,
    ) -> None:
        super().__init__(capacity, obs_shape, obs_dtype=obs_dtype, seed=seed)
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        if eps <= 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.alpha = float(alpha)
        self.eps = float(eps)
        self.tree = SumTree(self.capacity)
        self.max_priority = 1.0  # largest |td| + eps seen, before the alpha power

    def _added(self, slot: int) -> None:
        """A new transition gets the largest priority seen so far."""
        self.tree.update(slot, self.max_priority**self.alpha)

    def sample(self, batch_size: int, beta: float = 0.4) -> Batch:
        """Draw ``batch_size`` transitions in proportion to their priority.

        Parameters
        ----------
        batch_size : int
        beta : float in [0, 1]
            Importance-sampling exponent; 1 fully corrects the sampling bias.

        Returns
        -------
        Batch
            ``weights`` (shape (B,), float32) are ``(N * P(i))^-beta / max_batch``,
            ``indices`` are the slots to pass back to :meth:`update_priorities`.
        """
        self._check_can_sample(batch_size)
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta must lie in [0, 1], got {beta}")
        total = self.tree.total
        segment = total / batch_size
        values = (np.arange(batch_size) + self.rng.random(batch_size)) * segment
        # Guard against values landing on ``total`` itself through rounding.
        values = np.minimum(values, np.nextafter(total, 0.0))
        indices = self.tree.find(values)
        probabilities = self.tree[indices] / total
        weights = (self.size * probabilities) ** (-beta)
        weights = (weights / weights.max()).astype(np.float32)
        return self.gather(indices, weights)

    def _forget(self, slots: np.ndarray) -> None:
        """Transitions that left the buffer early can no longer be drawn."""
        self.tree.update(slots, 0.0)

    @property
    def nbytes(self) -> int:
        return super().nbytes + self.tree.tree.nbytes

    def update_priorities(self, indices: np.ndarray, td_errors: np.ndarray) -> None:
        """Set the priorities of ``indices`` (shape (B,)) from their new TD errors."""
        indices = np.asarray(indices, dtype=np.int64)
        td_errors = np.asarray(td_errors, dtype=np.float64)
        if indices.shape != td_errors.shape:
            raise ValueError(
                f"indices {indices.shape} and td_errors {td_errors.shape} must have one shape"
            )
        if indices.size and not self._holds(indices):
            raise ValueError("indices must refer to filled slots (as sample() returns them)")
        priorities = np.abs(td_errors) + self.eps
        if not np.all(np.isfinite(priorities)):
            raise ValueError("td_errors must be finite (did the loss diverge?)")
        self.max_priority = max(self.max_priority, float(priorities.max(initial=0.0)))
        self.tree.update(indices, priorities**self.alpha)

    # -- checkpointing ------------------------------------------------------------------

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays, meta = super().state_dict()
        arrays["priorities"] = self.tree[self._filled_slots()].copy()
        meta.update(alpha=self.alpha, eps=self.eps, max_priority=self.max_priority)
        return arrays, meta

    def load_state_dict(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        priorities = arrays.get("priorities")
        if priorities is None or priorities.shape != (int(meta.get("size", -1)),) or not (
                np.isfinite(priorities).all() and (priorities >= 0).all()):
            raise ValueError("saved buffer's priorities are missing, of the wrong length, "
                             "negative or not finite")
        super().load_state_dict(arrays, meta)
        self.tree = SumTree(self.capacity)
        self.tree.update(self._filled_slots(), arrays["priorities"])
        self.max_priority = float(meta["max_priority"])
