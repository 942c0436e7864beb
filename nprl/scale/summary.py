"""The sweep's results: ``summary.csv``, ``summary.md`` and ``sweep.png``.

Everything is read back from the trials' run directories (``metrics.csv``), so a summary
can be redrawn at any time, also of a sweep that is still running or was interrupted.
Per trial: the final greedy evaluation (the last ``eval`` row), the best one, the first
step whose evaluation reached ``--target``, and the training wall time (the ``time``
column: seconds of training, evaluations included, summed across resumes).

Per configuration (one row): mean, std (over seeds, ddof=1), min and max of the final and
the best evaluation over its *finished* seeds; trials that ASHA stopped early or that
failed are counted apart and never mixed into those statistics (a configuration with no
finished seed shows the numbers of its stopped ones, and its status says so). The
curves are those of ``nprl plot --curves``: runs that differ only by seed are grouped, so
``sweep.png`` has one curve per configuration with a min..max band over seeds.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nprl.rl.run_dir import RunDir
from nprl.scale.sweep_dir import trial_step

STAT_NAMES = ("mean", "std", "min", "max")


@dataclass
class TrialResult:
    """What one trial's ``metrics.csv`` says."""

    steps: int  # last step in metrics.csv or of the newest checkpoint
    final_eval: float | None  # mean return of the last greedy evaluation
    best_eval: float | None  # best mean return of all its evaluations
    final_success: float | None  # success rate of the last evaluation (envs with is_success)
    target_step: int | None  # first evaluation step whose mean reached the target
    wall: float | None  # seconds of training (the last "time" value)


def read_trial(run: RunDir, target: float | None = None) -> TrialResult:
    """Read a trial's results from its ``metrics.csv`` (an empty result if it has none)."""
    try:
        rows = run.read_metrics()
    except ValueError:
        rows = []
    evals = [(int(row["step"]), float(row["eval_mean"]), row["eval_success"])
             for row in rows if row["kind"] == "eval" and row["eval_mean"] != ""]
    times = [float(row["time"]) for row in rows if row["time"] != ""]
    steps = max([int(row["step"]) for row in rows] + [trial_step(run) or 0])
    reached = None
    if target is not None:
        reached = next((step for step, mean, _ in evals if mean >= target), None)
    last = evals[-1] if evals else None
    return TrialResult(
        steps=steps,
        final_eval=last[1] if last else None,
        best_eval=max(mean for _, mean, _ in evals) if evals else None,
        final_success=float(last[2]) if last and last[2] != "" else None,
        target_step=reached,
        wall=times[-1] if times else None,
    )


def stats(values: list[float]) -> dict[str, float]:
    """Mean, std (ddof=1; 0 for one value), min and max; NaN for none."""
    if not values:
        return dict.fromkeys(STAT_NAMES, math.nan)
    array = np.asarray(values, dtype=float)
    return {"mean": float(array.mean()),
            "std": float(array.std(ddof=1)) if len(array) > 1 else 0.0,
            "min": float(array.min()), "max": float(array.max())}


def summarize(trials: list, status: dict[str, dict[str, Any]], run_dirs: dict[str, RunDir],
              target: float | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the summary: ``(configurations, trials)``.

    ``trials`` are :class:`nprl.scale.spec.Trial`, ``status`` their entries in
    ``status.json``, ``run_dirs`` their run directories by name.
    """
    trial_rows = []
    for trial in trials:
        result = read_trial(run_dirs[trial.name], target)
        trial_rows.append({"trial": trial.name, "config": trial.config_id, "seed": trial.seed,
                           "status": status[trial.name]["status"],
                           "restarts": status[trial.name]["restarts"],
                           "error": status[trial.name]["error"], "steps": result.steps,
                           "total_steps": trial.config.total_steps, "result": result,
                           "changes": trial.changes})
    configs = []
    for config_id in dict.fromkeys(row["config"] for row in trial_rows):
        rows = [row for row in trial_rows if row["config"] == config_id]
        finished = [row for row in rows if row["status"] == "finished"]
        stopped = [row for row in rows if row["status"] == "stopped"]
        failed = [row for row in rows if row["status"] == "failed"]
        counted = finished or stopped
        results = [row["result"] for row in counted]
        entry: dict[str, Any] = {
            "config": config_id, "changes": " ".join(rows[0]["changes"]) or "(preset)",
            "seeds": len(rows), "finished": len(finished), "stopped": len(stopped),
            "failed": len(failed), "counted": "finished" if finished else
            ("stopped" if stopped else "none"),
        }
        for name, values in (("final", [r.final_eval for r in results]),
                             ("best", [r.best_eval for r in results])):
            for stat, value in stats([v for v in values if v is not None]).items():
                entry[f"{name}_{stat}"] = value
        if target is not None:
            hits = [r.target_step for r in results if r.target_step is not None]
            entry["target_reached"] = len(hits)
            entry["steps_to_target_mean"] = float(np.mean(hits)) if hits else math.nan
        walls = [r.wall for r in results if r.wall is not None]
        entry["wall_s_mean"] = float(np.mean(walls)) if walls else math.nan
        configs.append(entry)
    return configs, trial_rows


def write_csv(path: Path, configs: list[dict[str, Any]]) -> None:
    """``summary.csv``: one row per configuration."""
    if not configs:
        return
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, list(configs[0]))
        writer.writeheader()
        for entry in configs:
            writer.writerow({key: _cell(value) for key, value in entry.items()})


def markdown(configs: list[dict[str, Any]], trial_rows: list[dict[str, Any]],
             heading: str, commands: dict[str, str], target: float | None) -> str:
    """``summary.md``: the configurations' table, then every trial."""
    has_target = target is not None
    lines = [f"# {heading}", "",
             "Greedy evaluation returns over seeds (mean ± std, [min, max]); statistics over "
             "the finished seeds only (stopped: ASHA ended the trial early).", ""]
    header = ["config", "changes", "seeds", "status", "final eval", "best eval"]
    if has_target:
        header.append(f"steps to {target:g}")
    header.append("wall (s)")
    lines += ["| " + " | ".join(header) + " |",
              "| " + " | ".join(["---"] * 3 + ["---"] + ["---:"] * (len(header) - 4)) + " |"]
    for entry in configs:
        cells = [entry["config"], entry["changes"], str(entry["seeds"]), _status(entry),
                 _spread(entry, "final"), _spread(entry, "best")]
        if has_target:
            reached = entry["target_reached"]
            mean = entry["steps_to_target_mean"]
            counted = entry["finished"] or entry["stopped"]
            cells.append(f"{reached}/{counted}" + (f", mean {mean:.0f}" if reached else ""))
        cells.append(_fixed(entry["wall_s_mean"], 0))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Trials", "",
              "| trial | seed | status | steps | final eval | best eval | wall (s) |",
              "| --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    for row in trial_rows:
        result = row["result"]
        status = row["status"] + (f" ({row['restarts']} restarts)" if row["restarts"] else "")
        if row["error"]:
            status += f": {row['error']}"
        lines.append(f"| {row['trial']} | {row['seed']} | {status} | {row['steps']} | "
                     f"{_fixed(result.final_eval, 1)} | {_fixed(result.best_eval, 1)} | "
                     f"{_fixed(result.wall, 0)} |")
    lines += ["", "## The same run with nprl train", ""]
    lines += [f"- {config_id}: `{command}`" for config_id, command in commands.items()]
    return "\n".join(lines) + "\n"


def plot(run_dirs: list[Path], out: Path, title: str) -> Path | None:
    """``sweep.png``: the learning curves of ``nprl plot --curves``; None when no run has
    rows yet."""
    from nprl.viz.dashboard import LEARNING_CURVES, plot_dashboard

    drawable = [path for path in run_dirs if read_trial(RunDir(path)).steps > 0]
    if not drawable:
        return None
    return plot_dashboard(drawable, out, title=title, metrics=LEARNING_CURVES)


def _status(entry: dict[str, Any]) -> str:
    parts = [f"{entry[name]} {name}" for name in ("finished", "stopped", "failed")
             if entry[name]]
    pending = entry["seeds"] - entry["finished"] - entry["stopped"] - entry["failed"]
    if pending:
        parts.append(f"{pending} not done")
    return ", ".join(parts)


def _spread(entry: dict[str, Any], name: str) -> str:
    mean = entry[f"{name}_mean"]
    if math.isnan(mean):
        return "-"
    text = (f"{mean:.1f} ± {entry[f'{name}_std']:.1f} "
            f"[{entry[f'{name}_min']:.1f}, {entry[f'{name}_max']:.1f}]")
    return text + (" (stopped)" if entry["counted"] == "stopped" else "")


def _fixed(value: float | None, digits: int) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _cell(value: Any) -> Any:
    return "" if isinstance(value, float) and math.isnan(value) else value
