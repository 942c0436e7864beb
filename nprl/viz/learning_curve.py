"""Learning curves: episode return against environment steps, for one run or many.

Runs that differ only by their seed (same environment, same config otherwise) form one
group, drawn as the mean over seeds with a band from the lowest to the highest seed, so
a single lucky seed cannot pass for a method. Each run's returns are smoothed with a
moving average over episodes, then put on a common grid of steps by linear
interpolation. When the runs hold greedy evaluations (``eval`` rows), a second panel
shows those the same way; runs with reward shaping get a panel of the shaped return
next to the task's own (``return``, always unshaped). matplotlib is imported lazily (``nprl[viz]``).

The helpers here (:func:`series`, :func:`moving_average`, :func:`spread`, :func:`group_runs`)
are shared with the full dashboard of every metric, :mod:`nprl.viz.dashboard`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nprl.errors import require
from nprl.rl.run_dir import RunDir
from nprl.viz import save_figure


def series(rows: list[dict[str, str]], kind: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, values)`` of ``column`` in the rows of one ``kind`` where it is filled."""
    # .get: runs written before a column existed simply have no such curve
    chosen = [row for row in rows if row["kind"] == kind and row.get(column, "") != ""]
    steps = np.array([int(row["step"]) for row in chosen], dtype=float)
    values = np.array([float(row[column]) for row in chosen], dtype=float)
    return steps, values


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average (the first points average what exists so far)."""
    if window <= 1 or len(values) == 0:
        return values
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    ends = np.arange(1, len(values) + 1)
    counts = np.minimum(ends, window)
    return (cumulative[ends] - cumulative[ends - counts]) / counts


def group_runs(run_dirs: list[str | Path]) -> dict[str, list[RunDir]]:
    """Group run directories whose env and config agree apart from the seed.

    Returns a dict label -> runs; the label is the run folder's name (the first one's for
    a group, followed by "(xN seeds)", or "(xN runs, seed S)" when they share one seed),
    preceded by the env id only when the runs are of several environments (else the
    figure's title names it once).
    """
    groups: dict[str, list[RunDir]] = {}
    keys: dict[str, str] = {}
    seeds: dict[str, list[int]] = {}
    envs = set()
    for path in run_dirs:
        run = RunDir(path)
        env_id, config = run.read_config()
        envs.add(env_id)
        settings = config.to_dict()
        seed = settings.pop("seed")
        key = repr((env_id, sorted(settings.items())))
        if key not in keys:
            keys[key] = f"{env_id}: {run.path.name}"
            groups[keys[key]] = []
            seeds[keys[key]] = []
        groups[keys[key]].append(run)
        seeds[keys[key]].append(seed)
    named = {}
    for label, runs in groups.items():
        if len(envs) == 1:  # one env: the title says it, the legend need not repeat it
            label_shown = label.partition(": ")[2]
        else:
            label_shown = label
        distinct = sorted(set(seeds[label]))
        if len(runs) > 1 and len(distinct) == len(runs):
            label_shown += f" (x{len(runs)} seeds)"
        elif len(runs) > 1:  # repeats of one seed are not a spread over seeds
            seeds_text = (f"all seed {distinct[0]}" if len(distinct) == 1
                          else f"seeds {', '.join(map(str, distinct))}")
            label_shown += f" (x{len(runs)} runs, {seeds_text})"
        named[label_shown] = runs
    return named


def runs_title(groups: dict[str, list[RunDir]]) -> str:
    """A figure's default title: the environment(s), the run(s) and how many steps the
    longest has, e.g. ``CartPole-v1 · cp1 · 50,000 steps``."""
    envs, names, steps = [], [], 0
    for runs in groups.values():
        for run in runs:
            env_id = run.read_config()[0]
            envs += [env_id] if env_id not in envs else []
            rows = run.read_metrics()
            steps = max([steps] + [int(float(row["step"])) for row in rows[-1:]
                                   if row.get("step")])
        names.append(runs[0].path.name + (f" +{len(runs) - 1}" if len(runs) > 1 else ""))
    shown = names if len(names) <= 3 else [*names[:3], f"{len(names) - 3} more"]
    return f"{', '.join(envs)} · {', '.join(shown)} · {steps:,} steps"


def read_rows(run: RunDir) -> list[dict[str, str]]:
    """The rows of a run's ``metrics.csv``; ``ValueError`` (one line, naming the file and
    what to do) when it is missing, not ours, or has no rows yet."""
    rows = run.read_metrics()
    if not rows:
        raise ValueError(f"{run.metrics_path} has no rows yet; let the run train longer "
                         f"(nprl resume {run.path} --steps N) before plotting it")
    return rows


def spread(curves: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, Any] | None:
    """Mean, min and max of several ``(steps, values)`` curves (one per seed) on a common
    grid of 200 steps over the range they all cover (a single curve keeps its own points);
    None when there is no curve."""
    curves = [(steps, values) for steps, values in curves if len(steps)]
    if not curves:
        return None
    if len(curves) == 1:  # one run: its own points, nothing to align
        steps, values = curves[0]
        return {"steps": steps, "mean": values, "low": values, "high": values}
    end = min(steps[-1] for steps, _ in curves)
    start = max(steps[0] for steps, _ in curves)
    grid = np.linspace(start, end, 200) if end > start else np.array([start])
    stacked = np.stack([np.interp(grid, steps, values) for steps, values in curves])
    return {"steps": grid, "mean": stacked.mean(axis=0), "low": stacked.min(axis=0),
            "high": stacked.max(axis=0)}


def _band(runs: list[RunDir], kind: str, column: str, smooth: int) -> dict[str, Any] | None:
    return spread([(steps, moving_average(values, smooth))
                   for steps, values in (series(run.read_metrics(), kind, column)
                                         for run in runs)])


def plot_learning_curves(
    run_dirs: list[str | Path], out: str | Path, smooth: int = 20, title: str | None = None
) -> Path:
    """Draw the learning curves of ``run_dirs`` into the PNG file ``out``; return its path.

    Parameters
    ----------
    run_dirs : list of run directories (as written by ``nprl train``)
    out : path of the PNG to write
    smooth : episodes in the moving average of training returns
    title : optional figure title
    """
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    pyplot = require("matplotlib.pyplot")
    groups = group_runs(run_dirs)
    # (kind, column, smoothing, title, y label); a panel is drawn when some run has data.
    candidates = [
        ("episode", "return", smooth, f"training episodes (moving average of {smooth})",
         "return"),
        ("episode", "shaped_return", smooth, "training episodes, shaped return the agent "
         f"learned from (moving average of {smooth})", "shaped return"),
        ("eval", "eval_mean", 1, "greedy evaluation (mean return)", "return"),
        ("episode", "success", smooth, f"training successes (moving average of {smooth})",
         "success rate"),
        ("eval", "eval_success", 1, "greedy evaluation (success rate)", "success rate"),
    ]
    panels = [panel for panel in candidates
              if any(_band(runs, panel[0], panel[1], 1) for runs in groups.values())]
    panels = panels or candidates[:1]
    rows = 1 if len(panels) <= 2 else 2
    cols = -(-len(panels) // rows)
    figure, grid = pyplot.subplots(rows, cols, figsize=(6.5 * cols, 4.2 * rows), squeeze=False)
    axes = list(grid.flat)
    for label, runs in groups.items():
        for axis, (kind, column, window, _, _) in zip(axes, panels):
            band = _band(runs, kind, column, window)
            if band is None:
                continue
            # Evaluations are a few points: mark each, so 3 of them are not read as a curve.
            marker = "o" if kind == "eval" and len(band["steps"]) <= 40 else None
            line, = axis.plot(band["steps"], band["mean"], label=label, marker=marker,
                              markersize=4)
            if len(runs) > 1:
                axis.fill_between(band["steps"], band["low"], band["high"],
                                  color=line.get_color(), alpha=0.2)
    for axis in axes[len(panels):]:  # e.g. 3 panels on a 2 x 2 grid
        axis.set_visible(False)
    for axis, (_, _, _, panel_title, ylabel) in zip(axes, panels):
        axis.set_title(panel_title)
        axis.set_xlabel("environment steps")
        axis.set_ylabel(ylabel)
        axis.grid(alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=8)
    return save_figure(figure, out, title or runs_title(groups), dpi=110)
