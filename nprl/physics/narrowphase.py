"""Narrow phase: convex polygon against convex polygon by the separating-axis theorem.

Two convex polygons are apart exactly when some edge normal of one of them separates
them (the separating-axis theorem). For each edge i of A we measure how far B's vertices
stay in front of it, ``min_j n_i . (b_j - a_i)``; the largest of these over both
polygons is the separation. If it is positive the shapes are apart (early out); else the
edge that gives it is the *reference face* and the contact is built by clipping (Box2D's
``b2CollidePolygons``, Box2D-Lite's ``Collide``)::

                 incident polygon
                 w1 ______________ w2        <- incident edge: the one whose normal is
                   \\             /              most anti-parallel to n
       side plane 1 :            : side plane 2
     ...............x____________x.............
      reference    v1     ^ n    v2            <- reference face (edge of the other polygon)
      polygon             |

1. take the incident edge ``w1 w2`` of the other polygon;
2. clip it between the side planes through ``v1`` and ``v2`` (points ``x``);
3. keep the clipped points that lie behind the reference face: each one's depth is
   ``-(n . (x - v1))``. At most two points survive.

Hysteresis: A's face is the reference unless B's is clearly better
(``sep_b > 0.98 sep_a + 0.0005 m``), so a resting box does not flip its reference face,
and thereby its contact ids, from one frame to the next when the two candidates tie.

Vertex and edge numbering follow ``polygon.py``: edge i runs from vertex i to i + 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nprl.physics.manifold import Manifold
from nprl.physics.vec import Vec2

if TYPE_CHECKING:
    from nprl.physics.body import Body

# B's face becomes the reference only when it beats A's by this margin (see above).
RELATIVE_TOLERANCE = 0.98
ABSOLUTE_TOLERANCE = 0.0005  # metres


RawContact = tuple[Vec2, list[Vec2], list[float], list[tuple[int, int, int, int]]]


def _max_separation(
    points_a: list[Vec2], normals_a: list[Vec2], points_b: list[Vec2], margin: float
) -> tuple[float, int]:
    """Largest over A's edges of the smallest distance of B's vertices in front of it."""
    best, best_edge = -float("inf"), 0
    for i, (nx, ny) in enumerate(normals_a):
        vx, vy = points_a[i]
        separation = min([nx * x + ny * y for x, y in points_b]) - (nx * vx + ny * vy)
        if separation > best:
            best, best_edge = separation, i
            if separation > margin:  # a separating axis: no need to look further
                break
    return best, best_edge


def collide_polygons(
    points_a: list[Vec2],
    normals_a: list[Vec2],
    points_b: list[Vec2],
    normals_b: list[Vec2],
    margin: float = 0.0,
) -> RawContact | None:
    """SAT and clipping on two convex polygons given in world coordinates.

    Parameters
    ----------
    points_a, normals_a : list of (x, y)
        A's world vertices (counter-clockwise) and outward edge normals.
    points_b, normals_b : list of (x, y)
        The same for B.
    margin : float
        Also report points up to this far apart (m). The world uses a small margin
        (speculative contacts): a resting box whose corner lifts by a rounding error keeps
        both points, and a fast body is stopped before it overlaps instead of after.

    Returns
    -------
    (normal, points, separations, ids) or None
        ``normal`` points from A to B; ``points`` holds one or two world contact points;
        ``separations`` their signed distances (<= margin); ``ids`` their feature ids. None
        when the polygons are further apart than ``margin`` (touching, separation exactly 0,
        counts as contact).
    """
    separation_a, edge_a = _max_separation(points_a, normals_a, points_b, margin)
    if separation_a > margin:
        return None
    separation_b, edge_b = _max_separation(points_b, normals_b, points_a, margin)
    if separation_b > margin:
        return None

    if separation_b > RELATIVE_TOLERANCE * separation_a + ABSOLUTE_TOLERANCE:
        flip = 1
        ref_points, ref_normals, edge = points_b, normals_b, edge_b
        inc_points, inc_normals = points_a, normals_a
    else:
        flip = 0
        ref_points, ref_normals, edge = points_a, normals_a, edge_a
        inc_points, inc_normals = points_b, normals_b

    nx, ny = ref_normals[edge]
    v1x, v1y = ref_points[edge]
    v2x, v2y = ref_points[(edge + 1) % len(ref_points)]

    # Incident edge: the one facing the reference face most directly.
    incident, lowest = 0, float("inf")
    for i, (mx, my) in enumerate(inc_normals):
        d = nx * mx + ny * my
        if d < lowest:
            incident, lowest = i, d
    i2 = (incident + 1) % len(inc_points)
    w1x, w1y = inc_points[incident]
    w2x, w2y = inc_points[i2]

    # Clip the incident edge to the side planes of the reference face; t runs v1 -> v2.
    # Each clip moves an end of the segment that sticks out onto the plane, so "end 0"
    # (from w1) and "end 1" (from w2) keep their identity whether clipped or not: the id
    # of a contact point is its end, stable while a box slides along a face.
    tx, ty = -ny, nx
    segment = _clip(w1x, w1y, w2x, w2y, -tx, -ty, -(tx * v1x + ty * v1y))
    if segment is None:
        return None
    segment = _clip(*segment, tx, ty, tx * v2x + ty * v2y)
    if segment is None:
        return None

    front = nx * v1x + ny * v1y
    points, separations, ids = [], [], []
    p1x, p1y, p2x, p2y = segment
    for end, (px, py) in enumerate(((p1x, p1y), (p2x, p2y))):
        separation = nx * px + ny * py - front
        if separation <= margin:
            # Report the point midway between the incident point and the reference face.
            points.append((px - 0.5 * separation * nx, py - 0.5 * separation * ny))
            separations.append(separation)
            ids.append((flip, edge, incident, end))
    if not points:
        return None
    normal = (-nx, -ny) if flip else (nx, ny)
    return normal, points, separations, ids


def _clip(
    p1x: float, p1y: float, p2x: float, p2y: float, nx: float, ny: float, offset: float
) -> tuple[float, float, float, float] | None:
    """Cut segment p1 p2 to the side n . p <= offset of a plane (Sutherland-Hodgman).

    Returns the segment's two ends in the same order (an end beyond the plane moved onto
    it), or None when the whole segment lies beyond.
    """
    d1 = nx * p1x + ny * p1y - offset
    d2 = nx * p2x + ny * p2y - offset
    if d1 > 0.0:
        if d2 > 0.0:
            return None
        t = d1 / (d1 - d2)
        return p1x + t * (p2x - p1x), p1y + t * (p2y - p1y), p2x, p2y
    if d2 > 0.0:
        t = d1 / (d1 - d2)
        return p1x, p1y, p1x + t * (p2x - p1x), p1y + t * (p2y - p1y)
    return p1x, p1y, p2x, p2y


def collide_shapes(a: Body, shape_a: int, b: Body, shape_b: int) -> Manifold | None:
    """Contact between polygon ``shape_a`` of body ``a`` and polygon ``shape_b`` of ``b``.

    Uses the bodies' current poses. Returns a :class:`Manifold` (normal from a to b) or None.
    """
    points_a, normals_a, _ = a._geometry(shape_a)
    points_b, normals_b, _ = b._geometry(shape_b)
    raw = collide_polygons(points_a, normals_a, points_b, normals_b)
    if raw is None:
        return None
    normal, points, separations, ids = raw
    return Manifold(a, b, shape_a, shape_b, normal, points, separations, ids)


def collide(a: Body, b: Body) -> Manifold | None:
    """Contact between two bodies by the separating-axis theorem, or None if apart.

    For single-polygon bodies this is *the* manifold: ``normal`` from ``a`` to ``b``, one or
    two world ``points``, penetration ``depth``. For compound bodies (several polygons)
    every pair of shapes is tested and the deepest manifold is returned; use
    :func:`collide_shapes` (or ``World.contacts``, which keeps one manifold per touching
    shape pair) to see them all.
    """
    deepest = None
    for i in range(len(a.shapes)):
        for j in range(len(b.shapes)):
            manifold = collide_shapes(a, i, b, j)
            if manifold is not None and (deepest is None or manifold.depth > deepest.depth):
                deepest = manifold
    return deepest
