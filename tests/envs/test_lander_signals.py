"""What each Lander reward term and observation component means, shown on chosen states.

The lander is put where a test wants it (``place``), mostly with gravity off so that
nothing but the tested cause moves it, and one real step of the env's own physics is
taken. Each test checks a sign and a size a person would check by hand: closing in on
the pad earns, an engine costs fuel, the observation's rel_x is positive right of the pad.
"""

import math

import numpy as np
import pytest

from nprl.envs import LanderEnv
from nprl.envs.lander_config import LanderConfig

W, H = LanderConfig().width, LanderConfig().height  # rel_x, rel_y divide by their halves


def hovering(place, gravity=0.0, **state):
    """A Lander env, its lander put in ``state`` (see ``place``), one idle step taken;
    returns the env and that step's observation."""
    env = LanderEnv(stage=0, gravity=gravity)
    env.reset(seed=0)
    place(env, **state)
    obs, *_ = env.step(0)
    return env, obs


def distance_to_rest(obs):
    """Metres from the lander to its resting point on the pad, read off an observation."""
    return math.hypot(obs[0] * W / 2, obs[1] * H / 2)


def speed(obs):
    """m/s, read off an observation."""
    return math.hypot(obs[2] * 5.0, obs[3] * 5.0)


# -- reward terms ----------------------------------------------------------------------------

@pytest.mark.parametrize("velocity, sign", [((-1.5, 0.0), 1), ((0.0, -1.5), 1),
                                            ((1.5, 0.0), -1), ((0.0, 1.5), -1)])
def test_distance_term_pays_half_a_point_per_metre_closer_to_the_pad(place, velocity, sign):
    # 3 m right of and 2 m above the resting point: moving left or down closes in.
    env, before = hovering(place, x_offset=3.0, height=2.0, velocity=velocity)
    after, _, _, _, info = env.step(0)
    closer = distance_to_rest(before) - distance_to_rest(after)
    assert np.sign(closer) == sign
    assert info["reward_terms"]["distance"] == pytest.approx(0.5 * closer, rel=1e-3)


def test_speed_term_pays_for_speed_shed_and_charges_for_speed_gained(place):
    # Falling at 3 m/s: gravity speeds it up (costs); the main engine (twice its weight)
    # brakes the fall (earns); gravity off, drag slows a sideways drift (earns).
    # 0.05 per m/s either way.
    for gravity, velocity, action, sign in ((5.0, (0.0, -3.0), 0, -1),
                                            (5.0, (0.0, -3.0), 1, 1),
                                            (0.0, (3.0, 0.0), 0, 1)):
        env, before = hovering(place, gravity, height=3.0, velocity=velocity)
        after, _, _, _, info = env.step(action)
        shed = speed(before) - speed(after)
        assert np.sign(shed) == sign
        assert info["reward_terms"]["speed"] == pytest.approx(0.05 * shed, rel=1e-3)


@pytest.mark.parametrize("angle, penalty", [(0.0, 0.0), (0.3, 0.0), (-0.3, 0.0), (0.5, -0.2),
                                            (-0.5, -0.2), (math.pi / 2, -0.2)])
def test_tilt_term_charges_every_step_beyond_0_4_rad_either_way(place, angle, penalty):
    env, _ = hovering(place, height=3.0, angle=angle)
    _, _, _, _, info = env.step(0)
    assert info["reward_terms"]["tilt"] == penalty


@pytest.mark.parametrize("x_offset, bonus", [(0.0, 0.05), (1.5, 0.05), (-1.5, 0.05),
                                             (2.5, 0.0), (-4.0, 0.0)])
def test_alignment_term_pays_only_above_the_4_m_pad(place, x_offset, bonus):
    env, _ = hovering(place, x_offset=x_offset, height=3.0)
    _, _, _, _, info = env.step(0)
    assert info["reward_terms"]["alignment"] == bonus


# action -> engines firing: 0 none, 1 main, 2 left, 3 right, 4 main + left, 5 main + right
ENGINES_FIRED = (0, 1, 1, 1, 2, 2)


@pytest.mark.parametrize("action", range(6))
def test_thrust_term_costs_fuel_per_engine_fired(place, action):
    env, _ = hovering(place, height=3.0)
    _, _, _, _, info = env.step(action)
    assert info["reward_terms"]["thrust"] == pytest.approx(-0.02 * ENGINES_FIRED[action])


def test_leg_contact_term_pays_each_step_both_feet_are_down(place):
    env = LanderEnv(stage=0)
    env.reset(seed=0)
    place(env, height=0.3, angle=0.2)  # dropped a little tilted: one foot lands first
    feet_down = []
    for _ in range(60):
        obs, _, terminated, _, info = env.step(0)
        feet_down.append(int(obs[7] + obs[8]))
        assert info["reward_terms"]["leg_contact"] == (1.0 if feet_down[-1] == 2 else 0.0)
        if terminated:
            break
    assert feet_down[0] == 0 and 1 in feet_down and feet_down[-1] == 2  # air, one, both


def test_reward_constants_are_the_envs_settings(place):
    env = LanderEnv(stage=0, gravity=0.0, thrust_cost=0.5, alignment_bonus=0.25,
                    distance_weight=2.0)
    env.reset(seed=0)
    place(env, height=3.0, velocity=(0.0, -1.0))
    before, *_ = env.step(0)
    after, _, _, _, info = env.step(4)  # main + left
    terms = info["reward_terms"]
    assert terms["thrust"] == pytest.approx(-1.0) and terms["alignment"] == 0.25
    closer = distance_to_rest(before) - distance_to_rest(after)
    assert terms["distance"] == pytest.approx(2.0 * closer, rel=1e-3)


# -- observation -------------------------------------------------------------------------------

@pytest.mark.parametrize("x_offset, height", [(0.0, 0.5), (3.0, 2.0), (-4.0, 6.0)])
def test_rel_x_and_rel_y_are_the_offset_from_the_resting_point(place, x_offset, height):
    # Right of the pad: rel_x > 0; above: rel_y > 0; in units of half the area.
    _, obs = hovering(place, x_offset=x_offset, height=height)
    np.testing.assert_allclose(obs[:2], [x_offset / (W / 2), height / (H / 2)], atol=1e-6)


def test_velocity_is_positive_rightwards_and_upwards(place):
    for vx, vy in ((2.0, 1.0), (-2.0, -1.0), (0.0, -3.0)):
        _, obs = hovering(place, height=4.0, velocity=(vx, vy))
        # one step of drag slows it by well under 1%
        np.testing.assert_allclose(obs[2:4], [vx / 5.0, vy / 5.0], rtol=0.01, atol=1e-6)


@pytest.mark.parametrize("angle", [0.0, 0.3, -0.3, 2.0, math.pi])
def test_sin_and_cos_of_the_angle(place, angle):
    _, obs = hovering(place, height=3.0, angle=angle)
    np.testing.assert_allclose(obs[4:6], [math.sin(angle), math.cos(angle)], atol=1e-6)


def test_angle_and_spin_are_positive_counter_clockwise(place):
    # Spinning counter-clockwise: omega > 0 (rad/s / 2), and sin(theta) grows from 0.
    env, obs = hovering(place, height=3.0, spin=1.0)
    assert obs[6] == pytest.approx(0.5, rel=0.01) and obs[4] > 0
    later, *_ = env.step(0)
    assert later[4] > obs[4]
    _, obs = hovering(place, height=3.0, spin=-1.0)
    assert obs[6] == pytest.approx(-0.5, rel=0.01) and obs[4] < 0
    # The left thruster turns it counter-clockwise: the same sign in the observation.
    # (Engines push in units of the lander's weight: gravity on.)
    env, _ = hovering(place, gravity=5.0, height=3.0)
    for _ in range(5):
        obs, *_ = env.step(2)
    assert obs[6] > 0 and obs[4] > 0


@pytest.mark.parametrize("angle, first_down", [(0.3, (1.0, 0.0)), (-0.3, (0.0, 1.0)),
                                               (0.0, (1.0, 1.0))])
def test_leg_contacts_say_which_foot_touches(place, angle, first_down):
    # Tilted counter-clockwise, the left foot is the lower one and touches first.
    env = LanderEnv(stage=0, gravity=0.0)
    env.reset(seed=0)
    place(env, height=0.4, angle=angle, velocity=(0.0, -0.5))
    obs, *_ = env.step(0)
    assert tuple(obs[7:]) == (0.0, 0.0)  # in the air
    for _ in range(120):
        obs, *_ = env.step(0)
        if obs[7] or obs[8]:
            break
    assert tuple(obs[7:]) == first_down
