"""SuccessBuffer: only whole successful episodes reach the second tier."""

import numpy as np

from nprl.rl.nstep import Transition
from nprl.rl.replay_buffer import ReplayBuffer
from nprl.rl.success_buffer import SuccessBuffer


def transition(i):
    return Transition(np.full(2, i, np.float32), 0, float(i), np.full(2, i + 1, np.float32),
                      False, False, 1)


def test_failed_episodes_are_dropped_and_successful_ones_kept_whole():
    tier = SuccessBuffer(ReplayBuffer(100, (2,), seed=0))
    for i in range(5):
        tier.stage(transition(i))
    assert tier.end_episode(success=False) == 0 and len(tier) == 0
    for i in range(10, 13):
        tier.stage(transition(i))
    assert tier.end_episode(success=True) == 3
    assert len(tier) == 3 and tier.episodes_kept == 1
    assert set(tier.sample(50).rewards.tolist()) == {10.0, 11.0, 12.0}
