"""SumTree: sums stay exact under batched updates, search follows the cumulative sum."""

import numpy as np
import pytest

from nprl.rl.sum_tree import SumTree


@pytest.mark.parametrize("capacity", [1, 2, 5, 7, 8, 13, 100])
def test_every_internal_node_is_the_sum_of_its_children(capacity):
    rng = np.random.default_rng(capacity)
    tree = SumTree(capacity)
    for _ in range(20):
        idx = rng.integers(0, capacity, size=rng.integers(1, 6))
        tree.update(idx, rng.random(len(idx)))
    priorities = tree[np.arange(capacity)]
    assert tree.total == pytest.approx(priorities.sum(), rel=1e-12)
    for node in range(1, capacity):
        assert tree.tree[node] == tree.tree[2 * node] + tree.tree[2 * node + 1]


@pytest.mark.parametrize("capacity", [3, 6, 10])
def test_find_returns_the_slot_owning_each_interval(capacity):
    tree = SumTree(capacity)
    priorities = np.arange(1, capacity + 1, dtype=float)
    tree.update(np.arange(capacity), priorities)
    # Walk a fine grid over [0, total): each slot must be hit for a length equal to its
    # priority (the tree's leaf order need not be slot order, so compare the totals).
    grid = (np.arange(100_000) + 0.5) / 100_000 * tree.total
    hits = np.bincount(tree.find(grid), minlength=capacity)
    expected = priorities / priorities.sum() * len(grid)
    assert np.allclose(hits, expected, atol=2)


def test_zero_priority_slots_are_never_found():
    tree = SumTree(7)
    tree.update([0, 3, 6], [0.0, 2.0, 0.0])
    tree.update([1], [1e-300])
    values = np.concatenate([np.linspace(0, tree.total, 1000), [tree.total, tree.total * 2]])
    found = tree.find(values)
    assert set(found.tolist()) <= {1, 3}


def test_all_zero_and_bad_priorities_raise():
    tree = SumTree(4)
    with pytest.raises(ValueError, match="all zero"):
        tree.find(np.array([0.0]))
    with pytest.raises(ValueError, match="non-negative"):
        tree.update([0], [-1.0])
    with pytest.raises(ValueError, match="slot"):
        tree.update([4], [1.0])
