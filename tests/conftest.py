"""For every test folder: ``saved_figures`` / ``figures_saved``, what a picture shows.

A picture test should check what a person would see (the panels' titles, that a curve is
drawn with the run's data, the size), not a byte count. ``saved_figures`` catches every
matplotlib figure as it is saved, through matplotlib's own ``Figure.savefig``, so the
tests do not depend on how nprl's plotting functions are arranged inside.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest


@dataclass
class SavedFigure:
    """A matplotlib figure as it was saved, and where to."""

    figure: object  # matplotlib.figure.Figure
    path: Path | None  # None when saved to a buffer (e.g. into an HTML report)

    @property
    def title(self) -> str:
        """The figure's own title (``suptitle``), '' when it has none."""
        return self.figure.get_suptitle()

    def panel_titles(self) -> list[str]:
        """Titles of the visible panels (colour bars, untitled, are left out)."""
        return [axis.get_title() for axis in self.figure.axes
                if axis.get_visible() and axis.get_title()]

    def panel(self, title_start: str):
        """The visible panel whose title starts with ``title_start``."""
        [axis] = [axis for axis in self.figure.axes
                  if axis.get_visible() and axis.get_title().startswith(title_start)]
        return axis

    def curves(self, title_start: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(x, y)`` data of the lines (two points or more) drawn in that panel."""
        return [(np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float))
                for line in self.panel(title_start).get_lines() if len(line.get_xdata()) > 1]

    def pixels(self) -> tuple[int, int]:
        """(height, width) of the written PNG, read back from the file."""
        from matplotlib.image import imread

        return imread(self.path).shape[:2]


@contextmanager
def figures_saved() -> Iterator[list[SavedFigure]]:
    """Within the block, every matplotlib figure saved is appended to the yielded list."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    saved: list[SavedFigure] = []
    savefig = Figure.savefig

    def keep(figure, fname, *args, **kwargs):
        savefig(figure, fname, *args, **kwargs)
        path = Path(fname) if isinstance(fname, (str, Path)) else None
        saved.append(SavedFigure(figure, path))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Figure, "savefig", keep)
        yield saved


@pytest.fixture
def saved_figures() -> Iterator[list[SavedFigure]]:
    """Every matplotlib figure saved during the test, in order (skips without matplotlib)."""
    with figures_saved() as saved:
        yield saved


@pytest.fixture(scope="session")
def catch_figures():
    """:func:`figures_saved`, for fixtures of a wider scope (a module's training run)."""
    return figures_saved
