"""The sweep directory: one ordinary run directory per trial, plus what ties them together.

Layout (``nprl sweep --out SWEEP_DIR``)::

    SWEEP_DIR/
        sweep.json           the sweep's definition (SweepSpec): resume regenerates the trials
        status.json          each trial's state: finished, stopped (ASHA), failed, restarts
        summary.csv          one row per configuration (mean/std/min/max over seeds)
        summary.md           the same as a table, with every trial and its train command
        sweep.png            one learning curve per configuration, min..max band over seeds
        c00-...-s1/          a run directory, exactly what ``nprl train --out`` makes
        c00-...-s2/
        .ray/                Ray Tune's own bookkeeping (nprl never reads it)

The run directories are the truth: whether a trial finished is read from its newest
checkpoint (its step against its ``total_steps``), so a sweep interrupted at any moment can
be resumed. ``status.json`` adds what a run directory cannot say (a trial that ASHA
stopped early, a failed one, how often Ray restarted it). Names read from these files are
checked against the trials that ``sweep.json`` regenerates, never used as paths. Nothing
here imports Ray.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nprl.fileio import read_json, write_json
from nprl.rl.run_dir import RunDir, read_state
from nprl.scale.spec import SweepSpec, Trial

FINISHED, STOPPED, FAILED = "finished", "stopped", "failed"
PENDING, RUNNING, UNFINISHED = "pending", "running", "unfinished"
STATUSES = (FINISHED, STOPPED, FAILED, PENDING, RUNNING, UNFINISHED)


class SweepDir:
    """Paths and files of one sweep directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.spec_path = self.path / "sweep.json"
        self.status_path = self.path / "status.json"
        self.summary_csv = self.path / "summary.csv"
        self.summary_md = self.path / "summary.md"
        self.plot_path = self.path / "sweep.png"
        self.ray_path = self.path / ".ray"

    def __repr__(self) -> str:
        return f"SweepDir({str(self.path)!r})"

    def create(self, spec: SweepSpec) -> None:
        """Make a fresh sweep directory holding ``sweep.json``; ``ValueError`` if the
        folder already holds a sweep or is not empty (never overwrite results)."""
        if self.spec_path.exists():
            raise ValueError(f"{self.path} already holds a sweep; continue it with "
                             f"'nprl sweep --resume {self.path}' or choose another --out")
        if self.path.is_dir() and any(self.path.iterdir()):
            raise ValueError(f"{self.path} is not empty; choose another --out")
        self.path.mkdir(parents=True, exist_ok=True)
        write_json(self.spec_path, {"nprl_sweep": 1, "spec": spec.to_dict()})

    def read_spec(self) -> SweepSpec:
        """The sweep's definition; ``ValueError`` (one line) when this is not a sweep."""
        if not self.path.is_dir():
            raise ValueError(f"sweep directory {self.path} does not exist")
        if not self.spec_path.is_file():
            raise ValueError(f"{self.path} is not an nprl sweep directory: it has no "
                             "sweep.json (give the folder that nprl sweep --out wrote)")
        try:
            document = read_json(self.spec_path)
        except ValueError as error:
            raise ValueError(f"{self.spec_path} is not readable JSON: {error}") from None
        if not isinstance(document, dict) or document.get("nprl_sweep") != 1:
            raise ValueError(f"{self.spec_path} is not an nprl sweep definition")
        try:
            return SweepSpec.from_dict(document.get("spec"))
        except ValueError as error:
            raise ValueError(f"{self.spec_path} {error}") from None

    def run_dir(self, trial: Trial) -> RunDir:
        """The run directory of a trial (its name is ours: see ``trial_name``)."""
        return RunDir(self.path / trial.name)

    # -- status ---------------------------------------------------------------------------

    def read_status(self, trials: list[Trial]) -> dict[str, dict[str, Any]]:
        """``{trial name: {"status", "restarts", "error"}}`` for the given trials, from
        ``status.json`` where it knows them (unknown names and values are ignored)."""
        status = {trial.name: {"status": PENDING, "restarts": 0, "error": ""}
                  for trial in trials}
        if not self.status_path.is_file():
            return status
        try:
            saved = read_json(self.status_path).get("trials", {})
        except (ValueError, AttributeError):
            return status  # a broken status file: the run directories still tell the truth
        for name, entry in saved.items() if isinstance(saved, dict) else ():
            if name in status and isinstance(entry, dict):
                if entry.get("status") in STATUSES:
                    status[name]["status"] = entry["status"]
                if isinstance(entry.get("restarts"), int):
                    status[name]["restarts"] = entry["restarts"]
                if isinstance(entry.get("error"), str):
                    status[name]["error"] = entry["error"]
        return status

    def write_status(self, status: dict[str, dict[str, Any]]) -> None:
        """Write ``status.json`` atomically (a crash leaves the old or the new one)."""
        write_json(self.status_path, {"trials": status})


def trial_step(run: RunDir) -> int | None:
    """Steps of a run's newest checkpoint, or None when it has none (or no run yet)."""
    if not (run.checkpoints / "latest").is_file():
        return None
    try:
        return int(read_state(run.latest_checkpoint())["loop"]["step"])
    except (ValueError, KeyError, TypeError, OSError):
        return None


def trial_progress(run: RunDir, total_steps: int) -> str:
    """FINISHED (its newest checkpoint reached ``total_steps``), UNFINISHED (a checkpoint
    to resume from) or PENDING (nothing worth keeping: no run, or none checkpointed)."""
    step = trial_step(run)
    if step is None:
        return PENDING
    return FINISHED if step >= total_steps else UNFINISHED


def is_sweep_dir(path: str | Path) -> bool:
    """True for a folder that ``nprl sweep`` made (it holds ``sweep.json``)."""
    return SweepDir(path).spec_path.is_file()
