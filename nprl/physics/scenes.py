"""Ready-made worlds for the demo, the tests and the benchmark (pure physics, no drawing).

Each builder returns a :class:`Scene`: a fresh :class:`~nprl.physics.World`, an optional
``on_step`` hook that pokes it at given moments (the impulse of the ``swing`` scene), and
the rectangle of the world worth looking at. ``benchmarks/physics.py`` copies the
``lander`` world body by body into Box2D, and the Lunar-Lander environment builds its
lander from :func:`lander_shapes` and its ground with :func:`terrain`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from nprl.physics.body import Body
from nprl.physics.polygon import Polygon, box
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


def lander_shapes(scale: float = 1.0) -> list[Polygon]:
    """A lander as one compound body: hull (shape 0), left leg (1), right leg (2).

    Sizes follow Gymnasium's LunarLander (its pixel units / 30), in metres.
    """
    hull = Polygon(
        [
            (-14 / 30, 17 / 30),
            (-17 / 30, 0.0),
            (-17 / 30, -10 / 30),
            (17 / 30, -10 / 30),
            (17 / 30, 0.0),
            (14 / 30, 17 / 30),
        ]
    )
    leg_size = (4 / 30, 16 / 30)
    left = box(*leg_size, center=(-20 / 30, -16 / 30), angle=-0.25)
    right = box(*leg_size, center=(20 / 30, -16 / 30), angle=0.25)
    if scale != 1.0:
        return [Polygon(p.vertices * scale) for p in (hull, left, right)]
    return [hull, left, right]


def terrain(
    world: World,
    heights: list[float],
    x0: float,
    dx: float,
    platform: tuple[float, float] | None = None,
) -> Body:
    """A static compound ground: one convex column per segment of a height profile.

    Segment k spans x0 + k dx .. x0 + (k + 1) dx, from the bottom (y = -1) up to the line
    through heights[k] and heights[k + 1]. ``platform`` = (x_left, x_right) makes the
    segments in that range flat at the height of the first one (the landing pad).
    """
    shapes = []
    for k in range(len(heights) - 1):
        xa, xb = x0 + k * dx, x0 + (k + 1) * dx
        ya, yb = heights[k], heights[k + 1]
        shapes.append(Polygon([(xa, -1.0), (xb, -1.0), (xb, yb), (xa, ya)]))
    return world.add(Body(shapes, 0.0, static=True, friction=0.8))


def lander(iterations: int = 10) -> Scene:
    """The lander resting on a flat landing pad in the middle of a bumpy terrain."""
    world = World(gravity=(0.0, -10.0), dt=1.0 / 50.0, iterations=iterations)
    heights = [1.8, 1.2, 0.6, 0.6, 0.6, 0.6, 1.1, 1.7, 2.2]
    terrain(world, heights, x0=-6.0, dx=1.5)
    # Feet end about 0.83 m below the hull origin; start a hair above the pad at y = 0.6.
    world.add(
        Body(
            lander_shapes(),
            mass=5.0,
            position=(0.0, 0.6 + 0.84),
            friction=0.8,
            restitution=0.0,
            linear_drag=0.1,
            angular_drag=0.1,
        )
    )
    return Scene("lander", "a three-part lander resting on its pad", world, (-6.0, -1.0, 6.0, 5.0))


SCENES: dict[str, Callable[[], Scene]] = {
    "falling": falling_boxes,
    "stack": stack,
    "slope": slope,
    "swing": swing,
    "lander": lander,
}
