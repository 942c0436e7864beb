"""Signals that stop a program, turned into exceptions the program already handles.

Two places need this: a training (``nprl train`` / ``nprl resume``) saves a checkpoint when
``KeyboardInterrupt`` reaches its loop, and a window (:class:`nprl.viz.frame_window.
FrameWindow`) reports why it closed. By default SIGTERM (``kill PID``) and SIGHUP end
Python at once, skipping both. A run started in the background (``nohup nprl train ...
&``) also ignores Ctrl-C (the shell makes background jobs ignore SIGINT), so SIGTERM is how
such a run is stopped: inside :func:`sigterm_as_interrupt` it saves a checkpoint as Ctrl-C
does. ``kill -9`` still ends the process at once (nothing can catch it).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def signals_raise(error: Callable[[int], BaseException],
                  names: tuple[str, ...] = ("SIGTERM",)) -> Iterator[None]:
    """While inside, each named signal this platform has raises ``error(signal_number)``;
    the previous handlers come back at the end. Only the main thread may handle signals:
    elsewhere this does nothing."""

    def handler(number, frame):
        raise error(number)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for name in names:
            if hasattr(signal, name):
                number = getattr(signal, name)
                previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def stopped_by(number: int) -> str:
    """``"stopped by SIGTERM"``: how messages name a signal."""
    return f"stopped by {signal.Signals(number).name}"


def sigterm_as_interrupt():
    """While inside, SIGTERM raises ``KeyboardInterrupt`` (``kill PID`` saves a training's
    checkpoint as Ctrl-C does)."""
    return signals_raise(lambda number: KeyboardInterrupt(stopped_by(number)))
