"""A tiny dependency-free text progress bar, printed to stderr.

Used by ``Sequential.fit`` and by the training loops.  It redraws at most every
``min_interval`` seconds so that a fast loop does not spend its time printing::

    bar = ProgressBar(total=1000, desc="epoch 1")
    for step in range(1000):
        ...
        bar.update(1, loss=0.25)
    bar.close()

or as a context manager (``with ProgressBar(...) as bar:``).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _format_seconds(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def _format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class ProgressBar:
    """A text progress bar: ``desc  42%|########      | 420/1000 [00:03<00:04, 140 it/s] k=v``.

    Parameters
    ----------
    total : int or None
        Number of steps expected; None shows a counter without a bar.
    desc : str
        Label printed before the bar.
    file : text stream
        Where to draw (default ``sys.stderr``).
    min_interval : float
        Minimum seconds between redraws.
    disable : bool
        If True, draw nothing (for quiet runs and tests).
    width : int
        Number of characters of the bar itself.
    unit : str
        What the rate counts (``"it"``: ``140 it/s``; ``"frames"`` for pixel games).
    unit_scale : int
        Units per step (an Atari agent step is 4 frames): the rate shown is
        ``unit_scale`` x steps per second; the counts stay in steps.
    """

    def __init__(
        self,
        total: int | None = None,
        desc: str = "",
        file: TextIO | None = None,
        min_interval: float = 0.2,
        disable: bool = False,
        width: int = 24,
        unit: str = "it",
        unit_scale: int = 1,
    ) -> None:
        self.unit = unit
        self.unit_scale = unit_scale
        self.total = total
        self.desc = desc
        self.file = file if file is not None else sys.stderr
        self.min_interval = min_interval
        self.disable = disable
        self.width = width
        self.n = 0
        self.postfix: dict = {}
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_len = 0
        self._closed = False

    def update(self, n: int = 1, **postfix) -> None:
        """Advance by ``n`` steps; keyword arguments are shown after the bar (``loss=0.1``)."""
        self.n += n
        if postfix:
            self.postfix.update(postfix)
        if self.disable:
            return
        now = time.perf_counter()
        if now - self._last_draw >= self.min_interval or (self.total and self.n >= self.total):
            self._last_draw = now
            self._draw(now)

    def set_postfix(self, **postfix) -> None:
        """Change the values shown after the bar without advancing it."""
        self.postfix.update(postfix)

    def render(self, now: float | None = None) -> str:
        """The bar as a string (what ``update`` draws)."""
        now = time.perf_counter() if now is None else now
        elapsed = now - self.start
        rate = self.n / elapsed if elapsed > 0 else 0.0
        shown = f"{rate * self.unit_scale:.1f} {self.unit}/s"
        parts = [self.desc] if self.desc else []
        if self.total:
            fraction = min(self.n / self.total, 1.0)
            filled = int(round(fraction * self.width))
            bar = "#" * filled + " " * (self.width - filled)
            remaining = (self.total - self.n) / rate if rate > 0 else 0.0
            parts.append(
                f"{fraction:4.0%}|{bar}| {self.n}/{self.total} "
                f"[{_format_seconds(elapsed)}<{_format_seconds(remaining)}, {shown}]"
            )
        else:
            parts.append(f"{self.n} [{_format_seconds(elapsed)}, {shown}]")
        if self.postfix:
            parts.append(" ".join(f"{k}={_format_value(v)}" for k, v in self.postfix.items()))
        return " ".join(parts)

    def _draw(self, now: float) -> None:
        line = self.render(now)
        padding = " " * max(self._last_len - len(line), 0)
        self._last_len = len(line)
        self.file.write("\r" + line + padding)
        self.file.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self._closed:
            return
        self._closed = True
        if not self.disable:
            self._draw(time.perf_counter())
            self.file.write("\n")
            self.file.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
