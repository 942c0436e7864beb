"""The dashboard: every logged metric of one or more runs in one PNG (``nprl plot``).

One small panel per metric group that some run has data for, in this order: episode
return, shaped episode return (runs with reward shaping), episode length, training
success rate, greedy evaluation return and success rate, TD loss, mean and max Q,
epsilon, learning rate, gradient norm, per-layer weight norms, steps per second, replay
size, and for prioritized replay the mean importance weight and priority. The metric names are those of :mod:`nprl.rl.metrics`.

Runs are grouped as in the learning curves (:func:`~nprl.viz.learning_curve.group_runs`):
runs that differ only by seed are one colour, drawn as the mean over seeds with a band
from the lowest to the highest seed. Episode metrics are smoothed by a moving average over
``smooth`` episodes; ``train`` rows are already interval means and are drawn as they are.
Older run directories simply lack the newer panels. matplotlib is imported lazily.

The learning curves (``nprl plot --curves``, and the ``learning_curve.png`` that ``nprl
train`` leaves in a run) are a selection of these panels: ``metrics=LEARNING_CURVES``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any, NamedTuple

from nprl.errors import require
from nprl.rl.metrics import WEIGHT_NORM_PREFIX, weight_norm_layers
from nprl.viz import save_figure
from nprl.viz.learning_curve import (
    group_runs,
    moving_average,
    read_rows,
    runs_title,
    series,
    spread,
)

STYLES = ("-", "--", ":", "-.")  # one per line of a panel (mean vs max Q, one per layer)
COLUMNS = 4  # panels per row
PANEL_SIZE = (4.4, 3.3)  # inches per panel, at 100 dpi
LARGE_PANEL_SIZE = (6.5, 4.2)  # when a figure has only one or two panels
RATE = (-0.03, 1.03)  # y range of success-rate panels, so 0% and 100% read at a glance
# The learning curves: the panels of the (task's and shaped) return, the success rate
# and the greedy evaluations.
LEARNING_CURVES = ("return", "shaped_return", "success", "eval_mean", "eval_success")


class Panel(NamedTuple):
    """One subplot: its title, y label, the (kind, column, name) lines it draws, and
    whether a log y axis suits it (used when the values span more than a factor 20), and
    fixed y limits for rates."""

    title: str
    ylabel: str
    lines: tuple[tuple[str, str, str], ...]
    log: bool = False
    ylim: tuple[float, float] | None = None
    skip_first: bool = False  # the first point is start-up (e.g. speed before warm-up)


def _panels(smooth: int, layers: list[str], names: dict[str, str] | None = None) -> list[Panel]:
    """Every panel the dashboard can show, in order (those without data are dropped);
    ``names`` tells weight-norm layers by what they are (``{"0": "Dense 4->128"}``)."""
    names = names or {}
    average = f"moving average of {smooth} episodes"
    return [
        Panel(f"episode return ({average})", "return", (("episode", "return", "return"),)),
        Panel(f"shaped episode return ({average})", "shaped return",
              (("episode", "shaped_return", "shaped return"),)),
        Panel(f"episode length ({average})", "steps", (("episode", "length", "length"),)),
        Panel(f"training success rate ({average})", "success rate",
              (("episode", "success", "success"),), ylim=RATE),
        Panel("greedy evaluation: mean return", "return", (("eval", "eval_mean", "mean"),)),
        Panel("greedy evaluation: success rate", "success rate",
              (("eval", "eval_success", "success"),), ylim=RATE),
        Panel("TD loss", "loss", (("train", "td_loss", "td_loss"),), log=True),
        Panel("Q(s, a) of replayed batches", "Q",
              (("train", "q_mean", "mean Q"), ("train", "q_max", "max |Q|"))),
        Panel("exploration epsilon", "epsilon", (("train", "epsilon", "epsilon"),)),
        Panel("learning rate", "lr", (("train", "lr", "lr"),)),
        Panel("gradient norm (before clipping)", "norm",
              (("train", "grad_norm", "grad_norm"),), log=True),
        Panel("weight norm per layer", "L2 norm",
              tuple(("train", WEIGHT_NORM_PREFIX + layer, names.get(layer, f"layer {layer}"))
                    for layer in layers)),
        Panel("steps per second (after the first interval)", "env steps / s",
              (("train", "sps", "sps"),), skip_first=True),
        Panel("replay buffer size", "transitions", (("train", "replay_size", "size"),)),
        Panel("PER: mean importance weight", "weight",
              (("train", "per_weight_mean", "weight"),)),
        Panel("PER: mean priority |TD error| + eps", "priority",
              (("train", "per_priority_mean", "priority"),)),
    ]


def plot_dashboard(run_dirs: list[str | Path], out: str | Path, smooth: int = 20,
                   title: str | None = None, metrics: Collection[str] | None = None) -> Path:
    """Draw the dashboard of ``run_dirs`` into the PNG file ``out``; return its path.

    Parameters
    ----------
    run_dirs : list of run directories (as written by ``nprl train``)
    out : path of the PNG to write (parent folders are created)
    smooth : episodes in the moving average of episode metrics (>= 1)
    title : optional figure title
    metrics : only the panels that draw one of these metric columns (e.g.
        :data:`LEARNING_CURVES`); None: every panel

    Raises
    ------
    ValueError
        One line naming the path when a folder is not a run directory, or its
        ``metrics.csv`` is missing, empty or has no rows yet.
    """
    if smooth < 1:
        raise ValueError(f"smooth must be at least 1, got {smooth}")
    if not run_dirs:
        raise ValueError("no run directory given")
    groups = group_runs(run_dirs)
    tables = {label: [read_rows(run) for run in runs] for label, runs in groups.items()}
    layers = _layers(tables)
    names = layer_labels(next(iter(groups.values()))[0])
    drawn = []  # (panel, [(group index, line index, band)])
    for panel in _panels(smooth, layers, names):
        if metrics is not None and not any(column in metrics for _, column, _ in panel.lines):
            continue
        bands = []
        for index, rows_of_runs in enumerate(tables.values()):
            for line, (kind, column, _) in enumerate(panel.lines):
                window = smooth if kind == "episode" else 1
                curves = [series(rows, kind, column) for rows in rows_of_runs]
                if panel.skip_first:
                    curves = [(s[1:], v[1:]) if len(s) > 2 else (s, v) for s, v in curves]
                band = spread([(steps, moving_average(values, window))
                               for steps, values in curves])
                if band is not None:
                    bands.append((index, line, band))
        if bands:
            drawn.append((panel, bands))

    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    pyplot = require("matplotlib.pyplot")
    from matplotlib.lines import Line2D

    cols = min(COLUMNS, max(len(drawn), 1))
    rows = max(-(-len(drawn) // cols), 1)
    # One or two panels (the learning curves of most runs) get room to be read alone.
    width, height = PANEL_SIZE if cols > 2 else LARGE_PANEL_SIZE
    figure, grid = pyplot.subplots(rows, cols, figsize=(width * cols, height * rows),
                                   squeeze=False)
    axes = list(grid.flat)
    colours = pyplot.rcParams["axes.prop_cycle"].by_key()["color"]
    seeds = [len(runs) for runs in groups.values()]
    for axis, (panel, bands) in zip(axes, drawn):
        _draw(axis, panel, bands, colours, seeds, Line2D)
    for axis in axes[len(drawn):]:
        axis.set_visible(False)
    # Colours are the runs (or groups of seeds): one legend for all panels, in the first.
    runs = [Line2D([], [], color=colours[i % len(colours)]) for i in range(len(groups))]
    axes[0].legend(runs, list(groups), fontsize=7, loc="best")
    return save_figure(figure, out, title or runs_title(groups), dpi=100)


def layer_labels(run) -> dict[str, str]:
    """What each parametrised layer of a run's Q-network is, by its weight-norm name:
    ``{"0": "Dense 4->128", ...}``, read from the newest checkpoint's network config
    (untrusted: only whole numbers and known type names are used). Empty when there is
    no checkpoint to read."""
    import json

    try:
        name = (run.checkpoints / "latest").read_text().strip()
        folder = run.checkpoints / name if name.startswith("step_") and "/" not in name \
            else run.checkpoints / "best"
        model = json.loads((folder / "agent" / "q_net" / "config.json").read_text())["model"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    labels = {}
    if not isinstance(model, dict) or model.get("type") != "Sequential":
        return labels
    for index, layer in enumerate(model.get("layers", [])):
        if not isinstance(layer, dict):
            continue
        kind = layer.get("type")
        sizes = [layer.get(key) for key in ("in_features", "out_features", "in_channels",
                                             "out_channels")]
        sizes = [size for size in sizes if isinstance(size, int)]
        if kind in ("Dense", "Conv2D") and len(sizes) == 2:
            labels[str(index)] = f"{kind} {sizes[0]}->{sizes[1]}"
    return labels


def _layers(tables: dict[str, list[list[dict[str, str]]]]) -> list[str]:
    """The weight-norm layers of all runs, in order of first appearance."""
    layers: list[str] = []
    for rows_of_runs in tables.values():
        for rows in rows_of_runs:
            layers += [layer for layer in weight_norm_layers(rows[0]) if layer not in layers]
    return layers


def _draw(axis, panel: Panel, bands: list[tuple[int, int, dict[str, Any]]],
          colours: list[str], seeds: list[int], line_type) -> None:
    """One panel: a line (mean) per group and line kind, a band (min..max) over seeds."""
    for index, line, band in bands:
        colour = colours[index % len(colours)]
        few = len(band["steps"]) == 1 or (panel.lines[line][0] == "eval"
                                          and len(band["steps"]) <= 40)
        marker = "o" if few else None  # evaluations: a few points, each one marked
        axis.plot(band["steps"], band["mean"], STYLES[line % len(STYLES)], color=colour,
                  marker=marker, markersize=3.5, linewidth=1.2)
        if seeds[index] > 1:
            axis.fill_between(band["steps"], band["low"], band["high"], color=colour,
                              alpha=0.2, linewidth=0)
    low = min(band["low"].min() for _, _, band in bands)
    high = max(band["high"].max() for _, _, band in bands)
    if panel.log and low > 0 and high > 20 * low:  # log only where it spans decades
        axis.set_yscale("log")
    if panel.ylim is not None:
        axis.set_ylim(*panel.ylim)
    elif high - low <= 1e-9 * max(abs(high), abs(low), 1e-30):  # constant, e.g. a fixed lr
        pad = abs(high) * 0.5 or 1.0
        axis.set_ylim(low - pad, high + pad)  # a flat line mid-panel, not 0.00096..0.00104
        axis.ticklabel_format(axis="y", useOffset=False)
    if len(panel.lines) > 1:  # line styles tell the lines apart (colours are the runs)
        shown = sorted({line for _, line, _ in bands})
        axis.legend([line_type([], [], linestyle=STYLES[line % len(STYLES)], color="0.3")
                     for line in shown], [panel.lines[line][2] for line in shown], fontsize=7)
    axis.set_title(panel.title, fontsize=9)
    axis.set_xlabel("environment steps", fontsize=8)
    axis.set_ylabel(panel.ylabel, fontsize=8)
    axis.tick_params(labelsize=7)
    axis.grid(alpha=0.3)
