"""``Conv2D``: 2-D convolution (cross-correlation, as in PyTorch) on NCHW batches.

Vectorised with im2col: every receptive field becomes one row of a matrix ``cols``
(built from a strided view, ``sliding_window_view``, of the input in channels-last
order), so the whole convolution of the whole batch is one matrix product:

    cols : (N*Ho*Wo, kh*kw*C)      W_mat : (O, kh*kw*C)
    y    = cols @ W_mat.T + b      -> (N, Ho, Wo, O) -> NCHW view

Backward reuses ``cols``: dW = dy_mat.T @ cols, db = sum(dy); dx gets, for each kernel
offset (i, j), dy_mat @ W[:, :, i, j] added onto the (padded) input pixels that offset
read: kh*kw products and strided adds, a loop over the kernel, never over pixels or
samples.

Output size: Ho = (H + 2 padding - kh) // stride + 1 (likewise Wo).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nprl.nn.checks import whole_number
from nprl.nn.init import get_initializer, zeros
from nprl.nn.layer import Layer, check_dtype, make_rng
from nprl.nn.parameter import Parameter


def _pair(value, name: str, minimum: int = 1) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(3, 5)`` stays; anything but whole numbers >= ``minimum``
    raises ``ValueError`` naming ``name``."""
    pair = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be a whole number or a pair of them, got {value!r}")
    return (whole_number(pair[0], name, minimum), whole_number(pair[1], name, minimum))


class Conv2D(Layer):
    """2-D convolution layer.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int)
    padding : int or (int, int)
        Zeros added on each side of H and W.
    init : str
        Weight initialiser (default ``"he_uniform"``: convolutions are nearly always
        followed by ReLU).
    bias : bool
    dtype : numpy dtype
    rng : numpy Generator, int or None

    Attributes
    ----------
    weight : Parameter, shape (out_channels, in_channels, kh, kw)
    bias : Parameter, shape (out_channels,), or None

    Shapes
    ------
    x : (N, in_channels, H, W) -> y : (N, out_channels, Ho, Wo)
    """

    _param_names = ("weight", "bias")

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 init: str = "he_uniform", bias: bool = True, dtype=np.float32,
                 rng=None) -> None:
        super().__init__()
        self.in_channels = whole_number(in_channels, "Conv2D in_channels")
        self.out_channels = whole_number(out_channels, "Conv2D out_channels")
        self.kernel_size = _pair(kernel_size, "Conv2D kernel_size")
        self.stride = _pair(stride, "Conv2D stride")
        self.padding = _pair(padding, "Conv2D padding", minimum=0)
        self.init = init
        self.dtype = check_dtype(dtype)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Parameter(get_initializer(init)(shape, make_rng(rng), self.dtype), "weight")
        self.bias = Parameter(zeros(self.out_channels, dtype=self.dtype), "bias") if bias else None
        self._cache = None

    def _output_size(self, h: int, w: int) -> tuple[int, int]:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1

    def _im2col(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2D({self.in_channels}, {self.out_channels}) expects NCHW input "
                f"(N, {self.in_channels}, H, W), got shape {x.shape}"
            )
        n, c, h, w = x.shape
        ho, wo = self._output_size(h, w)
        if ho < 1 or wo < 1:
            raise ValueError(f"Conv2D: input {h}x{w} is smaller than the kernel {self.kernel_size}")
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        # Work channels-last (NHWC): each row of cols is then made of kh*kw runs of C
        # contiguous values, which copies far faster than single scattered floats.
        x = x.transpose(0, 2, 3, 1)
        if ph or pw:
            x = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
        windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::sh, ::sw][:, :ho, :wo]
        # (N, Ho, Wo, C, kh, kw) -> (N, Ho, Wo, kh, kw, C) -> rows of kh*kw*C
        cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * ho * wo, kh * kw * c)
        return cols, (ho, wo)

    def _weight_matrix(self) -> np.ndarray:
        """The weight as (O, kh*kw*C), matching the (i, j, c) order of a cols row."""
        return self.weight.data.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)

    def _apply(self, cols: np.ndarray, n: int, ho: int, wo: int) -> np.ndarray:
        y = cols @ self._weight_matrix().T
        if self.bias is not None:
            y += self.bias.data
        return y.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2)

    def forward(self, x: np.ndarray) -> np.ndarray:
        cols, (ho, wo) = self._im2col(x)
        self._cache = (cols, x.shape, ho, wo)
        return self._apply(cols, x.shape[0], ho, wo)

    def predict(self, x: np.ndarray) -> np.ndarray:
        cols, (ho, wo) = self._im2col(x)
        return self._apply(cols, x.shape[0], ho, wo)

    def _param_grads(self, grad_y: np.ndarray) -> np.ndarray:
        """Accumulate dW and db; return dy as the (N*Ho*Wo, O) matrix."""
        if self._cache is None:
            raise RuntimeError("Conv2D.backward called before forward")
        cols, (n, _, _, _), ho, wo = self._cache
        grad_mat = grad_y.transpose(0, 2, 3, 1).reshape(n * ho * wo, self.out_channels)
        o, c, kh, kw = self.weight.data.shape
        grad_w = (grad_mat.T @ cols).reshape(o, kh, kw, c).transpose(0, 3, 1, 2)
        self.weight.add_grad(grad_w)
        if self.bias is not None:
            self.bias.add_grad(grad_mat.sum(axis=0))
        return grad_mat

    def backward_params(self, grad_y: np.ndarray) -> None:
        self._param_grads(grad_y)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        grad_mat = self._param_grads(grad_y)
        _, (n, c, h, w), ho, wo = self._cache
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        # dx: each kernel offset (i, j) sends dy @ W[:, :, i, j] back to the input pixels
        # it read; one product and one strided add per offset, onto the padded input (NHWC).
        grad_padded = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=grad_mat.dtype)
        weight = self.weight.data
        for i in range(kh):
            for j in range(kw):
                contribution = (grad_mat @ weight[:, :, i, j]).reshape(n, ho, wo, c)
                grad_padded[:, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] += (
                    contribution
                )
        return grad_padded[:, ph : ph + h, pw : pw + w].transpose(0, 3, 1, 2)

    def _clear_cache(self) -> None:
        self._cache = None

    def config(self) -> dict:
        return {
            "type": "Conv2D", "in_channels": self.in_channels, "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size), "stride": list(self.stride),
            "padding": list(self.padding), "init": self.init, "bias": self.bias is not None,
            "dtype": self.dtype.name,
        }
