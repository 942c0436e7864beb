"""Separating-axis collision: unit cases with hand-computed answers."""

import math

import pytest

from nprl.physics import Body, box, collide, collide_shapes
from nprl.physics.broadphase import candidate_pairs


def unit_box(x=0.0, y=0.0, angle=0.0, size=1.0):
    return Body(box(size, size), mass=1.0, position=(x, y), angle=angle)


def test_face_face_gives_two_points_on_the_overlap_and_normal_a_to_b():
    a, b = unit_box(), unit_box(0.2, 0.9)
    m = collide(a, b)
    assert m.normal == pytest.approx((0.0, 1.0))
    assert m.depth == pytest.approx(0.1)
    # B's bottom edge (y = 0.4) clipped to A's top face x in [-0.5, 0.5]; points midway.
    assert sorted(m.points) == [pytest.approx((-0.3, 0.45)), pytest.approx((0.5, 0.45))]
    assert m.separations == pytest.approx([-0.1, -0.1])


def test_swapping_the_bodies_flips_the_normal():
    a, b = unit_box(), unit_box(0.2, 0.9)
    m = collide(b, a)
    assert m.normal == pytest.approx((0.0, -1.0))
    assert m.depth == pytest.approx(0.1)


def test_corner_into_face_gives_one_point_at_the_corner():
    half_diagonal = math.sqrt(0.5)
    a = unit_box()
    b = unit_box(0.1, 0.5 + half_diagonal - 0.08, angle=math.pi / 4)
    m = collide(a, b)
    assert len(m.points) == 1
    assert m.normal == pytest.approx((0.0, 1.0))
    assert m.depth == pytest.approx(0.08)
    assert m.points[0] == pytest.approx((0.1, 0.5 - 0.04))


def test_rotated_face_face_normal_turns_with_the_bodies():
    theta = 0.6
    a = unit_box(angle=theta)
    # B sits 0.9 along A's rotated up direction.
    up = (-math.sin(theta), math.cos(theta))
    b = unit_box(0.9 * up[0], 0.9 * up[1], angle=theta)
    m = collide(a, b)
    assert m.normal == pytest.approx(up)
    assert m.depth == pytest.approx(0.1)
    assert len(m.points) == 2


def test_touching_boxes_make_a_zero_depth_contact():
    m = collide(unit_box(), unit_box(0.0, 1.0))
    assert m is not None and m.depth == 0.0 and len(m.points) == 2


def test_separated_boxes_do_not_collide():
    assert collide(unit_box(), unit_box(0.0, 1.001)) is None
    assert collide(unit_box(), unit_box(1.5, 0.0)) is None


def test_overlapping_bounding_boxes_but_apart_polygons():
    # Two diamonds (boxes turned 45 deg) placed diagonally: their AABBs overlap, but along
    # the diagonal they are 1.2 * sqrt(2) - 1 ~ 0.70 m apart.
    a = unit_box(angle=math.pi / 4)
    b = unit_box(1.2, 1.2, angle=math.pi / 4)
    assert candidate_pairs([a, b]) == [(0, 1, 0, 0)]  # the broad phase passes them on
    assert collide(a, b) is None


def test_small_box_sitting_on_a_big_one_uses_the_right_face():
    ground = Body(box(10, 1), 0.0, position=(0, -0.5), static=True)
    small = unit_box(3.0, 0.45, size=1.0)
    m = collide(ground, small)
    assert m.normal == pytest.approx((0.0, 1.0))
    assert sorted(m.points) == [pytest.approx((2.5, -0.025)), pytest.approx((3.5, -0.025))]


def test_compound_collide_returns_the_deepest_shape_pair():
    floor = Body(box(10, 1), 0.0, position=(0, -0.5), static=True)
    # Two feet: the right one is 0.05 deeper.
    feet = Body(
        [box(0.2, 0.2, center=(-1, 0)), box(0.2, 0.2, center=(1, -0.05))],
        mass=1.0,
        position=(0.0, 0.08),
    )
    m = collide(floor, feet)
    assert m.shape_b == 1 and m.depth == pytest.approx(0.07)
    left = collide_shapes(floor, 0, feet, 0)
    assert left.shape_b == 0 and left.depth == pytest.approx(0.02)
