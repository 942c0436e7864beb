"""What running through ``nprl sweep`` costs: sweep wall time against ideal parallel training.

A sweep of 2 configurations x 3 seeds of CartPole-v1 (its preset, 50,000 steps each) is
timed end to end (``nprl sweep`` in its own process: Ray's startup, scheduling, the
trials, the summary and its pictures). The same six runs are then made one at a time by
``nprl train`` (each in its own process, wall clock), and the ideal parallel time is their
sum divided by the number of cores. The ratio sweep / ideal is the overhead (issue 12's
goal: <= 1.15 on one machine). Sweep and trains alternate round by round; medians over
``--rounds``.

    flock /tmp/nprl-bench.lock python benchmarks/sweep_overhead.py
    python benchmarks/sweep_overhead.py --steps 10000 --rounds 1      # a quick look

Both sides pay the same Python start and the same work; on a machine shared with other
jobs, both are slowed, and the ratio is noisy: run it on a quiet machine for the figure.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRID = "learning_rate=1e-3,5e-4"


def timed(command: list[str], log: Path) -> float:
    """Run a command to completion (output to ``log``); its wall time in seconds."""
    start = time.perf_counter()
    with open(log, "w") as file:
        subprocess.run(command, check=True, stdout=file, stderr=subprocess.STDOUT)
    return time.perf_counter() - start


def sweep_phases(folder: Path, began: float, ended: float) -> dict[str, float]:
    """Where the sweep's time went, from its files' times: start-up until the first trial
    wrote its config.json, the trials until the last wrote its metrics, and the rest."""
    runs = [path for path in folder.iterdir() if (path / "config.json").is_file()]
    first = min((path / "config.json").stat().st_mtime for path in runs)
    last = max((path / "metrics.csv").stat().st_mtime for path in runs)
    trained = []
    for path in runs:
        with open(path / "metrics.csv", newline="") as file:
            times = [float(row["time"]) for row in csv.DictReader(file) if row["time"]]
        trained.append(times[-1])
    return {"startup": first - began, "trials": last - first, "end": ended - last,
            "trial_median": statistics.median(trained)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--cores", type=int, default=os.cpu_count(),
                        help="cores of the local Ray (and the divisor of the ideal time)")
    parser.add_argument("--keep", type=Path, help="keep the runs in this folder")
    args = parser.parse_args()

    python = [sys.executable, "-m", "nprl"]
    work = Path(tempfile.mkdtemp(prefix="nprl-overhead-"))
    sweeps, ideals = [], []
    for round_ in range(args.rounds):
        out = work / f"round{round_}"
        out.mkdir()
        began = time.time()
        sweep = timed([*python, "sweep", "--env", "CartPole-v1", "--steps", str(args.steps),
                       "--seeds", *map(str, args.seeds), "--grid", GRID, "--num-cpus",
                       str(args.cores), "--out", str(out / "sweep"), "--no-live"],
                      out / "sweep.log")
        trains = []
        for value in GRID.partition("=")[2].split(","):
            for seed in args.seeds:
                trains.append(timed(
                    [*python, "train", "--env", "CartPole-v1", "--steps", str(args.steps),
                     "--seed", str(seed), "--set", f"learning_rate={value}", "--no-progress",
                     "--out", str(out / f"train-lr{value}-s{seed}")],
                    out / f"train-lr{value}-s{seed}.log"))
        ideal = sum(trains) / args.cores
        phases = sweep_phases(out / "sweep", began, began + sweep)
        sweeps.append(sweep)
        ideals.append(ideal)
        print(f"round {round_ + 1}: sweep {sweep:.1f} s; nprl train runs "
              f"{', '.join(f'{t:.1f}' for t in trains)} s -> sum/{args.cores} = {ideal:.1f} s; "
              f"ratio {sweep / ideal:.3f}", flush=True)
        print(f"  inside the sweep: {phases['startup']:.1f} s until the first trial started "
              f"(Python, Ray, Tune), {phases['trials']:.1f} s of trials, {phases['end']:.1f} s "
              f"after the last (summary, sweep.png, Ray's shutdown); a trial trained for "
              f"{phases['trial_median']:.1f} s (median; nprl train alone: "
              f"{statistics.median(trains):.1f} s)", flush=True)
    runs = len(GRID.partition("=")[2].split(",")) * len(args.seeds)
    print(f"\nCartPole-v1, 2 configurations ({GRID}) x {len(args.seeds)} seeds, {args.steps} "
          f"steps each, {args.cores} cores, medians of {args.rounds} round(s)\n")
    print("| sweep wall (s) | sum of the {} nprl train runs (s) | ideal = sum / {} cores (s) "
          "| sweep / ideal |".format(runs, args.cores))
    print("| ---: | ---: | ---: | ---: |")
    sweep, ideal = statistics.median(sweeps), statistics.median(ideals)
    print(f"| {sweep:.1f} | {ideal * args.cores:.1f} | {ideal:.1f} | {sweep / ideal:.3f} |")
    if args.keep:
        shutil.copytree(work, args.keep, dirs_exist_ok=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
