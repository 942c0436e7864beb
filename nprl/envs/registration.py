"""Registering nprl's environments with Gymnasium (cheap: no physics is imported), and
checking environment ids that come from files.

``gym.make("module:Env-v0")`` imports ``module`` first, so an id read from a run
directory, a checkpoint or ``pretrained.json`` could run any code placed beside it.
:func:`check_env_id_from_file` lets such an id through only when it names an environment
that is already registered: by nprl itself, or by a package nprl knows, which it may
import for that (:data:`ON_DEMAND`, e.g. ``ale_py`` for ``ALE/...`` ids). An id typed by
the user (``nprl train --env module:Env-v0``) is the user's choice and is not checked.

:data:`ENVS` is how ``nprl.rl`` builds environments without importing this package: the
:class:`~nprl.env_factory.EnvFactory` that ``nprl/__init__.py`` installs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym

from nprl.envs.pixels import frames_per_step, make_pixel_env, pixel_family, register_pixel_envs
from nprl.envs.potentials import check_shaping_name, shape_env

LANDER_ID = "nprl/Lander-v0"
ALLOW_MODULE_FLAG = "--allow-env-module"  # what the user types to trust a file's module:Id


def register_envs() -> None:
    """Register ``nprl/Lander-v0`` once; calling again is harmless."""
    if LANDER_ID not in gym.registry:
        gym.register(id=LANDER_ID, entry_point="nprl.envs.lander:LanderEnv",
                     max_episode_steps=1000)


def _register_pixel_family(env_id: str) -> None:
    """ALE/... and MinAtar/... ids: let ale-py or minatar register their environments (a
    missing package is one line naming the extra that brings it)."""
    from nprl.errors import UserError

    try:
        register_pixel_envs(env_id)
    except UserError as error:
        raise ValueError(str(error)) from None


# Hooks that may register an environment id on demand: each takes the id and registers
# it (or nothing). They run only the code named here, never a module named by a file.
ON_DEMAND: list[Callable[[str], None]] = [_register_pixel_family]


def check_env_id_from_file(env_id: object, source: str = "a file",
                           allow_module: bool = False) -> str:
    """Return ``env_id`` if it is safe to pass to ``gym.make``; else ``ValueError``.

    Parameters
    ----------
    env_id : object
        The id as read from the file (anything: the file is untrusted).
    source : str
        The file it came from, named in the error.
    allow_module : bool
        True when the user typed :data:`ALLOW_MODULE_FLAG`: a ``module:Id`` is then
        passed through, and ``gym.make`` imports ``module``.

    Raises
    ------
    ValueError
        One line naming the id and the file: not a string, the ``module:Id`` form without
        the flag, or an id that no known package registers.
    """
    if not isinstance(env_id, str) or not env_id or len(env_id) > 200:
        raise ValueError(f"{source} names no valid environment id ({env_id!r:.80})")
    if ":" in env_id:
        if allow_module:
            return env_id
        module = env_id.partition(":")[0]
        raise ValueError(
            f"{source} names environment {env_id!r}, which would import and run the Python "
            f"module {module!r}; nprl never runs code named in a file. If you trust where "
            f"this file comes from, add {ALLOW_MODULE_FLAG} to the command")
    if env_id not in gym.registry:
        for hook in ON_DEMAND:
            hook(env_id)
    if env_id not in gym.registry:
        raise ValueError(
            f"{source} names environment {env_id!r}, which is not registered (nprl knows "
            "Gymnasium's environments, nprl/Lander-v0, ALE/... with ale-py and MinAtar/... "
            "with minatar installed)")
    return env_id


class EnvsFactory:
    """nprl's :class:`~nprl.env_factory.EnvFactory`: pixel ids through
    :func:`~nprl.envs.pixels.make_pixel_env`, anything else through ``gym.make``; shaping
    from :mod:`nprl.envs.potentials`; ids from files checked by
    :func:`check_env_id_from_file`."""

    check_id_from_file = staticmethod(check_env_id_from_file)
    check_shaping_name = staticmethod(check_shaping_name)
    shape = staticmethod(shape_env)
    frames_per_step = staticmethod(frames_per_step)

    def make(self, env_id: str, render_mode: str | None = None, **kwargs: Any) -> gym.Env:
        if pixel_family(env_id) is not None:  # ALE/..., MinAtar/...: registered on demand
            return make_pixel_env(env_id, render_mode=render_mode, **kwargs)
        return gym.make(env_id, render_mode=render_mode, **kwargs)


ENVS = EnvsFactory()
