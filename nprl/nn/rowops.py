"""Two operations on (rows, channels) data that layers do on every call, spelled for speed
when there are few channels (a convolution's output: one row of channels per pixel).

NumPy runs ``matrix += row`` and ``matrix.sum(axis=0)`` as one short inner loop per row,
so a (2048, 16) matrix (MinAtar's convolution) costs 2048 loop starts for 32k values:

- :func:`add_row` adds the row to a wider view of the same memory instead (the row
  repeated k times, k rows at once): 13 -> 8 us on that matrix. Only for up to ``FEW``
  channels: with Nature's 32 and 64 no gain was measured inside the network.
- :func:`column_sums` sums over rows as ``ones @ matrix``, one BLAS matrix-vector
  product: 43 -> 3 us. The sum is the same up to float rounding (another order of
  additions).
"""

from __future__ import annotations

import numpy as np

WIDE = 256  # values per row of the wider view add_row works on (when the rows allow it)
FEW = 16  # add_row takes the wider view up to this many channels (more: no gain measured)


def add_row(array: np.ndarray, row: np.ndarray) -> None:
    """``array += row`` (``row`` along the last axis, e.g. a bias on (N, H, W, C)), in place."""
    width = array.shape[-1]
    rows = array.size // width if width else 0
    repeat = max(1, WIDE // max(width, 1)) if width <= FEW else 1
    while rows % repeat:  # k consecutive rows become one: k must divide the row count
        repeat //= 2
    if repeat == 1 or not array.flags.c_contiguous:
        array += row
        return
    wide_row = np.empty(repeat * width, dtype=array.dtype)
    wide_row.reshape(repeat, width)[...] = row  # the row, repeated
    wide_rows = array.reshape(rows // repeat, repeat * width)  # a view: same memory
    wide_rows += wide_row


def column_sums(matrix: np.ndarray) -> np.ndarray:
    """``matrix.sum(axis=0)`` of a 2-D matrix, as ``ones @ matrix`` (BLAS)."""
    return np.ones(matrix.shape[0], dtype=matrix.dtype) @ matrix
