"""Writing frames to a video file (GIF or MP4) and shrinking frames, with imageio / pygame.

Both imported lazily (``nprl[viz]`` / ``nprl[render]``). GIFs loop forever and play at
the environment's frame rate; MP4 needs imageio's ffmpeg plugin (in ``nprl[viz]``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nprl.viz import require


def save_video(path: str | Path, frames: list[np.ndarray], fps: float) -> Path:
    """Write ``frames`` (each (H, W, 3) uint8) to ``path``; the suffix picks the format.

    Raises ``ValueError`` when there are no frames or imageio cannot write the file.
    """
    imageio = require("imageio")
    path = Path(path)
    if not frames:
        raise ValueError(f"no frames to write to {path}")
    if path.suffix.lower() == ".gif":  # pillow's GIF writer takes milliseconds per frame
        options = {"duration": 1000.0 / fps, "loop": 0}
    else:
        options = {"fps": fps}
    try:
        imageio.mimsave(path, frames, **options)
    except (ValueError, OSError, RuntimeError) as error:
        raise ValueError(f"could not write video {path}: {error}") from None
    return path


def resize_frame(frame: np.ndarray, width: int) -> np.ndarray:
    """``frame`` (H, W, 3) uint8 scaled smoothly to ``width`` pixels, aspect kept."""
    pygame = require("pygame")
    height, old_width = frame.shape[:2]
    if width == old_width:
        return frame
    size = (int(width), max(1, round(height * width / old_width)))
    surface = pygame.surfarray.make_surface(np.ascontiguousarray(frame.swapaxes(0, 1)))
    scaled = pygame.transform.smoothscale(surface, size)
    return pygame.surfarray.array3d(scaled).swapaxes(0, 1).copy()
