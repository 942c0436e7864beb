"""The contact manifold: what the collider found between two shapes, and what the
solver did about it.

One :class:`Manifold` describes one touching pair of convex polygons (shape ``shape_a``
of ``body_a`` against shape ``shape_b`` of ``body_b``): a single normal, one or two
contact points, and the penetration depth. After a world step the solver also stores the
impulses it applied, so a reader can see how hard two bodies pressed on each other (a
lander leg's load, for instance).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nprl.physics.vec import Vec2

if TYPE_CHECKING:
    from nprl.physics.body import Body


# Shapes closer than this (m) count as touching: a body resting on the ground sits at a
# separation of about 0 +- rounding, which must read as "in contact" every frame.
TOUCH_TOLERANCE = 1e-3


class Manifold:
    """Contact between two convex shapes.

    Attributes
    ----------
    body_a, body_b : Body
        The two bodies. In ``World.contacts`` ``body_a`` is the one added to the world first.
    shape_a, shape_b : int
        Index of the touching polygon in ``body_a.shapes`` / ``body_b.shapes`` (always 0
        for single-polygon bodies); read a lander foot contact off these.
    normal : tuple[float, float]
        Unit contact normal, pointing from ``body_a`` towards ``body_b``.
    points : list[tuple[float, float]]
        One or two world contact points, each midway between the two surfaces.
    depth : float
        Penetration depth in metres (>= 0; 0 when the shapes just touch).
    separations : list[float]
        Signed separation of each point along the normal (<= 0 means overlap; the world
        also keeps speculative points a few millimetres apart, see ``World.contact_margin``).
    touching : bool
        True when the shapes overlap or are within ``TOUCH_TOLERANCE`` (1 mm) of each other;
        after a world step, also when they were still apart at its start but met during it
        (the solver had to push them apart: a positive normal impulse).
    ids : list[tuple[int, int, int, int]]
        Feature ids of each point: (flip, reference edge, incident edge, end), where flip
        is 1 when the reference face belongs to ``body_b`` and end (0 or 1) says which end
        of the clipped incident edge the point is. The solver uses them to carry impulses
        from one step to the next (warm starting).
    normal_impulses, tangent_impulses : list[float]
        Impulses (N s) the solver applied at each point during the last step (0 before).
    """

    __slots__ = (
        "body_a",
        "body_b",
        "depth",
        "ids",
        "normal",
        "normal_impulses",
        "points",
        "separations",
        "shape_a",
        "shape_b",
        "tangent_impulses",
        "touching",
    )

    def __init__(
        self,
        body_a: Body,
        body_b: Body,
        shape_a: int,
        shape_b: int,
        normal: Vec2,
        points: list[Vec2],
        separations: list[float],
        ids: list[tuple[int, int, int, int]],
    ) -> None:
        self.body_a = body_a
        self.body_b = body_b
        self.shape_a = shape_a
        self.shape_b = shape_b
        self.normal = normal
        self.points = points
        self.separations = separations
        self.depth = max(0.0, -min(separations))
        self.touching = min(separations) <= TOUCH_TOLERANCE
        self.ids = ids
        self.normal_impulses = [0.0] * len(points)
        self.tangent_impulses = [0.0] * len(points)

    def involves(self, body: Body, shape: int | None = None) -> bool:
        """True when this contact touches ``body`` (and, if given, its shape ``shape``)."""
        if self.body_a is body and (shape is None or self.shape_a == shape):
            return True
        return self.body_b is body and (shape is None or self.shape_b == shape)

    def __repr__(self) -> str:
        points = ", ".join(f"({x:.3f}, {y:.3f})" for x, y in self.points)
        return (
            f"Manifold(shapes {self.shape_a}/{self.shape_b}, normal=({self.normal[0]:.3f}, "
            f"{self.normal[1]:.3f}), points=[{points}], depth={self.depth:.4f})"
        )
