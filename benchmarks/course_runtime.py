"""How long the whole course takes to run headless: the issue's budget is 5 minutes on 2 cores.

Runs every exercise notebook and every solution notebook of nprl/lessons (copies, in a
temporary folder), ``--jobs`` kernels at a time, as tests/lessons/test_notebooks.py does, and prints a table of seconds per notebook plus the total wall time. There is no peer
to compare with; the load average is printed because a shared machine slows every number.

    python benchmarks/course_runtime.py --jobs 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, course
from nprl.lessons.runner import run_notebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="kernels at once (default 2)")
    args = parser.parse_args()
    names = [entry.name for entry in course()]
    timings: dict[tuple[str, str], float] = {}
    verdicts_ok: dict[tuple[str, str], bool] = {}

    def timed(key_and_path):
        key, path = key_and_path
        start = time.perf_counter()
        result = run_notebook(path)
        timings[key] = time.perf_counter() - start
        want = "passed" if key[0] == "solution" else "not yet"
        verdicts_ok[key] = not result.errors and not result.missing and all(
            v.status == want for v in result.verdicts.values())
        return result

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        jobs = []
        for kind, folder in (("exercise", NOTEBOOK_DIR), ("solution", SOLUTION_DIR)):
            (Path(scratch) / kind).mkdir()
            for name in names:
                copy = Path(scratch) / kind / f"{name}.ipynb"
                shutil.copyfile(folder / f"{name}.ipynb", copy)
                jobs.append(((kind, name), copy))
        start = time.perf_counter()
        if args.jobs <= 1:
            for job in jobs:
                timed(job)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                list(pool.map(timed, jobs))
        wall = time.perf_counter() - start

    print(f"{len(jobs)} notebook runs, {args.jobs} at a time, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at the start")
    print("| notebook | exercise s | solution s | verdicts as expected |")
    print("| --- | ---: | ---: | --- |")
    for name in names:
        ok = verdicts_ok[("exercise", name)] and verdicts_ok[("solution", name)]
        print(f"| {name} | {timings[('exercise', name)]:.1f} | "
              f"{timings[('solution', name)]:.1f} | {'yes' if ok else 'NO'} |")
    print(f"| total wall time | {wall:.0f} s (budget 300 s) | | |")


if __name__ == "__main__":
    main()
