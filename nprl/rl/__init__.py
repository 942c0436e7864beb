"""Reinforcement learning: replay buffers, DQN agents, the training loop.

Built on ``nprl.nn`` and Gymnasium. ``import nprl`` does not import this package (it pulls
in the NN engine), so import it explicitly: ``from nprl.rl import DQNAgent, train``.

Files, one job each:

- ``replay_buffer.py``  uniform ring buffer and the ``Batch`` it samples
- ``sum_tree.py``       the sum tree behind prioritized replay
- ``prioritized.py``    ``PrioritizedReplayBuffer`` (proportional PER)
- ``success_buffer.py`` the successful-episode tier ("two-tier training")
- ``nstep.py``          n-step return accumulator
- ``schedules.py``      epsilon (and beta) schedules
- ``rng.py``            NumPy generators saved as JSON (no pickle)
"""

from nprl.rl.nstep import NStepAccumulator, Transition
from nprl.rl.prioritized import PrioritizedReplayBuffer
from nprl.rl.replay_buffer import Batch, ReplayBuffer
from nprl.rl.schedules import ExponentialSchedule, LinearSchedule, MultiplicativeSchedule
from nprl.rl.success_buffer import SuccessBuffer
from nprl.rl.sum_tree import SumTree

__all__ = [
    "Batch",
    "ExponentialSchedule",
    "LinearSchedule",
    "MultiplicativeSchedule",
    "NStepAccumulator",
    "PrioritizedReplayBuffer",
    "ReplayBuffer",
    "SuccessBuffer",
    "SumTree",
    "Transition",
]
