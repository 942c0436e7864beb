"""``nprl eval RUN_DIR``: run the trained agent for N episodes and report its returns.

    nprl eval runs/cartpole --episodes 20            # greedy
    nprl eval runs/cartpole --epsilon 0.05 --render  # in a window (pygame)
    nprl eval runs/cartpole --video cartpole.mp4     # or .gif (imageio)
    nprl eval pretrained:lander --render             # the Lander agent shipped with nprl

The agent comes from the run's best checkpoint (``checkpoints/best``, kept from the
evaluations during training) when there is one, else its newest; ``--checkpoint latest``
picks the newest. The environment id and its settings come from the run's
``config.json`` (with the evaluation overrides, ``eval_env_kwargs``).
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
    parser.add_argument("--render", action="store_true", help="show the episodes in a window")
    parser.add_argument("--video", metavar="FILE", help="write the episodes to FILE (.mp4/.gif)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nprl.rl.evaluate import evaluate
    from nprl.rl.pretrained import resolve_agent
    from nprl.rl.train import make_env

    if args.episodes < 1:
        raise UserError(f"--episodes must be at least 1, got {args.episodes}")
    if not 0.0 <= args.epsilon <= 1.0:
        raise UserError(f"--epsilon must lie in [0, 1], got {args.epsilon}")
    try:
        env_id, env_kwargs, agent = resolve_agent(args.run_dir, args.checkpoint)
        render_mode = "human" if args.render else ("rgb_array" if args.video else None)
        env = make_env(env_id, render_mode=render_mode, **env_kwargs)
    except ValueError as error:
        raise UserError(str(error)) from None
    frames = []
    on_step = None
    if args.video or args.render:  # show what the agent thought: Q-value bars / HUD line
        from nprl.viz.q_overlay import QRecorder, draw_q_bars
        from nprl.viz.qmap import ACTIONS

        agent = QRecorder(agent)
        names = ACTIONS.get(env_id)

        def on_step(e) -> None:
            if args.video:
                frame = e.render()
                if agent.last_q is not None:
                    frame = draw_q_bars(frame, agent.last_q, agent.last_action, names)
                frames.append(frame)
            elif hasattr(e.unwrapped, "hud_lines"):  # the Lander's HUD
                e.unwrapped.hud_lines = agent.lines(names)
    if args.video:
        require_imageio = __import__("nprl.viz", fromlist=["require"]).require
        imageio = require_imageio("imageio")
    try:
        stats = evaluate(agent, env, args.episodes, epsilon=args.epsilon, seed=args.seed,
                         on_step=on_step)
    except (ImportError, RuntimeError) as error:  # no pygame, no display (pygame.error)
        raise UserError(f"cannot render {env_id}: {error}") from None
    env.close()
    print(f"{env_id}: {args.episodes} episodes, epsilon {args.epsilon}: mean return "
          f"{stats['mean']:.2f} ± {stats['std']:.2f} (min {stats['min']:.2f}, "
          f"max {stats['max']:.2f})")
    if stats["success_rate"] is not None:
        print(f"success rate: {stats['success_rate']:.0%}")
    if args.video:
        fps = env.metadata.get("render_fps", 30)
        try:
            imageio.mimsave(args.video, frames, fps=fps)
        except (ValueError, OSError) as error:
            raise UserError(f"could not write video {args.video}: {error}") from None
        print(f"video: {args.video} ({len(frames)} frames)")
    return 0
