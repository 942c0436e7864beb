"""One trial, as a Ray Tune worker runs it: ``nprl train`` into its run directory.

:func:`run_trial` is the Tune trainable. It trains with :func:`nprl.rl.train.train` (so a
trial's ``metrics.csv`` is the one ``nprl train`` writes for the same env, config and
seed) and reports every greedy evaluation to Tune, which the live table shows and ASHA
judges. It is written to be started again at any moment:

- the run directory has a checkpoint that reached ``total_steps``: nothing to do, the
  final numbers are reported again (a resumed sweep, a trial Ray restarted at its end);
- it has an earlier checkpoint: :func:`nprl.rl.train.resume` goes on from it, which gives
  the same ``metrics.csv`` as an uninterrupted run. This is how a worker killed mid-run
  (``kill -9``, a lost node) is recovered: Ray's ``FailureConfig`` starts the trial again,
  here, and it resumes;
- it has none: whatever a killed worker left before its first checkpoint is removed and
  the trial starts from scratch (the same seed makes the same run again).

A bad config or a diverged run is reported as ``failed`` (a sentence, no retry: it would
fail again the same way). Ray is imported inside the function: this module imports
without it.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
from pathlib import Path
from typing import Any

from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.scale.summary import read_trial
from nprl.scale.sweep_dir import FINISHED, UNFINISHED, trial_progress, trial_step

# What an interrupted run can leave before its first checkpoint (all of it reproducible).
UNSAVED_ENTRIES = ("config.json", "metrics.csv", "tensorboard", "checkpoints")


def run_trial(tune_config: dict[str, Any]) -> None:
    """Train (or resume, or re-report) one trial and report to Ray Tune.

    ``tune_config["job"]`` is built by the driver (:func:`nprl.scale.runner.trial_job`):
    ``env_id``,
    ``config`` (a resolved :class:`DQNConfig` as a dict), ``run_dir`` (absolute path)
    and ``metric`` (the evaluation column that Tune's scheduler compares).
    """
    from ray import tune

    from nprl.rl.train import resume, train

    job = tune_config["job"]
    run = RunDir(job["run_dir"])
    config = DQNConfig.from_dict(job["config"])
    where = {"pid": os.getpid(), "host": socket.gethostname()}

    def report(step: int, **values: Any) -> None:
        """One result for Tune; the scheduler's metric only where there is a number."""
        metric = values.pop(job["metric"], None)
        if metric is not None and not math.isnan(metric):
            values[job["metric"]] = metric
        tune.report({"step": step, "finished": False, "failed": "", **where, **values})

    def report_eval(step: int, stats: dict[str, Any]) -> None:
        if step >= config.total_steps:  # the final report says it, once the run is saved
            return  # (ASHA stops every trial at max_t: here, before the final checkpoint)
        report(step, eval_mean=float(stats["mean"]),
               eval_success=_number(stats["success_rate"]))

    progress = trial_progress(run, config.total_steps)
    start = trial_step(run) if progress == UNFINISHED else 0
    report(start or 0, started_at=start or 0)  # the live table and status.json see it start
    try:
        if progress == UNFINISHED:
            resume(run.path, on_eval=report_eval)
        elif progress != FINISHED:
            _remove_unsaved(run.path)
            train(job["env_id"], config, run_dir=run.path, on_eval=report_eval)
    except ValueError as error:  # bad config, diverged: say so, do not retry
        report(read_trial(run).steps,
               failed=str(error).splitlines()[0] or type(error).__name__)
        return
    result = read_trial(run)
    report(result.steps, eval_mean=_number(result.final_eval),
           eval_success=_number(result.final_success), finished=True)


def _remove_unsaved(path: Path) -> None:
    """Remove what a run killed before its first checkpoint left (only nprl's own files)."""
    for name in UNSAVED_ENTRIES:
        entry = path / name
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.exists():
            entry.unlink()


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)
