"""The DQN training loop, readable top to bottom (in the spirit of CleanRL's ``dqn.py``).

:func:`train` seeds everything from ``config.seed``, builds the environment and the
agent, and runs :func:`run_loop`. Each environment step of the loop:

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
:class:`~nprl.envs.wrappers.PotentialShaping` (with the agent's own gamma): the agent
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

import math
import shutil
import time
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from nprl.envs.pixels import (
    frames_per_step,
    game_rng_state,
    make_pixel_env,
    pixel_family,
    restore_game_rng,
)
from nprl.envs.potentials import shape_env
from nprl.errors import Note
from nprl.fileio import DiskFull, folder_bytes, is_disk_full
from nprl.rewards import UNSHAPED_KEY, task_reward
from nprl.rl.agent import DQNAgent, check_spaces
from nprl.blas import blas_threads
from nprl.rl.config import DQNConfig
from nprl.rl.evaluate import evaluate, evaluation_score
from nprl.rl.metrics import layer_names, weight_norms
from nprl.rl.rng import generator_from_state, generator_state
from nprl.rl.run_dir import KEEP_CHECKPOINTS, RunDir, checkpoint_name, read_state, write_state
from nprl.rl.schedules import LinearSchedule, make_epsilon_schedule
from nprl.rl.tensorboard import open_tensorboard

EVAL_SEED_OFFSET = 1_000_003  # evaluation episodes are seeded apart from training ones
RECENT_EPISODES = 20  # episodes averaged for "recent return" and success_rate


class TrainingDiverged(ValueError):
    """Training stopped because a loss, a Q-value or a parameter became non-finite or
    absurdly large; the run directory keeps its last good checkpoint."""


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


@dataclass
class LoopState:
    """Counters the loop carries, all JSON-able so a checkpoint can store them."""

    step: int = 0
    episode: int = 0
    next_checkpoint: int = 0
    recent_returns: list[float] = field(default_factory=list)
    # Sums over the updates since the last "train" row of metrics.csv (q_max: the maximum).
    loss_sum: float = 0.0
    q_sum: float = 0.0
    grad_sum: float = 0.0
    updates_logged: int = 0
    elapsed: float = 0.0  # seconds of training before this session
    best_eval: list[float] | None = None  # [success rate, mean return] of checkpoints/best
    max_abs_reward: float = 0.0  # largest |reward| seen, for the divergence guard's Q bound
    q_max: float = 0.0
    per_weight_sum: float = 0.0
    per_priority_sum: float = 0.0
    recent_successes: list[int] = field(default_factory=list)  # of envs with is_success


def make_env(env_id_or_env: str | gym.Env, render_mode: str | None = None,
             **kwargs: Any) -> gym.Env:
    """``gym.make(env_id, **kwargs)`` with a clear ``ValueError`` for an unknown or
    unusable id or keyword; an ``Env`` instance is returned unchanged."""
    if isinstance(env_id_or_env, gym.Env):
        return env_id_or_env
    env_id = str(env_id_or_env)
    try:
        if pixel_family(env_id) is not None:  # ALE/..., MinAtar/...: registered on demand
            return make_pixel_env(env_id, render_mode=render_mode, **kwargs)
        return gym.make(env_id, render_mode=render_mode, **kwargs)
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


def _shaped(env: gym.Env, config: DQNConfig) -> gym.Env:
    """The training env with ``config.shaping``'s potential (evaluation envs stay unshaped:
    they score the task's own reward), discounted with the agent's own gamma."""
    return shape_env(env, config.shaping, config.gamma, config.shaping_scale)


def env_name(env: gym.Env) -> str | None:
    """The registered id of an environment, if it has one."""
    return env.spec.id if env.spec is not None else None


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
    env = _shaped(make_env(env_id_or_env, **config.env_kwargs), config)
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

    return _with_disk_checks(run, agent, work)


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
    folder, (saved, agent, state, env_rng) = run.open_checkpoint(_load_checkpoint, checkpoint)
    if total_steps is not None:
        config = config.replace(total_steps=int(total_steps))
    agent.config = config
    if state.step >= config.total_steps:
        raise ValueError(
            f"{run.path} already reached {state.step} of {config.total_steps} steps; "
            "pass a larger total (nprl resume RUN_DIR --steps N) to train further"
        )
    run.truncate_metrics(state.step, layer_names(agent.q_net))
    if total_steps is not None:  # the report and a later plain resume see the new total
        run.write_config(env_id, config)
    env = _shaped(make_env(env_id, **config.env_kwargs), config)
    env.action_space.seed(config.seed)
    env.unwrapped.np_random = env_rng
    if saved.get("curriculum") is not None:  # the Lander's stage goes on where it was
        if not hasattr(env.unwrapped, "load_curriculum_state"):
            raise ValueError(f"{folder / 'state.json'} holds a curriculum, but {env_id} has "
                             "none")
        try:
            env.unwrapped.load_curriculum_state(saved["curriculum"])
        except ValueError as error:
            raise ValueError(f"{folder / 'state.json'}: {error}") from None
    if saved.get("game_rng") is not None:  # MinAtar draws from its own RandomState
        restore_game_rng(env, saved["game_rng"])
    with blas_threads(config.blas_threads):
        return _with_disk_checks(run, agent, lambda: run_loop(
            env, agent, state, run, progress=progress, callback=callback,
            on_eval=on_eval))


def _load_checkpoint(folder: Path) -> tuple[dict, DQNAgent, LoopState, np.random.Generator]:
    """Everything :func:`resume` needs from one checkpoint folder (``ValueError`` naming
    the file when anything is missing or does not fit)."""
    saved = read_state(folder)
    agent = DQNAgent.load(folder / "agent")
    path = folder / "state.json"
    try:
        state = LoopState(**saved["loop"])
        env_rng = generator_from_state(saved["env_rng"])
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a compatible nprl checkpoint "
                         f"(bad entry {error})") from None
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    _check_loop_state(state, path)
    if saved.get("curriculum") is not None and not isinstance(saved["curriculum"], dict):
        raise ValueError(f"{path}: curriculum must be null or a dict")
    return saved, agent, state, env_rng


def _check_loop_state(state: LoopState, path: Path) -> None:
    """Every counter of a loaded :class:`LoopState` has its field's type (whole numbers
    >= 0 for counts, finite numbers for sums, lists of numbers), ``ValueError`` otherwise."""
    for name, default in vars(LoopState()).items():
        value = getattr(state, name)
        if isinstance(default, int):
            good = type(value) is int and value >= 0
        elif isinstance(default, float):
            good = type(value) in (int, float) and math.isfinite(value)
        elif isinstance(default, list) or (name == "best_eval" and value is not None):
            good = isinstance(value, list) and len(value) <= 10_000 and all(
                type(item) in (int, float) and math.isfinite(item) for item in value)
        else:
            good = True
        if not good:
            raise ValueError(f"{path}: loop counter {name} = {value!r:.60} is not a valid "
                             f"value")


def _with_disk_checks(run: RunDir | None, agent: DQNAgent,
                      work: Callable[[], TrainResult]) -> TrainResult:
    """Run ``work``; a full disk anywhere in it (metrics, TensorBoard, a checkpoint)
    becomes one :class:`~nprl.fileio.DiskFull` line: the folder, the space a checkpoint
    needs, what is kept and how to go on."""
    try:
        return work()
    except (DiskFull, OSError) as error:
        if run is None or not (isinstance(error, DiskFull) or is_disk_full(error)):
            raise
    kept = run.checkpoint_names()
    needed = max(_checkpoint_bytes(agent),
                 folder_bytes(run.checkpoints / kept[0]) if kept else 0)
    free = shutil.disk_usage(run.path).free if run.path.exists() else 0
    then = (f"the last good checkpoint, {kept[0]}, is kept: free some space and continue "
            f"with 'nprl resume {run.path}'" if kept else
            f"no checkpoint was written: free some space and start again with 'nprl train "
            f"--out {run.path} --overwrite'")
    raise DiskFull(f"no space left in {run.path}: the next checkpoint needs about "
                   f"{needed / 1e6:.2f} MB, {free / 1e6:.2f} MB free (the run keeps "
                   f"{KEEP_CHECKPOINTS} and writes the next before deleting the oldest); "
                   f"{then}") from None


def _checkpoint_bytes(agent: DQNAgent) -> int:
    """About what a checkpoint of ``agent`` takes: two networks, optimizer state (up to two
    slots per parameter) and, when saved, the filled part of the replay buffers."""
    network = sum(p.data.nbytes for p in agent.q_net.parameters())
    total = 4 * network + 40 * 4096  # ~40 files, each at least one block on the device
    if agent.config.save_buffer:
        for buffer in (agent.buffer, agent.success):
            if buffer is not None:
                total += sum(array.nbytes for array in buffer.state_dict()[0].values())
    return total


def run_loop(
    env: gym.Env,
    agent: DQNAgent,
    state: LoopState,
    run: RunDir | None,
    progress: bool = False,
    callback: Callable[[int, DQNAgent], None] | None = None,
    on_eval: Callable[[int, dict[str, Any]], None] | None = None,
) -> TrainResult:
    """The training loop itself, from ``state.step`` to ``config.total_steps``."""
    config = agent.config
    env_id = env_name(env)
    epsilon_schedule = make_epsilon_schedule(config, config.total_steps)
    beta_schedule = LinearSchedule(config.per_beta_start, 1.0, config.total_steps)
    eval_env = (make_env(env_id, **{**config.env_kwargs, **config.eval_env_kwargs})
                if config.eval_interval and env_id is not None else None)
    writer = None
    if run is not None:  # TensorBoard hides what a crashed session logged after state.step
        board = (open_tensorboard(run.path / "tensorboard", start_step=state.step)
                 if config.tensorboard else None)
        writer = run.open_metrics(mirror=board)
    recent = deque(state.recent_returns, maxlen=RECENT_EPISODES)
    bar = _progress_bar(progress, config.total_steps - state.step, env_id,
                        frames_per_step(env))
    last_eval = None
    interrupted = False
    session_start = time.perf_counter()
    interval_start, interval_step = session_start, state.step

    obs, _ = env.reset()
    episode_return, shaped_return, episode_length = 0.0, 0.0, 0
    try:
        while state.step < config.total_steps:
            state.step += 1
            step = state.step
            counter = step if epsilon_schedule.unit == "step" else state.episode
            epsilon = epsilon_schedule(counter)

            # Act, step the environment, remember the transition.
            action = agent.act(obs, epsilon)
            next_obs, reward, terminated, truncated, info = env.step(action)
            agent.observe(obs, action, reward, next_obs, terminated, truncated)
            state.max_abs_reward = max(state.max_abs_reward, abs(float(reward)))
            episode_return += task_reward(reward, info)  # unshaped, the game's unclipped score
            shaped_return += float(reward)  # what the agent learns from
            episode_length += 1
            obs = next_obs

            # Learn from replay, then move the target network.
            if step > config.learning_starts and step % config.train_freq == 0:
                beta = beta_schedule(step)
                for _ in range(config.gradient_steps):
                    metrics = agent.update(beta)
                    _check_divergence(metrics, step, state, config, run)
                    _accumulate(state, metrics)
            if step % config.target_update_interval == 0:
                agent.update_target()

            # Book-keeping: episode end, periodic metrics, evaluation.
            done = terminated or truncated
            if done:
                success = bool(info.get("is_success", False)) or (
                    config.success_threshold is not None
                    and episode_return >= config.success_threshold)
                agent.end_episode(success)
                state.episode += 1
                recent.append(episode_return)
                if "is_success" in info:
                    state.recent_successes = [*state.recent_successes,
                                              int(success)][-RECENT_EPISODES:]
                if writer is not None:
                    writer.write("episode", step=step, episode=state.episode,
                                 **{"return": episode_return}, length=episode_length,
                                 shaped_return=shaped_return if UNSHAPED_KEY in info else "",
                                 epsilon=epsilon,
                                 success=int(success) if "is_success" in info else "")
                bar.set_postfix(episodes=state.episode,
                                recent_return=float(np.mean(recent)), epsilon=epsilon)
            if step % config.log_interval == 0:
                now = time.perf_counter()
                sps = (step - interval_step) / max(now - interval_start, 1e-9)
                interval_start, interval_step = now, step
                if writer is not None:
                    writer.write("train", step=step, episode=state.episode, epsilon=epsilon,
                                 sps=sps, time=state.elapsed + now - session_start,
                                 **_interval_means(state, config),
                                 **_snapshot(agent, state))
                _reset_interval(state)
            if eval_env is not None and step % config.eval_interval == 0:
                last_eval = evaluate(agent, eval_env, config.eval_episodes,
                                     seed=config.seed + EVAL_SEED_OFFSET)
                rate = last_eval["success_rate"]
                if writer is not None:
                    writer.write("eval", step=step, episode=state.episode,
                                 eval_mean=last_eval["mean"], eval_std=last_eval["std"],
                                 eval_min=last_eval["min"], eval_max=last_eval["max"],
                                 eval_success=rate if rate is not None else "")
                if on_eval is not None:  # a caller that may stop us here sees the row on disk
                    if writer is not None:
                        writer.flush()
                    on_eval(step, last_eval)
                # Success rate first (where the env reports it), then the mean return.
                score = evaluation_score(rate, last_eval["mean"])
                if run is not None and config.save_best and (
                        state.best_eval is None or score >= state.best_eval):
                    state.best_eval = score
                    _save_best(run, agent, step, last_eval)

            # Episode over: checkpoint (before the reset, see resume()) and start anew.
            if done:
                if (run is not None and config.checkpoint_interval
                        and step >= state.next_checkpoint):
                    while state.next_checkpoint <= step:
                        state.next_checkpoint += config.checkpoint_interval
                    state.recent_returns = list(recent)
                    _save(run, agent, env, state, writer, session_start, in_episode=False)
                obs, _ = env.reset()
                episode_return, shaped_return, episode_length = 0.0, 0.0, 0
            bar.update(1)
            if callback is not None:
                callback(step, agent)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:
        if writer is not None:
            try:
                writer.close()
            except OSError:  # e.g. the disk is full: the first error is the one to report
                pass
        raise
    finally:
        bar.close()
        if writer is not None:
            writer.flush()
    if run is not None:
        state.recent_returns = list(recent)
        _save(run, agent, env, state, writer, session_start, in_episode=episode_length > 0)
    if writer is not None:
        writer.close()
    return TrainResult(agent, state.step, state.episode, interrupted,
                       run.path if run is not None else None, list(recent), last_eval)


def _check_divergence(metrics: dict[str, float], step: int, state: LoopState,
                      config: DQNConfig, run: RunDir | None) -> None:
    """Raise :class:`TrainingDiverged` naming the step and the metric when the loss or a
    Q-value is non-finite, or a Q-value exceeds what the rewards seen so far allow
    (``q_bound_factor`` x max|r| / (1 - gamma): a discounted return cannot be larger)."""
    problem = None
    for name in ("td_loss", "q_mean", "q_max", "grad_norm"):
        value = metrics.get(name)
        if value is not None and not math.isfinite(value):
            problem = f"{name} became {value}"
            break
    if problem is None and config.q_bound_factor > 0 and config.gamma < 1:
        bound = config.q_bound_factor * max(state.max_abs_reward, 1.0) / (1.0 - config.gamma)
        if metrics["q_max"] > bound:
            problem = (f"q_max reached {metrics['q_max']:.4g}, beyond {bound:.4g} "
                       f"({config.q_bound_factor:g} x max|reward| {state.max_abs_reward:.4g} "
                       f"/ (1 - gamma))")
    if problem is None:
        return
    kept = "no checkpoint was written before it"
    if run is not None:
        try:
            kept = f"the last good checkpoint is {run.latest_checkpoint()}"
        except ValueError:
            pass
    raise TrainingDiverged(
        f"training diverged at step {step}: {problem}; {kept}. Lower learning_rate, turn on "
        "max_grad_norm or use the Huber loss (q_bound_factor=0 turns this check off)"
    )


def _accumulate(state: LoopState, metrics: dict[str, float]) -> None:
    """Add one update's metrics to the interval's sums (see :mod:`nprl.rl.metrics`)."""
    state.loss_sum += metrics["td_loss"]
    state.q_sum += metrics["q_mean"]
    state.q_max = max(state.q_max, metrics["q_max"])
    state.grad_sum += metrics["grad_norm"]
    state.per_weight_sum += metrics.get("per_weight_mean", 0.0)
    state.per_priority_sum += metrics.get("per_priority_mean", 0.0)
    state.updates_logged += 1


def _interval_means(state: LoopState, config: DQNConfig) -> dict[str, float]:
    """Per-update metrics of a "train" row: means over the interval (q_max: its maximum)."""
    count = state.updates_logged
    if count == 0:
        return {}
    means = {"td_loss": state.loss_sum / count, "q_mean": state.q_sum / count,
             "q_max": state.q_max, "grad_norm": state.grad_sum / count}
    if config.prioritized:
        means["per_weight_mean"] = state.per_weight_sum / count
        means["per_priority_mean"] = state.per_priority_sum / count
    return means


def _snapshot(agent: DQNAgent, state: LoopState) -> dict[str, float]:
    """Metrics of a "train" row read at that moment: learning rate, replay size, weight
    norms and the recent success rate (cheap once per row, so never per update)."""
    values = {"lr": float(agent.optimizer.lr), "replay_size": len(agent.buffer),
              **weight_norms(agent.q_net)}
    if state.recent_successes:
        values["success_rate"] = sum(state.recent_successes) / len(state.recent_successes)
    return values


def _reset_interval(state: LoopState) -> None:
    state.loss_sum = state.q_sum = state.grad_sum = state.q_max = 0.0
    state.per_weight_sum = state.per_priority_sum = 0.0
    state.updates_logged = 0


def _save(run, agent, env, state, writer, session_start, in_episode: bool) -> None:
    """Checkpoint: agent (with buffers if configured), loop counters, env RNG state."""
    loop = dict(vars(state))
    loop["elapsed"] = state.elapsed + time.perf_counter() - session_start
    document = {"loop": loop, "env_rng": generator_state(env.unwrapped.np_random),
                "in_episode": in_episode,
                "curriculum": (env.unwrapped.curriculum_state()
                               if hasattr(env.unwrapped, "curriculum_state") else None),
                "game_rng": game_rng_state(env)}

    def write(folder: Path) -> None:
        agent.save(folder / "agent", include_buffer=agent.config.save_buffer)
        write_state(folder, document)

    if writer is not None:
        writer.flush()
    run.save_checkpoint(checkpoint_name(state.step), write)


def _save_best(run, agent, step: int, stats: dict) -> None:
    """Keep the agent of the best evaluation so far (networks only, no replay buffer)."""

    def write(folder: Path) -> None:
        agent.save(folder / "agent", include_buffer=False)
        summary = {key: value for key, value in stats.items()
                   if key not in ("returns", "lengths")}
        write_state(folder, {"step": step, "eval": summary})

    run.save_best(write)


class _NoBar:
    def update(self, n: int = 1, **postfix) -> None:
        pass

    def set_postfix(self, **postfix) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(enabled: bool, total: int, desc: str | None, frames: int | None):
    """Steps left, elapsed<remaining time, and the speed: frames/s for pixel games (an
    Atari step is 4 frames), steps/s otherwise."""
    if not enabled:
        return _NoBar()
    from nprl.progress import ProgressBar

    if frames is None:
        return ProgressBar(total=total, desc=desc or "train", unit="steps")
    return ProgressBar(total=total, desc=desc or "train", unit="frames", unit_scale=frames)
