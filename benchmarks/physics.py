"""Physics benchmark: nprl.physics against Box2D (C++) on the same scenes, side by side.

Scenes (built once in nprl; the Box2D copy is made from the very same nprl bodies,
vertex for vertex, so the two engines see identical geometry):

* ``lander``: a three-part compound lander resting on its pad in a terrain of eight
  convex pieces (``nprl.envs.lander_world.resting_scene``: the env's lander body, on a
  fixed terrain, at 50 Hz and g = 10 m/s^2 rather than the env's 60 Hz and 5 m/s^2);
* ``stack``: five boxes dropped from 0.5 m onto the ground, landing and settling.

Both engines take 10 velocity iterations per step (Box2D also 4 position iterations, nprl
4 position-pass sweeps) at the scene's time step; Box2D's sleeping is switched off
(nprl has none, and a sleeping body costs nothing). Gymnasium's ``LunarLander-v3``
(Box2D plus its Python env code) is timed with random actions for scale.

Every measurement runs in its own fresh process; engines alternate within each repetition
and the table quotes medians. Run it under the shared lock, so that only one benchmark
uses the machine at a time::

    flock /tmp/nprl-bench.lock .venv/bin/python benchmarks/physics.py
    flock /tmp/nprl-bench.lock .venv/bin/python benchmarks/physics.py --micro
    .venv/bin/python benchmarks/physics.py --profile    # where the time goes

``--micro`` times the two ways to hold 2-vectors (plain float tuples against small NumPy
arrays) on the engine's two inner kernels.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

SCENES = ("lander", "stack")
WARMUP_STEPS = 50


# --------------------------------------------------------------------------- scenes
def nprl_scene(name: str):
    """The nprl world for a benchmark scene."""
    from nprl.envs.lander_world import resting_scene
    from nprl.physics import Body, World, box
    from nprl.physics.scenes import ground

    if name == "lander":
        return resting_scene().world
    if name == "stack":
        world = World(gravity=(0.0, -10.0))
        ground(world)
        for k in range(5):
            # Dropped from 0.5 m with a small sideways offset, so it lands and settles.
            world.add(
                Body(
                    box(1.0, 1.0),
                    1.0,
                    position=(0.02 * (k % 2), 1.0 + 1.1 * k),
                    friction=0.6,
                    restitution=0.0,
                )
            )
        return world
    raise ValueError(f"unknown scene {name!r}")


def box2d_world(name: str):
    """The same scene rebuilt in Box2D, from the nprl bodies."""
    import Box2D

    source = nprl_scene(name)
    world = Box2D.b2World(gravity=source.gravity, doSleep=False)
    for body in source.bodies:
        fixtures = []
        total_area = sum(p.area for p in body.shapes)
        for polygon in body.shapes:
            fixtures.append(
                Box2D.b2FixtureDef(
                    shape=Box2D.b2PolygonShape(vertices=[tuple(v) for v in polygon.vertices]),
                    density=0.0 if body.static else body.mass / total_area,
                    friction=body.friction,
                    restitution=body.restitution,
                )
            )
        make = world.CreateStaticBody if body.static else world.CreateDynamicBody
        made = make(position=body.position, angle=body.angle, fixtures=fixtures)
        if not body.static:
            made.sleepingAllowed = False  # the world-level doSleep flag alone does not hold
            made.linearDamping = body.linear_drag / body.mass
            made.angularDamping = body.angular_drag / body.inertia
    return world, source.dt


# -------------------------------------------------------------------------- workers
def time_nprl(name: str, steps: int) -> float:
    world = nprl_scene(name)
    for _ in range(WARMUP_STEPS):
        world.step()
    start = time.perf_counter()
    for _ in range(steps):
        world.step()
    return steps / (time.perf_counter() - start)


def time_box2d(name: str, steps: int) -> float:
    world, dt = box2d_world(name)
    for _ in range(WARMUP_STEPS):
        world.Step(dt, 10, 4)
    start = time.perf_counter()
    for _ in range(steps):
        world.Step(dt, 10, 4)
    return steps / (time.perf_counter() - start)


def time_lunarlander(steps: int) -> float:
    import gymnasium as gym

    env = gym.make("LunarLander-v3")
    env.action_space.seed(0)
    env.reset(seed=0)
    start = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - start)


def worker(engine: str, scene: str, steps: int) -> None:
    if engine == "nprl":
        rate = time_nprl(scene, steps)
    elif engine == "box2d":
        rate = time_box2d(scene, steps)
    else:
        rate = time_lunarlander(steps)
    print(json.dumps({"steps_per_s": rate}))


def measure(engine: str, scene: str, steps: int) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", engine, scene, str(steps)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["steps_per_s"]


# ---------------------------------------------------------------------------- micro
def micro(repeats: int) -> None:
    """Tuples of floats against NumPy arrays for the two hottest kernels."""
    import math
    import timeit

    import numpy as np

    c, s, cx, cy = math.cos(0.3), math.sin(0.3), 1.0, 2.0
    hexagon = [(math.cos(k * math.pi / 3), math.sin(k * math.pi / 3)) for k in range(6)]
    hexagon_np = np.array(hexagon)
    rotation = np.array([[c, -s], [s, c]])
    centre = np.array([cx, cy])
    normals = [
        (math.cos((k + 0.5) * math.pi / 3), math.sin((k + 0.5) * math.pi / 3)) for k in range(6)
    ]
    normals_np = np.array(normals)
    other = [(x + 1.5, y) for x, y in hexagon]
    other_np = np.array(other)

    def transform_tuples():
        return [(cx + c * x - s * y, cy + s * x + c * y) for x, y in hexagon]

    def transform_numpy():
        return hexagon_np @ rotation.T + centre

    def separation_tuples():
        best = -1e300
        for (nx, ny), (vx, vy) in zip(normals, hexagon):
            sep = min([nx * x + ny * y for x, y in other]) - (nx * vx + ny * vy)
            best = max(best, sep)
        return best

    def separation_numpy():
        # All edges at once: (6 normals) x (6 vertices) distances.
        d = normals_np @ other_np.T - np.sum(normals_np * hexagon_np, axis=1)[:, None]
        return float(d.min(axis=1).max())

    def contact_tuples():
        # One sequential-impulse update of one contact point.
        v = (0.1, -0.2)
        w = 0.3
        r = (0.4, -0.5)
        dv = (v[0] - w * r[1], v[1] + w * r[0])
        vn = dv[0] * 0.0 + dv[1] * 1.0
        p = max(0.0, 0.5 - 0.8 * vn)
        return (v[0] + p * 0.0, v[1] + p * 1.0, w + p * (r[0] * 1.0 - r[1] * 0.0))

    v_np, r_np, n_np = np.array([0.1, -0.2]), np.array([0.4, -0.5]), np.array([0.0, 1.0])

    def contact_numpy():
        w = 0.3
        dv = v_np + w * np.array([-r_np[1], r_np[0]])
        vn = float(dv @ n_np)
        p = max(0.0, 0.5 - 0.8 * vn)
        return v_np + p * n_np, w + p * float(r_np[0] * n_np[1] - r_np[1] * n_np[0])

    assert abs(separation_tuples() - separation_numpy()) < 1e-12
    rows = []
    for label, fast, slow in (
        ("6 vertices to world frame", transform_tuples, transform_numpy),
        ("SAT max separation, 6-gon vs 6-gon", separation_tuples, separation_numpy),
        ("one contact-point impulse", contact_tuples, contact_numpy),
    ):
        number = 20000
        t_tuple = min(timeit.repeat(fast, number=number, repeat=repeats)) / number * 1e6
        t_numpy = min(timeit.repeat(slow, number=number, repeat=repeats)) / number * 1e6
        rows.append((label, t_tuple, t_numpy))
    print("| kernel | float tuples (us) | NumPy arrays (us) | NumPy / tuples |")
    print("| --- | ---: | ---: | ---: |")
    for label, a, b in rows:
        print(f"| {label} | {a:.2f} | {b:.2f} | {b / a:.1f}x |")


# --------------------------------------------------------------------------- profile
STAGES = (
    ("narrowphase.py", None, "narrow phase: SAT + clipping (`narrowphase.py`)"),
    ("body.py", None, "poses to boxes, vertices, normals (`body.py`)"),
    ("solver.py", "solve_velocities", "velocity sweeps (`solver.solve_velocities`)"),
    ("solver.py", "_solve_block", "velocity sweeps (`solver.solve_velocities`)"),
    ("solver.py", "solve_positions", "position pass (`solver.solve_positions`)"),
    ("solver.py", None, "contact set-up, warm start, impulse cache (`solver.prepare`)"),
    ("broadphase.py", None, "broad phase (`broadphase.py`)"),
    ("manifold.py", None, "`Manifold` objects"),
    ("world.py", None, "`World.step` itself: integration, loops"),
)


def profile(steps: int) -> None:
    """Own time per stage of the engine (cProfile), as a Markdown table."""
    import cProfile
    import pstats

    shares = {}
    for name in SCENES:
        world = nprl_scene(name)
        for _ in range(WARMUP_STEPS):
            world.step()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(steps):
            world.step()
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = stats.total_tt
        for (path, _, function), (_, _, own, _, _) in stats.stats.items():
            label = "builtins (`min`, `max`, `math`, list building)"
            for file, func, stage in STAGES:
                if path.endswith(file) and func in (None, function):
                    label = stage
                    break
            shares.setdefault(label, {}).setdefault(name, 0.0)
            shares[label][name] += own / total
    print("| stage | " + " | ".join(SCENES) + " |")
    print("| --- |" + " ---: |" * len(SCENES))
    for label, by_scene in sorted(shares.items(), key=lambda kv: -kv[1].get(SCENES[0], 0.0)):
        cells = " | ".join(f"{100 * by_scene.get(name, 0.0):.0f}%" for name in SCENES)
        print(f"| {label} | {cells} |")


# ----------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="repetitions (medians quoted)")
    parser.add_argument("--steps", type=int, default=3000, help="timed steps per run")
    parser.add_argument("--micro", action="store_true", help="tuple vs NumPy micro-benchmark")
    parser.add_argument("--profile", action="store_true", help="cProfile share of each stage")
    parser.add_argument(
        "--worker", nargs=3, metavar=("ENGINE", "SCENE", "STEPS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        engine, scene, steps = args.worker
        worker(engine, scene, int(steps))
        return
    if args.micro:
        micro(args.repeats)
        return
    if args.profile:
        profile(args.steps)
        return

    results: dict[tuple[str, str], list[float]] = {}
    for repeat in range(args.repeats):
        # Alternate which engine goes first, so slow drifts of the machine hit both.
        engines = ("nprl", "box2d") if repeat % 2 == 0 else ("box2d", "nprl")
        for scene in SCENES:
            for engine in engines:
                results.setdefault((engine, scene), []).append(measure(engine, scene, args.steps))
        results.setdefault(("gym", "LunarLander-v3"), []).append(
            measure("gym", "LunarLander-v3", args.steps)
        )
        print(f"repetition {repeat + 1}/{args.repeats} done", file=sys.stderr)

    print(f"median of {args.repeats} runs, {args.steps} steps each, one process per run\n")
    print("| scene | nprl steps/s | Box2D steps/s | nprl / Box2D |")
    print("| --- | ---: | ---: | ---: |")
    for scene in SCENES:
        ours = statistics.median(results[("nprl", scene)])
        theirs = statistics.median(results[("box2d", scene)])
        print(f"| {scene} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:.3f} |")
    gym_rate = statistics.median(results[("gym", "LunarLander-v3")])
    print(f"| LunarLander-v3 env, random actions (Box2D + Python env) | | {gym_rate:,.0f} | |")


if __name__ == "__main__":
    main()
