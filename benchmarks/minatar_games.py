"""MinAtar: nprl's DQN presets on the five MinAtar games, beside the MinAtar paper's DQN.

For each (game, preset, seed) the benchmark trains ``nprl train --env MinAtar/<Game>-v1
--preset P --seed S --out DIR`` in its own process (``--jobs`` at a time, one BLAS thread
each), unless DIR already holds a run (then it only evaluates it: a run stopped early with
Ctrl-C is evaluated as far as it got, and the table says how far). It loads the agent
``nprl eval`` would use (``checkpoints/best``, else the newest), plays 100 greedy episodes
on seeds no training evaluation used, and prints one table with the paper's number beside
each game, and writes it as JSON.

    python benchmarks/minatar_games.py --games Breakout SpaceInvaders --seeds 1
    python benchmarks/minatar_games.py --games Asterix Freeway Seaquest --steps 100000
    python benchmarks/minatar_games.py --runs-dir /work/pxruns --evaluate-only   # runs made earlier

Paper: Young & Tian 2019, DQN at 5M frames, read from its published learning curves
(Asterix ~17, Breakout ~10, Freeway ~50, Seaquest ~20, SpaceInvaders ~43). One MinAtar
frame is one agent step. The paper's curves are returns of training episodes (epsilon-
greedy, epsilon 0.1 after 100k frames); the table gives both the greedy 100-episode
evaluation and the mean return of the last 100 training episodes (epsilon 0.01 in
``minatar-tuned``). Goal (issue 10): ``minatar-tuned`` above the paper on Breakout and
SpaceInvaders within 5M frames.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

GAMES = ("Asterix", "Breakout", "Freeway", "Seaquest", "SpaceInvaders")
PAPER_DQN_5M = {"Asterix": 17, "Breakout": 10, "Freeway": 50, "Seaquest": 20,
                "SpaceInvaders": 43}
EVAL_EPISODES = 100
EVAL_SEED = 777_000  # far from the seeds training evaluations use


def run_dir(root: Path, game: str, preset: str, seed: int) -> Path:
    suffix = "tuned" if preset == "minatar-tuned" else preset
    return root / f"{game}-{suffix}-s{seed}"


def train_command(game: str, preset: str, seed: int, steps: int | None, out: Path) -> list[str]:
    """The ``nprl train`` command of one run (for a run trained elsewhere, --evaluate-only
    shows the command this script would have used; the run's config.json is the truth)."""
    command = ["nprl", "train", "--env", f"MinAtar/{game}-v1", "--preset", preset,
               "--seed", str(seed), "--out", str(out), "--no-progress"]
    return command + (["--steps", str(steps)] if steps else [])


def train(command: list[str], out: Path) -> None:
    """Run ``nprl train`` in a child process (its log beside the run directory)."""
    with open(out.with_suffix(".log"), "w") as log:
        subprocess.run([sys.executable, "-m", *command], check=True, stdout=log,
                       stderr=subprocess.STDOUT)


def evaluate_run(out: Path, episodes: int) -> dict:
    """Greedy episodes of the run's best (else newest) agent; how far training got (the
    newest checkpoint's step) and its training wall time (metrics.csv's last ``time``)."""
    from nprl.fileio import read_json
    from nprl.rl import DQNAgent, evaluate
    from nprl.rl.run_dir import RunDir
    from nprl.rl.train import make_env

    run = RunDir(out)
    env_id, config = run.read_config()
    folder = run.best_checkpoint() or run.latest_checkpoint()
    agent = DQNAgent.load(folder / "agent", training=False)  # acting only: no replay memory
    env = make_env(env_id, **{**config.env_kwargs, **config.eval_env_kwargs})
    started = time.perf_counter()
    stats = evaluate(agent, env, episodes, seed=EVAL_SEED)
    frames = read_json(run.latest_checkpoint() / "state.json")["loop"]["step"]
    rows = run.read_metrics()
    times = [float(row["time"]) for row in rows if row.get("time")]
    # The paper plots returns of training episodes (epsilon-greedy): the last 100 here.
    last = [float(row["return"]) for row in rows if row["kind"] == "episode"][-100:]
    state = read_json(folder / "state.json")
    agent_step = state.get("step") if folder.name == "best" else state["loop"]["step"]
    return {"env_id": env_id, "frames": frames, "total_steps": config.total_steps,
            "agent_step": agent_step, "checkpoint": folder.name, "mean": stats["mean"],
            "std": stats["std"], "episodes": episodes,
            "train_return_last100": sum(last) / len(last) if last else None,
            "train_minutes": times[-1] / 60 if times else None,
            "eval_seconds": time.perf_counter() - started}


def table(results: list[dict]) -> str:
    lines = ["| game | preset | seed | frames trained | agent (checkpoint, frame) | greedy "
             "return, 100 episodes | training return, last 100 episodes | paper DQN @5M "
             "| train wall time | command |",
             "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        minutes = f"{r['train_minutes']:.0f} min" if r["train_minutes"] else "?"
        lines.append(
            f"| {r['game']} | {r['preset']} | {r['seed']} | {r['frames']:,} of "
            f"{r['total_steps']:,} | {r['checkpoint']}, {r['agent_step']:,} | "
            f"{r['mean']:.1f} ± {r['std']:.1f} | {r['train_return_last100']:.1f} | "
            f"{PAPER_DQN_5M[r['game']]} | {minutes} | "
            f"`{r['command']}` |")
    return "\n".join(lines)


def plot_curves(results: list[dict], runs_dir: Path, out: Path) -> None:
    """One panel per game: training return (moving average of 100 episodes) and the greedy
    evaluations against frames, the paper's DQN at 5M frames as a dashed line."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    from nprl.rl.run_dir import RunDir
    from nprl.viz.learning_curve import moving_average, series

    figure, axes = pyplot.subplots(1, len(results), figsize=(4 * len(results), 3.4),
                                   squeeze=False)
    for axis, result in zip(axes[0], results):
        rows = RunDir(run_dir(runs_dir, result["game"], result["preset"],
                              result["seed"])).read_metrics()
        steps, returns = series(rows, "episode", "return")
        axis.plot(steps, moving_average(returns, 100), lw=1, label="training (avg 100 ep.)")
        steps, means = series(rows, "eval", "eval_mean")
        axis.plot(steps, means, "o-", ms=3, label="greedy eval (10 ep.)")
        axis.axhline(PAPER_DQN_5M[result["game"]], color="gray", ls="--",
                     label="paper DQN @5M frames")
        axis.set_title(f"{result['game']} ({result['preset']}, seed {result['seed']})")
        axis.set_xlabel("frames")
    axes[0][0].set_ylabel("return")
    axes[0][0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(out, dpi=90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=list(GAMES), choices=GAMES)
    parser.add_argument("--presets", nargs="+", default=["minatar-tuned"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--steps", type=int, help="frames per run (default: the preset's)")
    parser.add_argument("--jobs", type=int, default=2, help="trainings at a time")
    parser.add_argument("--runs-dir", type=Path, default=Path("runs/minatar"))
    parser.add_argument("--evaluate-only", action="store_true",
                        help="evaluate the runs already in --runs-dir, train nothing")
    parser.add_argument("--episodes", type=int, default=EVAL_EPISODES)
    parser.add_argument("--json", type=Path, default=Path("benchmarks/minatar.json"))
    parser.add_argument("--plot", type=Path, help="PNG of the learning curves, one per game")
    args = parser.parse_args()

    args.runs_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(game, preset, seed) for game in args.games for preset in args.presets
            for seed in args.seeds]
    commands = {job: train_command(*job, args.steps, run_dir(args.runs_dir, *job))
                for job in jobs}
    todo = [job for job in jobs if not (run_dir(args.runs_dir, *job) / "config.json").exists()]
    if todo and not args.evaluate_only:
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda job: train(commands[job], run_dir(args.runs_dir, *job)), todo))
    results = []
    for job in jobs:
        out = run_dir(args.runs_dir, *job)
        if not (out / "config.json").exists():
            print(f"skipping {out}: no run there", file=sys.stderr)
            continue
        game, preset, seed = job
        result = evaluate_run(out, args.episodes)
        result.update(game=game, preset=preset, seed=seed, command=" ".join(commands[job]))
        results.append(result)
        print(f"{game}: {result['mean']:.1f} ± {result['std']:.1f}", file=sys.stderr)
    print(table(results))
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.plot:
        plot_curves(results, args.runs_dir, args.plot)


if __name__ == "__main__":
    main()
