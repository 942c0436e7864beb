"""Sweeps on a real Ray (the head node of conftest.py, 2 CPUs): same numbers as ``nprl
train``, resume after Ctrl-C, a worker killed with -9, ASHA, ``--address``.

Trials are CartPole-v1 with its preset for a few thousand steps, evaluated and
checkpointed every 1,000: small, but every path of a long run (learning, evaluations,
checkpoints, resume) is taken.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nprl.cli import main
from nprl.fileio import read_json
from nprl.rl.metrics import TIMING_COLUMNS
from nprl.rl.run_dir import RunDir
from nprl.scale import sweep
from nprl.scale.sweep_dir import SweepDir, trial_step

SETTINGS = ["eval_interval=1000", "eval_episodes=3", "checkpoint_interval=1000"]


def learning_rows(run_dir) -> list[dict[str, str]]:
    """metrics.csv without the columns that measure the machine's speed."""
    with open(RunDir(run_dir).metrics_path, newline="") as file:
        return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS}
                for row in csv.DictReader(file)]


def last_eval(run_dir) -> float:
    """The mean return of a run's last greedy evaluation."""
    return [float(row["eval_mean"]) for row in learning_rows(run_dir)
            if row["kind"] == "eval"][-1]


def train_reference(tmp_path: Path, command: str) -> Path:
    """Run a trial's ``nprl train`` command (as summary.md gives it) into tmp_path/ref."""
    out = tmp_path / f"ref-{len(list(tmp_path.glob('ref-*')))}"
    assert main(command.split()[1:] + ["--out", str(out), "--no-progress"]) == 0
    return out


def commands(folder: Path) -> dict[str, str]:
    """The ``nprl train`` command of each configuration, from summary.md."""
    text = (folder / "summary.md").read_text()
    return dict(re.findall(r"^- (c\d+): `(nprl train [^`]+)`$", text, re.M))


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def two_configs_over_two_seeds(picture) -> None:
    """The picture's first panel: one curve per configuration, each the mean of its two
    seeds inside a band, and a legend that says so."""
    first = picture.figure.axes[0]
    legend = [text.get_text() for text in first.get_legend().get_texts()]
    assert [label[:3] for label in legend] == ["c00", "c01"], legend
    assert all(label.endswith("(x2 seeds)") for label in legend), legend
    assert len(first.get_lines()) == 2 and len(first.collections) == 2


def test_a_sweep_is_ordinary_runs_equal_to_nprl_train(ray_joined, tmp_path, capsys,
                                                      saved_figures):
    out = tmp_path / "sweep"
    table = sweep(env="CartPole-v1", steps=3000, seeds=[1, 2],
                  grid={"learning_rate": [1e-3, 3e-4]}, settings=SETTINGS, out=out,
                  live=False)
    names = sorted(path.name for path in out.iterdir() if path.name.startswith("c"))
    assert names == ["c00-learning_rate=0.001-s1", "c00-learning_rate=0.001-s2",
                     "c01-learning_rate=0.0003-s1", "c01-learning_rate=0.0003-s2"]
    for name in names:  # ordinary run directories: config, metrics, final checkpoint
        env_id, config = RunDir(out / name).read_config()
        assert env_id == "CartPole-v1" and config.total_steps == 3000
        assert trial_step(RunDir(out / name)) == 3000
    status = read_json(out / "status.json")["trials"]
    assert {entry["status"] for entry in status.values()} == {"finished"}

    # summary: per configuration, statistics over its seeds' last evaluations
    with open(out / "summary.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["config"] for row in rows] == ["c00", "c01"] == [t["config"] for t in table]
    for row, prefix in zip(rows, ("c00", "c01")):
        finals = [last_eval(out / name) for name in names if name.startswith(prefix)]
        assert row["finished"] == "2" and row["seeds"] == "2"
        assert float(row["final_mean"]) == pytest.approx(sum(finals) / 2)
        assert float(row["final_min"]) == min(finals) and float(row["final_max"]) == max(finals)
    assert "| c01 | learning_rate=0.0003 | 2 | 2 finished |" in (out / "summary.md").read_text()
    [curves] = [saved for saved in saved_figures if saved.path == out / "sweep.png"]
    two_configs_over_two_seeds(curves)

    # the same numbers as nprl train, with the command summary.md gives
    reference = train_reference(tmp_path, commands(out)["c01"])
    assert learning_rows(reference) == learning_rows(out / "c01-learning_rate=0.0003-s1")
    assert read_json(reference / "config.json") == read_json(
        out / "c01-learning_rate=0.0003-s1" / "config.json")

    # nprl plot understands a sweep directory
    assert main(["plot", str(out)]) == 0
    [dashboard] = [saved for saved in saved_figures if saved.path == out / "dashboard.png"]
    two_configs_over_two_seeds(dashboard)


def test_a_killed_worker_is_restarted_and_resumes_from_its_checkpoint(ray_joined, tmp_path):
    out = tmp_path / "sweep"
    folder = SweepDir(out)
    name = "c00-s7"
    killed = {}

    def kill_after_the_first_checkpoint():
        run = RunDir(out / name)

        def running_with_checkpoint():
            step = trial_step(run)
            if step is None or not folder.status_path.is_file():
                return False
            entry = read_json(folder.status_path)["trials"].get(name, {})
            return entry.get("pid") is not None and 1000 <= step < 6000

        wait_for(running_with_checkpoint, 120, "a checkpoint of the running trial")
        killed["step"] = trial_step(run)
        killed["pid"] = read_json(folder.status_path)["trials"][name]["pid"]
        os.kill(killed["pid"], signal.SIGKILL)

    killer = threading.Thread(target=kill_after_the_first_checkpoint, daemon=True)
    killer.start()
    sweep(env="CartPole-v1", steps=8000, seeds=[7], settings=[*SETTINGS, "checkpoint_interval=500"],
          out=out, live=False)
    killer.join(timeout=5)
    entry = read_json(folder.status_path)["trials"][name]
    assert killed and entry["status"] == "finished" and entry["restarts"] == 1
    assert entry["pid"] != killed["pid"]  # a new worker ...
    assert entry["started_at"] >= killed["step"] >= 1000  # ... resumed from a checkpoint
    reference = train_reference(tmp_path, commands(out)["c00"])
    assert learning_rows(out / name) == learning_rows(reference)


def test_an_interrupted_sweep_resumes_without_rerunning_finished_trials(ray_joined,
                                                                     ray_child_env, tmp_path):
    """Ctrl-C of ``nprl sweep --address`` (a child process joined to the test's head
    node), then ``nprl sweep --resume``."""
    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "nprl", "sweep", "--address", ray_joined, "--env",
               "CartPole-v1", "--steps", "3000", "--seeds", "1", "2", "--max-concurrent", "1",
               "--out", str(out), "--no-live"]
    for setting in SETTINGS:
        command += ["--set", setting]
    child = subprocess.Popen(command, env=ray_child_env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    first, second = RunDir(out / "c00-s1"), RunDir(out / "c00-s2")
    done = {}

    def one_finished_one_begun():
        steps = [trial_step(first), trial_step(second)]
        done["steps"] = steps
        return 3000 in steps and any(s is not None and s < 3000 for s in steps)

    try:
        wait_for(one_finished_one_begun, 150, "one trial finished and one checkpointed")
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert f"nprl sweep --resume {out}" in err
    finished = first if trial_step(first) == 3000 else second
    unfinished = second if finished is first else first
    status = read_json(out / "status.json")["trials"]
    assert status[finished.path.name]["status"] == "finished"
    assert status[unfinished.path.name]["status"] == "unfinished"
    kept = finished.metrics_path.stat().st_mtime_ns

    table = sweep(resume=out, address=ray_joined, live=False)
    assert table[0]["finished"] == 2
    assert finished.metrics_path.stat().st_mtime_ns == kept  # not run again
    seed = int(unfinished.path.name.rsplit("-s", 1)[1])
    reference = train_reference(tmp_path, commands(out)["c00"].replace("--seed 1",
                                                                       f"--seed {seed}"))
    assert learning_rows(unfinished.path) == learning_rows(reference)


def test_asha_stops_a_poor_configuration_and_the_summary_says_so(ray_joined, tmp_path):
    out = tmp_path / "sweep"
    table = sweep(env="CartPole-v1", steps=5000, seeds=[1],
                  grid={"learning_rate": [1e-3, 1e-9]}, settings=["eval_interval=500",
                                                                 "eval_episodes=3"],
                  out=out, max_concurrent=1, scheduler="asha", live=False)
    status = read_json(out / "status.json")["trials"]
    good, poor = "c00-learning_rate=0.001-s1", "c01-learning_rate=1e-09-s1"
    assert status[good]["status"] == "finished", status
    assert status[poor]["status"] == "stopped", status
    assert int(learning_rows(out / poor)[-1]["step"]) < 5000
    assert [row["stopped"] for row in table] == [0, 1]
    text = (out / "summary.md").read_text()
    assert "| c01 | learning_rate=1e-09 | 1 | 1 stopped |" in text and "(stopped)" in text
