"""The Lander curriculum: where the lander starts depends on how often it has landed.

Stages, by the number of successful landings so far:

====== ============ ===========================================================
stage  successes    start
====== ============ ===========================================================
0      0-99         above the pad, fixed height, platform in the middle
1      100-199      higher above the pad
2      200-299      higher still
3      300+         random position, tilt and velocity; platform anywhere
====== ============ ===========================================================

Stage 3 is the full task; ``curriculum=False`` (or ``stage=3``) trains and evaluates on it.
The state is two integers, saved with a checkpoint so a resumed run continues where it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STAGE_THRESHOLDS = (100, 200, 300)  # successes needed to enter stages 1, 2 and 3
HARDEST_STAGE = len(STAGE_THRESHOLDS)
SPAWN_HEIGHTS = (4.0, 6.5, 9.0)  # metres above the pad for stages 0, 1, 2


@dataclass
class Spawn:
    """Where an episode starts: lander pose and velocity, and the pad's centre x (metres)."""

    x: float
    y: float
    angle: float
    vx: float
    vy: float
    pad_x: float


class Curriculum:
    """Counts successes and draws the start of each episode for the current stage.

    Parameters
    ----------
    enabled : bool
        False: always the hardest stage.
    stage : int or None
        Fix the stage (0-3) whatever the successes, e.g. for evaluation.
    """

    def __init__(self, enabled: bool = True, stage: int | None = None) -> None:
        if stage is not None and stage not in range(HARDEST_STAGE + 1):
            raise ValueError(f"Lander stage must be 0..{HARDEST_STAGE}, got {stage!r}")
        self.enabled = bool(enabled)
        self.fixed_stage = stage
        self.successes = 0

    @property
    def stage(self) -> int:
        """The stage the next episode starts in."""
        if self.fixed_stage is not None:
            return self.fixed_stage
        if not self.enabled:
            return HARDEST_STAGE
        return int(np.searchsorted(STAGE_THRESHOLDS, self.successes, side="right"))

    def record(self, success: bool) -> None:
        """Count the outcome of a finished episode."""
        self.successes += int(bool(success))

    def spawn(self, rng: np.random.Generator, width: float, height: float,
              ground_level: float, pad_half_width: float) -> Spawn:
        """Draw the start of an episode (all randomness from ``rng``)."""
        stage = self.stage
        if stage < HARDEST_STAGE:
            pad_x = 0.5 * width
            jitter = rng.uniform(-0.3, 0.3, size=2)  # a little variety even in stage 0
            return Spawn(pad_x + jitter[0], ground_level + SPAWN_HEIGHTS[stage] + jitter[1],
                         0.0, 0.0, 0.0, pad_x)
        margin = pad_half_width + 2.0
        pad_x = rng.uniform(margin, width - margin)
        x = rng.uniform(0.15 * width, 0.85 * width)
        y = rng.uniform(ground_level + 6.0, min(height - 1.5, ground_level + 10.0))
        angle, vx, vy = rng.uniform((-0.3, -1.5, -1.5), (0.3, 1.5, 0.3))
        return Spawn(x, y, angle, vx, vy, pad_x)

    def state(self) -> dict:
        """JSON-able state for a checkpoint."""
        return {"successes": self.successes, "enabled": self.enabled,
                "fixed_stage": self.fixed_stage}

    def load_state(self, state: dict) -> None:
        """Restore what :meth:`state` returned (read from a checkpoint: every value is
        checked, ``ValueError`` otherwise)."""
        if not isinstance(state, dict):
            raise ValueError(f"curriculum state must be a dict, got {state!r:.60}")
        successes = state.get("successes")
        enabled = state.get("enabled", self.enabled)
        stage = state.get("fixed_stage", self.fixed_stage)
        if type(successes) is not int or successes < 0 or not isinstance(enabled, bool) or (
                stage is not None and (type(stage) is not int
                                       or stage not in range(HARDEST_STAGE + 1))):
            raise ValueError(f"curriculum state {state!r:.120} is not successes >= 0, enabled "
                             f"true/false and fixed_stage null or 0..{HARDEST_STAGE}")
        self.successes, self.enabled, self.fixed_stage = successes, enabled, stage
