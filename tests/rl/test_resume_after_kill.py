"""resume() after a kill -9 that left metrics.csv ending in a half-written row."""

import csv

import pytest

from nprl.rl.config import DQNConfig
from nprl.rl.metrics import TIMING_COLUMNS
from nprl.rl.run_dir import RunDir
from nprl.rl.train import resume, train

TINY = dict(total_steps=1200, hidden_sizes=[16], batch_size=16, buffer_size=1000,
            learning_starts=200, train_freq=4, target_update_interval=100, log_interval=250,
            eval_interval=500, eval_episodes=2, checkpoint_interval=400, seed=3)


def learning_rows(run_dir):
    with open(RunDir(run_dir).metrics_path, newline="") as file:
        return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS}
                for row in csv.DictReader(file)]


class Killed(Exception):
    pass


@pytest.mark.parametrize("partial", ["epis", "episode,10", "train,900,40,,,0.1"])
def test_a_half_written_last_row_is_dropped_on_resume(tmp_path, partial):
    config = DQNConfig(**TINY)
    train("CartPole-v1", config, run_dir=tmp_path / "whole")

    def kill(step, agent):
        if step == 1000:
            raise Killed

    with pytest.raises(Killed):
        train("CartPole-v1", config, run_dir=tmp_path / "killed", callback=kill)
    with open(RunDir(tmp_path / "killed").metrics_path, "a") as file:
        file.write(partial)  # the buffer was being written out when the process died
    resume(tmp_path / "killed")
    assert learning_rows(tmp_path / "killed") == learning_rows(tmp_path / "whole")
