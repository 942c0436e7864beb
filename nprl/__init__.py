"""nprl: deep reinforcement learning from first principles.

Sub-packages, lowest layer first (each imports only layers below it; ``envs`` and ``rl``
sit side by side and never import each other):

- ``nprl.nn``       NumPy neural-network engine with hand-written backward passes
- ``nprl.data``     dataset loaders (MNIST IDX files)
- ``nprl.physics``  2D rigid-body physics engine (no rendering)
- ``nprl.envs``     the Lander environment on ``nprl.physics`` (Gymnasium API), pixel games
- ``nprl.rl``       replay buffers, DQN agents, training loop (on ``nprl.nn``)
- ``nprl.viz``      plots, videos and drawing (optional dependencies, imported lazily)

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
