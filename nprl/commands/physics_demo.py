"""``nprl physics-demo``: the physics engine's scenes in a window, or saved as a GIF.

nprl physics-demo                       # window; keys 1-5 switch scenes
nprl physics-demo --scene stack --gif stack.gif --seconds 6   # headless GIF
"""

from __future__ import annotations

import argparse
import math

from nprl.commands.arguments import examples, wrote
from nprl.errors import UserError
from nprl.viz.physics_demo import SCENES  # no pygame until something is drawn


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``physics-demo`` parser to the ``nprl`` command."""
    parser = subparsers.add_parser(
        "physics-demo",
        help="watch the 2D physics engine (pygame window, or a GIF headless)",
        description="Scenes of the nprl 2D rigid-body engine: falling boxes, a stack, a "
        "slope, an off-centre kick, the lander. Red dots are contact points, "
        "blue segments their normals.",
        epilog=examples(
            "nprl physics-demo                      # a window: N next scene, ESC quit",
            "nprl physics-demo --scene stack",
            "nprl physics-demo --gif physics.gif    # every scene, headless",
        ),
    )
    parser.add_argument(
        "--scene",
        default=None,
        metavar="NAME",
        help=f"one of {', '.join(SCENES)} (default: a window starts with falling; "
        "a GIF records every scene in turn)",
    )
    parser.add_argument(
        "--gif",
        metavar="FILE",
        default=None,
        help="render headless and save an animated GIF instead of a window "
        "(default: a window)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        metavar="S",
        help="simulated seconds (default: each scene until it comes to rest, at most 6, "
        "for a GIF; until closed for a window)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the arguments, then open the window or write the GIF."""
    if args.scene is not None and args.scene not in SCENES:
        raise UserError(f"unknown scene {args.scene!r}; choose one of: {', '.join(SCENES)}")
    if args.seconds is not None and not (math.isfinite(args.seconds) and 0 < args.seconds <= 600):
        raise UserError(f"--seconds must be between 0 and 600, got {args.seconds}")
    from nprl.viz import physics_demo

    if args.gif:
        from nprl.output_paths import check_output_file

        check_output_file(args.gif, "--gif", (".gif",))
        scenes = [args.scene] if args.scene else list(SCENES)
        frames = physics_demo.save_gif(scenes, args.gif, args.seconds or 6.0)
        wrote("GIF", args.gif, f"{frames} frames: {', '.join(scenes)}")
    else:
        physics_demo.run_window(args.scene or "falling", args.seconds)
    return 0
