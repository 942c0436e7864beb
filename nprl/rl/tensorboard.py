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

    def write(self, kind: str, step: int, values: dict[str, Any]) -> None:
        """One row: each numeric value becomes the scalar ``<kind>/<name>`` at ``step``."""
        for name, value in values.items():  # '' (does not apply) is skipped
            if name != "step" and isinstance(value, numbers.Real):
                self._writer.add_scalar(f"{kind}/{name}", float(value), global_step=int(step))

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()


def open_tensorboard(logdir: str | Path, start_step: int = 0) -> TensorBoardWriter | None:
    """A :class:`TensorBoardWriter` into ``logdir``, or None when tensorboardX is missing."""
    if not tensorboard_available():
        return None
    return TensorBoardWriter(logdir, start_step)
