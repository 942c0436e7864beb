"""The video writer streams frames to disk and plays GIFs at the environment's frame rate.

Issue 13: ``nprl eval pretrained:lander --video land.gif`` kept every frame in memory (24 GB
after 4 minutes) and stored a GIF delay of 10 ms for a 60 fps environment.
"""

import tracemalloc

import numpy as np
import pytest

from nprl.viz.video import VideoWriter, gif_delay_cs, gif_frame_step, save_video

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402


def gif_delays_ms(path) -> list[int]:
    image = Image.open(path)
    delays = []
    for index in range(image.n_frames):
        image.seek(index)
        delays.append(image.info["duration"])
    return delays


def frame(index: int, height: int = 40, width: int = 60) -> np.ndarray:
    """A frame that differs from its neighbours (a bar whose length encodes the index)."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[:, : 1 + index % width] = (200, 80, 20)
    return image


@pytest.mark.parametrize("fps, step, delays_cs", [
    (60, 2, [3, 4, 3]),   # the Lander: 1/30 s per GIF frame, rounded cumulatively
    (50, 1, [2, 2, 2]),
    (30, 1, [3, 4, 3]),
    (20, 1, [5, 5, 5]),
    (100, 2, [2, 2, 2]),
    (1000, 20, [2, 2, 2]),
])
def test_gif_timing_keeps_real_time_with_delays_browsers_honour(fps, step, delays_cs):
    assert gif_frame_step(fps) == step
    assert [gif_delay_cs(k, fps, step) for k in range(3)] == delays_cs


@pytest.mark.parametrize("fps", [60, 50, 30, 24, 15])
def test_a_gif_lasts_as_long_as_the_episode(tmp_path, fps):
    path = tmp_path / "clip.gif"
    save_video(path, (frame(k) for k in range(90)), fps)
    delays = gif_delays_ms(path)
    step = gif_frame_step(fps)
    assert len(delays) == len(range(0, 90, step))
    assert min(delays) >= 20  # browsers show shorter delays as 100 ms
    assert sum(delays) == pytest.approx(1000 * len(delays) * step / fps, abs=10)


def test_frames_reach_the_file_as_they_are_appended(tmp_path):
    path = tmp_path / "stream.gif"
    sizes = []
    with VideoWriter(path, fps=20) as writer:
        for k in range(30):
            writer.append(frame(k))
            sizes.append(path.stat().st_size)
    assert all(later > earlier for earlier, later in zip(sizes, sizes[1:]))
    assert len(gif_delays_ms(path)) == 30


def test_memory_stays_flat_whatever_the_number_of_frames(tmp_path):
    big = [frame(k, 300, 400) for k in range(4)]  # 360 kB each
    peaks = []
    for count in (20, 200):
        tracemalloc.start()
        with VideoWriter(tmp_path / f"{count}.gif", fps=20) as writer:
            for k in range(count):
                writer.append(big[k % 4])
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # 200 frames kept in memory would be 72 MB; streamed, ten times the frames costs
    # (almost) nothing more than the first twenty.
    assert peaks[1] < 1.5 * peaks[0] + 2_000_000
    assert peaks[1] < 10_000_000


def test_an_error_while_recording_leaves_no_partial_file(tmp_path):
    path = tmp_path / "broken.gif"
    with pytest.raises(RuntimeError):
        with VideoWriter(path, fps=30) as writer:
            writer.append(frame(0))
            raise RuntimeError("the episode failed")
    assert not path.exists()


def test_ctrl_c_keeps_a_playable_video(tmp_path):
    path = tmp_path / "stopped.gif"
    with pytest.raises(KeyboardInterrupt):
        with VideoWriter(path, fps=20) as writer:
            for k in range(3):
                writer.append(frame(k))
            raise KeyboardInterrupt
    assert gif_delays_ms(path) == [50, 50, 50]


@pytest.mark.parametrize("name", ["clip.xyz", "clip"])
def test_an_unknown_format_is_refused_before_any_frame(tmp_path, name):
    with pytest.raises(ValueError, match="unknown format"):
        VideoWriter(tmp_path / name, fps=30)
    assert not (tmp_path / name).exists()


def test_mp4_streams_through_ffmpeg(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    iio = pytest.importorskip("imageio.v3")
    path = tmp_path / "clip.mp4"
    save_video(path, (frame(k, 45, 61) for k in range(12)), fps=30)  # odd sides are padded
    frames = iio.imread(path)
    assert frames.shape[0] == 12 and frames.shape[1:3] == (46, 62)


def test_a_disk_full_mid_video_is_one_line_and_leaves_no_file(tmp_path, monkeypatch, capsys):
    """Writing fails after a few frames (ENOSPC): one line, no partial GIF, no noise."""
    import errno

    from nprl.cli import main

    real = VideoWriter._write_gif_frame

    def fill_the_disk(self, image):
        if self.frames_written == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, image)

    monkeypatch.setattr(VideoWriter, "_write_gif_frame", fill_the_disk)
    path = tmp_path / "demo.gif"
    assert main(["physics-demo", "--scene", "swing", "--gif", str(path), "--seconds", "0.5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and str(path) in err
    assert not path.exists()


def test_eval_video_streams_frames_while_the_episodes_run(tmp_path, monkeypatch, capsys):
    """``nprl eval --video``: the file grows frame by frame during the episodes, so its
    memory does not grow with their number (it used to keep every frame: 24 GB)."""
    pytest.importorskip("pygame")
    from nprl.cli import main
    from nprl.rl.config import DQNConfig
    from nprl.rl.train import train

    run = tmp_path / "run"
    train("CartPole-v1", DQNConfig(total_steps=150, seed=2, hidden_sizes=[8], batch_size=16,
                                   learning_starts=50, tensorboard=False), run_dir=run)
    path = tmp_path / "cartpole.gif"
    sizes = []
    real_append = VideoWriter.append

    def watched_append(self, image):
        real_append(self, image)
        sizes.append(path.stat().st_size)

    monkeypatch.setattr(VideoWriter, "append", watched_append)
    assert main(["eval", str(run), "--episodes", "3", "--video", str(path)]) == 0
    # CartPole renders at 50 fps, so every frame is kept: each one grows the file.
    assert len(sizes) > 20 and all(later > earlier for earlier, later in zip(sizes, sizes[1:]))
    assert sizes[0] > 0
    assert set(gif_delays_ms(path)) == {20}  # 2/100 s per frame: 50 fps


def test_an_mp4_without_its_index_is_an_error_not_a_silent_success(tmp_path):
    """ffmpeg only warns when it cannot write the MP4's index at the end (a full disk)."""
    pytest.importorskip("imageio_ffmpeg")
    from nprl.viz.video import _check_mp4_complete

    path = tmp_path / "clip.mp4"
    save_video(path, (frame(k, 40, 60) for k in range(30)), fps=30)
    _check_mp4_complete(path)  # complete: no error
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: data.rindex(b"moov") - 4])  # everything before the index
    with pytest.raises(ValueError, match="incomplete"):
        _check_mp4_complete(cut)
