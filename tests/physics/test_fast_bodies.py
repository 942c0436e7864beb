"""Fast bodies do not tunnel through static geometry; non-finite or absurd state is refused.

Issue 13: a box falling at 150 m/s passed through a 1 m thick static ground (it moves
2.5 m per 1/60 s step), and ``velocity=(0, -1e300)`` was accepted. The world now splits a
step into sub-steps when a body would move more than half of (its thickness + the
thinnest static shape's) in one step; the expectations below are closed forms.
"""

import math

import pytest

from nprl.physics import Body, World, box

G = 9.81


def drop(speed: float, size: float, restitution: float, seconds: float = 10.0):
    """A ``size`` box thrown down at ``speed`` from 10 m onto a 1 m thick static ground
    (top at y = 0). Returns (box, lowest bottom edge seen, highest bottom after a bounce)."""
    world = World(gravity=(0.0, -G))
    world.add(Body(box(40.0, 1.0), 0.0, position=(0.0, -0.5), static=True,
                   restitution=restitution))
    body = world.add(Body(box(size, size), 1.0, position=(0.0, 10.0),
                          velocity=(0.0, -speed), restitution=restitution))
    lowest, apex, bounced = math.inf, -math.inf, False
    for _ in range(round(seconds / world.dt)):
        world.step()
        bottom = body.position[1] - size / 2
        lowest = min(lowest, bottom)
        bounced = bounced or body.velocity[1] > 0
        if bounced:
            apex = max(apex, bottom)
    return world, body, lowest, apex


@pytest.mark.parametrize("speed", [150.0, 200.0])
@pytest.mark.parametrize("size", [1.0, 0.2])
def test_a_fast_box_lands_on_the_ground_and_rests_there(speed, size):
    world, body, lowest, _ = drop(speed, size, restitution=0.0)
    # At rest on top: the centre half a box above the ground, less at most the slop.
    assert body.position[1] == pytest.approx(size / 2, abs=1.5 * world.slop)
    assert math.hypot(*body.velocity) < 1e-6
    assert lowest > -0.05  # it never sank into (let alone through) the ground


@pytest.mark.parametrize("speed", [150.0, 200.0])
def test_a_fast_bounce_rises_as_high_as_restitution_says(speed):
    """Impact speed sqrt(v^2 + 2 g h); restitution e sends it up to (e v_impact)^2 / 2g."""
    restitution, size = 0.2, 1.0
    _, _, lowest, apex = drop(speed, size, restitution, seconds=4.0)
    impact = math.sqrt(speed**2 + 2 * G * (10.0 - size / 2))
    assert apex == pytest.approx((restitution * impact) ** 2 / (2 * G), rel=0.02)
    assert lowest > -0.05


def test_a_box_thrown_sideways_stops_at_a_thin_wall():
    world = World(gravity=(0.0, 0.0))
    world.add(Body(box(0.3, 10.0), 0.0, position=(5.0, 0.0), static=True, restitution=0.0))
    body = world.add(Body(box(0.5, 0.5), 1.0, velocity=(200.0, 0.0), restitution=0.0))
    for _ in range(120):
        world.step()
    assert body.position[0] == pytest.approx(5.0 - 0.15 - 0.25, abs=1.5 * world.slop)


def test_slow_worlds_take_one_step_bit_for_bit_as_before():
    """Below the tunnelling speed a step is exactly one pass of the stages."""
    def world_with_a_falling_box() -> tuple[World, Body]:
        world = World()
        world.add(Body(box(20.0, 1.0), 0.0, position=(0.0, -0.5), static=True))
        return world, world.add(Body(box(1.0, 1.0), 1.0, position=(0.0, 3.0),
                                     velocity=(1.0, -20.0), angular_velocity=2.0))

    stepped, a = world_with_a_falling_box()
    advanced, b = world_with_a_falling_box()
    for _ in range(180):
        assert stepped._substeps()[0] == 1
        stepped.step()
        advanced._advance(advanced.dt, advanced.contact_margin)
        assert (a.position, a.angle, a.velocity) == (b.position, b.angle, b.velocity)


def test_forces_act_over_every_sub_step():
    """A fast body pushed by a force gains F dt / m per step whether or not it sub-steps."""
    world = World(gravity=(0.0, 0.0))
    world.add(Body(box(1.0, 1.0), 0.0, position=(0.0, -1000.0), static=True))
    body = world.add(Body(box(0.2, 0.2), 2.0, velocity=(150.0, 0.0)))
    body.apply_force((30.0, 0.0))
    assert world._substeps()[0] > 1
    world.step()
    assert body.velocity[0] == pytest.approx(150.0 + world.dt * 30.0 / 2.0, rel=1e-12)


@pytest.mark.parametrize("velocity", [(0.0, -1e300), (1e5, 0.0), (math.nan, 0.0),
                                      (0.0, math.inf)])
def test_absurd_or_non_finite_velocities_are_refused(velocity):
    with pytest.raises(ValueError, match="Body velocity"):
        Body(box(1.0, 1.0), 1.0, velocity=velocity)
    body = Body(box(1.0, 1.0), 1.0)
    with pytest.raises(ValueError, match="Body velocity"):
        body.velocity = velocity


@pytest.mark.parametrize("name, value", [("angular_velocity", math.nan),
                                         ("angle", math.inf),
                                         ("position", (math.nan, 0.0))])
def test_non_finite_state_is_refused(name, value):
    body = Body(box(1.0, 1.0), 1.0)
    with pytest.raises(ValueError, match="finite|number"):
        setattr(body, name, value)


def test_a_step_that_cannot_be_followed_is_one_clear_error():
    world = World()
    world.add(Body(box(40.0, 0.01), 0.0, static=True))
    world.add(Body(box(0.01, 0.01), 1.0, position=(0.0, 100.0), velocity=(0.0, -9000.0)))
    with pytest.raises(ValueError, match="sub-steps can follow"):
        world.step()
