"""train(): same seed, same curve; checkpoints are complete; resume equals an uninterrupted run."""

import csv
import json

import numpy as np
import pytest

from nprl.fileio import write_manifest
from nprl.rl.config import DQNConfig
from nprl.rl.metrics import TIMING_COLUMNS
from nprl.rl.run_dir import RunDir
from nprl.rl.train import resume, train

TINY = dict(total_steps=1500, hidden_sizes=[16], batch_size=16, buffer_size=1000,
            learning_starts=200, train_freq=4, target_update_interval=100, log_interval=250,
            eval_interval=500, eval_episodes=2, checkpoint_interval=400, seed=5)


def learning_rows(run_dir):
    """metrics.csv without the columns that measure the machine's speed."""
    with open(RunDir(run_dir).metrics_path, newline="") as file:
        return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS}
                for row in csv.DictReader(file)]


class Crash(Exception):
    pass


def crash_at(step_to_crash):
    def callback(step, agent):
        if step == step_to_crash:
            raise Crash

    return callback


def test_same_seed_gives_the_same_metrics_bit_for_bit(tmp_path):
    config = DQNConfig(**TINY, prioritized=True, n_step=3, double_q=True)
    train("CartPole-v1", config, run_dir=tmp_path / "a")
    train("CartPole-v1", config, run_dir=tmp_path / "b")
    rows = learning_rows(tmp_path / "a")
    assert rows == learning_rows(tmp_path / "b")
    kinds = {row["kind"] for row in rows}
    assert kinds == {"episode", "train", "eval"}
    other = DQNConfig(**{**TINY, "seed": 6}, prioritized=True, n_step=3, double_q=True)
    train("CartPole-v1", other, run_dir=tmp_path / "c")
    assert learning_rows(tmp_path / "c") != rows


@pytest.mark.parametrize("variant", [{}, {"prioritized": True, "n_step": 2, "loss": "huber",
                                          "max_grad_norm": 1.0, "double_q": True,
                                          "success_buffer": True, "success_threshold": 30.0}])
def test_resume_after_a_crash_equals_an_uninterrupted_run(tmp_path, variant):
    config = DQNConfig(**TINY, **variant)
    train("CartPole-v1", config, run_dir=tmp_path / "whole")
    with pytest.raises(Crash):
        train("CartPole-v1", config, run_dir=tmp_path / "crashed", callback=crash_at(1100))
    run = RunDir(tmp_path / "crashed")
    assert run.latest_checkpoint().name.startswith("step_")
    result = resume(tmp_path / "crashed")
    assert result.steps == 1500 and not result.interrupted
    assert learning_rows(tmp_path / "crashed") == learning_rows(tmp_path / "whole")
    whole = RunDir(tmp_path / "whole").latest_checkpoint() / "agent" / "q_net"
    resumed = run.latest_checkpoint() / "agent" / "q_net"
    for path in whole.glob("*.npy"):
        assert np.array_equal(np.load(path), np.load(resumed / path.name))


# Pixel games: MinAtar (its own RandomState is checkpointed too, the ordinary buffer of
# bool planes) and Atari (the frame buffer, a lost life ending the learning episode).
PIXELS = {
    "MinAtar/Breakout-v1": dict(total_steps=900, batch_size=8, buffer_size=1000,
                                learning_starts=150, train_freq=2, target_update_interval=100,
                                log_interval=150, eval_interval=300, eval_episodes=2,
                                checkpoint_interval=200, seed=5, n_step=3, dueling=True,
                                double_q=True, loss="huber"),
    "ALE/Breakout-v5": dict(total_steps=260, batch_size=4, buffer_size=500,
                            learning_starts=60, train_freq=4, target_update_interval=40,
                            log_interval=50, eval_interval=0, checkpoint_interval=60, seed=2,
                            n_step=3, prioritized=True, loss="huber",
                            env_kwargs={"repeat_action_probability": 0.0,
                                        "terminal_on_life_loss": True}),
}


@pytest.mark.parametrize("env_id", sorted(PIXELS))
def test_resume_of_a_pixel_run_equals_an_uninterrupted_run(tmp_path, env_id):
    config = DQNConfig(**PIXELS[env_id])
    crash = {"MinAtar/Breakout-v1": 700, "ALE/Breakout-v5": 200}[env_id]
    whole = train(env_id, config, run_dir=tmp_path / "whole")
    assert type(whole.agent.buffer).__name__ == (
        "PrioritizedFrameReplayBuffer" if env_id.startswith("ALE/") else "ReplayBuffer")
    with pytest.raises(Crash):
        train(env_id, config, run_dir=tmp_path / "crashed", callback=crash_at(crash))
    resume(tmp_path / "crashed")
    rows = learning_rows(tmp_path / "crashed")
    assert rows == learning_rows(tmp_path / "whole")
    assert sum(row["kind"] == "episode" for row in rows) >= 3
    assert any(row["kind"] == "train" and row["td_loss"] for row in rows)


def test_resume_of_an_atari_run_with_sticky_actions_equals_an_uninterrupted_run(tmp_path):
    # The atari preset's sticky actions draw from the emulator's own generator, which the
    # checkpoint keeps (AtariGameState). Acting only (learning would start after the run)
    # keeps this fast: the episodes' lengths and scores already tell the games apart.
    config = DQNConfig(total_steps=300, batch_size=4, buffer_size=500, learning_starts=10_000,
                       log_interval=50, eval_interval=0, checkpoint_interval=60, seed=2,
                       env_kwargs={"repeat_action_probability": 0.25,
                                   "terminal_on_life_loss": True})
    train("ALE/Breakout-v5", config, run_dir=tmp_path / "whole")
    with pytest.raises(Crash):
        train("ALE/Breakout-v5", config, run_dir=tmp_path / "crashed", callback=crash_at(250))
    def saved(run_dir):
        return json.loads((RunDir(run_dir).latest_checkpoint() / "state.json").read_text())

    assert saved(tmp_path / "crashed")["loop"]["step"] < 250
    resume(tmp_path / "crashed")
    rows = learning_rows(tmp_path / "crashed")
    assert rows == learning_rows(tmp_path / "whole")
    assert sum(row["kind"] == "episode" for row in rows if int(row["step"]) > 250) >= 2
    # Random play often scores the same in another game: the emulators' final states
    # (random generator, frame count, RAM) tell for certain.
    whole, resumed = saved(tmp_path / "whole"), saved(tmp_path / "crashed")
    assert whole["loop"]["step"] == resumed["loop"]["step"] == 300
    assert set(whole["env_state"]) == {"ale_state", "ale_py"}
    assert resumed["env_state"] == whole["env_state"]


def test_ctrl_c_saves_a_checkpoint_and_the_run_resumes(tmp_path):
    def interrupt(step, agent):
        if step == 700:
            raise KeyboardInterrupt

    config = DQNConfig(**{**TINY, "checkpoint_interval": 0})
    result = train("CartPole-v1", config, run_dir=tmp_path / "run", callback=interrupt)
    assert result.interrupted and result.steps == 700
    assert RunDir(tmp_path / "run").latest_checkpoint().name == "step_000000700"
    assert resume(tmp_path / "run").steps == 1500


def test_checkpoints_are_atomic_and_pruned(tmp_path):
    run = RunDir(tmp_path / "run")

    def broken(folder):
        folder.mkdir()
        (folder / "half").write_text("x")
        raise OSError("disk full")

    def good(folder):
        folder.mkdir()
        (folder / "state.json").write_text("{}")

    run.save_checkpoint("step_000000001", good)
    with pytest.raises(OSError):
        run.save_checkpoint("step_000000002", broken)
    assert run.latest_checkpoint().name == "step_000000001"  # the broken one never counts
    for step in (3, 4, 5):
        run.save_checkpoint(f"step_{step:09d}", good)
    names = sorted(p.name for p in run.checkpoints.glob("step_*"))
    assert names == ["step_000000004", "step_000000005"]


def test_run_directory_errors_are_clear(tmp_path):
    config = DQNConfig(**{**TINY, "total_steps": 300})
    train("CartPole-v1", config, run_dir=tmp_path / "run")
    with pytest.raises(ValueError, match="already holds a run"):
        train("CartPole-v1", config, run_dir=tmp_path / "run")
    with pytest.raises(ValueError, match="already reached"):
        resume(tmp_path / "run")
    with pytest.raises(ValueError, match="does not exist"):
        resume(tmp_path / "missing")
    with pytest.raises(ValueError, match="unknown environment"):
        train("NoSuchEnv-v9", config)
    with pytest.raises(ValueError, match="discrete action space"):
        train("Pendulum-v1", config)
    state = RunDir(tmp_path / "run").latest_checkpoint() / "state.json"
    state.write_text('{"loop": {"no_such_counter": 1}}')
    with pytest.raises(ValueError, match=r"no intact checkpoint .*state\.json: damaged"):
        resume(tmp_path / "run", total_steps=600)
    write_manifest(state.parent)  # edited on purpose: the check behind the manifest
    with pytest.raises(ValueError, match="not a compatible nprl checkpoint"):
        resume(tmp_path / "run", total_steps=600)
