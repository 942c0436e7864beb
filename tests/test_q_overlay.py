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


def test_bars_are_drawn_in_the_top_right_corner_only():
    pytest.importorskip("pygame")
    frame = np.full((200, 400, 3), 255, dtype=np.uint8)
    out = draw_q_bars(frame, np.array([1.0, 3.0, 2.0]), chosen=1, names=["a", "b", "c"])
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert (out[:, :150] == 255).all()  # the left part is untouched
    assert (out[10:50, 210:390] != 255).any()
    assert (out[:, :, 0] == 255).any() and (out == [255, 150, 40]).all(axis=-1).any()


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
