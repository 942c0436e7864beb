"""The world: bodies, gravity and the fixed time step that moves them.

``World.step`` reads like the algorithm (Box2D-Lite's ``World::Step``):

1. broad phase (bounding boxes) and narrow phase (SAT + clipping) -> manifolds;
2. integrate forces into velocities (semi-implicit Euler, first half):
   ``v += dt * (F / m + g)`` with drag ``F_drag = -c1 v - c2 |v| v`` in F;
3. prepare the contacts (effective masses, speculative and restitution bias) and warm
   start them with last step's impulses;
4. ``iterations`` sweeps of sequential impulses (normal impulse >= 0, friction within
   +-mu * normal impulse);
5. integrate velocities into positions (second half): ``x += dt * v``,
   ``angle += dt * w``; clear the forces and torques;
6. positional correction: ``position_iterations`` sweeps that move overlapping bodies
   apart where they overlap by more than ``slop`` (positions only: no energy added).

A body fast enough to pass through static geometry in one step (it would move more than
half of its thickness plus the thinnest static shape's) makes ``step`` run these stages
``n`` times over ``dt / n``, with speculative contacts as long as a sub-step's move: a box
at 200 m/s lands on 1 m of ground instead of tunnelling through it. Slower worlds (the
Lander's, every scene) take one pass, unchanged.

Switches (``warm_starting``, ``position_correction``) let a reader turn a feature off and
see what it buys. Every loop runs over lists in insertion order and contact persistence
is keyed by integers, so the same world and inputs give bit-identical results.
"""

from __future__ import annotations

import math

from nprl.physics import solver
from nprl.physics.body import Body
from nprl.physics.broadphase import candidate_pairs
from nprl.physics.manifold import Manifold
from nprl.physics.narrowphase import collide_polygons
from nprl.physics.vec import Vec2, to_finite, to_vec2

# The position pass ignores corrections smaller than this fraction of the slop.
POSITION_TOLERANCE = 1e-4
# Most sub-steps one step may take to keep a fast body from tunnelling (see World.step).
MAX_SUBSTEPS = 256


class World:
    """A 2D rigid-body world stepped at a fixed rate.

    Parameters
    ----------
    gravity : 2-vector
        Acceleration of gravity, m/s^2 (y up).
    dt : float
        Fixed time step, seconds (default 1/60).
    iterations : int
        Velocity-solver sweeps per step (more: stiffer stacks, slower steps).
    warm_starting : bool
        Start each contact from last step's impulses (keeps stacks quiet).
    position_iterations : int
        Sweeps of the position pass (0 turns it off, like ``position_correction=False``).
    position_correction : bool
        Move overlapping bodies apart after each step; off, deep overlaps stay.
    bias_factor : float
        Fraction of the error removed per position sweep (Box2D: 0.2).
    slop : float
        Overlap (m) left alone: resting contacts sit between 0 and ``slop`` deep.
    restitution_threshold : float
        Approach speed (m/s) below which a contact does not bounce.
    contact_margin : float
        Shapes closer than this (m) already get contact points (speculative contacts), so
        a resting box keeps both corners in contact and fast bodies stop before overlapping.
    velocity_tolerance : float
        The solver stops sweeping early once no sweep changes any contact velocity by more
        than this (m/s); 0 always runs all ``iterations``. A warm-started resting contact
        converges in one sweep, which is where most of the speed of a quiet world comes from.

    Attributes
    ----------
    bodies : list of Body
        In the order added.
    contacts : list of Manifold
        The last step's manifolds, one per touching shape pair (``Manifold.touching``:
        overlapping or within 1 mm at the start of the step, or met during it), with the
        impulses the solver applied. ``body_a`` is the body added first; the normal points
        from a to b.
    time : float
        Simulated seconds so far.
    """

    def __init__(
        self,
        gravity: Vec2 = (0.0, -9.81),
        dt: float = 1.0 / 60.0,
        iterations: int = 10,
        position_iterations: int = 4,
        warm_starting: bool = True,
        position_correction: bool = True,
        bias_factor: float = 0.2,
        slop: float = 0.005,
        restitution_threshold: float = 0.5,
        contact_margin: float = 0.01,
        velocity_tolerance: float = 1e-9,
    ) -> None:
        self.gravity = to_vec2(gravity, "World gravity")
        self.dt = to_finite(dt, "World dt")
        if self.dt <= 0:
            raise ValueError(f"World dt must be > 0 seconds, got {dt}")
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ValueError(f"World iterations must be an integer >= 1, got {iterations!r}")
        self.iterations = iterations
        if (
            isinstance(position_iterations, bool)
            or not isinstance(position_iterations, int)
            or position_iterations < 0
        ):
            raise ValueError(
                f"World position_iterations must be an integer >= 0, got {position_iterations!r}"
            )
        self.position_iterations = position_iterations
        self.warm_starting = bool(warm_starting)
        self.position_correction = bool(position_correction)
        self.bias_factor = to_finite(bias_factor, "World bias_factor")
        self.slop = to_finite(slop, "World slop")
        self.restitution_threshold = to_finite(restitution_threshold, "World restitution_threshold")
        self.contact_margin = to_finite(contact_margin, "World contact_margin")
        self.velocity_tolerance = to_finite(velocity_tolerance, "World velocity_tolerance")
        self.last_sweeps = 0  # velocity sweeps the last step needed (<= iterations)
        self.bodies: list[Body] = []
        self.contacts: list[Manifold] = []
        self.time = 0.0
        self.step_count = 0
        self._next_id = 0
        self._impulses: solver.ImpulseCache = {}
        self._thinnest_static: float | None = None  # see _substeps; kept by add/remove

    def add(self, body: Body) -> Body:
        """Add a body (returned, for chaining). A body belongs to one world at a time."""
        if not isinstance(body, Body):
            # The project reports every bad input as ValueError (or UserError).
            raise ValueError(f"World.add takes a Body, got {type(body).__name__}")  # noqa: TRY004
        if body._id >= 0:
            raise ValueError("this Body is already in a world; remove it first or make a new one")
        body._id = self._next_id
        self._next_id += 1
        self.bodies.append(body)
        self._note_static_shapes()
        return body

    def remove(self, body: Body) -> None:
        """Take a body out of the world, with its contacts."""
        if body not in self.bodies:
            raise ValueError("World.remove: this Body is not in the world")
        self.bodies.remove(body)
        self.contacts = [m for m in self.contacts if not m.involves(body)]
        body._id = -1
        self._note_static_shapes()

    def _note_static_shapes(self) -> None:
        """Remember the thinnest static body's thickness (None without static bodies): the
        sub-step rule needs it every step, and it changes only when bodies come and go."""
        self._thinnest_static = min((b._thickness for b in self.bodies if b.static),
                                    default=None)

    def contacts_of(self, body: Body, shape: int | None = None) -> list[Manifold]:
        """The last step's manifolds that touch ``body`` (and its shape ``shape`` if given).

        ``any(world.contacts_of(lander, shape=1))`` says whether the lander's shape 1 (its
        left leg, say) touches anything.
        """
        return [m for m in self.contacts if m.involves(body, shape)]

    def touching(self, body: Body) -> dict[int, list[Body]]:
        """What each shape of ``body`` touched in the last step: shape index -> bodies.

        Shapes that touch nothing are left out. For a lander whose shape 1 is its left
        leg, ``pad in world.touching(lander).get(1, [])`` says whether that foot is on
        the pad. One pass over the contacts, however many shapes are asked about.
        """
        touched: dict[int, list[Body]] = {}
        for m in self.contacts:
            if m.body_a is body:
                touched.setdefault(m.shape_a, []).append(m.body_b)
            elif m.body_b is body:
                touched.setdefault(m.shape_b, []).append(m.body_a)
        return touched

    def step(self) -> None:
        """Advance the world by ``dt`` seconds (see the module docstring for the stages).

        A body fast enough to pass through static geometry in one step (it would move
        more than half its own thickness plus that of the thinnest static shape) makes
        the step run as ``n`` equal sub-steps, so that it meets the ground instead of
        tunnelling through it; slower worlds take exactly one step, bit for bit as ever.
        """
        substeps, fastest_move = self._substeps()
        if substeps == 1:
            self._advance(self.dt, self.contact_margin)
        else:
            # Speculative contacts reach as far as the fastest body moves in a sub-step,
            # so it is stopped at the surface rather than pushed out from deep inside.
            margin = self.contact_margin + fastest_move / substeps
            touching: dict[tuple[int, int, int, int], Manifold] = {}
            forces = [(b, b._fx, b._fy, b._torque) for b in self.bodies]
            for _ in range(substeps):
                for body, fx, fy, torque in forces:  # forces act over the whole step
                    body._fx, body._fy, body._torque = fx, fy, torque
                self._advance(self.dt / substeps, margin)
                for m in self.contacts:  # what touched during the step, last seen state
                    touching[(m.body_a._id, m.body_b._id, m.shape_a, m.shape_b)] = m
            self.contacts = list(touching.values())
        self.time += self.dt
        self.step_count += 1

    def _substeps(self) -> tuple[int, float]:
        """How many sub-steps this step needs so no body tunnels through static geometry
        (each sub-step moves every body at most half of its thickness plus the thinnest
        static shape's), and the longest move (m) of a body in the whole step. Raises
        ``ValueError`` for a body faster than :data:`MAX_SUBSTEPS` sub-steps allow."""
        thinnest = self._thinnest_static
        if thinnest is None:
            return 1, 0.0
        dt = self.dt
        gx, gy = self.gravity
        worst, fastest_move = 1.0, 0.0
        for body in self.bodies:
            if body.static:
                continue
            # The velocity this step moves with, before contacts and drag (which slow it).
            vx = body._vx + dt * (body.inv_mass * body._fx + gx)
            vy = body._vy + dt * (body.inv_mass * body._fy + gy)
            reach = 0.5 * (body._thickness + thinnest)
            move_sq = (vx * vx + vy * vy) * dt * dt
            if move_sq > reach * reach and math.sqrt(move_sq) / reach > worst:
                worst, fastest_move = math.sqrt(move_sq) / reach, math.sqrt(move_sq)
        substeps = math.ceil(worst)
        if substeps > MAX_SUBSTEPS:
            raise ValueError(
                f"a body moves {fastest_move:.3g} m in one step of {dt:g} s, more than "
                f"{MAX_SUBSTEPS} sub-steps can follow without passing through static "
                "shapes; lower its speed or the time step"
            )
        return substeps, fastest_move

    def _advance(self, dt: float, margin: float) -> None:
        """One pass of the stages over ``dt`` seconds (a step, or a sub-step of one);
        shapes closer than ``margin`` get (speculative) contact points."""
        bodies = self.bodies

        # 1. Collision detection.
        manifolds = []
        for i, j, si, sj in candidate_pairs(bodies, margin):
            a, b = bodies[i], bodies[j]
            points_a, normals_a, (ax0, ay0, ax1, ay1) = a._geometry(si)
            points_b, normals_b, (bx0, by0, bx1, by1) = b._geometry(sj)
            # The broad phase used bounding circles; the exact boxes weed out more pairs.
            if ax0 > bx1 + margin or bx0 > ax1 + margin or ay0 > by1 + margin or by0 > ay1 + margin:
                continue
            raw = collide_polygons(points_a, normals_a, points_b, normals_b, margin)
            if raw is not None:
                normal, points, separations, ids = raw
                manifolds.append(Manifold(a, b, si, sj, normal, points, separations, ids))

        # 2. Forces, drag and gravity -> velocities.
        gx, gy = self.gravity
        for body in bodies:
            if body.static:
                continue
            vx, vy, w = body._vx, body._vy, body._w
            fx, fy, torque = body._fx, body._fy, body._torque
            if body.linear_drag or body.quadratic_drag:
                k = body.linear_drag + body.quadratic_drag * math.hypot(vx, vy)
                fx -= k * vx
                fy -= k * vy
            if body.angular_drag or body.angular_quadratic_drag:
                torque -= (body.angular_drag + body.angular_quadratic_drag * abs(w)) * w
            body._vx = vx + dt * (body.inv_mass * fx + gx)
            body._vy = vy + dt * (body.inv_mass * fy + gy)
            body._w = w + dt * body.inv_inertia * torque

        # 3-4. Contact impulses.
        constraints = solver.prepare(
            manifolds,
            self._impulses,
            dt,
            self.restitution_threshold,
            self.warm_starting,
            self.velocity_tolerance,
        )
        self.last_sweeps = solver.solve_velocities(constraints, self.iterations)
        self._impulses = solver.store_impulses(constraints)
        for m in manifolds:
            # A speculative contact the solver had to push on met its partner this step.
            if not m.touching and max(m.normal_impulses) > 0.0:
                m.touching = True
        self.contacts = [m for m in manifolds if m.touching]

        # 5. Velocities -> positions; clear forces.
        for body in bodies:
            if body.static:
                continue
            body._cx += dt * body._vx
            body._cy += dt * body._vy
            body._angle += dt * body._w
            body._cos = math.cos(body._angle)
            body._sin = math.sin(body._angle)
            body._fx = body._fy = body._torque = 0.0

        # 6. Positional correction: move bodies apart that overlap by more than the slop.
        if self.position_correction and self.position_iterations and constraints:
            solver.solve_positions(
                constraints,
                self.position_iterations,
                self.slop,
                self.bias_factor,
                POSITION_TOLERANCE * self.slop,
            )

        for body in bodies:
            if body.static:
                continue
            if not math.isfinite(body._cx + body._cy + body._angle + body._vx + body._vy + body._w):
                raise ValueError(
                    f"{body!r} reached a non-finite state at t={self.time:.4f} s; a force, "
                    "impulse or time step is far too large (or a drag makes the step unstable)"
                )
            body._sync()

    def __repr__(self) -> str:
        return (
            f"World({len(self.bodies)} bodies, {len(self.contacts)} contacts, "
            f"t={self.time:.3f} s, dt={self.dt:g}, iterations={self.iterations})"
        )
