"""Checks that turn user input into 2-vectors."""

import pytest

from nprl.physics import vec


@pytest.mark.parametrize("bad", [(1.0,), (1.0, 2.0, 3.0), "ab", None, (float("inf"), 0.0)])
def test_to_vec2_refuses_what_is_not_a_finite_pair(bad):
    with pytest.raises(ValueError, match="thing"):
        vec.to_vec2(bad, "thing")
