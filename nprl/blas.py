"""Limit the threads of NumPy's BLAS while training small networks.

A DQN update multiplies small matrices (a batch of 64 by 256 units). OpenBLAS splits
even those across all cores, and on a laptop already busy with the environment, the
threads spend more time waiting for each other than computing: we measured a CartPole
run 8x *slower* with two BLAS threads than with one. :func:`blas_threads` sets the
thread count of every BLAS that NumPy loaded (OpenBLAS, MKL, BLIS...) for the duration of
a ``with`` block and restores it after, through ``threadpoolctl``, the maintained library
that finds them wherever they are installed (pip wheels, conda, the system's NumPy).

This is a root module: the training loop (``nprl.rl``) and the mnist command both use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_info, threadpool_limits


def get_blas_threads() -> int | None:
    """Current thread count of NumPy's BLAS (the largest, if several are loaded), or
    None when threadpoolctl finds no BLAS."""
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts) if counts else None


@contextmanager
def blas_threads(count: int | None) -> Iterator[None]:
    """Run a block with ``count`` BLAS threads (None or 0: leave the setting alone)."""
    if not count:
        yield
        return
    with threadpool_limits(limits=int(count), user_api="blas"):
        yield
