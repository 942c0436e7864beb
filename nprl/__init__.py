"""nprl: deep reinforcement learning from first principles.

Sub-packages, each importing only the ones listed before it:

- ``nprl.nn``       NumPy neural-network engine with hand-written backward passes
- ``nprl.data``     dataset loaders (MNIST IDX files)
- ``nprl.physics``  2D rigid-body physics engine (no rendering)
- ``nprl.envs``     the Lander environment on ``nprl.physics`` (Gymnasium API)
- ``nprl.rl``       replay buffers, DQN agents, training loop
- ``nprl.viz``      plots, videos and drawing (optional dependencies, imported lazily)
"""

__version__ = "0.1.0"

from nprl.envs.registration import register_envs as _register_envs

_register_envs()
