"""Epsilon schedules against their closed forms."""

import math

import pytest

from nprl.rl.schedules import ExponentialSchedule, LinearSchedule, MultiplicativeSchedule


def test_linear_schedule():
    s = LinearSchedule(1.0, 0.1, 100)
    assert s(0) == 1.0 and s(50) == pytest.approx(0.55) and s(100) == 0.1 and s(10**6) == 0.1


def test_exponential_schedule_matches_tutorial_formula():
    s = ExponentialSchedule(1.0, 0.01, 0.001)
    for t in (0, 1, 500, 5000):
        assert s(t) == pytest.approx(0.01 + 0.99 * math.exp(-0.001 * t))


def test_multiplicative_schedule_per_episode_with_floor():
    s = MultiplicativeSchedule(1.0, 0.999, 0.05)
    assert s.unit == "episode"
    assert s(10) == pytest.approx(0.999**10)
    assert s(100_000) == 0.05


def test_bad_schedule_parameters_raise():
    with pytest.raises(ValueError):
        MultiplicativeSchedule(1.0, 1.5, 0.05)
    with pytest.raises(ValueError):
        LinearSchedule(1.0, 0.0, -1)
