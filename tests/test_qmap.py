"""``nprl qmap``: Q-values over a 2D slice, the image written, and clear errors."""

import subprocess
import sys

import numpy as np
import pytest

from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.train import make_env
from nprl.viz.qmap import compute_qslice


def run_nprl(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nprl", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, check=False)


def test_qslice_matches_the_network_at_grid_points():
    env = make_env("CartPole-v1")
    agent = DQNAgent(env.observation_space, env.action_space, DQNConfig(hidden_sizes=[16]))
    qs = compute_qslice(agent, "CartPole-v1", 4, x=2, x_range=(-0.2, 0.2), y=3,
                        y_range=(-1.0, 1.0), fixed={1: 0.5}, resolution=5)
    assert qs.q.shape == (5, 5, 2) and qs.x_name == "pole angle"
    obs = np.array([[0.0, 0.5, qs.xs[1], qs.ys[3]]], dtype=np.float32)
    np.testing.assert_allclose(qs.q[3, 1], agent.q_values(obs)[0], rtol=1e-6)
    with pytest.raises(ValueError, match="different"):
        compute_qslice(agent, "CartPole-v1", 4, x=1, x_range=(0, 1), y=1, y_range=(0, 1))


def test_qmap_of_the_shipped_lander_shows_q_v_and_the_greedy_action(tmp_path, saved_figures):
    from nprl.cli import main

    out = tmp_path / "q.png"
    assert main(["qmap", "pretrained:lander", "--fix", "3=-0.4", "--resolution", "21",
                 "--out", str(out)]) == 0
    [picture] = saved_figures
    assert picture.path == out and picture.title.startswith("nprl/Lander-v0")
    titles = picture.panel_titles()
    # One heatmap per action (6), then V = max Q, then the greedy action, over rel_x x rel_y.
    assert len(titles) == 8 and all(title.startswith("Q(s, ") for title in titles[:6])
    assert titles[6:] == ["V(s) = max Q", "greedy action"]
    maps = [image.get_array() for title in titles
            for image in picture.panel_axes(title).get_images()]
    assert all(m.shape == (21, 21) for m in maps)
    q = np.stack(maps[:6], axis=-1)
    np.testing.assert_array_equal(maps[6], q.max(axis=-1))
    np.testing.assert_array_equal(maps[7], q.argmax(axis=-1))
    assert len(np.unique(maps[7])) > 1  # the best action changes across the slice
    x_labels = {picture.panel_axes(title).get_xlabel() for title in titles}
    assert x_labels == {"rel_x"}
    assert picture.pixels()[1] >= 1000


@pytest.mark.parametrize("args, message", [
    (["qmap", "pretrained:lander", "--x", "12"], "observation index"),
    (["qmap", "pretrained:lander", "--fix", "3"], "INDEX=VALUE"),
    (["qmap", "/no/such/run"], "does not exist"),
])
def test_qmap_mistakes_are_one_clear_line(args, message):
    result = run_nprl(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr


def test_lander_qmap_subtitle_names_the_fixed_components_in_words():
    from nprl.commands.qmap import fixed_words

    assert fixed_words("nprl/Lander-v0", 9, {5: 1.0}, (0, 1)) == \
        "upright, not turning, at rest, feet off the ground"
    assert fixed_words("nprl/Lander-v0", 9, {5: 1.0, 3: -0.4}, (0, 1)) == \
        "upright, not turning, falling (vy = -0.4), feet off the ground"
    assert "obs[" not in fixed_words("CartPole-v1", 4, {0: 0.5}, (2, 3))
    assert fixed_words("CartPole-v1", 4, {0: 0.5}, (2, 3)) == "cart position = 0.5; others 0"
