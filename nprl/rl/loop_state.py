"""What the training loop carries from step to step and across a resume: counters
(:class:`LoopState`) and the sums behind the next "train" row (:class:`IntervalSums`).

Both are saved flat, as the ``"loop"`` entry of a checkpoint's ``state.json``, so a resumed
run writes the same ``metrics.csv`` as an uninterrupted one; :meth:`LoopState.from_dict`
reads that entry back and checks every value (a file is untrusted input).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from nprl.rl.metrics import RECENT_EPISODES


@dataclass
class IntervalSums:
    """Sums over the updates since the last "train" row of ``metrics.csv`` (``q_max``: the
    maximum), turned into that row's means by :meth:`means`."""

    loss_sum: float = 0.0
    q_sum: float = 0.0
    grad_sum: float = 0.0
    q_max: float = 0.0
    per_weight_sum: float = 0.0
    per_priority_sum: float = 0.0
    updates_logged: int = 0

    def add(self, metrics: dict[str, float]) -> None:
        """Add one update's metrics (see :mod:`nprl.rl.metrics`)."""
        self.loss_sum += metrics["td_loss"]
        self.q_sum += metrics["q_mean"]
        self.q_max = max(self.q_max, metrics["q_max"])
        self.grad_sum += metrics["grad_norm"]
        self.per_weight_sum += metrics.get("per_weight_mean", 0.0)
        self.per_priority_sum += metrics.get("per_priority_mean", 0.0)
        self.updates_logged += 1

    def means(self, prioritized: bool) -> dict[str, float]:
        """Per-update metrics of a "train" row: means over the interval (q_max: its
        maximum); empty when no update was made."""
        count = self.updates_logged
        if count == 0:
            return {}
        means = {"td_loss": self.loss_sum / count, "q_mean": self.q_sum / count,
                 "q_max": self.q_max, "grad_norm": self.grad_sum / count}
        if prioritized:
            means["per_weight_mean"] = self.per_weight_sum / count
            means["per_priority_mean"] = self.per_priority_sum / count
        return means


def _recent() -> deque:
    return deque(maxlen=RECENT_EPISODES)


@dataclass
class LoopState:
    """Counters of the loop, saved with every checkpoint."""

    step: int = 0
    episode: int = 0
    next_checkpoint: int = 0
    elapsed: float = 0.0  # seconds of training before this session
    best_eval: list[float] | None = None  # [success rate, mean return] of checkpoints/best
    max_abs_reward: float = 0.0  # largest |reward| seen, for the divergence guard's Q bound
    recent_returns: deque = field(default_factory=_recent)  # of the last episodes
    recent_successes: deque = field(default_factory=_recent)  # of envs with is_success
    sums: IntervalSums = field(default_factory=IntervalSums)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able and flat (the interval sums beside the counters), as ``state.json``
        has always stored them."""
        loop = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sums"}
        loop["recent_returns"] = list(self.recent_returns)
        loop["recent_successes"] = list(self.recent_successes)
        return {**loop, **asdict(self.sums)}

    @classmethod
    def from_dict(cls, loop: dict[str, Any]) -> LoopState:
        """Rebuild what :meth:`to_dict` wrote; ``TypeError`` for an unknown entry,
        ``ValueError`` naming a value of the wrong type or range."""
        if not isinstance(loop, dict):
            raise TypeError("'loop' is not a dict")
        own = {f.name for f in fields(cls)} - {"sums"}
        unknown = set(loop) - own - {f.name for f in fields(IntervalSums)}
        if unknown:
            raise TypeError(f"unexpected loop counter {min(unknown)!r}")
        state = cls()
        for target in (state, state.sums):
            for name, default in vars(target).items():
                if name in loop:
                    setattr(target, name, _checked(name, loop[name], default))
        state.recent_returns = deque(state.recent_returns, maxlen=RECENT_EPISODES)
        state.recent_successes = deque(state.recent_successes, maxlen=RECENT_EPISODES)
        return state


def _checked(name: str, value: Any, default: Any) -> Any:
    """``value`` if it has the type of the field's ``default`` (whole numbers >= 0 for
    counts, finite numbers for sums, lists of finite numbers), ``ValueError`` otherwise."""
    if isinstance(default, int):
        good = type(value) is int and value >= 0
    elif isinstance(default, float):
        good = type(value) in (int, float) and math.isfinite(value)
    elif value is None:
        good = name == "best_eval"
    else:
        good = isinstance(value, list) and len(value) <= 10_000 and all(
            type(item) in (int, float) and math.isfinite(item) for item in value)
    if not good:
        raise ValueError(f"loop counter {name} = {value!r:.60} is not a valid value")
    return value
