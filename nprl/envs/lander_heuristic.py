"""A hand-written controller for the Lander: proof that the task is solvable.

Two proportional-derivative rules, read straight off the observation:

* attitude: tilt towards the pad (the main engine then pushes the lander that way), less
  so the faster it already drifts there; turn with a side thruster when the tilt is off;
* altitude: descend at a speed that shrinks with height, so it arrives gently; fire the
  main engine whenever it falls faster than that.

It lands from the hardest curriculum stage most of the time, and the tests use it.
"""

from __future__ import annotations

import numpy as np

from nprl.envs.lander import SPIN_SCALE, VELOCITY_SCALE
from nprl.envs.lander_actions import action_of
from nprl.envs.lander_config import LanderConfig

_DEFAULT = LanderConfig()


def heuristic_action(obs: np.ndarray, config: LanderConfig = _DEFAULT) -> int:
    """The heuristic's action (0-5) for one observation of ``LanderEnv``."""
    rel_x, rel_y, vx, vy, sin_t, cos_t, spin, left, right = (float(v) for v in obs)
    x = rel_x * 0.5 * config.width  # metres from the resting point
    y = rel_y * 0.5 * config.height
    vx, vy, spin = vx * VELOCITY_SCALE, vy * VELOCITY_SCALE, spin * SPIN_SCALE
    angle = float(np.arctan2(sin_t, cos_t))

    # Tilt (counter-clockwise positive) that brakes the drift and moves towards the pad.
    target_angle = float(np.clip(0.12 * x + 0.35 * vx, -0.45, 0.45))
    turn = 1.5 * (target_angle - angle) - 0.8 * spin
    # Falling faster than a height-dependent safe speed calls for the main engine; far off
    # sideways, hold altitude first.
    far = abs(x) > 1.5
    safe_descent = -0.2 if far else -(0.4 + 0.35 * max(y, 0.0))
    main = vy < safe_descent or (far and y < 0.3 * abs(x))
    if left or right:  # touching down: no more turning, just cushion
        turn = 0.0
        main = vy < -0.5

    # the left thruster turns counter-clockwise, the right one clockwise
    return action_of(main, left=turn > 0.1, right=turn < -0.1)
