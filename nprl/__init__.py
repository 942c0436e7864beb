"""nprl: deep reinforcement learning from first principles.

Layers, from the bottom up; each imports only layers below it (``tests/test_layering.py``
checks this):

- base modules ``nprl.errors``, ``fileio``, ``progress``, ``rewards``, ``output_paths``,
  ``checks``, ``blas``, ``env_factory``, ``argparsing``: import no nprl package
- ``nprl.nn`` (NumPy neural networks, hand-written backward passes), ``nprl.data``
  (MNIST IDX loaders), ``nprl.physics`` (2D rigid bodies, no rendering): the base only
- ``nprl.envs``: the Lander on ``nprl.physics`` (Gymnasium API), the pixel games
- ``nprl.rl``: replay buffers, DQN agents, the training loop, on ``nprl.nn``;
  ``envs`` and ``rl`` never import each other
- ``nprl.viz``: plots, videos and Q-value views (optional dependencies, imported lazily)
- ``nprl.lessons`` and ``nprl.scale``, then ``nprl.commands`` and ``nprl.cli`` on top

This file is the composition root, the one place that wires ``envs`` into ``rl``: it
registers ``nprl/Lander-v0`` with Gymnasium and installs the envs package's factory
(:data:`nprl.envs.registration.ENVS`) as the one ``rl`` builds environments with
(:mod:`nprl.env_factory`), so ``nprl.rl.train("MinAtar/Breakout-v1")`` and reward shaping
work without rl importing envs.
"""

__version__ = "0.1.0"

from nprl.env_factory import install as _install_env_factory
from nprl.envs.registration import ENVS as _ENVS
from nprl.envs.registration import register_envs as _register_envs

_register_envs()
_install_env_factory(_ENVS)
