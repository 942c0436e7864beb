"""Reinforcement learning: replay buffers, DQN agents, the training loop.

Built on ``nprl.nn`` and Gymnasium. ``import nprl`` does not import this package (it pulls
in the NN engine), so import it explicitly::

    from nprl.rl import DQNConfig, train
    result = train("CartPole-v1", DQNConfig(total_steps=50_000), run_dir="runs/cartpole")

Files, one job each:

- ``config.py``         ``DQNConfig``: every hyperparameter, one documented line each
- ``presets.py``        TOML presets in ``nprl/presets/`` -> configs
- ``transition.py``     the transition schema: ``Transition``, stored fields, ``Batch``
- ``replay_buffer.py``  uniform ring buffer
- ``frame_buffer.py``   replay of stacked Atari frames storing each frame once
- ``sum_tree.py``       the sum tree behind prioritized replay
- ``prioritized.py``    ``PrioritizedReplayBuffer`` (proportional PER)
- ``success_buffer.py`` the successful-episode tier ("two-tier training")
- ``nstep.py``          n-step return accumulator
- ``schedules.py``      epsilon (and beta) schedules
- ``targets.py``        batched TD targets (double DQN, n-step, termination vs truncation)
- ``networks.py``       builds the Q-network a config describes
- ``agent.py``          ``DQNAgent``: act, observe, update, target sync, save/load
- ``train.py``          the training loop, ``train`` and ``resume``
- ``bookkeeping.py``    what the loop keeps besides learning: metric rows, evaluations,
                        checkpoints, the divergence guard
- ``loop_state.py``     the loop's counters and per-interval sums, saved with checkpoints
- ``environments.py``   environments from the installed factory (``nprl.env_factory``);
                        the protocol for an env's own state in checkpoints
- ``evaluate.py``       ``evaluate``: N episodes, mean/std/min/max
- ``pretrained.py``     agents shipped inside the package (``pretrained:NAME``)
- ``run_dir.py``        run directory: config.json, metrics.csv, atomic checkpoints
- ``metrics.py``        the fixed, documented names of every logged metric
- ``tensorboard.py``    the same metrics as TensorBoard event files (optional tensorboardX)
- ``rng.py``            NumPy generators saved as JSON
"""

from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.evaluate import evaluate
from nprl.rl.frame_buffer import FrameReplayBuffer, PrioritizedFrameReplayBuffer
from nprl.rl.nstep import NStepAccumulator
from nprl.rl.prioritized import PrioritizedReplayBuffer
from nprl.rl.replay_buffer import ReplayBuffer
from nprl.rl.schedules import ExponentialSchedule, LinearSchedule, MultiplicativeSchedule
from nprl.rl.success_buffer import SuccessBuffer
from nprl.rl.sum_tree import SumTree
from nprl.rl.targets import td_targets
from nprl.rl.train import TrainResult, resume, train
from nprl.rl.transition import Batch, Transition

__all__ = [
    "Batch",
    "DQNAgent",
    "DQNConfig",
    "ExponentialSchedule",
    "FrameReplayBuffer",
    "LinearSchedule",
    "MultiplicativeSchedule",
    "NStepAccumulator",
    "PrioritizedFrameReplayBuffer",
    "PrioritizedReplayBuffer",
    "ReplayBuffer",
    "SuccessBuffer",
    "SumTree",
    "TrainResult",
    "Transition",
    "evaluate",
    "resume",
    "td_targets",
    "train",
]
