"""Writing frames to a video file (GIF or MP4) as they come, and shrinking frames.

:class:`VideoWriter` streams: each frame goes to the file when it is appended, so memory
stays flat however many episodes are recorded. GIFs are written with Pillow's own GIF
encoder, one frame at a time (Pillow's ``save(save_all=True)`` and imageio's GIF writers
hold every frame until the end); MP4 and the other video formats go through imageio's
ffmpeg plugin (``nprl[viz]``), which streams too.

GIFs play in real time at the frame rate they are given (the environment's
``render_fps``): a GIF stores each frame's delay in 1/100 s, and browsers slow any delay
under 2/100 s down to 1/10 s. So a GIF keeps every ``k``-th frame, the smallest ``k``
whose delay is at least 2/100 s (60 fps: every second frame, 1/30 s), and rounds the
frames' *cumulative* times to 1/100 s, so the delays alternate (3, 3, 4 centiseconds at
30 fps) and the whole GIF lasts exactly as long as the episode.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import TracebackType

import numpy as np

from nprl.envs.drawing import frame_to_surface, surface_to_frame
from nprl.errors import require

GIF_MIN_DELAY_CS = 2  # browsers show shorter GIF delays as 10 centiseconds
FFMPEG_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm")
VIDEO_SUFFIXES = (".gif", *FFMPEG_SUFFIXES)


def gif_frame_step(fps: float) -> int:
    """How many source frames at ``fps`` make one GIF frame: the smallest ``k`` with
    ``k / fps >= 2/100 s``."""
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps}")
    return max(1, math.ceil(GIF_MIN_DELAY_CS * fps / 100 - 1e-9))


def gif_delay_cs(index: int, fps: float, step: int) -> int:
    """Delay of GIF frame ``index`` in centiseconds: the rounded cumulative time of the
    next frame minus that of this one, so the delays add up to the true duration."""
    def at(k: int) -> int:
        return round(100 * k * step / fps)

    return at(index + 1) - at(index)


class VideoWriter:
    """Write ``(H, W, 3)`` uint8 frames shown at ``fps`` to ``path`` one by one.

    Use as a context manager: leaving the block (or Ctrl-C) closes the file; leaving it
    with an error closes it quietly and deletes the partial file. The suffix picks the
    format (:data:`VIDEO_SUFFIXES`). Raises ``ValueError`` for an unknown suffix or a file
    that cannot be opened.
    """

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.fps = float(fps)
        self.frames_in = 0  # frames given to append
        self.frames_written = 0
        suffix = self.path.suffix.lower()
        if suffix not in VIDEO_SUFFIXES:
            raise ValueError(f"cannot write video {self.path}: unknown format "
                             f"{suffix or '(no suffix)'!r}; use one of {', '.join(VIDEO_SUFFIXES)}")
        self.is_gif = suffix == ".gif"
        self.step = gif_frame_step(self.fps) if self.is_gif else 1
        self._file = None
        self._ffmpeg = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.is_gif:
                require("PIL")
                self._file = open(self.path, "wb")
            else:
                imageio = require("imageio.v2")
                # H.264 in yuv420p needs even sides: append() pads odd ones by a row
                self._ffmpeg = imageio.get_writer(self.path, fps=self.fps,
                                                  macro_block_size=2,
                                                  ffmpeg_log_level="quiet")  # we report
        except (OSError, ValueError, RuntimeError) as error:
            raise ValueError(f"could not write video {self.path}: {error}") from None

    def append(self, frame: np.ndarray) -> None:
        """Add the next frame (a GIF keeps only every :attr:`step`-th one)."""
        index = self.frames_in
        self.frames_in += 1
        if index % self.step:
            return
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        try:
            if self.is_gif:
                self._write_gif_frame(frame)
            else:
                pad = ((0, frame.shape[0] % 2), (0, frame.shape[1] % 2), (0, 0))
                self._ffmpeg.append_data(np.pad(frame, pad, mode="edge"))
        except (OSError, ValueError, RuntimeError) as error:
            raise ValueError(f"could not write video {self.path}: {error}") from None
        self.frames_written += 1

    def _write_gif_frame(self, frame: np.ndarray) -> None:
        from PIL import GifImagePlugin, Image

        image = Image.fromarray(frame, "RGB").quantize(256)  # its own palette per frame
        if self.frames_written == 0:
            header, _ = GifImagePlugin.getheader(image, None, {"loop": 0})  # loop forever
            for chunk in header:
                self._file.write(chunk)
        delay_ms = 10 * gif_delay_cs(self.frames_written, self.fps, self.step)
        for chunk in GifImagePlugin.getdata(image, duration=delay_ms, disposal=1,
                                            include_color_table=True):
            self._file.write(chunk)
        self._file.flush()  # on disk now, not in a buffer: a killed run keeps its frames

    def close(self) -> None:
        """Finish the file. Raises ``ValueError`` when it cannot be completed."""
        try:
            if self._file is not None:
                if self.frames_written:
                    self._file.write(b";")  # the GIF trailer
                self._file.close()
            if self._ffmpeg is not None:
                self._ffmpeg.close()
                _check_mp4_complete(self.path)
        except (OSError, ValueError, RuntimeError) as error:
            raise ValueError(f"could not write video {self.path}: {error}") from None
        finally:
            self._file = self._ffmpeg = None

    def abort(self) -> None:
        """Close without complaint and delete the partial file."""
        try:
            self.close()
        except ValueError:
            pass
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None or issubclass(kind, KeyboardInterrupt):
            try:
                self.close()  # Ctrl-C keeps a playable video of what was recorded
            except ValueError:
                self.path.unlink(missing_ok=True)  # no broken file left behind
                raise
        else:
            self.abort()


def _check_mp4_complete(path: Path) -> None:
    """An MP4/MOV ends complete only with its index (the ``moov`` box), written last:
    ffmpeg only prints a warning when it cannot write it (a full disk), so look for it
    among the top-level boxes (a few reads, not a decode). Other formats pass."""
    if path.suffix.lower() not in (".mp4", ".mov"):
        return
    with open(path, "rb") as file:
        while header := file.read(8):
            if len(header) < 8:
                break
            size, kind = int.from_bytes(header[:4], "big"), header[4:]
            if kind == b"moov":
                return
            if size == 1:  # a 64-bit size follows
                size = int.from_bytes(file.read(8), "big") - 8
            if size < 8:
                break
            file.seek(size - 8, 1)
    raise ValueError("the file is incomplete (no index written: is the disk full?)")


def save_video(path: str | Path, frames, fps: float) -> Path:
    """Write ``frames`` (an iterable of (H, W, 3) uint8 arrays) to ``path``.

    Raises ``ValueError`` when there are no frames or the file cannot be written.
    """
    with VideoWriter(path, fps) as writer:
        for frame in frames:
            writer.append(frame)
        if writer.frames_in == 0:
            raise ValueError(f"no frames to write to {path}")
    return Path(path)


def resize_frame(frame: np.ndarray, width: int) -> np.ndarray:
    """``frame`` (H, W, 3) uint8 scaled smoothly to ``width`` pixels, aspect kept."""
    pygame = require("pygame")
    height, old_width = frame.shape[:2]
    if width == old_width:
        return frame
    size = (int(width), max(1, round(height * width / old_width)))
    return surface_to_frame(pygame.transform.smoothscale(frame_to_surface(frame), size))
