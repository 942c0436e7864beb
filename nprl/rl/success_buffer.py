"""The successful-episode tier: the original article's "two-tier training".

Rare successes (a landing, a pole kept up to the time limit) are easily washed out of a
large replay buffer by thousands of failures. :class:`SuccessBuffer` keeps the
transitions of each episode aside while it runs; when the episode ends in success they
are copied, whole, into a second, smaller ring buffer, otherwise they are dropped. The
agent replays that tier in a second, smaller gradient pass after the main one (see
``DQNConfig.success_buffer``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nprl.rl.replay_buffer import ReplayBuffer
from nprl.rl.transition import Batch, Transition


class SuccessBuffer:
    """Replay buffer that only ever holds transitions of successful episodes.

    Parameters
    ----------
    buffer : ReplayBuffer
        The (empty) buffer that keeps the successes, its capacity the tier's (oldest
        episodes overwritten first): a :class:`~nprl.rl.replay_buffer.ReplayBuffer`, or a
        :class:`~nprl.rl.frame_buffer.FrameReplayBuffer` for Atari frames.
    """

    def __init__(self, buffer: ReplayBuffer) -> None:
        self.buffer = buffer
        self.episode: list[Transition] = []
        self.episodes_kept = 0

    def __len__(self) -> int:
        return len(self.buffer)

    def __repr__(self) -> str:
        return (
            f"SuccessBuffer(capacity={self.buffer.capacity}, size={len(self.buffer)}, "
            f"episodes_kept={self.episodes_kept})"
        )

    def stage(self, transition: Transition) -> None:
        """Hold a transition of the running episode until we know how it ends."""
        self.episode.append(transition)

    def end_episode(self, success: bool) -> int:
        """Keep the staged episode if it succeeded, drop it otherwise; return how many kept."""
        kept = 0
        if success:
            for transition in self.episode:
                self.buffer.add(*transition)
            kept = len(self.episode)
            self.episodes_kept += 1
        self.episode = []
        return kept

    def sample(self, batch_size: int) -> Batch:
        """Draw ``batch_size`` successful transitions uniformly."""
        return self.buffer.sample(batch_size)

    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays and JSON-able meta of the kept transitions (staged ones are not saved)."""
        arrays, meta = self.buffer.state_dict()
        meta["episodes_kept"] = self.episodes_kept
        return arrays, meta

    def load_state_dict(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        self.buffer.load_state_dict(arrays, meta)
        self.episodes_kept = int(meta["episodes_kept"])
        self.episode = []
