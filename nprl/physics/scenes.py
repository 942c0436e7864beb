"""Ready-made worlds for the demo, the tests and the benchmark (pure physics, no drawing).

Each builder returns a :class:`Scene`: a fresh :class:`~nprl.physics.World`, an optional
``on_step`` hook that pokes it at given moments (the impulse of the ``swing`` scene), and
the rectangle of the world worth looking at. Boxes, ramps and planks only: the engine
ships no task's geometry (the Lander's body, terrain and resting scene live in
``nprl.envs.lander_world``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from nprl.physics.body import Body
from nprl.physics.polygon import box
from nprl.physics.world import World


@dataclass
class Scene:
    """A world to run, plus what the demo needs to show it.

    Attributes
    ----------
    name : str
    description : str
    world : World
    view : (x_min, y_min, x_max, y_max)
        World rectangle (metres) to draw.
    on_step : callable(world) or None
        Called before every step (e.g. to apply an impulse at a chosen time).
    """

    name: str
    description: str
    world: World
    view: tuple[float, float, float, float]
    on_step: Callable[[World], None] | None = field(default=None)


def ground(world: World, width: float = 40.0, top: float = 0.0, friction: float = 0.6) -> Body:
    """A static slab whose top face is at ``y = top``."""
    return world.add(
        Body(box(width, 1.0), 0.0, position=(0.0, top - 0.5), static=True, friction=friction)
    )


def falling_boxes(seed_offset: float = 0.0) -> Scene:
    """Six boxes of different sizes dropped at angles onto the ground."""
    world = World()
    ground(world)
    for k in range(6):
        size = 0.5 + 0.15 * (k % 3)
        world.add(
            Body(
                box(size, size),
                mass=size * size,
                position=(-3.0 + 1.2 * k, 3.0 + 1.1 * k),
                angle=0.3 * k + seed_offset,
                restitution=0.3,
            )
        )
    return Scene("falling", "six boxes dropped at angles", world, (-5.0, -0.5, 5.0, 9.0))


def stack(height: int = 5, size: float = 1.0) -> Scene:
    """A vertical stack of ``height`` unit boxes resting on the ground."""
    world = World()
    ground(world)
    for k in range(height):
        world.add(
            Body(
                box(size, size),
                mass=1.0,
                position=(0.0, size * (k + 0.5)),
                friction=0.6,
                restitution=0.0,
            )
        )
    return Scene(
        "stack", f"a stack of {height} boxes", world, (-4.0, -0.5, 4.0, height * size + 1.5)
    )


def slope(angle: float = 0.35, friction: float = 0.3) -> Scene:
    """Two boxes on an incline of ``angle`` radians: one grips (mu = 0.6), one slides.

    The incline has friction 1, so a box's own friction is set to mu^2 to make the
    contact's effective coefficient sqrt(mu_box * mu_incline) equal to mu.
    """
    world = World()
    ground(world, top=-2.0)
    c, s = math.cos(angle), math.sin(angle)
    length = 10.0
    world.add(
        Body(box(length, 0.5), 0.0, position=(0.0, 2.0), angle=angle, static=True, friction=1.0)
    )
    for offset, mu in ((2.5, 0.6), (0.5, friction)):
        # Place each box on the incline surface, `offset` metres up from its middle.
        along, up = offset, 0.25 + 0.25
        x, y = c * along - s * up, 2.0 + s * along + c * up
        world.add(
            Body(
                box(0.5, 0.5), 1.0, position=(x, y), angle=angle, friction=mu * mu, restitution=0.0
            )
        )
    return Scene(
        "slope",
        f"an incline of {math.degrees(angle):.0f} deg: tan = "
        f"{math.tan(angle):.2f}; the mu = 0.6 box holds, the mu = {friction} box slides",
        world,
        (-7.0, -2.5, 7.0, 6.5),
    )


def swing() -> Scene:
    """Two tall planks kicked near their tops (off-centre impulses) at t = 0.5 s.

    An impulse j at offset r from the centre of mass spins a plank up by w = (r x j) / I.
    The left plank gets 0.6 N s: it rocks on its corners like a pendulum and settles. The
    right one gets 1.2 N s: its centre of mass passes over the corner and it topples.
    """
    world = World()
    ground(world)
    planks = [
        world.add(Body(box(0.4, 2.0), 2.0, position=(x, 1.0), friction=0.8)) for x in (-1.5, 1.5)
    ]

    def kick(w: World) -> None:
        if w.step_count == 30:
            for plank, impulse in zip(planks, (0.6, 1.2)):
                x, y = plank.center
                plank.apply_impulse((impulse, 0.0), point=(x, y + 0.9))

    return Scene(
        "swing",
        "planks kicked near the top: 0.6 N s rocks, 1.2 N s topples",
        world,
        (-4.0, -0.5, 4.0, 4.5),
        kick,
    )


SCENES: dict[str, Callable[[], Scene]] = {
    "falling": falling_boxes,
    "stack": stack,
    "slope": slope,
    "swing": swing,
}
