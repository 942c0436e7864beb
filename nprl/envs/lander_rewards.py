"""The Lander's shaped reward, as a dict of named terms that sum to the step's reward.

Reporting every term (``info["reward_terms"]``) lets a user see why an episode scored what
it did: how much came from approaching the pad, how much fuel cost, the final bonus.
"""

from __future__ import annotations

from dataclasses import dataclass

from nprl.envs.lander_config import LanderConfig


@dataclass(frozen=True)
class Progress:
    """What the shaping compares from one step to the next."""

    distance: float  # metres from the lander to its resting point on the pad
    speed: float  # m/s


def reward_terms(config: LanderConfig, before: Progress, after: Progress, *, tilt: float,
                 above_pad: bool, both_feet_down: bool, engines_fired: int,
                 outcome: str) -> dict[str, float]:
    """Every reward term of one step.

    ``outcome`` is ``"landed"`` (success), a crash (``"crashed"``, ``"left_area"``) or
    anything else (no bonus).
    """
    terms = {
        "distance": config.distance_weight * (before.distance - after.distance),
        "speed": config.speed_weight * (before.speed - after.speed),
        "tilt": -config.tilt_penalty if abs(tilt) > config.tilt_limit else 0.0,
        "alignment": config.alignment_bonus if above_pad else 0.0,
        "leg_contact": config.leg_contact_bonus if both_feet_down else 0.0,
        "thrust": -config.thrust_cost * engines_fired,
        "outcome": 0.0,
    }
    if outcome == "landed":
        terms["outcome"] = config.success_reward
    elif outcome in ("crashed", "left_area"):
        terms["outcome"] = -config.crash_penalty
    return {name: float(value) for name, value in terms.items()}
