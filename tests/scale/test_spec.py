"""The sweep definition without Ray: grids, samples, trial names, sweep.json, summaries."""

from __future__ import annotations

import math
import sys

import pytest

from nprl.cli import main
from nprl.rl.presets import resolve_config
from nprl.rl.run_dir import RunDir
from nprl.scale.spec import SweepSpec, parse_grid, parse_sample, trial_name
from nprl.scale.summary import read_trial, stats
from nprl.scale.sweep_dir import SweepDir


def test_grid_values_split_on_commas_outside_brackets():
    assert parse_grid("learning_rate=1e-3, 3e-4") == ("learning_rate", ["1e-3", "3e-4"])
    assert parse_grid("hidden_sizes=[64,64],[128,128]") == ("hidden_sizes",
                                                            ["[64,64]", "[128,128]"])
    for bad in ("learning_rate", "=1,2", "learning_rate=1,,2"):
        with pytest.raises(ValueError, match="--grid"):
            parse_grid(bad)


def test_grids_cross_and_each_trial_is_what_nprl_train_resolves():
    spec = SweepSpec(env="CartPole-v1", steps=2000, seeds=[3, 4],
                     grid=[parse_grid("learning_rate=1e-3,3e-4"), parse_grid("dueling=true,false")],
                     settings=["batch_size=32"], cpus_per_trial=2)
    trials = spec.trials()
    assert len(trials) == 2 * 2 * 2
    assert [t.config_id for t in trials[:3]] == ["c00", "c00", "c01"]
    first = trials[0]
    assert first.name == "c00-learning_rate=1e-3_dueling=true-s3"
    env_id, config = resolve_config("CartPole-v1", None, {"total_steps": 2000, "seed": 3},
                                    ["batch_size=32", "learning_rate=1e-3", "dueling=true"])
    assert first.config == config.replace(blas_threads=2)  # BLAS threads = CPUs per trial
    assert {(t.config.learning_rate, t.config.dueling) for t in trials} == {
        (1e-3, True), (1e-3, False), (3e-4, True), (3e-4, False)}
    assert spec.train_command(first.changes, 3) == (
        "nprl train --env CartPole-v1 --steps 2000 --seed 3 --set batch_size=32 "
        "--set learning_rate=1e-3 --set dueling=true --set blas_threads=2")


def test_samples_are_drawn_in_range_and_again_the_same_from_sweep_json(tmp_path):
    spec = SweepSpec(env="CartPole-v1", seeds=[1],
                     sample=[parse_sample("learning_rate=loguniform:1e-4:1e-2"),
                             parse_sample("batch_size=randint:16:64")], samples=6)
    configs = spec.configurations()
    assert len(configs) == 6 and len({tuple(c) for c in configs}) == 6
    for changes in configs:
        values = dict(change.split("=") for change in changes)
        assert 1e-4 <= float(values["learning_rate"]) <= 1e-2
        assert 16 <= int(values["batch_size"]) <= 64
    folder = SweepDir(tmp_path / "sweep")
    folder.create(spec)
    again = folder.read_spec()
    assert again.configurations() == configs
    assert [t.name for t in again.trials()] == [t.name for t in spec.trials()]


@pytest.mark.parametrize("document, message", [
    ('{"nprl_sweep": 1, "spec": {"seeds": [1], "evil": 1}}', "unknown entries"),
    ('{"nprl_sweep": 1, "spec": {"seeds": ["1"]}}', "malformed"),
    ('{"nprl_sweep": 1, "spec": {"grid": [["learning_rate", [0.1]]]}}', "malformed"),
    ('{"nprl_sweep": 2, "spec": {}}', "not an nprl sweep"),
    ("[1, 2", "not readable JSON"),
])
def test_a_broken_sweep_json_is_one_clear_error(tmp_path, document, message):
    (tmp_path / "sweep.json").write_text(document)
    with pytest.raises(ValueError, match=message):
        SweepDir(tmp_path).read_spec()


def test_trial_names_cannot_leave_the_sweep_directory():
    name = trial_name("c00", ["env_kwargs={\"a\": \"../../x\"}", "hidden_sizes=[64, 64]"], 1)
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=+-")
    assert name.startswith("c00-") and name.endswith("-s1")  # so never "." or ".."


def test_bad_definitions_are_rejected_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="unknown setting 'learnin_rate'"):
        SweepSpec(env="CartPole-v1", grid=[parse_grid("learnin_rate=1,2")]).trials()
    with pytest.raises(ValueError, match="distinct"):
        SweepSpec(seeds=[1, 1])
    with pytest.raises(ValueError, match="low < high"):
        SweepSpec(sample=[parse_sample("learning_rate=loguniform:0:1")])
    with pytest.raises(ValueError, match="unknown distribution"):
        SweepSpec(sample=[parse_sample("learning_rate=normal:0:1")])


def test_summary_statistics_are_over_seeds():
    values = stats([1.0, 2.0, 6.0])
    assert values["mean"] == 3.0 and values["min"] == 1.0 and values["max"] == 6.0
    assert math.isclose(values["std"], math.sqrt(((1 - 3) ** 2 + 1 + 9) / 2))
    assert stats([5.0])["std"] == 0.0 and math.isnan(stats([])["mean"])


def test_trial_results_come_from_metrics_csv(tmp_path):
    from nprl.rl.config import DQNConfig
    from nprl.rl.train import train

    config = DQNConfig(total_steps=600, hidden_sizes=[8], learning_starts=100, batch_size=8,
                       log_interval=200, eval_interval=200, eval_episodes=2, seed=3)
    train("CartPole-v1", config, run_dir=tmp_path / "run")
    rows = RunDir(tmp_path / "run").read_metrics()
    evals = [(int(r["step"]), float(r["eval_mean"])) for r in rows if r["kind"] == "eval"]
    result = read_trial(RunDir(tmp_path / "run"), target=evals[1][1])
    assert result.steps == 600 and result.final_eval == evals[-1][1]
    assert result.best_eval == max(mean for _, mean in evals)
    assert result.target_step == min(step for step, mean in evals if mean >= evals[1][1])
    assert result.wall > 0


def test_without_ray_the_command_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    code = main(["sweep", "--env", "CartPole-v1", "--steps", "100", "--out",
                 str(tmp_path / "s")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1] == ("nprl: error: nprl sweep needs Ray Tune, which is not "
                                     "installed; install it with: pip install 'nprl[scale]'")
    assert not (tmp_path / "s").exists()  # nothing written


def test_an_address_that_does_not_answer_is_one_line(tmp_path, capsys):
    pytest.importorskip("ray")
    code = main(["sweep", "--env", "CartPole-v1", "--steps", "100", "--address",
                 "127.0.0.1:9", "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("nprl: error: no Ray cluster answers at "
                                            "127.0.0.1:9")
    assert len(err) == 1 and not (tmp_path / "s").exists()


def test_ray_is_imported_only_in_nprl_scale():
    from pathlib import Path

    import nprl

    root = Path(nprl.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        if "import ray" in text or "from ray" in text:
            assert path.parent.name == "scale", path
    import subprocess

    probe = ("import sys, nprl, nprl.cli, nprl.scale, nprl.scale.runner, nprl.commands.sweep;"
             "print('ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


class FakeTrial:
    """What the live table reads of a Tune trial."""

    def __init__(self, name: str) -> None:
        self.config = {"job": {"name": name}}
        self.path = f"/ray/{name}"


def test_the_live_table_tells_finished_stopped_failed_and_restarted_trials_apart():
    import io

    pytest.importorskip("ray")
    from nprl.scale.live import LiveTable

    names = ["a", "b", "c"]
    status = {name: {"status": "pending", "restarts": 0, "error": ""} for name in names}
    saved = []
    stream = io.StringIO()
    table = LiveTable(status, dict.fromkeys(names, 1000), lambda s: saved.append(
        {name: dict(entry) for name, entry in s.items()}), early_stopping=True, stream=stream)
    a, b, c = (FakeTrial(name) for name in names)
    for trial in (a, b, c):
        table.on_trial_start(0, [], trial)
    table.on_trial_result(0, [], a, {"step": 0, "started_at": 0, "pid": 11, "host": "h"})
    assert saved[-1]["a"]["pid"] == 11  # where a trial runs is on disk at once
    table.on_trial_recover(0, [], a)
    table.on_trial_result(0, [], a, {"step": 1000, "eval_mean": 200.0, "finished": True,
                                     "pid": 12, "host": "h"})
    table.on_trial_complete(0, [], a)
    table.on_trial_result(0, [], b, {"step": 500, "eval_mean": 9.0, "finished": False})
    table.on_trial_complete(0, [], b)  # ended by the scheduler before its last step
    table.on_trial_error(0, [], c)
    assert {name: entry["status"] for name, entry in status.items()} == {
        "a": "finished", "b": "stopped", "c": "failed"}
    assert status["a"]["restarts"] == 1 and status["a"]["pid"] == 12
    assert "/ray/c/error.txt" in status["c"]["error"]
    lines = stream.getvalue().splitlines()  # not a terminal: one line per change
    assert "[sweep] a: restarted by Ray at step 0" in lines
    assert "[sweep] b: stopped at step 500, eval 9.0" in lines
    rows = table.rows()
    assert rows[1].split()[:3] == ["a", "finished", "1000/1000"] and "200.0" in rows[1]
