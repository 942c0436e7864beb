r"""The physical Lander scene: terrain, landing pad and the three-part lander body.

Kept apart from the Gymnasium class so that the physics of the task (what is where, how
strong the engines are, where they push) reads on its own.  The lander's outline is the
same compound body as the ``lander`` scene of ``nprl.physics.scenes`` (hull, left leg,
right leg), so the physics benchmark measures exactly what the environment steps.

Engines, in the lander's own frame (y along the hull's axis)::

        <-[L]   ____   [R]->      side thrusters high on the hull: "left" pushes the
               /    \             hull to the left (its nozzle fires to the right), which
              |      |            turns the lander counter-clockwise; "right" mirrors it
              |______|
              /  ^^  \            main engine under the hull pushes along +y (body)
             /   ||   \
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nprl.envs.curriculum import Spawn
from nprl.envs.lander_config import LanderConfig
from nprl.physics import Body, World, box
from nprl.physics.scenes import lander_shapes, terrain

HULL, LEFT_LEG, RIGHT_LEG = 0, 1, 2
MAIN_NOZZLE = (0.0, -10 / 30)  # body-local point where the main engine pushes
SIDE_NOZZLE_HEIGHT = 10 / 30  # body-local height of the side thrusters
SIDE_NOZZLE_X = 15 / 30
FOOT_DROP = 0.84  # the feet end this far below the body origin when upright
PAD_THICKNESS = 0.2
TERRAIN_SEGMENTS = 10

# action -> (main, left, right) engines firing
ENGINES = (
    (False, False, False),  # 0 nothing
    (True, False, False),  # 1 main engine
    (False, True, False),  # 2 left thruster (turns counter-clockwise)
    (False, False, True),  # 3 right thruster (turns clockwise)
    (True, True, False),  # 4 main + left
    (True, False, True),  # 5 main + right
)


@dataclass
class LanderScene:
    """One episode's world and the bodies the environment reads."""

    world: World
    lander: Body
    pad: Body
    ground: Body
    pad_x: float
    pad_top: float


def build_scene(config: LanderConfig, spawn: Spawn, rng: np.random.Generator) -> LanderScene:
    """A fresh world: bumpy terrain, a flat pad centred on ``spawn.pad_x``, and the lander."""
    world = World(gravity=(0.0, -config.gravity), dt=1.0 / config.fps, iterations=10)
    pad_top = config.ground_level
    dx = config.width / TERRAIN_SEGMENTS
    heights = pad_top - 0.5 + rng.uniform(-0.8, 1.6, size=TERRAIN_SEGMENTS + 1)
    # Flatten the terrain under (and a little beyond) the pad so the pad rests on it.
    xs = np.arange(TERRAIN_SEGMENTS + 1) * dx
    under_pad = np.abs(xs - spawn.pad_x) <= config.pad_half_width + dx
    heights[under_pad] = pad_top - PAD_THICKNESS
    ground = terrain(world, [float(h) for h in heights], x0=0.0, dx=dx)
    pad = world.add(Body(box(2 * config.pad_half_width, PAD_THICKNESS), 0.0,
                         position=(spawn.pad_x, pad_top - 0.5 * PAD_THICKNESS),
                         static=True, friction=0.9, restitution=0.0))
    lander = world.add(Body(
        lander_shapes(), mass=config.mass, position=(spawn.x, spawn.y), angle=spawn.angle,
        velocity=(spawn.vx, spawn.vy), restitution=0.0, friction=0.9,
        linear_drag=config.linear_drag, quadratic_drag=config.quadratic_drag,
        angular_drag=config.angular_drag,
        angular_quadratic_drag=config.angular_quadratic_drag,
    ))
    return LanderScene(world, lander, pad, ground, spawn.pad_x, pad_top)


def fire_engines(scene: LanderScene, config: LanderConfig, action: int) -> tuple[bool, ...]:
    """Apply the forces of ``action``'s engines for the next step; return which fired."""
    main, left, right = ENGINES[action]
    lander = scene.lander
    weight = config.mass * config.gravity
    c, s = math.cos(lander.angle), math.sin(lander.angle)
    if main:
        f = config.main_thrust * weight  # along the hull's axis (0, 1) in the body frame
        lander.apply_force((-s * f, c * f), point=lander.local_to_world(MAIN_NOZZLE))
    if left or right:
        f = config.side_thrust * weight * (-1.0 if left else 1.0)  # body-frame x force
        nozzle = (SIDE_NOZZLE_X if left else -SIDE_NOZZLE_X, SIDE_NOZZLE_HEIGHT)
        lander.apply_force((c * f, s * f), point=lander.local_to_world(nozzle))
    return ENGINES[action]
