"""Draw the Lander with pygame: the world, engine flames, foot contacts and a small HUD.

Used by ``LanderEnv.render`` ("human": a window at the env's frame rate; "rgb_array":
frames from an off-screen surface, headless with SDL's dummy video driver) and by
``nprl play``. The world itself is painted by :func:`nprl.envs.drawing.draw_world`.
pygame is imported only when the first frame is drawn (with an install hint if missing).
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

import numpy as np

from nprl.envs.drawing import Camera, draw_caption, draw_world, surface_to_frame
from nprl.envs.lander_world import MAIN_NOZZLE, SIDE_NOZZLE_HEIGHT, SIDE_NOZZLE_X
from nprl.errors import require

if TYPE_CHECKING:
    from nprl.envs.lander import LanderEnv

SIZE = (600, 405)
PAD_FILL = (233, 196, 106)
FLAME = (255, 120, 30)
FLAME_CORE = (255, 220, 90)


class LanderRenderer:
    """Turns a :class:`~nprl.envs.lander.LanderEnv` into pixels.

    Parameters
    ----------
    mode : "human" or "rgb_array"
    fps : int
        Frame rate of the "human" window.
    """

    def __init__(self, mode: str, fps: int = 60) -> None:
        if mode == "rgb_array" and "DISPLAY" not in os.environ:
            os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # headless frames
        self.pygame = require("pygame")
        self.mode = mode
        self.fps = fps
        self.pygame.display.init()  # not pygame.init(): no audio device needed
        self.pygame.font.init()
        if mode == "human":
            self.window = self.pygame.display.set_mode(SIZE)
            self.pygame.display.set_caption("nprl Lander")
            self.clock = self.pygame.time.Clock()
        self.surface = self.pygame.Surface(SIZE)

    def render(self, env: LanderEnv) -> np.ndarray | None:
        """Draw the current state; return an (H, W, 3) uint8 frame in "rgb_array" mode."""
        pygame, scene, cfg = self.pygame, env.scene, env.config
        if scene is None:
            raise RuntimeError("call reset() before render()")
        camera = Camera((0.0, 0.0, cfg.width, cfg.height), SIZE)
        draw_world(self.surface, scene.world, camera, contacts=True)
        pad_outline = [camera.to_screen(x, y) for x, y in scene.pad.world_vertices()]
        pygame.draw.polygon(self.surface, PAD_FILL, pad_outline)
        self._draw_flames(env, camera)
        vx, vy = scene.lander.velocity
        draw_caption(self.surface, [
            f"step {env.steps}   return {env.episode_return:7.1f}   "
            f"stage {env.curriculum.stage}",
            f"speed {math.hypot(vx, vy):4.2f} m/s   tilt {math.degrees(scene.lander.angle):5.1f} deg"
            f"   feet {'L' if env.feet[0] else '-'}{'R' if env.feet[1] else '-'}",
        ])
        if env.hud_hint:
            draw_caption(self.surface, env.hud_hint, bottom=True)
        if self.mode == "human":
            pygame.event.pump()
            self.window.blit(self.surface, (0, 0))
            pygame.display.flip()
            self.clock.tick(self.fps)
            return None
        return surface_to_frame(self.surface)

    def _draw_flames(self, env: LanderEnv, camera: Camera) -> None:
        pygame, lander = self.pygame, env.scene.lander
        main, left, right = env.engines
        # (nozzle, exhaust direction, length) in the lander's frame
        jets = []
        if main:
            jets.append((MAIN_NOZZLE, (0.0, -1.0), 0.7))
        if left:  # pushes left: its exhaust points right
            jets.append(((SIDE_NOZZLE_X, SIDE_NOZZLE_HEIGHT), (1.0, 0.0), 0.35))
        if right:
            jets.append(((-SIDE_NOZZLE_X, SIDE_NOZZLE_HEIGHT), (-1.0, 0.0), 0.35))
        c, s = math.cos(lander.angle), math.sin(lander.angle)
        for (nx, ny), (dx, dy), length in jets:
            wx, wy = lander.local_to_world((nx, ny))
            ex, ey = c * dx - s * dy, s * dx + c * dy  # exhaust direction in the world
            px, py = -ey, ex  # its perpendicular, for the flame's width
            tip = camera.to_screen(wx + ex * length, wy + ey * length)
            for color, width in ((FLAME, 0.12), (FLAME_CORE, 0.05)):
                base = [camera.to_screen(wx + px * width, wy + py * width),
                        camera.to_screen(wx - px * width, wy - py * width)]
                pygame.draw.polygon(self.surface, color, [*base, tip])

    def close(self) -> None:
        if self.mode == "human":
            self.pygame.display.quit()
