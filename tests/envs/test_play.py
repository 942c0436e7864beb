"""``nprl play``: arrow keys map to the right actions and the loop runs headless."""

import pytest

from nprl.viz.lander_play import keys_to_action


def test_arrow_keys_map_to_actions():
    assert keys_to_action(False, False, False) == 0
    assert keys_to_action(True, False, False) == 1
    assert keys_to_action(False, True, False) == 2
    assert keys_to_action(False, False, True) == 3
    assert keys_to_action(True, True, False) == 4
    assert keys_to_action(True, False, True) == 5


def test_play_loop_runs_headless(monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from nprl.viz.lander_play import play

    # No key held: the lander free-falls from stage 0 and crashes within 200 steps.
    outcomes = play(stage=0, seed=0, max_steps=200)
    assert outcomes and outcomes[0] == "crashed"
