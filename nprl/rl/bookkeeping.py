"""Everything the training loop keeps besides learning, behind the few calls that
:func:`nprl.rl.train.run_loop` makes: :meth:`Bookkeeping.record_step`,
:meth:`~Bookkeeping.record_update` and :meth:`~Bookkeeping.end_step`.

Behind them: the episode's returns, the per-interval sums of ``metrics.csv``'s "train"
rows, the divergence guard, greedy evaluations and ``checkpoints/best``, checkpoints
(with the env's own state, :mod:`nprl.rl.environments`), the progress bar, and the one
metrics writer (opened by :class:`Bookkeeping`, closed when its ``with`` block ends).
:func:`with_disk_checks` turns a full disk anywhere in a run into one clear line.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar

import gymnasium as gym

from nprl.fileio import DiskFull, folder_bytes, is_disk_full
from nprl.rewards import UNSHAPED_KEY, task_reward
from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.environments import env_name, env_state, frames_per_step, make_env
from nprl.rl.evaluate import evaluate, evaluation_score
from nprl.rl.loop_state import IntervalSums, LoopState
from nprl.rl.metrics import weight_norms
from nprl.rl.rng import generator_state
from nprl.rl.run_dir import KEEP_CHECKPOINTS, RunDir, checkpoint_name, write_state
from nprl.rl.tensorboard import open_tensorboard

EVAL_SEED_OFFSET = 1_000_003  # evaluation episodes are seeded apart from training ones
T = TypeVar("T")


class TrainingDiverged(ValueError):
    """Training stopped because a loss, a Q-value or a parameter became non-finite or
    absurdly large; the run directory keeps its last good checkpoint."""


class Bookkeeping:
    """The loop's records for one session: use as ``with Bookkeeping(...) as book:``.

    Opens ``metrics.csv`` (and TensorBoard, when configured), an evaluation env and the
    progress bar; the ``with`` block's end closes them, whatever happened inside.
    """

    def __init__(self, env: gym.Env, agent: DQNAgent, state: LoopState, run: RunDir | None,
                 progress: bool = False,
                 on_eval: Callable[[int, dict[str, Any]], None] | None = None) -> None:
        self.env, self.agent, self.state, self.run, self.on_eval = env, agent, state, run, on_eval
        self.config = config = agent.config
        env_id = env_name(env)
        self.eval_env = (make_env(env_id, **{**config.env_kwargs, **config.eval_env_kwargs})
                         if config.eval_interval and env_id is not None else None)
        self.writer = None
        if run is not None:  # TensorBoard hides what a crashed session logged after state.step
            board = (open_tensorboard(run.path / "tensorboard", start_step=state.step)
                     if config.tensorboard else None)
            self.writer = run.open_metrics(mirror=board)
        self.bar = _progress_bar(progress, config.total_steps - state.step, env_id,
                                 frames_per_step(env))
        self.last_eval: dict[str, Any] | None = None
        self.session_start = self.interval_start = time.perf_counter()
        self.interval_step = state.step
        self.episode_return = self.shaped_return = 0.0
        self.episode_length = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        self.bar.close()
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError:  # e.g. the disk is full: the first error is the one to report
                if error is None:
                    raise

    # -- the calls of the loop ------------------------------------------------------------

    def record_step(self, reward: float, info: dict[str, Any]) -> None:
        """Add one environment step to the episode's returns."""
        self.state.max_abs_reward = max(self.state.max_abs_reward, abs(float(reward)))
        self.episode_return += task_reward(reward, info)  # unshaped, the game's own score
        self.shaped_return += float(reward)  # what the agent learns from
        self.episode_length += 1

    def record_update(self, step: int, metrics: dict[str, float]) -> None:
        """Check one update for divergence (:class:`TrainingDiverged`) and add it to the
        interval's sums."""
        _check_divergence(metrics, step, self.state, self.config, self.run)
        self.state.sums.add(metrics)

    def episode_success(self, info: dict[str, Any]) -> bool:
        """Whether the episode that just ended succeeded: the env says so
        (``info["is_success"]``) or its return reached ``config.success_threshold``."""
        threshold = self.config.success_threshold
        return bool(info.get("is_success", False)) or (
            threshold is not None and self.episode_return >= threshold)

    def end_step(self, step: int, epsilon: float, done: bool, info: dict[str, Any]) -> None:
        """After a step's learning: the episode's row at its end, a "train" row every
        ``log_interval`` steps, an evaluation every ``eval_interval`` steps, and at an
        episode's end a checkpoint when one is due (before the next reset: see
        :func:`nprl.rl.train.resume`)."""
        state, config = self.state, self.config
        if done:
            self._log_episode(epsilon, info)
        if step % config.log_interval == 0:
            self._log_interval(step, epsilon)
        if self.eval_env is not None and step % config.eval_interval == 0:
            self._evaluate(step)
        if done:
            if (self.run is not None and config.checkpoint_interval
                    and step >= state.next_checkpoint):
                while state.next_checkpoint <= step:
                    state.next_checkpoint += config.checkpoint_interval
                self.save_checkpoint(in_episode=False)
            self.episode_return = self.shaped_return = 0.0
            self.episode_length = 0
        self.bar.update(1)

    def save_checkpoint(self, in_episode: bool) -> None:
        """Checkpoint: the agent (with its buffers if configured), the loop's counters, the
        env's RNG and its own state (the env-state protocol)."""
        if self.run is None:
            return
        state, agent, env = self.state, self.agent, self.env
        loop = state.to_dict()
        loop["elapsed"] = state.elapsed + time.perf_counter() - self.session_start
        document = {"loop": loop, "env_rng": generator_state(env.unwrapped.np_random),
                    "in_episode": in_episode, "env_state": env_state(env)}

        def write(folder: Path) -> None:
            agent.save(folder / "agent", include_buffer=agent.config.save_buffer)
            write_state(folder, document)

        if self.writer is not None:
            self.writer.flush()
        self.run.save_checkpoint(checkpoint_name(state.step), write)

    # -- behind end_step ------------------------------------------------------------------

    def _write(self, kind: str, **values: Any) -> None:
        if self.writer is not None:
            self.writer.write(kind, step=self.state.step, episode=self.state.episode, **values)

    def _log_episode(self, epsilon: float, info: dict[str, Any]) -> None:
        state = self.state
        state.episode += 1
        state.recent_returns.append(self.episode_return)
        reports_success = "is_success" in info
        success = self.episode_success(info)
        if reports_success:
            state.recent_successes.append(int(success))
        self._write("episode", **{"return": self.episode_return}, length=self.episode_length,
                    shaped_return=self.shaped_return if UNSHAPED_KEY in info else "",
                    epsilon=epsilon, success=int(success) if reports_success else "")
        recent = state.recent_returns  # shown only: a plain mean, cheaper than NumPy's
        self.bar.set_postfix(episodes=state.episode, recent_return=sum(recent) / len(recent),
                             epsilon=epsilon)

    def _log_interval(self, step: int, epsilon: float) -> None:
        state, agent = self.state, self.agent
        now = time.perf_counter()
        sps = (step - self.interval_step) / max(now - self.interval_start, 1e-9)
        self.interval_start, self.interval_step = now, step
        if self.writer is not None:  # read once per row, never per update
            values = {"lr": float(agent.optimizer.lr), "replay_size": len(agent.buffer),
                      **weight_norms(agent.q_net)}
            if state.recent_successes:
                values["success_rate"] = (sum(state.recent_successes)
                                          / len(state.recent_successes))
            self._write("train", epsilon=epsilon, sps=sps,
                        time=state.elapsed + now - self.session_start,
                        **state.sums.means(self.config.prioritized), **values)
        state.sums = IntervalSums()

    def _evaluate(self, step: int) -> None:
        config, state = self.config, self.state
        stats = self.last_eval = evaluate(self.agent, self.eval_env, config.eval_episodes,
                                          seed=config.seed + EVAL_SEED_OFFSET)
        rate = stats["success_rate"]
        self._write("eval", eval_mean=stats["mean"], eval_std=stats["std"],
                    eval_min=stats["min"], eval_max=stats["max"],
                    eval_success=rate if rate is not None else "")
        if self.on_eval is not None:  # a caller that may stop us here sees the row on disk
            if self.writer is not None:
                self.writer.flush()
            self.on_eval(step, stats)
        # Success rate first (where the env reports it), then the mean return.
        score = evaluation_score(rate, stats["mean"])
        if self.run is not None and config.save_best and (
                state.best_eval is None or score >= state.best_eval):
            state.best_eval = score
            self._save_best(step, stats)

    def _save_best(self, step: int, stats: dict[str, Any]) -> None:
        """Keep the agent of the best evaluation so far (networks only, no replay buffer)."""
        agent = self.agent

        def write(folder: Path) -> None:
            agent.save(folder / "agent", include_buffer=False)
            summary = {key: value for key, value in stats.items()
                       if key not in ("returns", "lengths")}
            write_state(folder, {"step": step, "eval": summary})

        self.run.save_best(write)


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


def with_disk_checks(run: RunDir | None, agent: DQNAgent, work: Callable[[], T]) -> T:
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
