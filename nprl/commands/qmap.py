"""``nprl qmap RUN_DIR``: heatmaps of a trained agent's Q-values over a 2D state slice.

    nprl qmap runs/cartpole                      # pole angle x angular velocity
    nprl qmap pretrained:lander                  # horizontal x vertical position
    nprl qmap pretrained:lander --fix 3=-0.4     # ... while falling at 2 m/s
    nprl qmap runs/acrobot --x 4 --y 5 --x-range -12 12 --y-range -28 28
    nprl qmap runs/minatar-breakout              # images: Q-values along a greedy episode

Image observations (MinAtar, Atari) have no two components worth sweeping; for them the
command draws Q(s, a) of every action along one greedy episode instead (say so on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nprl.commands.arguments import (
    add_run_target_arguments,
    examples,
    finite_float,
    non_negative_int,
    wrote,
)
from nprl.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "qmap", help="heatmaps of the learned Q-values over a 2D slice of the states",
        description="Draw Q(s, a) for every action, V(s) = max Q and the greedy action over a "
                    "grid of two observation components, the others fixed (0 unless --fix). "
                    "For image observations: Q(s, a) along one greedy episode.",
        epilog=examples(
            "nprl qmap runs/CartPole-v1-s1-20261130-120000   # pole angle x angular velocity",
            "nprl qmap pretrained:lander --fix 3=-0.4        # position, falling at 2 m/s",
            "nprl qmap runs/acrobot --x 4 --y 5 --x-range -12 12 --y-range -28 28",
        ),
    )
    add_run_target_arguments(parser)
    parser.add_argument("--x", type=non_negative_int, default=None,
                        help="observation component on the x axis, counted from 0 "
                             "(default: the pole angle for CartPole, the horizontal "
                             "position for the Lander, else component 0)")
    parser.add_argument("--y", type=non_negative_int, default=None,
                        help="observation component on the y axis (default: the pole's "
                             "angular velocity for CartPole, the height for the Lander, "
                             "else component 1)")
    parser.add_argument("--x-range", type=finite_float, nargs=2, metavar=("LOW", "HIGH"),
                        help="values swept on the x axis (default: the range the agent "
                             "meets for CartPole and the Lander, else the observation "
                             "space's bounds clipped to -3..3)")
    parser.add_argument("--y-range", type=finite_float, nargs=2, metavar=("LOW", "HIGH"),
                        help="values swept on the y axis (default: as for --x-range)")
    parser.add_argument("--fix", action="append", default=[], metavar="INDEX=VALUE",
                        help="fix another observation component, e.g. 3=-0.4 (repeatable; "
                             "default: upright for the Lander, "
                             "0 otherwise)")
    parser.add_argument("--resolution", type=int, default=81,
                        help="grid points per axis, 5 to 400")
    parser.add_argument("--out", default=None,
                        help="PNG to write (default: RUN_DIR/qmap.png; for pretrained:NAME "
                             "a fresh folder runs/qmap-NAME)")
    parser.set_defaults(func=run)


def _parse_fixed(assignments: list[str]) -> dict[int, float]:
    fixed = {}
    for text in assignments:
        index, sep, value = text.partition("=")
        try:
            fixed[int(index)] = finite_float(value)
        except (ValueError, argparse.ArgumentTypeError):
            raise UserError(f"--fix expects INDEX=VALUE, e.g. 3=-0.4; got {text!r}") from None
        if not sep:
            raise UserError(f"--fix expects INDEX=VALUE, e.g. 3=-0.4; got {text!r}")
    return fixed


def fixed_words(env_id: str, size: int, fixed: dict[int, float], shown: tuple[int, int]) -> str:
    """Say in words where the map's slice sits: the Lander's default is "upright, at rest,
    feet off the ground"; otherwise each fixed component by name, then "others 0"."""
    from nprl.envs.registration import LANDER_ID
    from nprl.viz.qmap import NAMES

    names = NAMES.get(env_id, [])
    values = {i: fixed.get(i, 0.0) for i in range(size) if i not in shown}
    if env_id == LANDER_ID and set(shown) == {0, 1}:
        words = []
        if values[4] == 0 and values[5] == 1 and values[6] == 0:
            words.append("upright, not turning")
        if values[2] == 0 and values[3] == 0:
            words.append("at rest")
        elif values[2] == 0:
            words.append(f"{'falling' if values[3] < 0 else 'rising'} (vy = {values[3]:g})")
        if values[7] == 0 and values[8] == 0:
            words.append("feet off the ground")
        explained = {4, 5, 6} if "upright, not turning" in words else set()
        explained |= {2, 3} if values[2] == 0 else set()
        explained |= {7, 8} if "feet off the ground" in words else set()
        rest = [f"{names[i]} = {values[i]:g}" for i in sorted(values) if i not in explained]
        return ", ".join(words + rest)
    named = [f"{names[i] if i < len(names) else f'obs[{i}]'} = {v:g}"
             for i, v in sorted(fixed.items()) if i not in shown]
    return "; ".join([", ".join(named), "others 0"]) if named else "others 0"


def _default_out(args: argparse.Namespace) -> Path:
    if args.out:
        return Path(args.out)
    if args.run_dir.startswith("pretrained:"):  # no run folder: a fresh one under runs/
        from nprl.output_paths import fresh_dir

        return fresh_dir(Path("runs") / f"qmap-{args.run_dir.partition(':')[2]}") / "qmap.png"
    return Path(args.run_dir) / "qmap.png"


def run(args: argparse.Namespace) -> int:
    from nprl.commands.run_target import make_target_env, open_target
    from nprl.output_paths import check_output_file
    from nprl.viz.qmap import compute_qslice, default_slice, plot_qslice, space_range

    if not 5 <= args.resolution <= 400:
        raise UserError(f"--resolution must be between 5 and 400, got {args.resolution}")
    fixed = _parse_fixed(args.fix)
    for axis in ("x", "y"):
        span = getattr(args, f"{axis}_range")
        if span and not span[0] < span[1]:
            raise UserError(f"--{axis}-range needs LOW < HIGH, got {span[0]:g} {span[1]:g}")
    if args.out:
        check_output_file(args.out, "--out", (".png",))  # before the agent is loaded
    target = open_target(args.run_dir, args.checkpoint, args.allow_env_module)
    env_id, agent = target.env_id, target.agent
    env = make_target_env(target)
    space = env.observation_space
    if len(space.shape) > 1:  # images: no two components to sweep; show an episode instead
        return _q_trace(args, target, env)
    try:
        chosen = default_slice(env_id, space)
        for axis in ("x", "y"):  # a chosen component gets its own range unless given
            index, given = getattr(args, axis), getattr(args, f"{axis}_range")
            if index is not None:
                chosen[axis], chosen[f"{axis}_range"] = index, space_range(space, index)
            if given:
                chosen[f"{axis}_range"] = tuple(given)
        chosen["fixed"] = {**chosen.get("fixed", {}), **fixed}
        qslice = compute_qslice(agent, env_id, space.shape[0], resolution=args.resolution,
                                **chosen)
    except ValueError as error:
        raise UserError(str(error)) from None
    out = _default_out(args)
    title = f"{env_id}: Q-values over {qslice.x_name} x {qslice.y_name}"
    title += f"\n({fixed_words(env_id, space.shape[0], chosen['fixed'], (chosen['x'], chosen['y']))})"
    wrote("Q-map", plot_qslice(qslice, out, title))
    return 0


def _q_trace(args: argparse.Namespace, target, env) -> int:
    """Image observations: the Q-values along one greedy episode, in place of a map."""
    from nprl.viz.q_trace import plot_q_trace, record_q_trace
    from nprl.viz.qmap import action_names

    if args.x is not None or args.y is not None or args.fix:
        raise UserError(f"{target.env_id} observes images {env.observation_space.shape}: "
                        "--x, --y and --fix pick components of vector observations only")
    print(f"{target.env_id} observes images {env.observation_space.shape}, which have no "
          "two components to map; drawing Q(s, a) along one greedy episode instead",
          file=sys.stderr)
    trace = record_q_trace(target.agent, env, action_names(target.env_id, env), seed=0)
    out = _default_out(args)
    title = f"{target.env_id}: Q-values along a greedy episode (return {trace.rewards.sum():g})"
    wrote("Q-values along an episode", plot_q_trace(trace, out, title))
    return 0
