"""Determinism, contact persistence and compound bodies (the Lander's own body: tests/envs)."""

import math

import pytest

from nprl.physics import Body, World, box
from nprl.physics.scenes import SCENES, ground


def run_scene(name, steps=240):
    scene = SCENES[name]()
    for _ in range(steps):
        if scene.on_step:
            scene.on_step(scene.world)
        scene.world.step()
    return [(b.position, b.angle, b.velocity, b.angular_velocity) for b in scene.world.bodies]


@pytest.mark.parametrize("name", sorted(SCENES))
def test_same_world_same_inputs_give_bit_identical_states(name):
    assert run_scene(name) == run_scene(name)  # exact equality, not approx


def test_resting_contact_keeps_its_reference_face():
    # Hysteresis: two equal boxes face to face tie on separation; the ids must not flip.
    world = World()
    world.add(Body(box(1, 1), 0.0, static=True))
    top = world.add(Body(box(1, 1), 1.0, position=(0.0, 1.0)))
    seen = set()
    for _ in range(300):
        world.step()
        (contact,) = world.contacts
        seen.add(tuple(contact.ids))
    # (flip, reference edge, incident edge, end): the lower box's top face (edge 2) and the
    # upper box's bottom edge (0), both ends, all along.
    assert seen == {((0, 2, 0, 0), (0, 2, 0, 1))}
    assert abs(top.angle) < 1e-6


def test_contact_ids_survive_a_slide_past_the_edge_of_the_face():
    # Sliding over the end of a narrower box, the upper box's corner leaves the face and a
    # clipped point takes its place; its id (the end of the incident edge) must not change,
    # or warm starting would lose that point's impulse.
    world = World()
    world.add(Body(box(1, 1), 0.0, static=True, friction=0.0))
    top = world.add(Body(box(1, 1), 1.0, position=(0.0, 0.995), velocity=(0.3, 0.0), friction=0.0))
    seen = set()
    for _ in range(60):
        world.step()
        seen.add(tuple(world.contacts[0].ids))
    assert top.position[0] > 0.25  # it did slide past the corner
    assert seen == {((0, 2, 0, 0), (0, 2, 0, 1))}


def test_a_compound_table_stands_on_its_legs_and_contacts_name_the_shapes():
    # Top plate (shape 0) on two legs (1, 2), one rigid body: only the legs touch.
    world = World(gravity=(0.0, -10.0))
    floor = ground(world)
    shapes = [box(2.0, 0.2, center=(0.0, 1.1)), box(0.2, 1.0, center=(-0.8, 0.5)),
              box(0.2, 1.0, center=(0.8, 0.5))]
    table = world.add(Body(shapes, 4.0, position=(0.0, 0.01), restitution=0.0))
    for _ in range(120):
        world.step()
    assert sorted(m.shape_b for m in world.contacts_of(table)) == [1, 2]
    assert not world.contacts_of(table, shape=0)
    assert world.touching(table) == {1: [floor], 2: [floor]}  # by shape, what it touches
    assert world.touching(floor) == {0: [table, table]}  # the floor's one shape, twice
    assert abs(table.angle) < 1e-6 and math.hypot(*table.velocity) < 1e-3
    # The legs carry the weight: normal impulses over a step add up to m g dt.
    carried = sum(sum(m.normal_impulses) * m.normal[1] for m in world.contacts)
    assert carried == pytest.approx(table.mass * 10.0 * world.dt, rel=0.01)


def test_removing_a_body_drops_its_contacts():
    scene = SCENES["stack"]()
    world = scene.world
    for _ in range(30):  # settle
        world.step()
    top = world.bodies[-1]
    assert world.contacts_of(top)
    world.remove(top)
    assert not world.contacts_of(top)
    world.step()
    assert len(world.contacts) == 4


def test_world_arguments_are_checked():
    with pytest.raises(ValueError, match="dt"):
        World(dt=0.0)
    with pytest.raises(ValueError, match="iterations"):
        World(iterations=0)
    with pytest.raises(ValueError, match="gravity"):
        World(gravity=(0.0, float("nan")))


def test_a_fast_foot_counts_as_touching_in_the_step_it_lands():
    # Falling at 3 m/s, the box is 3 cm above the ground one step and stopped on it the
    # next: that step's contacts must already list it, with the impulse that stopped it.
    world = World(gravity=(0.0, 0.0), dt=0.01)
    world.add(Body(box(4, 1), 0.0, position=(0, -0.5), static=True, restitution=0.0))
    body = world.add(
        Body(box(1, 1), 1.0, position=(0.0, 0.5 + 0.035), velocity=(0.0, -3.0), restitution=0.0)
    )
    world.step()  # 3.5 cm -> 0.5 cm above: too far for a contact yet
    assert not world.contacts
    world.step()  # the speculative point stops it on the surface
    (contact,) = world.contacts
    assert contact.touching and contact.depth == 0.0 and min(contact.normal_impulses) > 0
    assert body.velocity[1] == pytest.approx(-0.005 / world.dt, abs=1e-9)
    # ... and then rests there, still touching.
    for _ in range(30):
        world.step()
    assert body.velocity[1] == 0.0
    assert world.contacts[0].touching and world.contacts[0].depth < 1e-9
