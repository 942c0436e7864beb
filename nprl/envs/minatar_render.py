"""RGB pictures of MinAtar states, for videos, without minatar's seaborn dependency.

minatar's own ``render_mode="rgb_array"`` needs seaborn for its colour map. This wrapper
draws the same picture (each cell coloured by the highest channel set in it, black when
none is) with a fixed palette, each 10x10 cell grid scaled up so a video is watchable.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

CELL_PIXELS = 16  # 10x10 cells -> 160x160 pixels
RENDER_FPS = 10  # one MinAtar step is one frame; 10 per second can be followed by eye
# Distinct, colour-blind-friendly colours (Okabe-Ito), repeated for games with more channels.
PALETTE = np.array([(0, 0, 0), (230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66),
                    (0, 114, 178), (213, 94, 0), (204, 121, 167), (255, 255, 255),
                    (153, 153, 153), (128, 0, 0)], dtype=np.uint8)


def minatar_rgb(state: np.ndarray, cell_pixels: int = CELL_PIXELS) -> np.ndarray:
    """``(H, W, C)`` bool planes -> ``(H * cell, W * cell, 3)`` uint8 picture."""
    channels = state.shape[-1]
    # Index of the highest set channel, 0 where no channel is set (the background).
    index = np.max(state.astype(np.int64) * (np.arange(channels) + 1), axis=-1)
    colours = PALETTE[1 + (np.arange(channels) % (len(PALETTE) - 1))]
    table = np.concatenate([PALETTE[:1], colours])
    picture = table[index]
    return np.repeat(np.repeat(picture, cell_pixels, axis=0), cell_pixels, axis=1)


class MinAtarRGB(gym.Wrapper):
    """A MinAtar env whose ``render()`` returns an RGB picture (``render_mode="rgb_array"``)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self._render_mode = "rgb_array"
        self.metadata = {**env.metadata, "render_fps": RENDER_FPS}

    @property
    def render_mode(self) -> str:
        return self._render_mode

    def render(self) -> np.ndarray:
        return minatar_rgb(np.asarray(self.env.unwrapped.game.state()))
