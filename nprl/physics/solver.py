"""Contact solver: sequential impulses with accumulated impulses and warm starting.

For each contact point the solver keeps the *accumulated* normal impulse ``pn`` and
tangent impulse ``pt`` of this step, and each iteration applies only the change that
keeps them valid (Catto, "Iterative Dynamics with Temporal Coherence", 2005):

* normal:   ``dpn = m_n (-v_n + bias)``, then clamp the total ``pn >= 0`` (push, never pull);
* friction: ``dpt = m_t (-v_t)``, then clamp the total ``|pt| <= mu pn`` (Coulomb cone);

where ``v_n, v_t`` are the relative velocity of the two bodies at the point along the
normal and tangent, and ``m_n = 1 / (1/m_a + 1/m_b + (r_a x n)^2 / I_a + (r_b x n)^2 / I_b)``
is the effective mass the point sees (likewise ``m_t``). Clamping the totals rather than
each increment lets one iteration undo another's overshoot.

``bias`` is the normal velocity the point must at least reach (``v_n >= bias``):

* every point is driven to the same small resting overlap, ``slop`` (a resting contact
  then stays a contact every frame, and all corners of a box sink equally so it lies
  flat). With ``gap = s + slop`` (``s`` the separation, < 0 when overlapping):
* ``gap > 0`` (not that deep yet, maybe still apart: a *speculative* point):
  ``-gap / dt``, the bodies may approach by ``gap`` this step, no further;
* ``gap <= 0`` (deeper than ``slop``): 0 here, and the excess is pushed out by a
  separate *position pass* (split impulses, ``solve_positions``) aiming at the
  pseudo-velocity ``-beta gap / dt``, so stacks do not sink. Feeding that push into the
  real velocities instead (plain Baumgarte, Box2D-Lite) adds energy that warm-started
  friction stores up: a stack of five boxes then rocks itself over;
* restitution, the larger wins: ``-e v_n`` when the bodies meet this step faster than
  the world's ``restitution_threshold`` (slower contacts come to rest instead of buzzing).

Warm starting: a contact point that existed in the previous step (same bodies, same
shapes, same feature id) starts from last step's impulses, which the solver applies once
before iterating. A resting box then converges in a single sweep.

The inner loop is written out on plain floats (no helper calls, locals for body state):
it is the hottest code in the engine, see the profile in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from nprl.physics.manifold import Manifold

if TYPE_CHECKING:
    from nprl.physics.body import Body

# Per-point record, a flat list for speed: indices into it.
RAX, RAY, RBX, RBY, MASS_N, MASS_T, BIAS, PN, PT, PUSH, PP = range(11)

ImpulseCache = dict[tuple, tuple[float, float]]

# Overlap within this fraction of the slop beyond the slop is left alone: resting contacts
# sit there, and skipping them lets the position pass skip whole steps of a quiet world.
PUSH_TOLERANCE = 0.1


class ContactConstraint:
    """The solver's view of one manifold: the two bodies, the frame and its points."""

    __slots__ = ("a", "b", "friction", "keys", "manifold", "nx", "ny", "points", "tolerance")

    def __init__(self, manifold: Manifold) -> None:
        self.manifold = manifold
        self.a: Body = manifold.body_a
        self.b: Body = manifold.body_b
        self.nx, self.ny = manifold.normal
        self.friction = math.sqrt(self.a.friction * self.b.friction)
        self.points: list[list[float]] = []
        self.keys: list[tuple] = []
        self.tolerance = 0.0  # impulse (N s) below which a change counts as converged


def prepare(
    manifolds: list[Manifold],
    previous: ImpulseCache,
    dt: float,
    bias_factor: float,
    slop: float,
    restitution_threshold: float,
    warm_starting: bool,
    velocity_tolerance: float = 0.0,
) -> list[ContactConstraint]:
    """Build the constraints: effective masses, velocity bias, warm-start impulses.

    Call after the velocities have been integrated. When ``warm_starting`` is on, the
    previous step's impulses are looked up in ``previous`` and applied to the bodies.
    ``velocity_tolerance`` (m/s) sets each constraint's convergence test (see
    :func:`solve_velocities`).
    """
    inv_dt = 1.0 / dt
    constraints = []
    for m in manifolds:
        c = ContactConstraint(m)
        a, b = c.a, c.b
        nx, ny = c.nx, c.ny
        tx, ty = ny, -nx
        ima, ia, imb, ib = a.inv_mass, a.inv_inertia, b.inv_mass, b.inv_inertia
        restitution = max(a.restitution, b.restitution)
        pair_key = (a._id, b._id, m.shape_a, m.shape_b)
        for (px, py), separation, feature in zip(m.points, m.separations, m.ids):
            rax, ray = px - a._cx, py - a._cy
            rbx, rby = px - b._cx, py - b._cy
            rna = rax * ny - ray * nx
            rnb = rbx * ny - rby * nx
            rta = rax * ty - ray * tx
            rtb = rbx * ty - rby * tx
            k_normal = ima + imb + ia * rna * rna + ib * rnb * rnb
            k_tangent = ima + imb + ia * rta * rta + ib * rtb * rtb
            # Every point is driven to the same resting overlap, `slop`, so a body lies flat.
            gap = separation + slop
            if gap > 0.0:
                # Not yet at the resting overlap (possibly still apart, a speculative
                # point): the bodies may approach by `gap` this step, no more.
                bias, push = -gap * inv_dt, 0.0
            elif gap < -PUSH_TOLERANCE * slop:
                # Too deep: the position pass pushes the excess out, a fraction per step.
                bias, push = 0.0, -bias_factor * inv_dt * gap
            else:
                # At rest, within rounding of the resting overlap: leave it be.
                bias, push = 0.0, 0.0
            # Approach speed along the normal (negative when closing).
            vn = (b._vx - b._w * rby - a._vx + a._w * ray) * nx + (
                b._vy + b._w * rbx - a._vy - a._w * rax
            ) * ny
            if vn < -restitution_threshold and separation + vn * dt <= 0.0:
                bias = max(bias, -restitution * vn)  # the gap closes this step: bounce
            key = pair_key + feature
            pn, pt = previous.get(key, (0.0, 0.0)) if warm_starting else (0.0, 0.0)
            c.points.append(
                [rax, ray, rbx, rby, 1.0 / k_normal, 1.0 / k_tangent, bias, pn, pt, push, 0.0]
            )
            c.keys.append(key)
            if pn != 0.0 or pt != 0.0:
                jx, jy = pn * nx + pt * tx, pn * ny + pt * ty
                a._vx -= ima * jx
                a._vy -= ima * jy
                a._w -= ia * (rax * jy - ray * jx)
                b._vx += imb * jx
                b._vy += imb * jy
                b._w += ib * (rbx * jy - rby * jx)
        # An impulse change smaller than this moves the point by < velocity_tolerance.
        c.tolerance = velocity_tolerance * min(min(p[MASS_N], p[MASS_T]) for p in c.points)
        constraints.append(c)
    return constraints


def solve_velocities(constraints: list[ContactConstraint], iterations: int) -> int:
    """Run up to ``iterations`` sweeps of sequential impulses over every contact point.

    Stops early once a whole sweep changed no impulse by more than its constraint's
    tolerance (the velocity change it would cause is below the world's
    ``velocity_tolerance``): a warm-started resting contact typically converges in one
    sweep. Returns the number of sweeps done.
    """
    for sweep in range(iterations):
        busy = False
        for c in constraints:
            tol = c.tolerance
            a, b = c.a, c.b
            nx, ny, mu = c.nx, c.ny, c.friction
            tx, ty = ny, -nx
            ima, ia, imb, ib = a.inv_mass, a.inv_inertia, b.inv_mass, b.inv_inertia
            avx, avy, aw = a._vx, a._vy, a._w
            bvx, bvy, bw = b._vx, b._vy, b._w
            for p in c.points:
                rax, ray, rbx, rby = p[0], p[1], p[2], p[3]
                # Relative velocity at the point: v_b + w_b x r_b - v_a - w_a x r_a.
                dvx = bvx - bw * rby - avx + aw * ray
                dvy = bvy + bw * rbx - avy - aw * rax

                # Friction first, clamped to the cone of the current normal impulse.
                limit = mu * p[PN]
                old = p[PT]
                new = old - p[MASS_T] * (dvx * tx + dvy * ty)
                if new > limit:
                    new = limit
                elif new < -limit:
                    new = -limit
                p[PT] = new
                d = new - old
                if d > tol or d < -tol:
                    busy = True
                jx, jy = d * tx, d * ty
                avx -= ima * jx
                avy -= ima * jy
                aw -= ia * (rax * jy - ray * jx)
                bvx += imb * jx
                bvy += imb * jy
                bw += ib * (rbx * jy - rby * jx)

                # Normal last (it matters most): push only, never pull.
                dvx = bvx - bw * rby - avx + aw * ray
                dvy = bvy + bw * rbx - avy - aw * rax
                old = p[PN]
                new = old + p[MASS_N] * (p[BIAS] - (dvx * nx + dvy * ny))
                if new < 0.0:  # noqa: PLR1730 (a branch is cheaper than max() here)
                    new = 0.0
                p[PN] = new
                d = new - old
                if d > tol or d < -tol:
                    busy = True
                jx, jy = d * nx, d * ny
                avx -= ima * jx
                avy -= ima * jy
                aw -= ia * (rax * jy - ray * jx)
                bvx += imb * jx
                bvy += imb * jy
                bw += ib * (rbx * jy - rby * jx)
            a._vx, a._vy, a._w = avx, avy, aw
            b._vx, b._vy, b._w = bvx, bvy, bw
        if not busy:
            return sweep + 1
    return iterations


def solve_positions(constraints: list[ContactConstraint], iterations: int) -> bool:
    """Push overlapping bodies apart with pseudo-velocities (split impulses).

    Same sequential-impulse sweep as the velocity pass, normal direction only, but on the
    bodies' pseudo-velocities ``_pvx, _pvy, _pw``: they move the bodies this step and are
    then forgotten, so the correction never turns into kinetic energy (a Baumgarte bias
    in the real velocities would, and makes tall stacks rock). Returns False, having done
    nothing, when no point is deeper than the slop.
    """
    if not any(p[PUSH] > 0.0 for c in constraints for p in c.points):
        return False
    for _ in range(iterations):
        busy = False
        for c in constraints:
            tol = c.tolerance
            a, b = c.a, c.b
            nx, ny = c.nx, c.ny
            ima, ia, imb, ib = a.inv_mass, a.inv_inertia, b.inv_mass, b.inv_inertia
            avx, avy, aw = a._pvx, a._pvy, a._pw
            bvx, bvy, bw = b._pvx, b._pvy, b._pw
            for p in c.points:
                rax, ray, rbx, rby = p[0], p[1], p[2], p[3]
                dvx = bvx - bw * rby - avx + aw * ray
                dvy = bvy + bw * rbx - avy - aw * rax
                old = p[PP]
                new = old + p[MASS_N] * (p[PUSH] - (dvx * nx + dvy * ny))
                if new < 0.0:  # noqa: PLR1730 (a branch is cheaper than max() here)
                    new = 0.0
                p[PP] = new
                d = new - old
                if d > tol or d < -tol:
                    busy = True
                jx, jy = d * nx, d * ny
                avx -= ima * jx
                avy -= ima * jy
                aw -= ia * (rax * jy - ray * jx)
                bvx += imb * jx
                bvy += imb * jy
                bw += ib * (rbx * jy - rby * jx)
            a._pvx, a._pvy, a._pw = avx, avy, aw
            b._pvx, b._pvy, b._pw = bvx, bvy, bw
        if not busy:
            break
    return True


def store_impulses(constraints: list[ContactConstraint]) -> ImpulseCache:
    """Copy the final impulses into the manifolds and return them keyed for warm starting."""
    cache: ImpulseCache = {}
    for c in constraints:
        m = c.manifold
        m.normal_impulses = [p[PN] for p in c.points]
        m.tangent_impulses = [p[PT] for p in c.points]
        for key, p in zip(c.keys, c.points):
            cache[key] = (p[PN], p[PT])
    return cache
