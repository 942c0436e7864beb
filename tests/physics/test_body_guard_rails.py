"""Bodies refuse bad input with a clear ValueError, and impulses obey w = (r x j) / I."""

import math

import pytest

from nprl.physics import Body, World, box


def make_box(**kwargs):
    return Body(box(1.0, 2.0), mass=3.0, position=(0.0, 0.0), **kwargs)


@pytest.mark.parametrize("mass", [0.0, -1.0])
def test_dynamic_body_with_non_positive_mass_is_refused(mass):
    with pytest.raises(ValueError, match="mass > 0"):
        Body(box(1, 1), mass=mass)


def test_static_body_may_have_zero_mass_and_does_not_move():
    ground = Body(box(4, 1), mass=0.0, static=True)
    ground.apply_impulse((10.0, 10.0), point=(1.0, 0.0))
    assert ground.inv_mass == 0.0 and ground.velocity == (0.0, 0.0)
    assert ground.angular_velocity == 0.0


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize(
    "action",
    [
        lambda b, x: b.apply_force((x, 0.0)),
        lambda b, x: b.apply_force((1.0, 0.0), point=(0.0, x)),
        lambda b, x: b.apply_impulse((0.0, x)),
        lambda b, x: b.apply_torque(x),
        lambda b, x: setattr(b, "position", (x, 0.0)),
        lambda b, x: setattr(b, "velocity", (0.0, x)),
        lambda b, x: setattr(b, "angle", x),
        lambda b, x: setattr(b, "angular_velocity", x),
        lambda b, x: Body(box(1, 1), mass=1.0, position=(x, 0.0)),
        lambda b, x: Body(box(1, 1), mass=x),
    ],
)
def test_non_finite_values_entering_a_body_raise(action, bad):
    body = make_box()
    before = (body.position, body.velocity, body.angle, body.angular_velocity, body.force)
    with pytest.raises(ValueError, match="finite"):
        action(body, bad)
    assert (body.position, body.velocity, body.angle, body.angular_velocity, body.force) == before


def test_wrong_shape_and_vector_arguments_say_what_to_pass():
    with pytest.raises(ValueError, match="Polygon"):
        Body([(0, 0), (1, 0), (0, 1)], mass=1.0)
    with pytest.raises(ValueError, match="2-vector"):
        make_box().apply_force((1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match=">= 0"):
        make_box(friction=-0.1)


def test_a_world_blows_up_loudly_not_silently():
    world = World(gravity=(0.0, 0.0))
    body = world.add(make_box())
    body.apply_force((1e308, 0.0))
    body.apply_force((1e308, 0.0))  # finite inputs whose sum overflows
    with pytest.raises(ValueError, match="non-finite"):
        world.step()


def test_off_centre_impulse_gives_closed_form_spin_and_speed():
    body = Body(box(0.4, 2.0), mass=2.0, position=(1.0, 1.0), angle=0.3)
    j = (2.5, -0.7)
    point = (1.1, 1.9)
    body.apply_impulse(j, point=point)
    rx, ry = point[0] - 1.0, point[1] - 1.0
    inertia = 2.0 * (0.4**2 + 2.0**2) / 12
    assert body.angular_velocity == pytest.approx((rx * j[1] - ry * j[0]) / inertia, rel=1e-12)
    assert body.velocity == pytest.approx((j[0] / 2.0, j[1] / 2.0), rel=1e-12)


def test_off_centre_force_spins_the_body_in_one_step():
    world = World(gravity=(0.0, 0.0), dt=0.01)
    body = world.add(make_box())
    body.apply_force((0.0, 6.0), point=(0.5, 0.0))  # torque = 0.5 * 6 = 3 N m
    world.step()
    inertia = 3.0 * (1.0 + 4.0) / 12
    assert body.angular_velocity == pytest.approx(0.01 * 3.0 / inertia, rel=1e-12)
    assert body.velocity == pytest.approx((0.0, 0.01 * 6.0 / 3.0), rel=1e-12)
    assert body.force == (0.0, 0.0) and body.torque == 0.0  # cleared after the step


def test_a_body_belongs_to_one_world():
    world = World()
    body = world.add(make_box())
    with pytest.raises(ValueError, match="already"):
        World().add(body)
    world.remove(body)
    assert body not in world.bodies
    with pytest.raises(ValueError, match="not in the world"):
        world.remove(body)


def test_position_is_the_frame_origin_and_survives_a_turn():
    body = Body([box(1, 1), box(1, 1, center=(3, 0))], mass=1.0, position=(2.0, 5.0))
    body.angle = math.pi / 3
    assert body.position == pytest.approx((2.0, 5.0))
    assert body.local_to_world((3.0, 0.0)) == pytest.approx(
        (2.0 + 3.0 * math.cos(math.pi / 3), 5.0 + 3.0 * math.sin(math.pi / 3))
    )
