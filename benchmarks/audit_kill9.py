"""kill -9 audit (issue 13): kill `nprl train` at many moments, `nprl resume`, compare.

Each trial starts the same small CartPole run, sends SIGKILL after a different delay (so
some kills land mid-checkpoint or mid-row of metrics.csv), resumes it with `nprl resume`
and compares the finished metrics.csv (without the timing columns) with an uninterrupted
run of the same seed. Prints one row per trial and the totals. Run from the repository root:

    python benchmarks/audit_kill9.py [--trials 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nprl.rl.metrics import TIMING_COLUMNS

TRAIN = ["--steps", "6000", "--seed", "3", "--no-progress", "--set", "checkpoint_interval=200",
         "--set", "eval_interval=1000", "--set", "log_interval=100"]


def nprl(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "nprl", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def rows(run: Path) -> list[dict[str, str]]:
    with open(run / "metrics.csv", newline="") as file:
        return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS}
                for row in csv.DictReader(file)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nprl-kill9-"))
    reference = work / "reference"
    start = time.perf_counter()
    done = nprl("train", "--out", str(reference), *TRAIN)
    done.communicate()
    full = time.perf_counter() - start
    expected = rows(reference)
    print(f"uninterrupted run: {full:.1f} s, {len(expected)} metric rows")
    print(f"{'trial':>5} {'kill at s':>9} {'resume rc':>9} {'one line':>8} {'same metrics':>12}"
          f"  outcome")
    same = clean = early = 0
    for trial in range(args.trials):
        run = work / f"t{trial}"
        delay = 1.5 + (full - 2.5) * trial / max(args.trials - 1, 1)
        process = nprl("train", "--out", str(run), *TRAIN)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        resumed = nprl("resume", str(run), "--no-progress")
        _, err = resumed.communicate()
        errors = [line for line in err.splitlines() if line.startswith("nprl: error")]
        ok_lines = "Traceback" not in err and (resumed.returncode == 0 or len(errors) == 1)
        if resumed.returncode == 0:
            outcome = "resumed"
        elif errors and "already reached" in errors[0]:
            outcome = "had finished before the kill"
        elif errors and ("no checkpoint yet" in errors[0] or "does not exist" in errors[0]):
            outcome = "killed before its first checkpoint"
            early += 1
        else:
            outcome = errors[0] if errors else err.strip()[-200:]
        identical = run.exists() and (run / "metrics.csv").is_file() and rows(run) == expected
        same += identical
        clean += ok_lines
        print(f"{trial:>5} {delay:>9.2f} {resumed.returncode:>9} {ok_lines!s:>8} "
              f"{identical!s:>12}  {outcome}")
    print(f"identical metrics after the kill: {same}/{args.trials - early} (the other "
          f"{early} were killed before their first checkpoint: nothing to resume); "
          f"no traceback: {clean}/{args.trials} (folder {work})")


if __name__ == "__main__":
    main()
