"""``nprl eval RUN_DIR``: run the trained agent for N episodes and report its returns.

    nprl eval runs/cartpole --episodes 20            # greedy
    nprl eval runs/cartpole --epsilon 0.05 --render  # in a window (pygame), Q-value bars
    nprl eval runs/cartpole --video cartpole.mp4     # or .gif (imageio)
    nprl eval pretrained:lander --render             # the Lander agent shipped with nprl

The agent comes from the run's best checkpoint (``checkpoints/best``, kept from the
evaluations during training) when there is one, else its newest; ``--checkpoint latest``
picks the newest. The environment id and its settings come from the run's
``config.json`` (with the evaluation overrides, ``eval_env_kwargs``).

``--render`` and ``--video`` draw the agent's Q-value for every action as bars, the chosen
action highlighted. For that every environment, Gymnasium's own included, renders
``rgb_array`` frames, which ``--render`` shows in nprl's own window
(:class:`~nprl.viz.frame_window.FrameWindow`); closing it stops the evaluation.
"""

from __future__ import annotations

import argparse

from nprl.commands.arguments import (
    add_episodes_argument,
    add_run_target_arguments,
    examples,
    probability,
    seed,
    wrote,
)
from nprl.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="evaluate a trained agent",
        description="Evaluate a trained agent: the best (else newest) checkpoint of a run "
                    "directory, or an agent shipped with nprl (pretrained:lander).",
        epilog=examples(
            "nprl eval runs/CartPole-v1-s1-20261130-120000       # 20 greedy episodes",
            "nprl eval pretrained:lander --render                # watch it, Q-value bars",
            "nprl eval runs/lander --checkpoint latest --video lander.gif",
        ),
    )
    add_run_target_arguments(parser)
    add_episodes_argument(parser)
    parser.add_argument("--epsilon", type=probability, default=0.0,
                        help="probability of a random action (default 0: greedy)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the episodes (default 0)")
    parser.add_argument("--render", action="store_true",
                        help="show the episodes in a window, with Q-value bars (default: no "
                             "window, just the statistics)")
    parser.add_argument("--video", metavar="FILE", help="write the episodes to FILE (.gif, "
                        ".mp4, ...), frame by frame, at the environment's frame rate (default: no video)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nprl.commands.run_target import make_target_env, open_target
    from nprl.rl.evaluate import evaluate

    if args.video:
        from nprl.output_paths import check_output_file
        from nprl.viz.video import VIDEO_SUFFIXES

        check_output_file(args.video, "--video", VIDEO_SUFFIXES)  # before the episodes
    target = open_target(args.run_dir, args.checkpoint, args.allow_env_module)
    watching = args.render or args.video
    env = make_target_env(target, render_mode="rgb_array" if watching else None)
    try:
        if watching:
            stats, video = _watch(args, target.env_id, target.agent, env)
        else:
            stats, video = evaluate(target.agent, env, args.episodes, epsilon=args.epsilon,
                                    seed=args.seed), None
    finally:
        env.close()
    print(f"agent: {target.checkpoint_text}" + (f" of {target.run.path}" if target.run else ""))
    if video is not None:
        stopped = f", {args.stopped} before the last episode" if stats is None else ""
        wrote("video", args.video, f"{video.frames_written} frames{stopped}")
    if stats is None:
        print(f"{args.stopped}: evaluation stopped before its {args.episodes} episodes ended")
        number = args.stopped.signal_number  # killed: the shell's usual 128 + signal
        return 0 if number is None else 128 + number
    print(f"{target.env_id}: {args.episodes} episodes, epsilon {args.epsilon}: mean return "
          f"{stats['mean']:.2f} ± {stats['std']:.2f} (min {stats['min']:.2f}, "
          f"max {stats['max']:.2f})")
    if stats["success_rate"] is not None:
        print(f"success rate: {stats['success_rate']:.0%}")
    return 0


def _watch(args: argparse.Namespace, env_id: str, agent, env):
    """Evaluate with Q-value bars: in a window (``--render``) and/or streamed into a video
    file (``--video``, one frame at a time, so memory stays flat). Returns ``(stats,
    writer)``: ``stats`` is None when the window was closed, ``writer`` the finished
    :class:`~nprl.viz.video.VideoWriter` or None."""
    from contextlib import nullcontext

    from nprl.errors import require
    from nprl.viz.frame_window import FrameWindow, WindowClosed
    from nprl.viz.q_overlay import draw_q_bars, enlarge, watch_episodes
    from nprl.viz.qmap import action_names
    from nprl.viz.video import VideoWriter

    require("pygame")
    names = action_names(env_id, env)
    fps = env.metadata.get("render_fps") or 30
    try:
        video = VideoWriter(args.video, fps) if args.video else None
    except ValueError as error:
        raise UserError(str(error)) from None
    try:
        with video or nullcontext(), FrameWindow(f"nprl eval: {env_id}", fps) as window:
            def on_frame(frame, q, action) -> None:
                if video is not None:
                    big = enlarge(frame)  # small game frames: room for the bars
                    video.append(big if q is None else draw_q_bars(big, q, action, names))
                if args.render:
                    window.show(enlarge(frame), q, action, names)

            try:
                stats = watch_episodes(agent, env, args.episodes, on_frame,
                                       epsilon=args.epsilon, seed=args.seed)
            except WindowClosed as closed:
                stats, args.stopped = None, closed
    except (ImportError, RuntimeError) as error:  # no pygame, no display (pygame.error)
        raise UserError(f"cannot render {env_id}: {error}") from None
    except ValueError as error:  # the video file could not be written
        raise UserError(str(error)) from None
    return stats, video
