"""TD targets for a whole batch in one vectorised pass.

For a batch of transitions ``(s, a, R, s', terminated, n)`` the DQN target is

    y = R + gamma^n * (1 - terminated) * Q_target(s', a*)

with ``a* = argmax_a Q_target(s', a)`` for plain DQN and ``a* = argmax_a Q_online(s', a)``
for double DQN (van Hasselt et al., 2016: the online net picks, the target net rates).
``terminated`` zeroes the bootstrap only at a true end; a time-limit truncation keeps it,
because the state after a time limit still has a future. ``n`` is 1 unless the transition
sums ``n`` rewards (n-step returns), in which case the bootstrap is discounted ``gamma**n``.
"""

from __future__ import annotations

import numpy as np


def td_targets(
    rewards: np.ndarray,
    terminated: np.ndarray,
    next_q_target: np.ndarray,
    gamma: float,
    n_steps: np.ndarray | int = 1,
    next_q_online: np.ndarray | None = None,
) -> np.ndarray:
    """Return the TD targets ``y`` of a batch.

    Parameters
    ----------
    rewards : ndarray, shape (B,)
        Rewards (n-step discounted sums when ``n_steps > 1``).
    terminated : ndarray, shape (B,)
        1 where the episode truly ended after this transition, else 0 (truncation is 0).
    next_q_target : ndarray, shape (B, A)
        Target network's Q-values at the next states.
    gamma : float
        Discount factor.
    n_steps : int or ndarray of int, shape (B,)
        Rewards summed per transition; the bootstrap is discounted by ``gamma**n_steps``.
    next_q_online : ndarray, shape (B, A), optional
        Online network's Q-values at the next states; given, the target is double DQN's.

    Returns
    -------
    ndarray, shape (B,), dtype of ``next_q_target``
    """
    if next_q_target.ndim != 2 or next_q_target.shape[0] != len(rewards):
        raise ValueError(
            f"next_q_target must have shape (batch, actions) = ({len(rewards)}, A), "
            f"got {next_q_target.shape}"
        )
    dtype = next_q_target.dtype
    if next_q_online is None:
        next_values = next_q_target.max(axis=1)
    else:
        if next_q_online.shape != next_q_target.shape:
            raise ValueError(
                f"next_q_online {next_q_online.shape} and next_q_target "
                f"{next_q_target.shape} must have one shape"
            )
        best = next_q_online.argmax(axis=1)
        next_values = np.take_along_axis(next_q_target, best[:, None], axis=1)[:, 0]
    discount = np.power(dtype.type(gamma), np.asarray(n_steps, dtype=dtype))
    not_done = 1 - np.asarray(terminated, dtype=dtype)
    return (np.asarray(rewards, dtype=dtype) + discount * not_done * next_values).astype(dtype)
