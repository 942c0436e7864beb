"""The live table of a running sweep, and the trial states behind ``status.json``.

:class:`LiveTable` is a Ray Tune callback (it runs in the driver, the ``nprl sweep``
process). It follows every trial (started, evaluated, finished, stopped early by the
scheduler, failed, restarted by Ray after its worker died), keeps their states in the
``status`` dict that ``status.json`` holds, writes that file on every change, and shows
the trials as a table on stderr: redrawn in place on a terminal, one line per change
otherwise (a log file, CI). This module imports Ray: only :mod:`nprl.scale.runner`
imports it, inside :func:`~nprl.scale.sweep`.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from ray import tune

from nprl.scale.sweep_dir import FAILED, FINISHED, RUNNING, STOPPED, UNFINISHED

REDRAW_S = 1.0  # at most one redraw a second on a terminal


class LiveTable(tune.Callback):
    """Track the trials of a sweep and show them as they run.

    Parameters
    ----------
    status : ``{trial name: {"status", "restarts", "error", ...}}``, updated in place
    totals : ``{trial name: total steps}`` of the trials this run executes
    save : called with ``status`` whenever a trial changes state
    early_stopping : True when a scheduler may end trials early (ASHA): a trial that ends
        without having finished is then STOPPED, not UNFINISHED
    stream : where the table goes (stderr)
    """

    def __init__(self, status: dict[str, dict[str, Any]], totals: dict[str, int],
                 save: Callable[[dict], None], early_stopping: bool,
                 stream: TextIO | None = None) -> None:
        self.status = status
        self.totals = totals
        self.save = save
        self.early_stopping = early_stopping
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.latest: dict[str, dict[str, Any]] = {}
        self.drawn_lines = 0
        self.last_draw = 0.0

    # -- Tune's hooks ---------------------------------------------------------------------

    def on_trial_start(self, iteration, trials, trial, **info) -> None:
        self._set(trial, RUNNING)

    def on_trial_result(self, iteration, trials, trial, result, **info) -> None:
        name = _name(trial)
        self.latest[name] = result
        entry = self.status[name]
        before = dict(entry)
        entry.update(pid=result.get("pid"), host=result.get("host"))
        if "started_at" in result:  # 0: from scratch; a step: resumed from that checkpoint
            entry["started_at"] = result["started_at"]
        if result.get("failed"):
            entry["error"] = str(result["failed"])
        if entry != before:  # where a trial runs (host, pid) is in status.json at once
            self.save(self.status)
        self._draw()

    def on_trial_complete(self, iteration, trials, trial, **info) -> None:
        result = self.latest.get(_name(trial), {})
        if result.get("finished"):
            self._set(trial, FINISHED)
        elif result.get("failed"):
            self._set(trial, FAILED)
        else:
            self._set(trial, STOPPED if self.early_stopping else UNFINISHED)

    def on_trial_error(self, iteration, trials, trial, **info) -> None:
        entry = self.status[_name(trial)]
        if not entry["error"]:
            entry["error"] = f"its worker failed; Ray's log of it: {trial.path}/error.txt"
        self._set(trial, FAILED)

    def on_trial_recover(self, iteration, trials, trial, **info) -> None:
        self.status[_name(trial)]["restarts"] += 1
        self._set(trial, RUNNING, event="restarted by Ray")

    # -- drawing --------------------------------------------------------------------------

    def _set(self, trial, state: str, event: str | None = None) -> None:
        name = _name(trial)
        self.status[name]["status"] = state
        self.save(self.status)
        if not self.terminal:
            print(f"[sweep] {name}: {event or state}{self._where(name)}", file=self.stream,
                  flush=True)
        self._draw(force=True)

    def _where(self, name: str) -> str:
        result = self.latest.get(name)
        if not result:
            return ""
        text = f" at step {result.get('step')}"
        mean = result.get("eval_mean")
        if isinstance(mean, float) and not math.isnan(mean):
            text += f", eval {mean:.1f}"
        return text

    def rows(self) -> list[str]:
        """The table's lines: one per trial of this run."""
        lines = [f"{'trial':<40} {'status':<10} {'step':>16} {'eval':>8} {'restarts':>8}"]
        for name, total in self.totals.items():
            entry, result = self.status[name], self.latest.get(name, {})
            mean = result.get("eval_mean")
            shown = f"{mean:8.1f}" if isinstance(mean, float) and not math.isnan(mean) else \
                f"{'-':>8}"
            step = f"{result.get('step', 0)}/{total}"
            lines.append(f"{name[:40]:<40} {entry['status']:<10} {step:>16} {shown} "
                         f"{entry['restarts']:>8}")
        return lines

    def _draw(self, force: bool = False) -> None:
        if not self.terminal:
            return
        now = time.monotonic()
        if not force and now - self.last_draw < REDRAW_S:
            return
        self.last_draw = now
        lines = self.rows()
        if self.drawn_lines:  # back to the table's first line, then overwrite it
            self.stream.write(f"\x1b[{self.drawn_lines}F")
        self.stream.write("".join(f"\x1b[2K{line}\n" for line in lines))
        self.stream.flush()
        self.drawn_lines = len(lines)


def _name(trial) -> str:
    return trial.config["job"]["name"]
