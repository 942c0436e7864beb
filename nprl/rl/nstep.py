"""n-step returns: turn single steps into ``(s_t, a_t, R_t^(n), s_{t+n})`` transitions.

With n-step returns the TD target of step ``t`` is

    R_t^(n) + gamma^n * max_a Q(s_{t+n}, a),  R_t^(n) = sum_{k<n} gamma^k r_{t+k},

so a reward reaches the value of states ``n`` steps back in one update instead of ``n``.
:class:`NStepAccumulator` keeps the last ``n`` steps of the current episode (at most ``n``
small tuples, not the replay storage) and emits a transition once ``n`` steps are known.
When the episode ends, the remaining steps are flushed with shorter sums: each records
its own ``n_steps`` so the target uses the right ``gamma**n_steps``, and each carries the
episode's ``terminated`` flag (a true end stops bootstrapping, a time limit does not).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from nprl.rl.transition import Transition


class NStepAccumulator:
    """Accumulate n-step discounted returns over one episode at a time.

    Parameters
    ----------
    n : int
        Number of rewards summed per transition (1 passes steps through unchanged).
    gamma : float
        Discount factor.
    """

    def __init__(self, n: int, gamma: float) -> None:
        if int(n) != n or n < 1:
            raise ValueError(f"n_step must be a positive integer, got {n!r}")
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma must lie in [0, 1], got {gamma}")
        self.n = int(n)
        self.gamma = float(gamma)
        self.pending: deque[tuple[np.ndarray, int, float]] = deque()

    def __len__(self) -> int:
        return len(self.pending)

    def push(
        self,
        obs: np.ndarray,
        action: int,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        truncated: bool = False,
    ) -> list[Transition]:
        """Record one environment step; return the transitions it completes (maybe none)."""
        self.pending.append((np.array(obs, copy=True), int(action), float(reward)))
        ready = []
        if terminated or truncated:
            # Episode over: every pending step's return is now fully known.
            while self.pending:
                ready.append(self._pop_oldest(next_obs, bool(terminated), bool(truncated)))
        elif len(self.pending) == self.n:
            ready.append(self._pop_oldest(next_obs, False, False))
        return ready

    def reset(self) -> None:
        """Drop the pending steps (an episode abandoned midway)."""
        self.pending.clear()

    def _pop_oldest(self, next_obs: np.ndarray, terminated: bool, truncated: bool) -> Transition:
        n_steps = len(self.pending)
        discounted = 0.0
        for k, (_, _, reward) in enumerate(self.pending):
            discounted += self.gamma**k * reward
        obs, action, _ = self.pending.popleft()
        return Transition(obs, action, discounted, np.array(next_obs, copy=True),
                          terminated, truncated, n_steps)
