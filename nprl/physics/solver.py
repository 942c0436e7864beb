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

* 0 for touching or overlapping points: no approach, and no push either (see below);
* ``-s / dt`` for a *speculative* point, still ``s > 0`` apart: the bodies may close the
  gap this step, not more, so a fast body stops on the surface instead of inside it;
* restitution, the larger wins: ``-e v_n`` when the bodies meet this step faster than
  the world's ``restitution_threshold`` (slower contacts come to rest instead of buzzing).

Overlap is removed at the position level afterwards (Box2D's non-linear Gauss-Seidel,
``solve_positions``): each point's separation is recomputed from the bodies' current
poses and bodies overlapping by more than ``slop`` are moved, not accelerated, apart.
Pushing through the velocities instead (Baumgarte, Box2D-Lite) would turn each
correction into kinetic energy: a body pushed out of the ground would jump.

Warm starting: a contact point that existed in the previous step (same bodies, same
shapes, same feature id) starts from last step's impulses, which the solver applies once
before iterating. A resting box then converges in a single sweep.

The two normal impulses of a two-point manifold are solved exactly together (Box2D's
block solver, :func:`_solve_block`). And every bias is computed before any warm-start
impulse is applied: computed in between, the two corners of a falling box see different
approach speeds, one bounces and the other does not, and a perfectly symmetric stack
starts to lean (a bug we had; the stack tests in ``tests/physics`` guard it).

The inner loop is written out on plain floats (no helper calls, locals for body state):
it is the hottest code in the engine, see the profile in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from nprl.physics.manifold import Manifold

if TYPE_CHECKING:
    from nprl.physics.body import Body

# The two normal constraints of a two-point manifold are solved together (below) unless
# they are nearly redundant: condition number of their 2x2 effective-mass matrix above this.
MAX_CONDITION = 1000.0

# The position pass moves a body by at most this much per point and iteration (metres),
# so a deep overlap is resolved over a few steps instead of with a jump (Box2D: 0.2).
MAX_CORRECTION = 0.2


class ContactPoint:
    """One contact point through one step (Box2D-Lite's ``Contact``).

    :func:`prepare` fills it in, the sweeps of :func:`solve_velocities` update its
    impulses, :func:`solve_positions` reads its body-frame copy, and the next step's
    :func:`prepare` finds it again by ``key`` to warm start. A ``__slots__`` record:
    the sweeps read its fields more than anything else in the engine.

    Attributes
    ----------
    rax, ray, rbx, rby : float
        The point relative to the centres of mass of body a and of body b (m): Box2D-Lite's
        ``r1, r2``.
    rna, rnb : float
        ``r_a x n`` and ``r_b x n``: how much a normal impulse at the point turns each body.
    mass_normal, mass_tangent : float
        Effective mass (kg) the point sees along the normal and along the tangent.
    bias : float
        Normal velocity (m/s) the point must at least reach (see the module docstring).
    pn, pt : float
        Accumulated normal and tangent impulses of this step (N s): ``Pn, Pt``.
    key : tuple
        (body ids, shape indices, feature id): the same point in the next step.
    ref_is_b : int
        For the position pass: 1 when body b owns the reference face, 0 when body a does.
    face_nx, face_ny, face_px, face_py : float
        The reference face's normal and a point on it, in its own body's frame.
    inc_x, inc_y : float
        The incident point, in the other body's frame.
    """

    __slots__ = ("bias", "face_nx", "face_ny", "face_px", "face_py", "inc_x", "inc_y", "key",
                 "mass_normal", "mass_tangent", "pn", "pt", "rax", "ray", "rbx", "rby",
                 "ref_is_b", "rna", "rnb")


# Last step's contact points by key, for warm starting.
ImpulseCache = dict[tuple, ContactPoint]


class ContactConstraint:
    """The solver's view of one manifold: the two bodies, the frame and its points."""

    __slots__ = (
        "a",
        "b",
        "block",
        "friction",
        "manifold",
        "nx",
        "ny",
        "points",
        "tolerance",
    )

    def __init__(self, manifold: Manifold) -> None:
        self.manifold = manifold
        self.a: Body = manifold.body_a
        self.b: Body = manifold.body_b
        self.nx, self.ny = manifold.normal
        self.friction = math.sqrt(self.a.friction * self.b.friction)
        self.points: list[ContactPoint] = []
        self.tolerance = 0.0  # impulse (N s) below which a change counts as converged
        # (k11, k12, k22, det) of a two-point manifold solved as a block, else None.
        self.block: tuple[float, float, float, float] | None = None


def prepare(
    manifolds: list[Manifold],
    previous: ImpulseCache,
    dt: float,
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
            # Speculative point (still apart): may close the gap this step, no more.
            bias = -separation * inv_dt if separation > 0.0 else 0.0
            # Approach speed along the normal (negative when closing).
            vn = (b._vx - b._w * rby - a._vx + a._w * ray) * nx + (
                b._vy + b._w * rbx - a._vy - a._w * rax
            ) * ny
            if restitution > 0.0 and vn < -restitution_threshold and separation + vn * dt <= 0.0:
                # The gap closes this step: bounce. (Not for e = 0: max(bias, 0) would stop
                # a speculative point short of the surface, hovering.)
                bias = max(bias, -restitution * vn)
            p = ContactPoint()
            p.rax, p.ray, p.rbx, p.rby, p.rna, p.rnb = rax, ray, rbx, rby, rna, rnb
            p.mass_normal, p.mass_tangent, p.bias = 1.0 / k_normal, 1.0 / k_tangent, bias
            p.key = key = pair_key + feature
            last = previous.get(key) if warm_starting else None
            p.pn, p.pt = (0.0, 0.0) if last is None else (last.pn, last.pt)
            # The same contact in body frames, for the position pass.
            p.ref_is_b = flip = feature[0]
            edge = feature[1]
            ref, inc = (b, a) if flip else (a, b)
            ref_shape = m.shape_b if flip else m.shape_a
            p.face_nx, p.face_ny = ref._local_normals[ref_shape][edge]
            p.face_px, p.face_py = ref._rel_points[ref_shape][edge]
            rnx, rny = (-nx, -ny) if flip else (nx, ny)  # reference-face normal
            # The incident point itself: the reported point is midway to the face.
            dx = px + 0.5 * separation * rnx - inc._cx
            dy = py + 0.5 * separation * rny - inc._cy
            p.inc_x = inc._cos * dx + inc._sin * dy
            p.inc_y = -inc._sin * dx + inc._cos * dy
            c.points.append(p)
        # An impulse change smaller than this moves the point by < velocity_tolerance.
        c.tolerance = velocity_tolerance * min(
            min(p.mass_normal, p.mass_tangent) for p in c.points
        )
        if len(c.points) == 2:
            p1, p2 = c.points
            k11, k22 = 1.0 / p1.mass_normal, 1.0 / p2.mass_normal
            k12 = ima + imb + ia * p1.rna * p2.rna + ib * p1.rnb * p2.rnb
            det = k11 * k22 - k12 * k12
            if k11 * k11 < MAX_CONDITION * det:
                c.block = (k11, k12, k22, det)
        constraints.append(c)

    # Warm start only now: every bias above saw the same, untouched velocities.
    for c in constraints:
        a, b = c.a, c.b
        nx, ny = c.nx, c.ny
        tx, ty = ny, -nx
        ima, ia, imb, ib = a.inv_mass, a.inv_inertia, b.inv_mass, b.inv_inertia
        for p in c.points:
            pn, pt = p.pn, p.pt
            if pn != 0.0 or pt != 0.0:
                jx, jy = pn * nx + pt * tx, pn * ny + pt * ty
                a._vx -= ima * jx
                a._vy -= ima * jy
                a._w -= ia * (p.rax * jy - p.ray * jx)
                b._vx += imb * jx
                b._vy += imb * jy
                b._w += ib * (p.rbx * jy - p.rby * jx)
    return constraints


def solve_velocities(constraints: list[ContactConstraint], iterations: int) -> int:
    """Run up to ``iterations`` sweeps of sequential impulses over every contact.

    Per manifold: friction at each point first (clamped to the cone of the current
    normal impulse), then the normal impulses, which matter most, last. The two normal
    impulses of a two-point manifold are solved exactly together (:func:`_solve_block`):
    they are strongly coupled (pushing one corner of a box lifts the other), so one after
    the other they converge slowly and a stack sags.

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
                rax, ray, rbx, rby = p.rax, p.ray, p.rbx, p.rby
                # Relative velocity at the point: v_b + w_b x r_b - v_a - w_a x r_a.
                dvx = bvx - bw * rby - avx + aw * ray
                dvy = bvy + bw * rbx - avy - aw * rax
                limit = mu * p.pn
                old = p.pt
                new = old - p.mass_tangent * (dvx * tx + dvy * ty)
                if new > limit:
                    new = limit
                elif new < -limit:
                    new = -limit
                p.pt = new
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

            if c.block is not None:
                d1, d2 = _solve_block(c, avx, avy, aw, bvx, bvy, bw)
                if d1 > tol or d1 < -tol or d2 > tol or d2 < -tol:
                    busy = True
                p1, p2 = c.points
                jx, jy = (d1 + d2) * nx, (d1 + d2) * ny
                avx -= ima * jx
                avy -= ima * jy
                aw -= ia * (d1 * p1.rna + d2 * p2.rna)
                bvx += imb * jx
                bvy += imb * jy
                bw += ib * (d1 * p1.rnb + d2 * p2.rnb)
            else:
                for p in c.points:
                    rax, ray, rbx, rby = p.rax, p.ray, p.rbx, p.rby
                    dvx = bvx - bw * rby - avx + aw * ray
                    dvy = bvy + bw * rbx - avy - aw * rax
                    old = p.pn
                    new = old + p.mass_normal * (p.bias - (dvx * nx + dvy * ny))
                    if new < 0.0:  # noqa: PLR1730 (a branch is cheaper than max() here)
                        new = 0.0
                    p.pn = new
                    d = new - old
                    if d > tol or d < -tol:
                        busy = True
                    avx -= ima * d * nx
                    avy -= ima * d * ny
                    aw -= ia * d * p.rna
                    bvx += imb * d * nx
                    bvy += imb * d * ny
                    bw += ib * d * p.rnb
            a._vx, a._vy, a._w = avx, avy, aw
            b._vx, b._vy, b._w = bvx, bvy, bw
        if not busy:
            return sweep + 1
    return iterations


def _solve_block(
    c: ContactConstraint,
    avx: float,
    avy: float,
    aw: float,
    bvx: float,
    bvy: float,
    bw: float,
) -> tuple[float, float]:
    """Solve both normal impulses of a two-point manifold at once (Box2D's block solver).

    With K the 2x2 effective-mass matrix, ``a`` the accumulated impulses and ``v`` the
    normal velocities, find ``x >= 0`` with ``v' = K (x - a) + v - bias >= 0`` and
    ``x_i v'_i = 0`` (a linear complementarity problem) by trying its four cases: both
    points pushing, only the first, only the second, neither. Stores ``x`` in the points
    and returns the changes ``x - a`` for the caller to apply to the bodies.
    """
    k11, k12, k22, det = c.block
    nx, ny = c.nx, c.ny
    p1, p2 = c.points
    a1, a2 = p1.pn, p2.pn
    vn1 = (bvx - bw * p1.rby - avx + aw * p1.ray) * nx + (
        bvy + bw * p1.rbx - avy - aw * p1.rax
    ) * ny
    vn2 = (bvx - bw * p2.rby - avx + aw * p2.ray) * nx + (
        bvy + bw * p2.rbx - avy - aw * p2.rax
    ) * ny
    b1 = vn1 - p1.bias - (k11 * a1 + k12 * a2)
    b2 = vn2 - p2.bias - (k12 * a1 + k22 * a2)
    # Case 1: both points push: K x = -b.
    x1 = (k12 * b2 - k22 * b1) / det
    x2 = (k12 * b1 - k11 * b2) / det
    if x1 < 0.0 or x2 < 0.0:
        # Case 2: only point 1 pushes; point 2 must then separate.
        x1, x2 = -b1 / k11, 0.0
        if x1 < 0.0 or k12 * x1 + b2 < 0.0:
            # Case 3: only point 2 pushes.
            x1, x2 = 0.0, -b2 / k22
            if x2 < 0.0 or k12 * x2 + b1 < 0.0:
                # Case 4: neither pushes; both must separate on their own. If even that
                # fails (round-off), keep the impulses as they are.
                x1 = x2 = 0.0
                if b1 < 0.0 or b2 < 0.0:
                    x1, x2 = a1, a2
    p1.pn, p2.pn = x1, x2
    return x1 - a1, x2 - a2


def solve_positions(
    constraints: list[ContactConstraint],
    iterations: int,
    slop: float,
    bias_factor: float,
    tolerance: float,
) -> int:
    """Push apart bodies that overlap by more than ``slop`` (non-linear Gauss-Seidel).

    For each contact point: recompute its separation ``s`` from the two bodies' current
    poses (the contact is stored in body frames); if it is deeper than the slop, aim at
    ``C = beta (s + slop)`` (< 0) and move both bodies by the positional impulse ``-C / K``
    along the normal, turning them as an impulse at that point would. Shallower points
    are left alone: a resting contact sits between 0 and ``slop`` deep (pulling those to
    a common depth would fight the pushes elsewhere, and a lander wedged in a V of
    terrain then stays stuck 1 cm deep).

    Positions change, velocities do not, so the correction adds no kinetic energy. Stops
    once no point needed a correction above ``tolerance`` (m). Returns the sweeps done.
    """
    for sweep in range(iterations):
        worst = 0.0
        for c in constraints:
            targets = [_position_target(c, p, slop, bias_factor) for p in c.points]
            targets = [t for t in targets if t is not None]
            if not targets:
                continue
            largest = max(abs(t[0]) for t in targets)
            if largest < tolerance:
                continue
            worst = max(worst, largest)
            if len(targets) == 2 and _move_block(c, targets):
                continue
            # One point, or two that must not be moved together: one after the other,
            # each from the poses the previous one left.
            for p in c.points:
                target = _position_target(c, p, slop, bias_factor)
                if target is not None:
                    correction, rna, rnb, _, _ = target
                    k = c.a.inv_mass + c.b.inv_mass + c.a.inv_inertia * rna * rna
                    k += c.b.inv_inertia * rnb * rnb
                    _move(c, -correction / k, target)
        if worst < tolerance:
            return sweep + 1
    return iterations


def _position_target(
    c: ContactConstraint, p: ContactPoint, slop: float, bias_factor: float
) -> tuple[float, float, float, float, float] | None:
    """(correction C, r_a x n, r_b x n, nx, ny) of one point at the current poses.

    None for a point that needs no correction (apart, or no deeper than the slop).
    """
    a, b = c.a, c.b
    ref, inc = (b, a) if p.ref_is_b else (a, b)
    rc, rs = ref._cos, ref._sin
    nx = rc * p.face_nx - rs * p.face_ny
    ny = rs * p.face_nx + rc * p.face_ny
    plane_x = ref._cx + rc * p.face_px - rs * p.face_py
    plane_y = ref._cy + rs * p.face_px + rc * p.face_py
    px = inc._cx + inc._cos * p.inc_x - inc._sin * p.inc_y
    py = inc._cy + inc._sin * p.inc_x + inc._cos * p.inc_y
    separation = (px - plane_x) * nx + (py - plane_y) * ny
    if separation > 0.0:
        return None
    correction = max(bias_factor * (separation + slop), -MAX_CORRECTION)
    if correction >= 0.0:  # no deeper than the slop: fine as it is
        return None
    if p.ref_is_b:  # the normal must point from a to b
        nx, ny = -nx, -ny
    rna = (px - a._cx) * ny - (py - a._cy) * nx
    rnb = (px - b._cx) * ny - (py - b._cy) * nx
    return correction, rna, rnb, nx, ny


def _move_block(c: ContactConstraint, targets: list) -> bool:
    """Correct both points of a two-point manifold at once: K x = -C.

    Moves a box straight instead of tipping it one way, then the other. Done only when
    both positional impulses push (the linear solve may ask to pull one point in, to
    turn the body, which is not a correction); returns False, moving nothing, otherwise.
    """
    a, b = c.a, c.b
    ima, ia, imb, ib = a.inv_mass, a.inv_inertia, b.inv_mass, b.inv_inertia
    (c1, rna1, rnb1, _, _), (c2, rna2, rnb2, _, _) = targets
    k11 = ima + imb + ia * rna1 * rna1 + ib * rnb1 * rnb1
    k22 = ima + imb + ia * rna2 * rna2 + ib * rnb2 * rnb2
    k12 = ima + imb + ia * rna1 * rna2 + ib * rnb1 * rnb2
    det = k11 * k22 - k12 * k12
    if not k11 * k11 < MAX_CONDITION * det:
        return False
    x1 = (k12 * c2 - k22 * c1) / det
    x2 = (k12 * c1 - k11 * c2) / det
    if x1 < 0.0 or x2 < 0.0:
        return False
    _move(c, x1, targets[0])
    _move(c, x2, targets[1])
    return True


def _move(c: ContactConstraint, impulse: float, target: tuple) -> None:
    """Shift and turn both bodies as a positional impulse along the normal would."""
    _, rna, rnb, nx, ny = target
    a, b = c.a, c.b
    if a.inv_mass or a.inv_inertia:
        a._cx -= a.inv_mass * impulse * nx
        a._cy -= a.inv_mass * impulse * ny
        a._angle -= a.inv_inertia * rna * impulse
        a._cos, a._sin = math.cos(a._angle), math.sin(a._angle)
    if b.inv_mass or b.inv_inertia:
        b._cx += b.inv_mass * impulse * nx
        b._cy += b.inv_mass * impulse * ny
        b._angle += b.inv_inertia * rnb * impulse
        b._cos, b._sin = math.cos(b._angle), math.sin(b._angle)


def store_impulses(constraints: list[ContactConstraint]) -> ImpulseCache:
    """Copy the final impulses into the manifolds; return the points keyed for warm starting."""
    cache: ImpulseCache = {}
    for c in constraints:
        m = c.manifold
        m.normal_impulses = [p.pn for p in c.points]
        m.tangent_impulses = [p.pt for p in c.points]
        for p in c.points:
            cache[p.key] = p
    return cache
