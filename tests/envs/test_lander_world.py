"""The Lander's body on the engine: resting on its feet, thrust, touchdown, rough drops."""

import math

import numpy as np
import pytest

from nprl.envs.lander_world import (
    FOOT_DROP,
    GOAL_HEIGHT,
    HULL,
    LEFT_LEG,
    MAIN_NOZZLE,
    RIGHT_LEG,
    lander_shapes,
    resting_scene,
    terrain,
)
from nprl.physics import Body, World


def test_the_resting_scene_is_bit_identical_run_to_run():
    def run():
        world = resting_scene().world
        for _ in range(240):
            world.step()
        return [(b.position, b.angle, b.velocity, b.angular_velocity) for b in world.bodies]

    assert run() == run()  # exact equality, not approx


def settled(steps=150):
    """The resting scene after ``steps`` steps: its world and its lander."""
    world = resting_scene().world
    for _ in range(steps):
        world.step()
    return world, world.bodies[-1]


def test_lander_rests_on_both_feet_and_contacts_name_the_shapes():
    world, craft = settled()
    touching = sorted(m.shape_b for m in world.contacts if m.body_b is craft)
    assert touching == [LEFT_LEG, RIGHT_LEG]  # the hull (0) is clear
    assert world.contacts_of(craft, shape=LEFT_LEG) and world.contacts_of(craft, shape=RIGHT_LEG)
    assert not world.contacts_of(craft, shape=HULL)
    assert abs(craft.angle) < 0.01 and math.hypot(*craft.velocity) < 1e-3
    # The legs carry the weight: normal impulses over a step add up to m g dt.
    carried = sum(sum(m.normal_impulses) * m.normal[1] for m in world.contacts)
    assert carried == pytest.approx(craft.mass * 10.0 * world.dt, rel=0.05)


def test_foot_drop_is_how_far_the_feet_reach_below_the_origin():
    # At rest upright on the pad (top at y = 0.6), the body origin is FOOT_DROP above the
    # feet, which sit no deeper than the slop; the observation's goal is 3.2 cm higher.
    world, craft = settled()
    feet = min(float(craft.world_vertices(leg)[:, 1].min()) for leg in (LEFT_LEG, RIGHT_LEG))
    assert craft.position[1] - feet == pytest.approx(FOOT_DROP, abs=1e-3)
    assert 0.6 - world.slop - 1e-6 <= feet <= 0.6
    assert FOOT_DROP == pytest.approx(0.8082, abs=1e-4)
    assert GOAL_HEIGHT - FOOT_DROP == pytest.approx(0.032, abs=1e-3)


def test_thrust_at_the_engine_lifts_the_lander_and_offset_thrust_turns_it():
    world, craft = settled(50)
    for _ in range(60):
        engine = craft.local_to_world(MAIN_NOZZLE)
        c, s = math.cos(craft.angle), math.sin(craft.angle)
        thrust = 1.6 * craft.mass * 10.0
        craft.apply_force((-s * thrust, c * thrust), point=engine)
        craft.apply_force((0.0, 1.0), point=craft.local_to_world((-0.5, 0.3)))  # side puff
        world.step()
    assert craft.position[1] > 0.6 + FOOT_DROP + 0.5
    assert not world.contacts_of(craft)
    assert craft.angular_velocity < 0  # a push up on the left side turns it clockwise


def test_lander_tilted_lands_on_one_foot_first():
    world = World(gravity=(0.0, -10.0), dt=1 / 50)
    terrain(world, [0.0, 0.0, 0.0], x0=-5.0, dx=5.0)
    craft = world.add(Body(lander_shapes(), 5.0, position=(0.0, 1.2), angle=-0.3))
    first = None
    for _ in range(100):
        world.step()
        feet = {m.shape_b for m in world.contacts_of(craft)}
        if feet and first is None:
            first = feet
    assert first == {RIGHT_LEG}  # tilted clockwise: the right leg touches first


def mechanical_energy(body, g=10.0):
    return body.kinetic_energy + body.mass * g * body.center[1]


def test_dropped_landers_never_gain_energy_and_rest_no_deeper_than_the_slop():
    # Random drops onto random terrain (fixed seed): crashes, tumbles, legs wedged in a V.
    rng = np.random.default_rng(1)
    for _ in range(12):
        world = World(gravity=(0.0, -10.0), dt=1 / 60)
        terrain(world, [float(h) for h in rng.uniform(0, 1.5, size=9)], x0=-6.0, dx=1.5)
        craft = world.add(
            Body(
                lander_shapes(), 5.0, position=(float(rng.uniform(-2, 2)), 4.0),
                angle=float(rng.uniform(-1, 1)),
                velocity=(float(rng.uniform(-2, 2)), float(rng.uniform(-8, 0))),
                angular_velocity=float(rng.uniform(-2, 2)), friction=0.9, restitution=0.0,
            )
        )  # fmt: skip

        start = mechanical_energy(craft)
        for _ in range(180):
            world.step()
            assert mechanical_energy(craft) <= start + 1e-9
        for contact in world.contacts:
            assert contact.depth <= world.slop + 1e-6
