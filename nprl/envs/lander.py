"""``LanderEnv``: land a spacecraft on a pad, simulated by ``nprl.physics``.

## Description
A three-part lander (hull and two legs, one rigid body) falls towards bumpy terrain under
gravity. It must touch down with both feet on the flat landing pad, slowly and upright,
and come to rest there. It steers with a main engine under the hull, which pushes along
the hull's axis, and two side thrusters high on the hull, which turn it. Forces are
applied at the nozzles, so the physics (``nprl.physics``, 60 steps per second, with drag)
does the rest.

## Action Space
``Discrete(6)``: 0 nothing, 1 main engine, 2 left thruster (turns counter-clockwise),
3 right thruster (turns clockwise), 4 main + left, 5 main + right.

## Observation Space
``Box(9,)`` float32: ``rel_x, rel_y`` (lander relative to its resting point on the pad,
divided by half the area's width and height), ``vx, vy`` (m/s divided by 5), ``sin θ``,
``cos θ``, ``ω`` (rad/s divided by 2), ``left_contact``, ``right_contact`` (0 or 1).

## Rewards
A sum of named terms, each reported in ``info["reward_terms"]``: ``distance`` (0.5 per
metre closer to the resting point), ``speed`` (0.05 per m/s of speed shed), ``tilt``
(-0.2 per step beyond 0.4 rad), ``alignment`` (+0.05 per step above the pad),
``leg_contact`` (+1 per step with both feet down), ``thrust`` (-0.02 per engine per step),
``outcome`` (+120 landed, -120 crashed or out of the area). Every constant is a
constructor argument (see :class:`~nprl.envs.lander_config.LanderConfig`).

## Starting State
Set by the curriculum (:mod:`nprl.envs.curriculum`): above a pad in the middle at first,
higher with each 100 successful landings, then anywhere with random tilt and velocity
and the pad anywhere (stage 3, the full task).

## Episode End
Terminated when the lander has rested on the pad with both feet, upright, for 0.5 s
(``landed``, ``info["is_success"]`` True), when it came to rest anywhere else or tilted
(``landed_off_pad``), when the hull touches anything, an impact changes the lander's
velocity by more than 2.5 m/s in one step, or a foot touches down tilted beyond 0.6 rad
(``crashed``), or when it leaves the area
(``left_area``). Truncated after 1000 steps by the registration's time limit.
``info["outcome"]`` says which. Stepping a terminated episode raises ``RuntimeError``
until ``reset()`` (Gymnasium's own envs only warn; a crashed lander used to fly on).

## Arguments
``render_mode`` ("human" or "rgb_array"), ``curriculum`` (False: always the full task),
``stage`` (fix the curriculum stage 0-3, e.g. for evaluation), and any field of
``LanderConfig`` as a keyword.

## Version History
v0: first version.
"""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from nprl.envs.curriculum import Curriculum
from nprl.envs.lander_config import LanderConfig
from nprl.envs.lander_rewards import Progress, reward_terms
from nprl.envs.lander_world import (
    ENGINES,
    GOAL_HEIGHT,
    HULL,
    LEFT_LEG,
    RIGHT_LEG,
    LanderScene,
    build_scene,
    fire_engines,
)

VELOCITY_SCALE = 5.0  # m/s per observation unit
SPIN_SCALE = 2.0  # rad/s per observation unit
OBS_LIMIT = np.array([2.0, 2.0, 5.0, 5.0, 1.0, 1.0, 5.0, 1.0, 1.0], dtype=np.float32)
OBS_LOW = -OBS_LIMIT.copy()
OBS_LOW[7:] = 0.0


class LanderEnv(gym.Env):
    """Land on the pad (see the module docstring for the full description)."""

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": 60}

    def __init__(self, render_mode: str | None = None, curriculum: bool = True,
                 stage: int | None = None, **settings: float) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {render_mode!r}"
            )
        self.render_mode = render_mode
        self.config = LanderConfig().replace(**settings)
        self.curriculum = Curriculum(enabled=curriculum, stage=stage)
        self.observation_space = spaces.Box(OBS_LOW, OBS_LIMIT, dtype=np.float32)
        self.action_space = spaces.Discrete(len(ENGINES))
        self.metadata = {**self.metadata, "render_fps": self.config.fps}
        self.scene: LanderScene | None = None
        self._renderer = None
        # Lines the renderer writes at the bottom of the frame (nprl play: its keys).
        self.hud_hint: list[str] = []
        self._start_episode()

    # -- Gymnasium API ---------------------------------------------------------------
    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        cfg = self.config
        spawn = self.curriculum.spawn(self.np_random, cfg.width, cfg.height,
                                      cfg.ground_level, cfg.pad_half_width)
        self.scene = build_scene(cfg, spawn, self.np_random)
        self._start_episode()
        if self.render_mode == "human":
            self.render()
        return self._observation(), self._info("flying", {})

    def step(self, action) -> tuple[np.ndarray, float, bool, bool, dict]:
        if self.scene is None:
            raise RuntimeError("call reset() before step()")
        if self._ended is not None:  # a crashed lander must not fly on (nor earn rewards)
            raise RuntimeError(f"the episode has ended (outcome {self._ended!r}); call "
                               "reset() before step()")
        if not self.action_space.contains(action):
            raise ValueError(f"Lander action must be an integer in 0..5, got {action!r}")
        cfg, scene = self.config, self.scene
        lander = scene.lander
        self.engines = fire_engines(scene, cfg, int(action))
        # The velocity the step would reach with no contact: whatever differs was an impact.
        # (Speculative contacts stop a fast foot a step or two before it counts as
        # touching, so the impact, not the speed when touching, tells a hard landing.)
        dt, (vx, vy), (fx, fy) = scene.world.dt, lander.velocity, lander.force
        free_vx = vx + dt * fx / lander.mass
        free_vy = vy + dt * (fy / lander.mass - cfg.gravity)
        feet_before = self.feet
        scene.world.step()
        self.steps += 1
        impact = math.hypot(lander.velocity[0] - free_vx, lander.velocity[1] - free_vy)

        hull_hit, feet, feet_on_pad = self._contacts()
        self.feet = feet
        outcome = self._outcome(hull_hit, feet, feet_on_pad, feet_before, impact)
        after = self._measure()
        x, y = lander.position
        terms = reward_terms(
            cfg, self._progress, after, tilt=_wrapped(lander.angle),
            above_pad=abs(x - scene.pad_x) < cfg.pad_half_width and y > scene.pad_top,
            both_feet_down=all(feet), engines_fired=sum(self.engines), outcome=outcome)
        self._progress = after
        reward = float(sum(terms.values()))
        self.episode_return += reward
        terminated = outcome != "flying"
        if terminated:
            self._ended = outcome
            self.curriculum.record(outcome == "landed")
        if self.render_mode == "human":
            self.render()
        return self._observation(), reward, terminated, False, self._info(outcome, terms)

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode="
                            "'rgb_array' or 'human' to LanderEnv")
            return None
        if self._renderer is None:
            from nprl.envs.lander_render import LanderRenderer  # pygame only when drawing

            self._renderer = LanderRenderer(self.render_mode, fps=self.config.fps)
        return self._renderer.render(self)

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    # -- state for checkpoints (the env-state protocol of nprl.rl.environments) ---------
    def checkpoint_state(self) -> dict:
        """JSON-able curriculum state (successes so far): a resumed training run goes on
        at the stage where it was saved."""
        return self.curriculum.state()

    def load_checkpoint_state(self, state: dict) -> None:
        """Restore the curriculum from :meth:`checkpoint_state`'s dict (``ValueError`` for
        a bad one)."""
        self.curriculum.load_state(state)

    # -- internals -------------------------------------------------------------------
    def _start_episode(self) -> None:
        """Episode bookkeeping, set on construction and by every reset (the renderer's HUD
        reads ``steps``, ``episode_return``, ``engines`` and ``feet``)."""
        self.steps = 0
        self.episode_return = 0.0
        self.engines = ENGINES[0]
        self.feet = (False, False)
        self._settled_steps = 0
        self._progress: Progress | None = None if self.scene is None else self._measure()
        self._ended: str | None = None  # the outcome that terminated the episode

    def _contacts(self) -> tuple[bool, tuple[bool, bool], tuple[bool, bool]]:
        """(hull touches anything, (left, right) foot touches, (left, right) foot on pad)."""
        touching = self.scene.world.touching(self.scene.lander)  # shape -> bodies
        left, right = touching.get(LEFT_LEG, ()), touching.get(RIGHT_LEG, ())
        pad = self.scene.pad
        return HULL in touching, (bool(left), bool(right)), (pad in left, pad in right)

    def _outcome(self, hull_hit: bool, feet: tuple[bool, bool],
                 feet_on_pad: tuple[bool, bool], feet_before: tuple[bool, bool],
                 impact: float) -> str:
        cfg, lander = self.config, self.scene.lander
        x, y = lander.position
        touchdown = any(now and not was for now, was in zip(feet, feet_before))
        tilt = abs(_wrapped(lander.angle))
        if hull_hit or impact > cfg.max_touchdown_speed or (
                touchdown and tilt > cfg.max_touchdown_tilt):
            return "crashed"
        if not (0.0 <= x <= cfg.width) or y > cfg.height:
            return "left_area"
        # At rest on both feet, wherever and however tilted (else a lander leaning on a
        # slope would collect the leg-contact bonus until the time limit).
        resting = (all(feet) and math.hypot(*lander.velocity) < cfg.settle_speed
                   and abs(lander.angular_velocity) < cfg.settle_spin)
        self._settled_steps = self._settled_steps + 1 if resting else 0
        if self._settled_steps >= cfg.settle_steps:
            upright_on_pad = all(feet_on_pad) and tilt < cfg.settle_tilt
            return "landed" if upright_on_pad else "landed_off_pad"
        return "flying"

    def _resting_point(self) -> tuple[float, float]:
        """The goal the observation and the shaping measure from: 3 cm above where the body
        origin rests upright on the pad's centre (see ``lander_world.GOAL_HEIGHT``)."""
        return self.scene.pad_x, self.scene.pad_top + GOAL_HEIGHT

    def _measure(self) -> Progress:
        lander = self.scene.lander
        (x, y), (gx, gy) = lander.position, self._resting_point()
        return Progress(math.hypot(x - gx, y - gy), math.hypot(*lander.velocity))

    def _observation(self) -> np.ndarray:
        cfg, lander = self.config, self.scene.lander
        (x, y), (gx, gy) = lander.position, self._resting_point()
        vx, vy = lander.velocity
        obs = np.array([
            (x - gx) / (0.5 * cfg.width), (y - gy) / (0.5 * cfg.height),
            vx / VELOCITY_SCALE, vy / VELOCITY_SCALE,
            math.sin(lander.angle), math.cos(lander.angle),
            lander.angular_velocity / SPIN_SCALE,
            float(self.feet[0]), float(self.feet[1]),
        ], dtype=np.float32)
        return np.clip(obs, OBS_LOW, OBS_LIMIT, out=obs)

    def _info(self, outcome: str, terms: dict[str, float]) -> dict:
        return {
            "reward_terms": terms,
            "outcome": outcome,
            "is_success": outcome == "landed",
            "stage": self.curriculum.stage,
            "successes": self.curriculum.successes,
        }


def _wrapped(angle: float) -> float:
    """Angle in (-pi, pi]."""
    return math.atan2(math.sin(angle), math.cos(angle))
