"""Limit the threads of NumPy's BLAS while training small networks.

A DQN update multiplies small matrices (a batch of 64 by 256 units). OpenBLAS splits
even those across all cores, and on a laptop already busy with the environment, the
threads spend more time waiting for each other than computing: we measured a CartPole
run 8x *slower* with two BLAS threads than with one. :func:`blas_threads` sets the
thread count of the OpenBLAS that NumPy loaded (through its C API, found with ctypes as
``threadpoolctl`` does) for the duration of a ``with`` block, and restores it after.
When NumPy uses another BLAS (MKL, Accelerate) it does nothing.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "_64_", "")


def _openblas():
    """The loaded OpenBLAS library bundled with NumPy, or None."""
    root = os.path.dirname(os.path.dirname(np.__file__))
    candidates = glob.glob(os.path.join(root, "numpy.libs", "*openblas*"))
    candidates += glob.glob(os.path.join(os.path.dirname(np.__file__), ".libs", "*openblas*"))
    for path in candidates:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                setter = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                getter = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    return setter, getter
    return None


_LIBRARY = None
_SEARCHED = False


def _functions():
    global _LIBRARY, _SEARCHED
    if not _SEARCHED:
        _LIBRARY, _SEARCHED = _openblas(), True
    return _LIBRARY


def get_blas_threads() -> int | None:
    """Current OpenBLAS thread count, or None when NumPy's BLAS is not OpenBLAS."""
    functions = _functions()
    return None if functions is None else int(functions[1]())


@contextmanager
def blas_threads(count: int | None) -> Iterator[None]:
    """Run a block with ``count`` BLAS threads (None or 0: leave the setting alone)."""
    functions = _functions()
    if not count or functions is None:
        yield
        return
    setter, getter = functions
    previous = int(getter())
    setter(int(count))
    try:
        yield
    finally:
        setter(previous)
