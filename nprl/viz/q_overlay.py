"""Q-value bars over rendered frames: what the agent thought when it chose its action.

:class:`QRecorder` wraps an agent so that every ``act`` remembers the Q-values it saw and
the action it took; :func:`draw_q_bars` paints them as one bar per action in a corner of
a frame, the chosen action highlighted. ``nprl eval --video`` (and, for the Lander,
``--render``) uses both.
"""

from __future__ import annotations

import numpy as np

from nprl.viz import require

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

    @property
    def rng(self):  # evaluate() swaps the exploration stream on the wrapped agent
        return self.agent.rng

    @rng.setter
    def rng(self, value) -> None:
        self.agent.rng = value

    def act(self, obs, epsilon: float | None = None) -> int:
        self.last_q = self.agent.q_values(np.asarray(obs)[None])[0]
        self.last_action = self.agent.act(obs, epsilon)
        return self.last_action

    def lines(self, names: list[str] | None = None) -> list[str]:
        """The Q-values as HUD text, the chosen action marked with ``*``."""
        if self.last_q is None:
            return []
        names = names or [str(a) for a in range(len(self.last_q))]
        return ["Q: " + "  ".join(f"{name}{'*' if a == self.last_action else ''} {q:.1f}"
                                  for a, (name, q) in enumerate(zip(names, self.last_q)))]


def draw_q_bars(frame: np.ndarray, q: np.ndarray, chosen: int,
                names: list[str] | None = None) -> np.ndarray:
    """A copy of ``frame`` (H, W, 3) uint8 with one labelled bar per action, top right."""
    pygame = require("pygame")
    if not pygame.font.get_init():
        pygame.font.init()
    font = pygame.font.Font(None, 18)
    surface = pygame.surfarray.make_surface(np.ascontiguousarray(frame.transpose(1, 0, 2)))
    names = names or [str(a) for a in range(len(q))]
    row, width = 16, 196
    left, top = surface.get_width() - width - 8, 8
    pygame.draw.rect(surface, PANEL, (left, top, width, row * len(q) + 8))
    span = float(q.max() - q.min()) or 1.0
    for a, value in enumerate(q):
        y = top + 4 + row * a
        length = int(10 + 70 * (value - q.min()) / span)
        color = CHOSEN if a == chosen else BAR
        pygame.draw.rect(surface, color, (left + 118, y + 2, length, 11))
        label = font.render(f"{names[a][:10]} {value:6.1f}", True, TEXT)
        surface.blit(label, (left + 4, y))
    return np.transpose(pygame.surfarray.array3d(surface), (1, 0, 2)).copy()
