"""A pygame window that shows rendered frames with the agent's Q-value bars.

Gymnasium's own environments draw their "human" window themselves, so nothing can be
added to it. ``nprl eval --render`` makes every environment with ``render_mode="rgb_array"``
instead and shows its frames here, at the environment's frame rate, with the bars of
:func:`~nprl.viz.q_overlay.paint_q_bars` on top. Closing the window, Escape or Q raise
:class:`WindowClosed`, which the caller turns into a clean stop; Ctrl-C propagates as
usual. pygame is imported when the window opens; with ``SDL_VIDEODRIVER=dummy`` it runs
without a display (the tests do that).
"""

from __future__ import annotations

import os
from typing import Self

import numpy as np

from nprl.envs.drawing import frame_to_surface
from nprl.errors import require
from nprl.stop_signals import signals_raise, stopped_by
from nprl.viz.q_overlay import paint_q_bars


class WindowClosed(Exception):
    """The window is gone: the user closed it (or pressed Escape / Q), or a signal
    (SIGTERM, SIGHUP) stopped the program. ``str(error)`` says which."""

    def __init__(self, reason: str = "window closed", signal_number: int | None = None) -> None:
        super().__init__(reason)
        self.signal_number = signal_number


class FrameWindow:
    """Show frames in a window at ``fps`` frames per second (0: as fast as they come).

    Use as a context manager, or call :meth:`close`. The window opens at the first frame,
    sized to it.
    """

    def __init__(self, title: str, fps: float) -> None:
        # SDL turns SIGINT / SIGTERM into a "window closed" event, so a Ctrl-C or a kill
        # would read as the user closing the window: leave the signals to Python instead.
        os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
        self.pygame = require("pygame")
        self._signals = None  # the signal handlers while used as a context manager
        self.title = title
        self.fps = fps
        self.window = None
        self.clock = None
        self.frames = 0  # frames shown so far

    def show(self, frame: np.ndarray, q: np.ndarray | None = None, chosen: int | None = None,
             names: list[str] | None = None) -> None:
        """Draw ``frame`` (H, W, 3) uint8, with Q-value bars when ``q`` is given, and wait
        for the next frame's time. Raises :class:`WindowClosed` when the user closed it."""
        pygame = self.pygame
        if self.window is None:
            pygame.display.init()  # not pygame.init(): no audio device needed
            self.window = pygame.display.set_mode((frame.shape[1], frame.shape[0]))
            pygame.display.set_caption(self.title)
            self.clock = pygame.time.Clock()
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (
                    event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q)):
                raise WindowClosed
        self.window.blit(frame_to_surface(frame), (0, 0))
        if q is not None:
            paint_q_bars(self.window, q, chosen, names)
        pygame.display.flip()
        self.frames += 1
        if self.fps:
            self.clock.tick(self.fps)

    def close(self) -> None:
        """Close the window (safe to call twice, or when it never opened)."""
        if self.window is not None:
            self.pygame.display.quit()
            self.window = None

    def __enter__(self) -> Self:
        """Also turn SIGTERM and SIGHUP into :class:`WindowClosed` naming the signal, so the
        caller can say what happened (Ctrl-C stays a KeyboardInterrupt)."""
        self._signals = signals_raise(
            lambda number: WindowClosed(stopped_by(number), number), ("SIGTERM", "SIGHUP"))
        self._signals.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._signals is not None:
            self._signals.__exit__(None, None, None)
            self._signals = None
        self.close()
