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

from nprl.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="evaluate a trained agent",
        description="Evaluate a trained agent: the best (else newest) checkpoint of a run "
                    "directory, or an agent shipped with nprl (pretrained:lander).",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR",
                        help="run directory made by nprl train, or pretrained:NAME")
    parser.add_argument("--checkpoint", choices=("best", "latest"), default="best",
                        help="which checkpoint of a run (default best, when the run kept one)")
    parser.add_argument("--episodes", type=int, default=20, help="episodes (default 20)")
    parser.add_argument("--epsilon", type=float, default=0.0,
                        help="probability of a random action (default 0: greedy)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the episodes (default 0)")
    parser.add_argument("--render", action="store_true",
                        help="show the episodes in a window, with Q-value bars")
    parser.add_argument("--video", metavar="FILE", help="write the episodes to FILE (.mp4/.gif)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nprl.commands.run_target import make_target_env, open_target
    from nprl.rl.evaluate import evaluate

    if args.episodes < 1:
        raise UserError(f"--episodes must be at least 1, got {args.episodes}")
    if not 0.0 <= args.epsilon <= 1.0:
        raise UserError(f"--epsilon must lie in [0, 1], got {args.epsilon}")
    target = open_target(args.run_dir, args.checkpoint)
    watching = args.render or args.video
    env = make_target_env(target, render_mode="rgb_array" if watching else None)
    try:
        if watching:
            stats, frames = _watch(args, target.env_id, target.agent, env)
        else:
            stats, frames = evaluate(target.agent, env, args.episodes, epsilon=args.epsilon,
                                     seed=args.seed), []
    finally:
        env.close()
    if stats is None:
        print("window closed: evaluation stopped")
        return 0
    print(f"{target.env_id}: {args.episodes} episodes, epsilon {args.epsilon}: mean return "
          f"{stats['mean']:.2f} ± {stats['std']:.2f} (min {stats['min']:.2f}, "
          f"max {stats['max']:.2f})")
    if stats["success_rate"] is not None:
        print(f"success rate: {stats['success_rate']:.0%}")
    if args.video:
        from nprl.viz.video import save_video

        try:
            save_video(args.video, frames, env.metadata.get("render_fps") or 30)
        except ValueError as error:
            raise UserError(str(error)) from None
        print(f"video: {args.video} ({len(frames)} frames)")
    return 0


def _watch(args: argparse.Namespace, env_id: str, agent, env):
    """Evaluate with Q-value bars: in a window (``--render``) and/or into frames
    (``--video``). Returns ``(stats, frames)``; ``stats`` is None when the window was closed."""
    from nprl.envs.pixels import pixel_action_names
    from nprl.viz import require
    from nprl.viz.frame_window import FrameWindow, WindowClosed
    from nprl.viz.q_overlay import draw_q_bars, enlarge, watch_episodes
    from nprl.viz.qmap import ACTIONS

    require("pygame")
    if args.video:
        require("imageio")  # fail before the episodes, not after
    names = ACTIONS.get(env_id) or pixel_action_names(env)
    frames = []
    fps = env.metadata.get("render_fps") or 30
    with FrameWindow(f"nprl eval: {env_id}", fps) as window:
        def on_frame(frame, q, action) -> None:
            if args.video:
                frame = enlarge(frame)  # small game frames: room for the bars
                frames.append(frame if q is None else draw_q_bars(frame, q, action, names))
            if args.render:
                window.show(enlarge(frame), q, action, names)

        try:
            stats = watch_episodes(agent, env, args.episodes, on_frame, epsilon=args.epsilon,
                                   seed=args.seed)
        except WindowClosed:
            return None, frames
        except (ImportError, RuntimeError) as error:  # no pygame, no display (pygame.error)
            raise UserError(f"cannot render {env_id}: {error}") from None
    return stats, frames
