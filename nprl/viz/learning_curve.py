"""Curves of one run or many, from their ``metrics.csv``: the data behind every plot.

Runs that differ only by their seed (same environment, same config otherwise) form one
group (:func:`group_runs`), drawn as the mean over seeds with a band from the lowest to
the highest seed (:func:`spread`), so a single lucky seed cannot pass for a method. Each
run's episode metrics are smoothed with a moving average over episodes
(:func:`moving_average`), then put on a common grid of steps by linear interpolation.

The figures are drawn by :mod:`nprl.viz.dashboard`: every metric, or only the learning
curves (:data:`~nprl.viz.dashboard.LEARNING_CURVES`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nprl.rl.run_dir import RunDir


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
