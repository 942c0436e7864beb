"""The Pong frames of lesson 13 and checkpoint D: the shipped sample is what ALE records."""

import numpy as np
import pytest

from nprl.lessons import atari


def test_shipped_sample_is_six_uint8_frames_with_the_opponent_scoring_on_frame_4():
    frames, rewards, source = atari.pong_frames(live=False)
    assert frames.dtype == np.uint8 and frames.shape == (atari.FRAMES, 84, 84)
    assert rewards.tolist() == [0, 0, 0, 0, -1, 0]
    assert "sample" in source
    # consecutive frames differ (the ball moves), and the picture is not blank
    assert all((frames[i] != frames[i + 1]).any() for i in range(atari.FRAMES - 1))
    assert frames.min() < 100 < frames.max()


def test_ale_records_exactly_the_shipped_sample(capfd):
    pytest.importorskip("ale_py")
    live, live_rewards, source = atari.pong_frames(live=True)
    frames, rewards, _ = atari.pong_frames(live=False)
    assert source == "ALE (Pong)"
    np.testing.assert_array_equal(live, frames)
    np.testing.assert_array_equal(live_rewards, rewards)
    assert "A.L.E" not in capfd.readouterr().err  # the emulator's banner is silenced
