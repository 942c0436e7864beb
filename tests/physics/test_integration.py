"""Semi-implicit Euler against its closed form, and drag against terminal velocity."""

import math

import pytest

from nprl.physics import Body, World, box


def test_free_fall_matches_semi_implicit_euler_closed_form():
    # v_n = v0 + n g dt;  y_n = y0 + n dt v0 + g dt^2 n (n + 1) / 2  (velocity first).
    g, dt, v0, y0 = -9.81, 1.0 / 60.0, 3.0, 100.0
    world = World(gravity=(0.0, g), dt=dt)
    body = world.add(Body(box(1, 1), mass=2.0, position=(0.0, y0), velocity=(0.5, v0)))
    for n in range(1, 301):
        world.step()
        assert body.velocity[1] == pytest.approx(v0 + n * g * dt, abs=1e-9)
        assert body.position[1] == pytest.approx(
            y0 + n * dt * v0 + g * dt * dt * n * (n + 1) / 2, abs=1e-9
        )
        assert body.position[0] == pytest.approx(0.5 * n * dt, abs=1e-9)


def test_constant_force_accelerates_by_f_over_m():
    world = World(gravity=(0.0, 0.0), dt=0.1)
    body = world.add(Body(box(1, 1), mass=4.0))
    for _ in range(10):
        body.apply_force((8.0, 0.0))
        world.step()
    assert body.velocity[0] == pytest.approx(2.0 * 1.0, abs=1e-12)


@pytest.mark.parametrize("linear, quadratic", [(2.0, 0.0), (0.0, 0.5), (1.0, 0.3)])
def test_drag_reaches_analytic_terminal_velocity(linear, quadratic):
    m, g = 2.0, 9.81
    world = World(gravity=(0.0, -g), dt=1.0 / 60.0)
    body = world.add(
        Body(box(1, 1), mass=m, position=(0.0, 0.0), linear_drag=linear, quadratic_drag=quadratic)
    )
    for _ in range(1800):  # 30 s
        world.step()
    # Balance m g = c1 v + c2 v^2  ->  v = (-c1 + sqrt(c1^2 + 4 c2 m g)) / (2 c2).
    if quadratic == 0.0:
        terminal = m * g / linear
    else:
        terminal = (-linear + math.sqrt(linear**2 + 4 * quadratic * m * g)) / (2 * quadratic)
    assert -body.velocity[1] == pytest.approx(terminal, rel=1e-6)


def test_angular_drag_reaches_terminal_spin_under_constant_torque():
    torque, c1, c2 = 3.0, 0.5, 0.2
    world = World(gravity=(0.0, 0.0), dt=1.0 / 60.0)
    body = world.add(Body(box(1, 1), mass=1.0, angular_drag=c1, angular_quadratic_drag=c2))
    for _ in range(3000):
        body.apply_torque(torque)
        world.step()
    expected = (-c1 + math.sqrt(c1**2 + 4 * c2 * torque)) / (2 * c2)
    assert body.angular_velocity == pytest.approx(expected, rel=1e-6)


def test_linear_drag_decays_speed_like_the_discrete_exponential():
    # Without gravity: v_{n+1} = v_n (1 - dt c / m)  exactly.
    c, m, dt = 0.5, 2.0, 0.01
    world = World(gravity=(0.0, 0.0), dt=dt)
    body = world.add(Body(box(1, 1), mass=m, velocity=(4.0, 0.0), linear_drag=c))
    for _ in range(100):
        world.step()
    assert body.velocity[0] == pytest.approx(4.0 * (1 - dt * c / m) ** 100, rel=1e-12)
