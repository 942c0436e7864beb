"""One DQN update on pixels, nprl vs PyTorch (CPU): Nature CNN and MinAtar CNN.

The update, batch 32, float32, what :meth:`nprl.rl.agent.DQNAgent.learn` does with the
networks of issue 10: target forward on the next observations (no gradient), online
forward on the observations, Huber loss on the taken actions' Q-values, backward (no
gradient for the frames), Adam step. Observations enter both libraries as the envs give
them (uint8 Atari stacks (32, 4, 84, 84); MinAtar bool planes (32, 10, 10, 4), and a
float (32, 4, 10, 10) variant) and are scaled to [0, 1] inside the network's forward.

Each implementation runs in its own process (this script re-runs itself with
``--impl``); the driver alternates nprl and torch for ``--repeats`` rounds and prints
the median of the per-process medians, for each thread count in ``--threads``. Both
sides get the same BLAS/OpenMP thread variables (``bench_threads``); nprl also sets
OpenBLAS's count through threadpoolctl, torch through ``torch.set_num_threads``.

    python benchmarks/conv_update.py                    # the side-by-side table
    python benchmarks/conv_update.py --breakdown        # where nprl's time goes
    mkdir /tmp/main && git archive main | tar -x -C /tmp/main   # an older nprl, then
    python benchmarks/conv_update.py --baseline /tmp/main   # before/after columns too
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
from bench_threads import child_env, thread_note

BATCH, ACTIONS, GAMMA, POOL = 32, 6, 0.99, 8
# name -> (observation shape, dtype, network)
CASES = {
    "nature": ((4, 84, 84), "uint8", "nature_cnn"),
    "minatar": ((10, 10, 4), "bool", "minatar_cnn"),
    "minatar_chw": ((4, 10, 10), "float32", "minatar_cnn"),
}
LABELS = {
    "nature": "Nature CNN, uint8 4x84x84",
    "minatar": "MinAtar CNN, bool 10x10x4",
    "minatar_chw": "MinAtar CNN, float32 4x10x10",
}


def _batches(case: str, rng: np.random.Generator) -> list[tuple]:
    shape, dtype, _ = CASES[case]
    out = []
    for _ in range(POOL):
        if dtype == "uint8":
            obs, next_obs = (rng.integers(0, 256, (BATCH, *shape), dtype=np.uint8)
                             for _ in range(2))
        elif dtype == "bool":
            obs, next_obs = (rng.random((BATCH, *shape)) < 0.1 for _ in range(2))
        else:
            obs, next_obs = (np.floor(rng.random((BATCH, *shape), dtype=np.float32) * 1.1)
                             for _ in range(2))
        out.append((obs, next_obs, rng.integers(0, ACTIONS, BATCH),
                    rng.standard_normal(BATCH).astype(np.float32),
                    (rng.random(BATCH) < 0.05).astype(np.float32)))
    return out


def _median_ms(fn, count: int, warmup: int) -> dict:
    """Median wall time and median CPU time (all threads of this process) of one call."""
    for _ in range(warmup):
        fn()
    wall, cpu = np.empty(count), np.empty(count)
    for i in range(count):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall[i], cpu[i] = time.perf_counter() - start, time.process_time() - start_cpu
    return {"update_ms": float(np.median(wall) * 1e3), "cpu_ms": float(np.median(cpu) * 1e3)}


def nprl_update(case: str):
    """The network, its target copy, Adam, and a function doing one update."""
    from nprl.nn import Adam, HuberLoss
    from nprl.rl.config import DQNConfig
    from nprl.rl.networks import build_q_network

    shape, _, network = CASES[case]
    net = build_q_network(shape, ACTIONS, DQNConfig(network=network),
                          rng=np.random.default_rng(0))
    target = net.copy().eval()
    optimizer, loss = Adam(net.parameters(), lr=1e-4), HuberLoss()
    batches = _batches(case, np.random.default_rng(1))
    rows = np.arange(BATCH)
    grad_q = np.zeros((BATCH, ACTIONS), np.float32)
    counter = [0]

    def update():
        obs, next_obs, actions, rewards, terminated = batches[counter[0] % POOL]
        counter[0] += 1
        next_q = target.predict(next_obs).max(axis=1)
        targets = rewards + GAMMA * (1.0 - terminated) * next_q
        q = net.forward(obs)
        loss(q[rows, actions], targets)
        grad_q.fill(0)
        grad_q[rows, actions] = loss.backward()
        optimizer.zero_grad()
        net.backward(grad_q, input_grad=False)  # a DQN update never needs dL/d(frames)
        optimizer.step()

    return net, target, optimizer, update


def bench_nprl(case: str, steps: int, threads: int | None) -> dict:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        *_, update = nprl_update(case)
        return _median_ms(update, steps, max(3, steps // 5))


def bench_torch(case: str, steps: int, threads: int | None) -> dict:
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    _, dtype, network = CASES[case]
    channels_last = dtype == "bool"
    scale = 1.0 / 255.0 if dtype == "uint8" else 1.0
    if network == "nature_cnn":
        body = [torch.nn.Conv2d(4, 32, 8, 4), torch.nn.ReLU(), torch.nn.Conv2d(32, 64, 4, 2),
                torch.nn.ReLU(), torch.nn.Conv2d(64, 64, 3, 1), torch.nn.ReLU(),
                torch.nn.Flatten(), torch.nn.Linear(3136, 512), torch.nn.ReLU()]
        hidden = 512
    else:
        body = [torch.nn.Conv2d(4, 16, 3, 1), torch.nn.ReLU(), torch.nn.Flatten(),
                torch.nn.Linear(16 * 8 * 8, 128), torch.nn.ReLU()]
        hidden = 128

    class QNetwork(torch.nn.Module):  # as CleanRL's: scaling (and layout) in forward
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(*body, torch.nn.Linear(hidden, ACTIONS))

        def forward(self, x):
            if channels_last:
                x = x.permute(0, 3, 1, 2)
            return self.net(x.float() * scale)

    net = QNetwork()
    target = QNetwork()
    target.load_state_dict(net.state_dict())
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)
    batches = [tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in b)
               for b in _batches(case, np.random.default_rng(1))]
    counter = [0]

    def update():
        obs, next_obs, actions, rewards, terminated = batches[counter[0] % POOL]
        counter[0] += 1
        with torch.no_grad():
            next_q = target(next_obs).max(dim=1).values
            targets = rewards + GAMMA * (1.0 - terminated) * next_q
        q_taken = net(obs).gather(1, actions[:, None]).squeeze(1)
        value = torch.nn.functional.huber_loss(q_taken, targets)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()

    return {**_median_ms(update, steps, max(3, steps // 5)),
            "threads": torch.get_num_threads(), "version": torch.__version__}


def breakdown(case: str, steps: int, threads: int | None) -> None:
    """Per-layer forward/backward time of nprl's update, plus Adam and the rest.

    Timed with the CPU clock of this thread (``time.thread_time``), which time slices
    lost to other processes on a busy machine do not inflate (one BLAS thread: exact).
    """
    from threadpoolctl import threadpool_limits

    clock = time.thread_time
    with threadpool_limits(limits=threads, user_api="blas"):
        net, target, optimizer, update = nprl_update(case)
        totals: dict[str, float] = {}
        depth = [0]  # Dense.backward calls backward_params: count the outer call only

        def timed(obj, method: str, label: str):
            original = getattr(obj, method)

            def wrapper(*args, **kwargs):
                depth[0] += 1
                start = clock()
                try:
                    return original(*args, **kwargs)
                finally:
                    depth[0] -= 1
                    if depth[0] == 0:
                        totals[label] = totals.get(label, 0.0) + clock() - start

            setattr(obj, method, wrapper)

        for index, (layer, target_layer) in enumerate(zip(net, target)):
            name = f"{index} {type(layer).__name__}"
            timed(target_layer, "predict", f"{name}.predict (target)")
            for method in ("forward", "backward", "backward_params"):
                timed(layer, method, f"{name}.{method}")
        timed(optimizer, "step", "Adam step")
        timed(optimizer, "zero_grad", "zero_grad")
        for _ in range(max(3, steps // 5)):
            update()
        totals.clear()
        start = clock()
        for _ in range(steps):
            update()
        whole = (clock() - start) / steps * 1e3
    print(f"\n# where the time goes: nprl {LABELS[case]}, {threads} BLAS thread(s); "
          f"mean CPU time of {steps} updates = {whole:.2f} ms")
    print("| part | ms per update | share |")
    print("| --- | ---: | ---: |")
    accounted = 0.0
    for label, seconds in totals.items():
        ms = seconds / steps * 1e3
        accounted += ms
        print(f"| {label} | {ms:.3f} | {ms / whole:.0%} |")
    rest = whole - accounted
    print(f"| rest (targets, loss, Python) | {rest:.3f} | {rest / whole:.0%} |")


def worker(args) -> None:
    bench = bench_nprl if args.impl == "nprl" else bench_torch
    print(json.dumps({case: bench(case, args.steps[case], args.threads) for case in args.cases}))


def driver(args) -> None:
    thread_counts = args.threads_list
    # "baseline": the nprl found under --baseline (an older checkout), run as a third side.
    sides = ("nprl", "torch") + (("baseline",) if args.baseline else ())
    runs = {(side, t): [] for side in sides for t in thread_counts}
    for threads in thread_counts:
        for repeat in range(args.repeats):
            order = sides if repeat % 2 == 0 else sides[::-1]
            for side in order:
                impl = "nprl" if side == "baseline" else side
                command = [sys.executable, __file__, "--impl", impl, "--threads", str(threads),
                           "--cases", *args.cases, "--nature-steps", str(args.nature_steps),
                           "--minatar-steps", str(args.minatar_steps)]
                env = child_env(threads)
                if side == "baseline":
                    env["PYTHONPATH"] = str(args.baseline)
                out = subprocess.run(command, capture_output=True, text=True, check=True,
                                     env=env)
                runs[(side, threads)].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"threads {threads}, round {repeat + 1}/{args.repeats}: {side} done",
                      file=sys.stderr)
    torch_info = runs[("torch", thread_counts[0])][0][args.cases[0]]
    print(f"# conv_update: {args.repeats} rounds x ({', '.join(sides)}) processes alternating; "
          f"median of per-process medians of {args.nature_steps} (Nature) / "
          f"{args.minatar_steps} (MinAtar) updates; batch {BATCH}, float32, Adam, Huber")
    print(f"# numpy {np.__version__}, torch {torch_info['version']}, python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"# threads: {', '.join(thread_note(t) for t in thread_counts)}")
    print()
    print("| network | threads | nprl (ms) | torch (ms) | torch / nprl | nprl CPU (ms) "
          "| torch CPU (ms) | CPU ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    def median(side: str, threads: int, case: str, key: str) -> float:
        """Median over one side's processes of their per-process medians."""
        return statistics.median(r[case][key] for r in runs[(side, threads)])

    rows = [(case, threads) for case in args.cases for threads in thread_counts]
    for case, threads in rows:
        cells = []
        for key in ("update_ms", "cpu_ms"):
            ours, theirs = median("nprl", threads, case, key), median("torch", threads, case, key)
            cells.append(f"{ours:.2f} | {theirs:.2f} | {theirs / ours:.2f}x")
        print(f"| {LABELS[case]} | {threads} | {' | '.join(cells)} |")
    if args.baseline:
        print()
        print(f"Before/after: nprl from {args.baseline} (baseline) against this nprl, CPU ms")
        print()
        print("| network | threads | baseline CPU (ms) | nprl CPU (ms) | baseline / nprl "
              "| torch / baseline | torch / nprl |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for case, threads in rows:
            base, ours, theirs = (median(side, threads, case, "cpu_ms")
                                  for side in ("baseline", "nprl", "torch"))
            print(f"| {LABELS[case]} | {threads} | {base:.2f} | {ours:.2f} | "
                  f"{base / ours:.2f}x | {theirs / base:.2f}x | {theirs / ours:.2f}x |")
    print()
    print("Wall time is the measure; CPU time (process_time, all threads) is shown because "
          "on a busy machine it is less disturbed by time slices lost to other processes.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impl", choices=("nprl", "torch"), help="worker mode (internal)")
    parser.add_argument("--cases", nargs="+", choices=tuple(CASES), default=list(CASES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--nature-steps", type=int, default=60)
    parser.add_argument("--minatar-steps", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=None, help="worker: thread count")
    parser.add_argument("--threads-list", type=int, nargs="+", default=[1, 2],
                        help="thread counts to compare (the same for both sides)")
    parser.add_argument("--breakdown", action="store_true",
                        help="print where nprl's update time goes instead of the table")
    parser.add_argument("--baseline", metavar="DIR",
                        help="also time the nprl package found in DIR (e.g. an export of "
                             "main), alternating with the others: a before/after table")
    args = parser.parse_args()
    args.steps = {case: args.nature_steps if case == "nature" else args.minatar_steps
                  for case in CASES}
    if args.breakdown:
        for case in args.cases:
            breakdown(case, args.steps[case], args.threads or 1)
    elif args.impl:
        worker(args)
    else:
        driver(args)


if __name__ == "__main__":
    main()
