"""Every picture command writes a non-empty picture, and a wrong run directory is one line.

``nprl qmap``, ``nprl eval --video / --render`` and ``nprl report`` on tiny real runs
(CartPole and the Lander, a few hundred steps); the window runs with SDL's dummy driver.
"""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from nprl.cli import main
from nprl.rl.config import DQNConfig
from nprl.rl.train import train

pytest.importorskip("pygame")
pytest.importorskip("matplotlib")
pytest.importorskip("imageio")

TINY = {"hidden_sizes": [8], "batch_size": 16, "learning_starts": 100, "train_freq": 4,
        "checkpoint_interval": 150, "eval_interval": 150, "eval_episodes": 1}


@pytest.fixture(scope="module")
def cartpole_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "cartpole"
    train("CartPole-v1", DQNConfig(total_steps=300, seed=1, **TINY), run_dir=out)
    return out


@pytest.fixture(scope="module")
def lander_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "lander"
    config = DQNConfig(total_steps=300, seed=1, env_kwargs={"stage": 3}, **TINY)
    train("nprl/Lander-v0", config, run_dir=out)
    return out


@pytest.fixture
def headless(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")


def orange_pixels(frame: np.ndarray) -> int:
    """Pixels of the chosen action's bar (q_overlay.CHOSEN)."""
    return int((frame[..., :3] == [255, 150, 40]).all(axis=-1).sum())


@pytest.mark.parametrize("run, actions", [("cartpole_run", 2), ("lander_run", 6)])
def test_qmap_writes_a_picture(run, actions, request, tmp_path, capsys, saved_figures):
    out = tmp_path / "q.png"
    assert main(["qmap", str(request.getfixturevalue(run)), "--resolution", "11",
                 "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    [picture] = saved_figures
    # A heatmap per action, V(s) and the greedy action, each 11 x 11.
    titles = picture.panel_titles()
    assert len(titles) == actions + 2 and titles[-2:] == ["V(s) = max Q", "greedy action"]
    assert all(image.get_array().shape == (11, 11) for title in titles
               for image in picture.panel_axes(title).get_images())


def test_eval_video_has_the_q_value_bars_and_loops(cartpole_run, tmp_path, capsys):
    import imageio.v3 as iio

    out = tmp_path / "episode.gif"
    assert main(["eval", str(cartpole_run), "--episodes", "1", "--video", str(out)]) == 0
    frames = iio.imread(out)
    assert frames.ndim == 4 and len(frames) > 5
    assert orange_pixels(frames[-1]) > 50  # the chosen action's bar
    assert iio.immeta(out).get("loop") == 0  # a GIF that plays forever


def test_eval_render_shows_a_gym_env_in_nprls_window(cartpole_run, headless, capsys):
    assert main(["eval", str(cartpole_run), "--episodes", "1", "--render"]) == 0
    assert "mean return" in capsys.readouterr().out


def test_closing_the_window_stops_cleanly(headless):
    import pygame

    from nprl.viz.frame_window import FrameWindow, WindowClosed

    frame = np.full((120, 300, 3), 255, dtype=np.uint8)
    with FrameWindow("test", fps=0) as window:
        window.show(frame, np.array([1.0, 2.0]), chosen=1, names=["left", "right"])
        shown = np.transpose(pygame.surfarray.array3d(pygame.display.get_surface()), (1, 0, 2))
        assert orange_pixels(shown) > 50 and (shown[:, :80] == 255).all()
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        with pytest.raises(WindowClosed):
            window.show(frame)
    assert window.window is None


def test_report_is_one_self_contained_html_file(lander_run, tmp_path, headless, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(lander_run), "--episodes", "1", "--out", str(out)]) == 0
    text = out.read_text()
    assert "nprl/Lander-v0" in text and "learning_starts" in text and "success rate" in text
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', text)) >= 3  # dash + Q-maps
    assert len(re.findall(r'<img [^>]*src="data:image/gif;base64,', text)) == 1
    assert not re.search(r"https?://|<script|<link|@import", text)
    assert out.stat().st_size < 5_000_000


def test_report_defaults_next_to_the_run_and_can_skip_the_gif(cartpole_run, capsys):
    assert main(["report", str(cartpole_run), "--episodes", "2", "--no-gif"]) == 0
    text = (cartpole_run / "report.html").read_text()
    assert "data:image/png;base64," in text and "data:image/gif" not in text
    assert "2 (greedy, seed 0)" in text


def test_report_text_is_escaped():
    from nprl.viz.report import page, section, table

    html = page("a <b>", "x & y", [section("<i>", table([("<script>", "\"'<>")]))])
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html


def _broken_runs(root, cartpole_run):
    """Folders that are not usable run directories, each with the words its error needs."""
    (root / "empty").mkdir()
    (root / "a-file").write_text("hello")
    (root / "corrupt").mkdir()
    (root / "corrupt" / "config.json").write_text("{not json")
    (root / "bad-value").mkdir()
    document = json.loads((cartpole_run / "config.json").read_text())
    document["config"]["gamma"] = 5
    (root / "bad-value" / "config.json").write_text(json.dumps(document))
    (root / "no-checkpoint").mkdir()
    (root / "no-checkpoint" / "config.json").write_text(
        (cartpole_run / "config.json").read_text())
    return {"missing": "does not exist", "a-file": "not a run directory",
            "empty": "no config.json", "corrupt": "not valid JSON",
            "bad-value": "gamma must lie in [0, 1]", "no-checkpoint": "no checkpoint yet"}


@pytest.mark.parametrize("command", ["qmap", "eval", "report"])
def test_a_wrong_run_directory_is_one_clear_line(command, cartpole_run, tmp_path, capsys):
    for name, message in _broken_runs(tmp_path, cartpole_run).items():
        assert main([command, str(tmp_path / name)]) == 2, name
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("nprl: error: "), err
        assert message in err[0], (name, err[0])


def test_report_mistake_in_a_real_process_has_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nprl", "report", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no config.json" in result.stderr


def test_eval_render_stopped_by_a_signal_says_so(cartpole_run, tmp_path):
    import os
    import signal
    import time

    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen(
        [sys.executable, "-m", "nprl", "eval", str(cartpole_run), "--render",
         "--episodes", "1000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env)
    time.sleep(6)  # imports, the agent, the first frames
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert "stopped by SIGTERM: evaluation stopped before its 1000 episodes ended" in out, \
        (out, err)
    assert "window closed" not in out and "Traceback" not in err
    assert process.returncode == 128 + signal.SIGTERM


def test_report_gif_and_eval_video_share_the_env_frame_timing(lander_run, tmp_path, capsys):
    from PIL import Image

    from nprl.commands.report import _episode_gif
    from nprl.commands.run_target import open_target

    def delays(path):
        image, found = Image.open(path), []
        for index in range(image.n_frames):
            image.seek(index)
            found.append(image.info["duration"])
        return found

    report_gif = _episode_gif(open_target(str(lander_run)), tmp_path / "r.gif", seed=0)
    assert main(["eval", str(lander_run), "--episodes", "1", "--video",
                 str(tmp_path / "e.gif")]) == 0
    video = delays(tmp_path / "e.gif")
    # 60 fps shown one frame in two: 30 and 40 ms alternate (1/30 s on average).
    assert set(delays(report_gif)) == set(video) == {30, 40}
