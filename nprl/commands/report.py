"""``nprl report RUN_DIR``: everything about one run in a single HTML file.

    nprl report runs/cartpole                    # -> runs/cartpole/report.html
    nprl report runs/lander --episodes 50 --out lander.html
    nprl report runs/lander --no-gif             # skip the episode GIF (faster, smaller)

The page holds the training summary, evaluation statistics of the agent (the best
checkpoint, as ``nprl eval`` uses, unless ``--checkpoint latest``; same seed, so the same
numbers as ``nprl eval RUN_DIR --episodes N``), the metrics dashboard, Q-maps (as
``nprl qmap`` draws them), every hyperparameter of ``config.json`` and, for the Lander,
a GIF of one evaluation episode with the agent's Q-value bars. Images are embedded, so
the file opens from disk in a browser with no server and no network.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from nprl.commands.arguments import (
    add_episodes_argument,
    add_run_target_arguments,
    examples,
    seed,
    wrote,
)
from nprl.envs.pixels import pixel_family
from nprl.envs.registration import LANDER_ID
from nprl.errors import UserError

GIF_WIDTH = 420  # pixels; a landing is then about 1.5 MB
GIF_MAX_FRAMES = 360  # one frame in two at the Lander's 60 fps: 12 s


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="one self-contained HTML page about a run",
        description="Write one HTML file (images embedded; opens from disk, no network) with "
                    "a run's config, training summary, dashboard, Q-maps, evaluation "
                    "statistics and, for the Lander, a GIF of an evaluation episode.",
        epilog=examples(
            "nprl report runs/CartPole-v1-s1-20261130-120000   # RUN_DIR/report.html",
            "nprl report runs/lander --episodes 50 --out lander.html",
            "nprl report runs/lander --checkpoint latest --no-gif",
        ),
    )
    add_run_target_arguments(parser, pretrained=False)
    parser.add_argument("--out", metavar="FILE", help="HTML file (default RUN_DIR/report.html)")
    add_episodes_argument(parser)
    parser.add_argument("--seed", type=seed, default=0,
                        help="seed of the evaluation episodes (default 0, as nprl eval)")
    parser.add_argument("--no-gif", action="store_true",
                        help="leave out the GIF of an evaluation episode (Lander; default: "
                             "include it)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nprl.commands.run_target import make_target_env, open_target
    from nprl.output_paths import check_output_file
    from nprl.rl.evaluate import evaluate
    from nprl.viz import report

    if args.run_dir.startswith("pretrained:"):
        raise UserError("nprl report needs a run directory (a pretrained agent has no training "
                        f"record); try 'nprl eval {args.run_dir}' or 'nprl qmap {args.run_dir}'")
    if args.out:
        check_output_file(args.out, "--out", (".html", ".htm"))  # before the evaluation
    target = open_target(args.run_dir, args.checkpoint, args.allow_env_module)
    try:
        rows = target.run.read_metrics()
    except ValueError as error:
        raise UserError(str(error)) from None
    out = Path(args.out) if args.out else target.run.path / "report.html"
    started = time.perf_counter()
    env = make_target_env(target)
    stats = evaluate(target.agent, env, args.episodes, seed=args.seed)
    env.close()
    with tempfile.TemporaryDirectory(prefix="nprl-report-") as tmp:
        tmp = Path(tmp)
        sections = [
            report.section("Summary", report.side_by_side(
                report.table(_training_summary(target, rows), ("training", "")),
                report.table(_evaluation_rows(target, stats, args), ("evaluation", "")))),
        ]
        if (target.env_id == LANDER_ID or pixel_family(target.env_id)) and not args.no_gif:
            gif = _episode_gif(target, tmp / "episode.gif", args.seed)
            sections.append(report.section("An evaluation episode", report.image(
                gif, "the first evaluation episode; bars: the agent's Q-value per action, "
                     "the chosen one orange")))
        sections.append(report.section("Metrics", _dashboard(target.run.path, tmp)))
        if len(env.observation_space.shape) > 1:  # images: Q along an episode, not a map
            sections.append(report.section("Q-values along an episode", _q_trace(target, tmp)))
        else:
            sections.append(report.section("Q-maps",
                                           *_qmaps(target, env.observation_space, tmp)))
        sections.append(report.section("Configuration", report.table(
            _config_rows(target), ("hyperparameter", "value")), report.paragraph(
                f"from {target.run.config_path}; every resolved setting of the run", note=True)))
        title = f"nprl report: {target.env_id}"
        subtitle = (f"run {target.run.path.resolve()} · agent: {target.checkpoint_text} · "
                    f"written {time.strftime('%Y-%m-%d %H:%M')}")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(report.page(title, subtitle, sections), encoding="utf-8")
        except OSError as error:
            raise UserError(f"could not write {out}: {error}") from None
    wrote("report", out, f"{out.stat().st_size / 1e6:.1f} MB, "
                         f"{time.perf_counter() - started:.0f} s")
    return 0


def _training_summary(target, rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Steps, episodes, training time and evaluations, from the newest checkpoint's loop
    state and ``metrics.csv``."""
    from nprl.rl.metrics import RECENT_EPISODES
    from nprl.rl.run_dir import read_state

    try:
        loop = read_state(target.run.latest_checkpoint()).get("loop", {})
    except ValueError:
        loop = {}
    episodes = [row for row in rows if row.get("kind") == "episode" and row.get("return")]
    evals = [row for row in rows if row.get("kind") == "eval" and row.get("eval_mean")]
    steps = loop.get("step", max((int(row["step"]) for row in rows), default=0))
    summary = [("environment steps", f"{steps:,} of {target.config.total_steps:,}"),
               ("episodes", f"{loop.get('episode', len(episodes)):,}")]
    if "elapsed" in loop:
        summary.append(("training time", _duration(loop["elapsed"])))
    if episodes:
        recent = [float(row["return"]) for row in episodes[-RECENT_EPISODES:]]
        summary.append((f"mean return, last {len(recent)} episodes",
                        f"{sum(recent) / len(recent):.2f}"))
        shaped = [float(row["shaped_return"]) for row in episodes[-RECENT_EPISODES:]
                  if row.get("shaped_return")]
        if shaped:  # a run with reward shaping: what the agent learned from, beside it
            summary.append((f"mean shaped return ({target.config.shaping}), last "
                            f"{len(shaped)} episodes", f"{sum(shaped) / len(shaped):.2f}"))
    if evals:
        best = max(evals, key=_eval_rank)
        summary.append(("evaluations", str(len(evals))))
        summary.append(("best evaluation", f"{float(best['eval_mean']):.2f} at step "
                        f"{int(best['step']):,}" + _success_text(best.get("eval_success"))))
        last = evals[-1]
        summary.append(("last evaluation", f"{float(last['eval_mean']):.2f} at step "
                        f"{int(last['step']):,}" + _success_text(last.get("eval_success"))))
    return summary


def _eval_rank(row: dict[str, str]) -> list[float]:
    """Training's order for "best" (ties go to the later row)."""
    from nprl.rl.evaluate import evaluation_score

    return [*evaluation_score(row.get("eval_success") or None, row["eval_mean"]),
            int(row["step"])]


def _evaluation_rows(target, stats: dict, args: argparse.Namespace) -> list[tuple[str, str]]:
    rows = [("agent", target.checkpoint_text),
            ("episodes", f"{args.episodes} (greedy, seed {args.seed})"),
            ("mean ± std return", f"{stats['mean']:.2f} ± {stats['std']:.2f}"),
            ("min / max return", f"{stats['min']:.2f} / {stats['max']:.2f}"),
            ("mean length", f"{sum(stats['lengths']) / len(stats['lengths']):.1f} steps")]
    if stats["success_rate"] is not None:
        rows.append(("success rate", f"{stats['success_rate']:.0%}"))
    return rows


def _success_text(value: str | None) -> str:
    return f" ({float(value):.0%} success)" if value else ""


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s"


def _config_rows(target) -> list[tuple[str, str]]:
    rows = [("env_id", target.env_id)]
    for name, value in target.config.to_dict().items():
        rows.append((name, value if isinstance(value, str) else json.dumps(value)))
    return rows


def _dashboard(run_path: Path, tmp: Path) -> str:
    """The metrics dashboard of one run (HTML), or a note saying why there is none."""
    from nprl.viz import report
    from nprl.viz.dashboard import plot_dashboard

    try:
        png = plot_dashboard([run_path], tmp / "dashboard.png", smooth=20)
    except ValueError as error:  # e.g. no rows yet: the rest of the report still helps
        return report.paragraph(f"no dashboard: {error}", note=True)
    return report.image(png, "every metric of metrics.csv against environment steps")


def _q_trace(target, tmp: Path) -> str:
    """For image observations: Q(s, a) of every action along one greedy episode."""
    from nprl.commands.run_target import make_target_env
    from nprl.viz import report
    from nprl.viz.q_trace import plot_q_trace, record_q_trace
    from nprl.viz.qmap import action_names

    env = make_target_env(target)
    try:
        trace = record_q_trace(target.agent, env, action_names(target.env_id, env))
    finally:
        env.close()
    png = plot_q_trace(trace, tmp / "q-trace.png")
    return report.image(png, f"Q(s, a) per action and V(s) = max Q along one greedy episode "
                             f"(return {trace.rewards.sum():g}); below, the rewards. Images "
                             "have no two components to map as for vector observations.")


def _qmaps(target, space, tmp: Path) -> list[str]:
    """Q-map figures (HTML) for the slices that explain this environment's agent."""
    from nprl.viz import report
    from nprl.viz.qmap import compute_qslice, default_slice, plot_qslice

    slices = [default_slice(target.env_id, space)]
    if target.env_id == LANDER_ID:  # also: how it reacts to its velocity, halfway down
        slices.append({"x": 2, "x_range": (-0.6, 0.6), "y": 3, "y_range": (-0.8, 0.4),
                       "fixed": {1: 0.4, 5: 1.0}})
    figures = []
    for number, chosen in enumerate(slices):
        qslice = compute_qslice(target.agent, target.env_id, space.shape[0], resolution=61,
                                **chosen)
        fixed = dict(chosen.get("fixed", {}))
        fixed_text = ", ".join(f"obs[{i}] = {v:g}" for i, v in sorted(fixed.items()))
        caption = (f"Q(s, a) per action, V(s) = max Q and the greedy action over "
                   f"{qslice.x_name} × {qslice.y_name}; "
                   f"{fixed_text + ', ' if fixed_text else ''}other components 0")
        png = plot_qslice(qslice, tmp / f"qmap-{number}.png",
                          f"{qslice.x_name} × {qslice.y_name}")
        figures.append(report.image(png, caption))
    figures.append(report.paragraph(
        f"Other slices: nprl qmap {target.run.path} --x I --y J --fix K=VALUE", note=True))
    return figures


def _episode_gif(target, out: Path, seed: int) -> Path:
    """A small GIF of the first evaluation episode, with the agent's Q-value bars."""
    from nprl.commands.run_target import make_target_env
    from nprl.viz.q_overlay import draw_q_bars, enlarge, watch_episodes
    from nprl.viz.qmap import action_names
    from nprl.viz.video import gif_frame_step, resize_frame, save_video

    env = make_target_env(target, render_mode="rgb_array")
    names = action_names(target.env_id, env)
    frames = []

    def on_frame(frame, q, action) -> None:
        if len(frames) < GIF_MAX_FRAMES:
            frame = enlarge(frame)  # small game frames: room for the bars
            frame = frame if q is None else draw_q_bars(frame, q, action, names)
            frames.append(resize_frame(frame, GIF_WIDTH))

    try:
        # The frames eval --video and the README's GIF keep: the same delays everywhere.
        every = gif_frame_step(env.metadata.get("render_fps") or 30)
        watch_episodes(target.agent, env, 1, on_frame, seed=seed, every=every)
        fps = (env.metadata.get("render_fps") or 30) / every
        return save_video(out, frames, fps)
    except (ImportError, RuntimeError, ValueError) as error:
        raise UserError(f"cannot draw the episode GIF ({error}); try --no-gif") from None
    finally:
        env.close()
