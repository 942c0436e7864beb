"""Presets: named, tuned hyperparameters, one TOML file per environment in ``nprl/presets/``.

A preset file has a top-level ``env`` (the Gymnasium id it was tuned for), a one-line
``description`` (which env, what the preset is for, how long it trains on a laptop CPU;
``nprl train --list-presets`` prints it), optionally ``default = true`` (the preset that
``nprl train --env ID`` picks for its ``env`` when no preset is named after the id, for ids
that cannot be file names, such as ``nprl/Lander-v0``) and a ``[dqn]`` table of
:class:`~nprl.rl.config.DQNConfig` fields; a comment at its top says where the
values come from. Names are the file names without ``.toml`` (``CartPole-v1``,
``cartpole-tutorial``), matched case-insensitively.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from nprl.rl.config import DQNConfig

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"

# Families of ids with one default preset each (``ALE/<Game>-v5``, ``MinAtar/<Game>-v1``).
FAMILY_PRESETS = {"ALE/": "atari", "MinAtar/": "minatar-tuned"}


def default_preset(env_id: str) -> str | None:
    """The preset ``nprl train --env ID`` uses without ``--preset``: the one named after
    the id, the one marked ``default = true`` for it (the Lander's), or the family's
    (Atari, MinAtar); None if there is none."""
    if find_preset(env_id) is not None:
        return env_id
    for name in preset_names():
        document = _read(name)
        if document.get("default") is True and document.get("env") == env_id:
            return name
    for prefix, family in FAMILY_PRESETS.items():
        if env_id.startswith(prefix):
            return family
    return None


def preset_names() -> list[str]:
    """Names of the shipped presets, sorted."""
    return sorted(path.stem for path in PRESET_DIR.glob("*.toml"))


def find_preset(name: str) -> Path | None:
    """The preset file called ``name`` (case-insensitive), or None."""
    for path in PRESET_DIR.glob("*.toml"):
        if path.stem.lower() == name.lower():
            return path
    return None


def _read(name: str) -> dict[str, Any]:
    path = find_preset(name)
    if path is None:
        raise ValueError(f"unknown preset {name!r}; available: {', '.join(preset_names())}")
    with open(path, "rb") as file:
        return tomllib.load(file)


def preset_description(name: str) -> str:
    """The one-line ``description`` of a preset ("" when its file has none)."""
    return str(_read(name).get("description", ""))


def describe_presets() -> str:
    """Every preset on its own line: name, then its description (``--list-presets``)."""
    names = preset_names()
    width = max(len(name) for name in names)
    lines = [f"{name:<{width}}  {preset_description(name)}" for name in names]
    hint = ("use one with: nprl train --preset NAME "
            "(nprl train --env ID picks the one named after ID, or marked default for it)")
    return "\n".join([*lines, "", hint])


def load_preset(name: str) -> tuple[str, dict[str, Any]]:
    """Return ``(env_id, dqn_settings)`` of a preset.

    Raises
    ------
    ValueError
        If there is no such preset, or its file has an unknown key.
    """
    document = _read(name)
    settings = document.get("dqn", {})
    DQNConfig.from_dict(settings)  # reject unknown keys and bad values now, naming them
    return document["env"], settings


def resolve_config(
    env_id: str | None, preset: str | None, overrides: dict[str, Any] | None = None,
    assignments: list[str] | None = None,
) -> tuple[str, DQNConfig]:
    """Decide the environment and the full config of a run.

    The preset (explicit, or :func:`default_preset` of ``env_id``) gives the base; ``overrides`` (a dict, e.g. steps and seed) and ``assignments`` (``key=value``
    strings from ``--set``) are applied on top. ``env_id`` defaults to the preset's env,
    then to ``CartPole-v1``.
    """
    settings: dict[str, Any] = {}
    if preset is not None:
        preset_env, settings = load_preset(preset)
        env_id = env_id or preset_env
    else:
        env_id = env_id or "CartPole-v1"
        name = default_preset(env_id)
        if name is not None:
            _, settings = load_preset(name)
    config = DQNConfig.from_dict({**settings, **(overrides or {})})
    if assignments:
        config = config.with_overrides(assignments)
    return env_id, config
