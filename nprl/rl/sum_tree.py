"""A sum tree: sample slot ``i`` with probability ``p_i / sum(p)`` in O(log n).

The tree lives in one float64 array ``tree`` of length ``2 * capacity``. Leaf ``i`` (slot
``i`` of the replay buffer) sits at ``tree[capacity + i]``; node ``k < capacity`` holds
``tree[2k] + tree[2k + 1]``; the root is ``tree[1]`` (``tree[0]`` is unused)::

                    tree[1] = total
                   /               \\
              tree[2]             tree[3]
              /    \\              /     \\
          ...        ...       ...       ...
     tree[cap] ... tree[2cap-1]    <- the priorities, one per slot

This works for any capacity, not only powers of two: with a non-power-of-two capacity the
leaves sit at two different depths, but every leaf still has exactly one path from the
root, and every internal node has two children, so the sums stay right.

Both operations are vectorised over a batch: :meth:`update` writes many leaves and then
recomputes their ancestors level by level; :meth:`find` walks a whole batch of prefix
sums down the tree together (one NumPy step per level, never one Python loop per sample).
"""

from __future__ import annotations

import numpy as np


class SumTree:
    """Priorities of ``capacity`` slots with O(log n) update and proportional search.

    Parameters
    ----------
    capacity : int
        Number of leaves (any positive integer).
    """

    def __init__(self, capacity: int) -> None:
        if int(capacity) != capacity or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        self.capacity = int(capacity)
        self.tree = np.zeros(2 * self.capacity, dtype=np.float64)

    def __repr__(self) -> str:
        return f"SumTree(capacity={self.capacity}, total={self.total:.6g})"

    @property
    def total(self) -> float:
        """Sum of all priorities (the root)."""
        # With capacity 1 the single leaf is tree[1] itself.
        return float(self.tree[1])

    def __getitem__(self, indices: np.ndarray | int) -> np.ndarray:
        """Priorities of the given slots."""
        return self.tree[self.capacity + np.asarray(indices)]

    def update(self, indices: np.ndarray | int, priorities: np.ndarray | float) -> None:
        """Set ``priority[indices] = priorities`` and refresh every ancestor's sum.

        Parameters
        ----------
        indices : int or ndarray of int, shape (B,)
            Slots in ``[0, capacity)``. With repeated slots, the last value wins.
        priorities : float or ndarray, shape (B,)
            Non-negative finite priorities.
        """
        indices = np.atleast_1d(np.asarray(indices, dtype=np.int64))
        priorities = np.broadcast_to(np.asarray(priorities, dtype=np.float64), indices.shape)
        if indices.size == 0:
            return
        if indices.min() < 0 or indices.max() >= self.capacity:
            raise ValueError(f"slot indices must lie in [0, {self.capacity}), got {indices}")
        if not np.all(np.isfinite(priorities)) or priorities.min() < 0:
            raise ValueError("priorities must be finite and non-negative")
        nodes = indices + self.capacity
        self.tree[nodes] = priorities
        # Climb one level at a time. A node's last recomputation comes after its children's
        # (its deepest updated leaf reaches it last), so the sums end up exact.
        nodes = np.unique(nodes // 2)
        while nodes.size and nodes[-1] >= 1:
            nodes = nodes[nodes >= 1]
            self.tree[nodes] = self.tree[2 * nodes] + self.tree[2 * nodes + 1]
            nodes = np.unique(nodes // 2)

    def find(self, values: np.ndarray) -> np.ndarray:
        """Return, for each prefix sum in ``values``, the slot whose interval holds it.

        Slot ``i`` owns the interval of length ``p_i`` in the (tree-order) cumulative sum,
        so a uniform value in ``[0, total)`` picks slot ``i`` with probability
        ``p_i / total``. Slots with zero priority own an empty interval and are never
        returned, even when rounding pushes a value past a subtree's sum.

        Parameters
        ----------
        values : ndarray, shape (B,)
            Prefix sums in ``[0, total)``.

        Returns
        -------
        ndarray of int64, shape (B,)
            Slots in ``[0, capacity)``, each with a positive priority.
        """
        if self.total <= 0:
            raise ValueError("cannot sample from a sum tree whose priorities are all zero")
        values = np.array(values, dtype=np.float64)
        nodes = np.ones(values.shape, dtype=np.int64)
        if self.capacity == 1:
            return np.zeros(values.shape, dtype=np.int64)
        active = nodes < self.capacity
        while np.any(active):
            here = nodes[active]
            value = values[active]
            left = self.tree[2 * here]
            right = self.tree[2 * here + 1]
            # Go right when the value lies past the left subtree, but only into a subtree
            # with mass; an empty left subtree always sends us right.
            go_right = ((value >= left) & (right > 0)) | (left <= 0)
            values[active] = np.where(go_right, value - left, value)
            nodes[active] = 2 * here + go_right
            active = nodes < self.capacity
        return nodes - self.capacity
