"""``sweep()``: run every trial of a sweep on Ray Tune, then summarise.

The driver (this module) decides *what* runs: it expands the definition into trials,
skips those whose run directory already finished (and, on resume, those ASHA stopped),
and hands the rest to Ray Tune as one grid of jobs. Tune decides *where and when*: each
trial gets ``cpus_per_trial`` CPUs (its BLAS threads are set to the same number, so
trials never oversubscribe the cores), at most ``max_concurrent`` run at once, a trial
whose worker dies is started again (``FailureConfig``) and resumes from its own newest
nprl checkpoint (see :mod:`nprl.scale.trial`). nprl keeps no state of its own in Ray:
the run directories and ``status.json`` are all a resume needs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nprl.errors import UserError
from nprl.scale.spec import SweepSpec, Trial, parse_grid, parse_sample
from nprl.scale.summary import markdown, plot, summarize, write_csv
from nprl.scale.sweep_dir import (
    FAILED,
    FINISHED,
    PENDING,
    RUNNING,
    STOPPED,
    UNFINISHED,
    SweepDir,
    trial_progress,
)

MAX_FAILURES = 3  # restarts of a trial whose worker died, before it counts as failed


def sweep(
    env: str | None = None,
    preset: str | None = None,
    steps: int | None = None,
    seeds: Iterable[int] = (1,),
    grid: Mapping[str, Iterable[Any]] | Iterable[str] | None = None,
    sample: Mapping[str, str] | Iterable[str] | None = None,
    samples: int = 1,
    out: str | Path | None = None,
    cpus_per_trial: int = 1,
    max_concurrent: int | None = None,
    address: str | None = None,
    scheduler: str | None = None,
    metric: str = "eval_mean",
    target: float | None = None,
    settings: Iterable[str] = (),
    resume: str | Path | None = None,
    num_cpus: int | None = None,
    sample_seed: int = 0,
    live: bool = True,
) -> list[dict[str, Any]]:
    """Train every configuration on every seed, in parallel on Ray; return the summary.

    Parameters
    ----------
    env, preset, steps, settings
        As ``nprl train``'s ``--env``, ``--preset``, ``--steps`` and ``--set`` (shared by
        every configuration).
    seeds : the seeds every configuration is trained on.
    grid : ``{"learning_rate": [1e-3, 3e-4]}`` or ``["learning_rate=1e-3,3e-4"]``: every
        combination is a configuration.
    sample, samples : ``{"learning_rate": "loguniform:1e-4:1e-2"}`` (or
        ``["learning_rate=loguniform:1e-4:1e-2"]``; kinds uniform, loguniform, randint)
        drawn ``samples`` times, each draw crossed with the grid; ``sample_seed`` seeds
        the draws.
    out : the sweep directory to create (default ``sweeps/ENV-TIME``).
    cpus_per_trial : CPUs (and BLAS threads) of each trial.
    max_concurrent : at most this many trials at once (default: as many as fit).
    address : a running Ray cluster to join (default ``RAY_ADDRESS``, else a local Ray
        with ``num_cpus`` CPUs, all of the machine's by default).
    scheduler, metric : ``"asha"`` stops poor trials early on ``metric`` (``eval_mean``
        or ``eval_success``), judged at the greedy evaluations.
    target : evaluation return whose first step is reported per configuration.
    resume : an interrupted sweep directory to continue (its definition is reused; the
        definition arguments above are then ignored).
    live : show the live table on stderr.

    Returns
    -------
    list of dict
        One row per configuration, as in ``summary.csv``.
    """
    _check_ray(address)  # before anything is written: no Ray, a dead address: one line
    if resume is not None:
        folder = SweepDir(resume)
        try:
            spec = folder.read_spec()
            trials = spec.trials()
        except ValueError as error:
            raise UserError(str(error)) from None
    else:
        try:
            spec = SweepSpec(env=env, preset=preset, steps=steps, seeds=list(seeds),
                             grid=_grid(grid), sample=_sample(sample), samples=samples,
                             sample_seed=sample_seed, settings=list(settings),
                             cpus_per_trial=cpus_per_trial, target=target,
                             scheduler=scheduler, metric=metric)
            trials = spec.trials()
            _check_scheduler(spec, trials)
            folder = SweepDir(out or _default_out(trials[0].env_id))
            folder.create(spec)
        except ValueError as error:
            raise UserError(str(error)) from None
    folder = SweepDir(folder.path.resolve())
    status = folder.read_status(trials)
    todo = _trials_to_run(folder, trials, status)
    folder.write_status(status)
    interrupted = False
    if todo:
        interrupted = _run_on_ray(folder, spec, todo, status, address, num_cpus,
                                  max_concurrent, live)
    else:
        print(f"every trial of {folder.path} has already ended; nothing to run",
              file=sys.stderr)
    configs = write_summary(folder, spec, trials, status)
    if interrupted:
        print(f"sweep interrupted; continue it with: nprl sweep --resume {folder.path}",
              file=sys.stderr)
        raise KeyboardInterrupt
    return configs


def write_summary(folder: SweepDir, spec: SweepSpec, trials: list[Trial],
                  status: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Write ``summary.csv``, ``summary.md`` and ``sweep.png``; print the table."""
    run_dirs = {trial.name: folder.run_dir(trial) for trial in trials}
    configs, rows = summarize(trials, status, run_dirs, spec.target)
    write_csv(folder.summary_csv, configs)
    commands = {}
    for trial in trials:
        commands.setdefault(trial.config_id, spec.train_command(trial.changes, trial.seed))
    heading = f"Sweep of {trials[0].env_id}: {len(configs)} configuration(s) x " \
              f"{len(spec.seeds)} seed(s)"
    text = markdown(configs, rows, heading, commands, spec.target)
    folder.summary_md.write_text(text)
    try:
        plot([run.path for run in run_dirs.values()], folder.plot_path, heading)
    except UserError as error:  # matplotlib missing: the tables are still there
        print(f"(no sweep.png: {error})", file=sys.stderr)
    print(text.split("\n## Trials")[0].rstrip())
    # the result line every nprl command prints: "wrote <what>: <path> (<detail>)"
    print(f"\nwrote sweep summary: {folder.summary_md} (also {folder.summary_csv.name} "
          f"and {folder.plot_path.name})")
    return configs


def _trials_to_run(folder: SweepDir, trials: list[Trial],
                   status: dict[str, dict[str, Any]]) -> list[Trial]:
    """Trials still to run; ``status`` is brought up to date from the run directories."""
    todo = []
    for trial in trials:
        entry = status[trial.name]
        progress = trial_progress(folder.run_dir(trial), trial.config.total_steps)
        if progress == FINISHED:
            entry["status"] = FINISHED
        elif entry["status"] == STOPPED:
            continue  # ASHA judged it; a resumed sweep does not overrule that
        else:
            entry["status"] = UNFINISHED if progress == UNFINISHED else PENDING
            entry["error"] = ""
            todo.append(trial)
    return todo


def _run_on_ray(folder: SweepDir, spec: SweepSpec, todo: list[Trial],
                status: dict[str, dict[str, Any]], address: str | None,
                num_cpus: int | None, max_concurrent: int | None, live: bool) -> bool:
    """Run ``todo`` on Ray Tune; True when the sweep was interrupted before they ended."""
    from nprl.scale.ray_session import cluster_cpus, ray_session

    with ray_session(address, num_cpus) as where:
        from ray import tune
        from ray.tune.schedulers import ASHAScheduler

        from nprl.scale.live import LiveTable
        from nprl.scale.trial import run_trial

        cpus = cluster_cpus()
        if cpus < spec.cpus_per_trial:
            raise UserError(f"--cpus-per-trial {spec.cpus_per_trial} is more than the "
                            f"{cpus} CPUs of {where}")
        jobs = [trial_job(folder, trial, spec.metric) for trial in todo]
        totals = {trial.name: trial.config.total_steps for trial in todo}
        table = LiveTable(status, totals, folder.write_status,
                          early_stopping=spec.scheduler is not None,
                          stream=sys.stderr if live else _Silent())
        concurrent = min(max_concurrent or len(todo), cpus // spec.cpus_per_trial, len(todo))
        print(f"sweep: {len(todo)} trials on {where}, {spec.cpus_per_trial} CPU(s) each, "
              f"{concurrent} at a time -> {folder.path}", file=sys.stderr)
        scheduler = None
        if spec.scheduler == "asha":  # rungs at 1/4 and 1/2 of the steps: RL starts noisy
            longest = max(totals.values())
            every = max(trial.config.eval_interval for trial in todo)
            scheduler = ASHAScheduler(time_attr="step", metric=spec.metric, mode="max",
                                      max_t=longest, grace_period=max(every, longest // 4),
                                      reduction_factor=2)
        tuner = tune.Tuner(
            tune.with_resources(run_trial, {"cpu": spec.cpus_per_trial}),
            param_space={"job": tune.grid_search(jobs)},
            tune_config=tune.TuneConfig(
                scheduler=scheduler, max_concurrent_trials=concurrent,
                reuse_actors=True,  # a worker runs trial after trial: no Python start each
                trial_name_creator=_trial_name, trial_dirname_creator=_trial_name),
            run_config=tune.RunConfig(
                name=f"tune-{time.strftime('%Y%m%d-%H%M%S')}",
                storage_path=str(folder.ray_path), verbose=0, callbacks=[table],
                failure_config=tune.FailureConfig(max_failures=MAX_FAILURES)),
        )
        tune_logger = logging.getLogger("ray.tune")
        level = tune_logger.level
        tune_logger.setLevel(logging.CRITICAL)  # failed trials: one line each, in status
        try:
            tuner.fit()
        except KeyboardInterrupt:  # Tune handles the first Ctrl-C; a second lands here
            pass
        finally:
            tune_logger.setLevel(level)
            unfinished = [name for name in totals
                          if status[name]["status"] in (RUNNING, PENDING, UNFINISHED)]
            for name in unfinished:
                status[name]["status"] = UNFINISHED
            folder.write_status(status)
        for name in totals:
            if status[name]["status"] == FAILED:
                print(f"trial {name} failed: {status[name]['error']}", file=sys.stderr)
        return bool(unfinished)


def _check_ray(address: str | None) -> None:
    from nprl.scale.ray_session import check_address, import_ray

    ray = import_ray()
    address = address or os.environ.get("RAY_ADDRESS")
    if address and not ray.is_initialized():
        check_address(address)


def trial_job(folder: SweepDir, trial: Trial, metric: str) -> dict[str, Any]:
    """What a Ray worker gets for one trial (plain JSON-able values)."""
    return {"name": trial.name, "env_id": trial.env_id, "config": trial.config.to_dict(),
            "run_dir": str(folder.run_dir(trial).path), "metric": metric}


def _trial_name(trial) -> str:
    return trial.config["job"]["name"]


def _check_scheduler(spec: SweepSpec, trials: list[Trial]) -> None:
    if spec.scheduler and any(trial.config.eval_interval <= 0 for trial in trials):
        raise ValueError("--scheduler asha judges trials by their greedy evaluations; set "
                         "eval_interval (e.g. --set eval_interval=5000)")


def _grid(grid) -> list[tuple[str, list[str]]]:
    if grid is None:
        return []
    if isinstance(grid, Mapping):
        return [(str(name), [_text(value) for value in values])
                for name, values in grid.items()]
    return [parse_grid(text) for text in grid]


def _sample(sample):
    if sample is None:
        return []
    if isinstance(sample, Mapping):
        return [parse_sample(f"{name}={text}") for name, text in sample.items()]
    return [parse_sample(text) for text in sample]


def _text(value: Any) -> str:
    """A Python value as ``--set`` text (JSON, so lists and booleans read back)."""
    return value if isinstance(value, str) else json.dumps(value)


def _default_out(env_id: str) -> Path:
    return Path("sweeps") / f"{env_id.replace('/', '_')}-{time.strftime('%Y%m%d-%H%M%S')}"


class _Silent:
    """A stream that drops what the live table writes (``live=False``)."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
