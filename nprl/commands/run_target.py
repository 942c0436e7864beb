"""Where the picture commands (``nprl eval``, ``nprl qmap``, ``nprl report``) get an agent.

Not a sub-command: a helper they share. :func:`open_target` takes what the user typed (a
run directory or ``pretrained:NAME``) and returns the agent with everything known about
it, or raises :class:`~nprl.errors.UserError` with one line that says what is wrong with
the folder: it does not exist, it is not a run directory, its ``config.json`` is broken,
it has no checkpoint yet, or its checkpoint cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nprl.errors import UserError


@dataclass
class Target:
    """An agent and where it came from."""

    env_id: str
    env_kwargs: dict[str, Any]  # settings of the evaluation environment
    agent: Any  # DQNAgent
    run: Any = None  # RunDir, None for a pretrained agent
    config: Any = None  # DQNConfig of the run, None for a pretrained agent
    checkpoint: Path | None = None  # the checkpoint folder the agent was loaded from

    @property
    def label(self) -> str:
        """How to name the agent in a sentence."""
        if self.run is None:
            return f"pretrained agent for {self.env_id}"
        return f"{self.run.path} ({self.checkpoint.name} checkpoint)"


def open_target(target: str, checkpoint: str = "best") -> Target:
    """Load the agent of a run directory (its best checkpoint when ``checkpoint="best"``
    and the run kept one, else its newest) or of ``pretrained:NAME``."""
    from nprl.rl.agent import DQNAgent
    from nprl.rl.pretrained import load_pretrained
    from nprl.rl.run_dir import RunDir

    if target.startswith("pretrained:"):
        try:
            env_id, env_kwargs, agent = load_pretrained(target.partition(":")[2])
        except ValueError as error:
            raise UserError(str(error)) from None
        return Target(env_id, env_kwargs, agent)
    run = RunDir(target)
    try:
        run.check()  # missing, a file, no config.json: its own one-line message
    except ValueError as error:
        raise UserError(str(error)) from None
    try:
        env_id, config = run.read_config()
    except ValueError as error:
        message = str(error)
        if str(run.config_path) not in message:  # e.g. "gamma must lie in [0, 1]"
            message = f"{run.config_path}: {message}"
        raise UserError(message) from None
    if not (run.checkpoints / "latest").is_file():
        raise UserError(f"{run.path} has no checkpoint yet: its training has not saved one "
                        f"(it does every checkpoint_interval = {config.checkpoint_interval} "
                        "steps and when it ends)")
    try:
        folder = (run.best_checkpoint() if checkpoint == "best" else None) \
            or run.latest_checkpoint()
    except ValueError as error:
        raise UserError(str(error)) from None
    try:
        agent = DQNAgent.load(folder / "agent")
    except (ValueError, KeyError, TypeError, OSError) as error:
        raise UserError(f"cannot load the agent of {folder}: {error}") from None
    return Target(env_id, {**config.env_kwargs, **config.eval_env_kwargs}, agent, run,
                  config, folder)


def make_target_env(target: Target, render_mode: str | None = None):
    """The evaluation environment of ``target``; an unusable id is a UserError."""
    from nprl.rl.train import make_env

    try:
        return make_env(target.env_id, render_mode=render_mode, **target.env_kwargs)
    except ValueError as error:
        raise UserError(str(error)) from None
