"""Every picture in the README, with the command that makes it: rerun before a release.

    python benchmarks/readme_figures.py --list          # each figure and its commands
    python benchmarks/readme_figures.py                 # remake the quick ones (minutes)
    python benchmarks/readme_figures.py --only dashboard-cartpole
    python benchmarks/readme_figures.py --all           # also the benchmarks (hours)

The README's text quotes numbers from these runs (the CartPole dashboard's paragraph, the
Lander GIF's episode); when a figure is remade, read its printed summary and update the
text beside it. Quick figures are remade here; the benchmark figures (LunarLander against
SB3, reward shaping, the sweep) come from their own scripts, whose commands are listed and
run only with ``--all``. Commands run from the repository root, one after the other, each
printed before it runs; training runs go to ``runs/readme-*`` (a fresh folder each time).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPRL = [sys.executable, "-m", "nprl"]
CARTPOLE_SEEDS = (1, 2, 3)


@dataclass(frozen=True)
class Figure:
    """One README picture: where it lives, what it shows, the commands that make it."""

    name: str
    path: str
    shows: str
    commands: tuple[tuple[str, ...], ...]
    quick: bool = True  # minutes on a laptop; False: a benchmark of an hour or more


FIGURES = [
    Figure("lander-gif", "docs/lander.gif",
           "the shipped Lander agent's first evaluation episode (seed 0), Q-value bars, "
           "at the env's frame rate",
           (("nprl", "eval", "pretrained:lander", "--episodes", "1",
             "--video", "docs/lander.gif"),)),
    Figure("qmap-lander", "docs/qmap-lander.png",
           "Q-map of the shipped Lander agent over its position, upright and at rest",
           (("nprl", "qmap", "pretrained:lander", "--out", "docs/qmap-lander.png"),)),
    Figure("dashboard-cartpole", "docs/dashboard-cartpole.png",
           f"dashboard of nprl train on CartPole-v1, seeds {CARTPOLE_SEEDS} (mean, min..max)",
           tuple(("nprl", "train", "--seed", str(seed), "--no-progress",
                  "--out", f"runs/readme-cartpole-s{seed}") for seed in CARTPOLE_SEEDS)
           + (("nprl", "plot", *(f"runs/readme-cartpole-s{seed}" for seed in CARTPOLE_SEEDS),
               "--out", "docs/dashboard-cartpole.png"),)),
    Figure("sweep-cartpole", "docs/sweep-cartpole.png",
           "sweep.png of a learning-rate sweep on CartPole-v1, 3 seeds (README's table)",
           (("nprl", "sweep", "--env", "CartPole-v1", "--steps", "50000", "--seeds", "1", "2",
             "3", "--grid", "learning_rate=1e-3,5e-4", "--no-live", "--out",
             "runs/readme-sweep-cartpole"),
            ("cp", "runs/readme-sweep-cartpole/sweep.png", "docs/sweep-cartpole.png")),
           quick=False),
    Figure("lunarlander-vs-sb3", "benchmarks/lunarlander_vs_sb3.png",
           "LunarLander-v3 learning curves, nprl and SB3, 5 seeds (see benchmarks/RESULTS.md)",
           (("python", "benchmarks/vs_sb3.py", "--env", "LunarLander-v3", "--seeds", "5",
             "--jobs", "2", "--save", "benchmarks/lunarlander_vs_sb3.json", "--plot",
             "benchmarks/lunarlander_vs_sb3.png"),), quick=False),
    Figure("shaping-curves", "benchmarks/shaping_curves.png",
           "MountainCar-v0 and Acrobot-v1 with and without shaping, 5 seeds",
           (("python", "benchmarks/shaping.py", "--env", "MountainCar-v0", "--seeds", "1", "2",
             "3", "4", "5", "--save", "benchmarks/shaping_mountaincar.json"),
            ("python", "benchmarks/shaping.py", "--env", "Acrobot-v1", "--seeds", "1", "2",
             "3", "4", "5", "--save", "benchmarks/shaping_acrobot.json"),
            ("python", "benchmarks/shaping.py", "--load", "benchmarks/shaping_mountaincar.json",
             "benchmarks/shaping_acrobot.json", "--plot", "benchmarks/shaping_curves.png")),
           quick=False),
]


def shell_text(command: tuple[str, ...]) -> str:
    return " ".join(shlex.quote(part) for part in command)


def run(command: tuple[str, ...]) -> None:
    """Run one command from the repository root (``nprl`` and ``python`` as this Python)."""
    head = {"nprl": NPRL, "python": [sys.executable]}.get(command[0], [command[0]])
    argv = [*head, *command[1:]]
    for index, part in enumerate(command):  # a training run starts in a fresh folder
        if part == "--out" and command[1] in ("train", "sweep"):
            folder = ROOT / command[index + 1]
            if folder.exists():
                shutil.rmtree(folder)
    print(f"$ {shell_text(command)}", flush=True)
    subprocess.run(argv, cwd=ROOT, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print each figure and its "
                        "commands, run nothing")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=[f.name for f in FIGURES],
                        help="remake only these figures")
    parser.add_argument("--all", action="store_true",
                        help="also the benchmark figures (hours on a laptop)")
    args = parser.parse_args(argv)
    chosen = [f for f in FIGURES if (args.only and f.name in args.only)
              or (not args.only and (f.quick or args.all))]
    for figure in chosen:
        print(f"{figure.path}: {figure.shows}" + ("" if figure.quick else " [benchmark]"))
        for command in figure.commands:
            if args.list:
                print(f"    {shell_text(command)}")
            else:
                run(command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
