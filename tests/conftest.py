"""Fixtures for every test folder: what a picture shows, and PyTorch's stored values.

A picture test should check what a person would see (the panels' titles, that a curve is
drawn with the run's data, the size), not a byte count. ``saved_figures`` catches every
matplotlib figure as it is saved, through matplotlib's own ``Figure.savefig``, so the
tests do not depend on how nprl's plotting functions are arranged inside.

``torch_reference`` holds what PyTorch computed for the engine's checks, stored in
``tests/reference`` so that CI, which has no torch, still compares against it.
"""

from __future__ import annotations

import csv
import json
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
        """The one visible panel whose title starts with ``title_start``."""
        [axis] = [axis for axis in self.figure.axes
                  if axis.get_visible() and axis.get_title().startswith(title_start)]
        return axis

    def panel_axes(self, title: str):
        """The visible panel titled exactly ``title``."""
        [axis] = [axis for axis in self.figure.axes
                  if axis.get_visible() and axis.get_title() == title]
        return axis

    def curves(self, title_start: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(x, y)`` data of the lines (two points or more) drawn in that panel."""
        return [(np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float))
                for line in self.panel(title_start).get_lines() if len(line.get_xdata()) > 1]

    def panels_drawing(self, steps: np.ndarray, values: np.ndarray) -> list[str]:
        """Titles of the panels with a line through ``(steps, values)`` from the first step
        to the last (several seeds drawn together share a grid of steps in between)."""
        return [title for title in self.panel_titles() for x, y in self.curves(title)
                if x[0] == steps[0] and x[-1] == steps[-1]
                and np.allclose(y, np.interp(x, steps, values))]

    def pixels(self) -> tuple[int, int]:
        """(height, width) of the written PNG, read back from the file."""
        from matplotlib.image import imread

        return imread(self.path).shape[:2]


def episode_curve(run_dir: Path, column: str = "return", window: int = 20):
    """``(steps, values)`` of a run's episodes as ``metrics.csv`` logged them, each value
    the mean of the last ``window`` episodes (a trailing moving average)."""
    with open(Path(run_dir) / "metrics.csv", newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["kind"] == "episode"]
    steps = np.array([float(row["step"]) for row in rows])
    values = np.array([float(row[column]) for row in rows])
    return steps, np.array([values[max(0, i + 1 - window):i + 1].mean()
                            for i in range(len(values))])


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


@pytest.fixture(scope="session")
def smoothed_episodes():
    """:func:`episode_curve`, for tests."""
    return episode_curve


REFERENCE = Path(__file__).resolve().parent / "reference"


@dataclass
class TorchReference:
    """PyTorch's values for the engine's checks, stored once by
    ``tests/reference/make_torch_references.py`` (CI has no torch)."""

    arrays: dict[str, np.ndarray]  # "conv_k3_s2_p1.grad_x", "optimizer.Adam", ...
    settings: dict  # the cases' settings and the torch version that computed them


@pytest.fixture(scope="session")
def torch_reference() -> TorchReference:
    """The stored PyTorch reference values (read without pickle)."""
    with np.load(REFERENCE / "torch_references.npz", allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    settings = json.loads((REFERENCE / "torch_references.json").read_text())
    return TorchReference(arrays, settings)
