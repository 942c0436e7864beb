"""Environments as training sees them: built through the installed factory
(:mod:`nprl.env_factory`; rl never imports ``nprl.envs``), and the one protocol by which
an environment keeps state in a checkpoint.

The env-state protocol
----------------------
Gymnasium's ``np_random`` (saved with every checkpoint) does not cover everything an
environment may carry from one episode to the next: the Lander's curriculum stage, the
random state of a MinAtar game, an Atari emulator's generator for sticky actions. An
environment (or one of its wrappers) that has such state implements two methods, found by
name along its wrapper chain::

    def checkpoint_state(self) -> dict | None: ...       # JSON-able, or None: nothing yet
    def load_checkpoint_state(self, state: dict) -> None: ...  # ValueError for a bad one

:class:`EnvState` states it as a ``typing.Protocol``; nothing needs to inherit from it.
"""

from __future__ import annotations

from typing import Any, Protocol

import gymnasium as gym

from nprl.env_factory import env_factory
from nprl.rl.config import DQNConfig

CHECKPOINT_STATE = "checkpoint_state"
LOAD_CHECKPOINT_STATE = "load_checkpoint_state"


class EnvState(Protocol):
    """An environment with state of its own for training checkpoints (see the module
    docstring). Implemented by ``nprl/Lander-v0`` (curriculum), MinAtar and Atari games."""

    def checkpoint_state(self) -> dict[str, Any] | None: ...

    def load_checkpoint_state(self, state: dict[str, Any]) -> None: ...


def make_env(env_id_or_env: str | gym.Env, render_mode: str | None = None,
             **kwargs: Any) -> gym.Env:
    """A new environment from the installed factory (pixel ids included), with a clear
    ``ValueError`` for an unknown or unusable id or keyword; an ``Env`` instance is
    returned unchanged."""
    if isinstance(env_id_or_env, gym.Env):
        return env_id_or_env
    env_id = str(env_id_or_env)
    try:
        return env_factory().make(env_id, render_mode=render_mode, **kwargs)
    except TypeError as error:
        raise ValueError(f"environment {env_id!r} does not take these settings "
                         f"{sorted(kwargs)}: {error}") from None
    except gym.error.DependencyNotInstalled as error:
        raise ValueError(f"environment {env_id!r} needs a missing package: {error}") from None
    except ImportError as error:  # the module of a "module:Env-v0" id cannot be imported
        module = error.name or env_id.partition(":")[0]  # Gymnasium's own error has no name
        raise ValueError(f"environment {env_id!r}: cannot import its module {module!r} "
                         f"({str(error).partition('.')[0]}); install it or check the id"
                         ) from None
    except gym.error.Error as error:
        raise ValueError(f"unknown environment {env_id!r}: {error}") from None


def shaped(env: gym.Env, config: DQNConfig) -> gym.Env:
    """The training env with ``config.shaping``'s potential (evaluation envs stay unshaped:
    they score the task's own reward), discounted with the agent's own gamma."""
    return env_factory().shape(env, config.shaping, config.gamma, config.shaping_scale)


def env_name(env: gym.Env) -> str | None:
    """The registered id of an environment, if it has one."""
    return env.spec.id if env.spec is not None else None


def frames_per_step(env: gym.Env) -> int | None:
    """Game frames behind one agent step (Atari: the frame skip); None for other envs."""
    return env_factory().frames_per_step(env)


def env_state(env: gym.Env) -> dict[str, Any] | None:
    """What the env keeps for a checkpoint under the env-state protocol (None if nothing)."""
    if not env.has_wrapper_attr(CHECKPOINT_STATE):
        return None
    return env.get_wrapper_attr(CHECKPOINT_STATE)()


def restore_env_state(env: gym.Env, state: object, source: str) -> None:
    """Give ``state`` (read from ``source``, untrusted) back to the env; ``ValueError``
    naming ``source`` when the env keeps no such state or refuses this one."""
    if not isinstance(state, dict):
        raise ValueError(f"{source}: the environment state must be a dict")
    if not env.has_wrapper_attr(LOAD_CHECKPOINT_STATE):
        raise ValueError(f"{source} holds an environment state, but {env_name(env)} keeps "
                         "none")
    try:
        env.get_wrapper_attr(LOAD_CHECKPOINT_STATE)(state)
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
