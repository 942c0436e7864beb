"""Build the Q-network a :class:`~nprl.rl.config.DQNConfig` describes.

``config.network`` picks the body; the output is either ``Dense(features, n_actions)``
or a :class:`~nprl.nn.DuelingHead` (``config.dueling``), on every body:

- ``"mlp"``: ``Dense -> activation`` for each width in ``hidden_sizes`` (observations of
  more than one axis are flattened first).
- ``"nature_cnn"`` (Mnih et al. 2015): 32@8x8 stride 4, 64@4x4 stride 2, 64@3x3 stride 1,
  Dense 512, all ReLU -- for 84x84 Atari frames (any image of at least 36x36).
- ``"minatar_cnn"`` (Young & Tian 2019): 16@3x3 stride 1, Dense 128, ReLU -- for
  MinAtar's 10x10 grids.
- ``"auto"``: a CNN for image observations (3 axes: Nature's if the image is at least
  36 pixels on its short side, else MinAtar's), the MLP for everything else.

A CNN takes observations exactly as the environment gives them, ``(B, *obs_shape)`` in
their own dtype (uint8 frames, bool planes); its first layer, :class:`~nprl.nn.ImageInput`,
scales them to [0, 1] in float32 and fixes the channel order (:func:`image_layout`). The
result is a plain ``nprl.nn.Sequential``, so everything the NN engine offers (save/load,
gradcheck, copy) works on it, and a user may pass any ``Sequential`` of their own instead.
"""

from __future__ import annotations

from typing import NamedTuple

import gymnasium as gym
import numpy as np

from nprl.nn import space_to_depth
from nprl.nn.activations import ACTIVATIONS, ReLU
from nprl.nn.conv import Conv2D
from nprl.nn.dense import Dense
from nprl.nn.dueling import DuelingHead
from nprl.nn.image import ImageInput
from nprl.nn.layer import Layer
from nprl.nn.reshape import Flatten
from nprl.nn.sequential import Sequential
from nprl.rl.config import DQNConfig

# (out_channels, kernel, stride) of each convolution, then the hidden Dense width.
NATURE_CONVS = ((32, 8, 4), (64, 4, 2), (64, 3, 1))
NATURE_HIDDEN = 512
MINATAR_CONVS = ((16, 3, 1),)
MINATAR_HIDDEN = 128
NATURE_MIN_SIZE = 36  # the smallest image the Nature CNN's three convolutions accept


class ImageLayout(NamedTuple):
    """Where the channels are in one observation, and the image's size."""

    channels: int
    height: int
    width: int
    channels_last: bool


def image_layout(obs_shape: tuple[int, ...]) -> ImageLayout:
    """Read (C, H, W) or (H, W, C) from a 3-axis observation shape.

    The channel axis is the smaller of the two end axes; a tie counts as channels-last,
    so (4, 84, 84) (Atari's stacked frames) is channels-first, and (10, 10, 4) and
    (10, 10, 10) (MinAtar's planes) are channels-last.
    """
    if len(obs_shape) != 3:
        raise ValueError(f"an image observation has 3 axes, got shape {tuple(obs_shape)}")
    first, middle, last = (int(d) for d in obs_shape)
    if last <= first:
        return ImageLayout(last, first, middle, True)
    return ImageLayout(first, middle, last, False)


def resolve_network(requested: str, obs_shape: tuple[int, ...]) -> str:
    """The network family (``config.network``) for observations of ``obs_shape``:
    ``requested`` itself unless it is "auto"."""
    if requested != "auto":
        return requested
    if len(obs_shape) != 3:
        return "mlp"
    layout = image_layout(obs_shape)
    return "nature_cnn" if min(layout.height, layout.width) >= NATURE_MIN_SIZE else "minatar_cnn"


def _output_size(size: int, kernel: int, stride: int) -> int:
    return (size - kernel) // stride + 1


def _head(width: int, n_actions: int, config: DQNConfig, dtype, rng) -> Layer:
    if config.dueling:
        return DuelingHead(width, n_actions, init=config.init, dtype=dtype, rng=rng)
    return Dense(width, n_actions, init=config.init, dtype=dtype, rng=rng)


def _mlp(obs_shape: tuple[int, ...], n_actions: int, config: DQNConfig, dtype, rng) -> Sequential:
    activation = ACTIVATIONS[config.activation]
    net = Sequential()
    if len(obs_shape) > 1:
        net.add(Flatten())
    width = int(np.prod(obs_shape))
    for hidden in config.hidden_sizes:
        net.add(Dense(width, int(hidden), init=config.init, dtype=dtype, rng=rng))
        net.add(activation())
        width = int(hidden)
    return net.add(_head(width, n_actions, config, dtype, rng))


def build_cnn(obs_shape: tuple[int, ...], n_actions: int, config: DQNConfig,
              rng: np.random.Generator, convs: tuple[tuple[int, int, int], ...],
              hidden: int) -> Sequential:
    """``ImageInput -> (Conv2D -> ReLU) per entry of convs -> Flatten -> Dense(hidden) ->
    ReLU -> head``: the shape of both of nprl's CNNs (``convs`` lists ``(out_channels,
    kernel, stride)``; tests build narrow copies of them with it)."""
    dtype = np.dtype(config.dtype)
    layout = image_layout(obs_shape)
    # Frames the first convolution takes by space-to-depth are converted there, after
    # it has rearranged them compactly (ImageInput's docstring): one pass fewer.
    _, kernel, stride = convs[0]
    defer = not layout.channels_last and space_to_depth.usable((kernel, kernel),
                                                               (stride, stride), (0, 0))
    net = Sequential(ImageInput(channels_last=layout.channels_last, dtype=dtype, defer=defer))
    channels, height, width = layout.channels, layout.height, layout.width
    for out_channels, kernel, stride in convs:
        height, width = _output_size(height, kernel, stride), _output_size(width, kernel, stride)
        if min(height, width) < 1:
            raise ValueError(f"observations of shape {tuple(obs_shape)} are too small for "
                             f"this network's {kernel}x{kernel} convolutions; "
                             "use network='minatar_cnn' or 'mlp'")
        net.add(Conv2D(channels, out_channels, kernel, stride=stride, dtype=dtype, rng=rng))
        net.add(ReLU())
        channels = out_channels
    net.add(Flatten())
    net.add(Dense(channels * height * width, hidden, init=config.init, dtype=dtype, rng=rng))
    net.add(ReLU())
    return net.add(_head(hidden, n_actions, config, dtype, rng))


def build_q_network(
    observation: gym.spaces.Box | tuple[int, ...] | int,
    n_actions: int,
    config: DQNConfig,
    rng: np.random.Generator | None = None,
) -> Sequential:
    """Return the online Q-network: ``(B, *obs_shape) -> (B, n_actions)``.

    Parameters
    ----------
    observation : gymnasium Box, shape tuple, or int
        The observation space (or its shape; an int is a flat vector's length).
    n_actions : int
        Number of discrete actions.
    config : DQNConfig
        Uses ``network``, ``hidden_sizes`` and ``activation`` (MLP), ``init`` (Dense
        layers; convolutions use He), ``dueling`` and ``dtype``.
    rng : numpy Generator, optional
        Randomness of the initial weights (the training seed drives it).

    Raises
    ------
    ValueError
        If a CNN is asked for observations that are not images large enough for it.
    """
    if isinstance(observation, gym.spaces.Space):
        obs_shape = tuple(int(d) for d in observation.shape)
    elif np.isscalar(observation):
        obs_shape = (int(observation),)
    else:
        obs_shape = tuple(int(d) for d in observation)
    rng = rng if rng is not None else np.random.default_rng(config.seed)
    dtype = np.dtype(config.dtype)
    kind = resolve_network(config.network, obs_shape)
    if kind == "mlp":
        return _mlp(obs_shape, n_actions, config, dtype, rng)
    if len(obs_shape) != 3:
        raise ValueError(f"network={kind!r} needs image observations (3 axes), got shape "
                         f"{obs_shape}; use network='mlp'")
    if kind == "nature_cnn":
        return build_cnn(obs_shape, n_actions, config, rng, NATURE_CONVS, NATURE_HIDDEN)
    return build_cnn(obs_shape, n_actions, config, rng, MINATAR_CONVS, MINATAR_HIDDEN)
