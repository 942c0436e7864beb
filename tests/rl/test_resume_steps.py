"""``nprl resume RUN --steps N`` makes N the run's total, in config.json too (issue 13).

Observed: config.json kept the old total_steps, so the report said "environment steps
30,000 of 20,000" and a plain ``nprl resume`` said "already reached 30000 of 20000 steps".
"""

import json

from nprl.cli import main
from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.rl.train import train


def test_resume_with_more_steps_records_the_new_total(tmp_path, capsys):
    run = tmp_path / "run"
    train("CartPole-v1", DQNConfig(total_steps=200, seed=3, hidden_sizes=[8], batch_size=16,
                                   learning_starts=50, log_interval=100), run_dir=run)
    assert main(["resume", str(run), "--steps", "300", "--no-progress"]) == 0
    document = json.loads((run / "config.json").read_text())
    assert document["config"]["total_steps"] == 300
    assert RunDir(run).read_config()[1].total_steps == 300
    capsys.readouterr()
    assert main(["resume", str(run), "--no-progress"]) == 2  # nothing left to do ...
    assert "already reached 300 of 300 steps" in capsys.readouterr().err  # ... and it says so
    rows = (run / "metrics.csv").read_text().splitlines()
    assert int(rows[-1].split(",")[1]) == 300
