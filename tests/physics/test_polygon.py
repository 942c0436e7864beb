"""Polygons: validation messages and mass properties against closed forms."""

import math

import numpy as np
import pytest

from nprl.physics import Body, Polygon, box


@pytest.mark.parametrize(
    "vertices, message",
    [
        ([(0, 0), (1, 0)], "at least 3 vertices"),
        ([(0, 0), (0, 1), (1, 1), (1, 0)], "clockwise"),
        ([(0, 0), (1, 0), (1, 0), (0, 1)], "same point"),
        ([(0, 0), (1, 0), (2, 0)], "zero area"),
        ([(0, 0), (2, 0), (1, 0.3), (1, 2)], "non-convex"),
        ([(0, 0), (1, 0), (2, 0), (1, 1)], "collinear"),
        ([(0, 0), (1, float("nan")), (0, 1)], "finite"),
        ([1, 2, 3], "shape (n, 2)"),
        ([(0, 0), (2, 0), (0.5, 1.5), (1, -0.5), (1.6, 1.4), (0.2, -0.4)], "Polygon"),
    ],
)
def test_invalid_polygon_is_refused_with_a_reason(vertices, message):
    with pytest.raises(ValueError) as info:
        Polygon(vertices)
    assert message in str(info.value)


def test_pentagram_that_winds_twice_is_refused():
    star = [(math.cos(4 * math.pi * k / 5), math.sin(4 * math.pi * k / 5)) for k in range(5)]
    with pytest.raises(ValueError, match="crosses itself|not strictly convex"):
        Polygon(star)


def test_box_mass_properties_match_closed_form():
    w, h = 2.0, 0.5
    p = box(w, h, center=(1.0, -3.0))
    assert p.area == pytest.approx(w * h, rel=1e-12)
    assert p.centroid == pytest.approx((1.0, -3.0), abs=1e-12)
    assert p.unit_inertia == pytest.approx(w * h * (w * w + h * h) / 12, rel=1e-12)
    body = Body(box(w, h), mass=3.0, position=(0, 0))
    assert body.inertia == pytest.approx(3.0 * (w * w + h * h) / 12, rel=1e-12)


def test_triangle_centroid_and_inertia():
    # Right triangle with legs a, b: centroid (a/3, b/3), polar moment about the centroid
    # = area * (a^2 + b^2) / 18.
    a, b = 3.0, 2.0
    p = Polygon([(0, 0), (a, 0), (0, b)])
    assert p.area == pytest.approx(a * b / 2)
    assert p.centroid == pytest.approx((a / 3, b / 3))
    assert p.unit_inertia == pytest.approx(a * b / 2 * (a * a + b * b) / 18)


def test_compound_body_combines_mass_by_area_with_parallel_axis():
    # Two unit squares side by side make a 2 x 1 rectangle.
    left, right = box(1, 1, center=(-0.5, 0)), box(1, 1, center=(0.5, 0))
    compound = Body([left, right], mass=2.0, position=(0, 0))
    single = Body(box(2, 1), mass=2.0, position=(0, 0))
    assert compound.local_center == pytest.approx((0.0, 0.0), abs=1e-12)
    assert compound.inertia == pytest.approx(single.inertia, rel=1e-12)
    # An off-centre compound: centroid by area, position stays the frame origin.
    big, small = box(2, 2), box(1, 1, center=(2.5, 0))
    body = Body([big, small], mass=5.0, position=(10.0, 1.0))
    assert body.local_center == pytest.approx((2.5 * 1 / 5, 0.0))
    assert body.center == pytest.approx((10.5, 1.0))
    assert body.position == pytest.approx((10.0, 1.0))
    density = 1.0
    expected = density * (4 * 8 / 12 + 4 * 0.5**2 + 1 * 2 / 12 + 1 * 2.0**2)
    assert body.inertia == pytest.approx(expected, rel=1e-12)


def test_world_vertices_is_an_n_by_2_float_array_in_world_frame():
    body = Body(box(2, 1), mass=1.0, position=(3.0, 4.0), angle=math.pi / 2)
    v = body.world_vertices()
    assert v.shape == (4, 2) and v.dtype == np.float64
    # (-1, -0.5) turned a quarter turn -> (0.5, -1), then moved to (3, 4).
    assert v[0] == pytest.approx((3.5, 3.0))
    assert Body([box(1, 1), box(1, 1, center=(2, 0))], 1.0).world_vertices(1).shape == (4, 2)
