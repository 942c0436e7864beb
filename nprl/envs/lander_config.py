"""Every constant of the Lander task in one dataclass: world, engines, limits, rewards.

``LanderEnv(**overrides)`` takes any field of :class:`LanderConfig` as a keyword argument,
so a user can make the Moon heavier or the crash penalty milder without touching code,
and a run's ``config.json`` can record exactly which task was learned.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from nprl.checks import real_number, whole_number

# Settings that cannot be 0 (an empty area, a massless lander, a pad of no width).
POSITIVE = ("width", "height", "mass", "pad_half_width")


@dataclass(frozen=True)
class LanderConfig:
    """Constants of the Lander world and its reward (SI units: m, kg, s, rad, N)."""

    # -- world ---------------------------------------------------------------------------
    width: float = 20.0  # the area the lander may fly in is [0, width] x [0, height]
    height: float = 13.5
    gravity: float = 5.0  # m/s^2 downwards; between the Moon (1.62) and Earth, for short episodes
    fps: int = 60  # one physics step of 1/fps s per env step
    pad_half_width: float = 2.0  # the landing platform is 2 * pad_half_width wide (4 m, as Gymnasium's)
    ground_level: float = 2.0  # height of the platform's top surface

    # -- lander ----------------------------------------------------------------------------
    mass: float = 5.0
    main_thrust: float = 2.0  # main engine force in units of the lander's weight (m g)
    side_thrust: float = 0.15  # side-thruster force in units of the lander's weight
    linear_drag: float = 0.05  # N per m/s
    quadratic_drag: float = 0.02  # N per (m/s)^2
    angular_drag: float = 0.4  # N m per rad/s
    angular_quadratic_drag: float = 0.1  # N m per (rad/s)^2

    # -- what counts as a landing or a crash -----------------------------------------------
    max_touchdown_speed: float = 2.5  # an impact changing the velocity more (m/s) crashes
    max_touchdown_tilt: float = 0.6  # ... or tilted more than this (rad)
    settle_speed: float = 0.3  # resting: both feet down, slower than this (m/s) ...
    settle_tilt: float = 0.25  # a landing counts only more upright than this (rad)
    settle_spin: float = 0.5  # ... and turning slower than this (rad/s)
    settle_steps: int = 30  # for this many consecutive steps (0.5 s)

    # -- reward shaping (each term reported in info["reward_terms"]) -----------------------
    distance_weight: float = 0.5  # per metre closer to the landing point
    speed_weight: float = 0.05  # per m/s of speed shed
    tilt_limit: float = 0.4  # rad; beyond it the tilt penalty applies every step
    tilt_penalty: float = 0.2
    alignment_bonus: float = 0.05  # per step spent above the pad
    leg_contact_bonus: float = 1.0  # per step with both feet down
    thrust_cost: float = 0.02  # per engine firing per step
    success_reward: float = 120.0
    crash_penalty: float = 120.0

    def __post_init__(self) -> None:
        """Every field a finite number >= 0 (the counts whole numbers >= 1; sizes and mass
        > 0), else a ``ValueError`` naming it: ``gravity=nan`` or ``fps=0`` used to build
        a world that failed later, deep inside the physics."""
        for item in dataclasses.fields(self):
            value, name = getattr(self, item.name), f"Lander setting {item.name}"
            if item.type in (int, "int"):
                object.__setattr__(self, item.name, whole_number(value, name, minimum=1))
            else:
                number = real_number(value, name, minimum=0.0)
                if item.name in POSITIVE and number == 0:
                    raise ValueError(f"{name} must be > 0, got {value!r}")
                object.__setattr__(self, item.name, number)

    def replace(self, **overrides: float) -> LanderConfig:
        """A copy with some fields changed; an unknown name is a clear ``ValueError``."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValueError(
                f"unknown Lander setting(s) {unknown}; known settings: {sorted(names)}"
            )
        return dataclasses.replace(self, **overrides)
