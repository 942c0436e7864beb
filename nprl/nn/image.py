"""``ImageInput``: the first layer of a convolutional network on raw frames.

Pixel observations stay compact (uint8 Atari frames, bool MinAtar planes) in the replay
buffer and on their way into the network. This layer is where they become numbers:

    y = x * scale          in float32 (or the layer's dtype), once per forward
    scale = 1/255 for uint8, 1 for bool and floats (integers: 1 / their largest value)

It is also the one place that fixes the channel order: with ``channels_last=True`` it
takes (N, H, W, C) frames (MinAtar's layout) and hands on (N, C, H, W), the layout
:class:`~nprl.nn.conv.Conv2D` expects. It does so without moving data twice: the float
copy keeps the frames' own memory order and the NCHW result is a *view* of it, which is
the order Conv2D reads fastest in each case (channels-last memory: im2col; channels-first
memory, as Atari's stacked frames: space-to-depth, see nprl.nn.space_to_depth).

``forward`` writes into one buffer that the next ``forward`` overwrites (only the next
layer reads it, and copies what it keeps); ``predict`` returns a fresh array.

With ``defer=True`` (only for a layer followed by a :class:`~nprl.nn.conv.Conv2D`) the
layer hands on :class:`DeferredFrames` instead: the frames as stored, with the scale and
dtype this layer decided. The convolution rearranges the compact frames into its own
layout first and converts the result with :meth:`DeferredFrames.convert`, so the frames
are read once rather than converted here and copied there (Nature's first layer: the
float copy of 4x84x84 frames is never made). The numbers are the same either way.

The layer has no parameters; a network's backward never needs dL/d(frames), so
``Sequential.backward(..., input_grad=False)`` does not call it (nor anything before the
first layer that has parameters).
"""

from __future__ import annotations

import numpy as np

from nprl.nn.layer import Layer, check_dtype, register_layer


def input_scale(dtype) -> float:
    """The factor that maps values of ``dtype`` to [0, 1]: 1/255 for uint8, 1 for bool
    and floats, 1/max for other unsigned integer types."""
    dtype = np.dtype(dtype)
    if dtype.kind == "u":
        return 1.0 / float(np.iinfo(dtype).max)
    if dtype.kind in "bf":
        return 1.0
    raise ValueError(f"ImageInput takes unsigned integer, bool or float frames, got {dtype}")


class DeferredFrames:
    """Frames whose conversion to ``frames * scale`` in ``dtype`` is left to the next layer.

    ``frames`` is the (N, C, H, W) view of the frames as stored (uint8, bool or float);
    ``convert`` applies the conversion to them or to any copy of them, rearranged or not
    (element-wise, so the order does not matter); ``array()`` or ``np.asarray`` gives
    exactly what ``ImageInput`` returns without deferral.
    """

    __slots__ = ("dtype", "frames", "scale")

    def __init__(self, frames: np.ndarray, scale: float, dtype: np.dtype) -> None:
        self.frames, self.scale, self.dtype = frames, scale, dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return self.frames.shape

    def convert(self, values: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out = values * scale``, computed in ``dtype`` (one pass); returns ``out``."""
        if self.scale == 1.0:
            np.copyto(out, values, casting="unsafe")
        else:
            np.multiply(values, self.dtype.type(self.scale), out=out, casting="unsafe")
        return out

    def array(self, out: np.ndarray | None = None) -> np.ndarray:
        """The converted frames, in the frames' own memory order (or into ``out``)."""
        if out is None:
            out = np.empty_like(self.frames, dtype=self.dtype)
        return self.convert(self.frames, out)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self.array()
        return out if dtype is None else out.astype(dtype, copy=False)


@register_layer
class ImageInput(Layer):
    """Frames (uint8, bool or float) -> float NCHW in [0, 1].

    Parameters
    ----------
    channels_last : bool
        True if frames arrive as (N, H, W, C) (MinAtar), False if (N, C, H, W) (Atari's
        stacked frames, PyTorch's convention).
    dtype : numpy dtype
        Output dtype, float32 (default) or float64.
    defer : bool
        Hand the next layer (a Conv2D) :class:`DeferredFrames` and let it convert the
        frames as it copies them into its own layout (module docstring).

    Shapes
    ------
    x : (N, C, H, W) or (N, H, W, C) -> y : (N, C, H, W) in ``dtype``
    """

    def __init__(self, channels_last: bool = False, dtype=np.float32,
                 defer: bool = False) -> None:
        super().__init__()
        self.channels_last = bool(channels_last)
        self.dtype = check_dtype(dtype)
        self.defer = bool(defer)
        self._scale = 1.0
        self._out: np.ndarray | None = None  # reused output buffer (the input's layout)

    def _convert(self, x: np.ndarray) -> np.ndarray | DeferredFrames:
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"ImageInput expects a batch of images (N, C, H, W) or "
                             f"(N, H, W, C), got shape {x.shape}")
        nchw = x.transpose(0, 3, 1, 2) if self.channels_last else x
        frames = DeferredFrames(nchw, input_scale(x.dtype), self.dtype)
        if self.defer:
            return frames
        out = self._out  # in the frames' own memory order
        if out is None or out.shape != x.shape or out.dtype != self.dtype:
            out = self._out = np.empty(x.shape, dtype=self.dtype)
        return frames.array(out.transpose(0, 3, 1, 2) if self.channels_last else out)

    def forward(self, x: np.ndarray) -> np.ndarray | DeferredFrames:
        self._scale = input_scale(np.asarray(x).dtype)  # for backward
        return self._convert(x)

    def predict(self, x: np.ndarray) -> np.ndarray | DeferredFrames:
        # A fresh array (the caller may keep it), and forward's buffer left as it was.
        kept, self._out = self._out, None
        out = self._convert(x)
        self._out = kept
        return out

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        grad = grad_y * self._scale if self._scale != 1.0 else grad_y
        return grad.transpose(0, 2, 3, 1) if self.channels_last else grad

    def _clear_cache(self) -> None:
        self._out = None

    def config(self) -> dict:
        return {"type": "ImageInput", "channels_last": self.channels_last,
                "dtype": self.dtype.name, "defer": self.defer}
