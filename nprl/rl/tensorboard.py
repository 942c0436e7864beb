"""TensorBoard event files of a run, written by tensorboardX (the ``tensorboard`` extra).

Every value the loop writes to ``metrics.csv`` also becomes a TensorBoard scalar tagged
``<row kind>/<column>`` (``train/td_loss``, ``episode/return``, ``eval/eval_mean``,
``train/weight_norm/0``; names in :mod:`nprl.rl.metrics`) at ``global_step`` = the env
step, in ``RUN_DIR/tensorboard/``. View them with::

    pip install 'nprl[tensorboard]' tensorboard
    tensorboard --logdir RUN_DIR/tensorboard

We never write the event format ourselves: tensorboardX does. It is optional and imported
lazily; without it, :func:`open_tensorboard` returns None and training goes on as before.
"""

from __future__ import annotations

import importlib.util
import numbers
import sys
from pathlib import Path
from typing import Any


def tensorboard_available() -> bool:
    """True when tensorboardX can be imported."""
    return importlib.util.find_spec("tensorboardX") is not None


def _import_summary_writer():
    """tensorboardX's ``SummaryWriter``, imported without dragging in PyTorch.

    tensorboardX imports torch at module load whenever torch is installed (to accept
    tensors). nprl never uses torch, and loading it costs seconds and hundreds of MB, so
    unless the user's program already imported it we hide it for the duration of the
    import (a ``None`` entry in ``sys.modules`` makes ``import torch`` fail fast).
    """
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        from tensorboardX import SummaryWriter
    finally:
        if hide:
            del sys.modules["torch"]
    return SummaryWriter


class TensorBoardWriter:
    """Writes metric rows as TensorBoard scalars.

    Parameters
    ----------
    logdir : folder of the event files (``RUN_DIR/tensorboard``)
    start_step : int
        The step this session starts from (0, or the checkpoint's step T on resume). On
        resume TensorBoard is told to hide the events a crashed session wrote after T
        (``purge_step`` T + 1), just as ``metrics.csv`` drops those rows.
    """

    def __init__(self, logdir: str | Path, start_step: int = 0) -> None:
        summary_writer = _import_summary_writer()
        # Files are named by the second they were opened; the suffix (the first step,
        # zero-padded so names sort in order) keeps a resume within the same second from
        # overwriting the previous session's file.
        self._writer = summary_writer(logdir=str(logdir), flush_secs=30,
                                      purge_step=start_step + 1 if start_step else None,
                                      filename_suffix=f".step{start_step:09d}")
        self._error: OSError | None = None
        self._guard_worker()

    def _guard_worker(self) -> None:
        """Catch write errors in tensorboardX's writer thread and raise them here.

        tensorboardX writes events from a background thread. When a write fails (a full
        disk) that thread dies with a traceback, and the next ``add_scalar`` blocks
        forever on its full queue: training hangs. We wrap the thread's event writer so
        the thread keeps draining the queue, and re-raise the first error in the training
        loop, where it becomes one line (see :func:`nprl.rl.train.train`). Internals of
        tensorboardX: where they differ, nothing is wrapped.
        """
        try:
            worker = self._writer._get_file_writer().event_writer._worker
            events = worker._record_writer
        except AttributeError:
            return
        worker._record_writer = _GuardedEvents(events, self)

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def write(self, kind: str, step: int, values: dict[str, Any]) -> None:
        """One row: each numeric value becomes the scalar ``<kind>/<name>`` at ``step``."""
        for name, value in values.items():  # '' (does not apply) is skipped
            if name != "step" and isinstance(value, numbers.Real):
                self._writer.add_scalar(f"{kind}/{name}", float(value), global_step=int(step))
        self._raise_pending()

    def flush(self) -> None:
        self._writer.flush()
        self._raise_pending()

    def close(self) -> None:
        self._writer.close()


class _GuardedEvents:
    """tensorboardX's event writer, with write errors kept for the training thread."""

    def __init__(self, events: Any, owner: TensorBoardWriter) -> None:
        self._events, self._owner = events, owner

    def _guarded(self, method: str, *args: Any) -> Any:
        if self._owner._error is not None:
            return None  # after a failure, drop events: the run is about to stop
        try:
            return getattr(self._events, method)(*args)
        except OSError as error:
            self._owner._error = error
            return None

    def write_event(self, event: Any) -> Any:
        return self._guarded("write_event", event)

    def flush(self) -> Any:
        return self._guarded("flush")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._events, name)


def open_tensorboard(logdir: str | Path, start_step: int = 0) -> TensorBoardWriter | None:
    """A :class:`TensorBoardWriter` into ``logdir``, or None when tensorboardX is missing."""
    if not tensorboard_available():
        return None
    return TensorBoardWriter(logdir, start_step)
