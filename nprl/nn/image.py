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

    Shapes
    ------
    x : (N, C, H, W) or (N, H, W, C) -> y : (N, C, H, W) in ``dtype``
    """

    def __init__(self, channels_last: bool = False, dtype=np.float32) -> None:
        super().__init__()
        self.channels_last = bool(channels_last)
        self.dtype = check_dtype(dtype)
        self._scale = 1.0
        self._out: np.ndarray | None = None  # reused output buffer (the input's layout)

    def _convert(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"ImageInput expects a batch of images (N, C, H, W) or "
                             f"(N, H, W, C), got shape {x.shape}")
        scale = input_scale(x.dtype)
        out = self._out
        if out is None or out.shape != x.shape or out.dtype != self.dtype:
            out = self._out = np.empty(x.shape, dtype=self.dtype)
        if scale == 1.0:
            np.copyto(out, x, casting="unsafe")
        else:
            np.multiply(x, self.dtype.type(scale), out=out, casting="unsafe")
        return out.transpose(0, 3, 1, 2) if self.channels_last else out

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._scale = input_scale(np.asarray(x).dtype)  # for backward
        return self._convert(x)

    def predict(self, x: np.ndarray) -> np.ndarray:
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
                "dtype": self.dtype.name}
