"""Q-value overlay: the recorder acts like the agent, bars are drawn in the corner."""

import numpy as np
import pytest

from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.evaluate import evaluate
from nprl.rl.train import make_env
from nprl.viz.q_overlay import QRecorder, draw_q_bars


def test_recorder_acts_like_the_agent_and_remembers_its_q_values():
    env = make_env("CartPole-v1")
    agent = DQNAgent(env.observation_space, env.action_space, DQNConfig(hidden_sizes=[8]))
    recorder = QRecorder(agent)
    plain = evaluate(agent, env, episodes=2, epsilon=0.1, seed=4)
    recorded = evaluate(recorder, env, episodes=2, epsilon=0.1, seed=4)
    assert plain["returns"] == recorded["returns"]
    assert recorder.last_q.shape == (2,) and recorder.last_action in (0, 1)


def bars(frame, color):
    """(top row, left column, length in pixels) of each bar drawn in ``color``."""
    rows = np.argwhere((frame == color).all(axis=-1))
    found, start = [], 0
    for end in [*np.flatnonzero(np.diff(rows[:, 0]) > 1) + 1, len(rows)]:
        bar = rows[start:end]
        found.append((bar[0, 0], bar[:, 1].min(), np.ptp(bar[:, 1]) + 1))
        start = end
    return found


def test_bars_are_drawn_in_the_top_right_corner_only(monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from nprl.viz.q_overlay import BAR, CHOSEN, PANEL

    frame = np.full((200, 400, 3), 255, dtype=np.uint8)
    out = draw_q_bars(frame, np.array([1.0, 3.0, 2.0]), chosen=1, names=["a", "b", "c"])
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert (out[:, :150] == 255).all() and (out[120:] == 255).all()  # the rest untouched
    panel = np.argwhere((out == PANEL).all(axis=-1))
    assert panel[:, 0].min() < 20 and panel[:, 1].max() > 380  # a dark panel, top right
    # One bar per action, top to bottom; only the chosen one (b) orange.
    [(a_top, a_left, a_len), (c_top, c_left, c_len)] = bars(out, BAR)
    [(b_top, b_left, b_len)] = bars(out, CHOSEN)
    assert a_top < b_top < c_top
    # From a common zero, lengths in proportion to the Q-values 1 : 3 : 2.
    assert a_left == b_left == c_left
    np.testing.assert_allclose(np.array([a_len, b_len, c_len]) / b_len, [1 / 3, 1, 2 / 3],
                               atol=0.03)


def test_q_bars_show_how_close_the_values_are_inside_their_panel(monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from nprl.viz.q_overlay import BAR, CHOSEN

    frame = np.full((300, 600, 3), 255, dtype=np.uint8)
    out = draw_q_bars(frame, np.array([21.6, 21.8]), 1, ["a", "b"])
    orange = np.argwhere((out == CHOSEN).all(axis=-1))
    grey = np.argwhere((out == BAR).all(axis=-1))
    orange_len = np.ptp(orange[:, 1]) + 1
    grey_len = np.ptp(grey[:, 1]) + 1
    assert 0.95 < grey_len / orange_len <= 1.0  # 21.6 vs 21.8: nearly the same length
    assert orange[:, 1].max() < 600 - 8 - 4  # the highlighted bar stays inside the panel
