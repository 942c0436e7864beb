"""Atari 100k: nprl's ``atari-100k`` preset on Breakout, Boxing and Pong, beside published numbers.

The Atari 100k protocol (Kaiser et al. 2020): 100k agent steps (400k frames), no sticky
actions, a lost life ends the learning episode; evaluation plays whole games and reports
the game's score. For each (game, seed) the benchmark runs ``nprl train --env
ALE/<Game>-v5 --preset atari-100k --seed S --out DIR`` in its own process (skipped when
DIR already holds a run), then plays 100 greedy episodes with the agent ``nprl eval``
would use and prints one table with random, human and DER (data-efficient Rainbow, van
Hasselt et al. 2019) beside each game, plus the training wall time.

    python benchmarks/atari100k.py --seeds 1 --jobs 1
    python benchmarks/atari100k.py --games Pong --steps 20000      # a quick look

Goal (issue 10): above DER on all three games. Expect hours per game on a laptop CPU:
100k updates of the Nature CNN at batch 32.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from minatar_games import evaluate_run, train  # the same steps as the MinAtar table

GAMES = ("Breakout", "Boxing", "Pong")
PUBLISHED = {  # random / human / DER, as in the Atari 100k literature (e.g. DrQ, SPR)
    "Breakout": (1.7, 30.5, 1.9),
    "Boxing": (0.1, 12.1, 0.2),
    "Pong": (-20.7, 14.6, -19.3),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=list(GAMES), choices=GAMES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--steps", type=int, help="agent steps (default: the preset's 100k)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--runs-dir", type=Path, default=Path("runs/atari100k"))
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/atari100k.json"))
    args = parser.parse_args()

    args.runs_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(game, seed) for game in args.games for seed in args.seeds]

    def out(job):
        return args.runs_dir / f"{job[0]}-s{job[1]}"

    def command(job):
        game, seed = job
        words = ["nprl", "train", "--env", f"ALE/{game}-v5", "--preset", "atari-100k",
                 "--seed", str(seed), "--out", str(out(job)), "--no-progress"]
        return words + (["--steps", str(args.steps)] if args.steps else [])

    todo = [job for job in jobs if not (out(job) / "config.json").exists()]
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda job: train(command(job), out(job)), todo))
    results = []
    print("| game | seed | agent steps | greedy score, episodes | random | human | DER "
          "| train wall time | command |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for job in jobs:
        result = evaluate_run(out(job), args.episodes)
        game, seed = job
        random, human, der = PUBLISHED[game]
        minutes = f"{result['train_minutes']:.0f} min" if result["train_minutes"] else "?"
        print(f"| {game} | {seed} | {result['frames']:,} | {result['mean']:.1f} ± "
              f"{result['std']:.1f}, {args.episodes} | {random} | {human} | {der} | {minutes} "
              f"| `{' '.join(command(job))}` |")
        sys.stdout.flush()
        results.append({**result, "game": game, "seed": seed, "command": " ".join(command(job))})
    # Games run apart (e.g. one per core) add to the file instead of replacing it.
    done = {(r["game"], r["seed"]) for r in results}
    kept = [r for r in (json.loads(args.json.read_text()) if args.json.exists() else [])
            if (r["game"], r["seed"]) not in done]
    args.json.write_text(json.dumps(kept + results, indent=2) + "\n")


if __name__ == "__main__":
    main()
