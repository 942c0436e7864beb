"""The run directory: everything one training run leaves behind, so it can be inspected,
resumed, evaluated or plotted later.

Layout (``--out RUN_DIR``)::

    RUN_DIR/
        config.json          env id + every resolved DQNConfig field
        metrics.csv          one header row, then one row per event (see METRIC_COLUMNS)
        checkpoints/
            latest           name of the newest complete checkpoint (one line)
            step_00012345/   agent/ (networks, optimizer, buffers) + state.json
        tensorboard/         TensorBoard event files (when tensorboardX is installed)
        learning_curve.png   written at the end of ``nprl train`` (``nprl plot --curves``)
        dashboard.png        every metric, written by ``nprl plot``

Checkpoints are written atomically: into ``checkpoints/.tmp-<name>`` first, renamed into
place only when complete, and only then does ``latest`` (itself replaced atomically)
point at them. A crash or Ctrl-C mid-save leaves at worst a stray ``.tmp-`` folder,
never a broken checkpoint.

``metrics.csv`` rows have a ``kind``: ``episode`` (return, length, success at its end),
``train`` (every ``log_interval`` steps: TD loss, mean and max Q, epsilon, learning rate,
gradient norm, per-layer weight norms, steps per second, replay size, PER weight and
priority) and ``eval`` (greedy evaluation: mean/std/min/max return, success rate). Columns
that do not apply are empty. Every column is listed and described in
:mod:`nprl.rl.metrics`, the one source of the metric names; with the ``tensorboard`` extra
the same values also go to ``RUN_DIR/tensorboard/`` (see :mod:`nprl.rl.tensorboard`).
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nprl.rl.config import DQNConfig
from nprl.rl.metrics import (
    METRIC_COLUMNS,
    TIMING_COLUMNS,  # noqa: F401 (re-exported: tests and tools import it from here)
    is_weight_norm,
    metric_columns,
    weight_norm_layers,
)
from nprl.rl.storage import read_json, write_json

KEEP_CHECKPOINTS = 2


class RunDir:
    """Paths and files of one run directory.

    Parameters
    ----------
    path : str or Path
        The run directory itself (``--out`` names it).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.config_path = self.path / "config.json"
        self.metrics_path = self.path / "metrics.csv"
        self.checkpoints = self.path / "checkpoints"

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    # -- creating and reading -------------------------------------------------------------

    def create(self, env_id: str, config: DQNConfig, layers: list[str] = ()) -> None:
        """Make a fresh run directory with ``config.json`` and an empty ``metrics.csv``.

        ``layers`` names the Q-network's parametrised layers (one ``weight_norm/<layer>``
        column each, see :mod:`nprl.rl.metrics`). Raises ``ValueError`` if the folder
        already holds a run (never overwrite results).
        """
        if self.config_path.exists() or self.metrics_path.exists():
            raise ValueError(
                f"{self.path} already holds a run; continue it with 'nprl resume {self.path}' "
                "or choose another --out"
            )
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        write_json(self.config_path, {"env_id": env_id, "config": config.to_dict()})
        with open(self.metrics_path, "w", newline="") as file:
            csv.writer(file).writerow(metric_columns(layers))

    def check(self) -> None:
        """Raise ``ValueError`` with one line saying why this is not a run directory:
        missing, a file, or a folder without ``config.json``."""
        if not self.path.exists():
            raise ValueError(f"run directory {self.path} does not exist")
        if not self.path.is_dir():
            raise ValueError(f"{self.path} is a file, not a run directory (a folder made by "
                             "nprl train)")
        if not self.config_path.is_file():
            raise ValueError(f"{self.path} is not an nprl run directory: it has no config.json "
                             "(give the folder that nprl train --out wrote)")

    def read_config(self) -> tuple[str, DQNConfig]:
        """Return ``(env_id, config)`` from ``config.json``; ``ValueError`` if not a run."""
        self.check()
        document = read_json(self.config_path)
        try:
            return document["env_id"], DQNConfig.from_dict(document["config"])
        except (KeyError, TypeError) as error:
            raise ValueError(f"{self.config_path} is not an nprl run config: {error}") from None

    def metric_header(self) -> list[str]:
        """The column names of ``metrics.csv`` (``ValueError`` if missing or not ours).

        Every column must be one of :data:`METRIC_COLUMNS` or a ``weight_norm/<layer>``
        column, with ``kind`` and ``step`` among them. An older run lacks the newer
        columns (they read as empty), so its header is accepted too.
        """
        if not self.metrics_path.is_file():
            raise ValueError(f"{self.path} has no metrics.csv; is it a run directory "
                             "written by 'nprl train'?")
        with open(self.metrics_path, newline="") as file:
            header = next(csv.reader(file), [])
        known = set(METRIC_COLUMNS)
        if not {"kind", "step"} <= set(header) or not all(
                column in known or is_weight_norm(column) for column in header):
            raise ValueError(f"{self.metrics_path} does not have nprl's metric columns "
                             "(empty or not written by 'nprl train')")
        return header

    def read_metrics(self) -> list[dict[str, str]]:
        """All rows of ``metrics.csv`` as dicts of strings (empty cells are '').

        Every row has every column of :data:`METRIC_COLUMNS` (those an older run lacks
        read as ''), plus the run's own ``weight_norm/<layer>`` columns.
        """
        self.metric_header()
        with open(self.metrics_path, newline="") as file:
            reader = csv.DictReader(file)
            missing = dict.fromkeys(METRIC_COLUMNS, "")
            return [{**missing, **row} for row in reader]

    def truncate_metrics(self, step: int, layers: list[str] | None = None) -> None:
        """Drop rows written after ``step`` (by a run that went on past its last checkpoint).

        The file is rewritten with today's full header (an older run gains the new,
        empty columns) and ``layers``' weight-norm columns (default: the file's own).
        """
        self._drop_partial_row()
        if layers is None:
            layers = weight_norm_layers(self.metric_header())
        rows = [row for row in self.read_metrics() if int(row["step"]) <= step]
        temporary = self.metrics_path.with_suffix(".csv.tmp")
        with open(temporary, "w", newline="") as file:
            writer = csv.DictWriter(file, metric_columns(layers), restval="")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(temporary, self.metrics_path)

    def _drop_partial_row(self) -> None:
        """Cut a last row that a killed process left half-written (no line end yet): the
        kill may land while Python's file buffer is being written out, mid-row."""
        if not self.metrics_path.is_file():
            return  # metric_header() says what is wrong
        with open(self.metrics_path, "rb+") as file:
            data = file.read()
            if data and not data.endswith(b"\n"):
                file.truncate(data.rfind(b"\n") + 1)

    def open_metrics(self, mirror: Any = None) -> MetricsWriter:
        """Append rows to ``metrics.csv`` (with the file's own header). ``mirror``, if
        given, receives every row too (``mirror.write(kind, step, values)``, ``flush()``,
        ``close()``; e.g. :class:`nprl.rl.tensorboard.TensorBoardWriter`)."""
        return MetricsWriter(self.metrics_path, self.metric_header(), mirror)

    # -- checkpoints ----------------------------------------------------------------------

    def save_checkpoint(self, name: str, write: Callable[[Path], None]) -> Path:
        """Write a checkpoint atomically: ``write(folder)`` fills a temporary folder, which
        is then renamed to ``checkpoints/<name>`` and recorded in ``checkpoints/latest``."""
        final = self._write_folder(name, write)
        pointer = self.checkpoints / ".latest.tmp"
        pointer.write_text(name + "\n")
        os.replace(pointer, self.checkpoints / "latest")
        self._prune(keep=name)
        return final

    def save_best(self, write: Callable[[Path], None]) -> Path:
        """Write ``checkpoints/best`` atomically (the agent of the best evaluation so far)."""
        return self._write_folder("best", write)

    def _write_folder(self, name: str, write: Callable[[Path], None]) -> Path:
        """``write(folder)`` fills a temporary folder, which then replaces
        ``checkpoints/<name>``: a crash at any moment leaves the old or the new one whole."""
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        final = self.checkpoints / name
        temporary, old = self.checkpoints / f".tmp-{name}", self.checkpoints / f".old-{name}"
        shutil.rmtree(temporary, ignore_errors=True)
        write(temporary)
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            os.replace(final, old)
        os.replace(temporary, final)
        shutil.rmtree(old, ignore_errors=True)
        return final

    def best_checkpoint(self) -> Path | None:
        """``checkpoints/best`` if the run kept one, else None."""
        folder = self.checkpoints / "best"
        return folder if (folder / "agent").is_dir() else None

    def latest_checkpoint(self) -> Path:
        """The newest complete checkpoint folder; ``ValueError`` if there is none."""
        pointer = self.checkpoints / "latest"
        if not pointer.is_file():
            raise ValueError(
                f"{self.path} has no checkpoint yet (no {pointer}); was the run started with "
                "'nprl train'?"
            )
        folder = self.checkpoints / pointer.read_text().strip()
        if not folder.is_dir():
            raise ValueError(f"{pointer} names {folder.name}, which does not exist")
        return folder

    def _prune(self, keep: str) -> None:
        """Delete all but the newest few checkpoints (never the one just written)."""
        folders = sorted(p for p in self.checkpoints.glob("step_*") if p.is_dir())
        for old in folders[:-KEEP_CHECKPOINTS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)


class MetricsWriter:
    """Appends rows to ``metrics.csv``; every row has all of the file's columns.

    Parameters
    ----------
    path : Path of ``metrics.csv``
    columns : the file's header (see :func:`nprl.rl.metrics.metric_columns`)
    mirror : optional second destination of every row (TensorBoard)
    """

    def __init__(self, path: Path, columns: list[str] | None = None, mirror: Any = None) -> None:
        self.columns = list(columns) if columns is not None else list(METRIC_COLUMNS)
        self.file = open(path, "a", newline="")  # noqa: SIM115 (closed by close())
        self.writer = csv.DictWriter(self.file, self.columns)
        self.mirror = mirror

    def write(self, kind: str, **values: Any) -> None:
        """Write one row; floats are written with full precision (``repr``). A name that
        is not a column raises ``KeyError`` (a typo must not vanish silently)."""
        row = {column: "" for column in self.columns}
        row["kind"] = kind
        for key, value in values.items():
            if key not in row:
                raise KeyError(f"unknown metric column {key!r}")
            row[key] = repr(float(value)) if isinstance(value, float) else value
        self.writer.writerow(row)
        if self.mirror is not None:
            self.mirror.write(kind, values.get("step", 0), values)

    def flush(self) -> None:
        if not self.file.closed:
            self.file.flush()
            if self.mirror is not None:
                self.mirror.flush()

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()
            if self.mirror is not None:
                self.mirror.close()


def checkpoint_name(step: int) -> str:
    """Folder name of the checkpoint taken at ``step`` (sorts by step)."""
    return f"step_{step:09d}"


def read_state(folder: Path) -> dict[str, Any]:
    """The loop state (``state.json``) of a checkpoint folder."""
    return read_json(folder / "state.json")


def write_state(folder: Path, state: dict[str, Any]) -> None:
    write_json(folder / "state.json", state)
