"""Pixel environments from the ecosystem: Atari (``ALE/<Game>-v5``) and MinAtar (``MinAtar/<Game>-v1``).

nprl does not copy these games. With Gymnasium 1.x, ale-py and minatar register their ids
only when asked to (``gym.register_envs(ale_py)``, ``minatar.gym.register_envs()``);
:func:`register_pixel_envs` does that the first time such an id is requested, and a missing
extra becomes one :class:`~nprl.errors.UserError` line naming the ``pip install`` that fixes
it. :func:`make_pixel_env` is what ``nprl train`` / ``eval`` call for these ids:

- ``ALE/...``: :func:`nprl.envs.atari.make_atari` (the DQN preprocessing: 84x84 gray,
  frame skip 4, 4 stacked frames, FIRE on reset, sign-clipped rewards for learning);
- ``MinAtar/...``: ``gym.make`` as minatar registers it (10x10xC bool planes, channels
  last, sticky actions 0.1 as in the MinAtar paper), plus a generous time limit so that a
  greedy agent that never loses cannot hang an evaluation.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from nprl.errors import UserError

ATARI_PREFIX = "ALE/"
MINATAR_PREFIX = "MinAtar/"
MINATAR_GAMES = ("Asterix", "Breakout", "Freeway", "Seaquest", "SpaceInvaders")
# MinAtar episodes have no time limit of their own; this one only stops a greedy agent that
# never loses (far beyond any score in the MinAtar paper).
MINATAR_MAX_EPISODE_STEPS = 100_000
def frames_per_step(env: gym.Env) -> int | None:
    """Game frames per agent step (Atari: the frame skip, MinAtar: 1); None for an env
    that is not a pixel game."""
    family = pixel_family(env.spec.id) if env.spec is not None else None
    if family is None:
        return None
    wrapper = env
    while isinstance(wrapper, gym.Wrapper):  # AtariPreprocessing knows its frame skip
        if isinstance(wrapper, gym.wrappers.AtariPreprocessing):
            return int(wrapper.frame_skip)
        wrapper = wrapper.env
    return 1


MINATAR_ACTION_NAMES = ("NOOP", "LEFT", "UP", "RIGHT", "DOWN", "FIRE")  # minatar's order


def pixel_action_names(env: gym.Env) -> list[str] | None:
    """Names of the actions of a pixel game (ALE's meanings; MinAtar's minimal set), or None."""
    family = pixel_family(env.spec.id) if env.spec is not None else None
    if family == "atari":
        return list(env.unwrapped.get_action_meanings())
    if family == "minatar":
        return [MINATAR_ACTION_NAMES[a] for a in env.unwrapped.action_set]
    return None


def pixel_family(env_id: str) -> str | None:
    """``"atari"``, ``"minatar"`` or None (not a pixel id nprl knows)."""
    if env_id.startswith(ATARI_PREFIX):
        return "atari"
    if env_id.startswith(MINATAR_PREFIX):
        return "minatar"
    return None


def register_pixel_envs(env_id: str) -> None:
    """Register ale-py's or minatar's environments if ``env_id`` is one of theirs.

    Raises
    ------
    UserError
        When the package behind the id is not installed (says which extra to install).
    """
    family = pixel_family(env_id)
    if family is None or env_id in gym.registry:
        return
    if family == "atari":
        try:
            import ale_py
        except ImportError:
            raise UserError(f"{env_id} needs ale-py: pip install 'nprl[atari]'") from None
        gym.register_envs(ale_py)
    else:
        try:
            import minatar.gym
        except ImportError:
            raise UserError(f"{env_id} needs minatar: pip install 'nprl[minatar]'") from None
        minatar.gym.register_envs()


def make_pixel_env(env_id: str, render_mode: str | None = None, **options: Any) -> gym.Env:
    """Build a pixel environment the way nprl trains and evaluates on it.

    Parameters
    ----------
    env_id : str
        ``ALE/<Game>-v5`` or ``MinAtar/<Game>-v1``.
    render_mode : str, optional
        ``"rgb_array"`` for videos (Atari: the game's own RGB screen).
    **options
        Atari: the keywords of :func:`~nprl.envs.atari.make_atari`; MinAtar: ``gym.make``
        keywords (``sticky_action_prob``, ``max_episode_steps``).
    """
    family = pixel_family(env_id)
    if family is None:
        raise ValueError(f"{env_id!r} is not an ALE/ or MinAtar/ id")
    register_pixel_envs(env_id)
    if family == "atari":
        from nprl.envs.atari import make_atari

        return make_atari(env_id, render_mode=render_mode, **options)
    options.setdefault("max_episode_steps", MINATAR_MAX_EPISODE_STEPS)
    if render_mode == "rgb_array":  # minatar's own needs seaborn; ours is a fixed palette
        from nprl.envs.minatar_render import MinAtarRGB

        return MinAtarGameState(MinAtarRGB(gym.make(env_id, **options)))
    return MinAtarGameState(gym.make(env_id, render_mode=render_mode, **options))


class MinAtarGameState(gym.Wrapper):
    """A MinAtar game whose random state goes into training checkpoints.

    MinAtar draws from its own ``RandomState`` (which Gymnasium's ``np_random`` does not
    cover): one object shared by the wrapper and the game once seeded, plus the last
    action, which sticky actions repeat across episodes. This wrapper implements the
    env-state protocol of :mod:`nprl.rl.environments` (``checkpoint_state`` /
    ``load_checkpoint_state``), so that a resumed run draws what an uninterrupted one
    would."""

    def checkpoint_state(self) -> dict[str, Any] | None:
        """The game's random state, JSON-able (None before the game exists)."""
        game = getattr(self.env.unwrapped, "game", None)
        random = getattr(game, "random", None)
        if not isinstance(random, np.random.RandomState):
            return None
        name, keys, pos, has_gauss, cached = random.get_state()
        return {"name": name, "keys": keys.tolist(), "pos": int(pos),
                "has_gauss": int(has_gauss), "cached_gaussian": float(cached),
                "last_action": int(game.last_action)}

    def load_checkpoint_state(self, state: dict[str, Any]) -> None:
        """Put back what :meth:`checkpoint_state` saved (checked: a file is untrusted)."""
        game = getattr(self.env.unwrapped, "game", None)
        if not isinstance(getattr(game, "random", None), np.random.RandomState):
            raise ValueError("the checkpoint holds a game random state, but this "
                             "environment has no MinAtar game")
        try:
            keys = np.asarray(state["keys"], dtype=np.uint32)
            last_action = int(state["last_action"])
            if state["name"] != "MT19937" or keys.shape != (624,) or not 0 <= last_action < 6:
                raise TypeError
            random = np.random.RandomState()
            random.set_state(("MT19937", keys, int(state["pos"]), int(state["has_gauss"]),
                              float(state["cached_gaussian"])))
        except (KeyError, TypeError, ValueError):
            raise ValueError("the checkpoint's game random state is not an MT19937 "
                             "state") from None
        game.random = game.env.random = random  # one stream, as minatar's seed() leaves it
        game.last_action = last_action
