"""The divergence guard: an exploding run stops with a clear message, naming the step and
the metric, and the run directory keeps its last good checkpoint."""

import numpy as np
import pytest

from nprl.rl.agent import DQNAgent
from nprl.rl.bookkeeping import TrainingDiverged
from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.rl.train import train

BASE = dict(total_steps=3_000, seed=0, hidden_sizes=[32], batch_size=32, buffer_size=5_000,
            learning_starts=500, train_freq=1, checkpoint_interval=100, log_interval=500,
            optimizer="sgd", loss="mse", eval_interval=0)


def test_exploding_learning_rate_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    config = DQNConfig(**{**BASE, "learning_rate": 50.0})
    with pytest.raises(TrainingDiverged, match=r"diverged at step \d+: (td_loss|q_mean|q_max"
                                               r"|grad_norm) (became|reached)") as caught:
        train("CartPole-v1", config, run_dir=tmp_path / "run")
    step = int(str(caught.value).split("step ")[1].split(":")[0])
    assert BASE["learning_starts"] < step < BASE["total_steps"]
    run = RunDir(tmp_path / "run")
    good = run.latest_checkpoint()
    assert str(good) in str(caught.value)
    agent = DQNAgent.load(good / "agent")  # the kept checkpoint is whole and finite
    assert all(np.isfinite(p.data).all() for p in agent.q_net.parameters())


def test_a_sane_run_is_not_stopped_and_the_guard_can_be_turned_off(tmp_path):
    result = train("CartPole-v1", DQNConfig(**{**BASE, "learning_rate": 1e-3,
                                                "total_steps": 1_000}))
    assert result.steps == 1_000
    with pytest.raises(FloatingPointError):
        with np.errstate(over="raise", invalid="raise"):
            train("CartPole-v1", DQNConfig(**{**BASE, "learning_rate": 50.0,
                                              "q_bound_factor": 0.0}))
