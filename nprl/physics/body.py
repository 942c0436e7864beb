"""Rigid bodies: one convex polygon or several (a compound body), with mass and state.

A :class:`Body` owns its shapes (body-local :class:`~nprl.physics.polygon.Polygon`s), its
mass properties, and its state: where its frame is (``position``, ``angle``) and how fast
it moves (``velocity`` of the centre of mass, ``angular_velocity``). A static body is
simply one with inverse mass and inverse inertia 0: impulses do not move it.

Conventions, kept everywhere in ``nprl.physics``:

* 2-vectors are tuples ``(x, y)`` of Python floats (see ``vec.py`` for why not arrays).
  Inputs may be any 2-sequence (tuple, list, ndarray); they are checked for finiteness.
* ``position`` is the origin of the body frame, the point the shapes' vertices are
  measured from. The body turns about its centre of mass, ``center`` (world). For a
  single shape centred on the origin, e.g. ``box(w, h)``, the two coincide.
* ``velocity`` is the velocity of the centre of mass.

Each shape's world bounding box is refreshed (``_sync``) whenever the state changes; it
comes from the shape's bounding circle (one rotation per shape, not one per vertex). The
world vertices and normals are computed only when asked for (``_geometry``), in practice
only for shapes whose boxes overlap something: a lander hull high above the ground costs
no vertex transforms at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nprl.physics.polygon import Polygon
from nprl.physics.vec import Vec2, to_finite, to_vec2

# Fastest speed a body may be given (m/s): 50x the 200 m/s the world steps without
# tunnelling through 1 m of static ground; beyond, a typo (1e300) rather than a scene.
MAX_SPEED = 10_000.0


class Body:
    """A rigid body made of one convex polygon or a list of them.

    Parameters
    ----------
    shape : Polygon or list/tuple of Polygon
        The body's outline, body-local. Several convex polygons make one compound rigid
        body (a lander hull with two legs, a terrain of several pieces); their mass and
        inertia are combined by area (uniform density).
    mass : float
        Kilograms, > 0 for a dynamic body. Ignored (may be 0) when ``static=True``.
    position : 2-vector
        World position of the body frame's origin (metres).
    angle : float
        Rotation of the body frame, radians, counter-clockwise.
    velocity : 2-vector
        Linear velocity of the centre of mass (m/s).
    angular_velocity : float
        rad/s, counter-clockwise positive.
    restitution : float
        Bounciness in [0, 1]; a contact uses the larger of the two bodies' values.
    friction : float
        Coulomb coefficient mu >= 0; a contact uses sqrt(mu_a * mu_b), as Box2D does.
    linear_drag, quadratic_drag : float
        Drag force -linear_drag * v - quadratic_drag * |v| * v (N), applied at the centre
        of mass every step.
    angular_drag, angular_quadratic_drag : float
        Drag torque -angular_drag * w - angular_quadratic_drag * |w| * w (N m).
    static : bool
        A static body never moves (inverse mass and inverse inertia 0).
    inertia : float, optional
        Moment of inertia about the centre of mass (kg m^2). Computed from the shapes and
        the mass when not given.

    Raises
    ------
    ValueError
        A bad shape, a dynamic body with mass <= 0, or any non-finite number.
    """

    __slots__ = (
        "_aabb",
        "_aabbs",
        "_angle",
        "_cos",
        "_cx",
        "_cy",
        "_fx",
        "_fy",
        "_id",
        "_local_normals",
        "_radii",
        "_rel_centroids",
        "_rel_points",
        "_sin",
        "_thickness",
        "_torque",
        "_vx",
        "_vy",
        "_w",
        "_world_geometry",
        "angular_drag",
        "angular_quadratic_drag",
        "friction",
        "inertia",
        "inv_inertia",
        "inv_mass",
        "linear_drag",
        "local_center",
        "mass",
        "quadratic_drag",
        "restitution",
        "shapes",
        "static",
        "user_data",
    )

    def __init__(
        self,
        shape: Polygon | Sequence[Polygon],
        mass: float,
        position: Vec2 = (0.0, 0.0),
        angle: float = 0.0,
        velocity: Vec2 = (0.0, 0.0),
        angular_velocity: float = 0.0,
        restitution: float = 0.2,
        friction: float = 0.5,
        linear_drag: float = 0.0,
        quadratic_drag: float = 0.0,
        angular_drag: float = 0.0,
        angular_quadratic_drag: float = 0.0,
        static: bool = False,
        inertia: float | None = None,
    ) -> None:
        self.shapes: tuple[Polygon, ...] = _as_shapes(shape)
        self.static = bool(static)
        self.restitution = _non_negative(restitution, "restitution")
        self.friction = _non_negative(friction, "friction")
        self.linear_drag = _non_negative(linear_drag, "linear_drag")
        self.quadratic_drag = _non_negative(quadratic_drag, "quadratic_drag")
        self.angular_drag = _non_negative(angular_drag, "angular_drag")
        self.angular_quadratic_drag = _non_negative(
            angular_quadratic_drag, "angular_quadratic_drag"
        )
        self.user_data: object = None  # free for the caller (e.g. a name for drawing)
        self._id = -1  # set by World.add; deterministic key for contact persistence

        total_area = sum(p.area for p in self.shapes)
        lcx = sum(p.area * p.centroid[0] for p in self.shapes) / total_area
        lcy = sum(p.area * p.centroid[1] for p in self.shapes) / total_area
        self.local_center: Vec2 = (lcx, lcy)
        if self.static:
            self.mass, self.inv_mass, self.inertia, self.inv_inertia = 0.0, 0.0, 0.0, 0.0
        else:
            mass = to_finite(mass, "Body mass")
            if mass <= 0:
                raise ValueError(
                    f"a dynamic Body needs mass > 0, got {mass}; pass static=True for an "
                    "immovable body"
                )
            if inertia is None:
                density = mass / total_area
                inertia = density * sum(
                    p.unit_inertia
                    + p.area * ((p.centroid[0] - lcx) ** 2 + (p.centroid[1] - lcy) ** 2)
                    for p in self.shapes
                )
            inertia = to_finite(inertia, "Body inertia")
            if inertia <= 0:
                raise ValueError(f"Body inertia must be > 0, got {inertia}")
            self.mass, self.inv_mass = mass, 1.0 / mass
            self.inertia, self.inv_inertia = inertia, 1.0 / inertia

        # Shape geometry relative to the centre of mass, in the body's orientation.
        self._rel_points = tuple(
            tuple((x - lcx, y - lcy) for x, y in p._points) for p in self.shapes
        )
        self._local_normals = tuple(p._normals for p in self.shapes)
        self._rel_centroids = tuple((p.centroid[0] - lcx, p.centroid[1] - lcy) for p in self.shapes)
        self._radii = tuple(p.radius for p in self.shapes)
        self._thickness = min(p.thickness for p in self.shapes)  # see World's sub-steps
        self._angle = to_finite(angle, "Body angle")
        self._cos, self._sin = math.cos(self._angle), math.sin(self._angle)
        px, py = to_vec2(position, "Body position")
        self._cx, self._cy = self._from_frame(px, py, lcx, lcy)
        self._vx, self._vy = _speed_checked(velocity)
        self._w = to_finite(angular_velocity, "Body angular_velocity")
        self._fx = self._fy = self._torque = 0.0
        self._sync()

    # ----------------------------------------------------------------- state (public)
    @property
    def position(self) -> Vec2:
        """World position (x, y) of the body frame's origin, metres."""
        # The inverse of _from_frame(origin, local_center), inline: the env reads it often.
        lcx, lcy = self.local_center
        return (
            self._cx - (self._cos * lcx - self._sin * lcy),
            self._cy - (self._sin * lcx + self._cos * lcy),
        )

    @position.setter
    def position(self, value: Vec2) -> None:
        px, py = to_vec2(value, "Body position")
        self._cx, self._cy = self._from_frame(px, py, *self.local_center)
        self._sync()

    @property
    def center(self) -> Vec2:
        """World position (x, y) of the centre of mass, metres."""
        return (self._cx, self._cy)

    @property
    def angle(self) -> float:
        """Rotation of the body frame, radians, counter-clockwise (not wrapped)."""
        return self._angle

    @angle.setter
    def angle(self, value: float) -> None:
        # Turn about the frame origin, as a user setting the pose expects.
        px, py = self.position
        self._angle = to_finite(value, "Body angle")
        self._cos, self._sin = math.cos(self._angle), math.sin(self._angle)
        self.position = (px, py)

    @property
    def velocity(self) -> Vec2:
        """Velocity (vx, vy) of the centre of mass, m/s."""
        return (self._vx, self._vy)

    @velocity.setter
    def velocity(self, value: Vec2) -> None:
        self._vx, self._vy = _speed_checked(value)

    @property
    def angular_velocity(self) -> float:
        """Angular velocity, rad/s, counter-clockwise positive."""
        return self._w

    @angular_velocity.setter
    def angular_velocity(self, value: float) -> None:
        self._w = to_finite(value, "Body angular_velocity")

    @property
    def force(self) -> Vec2:
        """Force accumulated for the next step (N); cleared after each step."""
        return (self._fx, self._fy)

    @property
    def torque(self) -> float:
        """Torque accumulated for the next step (N m); cleared after each step."""
        return self._torque

    # -------------------------------------------------------------------- actions
    def apply_force(self, force: Vec2, point: Vec2 | None = None) -> None:
        """Add a force (N) for the next step, at a world point (default: centre of mass).

        A force off the centre of mass also adds the torque (point - center) x force.
        """
        fx, fy = to_vec2(force, "Body.apply_force: force")
        if point is not None:
            px, py = to_vec2(point, "Body.apply_force: point")
            self._torque += (px - self._cx) * fy - (py - self._cy) * fx
        self._fx += fx
        self._fy += fy

    def apply_torque(self, torque: float) -> None:
        """Add a torque (N m, counter-clockwise positive) for the next step."""
        self._torque += to_finite(torque, "Body.apply_torque: torque")

    def apply_impulse(self, impulse: Vec2, point: Vec2 | None = None) -> None:
        """Change the momentum now by ``impulse`` (N s) at a world point (default: centre).

        dv = impulse / m and dw = ((point - center) x impulse) / I. No effect on a static body.
        """
        jx, jy = to_vec2(impulse, "Body.apply_impulse: impulse")
        if point is not None:
            px, py = to_vec2(point, "Body.apply_impulse: point")
            self._w += self.inv_inertia * ((px - self._cx) * jy - (py - self._cy) * jx)
        self._vx += self.inv_mass * jx
        self._vy += self.inv_mass * jy

    def local_to_world(self, point: Vec2) -> Vec2:
        """Map a body-local point (same frame as the vertices) to world coordinates."""
        x, y = to_vec2(point, "Body.local_to_world: point")
        lcx, lcy = self.local_center
        return self._from_frame(self._cx, self._cy, x - lcx, y - lcy)

    def world_vertices(self, shape: int = 0) -> np.ndarray:
        """World coordinates of one shape's corners.

        Parameters
        ----------
        shape : int
            Index into ``self.shapes`` (0, the only one, for a single-polygon body).

        Returns
        -------
        ndarray of shape (n, 2), float64
        """
        if not 0 <= shape < len(self.shapes):
            raise ValueError(
                f"shape index {shape} out of range: this body has {len(self.shapes)} shape(s)"
            )
        return np.array(self._geometry(shape)[0], dtype=np.float64)

    def world_polygons(self) -> list[np.ndarray]:
        """World corners of every shape: a list of (n_i, 2) float64 arrays."""
        return [np.array(self._geometry(i)[0], dtype=np.float64) for i in range(len(self.shapes))]

    @property
    def kinetic_energy(self) -> float:
        """0.5 m |v|^2 + 0.5 I w^2 (J)."""
        return 0.5 * (self.mass * (self._vx**2 + self._vy**2) + self.inertia * self._w**2)

    def __repr__(self) -> str:
        kind = "static" if self.static else f"mass={self.mass:g}"
        x, y = self.position
        return (
            f"Body({len(self.shapes)} shape(s), {kind}, position=({x:.3f}, {y:.3f}), "
            f"angle={self._angle:.3f})"
        )

    # ------------------------------------------------------------------ internals
    def _from_frame(self, ox: float, oy: float, x: float, y: float) -> Vec2:
        """The world point at offset (x, y), given in the body's axes, from (ox, oy).

        The one frame formula: the centre of mass from the frame's origin (offset
        ``local_center``), a body-local point from the centre (offset ``point -
        local_center``). ``_sync`` and ``_geometry`` inline it in their loops, and the
        ``position`` getter its inverse.
        """
        c, s = self._cos, self._sin
        return (ox + c * x - s * y, oy + s * x + c * y)

    def _sync(self) -> None:
        """Refresh the shapes' bounding boxes from the state; forget the world geometry."""
        c, s, cx, cy = self._cos, self._sin, self._cx, self._cy
        aabbs = []
        for (x, y), r in zip(self._rel_centroids, self._radii):
            wx, wy = cx + c * x - s * y, cy + s * x + c * y
            aabbs.append((wx - r, wy - r, wx + r, wy + r))
        self._aabbs = aabbs
        if len(aabbs) == 1:
            self._aabb = aabbs[0]
        else:
            self._aabb = (
                min([b[0] for b in aabbs]),
                min([b[1] for b in aabbs]),
                max([b[2] for b in aabbs]),
                max([b[3] for b in aabbs]),
            )
        self._world_geometry = [None] * len(aabbs)

    def _geometry(self, shape: int) -> tuple[list[Vec2], list[Vec2], tuple]:
        """World vertices, outward normals and exact bounding box of one shape.

        Computed at most once per pose. The box is the tight one (the one in ``_aabbs``
        comes from the bounding circle), for a second, sharper broad-phase test.
        """
        geometry = self._world_geometry[shape]
        if geometry is None:
            c, s, cx, cy = self._cos, self._sin, self._cx, self._cy
            points = [(cx + c * x - s * y, cy + s * x + c * y) for x, y in self._rel_points[shape]]
            normals = [(c * x - s * y, s * x + c * y) for x, y in self._local_normals[shape]]
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            geometry = (points, normals, (min(xs), min(ys), max(xs), max(ys)))
            self._world_geometry[shape] = geometry
        return geometry


def _as_shapes(shape: object) -> tuple[Polygon, ...]:
    if isinstance(shape, Polygon):
        return (shape,)
    if isinstance(shape, (list, tuple)) and shape and all(isinstance(p, Polygon) for p in shape):
        return tuple(shape)
    raise ValueError(
        "Body shape must be a Polygon or a non-empty list of Polygons, got "
        f"{type(shape).__name__}; wrap raw vertices as Polygon([(x, y), ...]) or use box(w, h)"
    )


def _speed_checked(value: object) -> Vec2:
    """A finite velocity no faster than :data:`MAX_SPEED` (``-1e300`` is finite, but no
    step of any world could follow it)."""
    vx, vy = to_vec2(value, "Body velocity")
    if math.hypot(vx, vy) > MAX_SPEED:
        raise ValueError(f"Body velocity ({vx:g}, {vy:g}) is faster than {MAX_SPEED:g} m/s; "
                         "nprl.physics steps bodies up to that speed")
    return vx, vy


def _non_negative(value: float, name: str) -> float:
    value = to_finite(value, f"Body {name}")
    if value < 0:
        raise ValueError(f"Body {name} must be >= 0, got {value}")
    return value
