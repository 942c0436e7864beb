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

    # No key held: the episode waits for the first arrow key, frozen; nothing crashes.
    assert play(stage=0, seed=0, max_steps=200) == []


def test_play_starts_at_the_first_key_and_prints_the_controls(monkeypatch, capsys):
    pygame = pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from nprl.viz.lander_play import play

    held = {pygame.K_LEFT}  # a side thruster only: the lander turns and falls
    monkeypatch.setattr(pygame.key, "get_pressed", lambda: HeldKeys(held))
    outcomes = play(stage=0, seed=0, max_steps=300)
    assert outcomes and outcomes[0] in ("crashed", "out_of_bounds", "landed")
    assert "controls: UP main engine" in capsys.readouterr().out


class HeldKeys:
    """What ``pygame.key.get_pressed()`` returns: indexable by key code."""

    def __init__(self, held):
        self.held = held

    def __getitem__(self, key):
        return key in self.held


def test_the_window_shows_the_keys_at_the_bottom(monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    import gymnasium as gym
    import numpy as np

    from nprl.viz.lander_play import KEY_HINTS

    env = gym.make("nprl/Lander-v0", render_mode="rgb_array", stage=0)
    env.reset(seed=0)
    plain = env.render()
    env.unwrapped.hud_hint = list(KEY_HINTS)
    hinted = env.render()
    env.close()
    changed = np.argwhere((plain != hinted).any(axis=-1))
    assert len(changed) > 500  # the words are drawn...
    assert changed[:, 0].min() > plain.shape[0] * 0.8  # ...at the bottom, nowhere else
