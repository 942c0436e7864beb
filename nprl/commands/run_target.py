"""Where the picture commands (``nprl eval``, ``nprl qmap``, ``nprl report``) get an agent.

Not a sub-command: a helper they share. :func:`open_target` takes what the user typed (a
run directory or ``pretrained:NAME``) and returns the agent with everything known about
it, or raises :class:`~nprl.errors.UserError` with one line that says what is wrong with
the folder: it does not exist, it is not a run directory, its ``config.json`` is broken
or names an environment that is not registered, it has no checkpoint yet, or no
checkpoint can be read. A damaged checkpoint is skipped for the newest intact one, with a
note. The agent is read for acting only: no replay buffer is read or allocated.
The arguments that name the agent (``RUN_DIR``, ``--checkpoint``, ``--allow-env-module``)
are added by :func:`nprl.commands.arguments.add_run_target_arguments`.
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

    @property
    def checkpoint_text(self) -> str:
        """Which agent this is, e.g. "best checkpoint (step 12,000)", "latest checkpoint
        (step 50,000)" or "the pretrained agent shipped with nprl"."""
        from nprl.rl.run_dir import read_state

        if self.checkpoint is None:
            return "the pretrained agent shipped with nprl"
        name = self.checkpoint.name
        if self.run is not None and name != "best" and (
                self.run.checkpoints / "latest").is_file():
            try:  # checkpoints/latest is a small file naming the newest checkpoint
                if (self.run.checkpoints / "latest").read_text().strip() == name:
                    name = "latest"
            except (OSError, UnicodeDecodeError):
                pass
        try:
            saved = read_state(self.checkpoint)  # best: {"step", ...}; others: {"loop": ...}
            step = saved["step"] if "step" in saved else saved["loop"]["step"]
        except (ValueError, KeyError, TypeError):
            return f"{name} checkpoint"
        return f"{name} checkpoint (step {int(step):,})"


def open_target(target: str, checkpoint: str = "best",
                allow_env_module: bool = False) -> Target:
    """Load the agent of a run directory or of ``pretrained:NAME``.

    ``checkpoint``: ``"best"`` (the run's best when it kept one, else its newest intact),
    ``"latest"`` (its newest intact) or a checkpoint's name, exactly that one.
    ``allow_env_module``: the user typed ``--allow-env-module``.
    """
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
        env_id, config = run.read_config(allow_env_module=allow_env_module)
    except ValueError as error:
        message = str(error)
        if str(run.config_path) not in message:  # e.g. "gamma must lie in [0, 1]"
            message = f"{run.config_path}: {message}"
        raise UserError(message) from None
    if not (run.checkpoints / "latest").is_file() and not run.checkpoint_names():
        raise UserError(f"{run.path} has no checkpoint yet: its training has not saved one "
                        f"(it does every checkpoint_interval = {config.checkpoint_interval} "
                        "steps and when it ends)")

    def load(folder: Path):
        return DQNAgent.load(folder / "agent", training=False)

    named = checkpoint if checkpoint not in ("best", "latest") else None
    try:
        folder, agent = run.open_checkpoint(load, named, prefer_best=checkpoint == "best")
    except ValueError as error:
        message = str(error)
        raise UserError(message if str(run.path) in message
                        else f"cannot load an agent from {run.path}: {message}") from None
    return Target(env_id, {**config.env_kwargs, **config.eval_env_kwargs}, agent, run,
                  config, folder)


def make_target_env(target: Target, render_mode: str | None = None):
    """The evaluation environment of ``target``; an unusable id is a UserError."""
    from nprl.rl.train import make_env

    try:
        return make_env(target.env_id, render_mode=render_mode, **target.env_kwargs)
    except ValueError as error:
        raise UserError(str(error)) from None
