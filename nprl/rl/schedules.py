"""Schedules for exploration (epsilon) and for the PER exponent beta.

Each schedule is a small callable object ``schedule(t) -> float`` of a counter ``t``,
with ``unit`` telling the training loop which counter to pass: environment steps
(``"step"``) or finished episodes (``"episode"``). Pure functions of a counter need no
state of their own, so a resumed run gets its epsilon back from its step and episode
counts alone.

- :class:`LinearSchedule`: from ``start`` to ``end`` over ``duration`` steps, then flat
  (DQN's Nature paper, SB3 and CleanRL).
- :class:`ExponentialSchedule`: ``end + (start - end) * exp(-decay * t)`` over steps (the
  original tutorial's lambda = 0.001).
- :class:`MultiplicativeSchedule`: ``max(floor, start * factor**episode)`` per episode
  (the original article's 0.999 per episode with a floor of 0.05).
"""

from __future__ import annotations

import math


class LinearSchedule:
    """Stay at ``start`` for ``delay`` counts, interpolate linearly to ``end`` over
    ``duration`` counts, then stay (``delay``: Dopamine's and the MinAtar paper's warm-up)."""

    unit = "step"

    def __init__(self, start: float, end: float, duration: int, delay: int = 0) -> None:
        if duration < 0 or delay < 0:
            raise ValueError(f"duration and delay must be >= 0, got {duration}, {delay}")
        self.start, self.end, self.duration = float(start), float(end), int(duration)
        self.delay = int(delay)

    def __call__(self, t: int) -> float:
        t = t - self.delay
        if t <= 0:
            return self.start if self.duration else self.end
        if self.duration == 0 or t >= self.duration:
            return self.end
        return self.start + (self.end - self.start) * (t / self.duration)

    def __repr__(self) -> str:
        return (f"LinearSchedule(start={self.start}, end={self.end}, "
                f"duration={self.duration}, delay={self.delay})")


class ExponentialSchedule:
    """``end + (start - end) * exp(-decay * t)``: fast early decay, approaching ``end``."""

    unit = "step"

    def __init__(self, start: float, end: float, decay: float) -> None:
        if decay < 0:
            raise ValueError(f"decay rate must be >= 0, got {decay}")
        self.start, self.end, self.decay = float(start), float(end), float(decay)

    def __call__(self, t: int) -> float:
        return self.end + (self.start - self.end) * math.exp(-self.decay * t)

    def __repr__(self) -> str:
        return f"ExponentialSchedule(start={self.start}, end={self.end}, decay={self.decay})"


class MultiplicativeSchedule:
    """``max(floor, start * factor**t)`` with ``t`` counted in finished episodes."""

    unit = "episode"

    def __init__(self, start: float, factor: float, floor: float) -> None:
        if not 0.0 < factor <= 1.0:
            raise ValueError(f"decay factor must lie in (0, 1], got {factor}")
        self.start, self.factor, self.floor = float(start), float(factor), float(floor)

    def __call__(self, t: int) -> float:
        return max(self.floor, self.start * self.factor**t)

    def __repr__(self) -> str:
        return (
            f"MultiplicativeSchedule(start={self.start}, factor={self.factor}, "
            f"floor={self.floor})"
        )


def _linear(config, total_steps: int) -> LinearSchedule:
    if config.exploration_steps:  # a fixed number of steps after learning starts (MinAtar)
        return LinearSchedule(config.epsilon_start, config.epsilon_end,
                              config.exploration_steps, delay=config.learning_starts)
    duration = round(config.exploration_fraction * total_steps)
    return LinearSchedule(config.epsilon_start, config.epsilon_end, duration)


def _exponential(config, total_steps: int) -> ExponentialSchedule:
    return ExponentialSchedule(config.epsilon_start, config.epsilon_end,
                               config.epsilon_decay_rate)


def _multiplicative(config, total_steps: int) -> MultiplicativeSchedule:
    return MultiplicativeSchedule(config.epsilon_start, config.epsilon_decay_factor,
                                  config.epsilon_end)


# The names ``DQNConfig.epsilon_schedule`` accepts, each with the function that builds it
# from the config (the one list of them: config.py checks names against it).
EPSILON_SCHEDULES = {"linear": _linear, "exponential": _exponential,
                     "multiplicative": _multiplicative}


def make_epsilon_schedule(config, total_steps: int):
    """Build the epsilon schedule that ``config`` (a :class:`DQNConfig`) asks for."""
    build = EPSILON_SCHEDULES.get(config.epsilon_schedule)
    if build is None:
        raise ValueError(f"unknown epsilon_schedule {config.epsilon_schedule!r}; choose one "
                         f"of {', '.join(EPSILON_SCHEDULES)}")
    return build(config, total_steps)
