"""Draw an ``nprl.physics`` world with pygame: bodies, contact points, contact normals,
captions, and the conversion between pygame surfaces and image arrays.

The engine itself never imports pygame (it runs headless inside environments); this file
is the one place that turns a world into pixels. It lives with the environments because
an environment owns its rendering (as Gymnasium's do): the Lander's renderer
(:mod:`nprl.envs.lander_render`) draws with it, and ``nprl.viz`` (the physics demo, the
Q-value bars, videos) uses it from here. Everything takes a ``pygame.Surface`` and a view
rectangle in metres, so the same code serves the demo window, GIF frames and an
environment's ``render``. pygame is imported when something is drawn, with an install
hint when it is missing.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from nprl.errors import require

if TYPE_CHECKING:
    from nprl.physics import World

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # no greeting on import

BACKGROUND = (246, 244, 238)
STATIC_FILL = (120, 120, 128)
OUTLINE = (30, 30, 36)
CONTACT_POINT = (220, 40, 40)
CONTACT_NORMAL = (30, 110, 230)
PALETTE = [
    (244, 162, 97),
    (42, 157, 143),
    (233, 196, 106),
    (231, 111, 81),
    (138, 177, 125),
    (155, 134, 189),
    (100, 160, 210),
]


class Camera:
    """Maps world metres (y up) to screen pixels (y down) for a fixed view rectangle.

    Parameters
    ----------
    view : (x_min, y_min, x_max, y_max)
        World rectangle to show, metres. It is fitted into the surface keeping the aspect
        ratio, centred.
    size : (width, height)
        Surface size in pixels.
    """

    def __init__(self, view: tuple[float, float, float, float], size: tuple[int, int]) -> None:
        x0, y0, x1, y1 = view
        width, height = size
        self.scale = min(width / (x1 - x0), height / (y1 - y0))  # pixels per metre
        self.offset_x = width / 2 - self.scale * (x0 + x1) / 2
        self.offset_y = height / 2 + self.scale * (y0 + y1) / 2

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """Pixel (column, row) of the world point (x, y)."""
        return (round(self.offset_x + self.scale * x), round(self.offset_y - self.scale * y))


def draw_world(surface, world: World, camera: Camera, contacts: bool = True) -> None:
    """Paint every body of ``world`` and, if asked, its contacts onto ``surface``.

    Bodies are filled polygons (static grey, dynamic coloured by insertion order); each
    contact point is a red dot with a blue segment along the normal (a to b) whose length
    grows with the normal impulse.
    """
    pygame = require("pygame")
    surface.fill(BACKGROUND)
    dynamic_index = 0
    for body in world.bodies:
        if body.static:
            fill = STATIC_FILL
        else:
            fill = PALETTE[dynamic_index % len(PALETTE)]
            dynamic_index += 1
        for polygon in body.world_polygons():
            points = [camera.to_screen(x, y) for x, y in polygon]
            pygame.draw.polygon(surface, fill, points)
            pygame.draw.polygon(surface, OUTLINE, points, width=1)
    if not contacts:
        return
    for manifold in world.contacts:
        nx, ny = manifold.normal
        for (x, y), impulse in zip(manifold.points, manifold.normal_impulses):
            length = 0.3 + min(0.7, 0.5 * abs(impulse))  # metres on screen
            start = camera.to_screen(x, y)
            end = camera.to_screen(x + nx * length, y + ny * length)
            pygame.draw.line(surface, CONTACT_NORMAL, start, end, width=2)
            pygame.draw.circle(surface, CONTACT_POINT, start, 4)


_FONTS: dict[int, Any] = {}


def render_text(text: str, size: int = 16, color=OUTLINE):
    """``text`` as a pygame surface, in pygame's default typeface at ``size`` points.

    Drawn with ``pygame.freetype``: ``pygame.font`` hints this face so badly at small
    sizes that words split ("t ilt", "ret urn")."""
    freetype = require("pygame.freetype")
    if not freetype.get_init():
        freetype.init()
    if size not in _FONTS:
        _FONTS[size] = freetype.Font(None, size)
    surface, _ = _FONTS[size].render(text, color)
    return surface


def draw_caption(surface, lines: list[str], bottom: bool = False) -> None:
    """Write a few lines of text in the top-left corner (or the bottom-left one)."""
    pygame = require("pygame")
    top = surface.get_height() - 8 - 20 * len(lines) if bottom else 8
    for k, line in enumerate(lines):
        text = render_text(line, 16)
        if bottom:  # over the ground: a pale box behind the words keeps them readable
            box = text.get_rect(topleft=(10, top + 20 * k)).inflate(8, 2)
            pygame.draw.rect(surface, (245, 243, 236), box)
        surface.blit(text, (10, top + 20 * k))


# pygame's surfarray is indexed (x, y) = (column, row); images are (row, column, channel).

def surface_to_frame(surface) -> np.ndarray:
    """The pixels of a pygame ``surface`` as a new ``(height, width, 3)`` uint8 image."""
    pygame = require("pygame")
    return np.ascontiguousarray(pygame.surfarray.array3d(surface).transpose(1, 0, 2))


def frame_to_surface(frame: np.ndarray):
    """A new pygame surface holding ``frame``, an ``(height, width, 3)`` uint8 image."""
    pygame = require("pygame")
    return pygame.surfarray.make_surface(np.ascontiguousarray(frame.transpose(1, 0, 2)))
