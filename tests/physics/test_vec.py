"""The 2-vector helpers agree with the formulas the solver inlines."""

import math

import pytest

from nprl.physics import vec


def test_point_velocity_and_torque_identities():
    v, w, r, j = (0.3, -1.2), 2.0, (0.5, 0.25), (4.0, -3.0)
    # Velocity of a point at offset r on a body (v, w): v + w x r.
    point_velocity = vec.add(v, vec.cross_sv(w, r))
    assert point_velocity == pytest.approx((0.3 - 2.0 * 0.25, -1.2 + 2.0 * 0.5))
    # The torque of j at r is r x j; it is also the work rate check w . (r x j) = j . (w x r).
    assert w * vec.cross(r, j) == pytest.approx(vec.dot(j, vec.cross_sv(w, r)))


def test_rotation_keeps_length_and_turns_counter_clockwise():
    c, s = math.cos(math.pi / 2), math.sin(math.pi / 2)
    assert vec.rotate((1.0, 0.0), c, s) == pytest.approx((0.0, 1.0))
    a = (3.0, -4.0)
    assert vec.length(vec.rotate(a, math.cos(0.7), math.sin(0.7))) == pytest.approx(5.0)
    assert vec.sub(vec.scale(a, 2.0), a) == a


@pytest.mark.parametrize("bad", [(1.0,), (1.0, 2.0, 3.0), "ab", None, (float("inf"), 0.0)])
def test_to_vec2_refuses_what_is_not_a_finite_pair(bad):
    with pytest.raises(ValueError, match="thing"):
        vec.to_vec2(bad, "thing")
