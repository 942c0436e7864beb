"""Q-value bars over rendered frames: what the agent thought when it chose its action.

:class:`QRecorder` wraps an agent so that every ``act`` remembers the Q-values it saw and
the action it took; :func:`draw_q_bars` paints them as one bar per action in a corner of
a frame, the chosen action highlighted (:func:`paint_q_bars` does the same on a pygame surface,
such as a window). :func:`watch_episodes` evaluates an agent and hands every rendered
frame with its Q-values to a callback: ``nprl eval --render`` / ``--video`` and the GIF
of ``nprl report`` are built on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nprl.envs.drawing import frame_to_surface, render_text, surface_to_frame
from nprl.errors import require

PANEL = (18, 18, 24)
BAR = (120, 130, 150)
CHOSEN = (255, 150, 40)
TEXT = (235, 235, 235)


class QRecorder:
    """An agent wrapper: acts like ``agent`` and keeps ``last_q`` / ``last_action``."""

    def __init__(self, agent) -> None:
        self.agent = agent
        self.last_q: np.ndarray | None = None
        self.last_action: int | None = None

    def act(self, obs, epsilon: float | None = None, rng=None) -> int:
        self.last_q = self.agent.q_values(np.asarray(obs)[None])[0]
        self.last_action = self.agent.act(obs, epsilon, rng)
        return self.last_action


def paint_q_bars(surface, q: np.ndarray, chosen: int | None,
                 names: list[str] | None = None) -> None:
    """Paint one labelled bar per action in the top right corner of a pygame ``surface``;
    the ``chosen`` action's bar is orange.

    The bars share one scale that includes 0 (from min(0, Q) to max(0, Q), written under
    them), so Q-values of 21.6 and 21.8 look almost the same, as they are; a min-to-max
    scale would make that 0.2 difference fill the whole bar.
    """
    pygame = require("pygame")
    names = names or [str(a) for a in range(len(q))]
    row, width, bar_left, bar_width = 16, 196, 118, 70  # bars end 8 px inside the panel
    left, top = surface.get_width() - width - 8, 8
    pygame.draw.rect(surface, PANEL, (left, top, width, row * (len(q) + 1) + 8))
    low, high = min(0.0, float(q.min())), max(0.0, float(q.max()))
    span = (high - low) or 1.0

    def x_of(value: float) -> int:
        return left + bar_left + round(bar_width * (value - low) / span)

    zero = x_of(0.0)
    for a, value in enumerate(q):
        y = top + 4 + row * a
        start, end = sorted((zero, x_of(float(value))))
        color = CHOSEN if a == chosen else BAR
        pygame.draw.rect(surface, color, (start, y + 2, max(end - start, 1), 11))
        label = render_text(f"{names[a][:10]} {value:6.1f}", 12, TEXT)
        surface.blit(label, (left + 4, y))
    scale = render_text(f"bar scale {low:g} to {high:.1f}", 12, TEXT)
    surface.blit(scale, (left + 4, top + 4 + row * len(q)))


MIN_WIDTH = 480  # narrower frames (Atari 160, MinAtar 160) are enlarged under the bars


def enlarge(frame: np.ndarray, width: int = MIN_WIDTH) -> np.ndarray:
    """``frame`` repeated by the smallest integer factor that makes it ``width`` pixels wide
    or wider (nearest neighbour: game pixels stay crisp); unchanged when already wide."""
    factor = -(-width // frame.shape[1])
    if factor <= 1:
        return frame
    return np.repeat(np.repeat(frame, factor, axis=0), factor, axis=1)


def draw_q_bars(frame: np.ndarray, q: np.ndarray, chosen: int | None,
                names: list[str] | None = None) -> np.ndarray:
    """A copy of ``frame`` (H, W, 3) uint8 with one labelled bar per action, top right
    (the panel is 196 pixels wide: :func:`enlarge` small game frames first)."""
    surface = frame_to_surface(frame)
    paint_q_bars(surface, q, chosen, names)
    return surface_to_frame(surface)


def watch_episodes(
    agent,
    env,
    episodes: int,
    on_frame: Callable[[np.ndarray, np.ndarray | None, int | None], None],
    epsilon: float = 0.0,
    seed: int | None = None,
    every: int = 1,
) -> dict[str, Any]:
    """Evaluate ``agent`` on ``env`` (made with ``render_mode="rgb_array"``) and call
    ``on_frame(frame, q, action)`` with every ``every``-th rendered frame, the Q-values the
    agent saw before its last action and that action (None before the first one).

    Returns :func:`nprl.rl.evaluate.evaluate`'s statistics; an exception raised by
    ``on_frame`` (e.g. the user closed the window) stops the episodes.
    """
    from nprl.rl.evaluate import evaluate

    if every < 1:
        raise ValueError(f"every must be at least 1, got {every}")
    recorder = QRecorder(agent)
    calls = [0]

    def on_step(e) -> None:
        calls[0] += 1
        if (calls[0] - 1) % every == 0:  # frames skipped here are never rendered
            on_frame(e.render(), recorder.last_q, recorder.last_action)

    return evaluate(recorder, env, episodes, epsilon=epsilon, seed=seed, on_step=on_step)
