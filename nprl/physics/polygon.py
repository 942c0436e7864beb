"""Convex polygons: validation, edge normals and mass properties.

A :class:`Polygon` is a shape in its body's local frame (metres, y up). It is checked
once, when it is made, so the collider can trust it: at least three distinct vertices,
counter-clockwise, strictly convex, non-zero area. Every rejection says which rule broke
and how to fix the input.

Vertex and edge numbering used by the collider (``narrowphase.py``): edge ``i`` runs from
vertex ``i`` to vertex ``i + 1`` (mod n) and ``normals[i]`` is its outward unit normal::

        v3 -------- e2 -------- v2
        |                        |
        e3          +           e1      n1 -->
        |                        |
        v0 -------- e0 -------- v1
                    |
                    v n0
"""

from __future__ import annotations

import math

import numpy as np

Vec2 = tuple[float, float]

# Two vertices closer than this (metres) count as the same point.
_DUPLICATE_TOLERANCE = 1e-9


class Polygon:
    """A convex polygon in body-local coordinates.

    Parameters
    ----------
    vertices : array-like of shape (n, 2), n >= 3
        Corner points in metres, listed counter-clockwise (y up), body-local.

    Attributes
    ----------
    vertices : ndarray of shape (n, 2), float64
        The corners (a read-only copy).
    normals : ndarray of shape (n, 2), float64
        Outward unit normal of edge i (from vertex i to vertex i+1).
    area : float
        Area in m^2.
    centroid : tuple[float, float]
        Centre of area, body-local.
    unit_inertia : float
        Second moment of area about the centroid (m^4): the moment of inertia about the
        centroid is ``density * unit_inertia``.

    Raises
    ------
    ValueError
        Fewer than 3 vertices, non-finite numbers, duplicate points, zero area, clockwise
        order, or a non-convex outline. The message names the rule and the fix.
    """

    __slots__ = (
        "_normals",
        "_points",
        "area",
        "centroid",
        "normals",
        "radius",
        "thickness",
        "unit_inertia",
        "vertices",
    )

    def __init__(self, vertices: object) -> None:
        points = _validate(vertices)
        n = len(points)
        normals = []
        for i in range(n):
            (x1, y1), (x2, y2) = points[i], points[(i + 1) % n]
            ex, ey = x2 - x1, y2 - y1
            edge_length = math.hypot(ex, ey)
            normals.append((ey / edge_length, -ex / edge_length))
        self._points: tuple[Vec2, ...] = tuple(points)
        self._normals: tuple[Vec2, ...] = tuple(normals)
        self.area, self.centroid, self.unit_inertia = _mass_properties(points)
        cx, cy = self.centroid
        # Radius of the circle around the centroid that holds the polygon.
        self.radius = max(math.hypot(x - cx, y - cy) for x, y in points)
        # Smallest width: a convex polygon is thinnest across one of its edges' normals.
        self.thickness = min(
            max(nx * x + ny * y for x, y in points) - min(nx * x + ny * y for x, y in points)
            for nx, ny in normals
        )
        self.vertices = np.array(points, dtype=np.float64)
        self.vertices.flags.writeable = False
        self.normals = np.array(normals, dtype=np.float64)
        self.normals.flags.writeable = False

    def __len__(self) -> int:
        return len(self._points)

    def __repr__(self) -> str:
        corners = ", ".join(f"({x:g}, {y:g})" for x, y in self._points)
        return f"Polygon([{corners}])"


def box(
    width: float, height: float, center: tuple[float, float] = (0.0, 0.0), angle: float = 0.0
) -> Polygon:
    """An axis-aligned rectangle ``width`` x ``height`` (metres), centred on ``center``.

    ``angle`` (radians, counter-clockwise) rotates it about its centre, which is handy for
    the parts of a compound body (a tilted leg) or a piece of terrain.
    """
    if not (width > 0 and height > 0 and math.isfinite(width) and math.isfinite(height)):
        raise ValueError(f"box needs a positive, finite width and height, got {width} x {height}")
    hw, hh = 0.5 * width, 0.5 * height
    c, s = math.cos(angle), math.sin(angle)
    corners = [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)]
    return Polygon([(center[0] + c * x - s * y, center[1] + s * x + c * y) for x, y in corners])


def _validate(vertices: object) -> list[Vec2]:
    """Return the vertices as a list of float pairs, or raise a ValueError that says why not."""
    try:
        array = np.asarray(vertices, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"Polygon vertices must be a sequence of (x, y) number pairs, got {vertices!r}"
        ) from None
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(
            f"Polygon vertices must have shape (n, 2), got shape {array.shape}; "
            "pass a list of (x, y) pairs"
        )
    n = array.shape[0]
    if n < 3:
        raise ValueError(f"a Polygon needs at least 3 vertices, got {n}")
    if not np.all(np.isfinite(array)):
        raise ValueError("Polygon vertices must be finite numbers (found NaN or infinity)")
    points = [(float(x), float(y)) for x, y in array]
    for i in range(n):
        for j in range(i + 1, n):
            if (
                math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1])
                <= _DUPLICATE_TOLERANCE
            ):
                raise ValueError(
                    f"Polygon vertices {i} and {j} are the same point {points[i]}; "
                    "remove the duplicate"
                )
    signed_area = 0.5 * sum(
        points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]
        for i in range(n)
    )
    size = max(float(np.ptp(array[:, 0])), float(np.ptp(array[:, 1])))
    if abs(signed_area) <= 1e-12 * size * size:
        raise ValueError("Polygon has zero area (all vertices on one line); give it some width")
    if signed_area < 0:
        raise ValueError(
            "Polygon vertices are clockwise; list them counter-clockwise (reverse the order)"
        )
    turning = 0.0
    for i in range(n):
        ax, ay = points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]
        bx, by = points[(i + 1) % n][0] - points[i][0], points[(i + 1) % n][1] - points[i][1]
        turn = ax * by - ay * bx
        if turn <= 1e-12 * math.hypot(ax, ay) * math.hypot(bx, by):
            what = (
                "is collinear with its neighbours (remove it)"
                if abs(turn) <= 1e-12 * math.hypot(ax, ay) * math.hypot(bx, by)
                else "makes the outline non-convex"
            )
            raise ValueError(
                f"Polygon is not strictly convex: vertex {i} {points[i]} {what}; "
                "split a concave shape into convex parts (a Body takes a list of Polygons)"
            )
        turning += math.atan2(turn, ax * bx + ay * by)
    if turning > 2 * math.pi + 1e-6:
        raise ValueError(
            "Polygon outline crosses itself (it winds around more than once); "
            "list the corners once, counter-clockwise"
        )
    return points


def _mass_properties(points: list[Vec2]) -> tuple[float, Vec2, float]:
    """Area, centroid and second moment of area about the centroid of a CCW polygon.

    Sums over the triangles (p0, p_i, p_i+1) of a fan, measured from p0 to keep the
    numbers small (Box2D's ``ComputeMass`` does the same).
    """
    ox, oy = points[0]
    area = 0.0
    cx = cy = 0.0
    second_moment = 0.0  # about the fan origin p0
    for i in range(1, len(points) - 1):
        e1x, e1y = points[i][0] - ox, points[i][1] - oy
        e2x, e2y = points[i + 1][0] - ox, points[i + 1][1] - oy
        d = e1x * e2y - e1y * e2x
        triangle_area = 0.5 * d
        area += triangle_area
        cx += triangle_area * (e1x + e2x) / 3.0
        cy += triangle_area * (e1y + e2y) / 3.0
        int_x2 = e1x * e1x + e2x * e1x + e2x * e2x
        int_y2 = e1y * e1y + e2y * e1y + e2y * e2y
        second_moment += (0.25 / 3.0) * d * (int_x2 + int_y2)
    cx /= area
    cy /= area
    # Parallel-axis theorem: move the second moment from p0 to the centroid.
    about_centroid = second_moment - area * (cx * cx + cy * cy)
    return area, (cx + ox, cy + oy), about_centroid
