"""`kill PID` (SIGTERM) stops `nprl train` like Ctrl-C: a checkpoint is saved and the run
resumes (a background job ignores SIGINT, so SIGTERM is how such a run is stopped)."""

import os
import signal
import subprocess
import sys
import time

from nprl.fileio import read_json
from nprl.rl.run_dir import RunDir


def test_sigterm_saves_a_checkpoint_that_resumes(tmp_path):
    run = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen(
        [sys.executable, "-m", "nprl", "train", "--env", "CartPole-v1", "--steps", "10000000",
         "--out", str(run), "--no-progress", "--set", "checkpoint_interval=100000000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        metrics = run / "metrics.csv"
        while not (metrics.exists() and metrics.read_text().count("\nepisode,") >= 3):
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "checkpoint saved" in err and "Traceback" not in err, err
    latest = RunDir(run).latest_checkpoint()  # none before: the interval is out of reach
    step = read_json(latest / "state.json")["loop"]["step"]
    assert step > 0
    resumed = subprocess.run(
        [sys.executable, "-m", "nprl", "resume", str(run), "--steps", str(step + 300),
         "--no-progress"], capture_output=True, text=True, env=env, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert read_json(RunDir(run).latest_checkpoint() / "state.json")["loop"]["step"] == step + 300
