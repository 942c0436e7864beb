"""SIGTERM stops a training the way Ctrl-C does: checkpoint saved, ``nprl resume`` goes on.

A run started in the background (``nohup nprl train ... &``) cannot be stopped with
Ctrl-C: the shell makes background jobs ignore SIGINT. What stops it is ``kill PID``
(SIGTERM), which by default ends Python at once, losing the steps since the last
checkpoint and the metrics rows not yet written. Inside :func:`stop_on_sigterm` SIGTERM
raises ``KeyboardInterrupt`` instead, which the training loop already turns into a saved
checkpoint. ``kill -9`` still ends the process at once (nothing can catch it).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM raises ``KeyboardInterrupt`` (main thread only; elsewhere a no-op)."""

    def stop(number, frame):
        raise KeyboardInterrupt(f"stopped by {signal.Signals(number).name}")

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
