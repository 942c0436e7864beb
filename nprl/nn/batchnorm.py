"""``BatchNorm``: normalise each channel over the batch (Ioffe & Szegedy 2015).

Works on ``(N, C)`` (statistics over N) and ``(N, C, H, W)`` (over N, H, W).  In train
mode it normalises with the batch mean and biased variance and updates running
statistics (running_var with the *unbiased* variance, as PyTorch does); in eval mode
and in ``predict`` it uses the running statistics.

Backward in train mode, with m elements per channel, x_hat = (x - mean) / std:

    dgamma = sum(dy * x_hat),   dbeta = sum(dy),   dxh = dy * gamma
    dx = (dxh - mean(dxh) - x_hat * mean(dxh * x_hat)) / std
"""

from __future__ import annotations

import numpy as np

from nprl.checks import real_number, whole_number
from nprl.nn.layer import Layer, check_dtype, register_layer
from nprl.nn.parameter import Parameter


@register_layer
class BatchNorm(Layer):
    """Batch normalisation with learnable scale and shift.

    Parameters
    ----------
    num_features : int
        Number of channels C.
    momentum : float
        running = (1 - momentum) * running + momentum * batch_statistic.
    eps : float
        Added to the variance before the square root.
    dtype : numpy dtype

    Attributes
    ----------
    weight, bias : Parameter, shape (C,)  (scale gamma = 1 and shift beta = 0 initially)
    running_mean, running_var : ndarray, shape (C,)  (buffers, saved with the model)
    """

    _param_names = ("weight", "bias")
    _buffer_names = ("running_mean", "running_var")

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5,
                 dtype=np.float32) -> None:
        super().__init__()
        self.num_features = whole_number(num_features, "BatchNorm num_features")
        self.momentum = real_number(momentum, "BatchNorm momentum", minimum=0.0, maximum=1.0)
        self.eps = real_number(eps, "BatchNorm eps", above=0.0)
        self.dtype = check_dtype(dtype)
        self.weight = Parameter(np.ones(self.num_features, self.dtype), "weight")
        self.bias = Parameter(np.zeros(self.num_features, self.dtype), "bias")
        self.running_mean = np.zeros(self.num_features, self.dtype)
        self.running_var = np.ones(self.num_features, self.dtype)
        self._cache = None

    def _axes_and_shape(self, x: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if x.ndim not in (2, 4) or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm({self.num_features}) expects (N, {self.num_features}) or "
                f"(N, {self.num_features}, H, W) input, got shape {x.shape}"
            )
        if x.ndim == 2:
            return (0,), (1, self.num_features)
        return (0, 2, 3), (1, self.num_features, 1, 1)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        axes, shape = self._axes_and_shape(x)
        if not self.training:
            return self._eval_forward(x, shape, cache=True)
        count = x.size // self.num_features
        if count < 2:
            raise ValueError("BatchNorm in train mode needs more than one value per channel")
        mean = x.mean(axis=axes)
        centered = x - mean.reshape(shape)
        var = np.mean(centered * centered, axis=axes)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = centered * inv_std.reshape(shape)
        momentum = self.momentum
        self.running_mean *= 1.0 - momentum
        self.running_mean += momentum * mean
        self.running_var *= 1.0 - momentum
        self.running_var += (momentum * count / (count - 1)) * var
        self._cache = ("train", x_hat, inv_std, axes, shape)
        return x_hat * self.weight.data.reshape(shape) + self.bias.data.reshape(shape)

    def _eval_forward(self, x, shape, cache: bool) -> np.ndarray:
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        x_hat = (x - self.running_mean.reshape(shape)) * inv_std.reshape(shape)
        if cache:
            axes = (0,) if x.ndim == 2 else (0, 2, 3)
            self._cache = ("eval", x_hat, inv_std, axes, shape)
        return x_hat * self.weight.data.reshape(shape) + self.bias.data.reshape(shape)

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        _, shape = self._axes_and_shape(x)
        return self._eval_forward(x, shape, cache=False)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("BatchNorm.backward called before forward")
        mode, x_hat, inv_std, axes, shape = self._cache
        self.weight.grad += np.sum(grad_y * x_hat, axis=axes)
        self.bias.grad += np.sum(grad_y, axis=axes)
        grad_x_hat = grad_y * self.weight.data.reshape(shape)
        if mode == "eval":  # running statistics are constants
            return grad_x_hat * inv_std.reshape(shape)
        mean_g = grad_x_hat.mean(axis=axes, keepdims=True)
        mean_gx = np.mean(grad_x_hat * x_hat, axis=axes, keepdims=True)
        return (grad_x_hat - mean_g - x_hat * mean_gx) * inv_std.reshape(shape)

    def _clear_cache(self) -> None:
        self._cache = None

    def config(self) -> dict:
        return {"type": "BatchNorm", "num_features": self.num_features,
                "momentum": self.momentum, "eps": self.eps, "dtype": self.dtype.name}
