"""Layer sizes and hyperparameters are checked where they enter (issue 13).

``Dense(4.7, 2)`` used to become ``Dense(4, 2)`` (``int()`` truncates), ``Conv2D(1, 2,
float("inf"))`` raised an ``OverflowError`` from deep inside, ``Dropout("0.5")`` a
``TypeError`` comparing a string with a number. Each is now a ``ValueError`` naming the
layer and the argument; whole numbers in another form (``4.0``, ``np.int64(4)``) are kept.
"""

import numpy as np
import pytest

from nprl.nn import BatchNorm, Conv2D, Dense, Dropout, LeakyReLU, MaxPool2D

INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize("build, message", [
    (lambda: Dense(4.7, 2), "Dense in_features must be a whole number"),
    (lambda: Dense(4, 2.5), "Dense out_features must be a whole number"),
    (lambda: Dense(0, 2), "Dense in_features must be >= 1"),
    (lambda: Dense(-3, 2), "Dense in_features must be >= 1"),
    (lambda: Dense("4", 2), "Dense in_features must be a whole number"),
    (lambda: Dense(True, 2), "Dense in_features must be a whole number"),
    (lambda: Dense(INF, 2), "Dense in_features must be a whole number"),
    (lambda: Dense(NAN, 2), "Dense in_features must be a whole number"),
    (lambda: Dense(None, 2), "Dense in_features must be a whole number"),
    (lambda: Conv2D(1.5, 2, 3), "Conv2D in_channels must be a whole number"),
    (lambda: Conv2D(1, 0, 3), "Conv2D out_channels must be >= 1"),
    (lambda: Conv2D(1, 2, INF), "Conv2D kernel_size must be a whole number"),
    (lambda: Conv2D(1, 2, (3, 2.5)), "Conv2D kernel_size must be a whole number"),
    (lambda: Conv2D(1, 2, (3, 3, 3)), "Conv2D kernel_size must be a whole number or a pair"),
    (lambda: Conv2D(1, 2, "3"), "Conv2D kernel_size must be a whole number"),
    (lambda: Conv2D(1, 2, 3, stride=0), "Conv2D stride must be >= 1"),
    (lambda: Conv2D(1, 2, 3, padding=-1), "Conv2D padding must be >= 0"),
    (lambda: Conv2D(1, 2, 3, padding=0.5), "Conv2D padding must be a whole number"),
    (lambda: MaxPool2D(0), "MaxPool2D kernel_size must be >= 1"),
    (lambda: MaxPool2D(2.5), "MaxPool2D kernel_size must be a whole number"),
    (lambda: MaxPool2D(2, stride=NAN), "MaxPool2D stride must be a whole number"),
    (lambda: BatchNorm(3.5), "BatchNorm num_features must be a whole number"),
    (lambda: BatchNorm(0), "BatchNorm num_features must be >= 1"),
    (lambda: BatchNorm(3, momentum=2), r"BatchNorm momentum must lie in \[0, 1\]"),
    (lambda: BatchNorm(3, momentum=NAN), "BatchNorm momentum must be a finite number"),
    (lambda: BatchNorm(3, eps=0), "BatchNorm eps must be > 0"),
    (lambda: Dropout("0.5"), "Dropout probability must be a finite number"),
    (lambda: Dropout(1.0), r"Dropout probability must be in \[0, 1\)"),
    (lambda: Dropout(NAN), "Dropout probability must be a finite number"),
    (lambda: LeakyReLU(INF), "LeakyReLU slope must be a finite number"),
])
def test_a_size_that_cannot_be_is_refused_naming_it(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_whole_numbers_in_other_forms_are_kept():
    dense = Dense(np.int64(4), 2.0)
    assert dense.weight.data.shape == (4, 2) and type(dense.in_features) is int
    conv = Conv2D(np.int32(1), 2, [3, 3], stride=np.int64(2), padding=1.0)
    assert conv.kernel_size == (3, 3) and conv.stride == (2, 2) and conv.padding == (1, 1)
    assert MaxPool2D(2).stride == (2, 2) and BatchNorm(np.int64(3)).num_features == 3
