"""Checks of lesson 11 (convolutional networks): the output-size formula (debug
exercise), im2col, a convolution's forward pass against ``nprl.nn.Conv2D`` and max
pooling against ``nprl.nn.MaxPool2D``.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    reject_mistakes,
    reject_planted_bug,
    sample,
)

# (n, k, stride, padding): MNIST 5x5, the Nature DQN's three layers, padded cases.
SIZES = [(28, 5, 1, 0), (84, 8, 4, 0), (20, 4, 2, 0), (9, 3, 1, 0), (28, 3, 1, 1), (7, 3, 2, 1)]


def _truth_size(n: int, k: int, stride: int, padding: int) -> int:
    """The output size nprl's Conv2D really produces."""
    conv = nn.Conv2D(1, 1, k, stride=stride, padding=padding, dtype=np.float64)
    return conv.predict(np.zeros((1, 1, n, n))).shape[-1]


@check
def check_conv_output_size(conv_output_size):
    got = [conv_output_size(n, k, s, p) for n, k, s, p in SIZES]
    reject_planted_bug(got, [(n + 2 * p - k) // s for n, k, s, p in SIZES],
                       "the planted bug is still there: 28 pixels and a 5x5 filter give 23 "
                       "positions, nn.Conv2D makes 24")
    for value, (n, k, s, p) in zip(got, SIZES):
        truth = _truth_size(n, k, s, p)
        if value != truth:
            raise Wrong(f"conv_output_size(n={n}, k={k}, stride={s}, padding={p}) is "
                        f"{value}, but nn.Conv2D makes {truth}")


def _reference_im2col(x: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """Rows (n, i, j), columns (c, a, b): the plainest loops, as the truth."""
    n, _, h, w = x.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    return np.array([x[s, :, i * stride:i * stride + kh, j * stride:j * stride + kw].ravel()
                     for s in range(n) for i in range(ho) for j in range(wo)])


@check
def check_im2col(im2col):
    x = sample((2, 3, 6, 5), seed=110)
    for kh, kw, stride in [(3, 2, 1), (2, 2, 2), (3, 3, 2)]:
        expect_close(im2col(x.copy(), kh, kw, stride), _reference_im2col(x, kh, kw, stride),
                     what=f"im2col(x, kh={kh}, kw={kw}, stride={stride})")


@check
def check_conv2d_forward(conv2d_forward):
    x, W, b = sample((2, 3, 7, 6), seed=111), sample((4, 3, 3, 3), seed=112), sample(4, seed=113)
    for stride in (1, 2):
        conv = nn.Conv2D(3, 4, 3, stride=stride, dtype=np.float64)
        conv.weight.data[...] = W
        conv.bias.data[...] = b
        truth = conv.forward(x)
        got = conv2d_forward(x.copy(), W.copy(), b.copy(), stride)
        flipped = nn.Conv2D(3, 4, 3, stride=stride, dtype=np.float64)
        flipped.weight.data[...] = W[:, :, ::-1, ::-1]
        flipped.bias.data[...] = b
        reject_mistakes(got, {"you flipped the filter: deep learning's 'convolution' slides "
                              "the filter as it is (cross-correlation), no flip":
                              flipped.forward(x)})
        expect_close(got, truth, what=f"conv2d_forward(x, W, b, stride={stride})")


@check
def check_maxpool2d(maxpool2d):
    for k, shape in [(2, (2, 3, 6, 8)), (3, (1, 2, 6, 9))]:
        x = sample(shape, seed=114 + k)
        truth = nn.MaxPool2D(k).forward(x)
        got = maxpool2d(x.copy(), k)
        n, c, h, w = shape
        mean_pool = x.reshape(n, c, h // k, k, w // k, k).mean(axis=(3, 5))
        reject_mistakes(got, {"you averaged each window: max pooling keeps the largest value":
                              mean_pool})
        expect_close(got, truth, what=f"maxpool2d(x, k={k}) for x of shape {shape}")
