"""The factory through which ``nprl.rl`` builds its environments, so that rl never imports
``nprl.envs`` (envs and rl sit side by side: neither imports the other).

Training needs more than ``gym.make``: pixel ids that are registered on demand and
preprocessed (``ALE/...``, ``MinAtar/...``), named reward shaping, a check of ids read from
files (a ``module:Id`` would import code), and the frames behind one agent step (for the
progress bar). :class:`EnvFactory` names these five calls. ``nprl/__init__.py``, the
composition root, installs the envs package's factory
(:data:`nprl.envs.registration.ENVS`); until something is installed, rl uses
:class:`PlainGym`: ``gym.make`` and nothing else.
"""

from __future__ import annotations

from typing import Any, Protocol

import gymnasium as gym

NO_SHAPING = ("", "none")  # DQNConfig.shaping values that turn shaping off


class EnvFactory(Protocol):
    """What rl asks of whoever builds its environments."""

    def make(self, env_id: str, render_mode: str | None = None, **kwargs: Any) -> gym.Env:
        """A new environment for ``env_id`` (Gymnasium's errors pass through)."""

    def check_id_from_file(self, env_id: object, source: str = "a file",
                           allow_module: bool = False) -> str:
        """``env_id`` if it is safe to make (read from ``source``); ``ValueError`` if not."""

    def check_shaping_name(self, name: str) -> None:
        """``ValueError`` (one line listing the known names) for an unknown shaping."""

    def shape(self, env: gym.Env, name: str, gamma: float,
              scale: float | None = None) -> gym.Env:
        """``env`` with the named potential-based shaping (``env`` itself for "none")."""

    def frames_per_step(self, env: gym.Env) -> int | None:
        """Game frames behind one agent step (Atari: 4); None for a non-pixel env."""


class PlainGym:
    """The factory without ``nprl.envs``: plain ``gym.make``, registered ids only, no
    shaping, no frame counts."""

    def make(self, env_id: str, render_mode: str | None = None, **kwargs: Any) -> gym.Env:
        return gym.make(env_id, render_mode=render_mode, **kwargs)

    def check_id_from_file(self, env_id: object, source: str = "a file",
                           allow_module: bool = False) -> str:
        if not isinstance(env_id, str) or env_id not in gym.registry:
            raise ValueError(f"{source} names environment {env_id!r:.80}, which is not "
                             "registered")
        return env_id

    def check_shaping_name(self, name: str) -> None:
        if name.lower() not in NO_SHAPING:
            raise ValueError(f"unknown shaping {name!r}: named potentials come with "
                             "nprl.envs (import nprl)")

    def shape(self, env: gym.Env, name: str, gamma: float,
              scale: float | None = None) -> gym.Env:
        self.check_shaping_name(name)
        return env

    def frames_per_step(self, env: gym.Env) -> int | None:
        return None


_installed: EnvFactory = PlainGym()


def install(factory: EnvFactory) -> None:
    """Make ``factory`` the one rl builds environments with (``nprl/__init__.py`` does)."""
    global _installed
    _installed = factory


def env_factory() -> EnvFactory:
    """The installed factory (:class:`PlainGym` until one is installed)."""
    return _installed
