"""Build the Q-network a :class:`~nprl.rl.config.DQNConfig` describes.

An MLP: ``Dense -> activation`` for each width in ``hidden_sizes``, then either a
``Dense(hidden, n_actions)`` output or a :class:`~nprl.rl.dueling.DuelingHead`. The
result is a plain ``nprl.nn.Sequential``, so everything the NN engine offers (save/load,
gradcheck, copy) works on it, and a user may pass any ``Sequential`` of their own instead.
"""

from __future__ import annotations

import numpy as np

from nprl.nn.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from nprl.nn.dense import Dense
from nprl.nn.sequential import Sequential
from nprl.rl.config import DQNConfig
from nprl.rl.dueling import DuelingHead

ACTIVATION_LAYERS = {"relu": ReLU, "tanh": Tanh, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid}


def build_q_network(
    obs_dim: int, n_actions: int, config: DQNConfig, rng: np.random.Generator | None = None
) -> Sequential:
    """Return the online Q-network: ``(B, obs_dim) -> (B, n_actions)``.

    Parameters
    ----------
    obs_dim : int
        Length of a (flattened) observation.
    n_actions : int
        Number of discrete actions.
    config : DQNConfig
        Uses ``hidden_sizes``, ``activation``, ``init``, ``dueling`` and ``dtype``.
    rng : numpy Generator, optional
        Randomness of the initial weights (the training seed drives it).
    """
    rng = rng if rng is not None else np.random.default_rng(config.seed)
    dtype = np.dtype(config.dtype)
    activation = ACTIVATION_LAYERS[config.activation]
    net = Sequential()
    width = int(obs_dim)
    for hidden in config.hidden_sizes:
        net.add(Dense(width, int(hidden), init=config.init, dtype=dtype, rng=rng))
        net.add(activation())
        width = int(hidden)
    if config.dueling:
        net.add(DuelingHead(width, n_actions, init=config.init, dtype=dtype, rng=rng))
    else:
        net.add(Dense(width, n_actions, init=config.init, dtype=dtype, rng=rng))
    return net
