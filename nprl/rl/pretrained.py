"""Agents shipped inside the package (``nprl/pretrained/NAME/``), for ``nprl eval pretrained:NAME``.

Each is a folder with ``pretrained.json`` (the environment id, its settings for
evaluation, and how the agent was trained) and ``agent/`` (``DQNAgent.save_policy``'s
format: ``agent.json`` and the online network as ``.npy`` files, no pickle).
:func:`export_pretrained` makes one from a run directory's best checkpoint. The commands
find an agent (a run directory or ``pretrained:NAME``) with
:func:`nprl.commands.run_target.open_target`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nprl.rl.agent import DQNAgent
from nprl.rl.run_dir import RunDir
from nprl.rl.storage import read_json, write_json

PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"


def pretrained_names() -> list[str]:
    """Names of the shipped agents."""
    return sorted(p.name for p in PRETRAINED_DIR.glob("*") if (p / "pretrained.json").is_file())


def load_pretrained(name: str) -> tuple[str, dict[str, Any], DQNAgent]:
    """``(env_id, env_kwargs, agent)`` of a shipped agent; ``ValueError`` if unknown."""
    folder = PRETRAINED_DIR / name
    if not name or not (folder / "pretrained.json").is_file():
        raise ValueError(f"no pretrained agent {name!r}; shipped: "
                         f"{', '.join(pretrained_names()) or 'none'}")
    info = read_json(folder / "pretrained.json")
    return info["env_id"], dict(info.get("env_kwargs", {})), DQNAgent.load(folder / "agent")


def export_pretrained(run_dir: str | Path, name: str, notes: dict[str, Any]) -> Path:
    """Copy a run's best (else newest) agent, networks only, to ``nprl/pretrained/NAME``."""
    run = RunDir(run_dir)
    env_id, config = run.read_config()
    source = run.best_checkpoint() or run.latest_checkpoint()
    folder = PRETRAINED_DIR / name
    DQNAgent.load(source / "agent").save_policy(folder / "agent")
    write_json(folder / "pretrained.json", {
        "env_id": env_id,
        "env_kwargs": {**config.env_kwargs, **config.eval_env_kwargs},
        "trained": {"seed": config.seed, "total_steps": config.total_steps,
                    "checkpoint": source.name, **notes},
    })
    return folder
