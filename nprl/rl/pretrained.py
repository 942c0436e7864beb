"""Agents shipped inside the package (``nprl/pretrained/NAME/``), for ``nprl eval pretrained:NAME``.

Each is a folder with ``pretrained.json`` (the environment id, its settings for
evaluation, and how the agent was trained), ``agent/`` (``DQNAgent.save_policy``'s
format: ``agent.json`` and the online network as ``.npy`` files, no pickle) and
``MANIFEST.json`` (checksums, verified on loading). A name is looked up among the folders
that are there, never joined onto a path as typed; the ``env_id`` must be a registered
environment (checked by the installed env factory, :mod:`nprl.env_factory`).
:func:`export_pretrained` makes one, in a folder the caller names, from a run directory's
best checkpoint; to ship it, a maintainer exports into ``nprl/pretrained/NAME`` of a
source checkout (an installed package is never written to). The commands
find an agent (a run directory or ``pretrained:NAME``) with
:func:`nprl.commands.run_target.open_target`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nprl.env_factory import env_factory
from nprl.fileio import read_json, verify_manifest, write_folder, write_json
from nprl.rl.agent import DQNAgent
from nprl.rl.run_dir import RunDir

PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"


def pretrained_names() -> list[str]:
    """Names of the shipped agents (real folders of ``nprl/pretrained/``, no links)."""
    return sorted(p.name for p in PRETRAINED_DIR.iterdir()
                  if p.is_dir() and not p.is_symlink() and (p / "pretrained.json").is_file())


def load_pretrained(name: str) -> tuple[str, dict[str, Any], DQNAgent]:
    """``(env_id, env_kwargs, agent)`` of a shipped agent; ``ValueError`` if unknown or
    damaged (checked against its manifest)."""
    if name not in pretrained_names():  # a name from the list, never a path as typed
        raise ValueError(f"no pretrained agent {name!r:.80}; shipped: "
                         f"{', '.join(pretrained_names()) or 'none'}")
    folder = PRETRAINED_DIR / name
    verify_manifest(folder)
    info = read_json(folder / "pretrained.json")
    env_kwargs = info.get("env_kwargs", {}) if isinstance(info, dict) else None
    if not isinstance(env_kwargs, dict):
        raise ValueError(f"{folder / 'pretrained.json'} is not an nprl pretrained agent")
    env_id = env_factory().check_id_from_file(info.get("env_id"),
                                              str(folder / "pretrained.json"))
    return env_id, dict(env_kwargs), DQNAgent.load(folder / "agent", training=False)


def export_pretrained(run_dir: str | Path, out: str | Path,
                      notes: dict[str, Any] | None = None) -> Path:
    """Write a run's best (else newest) agent, networks only, as a pretrained folder ``out``.

    Parameters
    ----------
    run_dir : the run directory (``nprl train --out``)
    out : the folder to write: new, empty, or an earlier export (``pretrained.json``
        there), which is replaced atomically
    notes : JSON-able facts recorded under ``trained`` (the command, its evaluation...)

    Returns the folder written. ``ValueError`` when ``out`` holds anything else.
    """
    out = Path(out)
    if out.exists() and not (out.is_dir() and (not any(out.iterdir())
                                               or (out / "pretrained.json").is_file())):
        raise ValueError(f"{out} exists and is not an earlier export; choose a new folder")
    run = RunDir(run_dir)
    env_id, config = run.read_config()
    source = run.best_checkpoint() or run.latest_checkpoint()
    agent = DQNAgent.load(source / "agent", training=False)
    document = {
        "env_id": env_id,
        "env_kwargs": {**config.env_kwargs, **config.eval_env_kwargs},
        "trained": {"seed": config.seed, "total_steps": config.total_steps,
                    "checkpoint": source.name, **(notes or {})},
    }

    def write(folder: Path) -> None:
        folder.mkdir()
        agent.save_policy(folder / "agent")
        write_json(folder / "pretrained.json", document)

    return write_folder(out, write)
