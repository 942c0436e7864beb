"""nprl: deep reinforcement learning from first principles.

Layers, from the bottom up; each imports only layers below it (``tests/test_layering.py``
checks this):

- base modules ``nprl.errors``, ``fileio``, ``progress``, ``rewards``, ``output_paths``,
  ``checks``, ``blas``: import no nprl package
- ``nprl.nn`` (NumPy neural networks, hand-written backward passes), ``nprl.data``
  (MNIST IDX loaders), ``nprl.physics`` (2D rigid bodies, no rendering): the base only
- ``nprl.envs``: the Lander on ``nprl.physics`` (Gymnasium API)
- ``nprl.rl``: replay buffers, DQN agents, the training loop, on ``nprl.nn``;
  ``envs`` and ``rl`` never import each other
- ``nprl.viz``: plots, videos and Q-value views (optional dependencies, imported lazily)
- ``nprl.lessons`` and ``nprl.scale``, then ``nprl.commands`` and ``nprl.cli`` on top

This file is the composition root: ``import nprl`` registers the Lander environment, and
it is the one place that may wire ``envs`` into ``rl``.
"""

__version__ = "0.1.0"

from nprl.envs.registration import register_envs as _register_envs

_register_envs()
