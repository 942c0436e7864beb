"""``Conv2D``: 2-D convolution (cross-correlation, as in PyTorch) on NCHW batches.

Vectorised with im2col: every receptive field becomes one row of a matrix ``cols``
(copied from a strided view of the input's windows, in channels-last order), so the
whole convolution of the whole batch is one matrix product:

    cols : (N*Ho*Wo, kh*kw*C)      W_mat : (kh*kw*C, O)
    y    = cols @ W_mat + b        -> (N, Ho, Wo, O) -> NCHW view (no copy)

Backward reuses ``cols``: dW = cols.T @ dy_mat, db = sum(dy); dx gets, for each kernel
offset (i, j), dy_mat @ W[:, :, i, j] added onto the (padded) input pixels that offset
read: kh*kw products and strided adds, a loop over the kernel, never over pixels or
samples. The first layer of a network is asked for ``backward_params`` only and skips dx.

A strided layer whose stride divides its kernel, fed channels-first memory (Atari frames
from ImageInput), goes by space-to-depth instead: no im2col matrix, see
nprl/nn/space_to_depth.py. Given ``DeferredFrames`` (``ImageInput(defer=True)``), it
rearranges the compact frames into blocks first and converts them to floats there.
Large temporaries live in a reused ``Workspace``.

Output size: Ho = (H + 2 padding - kh) // stride + 1 (likewise Wo).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from nprl.checks import whole_number
from nprl.nn import space_to_depth
from nprl.nn.image import DeferredFrames
from nprl.nn.init import get_initializer, zeros
from nprl.nn.layer import Layer, check_dtype, make_rng, register_layer
from nprl.nn.parameter import Parameter
from nprl.nn.rowops import add_row, column_sums
from nprl.nn.workspace import Workspace

SHORT_RUN = 16  # values per kernel row up to which im2col copies whole rows as one element


def _pair(value, name: str, minimum: int = 1) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(3, 5)`` stays; anything but whole numbers >= ``minimum``
    raises ``ValueError`` naming ``name``."""
    pair = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be a whole number or a pair of them, got {value!r}")
    return (whole_number(pair[0], name, minimum), whole_number(pair[1], name, minimum))


@register_layer
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
        # What backward needs from the last forward: its windows (N, Ho, Wo, kh, kw, C),
        # or its space-to-depth blocks (N, Hs, Ws, C*sh*sw); both live in the workspace.
        self._cols: np.ndarray | None = None
        self._blocks: np.ndarray | None = None
        self._input_shape: tuple[int, ...] | None = None
        self._work = Workspace()

    def _output_size(self, h: int, w: int) -> tuple[int, int]:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1

    def _check(self, x) -> tuple[np.ndarray | DeferredFrames, int, int]:
        if not isinstance(x, DeferredFrames):
            x = np.asarray(x)
        if len(x.shape) != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2D({self.in_channels}, {self.out_channels}) expects NCHW input "
                f"(N, {self.in_channels}, H, W), got shape {x.shape}"
            )
        ho, wo = self._output_size(*x.shape[2:])
        if ho < 1 or wo < 1:
            raise ValueError(f"Conv2D: input {x.shape[2]}x{x.shape[3]} is smaller than the "
                             f"kernel {self.kernel_size}")
        return x, ho, wo

    def _blocks_path(self, x: np.ndarray) -> bool:
        """Space-to-depth (see nprl.nn.space_to_depth) for channels-first memory, where
        im2col would gather single scattered values; im2col for channels-last memory."""
        return x.flags.c_contiguous and space_to_depth.usable(
            self.kernel_size, self.stride, self.padding)

    def _im2col(self, x: np.ndarray, ho: int, wo: int, name: str) -> np.ndarray:
        """Windows (N, Ho, Wo, kh, kw, C), copied into the workspace array ``name``."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        # Work channels-last (NHWC): each row of cols is then made of kh runs of kw*C
        # contiguous values, which copies far faster than single scattered floats. (An
        # NCHW view of NHWC memory, as Conv2D and ImageInput return, costs nothing here.)
        channels_first = x.flags.c_contiguous and x.shape[1] > 1
        x = x.transpose(0, 2, 3, 1)
        if ph or pw:
            x = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
        elif channels_first:  # one transposing copy first: then runs of kw*C, not of 1
            nhwc = self._work.get("nhwc", x.shape, x.dtype)
            np.copyto(nhwc, x)
            x = nhwc
        n, c = x.shape[0], x.shape[3]
        out = self._work.get(name, (n, ho, wo, kh, kw, c), self.dtype)
        sn, sy, sx, sc = x.strides
        if kw * c <= SHORT_RUN and x.dtype == self.dtype and x.flags.c_contiguous:
            # Each kernel row of a window is kw*C contiguous values; when that run is short,
            # numpy's per-run loop overhead dominates the copy, so move each run as one
            # opaque element (a void element: one memcpy). MinAtar's windows: 32 -> 19 us.
            run = np.dtype((np.void, kw * c * x.itemsize))
            rows = np.ndarray((n, ho, wo, kh), run, x, 0, (sn, sy * sh, sx * sw, sy))
            np.copyto(np.ndarray((n, ho, wo, kh), run, out), rows)
            return out
        # The windows as a strided view (N, Ho, Wo, kh, kw, C) of x (what numpy's
        # sliding_window_view gives, built directly: its checks cost more than a small
        # convolution), then one copy that also converts the dtype.
        windows = as_strided(x, shape=out.shape, strides=(sn, sy * sh, sx * sw, sy, sx, sc),
                             writeable=False)
        np.copyto(out, windows, casting="same_kind" if x.dtype.kind == "f" else "unsafe")
        return out

    def _weight_matrix(self) -> np.ndarray:
        """The weight as (kh*kw*C, O), matching the (i, j, c) order of a cols row."""
        return self.weight.data.transpose(2, 3, 1, 0).reshape(-1, self.out_channels)

    def _kernel_blocks(self) -> tuple[int, int]:
        return self.kernel_size[0] // self.stride[0], self.kernel_size[1] // self.stride[1]

    def _compute(self, x, training: bool) -> np.ndarray:
        x, ho, wo = self._check(x)
        # predict has its own workspace arrays: it may run between forward and backward.
        suffix = "" if training else "_predict"
        n = x.shape[0]
        deferred = isinstance(x, DeferredFrames)  # frames from ImageInput(defer=True)
        if deferred and not self._blocks_path(x.frames):
            x = x.array()
            deferred = False
        if deferred or self._blocks_path(x):
            bh, bw = self._kernel_blocks()
            sh, sw = self.stride
            shape = (n, ho - 1 + bh, wo - 1 + bw, self.in_channels, sh, sw)
            blocks = self._work.get("blocks" + suffix, shape, self.dtype)
            if deferred:  # rearrange the compact frames, then convert them
                frame_blocks = self._work.get("frame_blocks" + suffix, shape, x.frames.dtype)
                space_to_depth.to_blocks(x.frames, self.stride, frame_blocks)
                blocks = x.convert(frame_blocks, blocks).reshape(*shape[:3], -1)
            else:
                blocks = space_to_depth.to_blocks(x, self.stride, blocks)
            weights = space_to_depth.block_weights(self.weight.data, self.stride)
            scratch = self._work.get("product", (n * shape[1] * shape[2], self.out_channels),
                                     self.dtype)
            y = space_to_depth.forward(blocks, weights, scratch)  # y in its [:Ho, :Wo] corner
            if training:
                self._blocks, self._cols, self._input_shape = blocks, None, x.shape
        else:
            cols6 = self._im2col(x, ho, wo, "cols" + suffix)
            if training:
                self._cols, self._blocks, self._input_shape = cols6, None, x.shape
            y = (cols6.reshape(n * ho * wo, -1) @ self._weight_matrix()).reshape(
                n, ho, wo, self.out_channels)
        if self.bias is not None:  # (on the whole space-to-depth grid: one contiguous pass)
            add_row(y, self.bias.data)
        return y[:, :ho, :wo].transpose(0, 3, 1, 2)  # NCHW view of channels-last memory

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self._compute(x, training=True)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._compute(x, training=False)

    def _param_grads(self, grad_y: np.ndarray) -> np.ndarray:
        """Accumulate dW and db; return dy as a (rows, O) matrix: (N*Ho*Wo, O) on the
        im2col path, the zero-padded (N*Hs*Ws, O) grid on the space-to-depth path."""
        if self._input_shape is None:
            raise RuntimeError("Conv2D.backward called before forward")
        grad_y = np.asarray(grad_y, dtype=self.dtype)
        if self._blocks is not None:
            n, hs, ws = self._blocks.shape[:3]
            grad_mat = space_to_depth.full_grid(grad_y, self._work.get(
                "grad_grid", (n, hs, ws, self.out_channels), self.dtype))
            grad_w = space_to_depth.weight_gradient(
                self._blocks, grad_mat, self._kernel_blocks(), self.stride,
                self.weight.data.shape)
        else:
            n, ho, wo = self._cols.shape[:3]
            cols = self._cols.reshape(n * ho * wo, -1)
            # A free reshape when dy is an NCHW view of NHWC memory (what ReLU hands back).
            grad_mat = grad_y.transpose(0, 2, 3, 1).reshape(n * ho * wo, self.out_channels)
            o, c, kh, kw = self.weight.data.shape
            # cols.T @ dy measured faster than dy.T @ cols for these tall, thin matrices.
            grad_w = (cols.T @ grad_mat).reshape(kh, kw, c, o).transpose(3, 2, 0, 1)
        self.weight.grad += grad_w
        if self.bias is not None:
            # Column sums as a product with ones (nprl/nn/rowops.py): BLAS reads the tall
            # matrix once, in order. Padded rows are zero.
            self.bias.grad += column_sums(grad_mat)
        return grad_mat

    def backward_params(self, grad_y: np.ndarray) -> None:
        self._param_grads(grad_y)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        grad_mat = self._param_grads(grad_y)
        if self._blocks is not None:
            weights = space_to_depth.block_weights(self.weight.data, self.stride)
            shape = self._blocks.shape
            grad_blocks = space_to_depth.input_gradient(
                grad_mat, weights, self._work.get("grad_blocks", shape, self.dtype),
                self._work.get("grad_product", (shape[0] * shape[1] * shape[2], shape[3]),
                               self.dtype))
            return space_to_depth.from_blocks(grad_blocks, self.stride, self._input_shape)
        n, c, h, w = self._input_shape
        ho, wo = self._cols.shape[1:3]
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        if space_to_depth.usable(self.kernel_size, self.stride, self.padding):
            bh, bw = self._kernel_blocks()
            grad_x = space_to_depth.channels_last_input_gradient(
                grad_mat, self.weight.data, self.stride, self._input_shape,
                self._work.get("grad_blocks", (n, ho - 1 + bh, wo - 1 + bw, sh, sw, c),
                               self.dtype),
                self._work.get("grad_product", (n * ho * wo, sh * sw * c), self.dtype))
            return grad_x.transpose(0, 3, 1, 2)
        # dx: each kernel offset (i, j) sends dy @ W[:, :, i, j] back to the input pixels it
        # read: one product and one strided add per offset, onto the padded input (NHWC).
        # (One big product dy @ W_mat followed by the adds measured slower: its slices are
        # scattered in memory, these small products land contiguous and in cache.)
        grad_padded = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=grad_mat.dtype)
        weight = self.weight.data
        product = self._work.get("grad_product", (n * ho * wo, c), self.dtype)
        contribution = product.reshape(n, ho, wo, c)
        for i in range(kh):
            for j in range(kw):
                np.matmul(grad_mat, weight[:, :, i, j], out=product)
                grad_padded[:, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] += (
                    contribution
                )
        return grad_padded[:, ph : ph + h, pw : pw + w].transpose(0, 3, 1, 2)

    def _clear_cache(self) -> None:
        self._cols = self._blocks = self._input_shape = None
        self._work.clear()

    def config(self) -> dict:
        return {
            "type": "Conv2D", "in_channels": self.in_channels, "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size), "stride": list(self.stride),
            "padding": list(self.padding), "init": self.init, "bias": self.bias is not None,
            "dtype": self.dtype.name,
        }
