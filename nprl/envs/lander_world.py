r"""The physical Lander scene: terrain, landing pad and the three-part lander body.

Kept apart from the Gymnasium class so that the physics of the task (what is where, how
strong the engines are, where they push) reads on its own. The engine (``nprl.physics``)
knows no task: the lander's outline and its terrain are built here. ``resting_scene`` puts
the same lander on a fixed terrain for the physics demo and ``benchmarks/physics.py``;
that scene steps at 50 Hz under g = 10 m/s^2 (Gymnasium's LunarLander's), the env at
``LanderConfig.fps`` (60 Hz) under ``LanderConfig.gravity`` (5 m/s^2), with drag.

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
from nprl.physics import Body, Polygon, World, box
from nprl.physics.scenes import Scene

HULL, LEFT_LEG, RIGHT_LEG = 0, 1, 2
MAIN_NOZZLE = (0.0, -10 / 30)  # body-local point where the main engine pushes
SIDE_NOZZLE_HEIGHT = 10 / 30  # body-local height of the side thrusters
SIDE_NOZZLE_X = 15 / 30
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


def lander_shapes() -> list[Polygon]:
    r"""The lander as one compound body: hull (shape 0), left leg (1), right leg (2).

    Sizes follow Gymnasium's LunarLander (its pixel units / 30), in metres, about the
    body origin ``o``::

           ______
          /      \      hull: 34/30 m wide, from 10/30 below the origin to 17/30 above
         |   o    |
         |________|
         /        \     legs: 4/30 x 16/30 boxes centred 20/30 out and 16/30 down,
        /          \    splayed by 0.25 rad
    """
    hull = Polygon([(-14 / 30, 17 / 30), (-17 / 30, 0.0), (-17 / 30, -10 / 30),
                    (17 / 30, -10 / 30), (17 / 30, 0.0), (14 / 30, 17 / 30)])
    leg_size = (4 / 30, 16 / 30)
    left = box(*leg_size, center=(-20 / 30, -16 / 30), angle=-0.25)
    right = box(*leg_size, center=(20 / 30, -16 / 30), angle=0.25)
    return [hull, left, right]


# How far the feet's lowest corners reach below the body origin, upright (0.808 m).
FOOT_DROP = -min(float(leg.vertices[:, 1].min()) for leg in lander_shapes()[1:])
# The point the observation (rel_x, rel_y) and the distance shaping measure from: the
# body origin this high above the pad's centre. It is 3.2 cm above where the origin rests
# (FOOT_DROP: an early estimate of it), kept so that observations stay those the shipped
# agents were trained on; FOOT_DROP instead would move rel_y by 0.0047.
GOAL_HEIGHT = 0.84


def terrain(world: World, heights: list[float], x0: float, dx: float) -> Body:
    """A static compound ground: one convex column per segment of a height profile.

    Segment k spans x0 + k dx .. x0 + (k + 1) dx, from the bottom (y = -1) up to the line
    through heights[k] and heights[k + 1].
    """
    shapes = []
    for k in range(len(heights) - 1):
        xa, xb = x0 + k * dx, x0 + (k + 1) * dx
        ya, yb = heights[k], heights[k + 1]
        shapes.append(Polygon([(xa, -1.0), (xb, -1.0), (xb, yb), (xa, ya)]))
    return world.add(Body(shapes, 0.0, static=True, friction=0.8))


def resting_scene() -> Scene:
    """The lander settling on a flat pad amid bumpy terrain: the ``lander`` scene of
    ``nprl physics-demo`` and of ``benchmarks/physics.py`` (50 Hz, g = 10 m/s^2)."""
    world = World(gravity=(0.0, -10.0), dt=1.0 / 50.0, iterations=10)
    pad_top = 0.6
    terrain(world, [1.8, 1.2, pad_top, pad_top, pad_top, pad_top, 1.1, 1.7, 2.2],
            x0=-6.0, dx=1.5)
    # Dropped from 3.2 cm above its resting height (pad_top + FOOT_DROP).
    world.add(Body(lander_shapes(), mass=5.0, position=(0.0, pad_top + GOAL_HEIGHT),
                   friction=0.8, restitution=0.0, linear_drag=0.1, angular_drag=0.1))
    return Scene("lander", "a three-part lander resting on its pad", world,
                 (-6.0, -1.0, 6.0, 5.0))


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
