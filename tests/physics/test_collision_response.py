"""Impulses: restitution, momentum conservation, resting contact, stacking, friction."""

import math

import numpy as np
import pytest

from nprl.physics import Body, World, box
from nprl.physics.scenes import ground, stack
from nprl.physics.world import POSITION_TOLERANCE

G = 9.81


def head_on(restitution):
    # Closing at 0.2 m/s: each step closes 0.2 / 60 m < slop, so the first contact has
    # almost no overlap and no positional correction muddles the impulse.
    world = World(gravity=(0.0, 0.0), restitution_threshold=0.05)
    a = world.add(
        Body(
            box(1, 1),
            1.0,
            position=(-1.0, 0.0),
            velocity=(0.1, 0.0),
            restitution=restitution,
            friction=0.5,
        )
    )
    b = world.add(
        Body(
            box(1, 1),
            1.0,
            position=(1.0, 0.0),
            velocity=(-0.1, 0.0),
            restitution=restitution,
            friction=0.5,
        )
    )
    return world, a, b


def test_elastic_head_on_collision_exchanges_velocities():
    world, a, b = head_on(1.0)
    for _ in range(600):
        world.step()
    assert a.velocity == pytest.approx((-0.1, 0.0), abs=1e-9)
    assert b.velocity == pytest.approx((0.1, 0.0), abs=1e-9)
    assert abs(a.angular_velocity) < 1e-9 and abs(b.angular_velocity) < 1e-9


def test_inelastic_head_on_collision_moves_together():
    world, a, b = head_on(0.0)
    for _ in range(600):
        world.step()
    assert a.velocity == pytest.approx((0.0, 0.0), abs=1e-9)
    assert b.velocity == pytest.approx((0.0, 0.0), abs=1e-9)
    assert b.position[0] - a.position[0] == pytest.approx(1.0, abs=0.01)


def total_momentum(bodies):
    px = sum(b.mass * b.velocity[0] for b in bodies)
    py = sum(b.mass * b.velocity[1] for b in bodies)
    # Angular momentum about the origin: sum m (c x v) + I w.
    lz = sum(
        b.mass * (b.center[0] * b.velocity[1] - b.center[1] * b.velocity[0])
        + b.inertia * b.angular_velocity
        for b in bodies
    )
    return np.array([px, py, lz])


@pytest.mark.parametrize("position_correction", [True, False])
def test_momentum_is_conserved_in_every_collision_without_static_bodies(position_correction):
    # Contact impulses come in equal and opposite pairs at one point, so they conserve
    # linear and angular momentum. The position pass moves bodies without velocity (its
    # pseudo-velocities keep the centre of mass but not sum m c x v), so angular momentum
    # about a fixed point is exact only with it off.
    rng = np.random.default_rng(7)
    world = World(gravity=(0.0, 0.0), position_correction=position_correction)
    for k in range(8):
        size = rng.uniform(0.4, 1.2, size=2)
        x, y = (k % 4) * 1.6 - 2.4, (k // 4) * 1.6 - 0.8
        # Aim everything at the middle so that the bodies pile into each other.
        velocity = (-2 * x + float(rng.uniform(-1, 1)), -2 * y + float(rng.uniform(-1, 1)))
        world.add(
            Body(
                box(*size),
                mass=float(rng.uniform(0.5, 3.0)),
                position=(x, y),
                angle=float(rng.uniform(0, math.pi)),
                velocity=velocity,
                angular_velocity=float(rng.uniform(-2, 2)),
                restitution=float(rng.uniform(0, 0.3)),
                friction=float(rng.uniform(0, 1)),
            )
        )
    start = total_momentum(world.bodies)
    collisions = 0
    for _ in range(300):
        world.step()
        collisions += len(world.contacts)
        now = total_momentum(world.bodies)
        assert np.allclose(now[:2], start[:2], rtol=0, atol=1e-9)
        if not position_correction:
            assert now[2] == pytest.approx(start[2], abs=1e-9)
    assert collisions > 20  # the test did exercise collisions


def test_box_dropped_on_ground_comes_to_rest_and_stays_for_10_seconds():
    world = World()
    ground(world)
    body = world.add(Body(box(1, 1), 1.0, position=(0.3, 2.0), angle=0.2, restitution=0.2))
    for _ in range(180):  # 3 s to land and settle
        world.step()
    ys, angles, speeds, depths = [], [], [], []
    for _ in range(600):  # then 10 s at rest
        world.step()
        ys.append(body.position[1])
        angles.append(body.angle)
        speeds.append(math.hypot(*body.velocity) + abs(body.angular_velocity) * 0.5)
        depths.append(max(m.depth for m in world.contacts))
    assert max(speeds) < 1e-3  # no jitter
    assert max(ys) - min(ys) < 1e-4
    assert max(depths) <= (1 + POSITION_TOLERANCE) * world.slop  # no sinking beyond the slop
    # It lies on a face: tilted at most by the slop across its width.
    tilt = abs(math.remainder(angles[-1], math.pi / 2))
    assert tilt <= world.slop / 1.0


def test_stack_of_five_boxes_stands_for_10_seconds():
    scene = stack(5)
    world = scene.world
    boxes = [b for b in world.bodies if not b.static]
    start = [b.position for b in boxes]
    for _ in range(600):
        world.step()
    for k, (b, (x0, y0)) in enumerate(zip(boxes, start)):
        x, y = b.position
        assert abs(x - x0) < 0.01, f"box {k} slid sideways by {x - x0:.4f} m"
        resting_overlap = (1 + POSITION_TOLERANCE) * world.slop
        assert y0 - y < (k + 1) * resting_overlap, f"box {k} sank by {y0 - y:.4f} m"
        assert abs(b.angle) < 0.01
        assert math.hypot(*b.velocity) < 1e-3


def test_jittered_stack_of_ten_boxes_stands_for_10_seconds():
    rng = np.random.default_rng(0)
    world = World()
    ground(world)
    boxes = [
        world.add(Body(box(1, 1), 1.0, position=(float(rng.uniform(-0.05, 0.05)), k + 0.5),
                       friction=0.6, restitution=0.0))
        for k in range(10)
    ]  # fmt: skip
    start = [b.position for b in boxes]
    for _ in range(600):
        world.step()
    for b, (x0, _) in zip(boxes, start):
        assert abs(b.position[0] - x0) < 0.02 and abs(b.angle) < 0.01
    assert boxes[-1].position[1] > 9.5 - 10 * world.slop - 0.01  # still standing, not sunk
    assert sum(b.kinetic_energy for b in boxes) < 1e-3


def test_warm_starting_is_what_keeps_the_stack_quiet():
    def top_speed(warm):
        scene = stack(5)
        scene.world.warm_starting = warm
        for _ in range(300):
            scene.world.step()
        return math.hypot(*scene.world.bodies[-1].velocity)

    assert top_speed(True) < top_speed(False)


@pytest.mark.parametrize("mu, v0", [(0.5, 5.0), (0.2, 3.0)])
def test_sliding_box_stops_after_v_squared_over_2_mu_g(mu, v0):
    world = World(gravity=(0.0, -G), dt=1.0 / 120.0)
    ground(world, friction=mu)
    body = world.add(
        Body(
            box(0.5, 0.5),
            1.0,
            position=(-5.0, 0.25 - 0.002),
            velocity=(v0, 0.0),
            friction=mu,
            restitution=0.0,
        )
    )
    for _ in range(int(3.0 * v0 / (mu * G) * 120)):
        world.step()
    assert abs(body.velocity[0]) < 1e-6
    assert body.position[0] + 5.0 == pytest.approx(v0**2 / (2 * mu * G), rel=0.05)


def incline(theta, mu):
    world = World(gravity=(0.0, -G))
    c, s = math.cos(theta), math.sin(theta)
    world.add(Body(box(20.0, 1.0), 0.0, angle=theta, static=True, friction=1.0))
    # A box resting on the incline surface (0.5 above its middle line), effective mu.
    up = 0.5 + 0.25 - 0.002
    body = world.add(
        Body(
            box(0.5, 0.5),
            1.0,
            position=(-s * up, c * up),
            angle=theta,
            friction=mu * mu,
            restitution=0.0,
        )
    )
    return world, body


@pytest.mark.parametrize("mu", [0.4, 0.8])
def test_box_holds_on_a_slope_when_tan_theta_below_mu(mu):
    theta = math.atan(0.8 * mu)
    world, body = incline(theta, mu)
    x0, y0 = body.position
    for _ in range(120):
        world.step()
    moved = math.hypot(body.position[0] - x0, body.position[1] - y0)
    assert moved < 0.005


@pytest.mark.parametrize("mu", [0.2, 0.4])
def test_box_slides_when_tan_theta_above_mu_with_the_analytic_acceleration(mu):
    theta = math.atan(1.5 * mu)
    world, body = incline(theta, mu)
    for _ in range(30):  # settle onto the surface
        world.step()
    c, s = math.cos(theta), math.sin(theta)
    speed0 = -(body.velocity[0] * c + body.velocity[1] * s)  # down the slope
    for _ in range(60):
        world.step()
    speed1 = -(body.velocity[0] * c + body.velocity[1] * s)
    accel = G * (s - mu * c)
    assert (speed1 - speed0) / 1.0 == pytest.approx(accel, rel=0.05)


@pytest.mark.parametrize("restitution", [0.3, 0.7])
def test_box_dropped_flat_rebounds_at_e_times_the_impact_speed(restitution):
    world = World(gravity=(0.0, -G), dt=1.0 / 240.0)
    ground(world).restitution = 0.0  # the contact uses the larger of the two
    body = world.add(Body(box(1, 1), 1.0, position=(0.0, 0.5 + 2.0), restitution=restitution))
    rebound = 0.0
    for _ in range(240):  # 1 s: falls 2 m in 0.64 s, bounces once
        world.step()
        rebound = max(rebound, body.velocity[1])
    impact = math.sqrt(2 * G * 2.0)
    assert rebound == pytest.approx(restitution * impact, rel=0.02)
