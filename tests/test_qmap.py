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


def test_qmap_of_the_shipped_lander_writes_a_picture(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "q.png"
    result = run_nprl("qmap", "pretrained:lander", "--fix", "3=-0.4", "--resolution", "21",
                      "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000


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
