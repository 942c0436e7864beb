"""Broad phase: which shape pairs are close enough to be worth the SAT test.

Scenes here hold a handful of bodies, so an O(n^2) loop over axis-aligned bounding boxes
(AABBs) is both the simplest and the fastest choice; a tree or sweep-and-prune pays only
from dozens of bodies on. Two static bodies never collide. The order of the pairs depends
only on the order of the bodies in the world, so runs are deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nprl.physics.body import Body


def candidate_pairs(bodies: list[Body], margin: float = 0.0) -> list[tuple[int, int, int, int]]:
    """Shape pairs whose bounding boxes overlap (or come within ``margin``).

    Parameters
    ----------
    bodies : list of Body
        The world's bodies, in a fixed order.
    margin : float
        Grow every box by this much (m), for speculative contacts.

    Returns
    -------
    list of (i, j, shape_i, shape_j)
        Body indices ``i < j`` (at least one body dynamic) and shape indices within them.
    """
    pairs = []
    n = len(bodies)
    for i in range(n):
        a = bodies[i]
        ax0, ay0, ax1, ay1 = a._aabb
        ax0 -= margin
        ay0 -= margin
        ax1 += margin
        ay1 += margin
        for j in range(i + 1, n):
            b = bodies[j]
            if a.static and b.static:
                continue
            bx0, by0, bx1, by1 = b._aabb
            if ax0 > bx1 or bx0 > ax1 or ay0 > by1 or by0 > ay1:
                continue
            for si, (sx0, sy0, sx1, sy1) in enumerate(a._aabbs):
                sx0 -= margin
                sy0 -= margin
                sx1 += margin
                sy1 += margin
                if sx0 > bx1 or bx0 > sx1 or sy0 > by1 or by0 > sy1:
                    continue
                for sj, (tx0, ty0, tx1, ty1) in enumerate(b._aabbs):
                    if not (sx0 > tx1 or tx0 > sx1 or sy0 > ty1 or ty0 > sy1):
                        pairs.append((i, j, si, sj))
    return pairs
