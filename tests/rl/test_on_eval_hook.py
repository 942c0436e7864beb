"""train(on_eval=...): called after every evaluation, with its row already on disk."""

import csv

from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.rl.train import resume, train


def eval_rows(path):
    with open(path, newline="") as file:
        return [row for row in csv.DictReader(file) if row["kind"] == "eval"]


def test_on_eval_sees_each_evaluation_and_its_row_on_disk(tmp_path):
    config = DQNConfig(total_steps=900, hidden_sizes=[8], batch_size=8, learning_starts=100,
                       log_interval=300, eval_interval=300, eval_episodes=2,
                       checkpoint_interval=300, seed=2)
    metrics = RunDir(tmp_path / "run").metrics_path
    seen = []

    def on_eval(step, stats):
        on_disk = eval_rows(metrics)[-1]  # flushed before the hook runs
        seen.append((step, stats["mean"], int(on_disk["step"]), float(on_disk["eval_mean"])))

    train("CartPole-v1", config, run_dir=tmp_path / "run", on_eval=on_eval)
    assert [s[0] for s in seen] == [300, 600, 900]
    assert all(step == disk_step and mean == disk_mean for step, mean, disk_step, disk_mean
               in seen)
    assert [float(row["eval_mean"]) for row in eval_rows(metrics)] == [s[1] for s in seen]
    later = []
    resume(tmp_path / "run", total_steps=1200, on_eval=lambda step, stats: later.append(step))
    assert later == [1200]
