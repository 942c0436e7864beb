"""The physics demo (``nprl physics-demo``, drawn by ``nprl.viz.physics_demo``) renders
headless, and the command checks its arguments."""

import os

import pytest

from nprl.cli import main

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


@pytest.mark.parametrize("name", ["falling", "stack", "slope", "swing", "lander"])
def test_every_scene_renders_headless_frames(name):
    pytest.importorskip("pygame")
    from nprl.viz.physics_demo import SCENES, iter_frames

    dt = SCENES[name]().world.dt
    frames = list(iter_frames(name, seconds=6 * dt, every=3, size=(160, 120)))
    assert len(frames) == 3  # steps 0, 3, 6 of 6
    for frame in frames:
        assert frame.shape == (120, 160, 3) and frame.dtype.name == "uint8"
        assert len({tuple(c) for c in frame.reshape(-1, 3)[::7]}) > 2  # bodies were drawn


def test_contacts_are_drawn_in_red():
    pytest.importorskip("pygame")
    from nprl.envs.drawing import CONTACT_POINT
    from nprl.viz.physics_demo import iter_frames

    (frame,) = list(iter_frames("stack", seconds=1 / 60, every=1, size=(320, 240)))[1:]
    red = (frame == CONTACT_POINT).all(axis=2)
    assert red.sum() > 20


def test_gif_is_written_headless(tmp_path):
    pytest.importorskip("pygame")
    iio = pytest.importorskip("imageio.v3")
    path = tmp_path / "demo.gif"
    assert main(["physics-demo", "--scene", "swing", "--gif", str(path), "--seconds", "0.2"]) == 0
    frames = iio.imread(path, index=None)
    assert frames.shape[0] == 7 and frames.shape[-1] in (3, 4)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--scene", "nope"], "unknown scene"),
        (["--seconds", "-1"], "--seconds"),
        (["--seconds", "nan"], "--seconds"),
    ],
)
def test_bad_arguments_are_one_line_errors(argv, message, capsys):
    assert main(["physics-demo", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_window_loop_runs_under_the_dummy_video_driver(monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    assert main(["physics-demo", "--scene", "lander", "--seconds", "0.1"]) == 0


def test_the_gif_records_every_scene_while_it_moves(tmp_path, monkeypatch, capsys):
    pytest.importorskip("pygame")
    pytest.importorskip("imageio")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from nprl.cli import main
    from nprl.viz.physics_demo import iter_frames

    lengths = {name: sum(1 for _ in iter_frames(name, 6.0, 2, (80, 60), until_still=True))
               for name in ("falling", "stack")}
    assert 58 <= lengths["stack"] <= 62  # still from the start: the 2 s minimum (60 frames)
    assert 61 < lengths["falling"] < 181  # boxes land and settle before 6 s are up
    out = tmp_path / "all.gif"
    assert main(["physics-demo", "--gif", str(out), "--seconds", "0.5"]) == 0
    assert "falling, stack, slope, swing, lander" in capsys.readouterr().out
