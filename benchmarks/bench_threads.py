"""Thread settings shared by the benchmarks that run nprl and a peer in child processes.

Both sides get the same BLAS/OpenMP thread count through these environment variables, so
neither wins by using more cores (see benchmarks/RESULTS.md on why one thread each).
"""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def child_env(threads: int | None) -> dict:
    """Environment of a worker: the same BLAS/OpenMP thread settings for nprl and torch."""
    env = dict(os.environ)
    if threads is not None:
        env.update({name: str(threads) for name in THREAD_VARIABLES})
    return env


def thread_note(threads: int | None) -> str:
    if threads is None:
        return "thread env vars left at their defaults"
    return f"{'/'.join(THREAD_VARIABLES)}={threads} for both"
