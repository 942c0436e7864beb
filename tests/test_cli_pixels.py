"""``nprl`` on pixel games: train with no other flag than the env, eval with a video, qmap,
plot and report on the run (tiny settings; the family's preset supplies the rest)."""

import json

import numpy as np
import pytest

from nprl.cli import main
from nprl.rl.agent import DQNAgent
from nprl.rl.run_dir import RunDir

TINY = ["--set", "batch_size=8", "--set", "buffer_size=1000", "--set", "learning_starts=100",
        "--set", "eval_interval=200", "--set", "eval_episodes=2",
        "--set", "checkpoint_interval=200", "--set", "log_interval=100", "--no-progress"]


@pytest.fixture(scope="module")
def minatar_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "minatar"
    assert main(["train", "--env", "MinAtar/Breakout-v1", "--steps", "400", "--out", str(out),
                 *TINY]) == 0
    return out


def test_minatar_train_uses_the_family_preset_and_keeps_bool_planes(minatar_run):
    config = json.loads((minatar_run / "config.json").read_text())["config"]
    assert config["network"] == "minatar_cnn" and config["dueling"] and config["n_step"] == 3
    agent = DQNAgent.load(RunDir(minatar_run).latest_checkpoint() / "agent")
    assert agent.buffer.obs.dtype == np.bool_ and agent.buffer.obs.shape[1:] == (10, 10, 4)
    assert len(agent.buffer) > 300


def test_eval_video_qmap_plot_and_report_work_on_a_pixel_run(minatar_run, tmp_path, capsys,
                                                             saved_figures):
    video = tmp_path / "breakout.gif"
    assert main(["eval", str(minatar_run), "--episodes", "1", "--video", str(video)]) == 0
    import imageio.v3 as iio

    frames = iio.imread(video)
    assert len(frames) > 1 and frames.shape[1] >= 480  # game frames enlarged under the Q bars
    assert main(["qmap", str(minatar_run), "--out", str(tmp_path / "q.png")]) == 0
    captured = capsys.readouterr()
    assert "observes images" in captured.err
    # An image observation has no 2D slice: Q along an episode instead, one line per action
    # and V = their max.
    [trace] = [saved for saved in saved_figures if saved.path == tmp_path / "q.png"]
    top = trace.figure.axes[0]
    q = [line.get_ydata() for line in top.get_lines() if line.get_label().startswith("Q(s, ")]
    [v] = [line.get_ydata() for line in top.get_lines() if line.get_label().startswith("V(s)")]
    assert len(q) >= 3 and len(v) > 1  # Breakout: nothing, left, right
    np.testing.assert_array_equal(v, np.max(q, axis=0))
    assert main(["plot", str(minatar_run)]) == 0
    assert main(["report", str(minatar_run), "--episodes", "1", "--no-gif",
                 "--out", str(tmp_path / "r.html")]) == 0
    assert "Q-values along an episode" in (tmp_path / "r.html").read_text()


def test_atari_train_with_the_atari_100k_preset(tmp_path, capsys):
    out = tmp_path / "breakout"
    assert main(["train", "--env", "ALE/Breakout-v5", "--preset", "atari-100k", "--steps", "160",
                 "--out", str(out), "--set", "train_freq=8", "--set", "batch_size=4",
                 "--set", "learning_starts=80", "--set", "checkpoint_interval=80",
                 "--no-progress"]) == 0
    config = json.loads((out / "config.json").read_text())["config"]
    assert config["n_step"] == 10 and config["env_kwargs"]["repeat_action_probability"] == 0.0
    agent = DQNAgent.load(RunDir(out).latest_checkpoint() / "agent")
    assert type(agent.buffer).__name__ == "FrameReplayBuffer"
    assert agent.buffer.obs_shape == (4, 84, 84)
    returns = [row["return"] for row in RunDir(out).read_metrics() if row["kind"] == "episode"]
    assert returns  # a lost life ends a learning episode: several in 160 steps


def test_qmap_on_images_refuses_vector_slicing_flags(minatar_run, capsys):
    assert main(["qmap", str(minatar_run), "--x", "0"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "observes images" in error[0]


def test_the_progress_bar_of_a_pixel_game_counts_frames_per_second():
    from nprl.progress import ProgressBar

    bar = ProgressBar(total=100, unit="frames", unit_scale=4, disable=True)
    bar.update(10)
    text = bar.render(now=bar.start + 2.0)  # 10 agent steps in 2 s = 20 frames/s
    assert "20.0 frames/s" in text and "10/100" in text and "<00:18" in text


@pytest.mark.parametrize("name", ["minatar-breakout", "minatar-spaceinvaders"])
def test_shipped_minatar_agents_evaluate_from_a_fresh_process(name):
    """A fresh process has no MinAtar ids registered: reading the id from pretrained.json
    must register the family on demand (not refuse it as unknown)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "nprl", "eval", f"pretrained:{name}",
                             "--episodes", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "MinAtar/" in result.stdout and "Traceback" not in result.stderr
