"""The run directory: everything one training run leaves behind, so it can be inspected,
resumed, evaluated or plotted later.

Layout (``--out RUN_DIR``)::

    RUN_DIR/
        config.json          env id + every resolved DQNConfig field
        metrics.csv          one header row, then one row per event (see METRIC_COLUMNS)
        checkpoints/
            latest           name of the newest complete checkpoint (one line)
            step_000012345/  agent/ (networks, optimizer, buffers) + state.json
        tensorboard/         TensorBoard event files (when tensorboardX is installed)
        learning_curve.png   written at the end of ``nprl train`` (``nprl plot --curves``)
        dashboard.png        every metric, written by ``nprl plot``

Checkpoints are written the SQLite way (:func:`nprl.fileio.write_folder`): into
``checkpoints/.tmp-<name>-<pid>`` first, sealed with a SHA-256 manifest, fsynced, renamed
into place, the folder fsynced; only then does ``latest`` (itself replaced atomically and
durably) point at them. ``best`` is swapped in by an atomic rename-exchange, so it never
ceases to exist. A crash, Ctrl-C or a full disk mid-save leaves at worst a stray
temporary, which the next ``nprl resume`` removes, never a broken checkpoint.

Everything in a run directory is untrusted input (runs are shared like model files):
``latest`` must name a ``step_<9 digits>`` folder of this very ``checkpoints/``, the
``env_id`` of ``config.json`` must be a registered environment (checked by the installed
env factory, :mod:`nprl.env_factory`), a checkpoint whose manifest
does not match is skipped for the newest intact one (:meth:`RunDir.open_checkpoint`), and
a torn last row of ``metrics.csv`` (what a kill leaves) is dropped with a note.

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
import io
import os
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from nprl.env_factory import env_factory
from nprl.errors import Note
from nprl.fileio import (
    folder_bytes,
    read_json,
    remove_leftovers,
    verify_manifest,
    write_file_atomic,
    write_folder,
    write_json,
)
from nprl.rl.config import DQNConfig
from nprl.rl.metrics import (
    METRIC_COLUMNS,
    is_weight_norm,
    metric_columns,
    weight_norm_layers,
)

KEEP_CHECKPOINTS = 2
CHECKPOINT_NAME = re.compile(r"step_[0-9]{9}")  # what checkpoint_name() writes, nothing else
# Files and folders that nprl writes into a run directory (what --overwrite removes).
RUN_FILES = ("config.json", "metrics.csv", "checkpoints", "tensorboard", "learning_curve.png",
             "dashboard.png")
# Every name nprl reads or writes in a run directory: none may be a symbolic link (a copied
# run could point learning_curve.png at a file of yours, which the next plot would clobber).
RUN_NAMES = (*RUN_FILES, "report.html", "qmap.png")
T = TypeVar("T")


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

    def create(self, env_id: str, config: DQNConfig, layers: list[str] = (),
               overwrite: bool = False) -> None:
        """Make a fresh run directory with ``config.json`` and an empty ``metrics.csv``.

        ``layers`` names the Q-network's parametrised layers (one ``weight_norm/<layer>``
        column each, see :mod:`nprl.rl.metrics`). Raises ``ValueError`` if the folder
        already holds a run (never overwrite results), unless ``overwrite``: then the
        files nprl wrote there (:data:`RUN_FILES`) are removed first, e.g. to restart in
        place a run that filled the disk before its first checkpoint.
        """
        if overwrite:
            self.remove_run_files()
        if self.config_path.exists() or self.metrics_path.exists():
            has_checkpoint = (self.checkpoints / "latest").is_file()
            hint = (f"continue it with 'nprl resume {self.path}'" if has_checkpoint
                    else "it has no checkpoint to resume from")
            raise ValueError(f"{self.path} already holds a run; {hint}, choose another --out, "
                             "or start it again with --overwrite (which deletes it)")
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        header = io.StringIO()
        csv.writer(header).writerow(metric_columns(layers))
        write_file_atomic(self.metrics_path, header.getvalue().encode())
        self.write_config(env_id, config)

    def write_config(self, env_id: str, config: DQNConfig) -> None:
        """(Re)write ``config.json``, atomically and durably."""
        write_json(self.config_path, {"env_id": env_id, "config": config.to_dict()})

    def remove_run_files(self) -> None:
        """Delete what nprl wrote in this run directory (:data:`RUN_FILES` and their
        temporaries); other files the user put there are left alone."""
        if not self.path.is_dir():
            return
        for name in RUN_FILES:
            path = self.path / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
        self.remove_temporaries()

    def remove_temporaries(self) -> list[str]:
        """Remove what a killed run may have left half-written: ``metrics.csv.tmp`` and
        the leftovers of :mod:`nprl.fileio`'s writers (``checkpoints/.tmp-*`` and ``.old-*``
        folders, ``.latest.tmp``...). Returns their names."""
        found = remove_leftovers(self.path) + remove_leftovers(self.checkpoints)
        metrics = self.path / "metrics.csv.tmp"
        if metrics.is_file() or metrics.is_symlink():
            metrics.unlink()
            found.append(metrics.name)
        return sorted(found)

    def check(self) -> None:
        """Raise ``ValueError`` with one line saying why this is not a run directory:
        missing, a file, or a folder without ``config.json``."""
        if not self.path.exists():
            raise ValueError(f"run directory {self.path} does not exist")
        if not self.path.is_dir():
            raise ValueError(f"{self.path} is a file, not a run directory (a folder made by "
                             "nprl train)")
        self._refuse_links()
        if not self.config_path.is_file():
            raise ValueError(f"{self.path} is not an nprl run directory: it has no config.json "
                             "(give the folder that nprl train --out wrote)")

    def _refuse_links(self) -> None:
        """``ValueError`` if a file or folder nprl reads or writes here is a symbolic link."""
        for name in RUN_NAMES:
            if (self.path / name).is_symlink():
                raise ValueError(f"{self.path / name} is a symbolic link; nprl does not follow "
                                 "links in a run directory (replace it by the file itself)")
        pointer = self.checkpoints / "latest"
        if pointer.is_symlink() or (pointer.exists() and not pointer.is_file()):
            raise ValueError(f"{pointer} is not a plain file (it names the newest checkpoint); "
                             "delete it and nprl resume uses the newest intact checkpoint")

    def read_config(self, allow_env_module: bool = False) -> tuple[str, DQNConfig]:
        """Return ``(env_id, config)`` from ``config.json``; ``ValueError`` if not a run.

        The ``env_id`` must name a registered environment, never ``module:Id`` (which
        would import ``module``) unless the user passed ``allow_env_module``.
        """
        self.check()
        document = read_json(self.config_path)
        try:
            env_id, config = document["env_id"], DQNConfig.from_dict(document["config"])
        except (KeyError, TypeError) as error:
            raise ValueError(f"{self.config_path} is not an nprl run config: {error}") from None
        env_factory().check_id_from_file(env_id, str(self.config_path),
                                         allow_module=allow_env_module)
        return env_id, config

    def metric_header(self) -> list[str]:
        """The column names of ``metrics.csv`` (``ValueError`` if missing or not ours).

        Every column must be one of :data:`METRIC_COLUMNS` or a ``weight_norm/<layer>``
        column, with ``kind`` and ``step`` among them. An older run lacks the newer
        columns (they read as empty), so its header is accepted too.
        """
        self._refuse_links()
        if not self.metrics_path.is_file():
            raise ValueError(f"{self.path} has no metrics.csv; is it a run directory "
                             "written by 'nprl train'?")
        with open(self.metrics_path, newline="", errors="replace") as file:
            try:
                header = next(csv.reader(file), [])
            except csv.Error:
                header = []
        known = set(METRIC_COLUMNS)
        if not {"kind", "step"} <= set(header) or not all(
                column in known or is_weight_norm(column) for column in header):
            raise ValueError(f"{self.metrics_path} does not have nprl's metric columns "
                             "(empty or not written by 'nprl train')")
        return header

    def read_metrics(self) -> list[dict[str, str]]:
        """All rows of ``metrics.csv`` as dicts of strings (empty cells are '').

        Every row has every column of :data:`METRIC_COLUMNS` (those an older run lacks
        read as ''), plus the run's own ``weight_norm/<layer>`` columns. Damaged rows (a
        torn last row left by a kill, a wrong number of fields, a huge field, a step that
        is not an integer) are skipped with one :class:`~nprl.errors.Note`.
        """
        rows, damaged = [], []
        for line, row, problem in self._metric_rows():
            if problem is None:
                rows.append(row)
            else:
                damaged.append(f"line {line}: {problem}")
        if damaged:
            warnings.warn(f"{self.metrics_path}: skipped {len(damaged)} damaged row"
                          f"{'s' if len(damaged) > 1 else ''} ({'; '.join(damaged[:3])})",
                          Note, stacklevel=2)
        return rows

    def _metric_rows(self) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
        """``(line, row, problem)`` for every row after the header: ``problem`` is None for
        a sound row, else why it is damaged (``row`` is then None)."""
        header = self.metric_header()
        missing = dict.fromkeys(METRIC_COLUMNS, "")
        with open(self.metrics_path, newline="", errors="replace") as file:
            text = file.read()
        torn_line = text.count("\n") + 1 if text and not text.endswith("\n") else None
        reader = csv.reader(io.StringIO(text))
        next(reader, None)
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield reader.line_num, None, f"{error}"
                continue
            if reader.line_num == torn_line:
                yield reader.line_num, None, "torn (cut off mid-row)"
            elif len(fields) != len(header):
                yield reader.line_num, None, f"{len(fields)} fields, not {len(header)}"
            elif not fields[header.index("step")].isdigit():
                yield reader.line_num, None, "its step is not a whole number"
            else:
                yield reader.line_num, {**missing, **dict(zip(header, fields))}, None

    def truncate_metrics(self, step: int, layers: list[str] | None = None) -> None:
        """Drop rows written after ``step`` (by a run that went on past its last checkpoint).

        The file is rewritten (atomically) with today's full header (an older run gains the
        new, empty columns) and ``layers``' weight-norm columns (default: the file's own).
        A torn last row (a kill mid-write) is dropped with a note; any other damaged row
        is a ``ValueError`` naming its line.
        """
        if layers is None:
            layers = weight_norm_layers(self.metric_header())
        rows = []
        for line, row, problem in list(self._metric_rows()):
            if problem is None:
                if int(row["step"]) <= step:
                    rows.append(row)
            elif problem.startswith("torn"):
                warnings.warn(f"{self.metrics_path}: dropped its torn last row (line {line}, "
                              "cut off when the run was stopped)", Note, stacklevel=2)
            else:
                raise ValueError(f"{self.metrics_path} line {line} is damaged ({problem}); "
                                 "delete that line (or restore the file) and resume again")
        text = io.StringIO()
        writer = csv.DictWriter(text, metric_columns(layers), restval="",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        write_file_atomic(self.metrics_path, text.getvalue().encode())

    def open_metrics(self, mirror: Any = None) -> MetricsWriter:
        """Append rows to ``metrics.csv`` (with the file's own header). ``mirror``, if
        given, receives every row too (``mirror.write(kind, step, values)``, ``flush()``,
        ``close()``; e.g. :class:`nprl.rl.tensorboard.TensorBoardWriter`)."""
        return MetricsWriter(self.metrics_path, self.metric_header(), mirror)

    # -- checkpoints ----------------------------------------------------------------------

    def save_checkpoint(self, name: str, write: Callable[[Path], None]) -> Path:
        """Write a checkpoint atomically and durably: ``write(folder)`` fills a temporary
        folder, which is sealed, renamed to ``checkpoints/<name>`` and then recorded in
        ``checkpoints/latest``. On a full disk: :class:`~nprl.fileio.DiskFull`, naming the
        space needed (the previous checkpoint's size), the previous checkpoint kept."""
        final = self._write_folder(name, write)
        write_file_atomic(self.checkpoints / "latest", (name + "\n").encode())
        self._prune(keep=name)
        return final

    def save_best(self, write: Callable[[Path], None]) -> Path:
        """Write ``checkpoints/best`` atomically (the agent of the best evaluation so far);
        the old one is swapped out in one step, so ``best`` always exists once written."""
        return self._write_folder("best", write)

    def _write_folder(self, name: str, write: Callable[[Path], None]) -> Path:
        """``write(folder)`` fills a temporary folder, which then replaces
        ``checkpoints/<name>``: a crash at any moment leaves the old or the new one whole."""
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        previous = self.checkpoints / name
        if not previous.is_dir():
            names = self.checkpoint_names()
            previous = self.checkpoints / names[0] if names else None
        needed = folder_bytes(previous) if previous is not None else None
        return write_folder(self.checkpoints / name, write, needed=needed or None)

    def best_checkpoint(self) -> Path | None:
        """``checkpoints/best`` if the run kept one, else None."""
        folder = self.checkpoints / "best"
        return folder if _own_folder(folder) and (folder / "agent").is_dir() else None

    def checkpoint_names(self) -> list[str]:
        """Names of the ``step_*`` checkpoint folders, newest first (only real folders
        named as :func:`checkpoint_name` names them: no links, nothing else)."""
        if not self.checkpoints.is_dir():
            return []
        return sorted((path.name for path in self.checkpoints.iterdir()
                       if CHECKPOINT_NAME.fullmatch(path.name) and _own_folder(path)),
                      reverse=True)

    def checkpoint(self, name: str) -> Path:
        """The checkpoint a user named: ``best``, ``latest`` or one of
        :meth:`checkpoint_names` (a step number works too); ``ValueError`` otherwise."""
        if name == "latest":
            return self.latest_checkpoint()
        if name == "best":
            folder = self.best_checkpoint()
            if folder is None:
                raise ValueError(f"{self.path} kept no best checkpoint")
            return folder
        names = self.checkpoint_names()
        wanted = checkpoint_name(int(name)) if name.isdigit() and len(name) <= 9 else name
        if wanted not in names:
            raise ValueError(f"{self.path} has no checkpoint {name!r}; it has: "
                             f"{', '.join(['best'] * bool(self.best_checkpoint()) + names)}")
        return self.checkpoints / wanted

    def latest_checkpoint(self) -> Path:
        """The checkpoint ``checkpoints/latest`` names; ``ValueError`` if there is none or
        if it names anything but a ``step_*`` folder of this run's own ``checkpoints/``."""
        pointer = self.checkpoints / "latest"
        if not pointer.is_file() or pointer.is_symlink():
            raise ValueError(
                f"{self.path} has no checkpoint yet (no {pointer}); was the run started with "
                "'nprl train'?"
            )
        name = pointer.read_bytes()[:64].decode("ascii", errors="replace").strip()
        if not CHECKPOINT_NAME.fullmatch(name):
            raise ValueError(f"{pointer} is damaged: it should name a checkpoint folder "
                             f"step_<9 digits> of {self.checkpoints}, not {name!r:.40}")
        folder = self.checkpoints / name
        if not _own_folder(folder):
            raise ValueError(f"{pointer} names {name}, which does not exist")
        return folder

    def open_checkpoint(self, load: Callable[[Path], T], name: str | None = None,
                        prefer_best: bool = False) -> tuple[Path, T]:
        """Load a checkpoint with ``load(folder)``, falling back when it is damaged.

        With ``name``, exactly that checkpoint (:meth:`checkpoint`). Otherwise the one
        ``latest`` names (``best`` first when ``prefer_best`` and the run kept one); if it
        is damaged (a ``ValueError``: manifest mismatch, a missing or unreadable file) the
        next newest intact one is used, with one :class:`~nprl.errors.Note` saying so.
        ``load`` runs after the folder's own manifest is checked.

        Returns ``(folder, load(folder))``; ``ValueError`` if no checkpoint is intact.
        """
        def checked(folder: Path) -> T:
            verify_manifest(folder)
            return load(folder)

        if name is not None:
            folder = self.checkpoint(name)
            return folder, checked(folder)
        candidates: list[Path] = []
        problems: list[str] = []
        if prefer_best and self.best_checkpoint() is not None:
            candidates.append(self.checkpoints / "best")
        try:
            candidates.append(self.latest_checkpoint())
        except ValueError as error:
            if not self.checkpoint_names():
                raise
            problems.append(str(error))
        candidates += [self.checkpoints / n for n in self.checkpoint_names()
                       if self.checkpoints / n not in candidates]
        for folder in candidates:
            try:
                loaded = checked(folder)
            except (ValueError, OSError) as error:  # OSError: e.g. an unreadable file
                problems.append(str(error))
                continue
            if problems:
                warnings.warn(f"{problems[0]}; using the newest intact checkpoint, "
                              f"{folder.name}, instead", Note, stacklevel=2)
            return folder, loaded
        raise ValueError(f"no intact checkpoint in {self.checkpoints} (newest: {problems[0]})")

    def _prune(self, keep: str) -> None:
        """Delete all but the newest few checkpoints (never the one just written)."""
        for old in self.checkpoint_names()[KEEP_CHECKPOINTS:]:
            if old != keep:
                shutil.rmtree(self.checkpoints / old, ignore_errors=True)


def _own_folder(path: Path) -> bool:
    """A real folder (not a link that could lead outside the run directory)."""
    return path.is_dir() and not path.is_symlink()


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
        """Push the rows written so far to the device (before each checkpoint, so that a
        checkpoint never outlives the metrics that led to it)."""
        if not self.file.closed:
            self.file.flush()
            os.fsync(self.file.fileno())
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
    """The loop state (``state.json``) of a checkpoint folder (checked against the
    folder's manifest first)."""
    verify_manifest(folder)
    state = read_json(folder / "state.json")
    if not isinstance(state, dict):
        raise ValueError(f"{folder / 'state.json'} is not an nprl checkpoint state")
    return state


def write_state(folder: Path, state: dict[str, Any]) -> None:
    write_json(folder / "state.json", state)
