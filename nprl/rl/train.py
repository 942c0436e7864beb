"""The DQN training loop, readable top to bottom (in the spirit of CleanRL's ``dqn.py``).

:func:`train` seeds everything from ``config.seed``, builds the environment and the
agent, and runs :func:`run_loop`, which shows only DQN; what it keeps besides learning
(metrics, evaluations, checkpoints, the divergence guard) sits behind a few calls of
:class:`~nprl.rl.bookkeeping.Bookkeeping`. Each environment step of the loop:

1. picks epsilon from its schedule and acts epsilon-greedily;
2. steps the environment and stores the transition (``terminated`` apart from
   ``truncated``: only a true end stops bootstrapping);
3. every ``train_freq`` steps after ``learning_starts``, takes ``gradient_steps``
   gradient steps from replay;
4. every ``target_update_interval`` steps, updates the target network;
5. at an episode's end: logs it, and (every ``checkpoint_interval`` steps) saves a
   checkpoint *before* the next reset, so that a resumed run continues exactly;
6. every ``log_interval`` / ``eval_interval`` steps, logs training metrics / evaluates.

With ``config.shaping`` the training env is wrapped in
:class:`~nprl.envs.wrappers.PotentialShaping` (with the agent's own gamma; rl gets it,
like every environment, from the factory of :mod:`nprl.rl.environments`): the agent
learns from the shaped reward, while ``return``, evaluations and ``checkpoints/best``
score the task's own.

What is logged, and under which name, is fixed in :mod:`nprl.rl.metrics`: ``metrics.csv``
gets every row, and TensorBoard event files in ``RUN_DIR/tensorboard/`` get the same
values when tensorboardX is installed and ``config.tensorboard`` is on.

:func:`resume` reloads the newest checkpoint of a run directory and runs the same loop.
With the replay buffer in the checkpoint (``save_buffer``, the default), the resumed run
writes the same ``metrics.csv`` as an uninterrupted one with the same seed, bit for bit
(apart from the timing columns). Ctrl-C saves a checkpoint and returns cleanly; resuming
from it starts a fresh episode (the interrupted one cannot be restored mid-way).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from nprl.blas import blas_threads
from nprl.errors import Note
from nprl.rl.agent import DQNAgent, check_spaces
from nprl.rl.bookkeeping import Bookkeeping, with_disk_checks
from nprl.rl.config import DQNConfig
from nprl.rl.environments import env_name, make_env, restore_env_state, shaped
from nprl.rl.loop_state import LoopState
from nprl.rl.metrics import layer_names
from nprl.rl.rng import generator_from_state
from nprl.rl.run_dir import RunDir, read_state
from nprl.rl.schedules import LinearSchedule, make_epsilon_schedule

# Where checkpoints kept the env's own state before the env-state protocol (still read).
OLD_ENV_STATE_KEYS = ("curriculum", "game_rng")


@dataclass
class TrainResult:
    """What :func:`train` and :func:`resume` return."""

    agent: DQNAgent
    steps: int  # environment steps taken in total (including before a resume)
    episodes: int  # episodes finished in total
    interrupted: bool  # True when Ctrl-C stopped the run (a checkpoint was saved)
    run_dir: Path | None
    recent_returns: list[float] = field(default_factory=list)
    last_eval: dict[str, Any] | None = None


def train(
    env_id_or_env: str | gym.Env,
    config: DQNConfig | None = None,
    run_dir: str | Path | None = None,
    progress: bool = False,
    callback: Callable[[int, DQNAgent], None] | None = None,
    overwrite: bool = False,
    on_eval: Callable[[int, dict[str, Any]], None] | None = None,
) -> TrainResult:
    """Train a DQN agent from scratch.

    Parameters
    ----------
    env_id_or_env : str or gymnasium.Env
        A Gymnasium id (``"CartPole-v1"``) or an environment instance (Box observations,
        Discrete actions).
    config : DQNConfig, optional
        Hyperparameters (default: ``DQNConfig()``, generic values; start from an env's
        tuned preset with ``DQNConfig.from_preset("CartPole-v1")``); ``config.seed`` drives the environment, NumPy streams, the action
        space and the initial weights, so the same seed gives the same learning curve.
    run_dir : str or Path, optional
        Where to write ``config.json``, ``metrics.csv`` and ``checkpoints/`` (the run
        directory ``nprl train --out`` makes, so ``nprl plot/eval/resume`` read it); None
        (the default) keeps nothing on disk: only the returned agent remains.
    progress : bool
        Draw a progress bar on stderr (off by default: library code stays quiet;
        ``nprl train`` turns it on).
    callback : callable, optional
        Called as ``callback(step, agent)`` after every environment step.
    overwrite : bool
        Start again in a ``run_dir`` that already holds a run, deleting it (e.g. one that
        filled the disk before its first checkpoint).
    on_eval : callable, optional
        Called as ``on_eval(step, stats)`` after every greedy evaluation, once its row is
        in ``metrics.csv`` on disk (``nprl sweep`` reports it to Ray Tune from here).

    Returns
    -------
    TrainResult
    """
    config = config if config is not None else DQNConfig()
    env = shaped(make_env(env_id_or_env, **config.env_kwargs), config)
    check_spaces(env.observation_space, env.action_space)
    env_id = env_name(env)
    if run_dir is not None and env_id is None:
        raise ValueError("a run directory needs an environment with a registered id")
    # Seeding: one seed for the env's reset stream and its action space; the agent
    # derives independent streams (weights, exploration, replay) from the same seed.
    # The loop starts every session with a plain reset(), as a resumed run does.
    env.action_space.seed(config.seed)
    env.reset(seed=config.seed)
    agent = DQNAgent(env.observation_space, env.action_space, config)
    if isinstance(env_id_or_env, str) and ":" in env_id_or_env:
        env_id = env_id_or_env  # module:Id as the user typed it: eval/resume can ask for it
    run = RunDir(run_dir) if run_dir is not None else None
    state = LoopState(next_checkpoint=config.checkpoint_interval)

    def work() -> TrainResult:
        if run is not None:  # metrics.csv gets one weight_norm column per network layer
            run.create(env_id, config, layer_names(agent.q_net), overwrite=overwrite)
        with blas_threads(config.blas_threads):
            return run_loop(env, agent, state, run, progress=progress, callback=callback,
                            on_eval=on_eval)

    return with_disk_checks(run, agent, work)


def resume(
    run_dir: str | Path,
    total_steps: int | None = None,
    progress: bool = False,
    callback: Callable[[int, DQNAgent], None] | None = None,
    checkpoint: str | None = None,
    allow_env_module: bool = False,
    on_eval: Callable[[int, dict[str, Any]], None] | None = None,
) -> TrainResult:
    """Continue a run from its newest intact checkpoint (or the one named by
    ``checkpoint``: ``step_000012345``, a step number, ``latest`` or ``best``).

    Temporaries a killed run left are removed first. A damaged newest checkpoint is
    skipped for the next newest intact one, with a :class:`~nprl.errors.Note`. Rows of
    ``metrics.csv`` written after the checkpoint (by a run that crashed later) are
    dropped, as is a torn last row; then the loop goes on to ``total_steps`` (default:
    the run's own). ``allow_env_module`` lets a ``module:Id`` in ``config.json`` import
    its module (only when the user asked for it).
    """
    run = RunDir(run_dir)
    env_id, config = run.read_config(allow_env_module=allow_env_module)
    left = run.remove_temporaries()
    if left:
        warnings.warn(f"removed what an interrupted save left in {run.path}: "
                      f"{', '.join(left)}", Note, stacklevel=2)
    if total_steps is not None:
        config = config.replace(total_steps=int(total_steps))
    folder, (saved, agent, state, env_rng) = run.open_checkpoint(
        partial(_load_checkpoint, total_steps=config.total_steps), checkpoint)
    if state.step >= config.total_steps:
        raise ValueError(
            f"{run.path} already reached {state.step} of {config.total_steps} steps; "
            "pass a larger total (nprl resume RUN_DIR --steps N) to train further"
        )
    run.truncate_metrics(state.step, layer_names(agent.q_net))
    if total_steps is not None:  # the report and a later plain resume see the new total
        run.write_config(env_id, config)
    env = shaped(make_env(env_id, **config.env_kwargs), config)
    env.action_space.seed(config.seed)
    env.unwrapped.np_random = env_rng
    env_state = next((saved[key] for key in ("env_state", *OLD_ENV_STATE_KEYS)
                      if saved.get(key) is not None), None)
    if env_state is not None:  # the Lander's curriculum, a MinAtar or Atari game's RNG
        restore_env_state(env, env_state, str(folder / "state.json"))
    with blas_threads(config.blas_threads):
        return with_disk_checks(run, agent, lambda: run_loop(
            env, agent, state, run, progress=progress, callback=callback,
            on_eval=on_eval))


def _load_checkpoint(folder: Path, total_steps: int | None = None
                     ) -> tuple[dict, DQNAgent, LoopState, np.random.Generator]:
    """Everything :func:`resume` needs from one checkpoint folder, the agent built to
    train to ``total_steps`` (default: its own total); ``ValueError`` naming the file
    when anything is missing or does not fit."""
    saved = read_state(folder)
    agent = DQNAgent.load(folder / "agent", overrides=(
        {"total_steps": total_steps} if total_steps is not None else None))
    path = folder / "state.json"
    try:
        state = LoopState.from_dict(saved["loop"])
        env_rng = generator_from_state(saved["env_rng"])
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a compatible nprl checkpoint "
                         f"(bad entry {error})") from None
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return saved, agent, state, env_rng


def run_loop(
    env: gym.Env,
    agent: DQNAgent,
    state: LoopState,
    run: RunDir | None,
    progress: bool = False,
    callback: Callable[[int, DQNAgent], None] | None = None,
    on_eval: Callable[[int, dict[str, Any]], None] | None = None,
) -> TrainResult:
    """The DQN loop itself, from ``state.step`` to ``config.total_steps``."""
    config = agent.config
    epsilon_schedule = make_epsilon_schedule(config, config.total_steps)
    beta_schedule = LinearSchedule(config.per_beta_start, 1.0, config.total_steps)
    interrupted = False
    with Bookkeeping(env, agent, state, run, progress, on_eval) as book:
        obs, _ = env.reset()
        try:
            while state.step < config.total_steps:
                state.step += 1
                step = state.step
                epsilon = epsilon_schedule(
                    step if epsilon_schedule.unit == "step" else state.episode)

                # Act, step the environment, store the transition.
                action = agent.act(obs, epsilon)
                next_obs, reward, terminated, truncated, info = env.step(action)
                agent.observe(obs, action, reward, next_obs, terminated, truncated)
                book.record_step(reward, info)
                obs = next_obs

                # Learn from replay (each update checked for divergence), sync the target.
                if step > config.learning_starts and step % config.train_freq == 0:
                    beta = beta_schedule(step)
                    for _ in range(config.gradient_steps):
                        book.record_update(step, agent.update(beta))
                if step % config.target_update_interval == 0:
                    agent.update_target()

                # Log (episode, train and eval rows; a checkpoint at an episode's end).
                done = terminated or truncated
                if done:
                    agent.end_episode(book.episode_success(info))
                book.end_step(step, epsilon, done, info)
                if done:
                    obs, _ = env.reset()
                if callback is not None:
                    callback(step, agent)
        except KeyboardInterrupt:
            interrupted = True
        book.save_checkpoint(in_episode=book.episode_length > 0)
    return TrainResult(agent, state.step, state.episode, interrupted,
                       run.path if run is not None else None, list(state.recent_returns),
                       book.last_eval)
