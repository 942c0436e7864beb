"""Atari with sticky actions: the emulator's random state goes into checkpoints, so a game
restored from one plays on, after ``reset()``, exactly as the uninterrupted game does."""

import base64
import json
import struct

import numpy as np
import pytest

from nprl.envs import atari
from nprl.envs.atari import make_atari
from nprl.rl.environments import env_state, restore_env_state

GAME = "ALE/Breakout-v5"  # sticky actions 0.25 (make_atari's default), as the atari preset


def play_one_episode(env, seed, rng):
    """From a seeded reset, random actions until the (one-life) episode ends."""
    env.reset(seed=seed)
    while True:
        _, _, terminated, truncated, _ = env.step(int(rng.integers(env.action_space.n)))
        if terminated or truncated:
            return


def play_on(env, actions):
    """What the training loop does after a checkpoint: reset, then the given actions,
    resetting at each episode's end; every observation, reward and end flag."""
    obs, _ = env.reset()
    seen = [obs]
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(int(action))
        seen += [obs, reward, terminated, truncated]
        if terminated or truncated:
            obs, _ = env.reset()
            seen.append(obs)
    return seen


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.fixture(scope="module")
def saved():
    """A game at the end of an episode: its env state (through JSON, as a checkpoint
    keeps it), its Gymnasium generator, and what the uninterrupted game plays next."""
    env = make_atari(GAME, terminal_on_life_loss=True)
    rng = np.random.default_rng(0)
    play_one_episode(env, seed=3, rng=rng)
    state = json.loads(json.dumps(env_state(env)))
    np_random = env.unwrapped.np_random.bit_generator.state
    actions = rng.integers(env.action_space.n, size=300)
    return state, np_random, actions, play_on(env, actions)


def resumed(state, np_random, restore=True, seed=None):
    """A new game set up as nprl.rl.train.resume does: np_random, then the env state."""
    env = make_atari(GAME, terminal_on_life_loss=True)
    if seed is not None:
        env.reset(seed=seed)
    env.unwrapped.np_random.bit_generator.state = np_random
    if restore:
        restore_env_state(env, state, "state.json")
    return env


def test_a_restored_game_plays_on_exactly_as_the_uninterrupted_one(saved):
    state, np_random, actions, uninterrupted = saved
    assert sum(map(np.any, uninterrupted[2::4])) >= 3  # several episodes, and rewards
    assert same(play_on(resumed(state, np_random), actions), uninterrupted)


def test_without_the_emulators_state_the_sticky_actions_diverge(saved):
    # The same seed as the original game is not enough: its generator moved on since.
    state, np_random, actions, uninterrupted = saved
    assert not same(play_on(resumed(state, np_random, restore=False, seed=3), actions),
                    uninterrupted)
    # Without sticky actions the emulator's generator is not used: no state is needed.
    plain = make_atari(GAME, repeat_action_probability=0.0, terminal_on_life_loss=True)
    rng = np.random.default_rng(0)
    play_one_episode(plain, seed=3, rng=rng)
    np_random = plain.unwrapped.np_random.bit_generator.state
    fresh = make_atari(GAME, repeat_action_probability=0.0, terminal_on_life_loss=True)
    fresh.reset(seed=8)
    fresh.unwrapped.np_random.bit_generator.state = np_random
    assert same(play_on(fresh, actions), play_on(plain, actions))


def with_ale_bytes(state, change):
    raw = bytearray(base64.b64decode(state["ale_state"]))
    change(raw)
    return {**state, "ale_state": base64.b64encode(bytes(raw)).decode("ascii")}


def set_mode(raw):
    struct.pack_into("<i", raw, 16, 1)  # the fifth header int: the game mode


def damage_numbers(raw):
    """A letter among the digits of the emulator's random state (text after 'System' and
    two ints): the layout holds, ale-py reads other numbers than the ones written."""
    digit = raw.index(b"System") + len(b"System") + 8 + 3
    raw[digit:digit + 1] = b"x"


def other_game_state():
    pong = make_atari("ALE/Pong-v5")
    pong.reset(seed=1)
    return env_state(pong)


@pytest.mark.parametrize("bad, message", [
    (lambda s: {"state": s["ale_state"]}, "not base64 text"),
    (lambda s: {**s, "ale_state": "not base64!"}, "not base64 text"),
    (lambda s: {**s, "ale_state": 12}, "not base64 text"),
    (lambda s: {**s, "ale_state": s["ale_state"][:400]}, "too short|lengths disagree"),
    (lambda s: with_ale_bytes(s, lambda raw: raw.extend(b"\0\0\0\0")), "lengths disagree"),
    (lambda s: with_ale_bytes(s, lambda raw: raw.__setitem__(slice(32, 40), b"no md5!!")),
     "ROM's MD5"),
    (lambda s: with_ale_bytes(s, set_mode), "game mode 1 and difficulty 0, this game 0"),
    (lambda s: other_game_state(), "of another game"),
    (lambda s: with_ale_bytes(s, damage_numbers), "does not load back to itself"),
])
def test_a_bad_ale_state_is_one_clear_error_and_changes_nothing(saved, bad, message):
    state = saved[0]
    env = make_atari(GAME, terminal_on_life_loss=True)
    env.reset(seed=5)
    before = env.unwrapped.ale.cloneState(include_rng=True).serialize()
    with pytest.raises(ValueError, match=rf"^state\.json: the checkpoint's 'ale_state' .*"
                                         rf"({message})"):
        restore_env_state(env, bad(state), "state.json")
    assert env.unwrapped.ale.cloneState(include_rng=True).serialize() == before


def test_a_state_without_the_random_generator_is_refused():
    env = make_atari(GAME)
    env.reset(seed=5)
    raw = env.unwrapped.ale.cloneState(include_rng=False).serialize()
    state = {"ale_state": base64.b64encode(raw).decode("ascii"), "ale_py": "0.0"}
    with pytest.raises(ValueError, match=r"saved by ale-py 0\.0\) does not load back"):
        restore_env_state(env, state, "state.json")
    with pytest.raises(ValueError, match=r"saved by ale-py unknown\) does not load back"):
        restore_env_state(env, {**state, "ale_py": "0.1\nTraceback"}, "state.json")


def test_an_ale_py_with_another_state_layout_is_named(monkeypatch, saved):
    env = make_atari(GAME)

    def unknown_layout(raw):
        raise ValueError("lengths disagree")

    monkeypatch.setattr(atari, "_ale_state_fields", unknown_layout)
    with pytest.raises(ValueError, match=r"writes its states in a layout nprl does not know"):
        restore_env_state(env, saved[0], "state.json")
