"""DQN-shaped gradient step and action-selection latency: nprl vs PyTorch (CPU).

The step: MLP 4-H-H-2 with ReLU, Huber loss on the Q-value of the taken action, Adam,
batch 64, float32 -- what one DQN update does.  Also the batch-1 forward that picks an
action (numpy observation in, int action out), for H = 256 and H = 64.  For nprl it also
times its three large matrix products alone (forward h1 @ W2, backward h1.T @ g and
g @ W2.T), the floor that a NumPy step cannot beat.

Each implementation runs in its own process (this script re-runs itself with
``--impl``); the driver alternates nprl, torch at one thread and torch at its default
threads for ``--repeats`` rounds and prints the median of the per-process medians. The
ratio column compares nprl with the faster of the two torch settings (a PyTorch user may
pick either), and the header shows the machine's load average before and after, since
other work on the machine disturbs every number.  Run it with the lock the project uses:

    flock /tmp/nprl-bench.lock .venv/bin/python benchmarks/nn_step.py --threads 1
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

BATCH = 64
OBS, ACTIONS = 4, 2


def _median_us(fn, count: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = np.empty(count)
    clock = time.perf_counter
    for i in range(count):
        start = clock()
        fn()
        times[i] = clock() - start
    return float(np.median(times) * 1e6)


def _batches(rng, count=16):
    return [
        (rng.standard_normal((BATCH, OBS)).astype(np.float32),
         rng.integers(0, ACTIONS, BATCH),
         rng.standard_normal(BATCH).astype(np.float32))
        for _ in range(count)
    ]


def bench_nprl(hidden: int, steps: int, calls: int) -> dict:
    from nprl.nn import Adam, Dense, HuberLoss, ReLU, Sequential

    rng = np.random.default_rng(0)
    net = Sequential(Dense(OBS, hidden, init="he_uniform", rng=rng), ReLU(),
                     Dense(hidden, hidden, init="he_uniform", rng=rng), ReLU(),
                     Dense(hidden, ACTIONS, rng=rng))
    optimizer, loss = Adam(net.parameters(), lr=1e-4), HuberLoss()
    batches = _batches(rng)
    rows = np.arange(BATCH)
    counter = [0]

    def step():
        obs, actions, targets = batches[counter[0] % 16]
        counter[0] += 1
        q = net.forward(obs)
        loss(q[rows, actions], targets)
        grad_q = np.zeros_like(q)
        grad_q[rows, actions] = loss.backward()
        optimizer.zero_grad()
        net.backward(grad_q, input_grad=False)  # a DQN update never needs dL/d(obs)
        optimizer.step()

    single = batches[0][0][0]
    result = {
        "step_us": _median_us(step, steps, steps // 5),
        "forward1_us": _median_us(lambda: net.predict(single[None]), calls, calls // 5),
        "act_us": _median_us(lambda: int(net.predict(single[None]).argmax()), calls, calls // 5),
    }
    h1 = np.maximum(batches[0][0] @ net[0].weight.data, 0)
    w2 = net[2].weight.data
    g2 = rng.standard_normal((BATCH, hidden)).astype(np.float32)

    def matmuls():
        h1 @ w2
        h1.T @ g2
        g2 @ w2.T

    result["matmul_us"] = _median_us(matmuls, steps, steps // 5)
    return result


def bench_torch(hidden: int, steps: int, calls: int) -> dict:
    import torch

    if os.environ.get("NN_STEP_TORCH_THREADS"):
        torch.set_num_threads(int(os.environ["NN_STEP_TORCH_THREADS"]))

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(OBS, hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, ACTIONS))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)
    batches = [(torch.from_numpy(o), torch.from_numpy(a)[:, None], torch.from_numpy(t))
               for o, a, t in _batches(np.random.default_rng(0))]
    counter = [0]

    def step():
        obs, actions, targets = batches[counter[0] % 16]
        counter[0] += 1
        q_taken = net(obs).gather(1, actions).squeeze(1)
        value = torch.nn.functional.huber_loss(q_taken, targets)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()

    single = batches[0][0][0].numpy()

    def forward1():
        with torch.no_grad():
            return net(torch.as_tensor(single).unsqueeze(0))

    def act():
        with torch.no_grad():
            return int(net(torch.as_tensor(single).unsqueeze(0)).argmax())

    return {
        "step_us": _median_us(step, steps, steps // 5),
        "forward1_us": _median_us(forward1, calls, calls // 5),
        "act_us": _median_us(act, calls, calls // 5),
        "threads": torch.get_num_threads(),
        "version": torch.__version__,
    }


IMPLS = ("nprl", "torch-1", "torch-default")


def worker(args) -> None:
    bench = bench_nprl if args.impl == "nprl" else bench_torch
    results = {str(h): bench(h, args.steps, args.calls) for h in (256, 64)}
    print(json.dumps(results))


def _worker_env(impl: str, args) -> dict:
    """torch-1: one BLAS/OpenMP thread and ``torch.set_num_threads(1)``; torch-default: the
    environment as it is; nprl (and nprl-before, which imports nprl from ``--before``):
    ``--threads`` (nprl's training runs its small networks on one BLAS thread)."""
    if impl == "torch-1":
        return {**child_env(1), "NN_STEP_TORCH_THREADS": "1"}
    if impl == "torch-default":
        return dict(os.environ)
    env = child_env(args.threads)
    if impl == "nprl-before":
        env["PYTHONPATH"] = os.path.abspath(args.before)
    return env


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def driver(args) -> None:
    impls = IMPLS + (("nprl-before",) if args.before else ())
    runs: dict[str, list[dict]] = {impl: [] for impl in impls}
    load_before = _load()
    for repeat in range(args.repeats):
        first = repeat % len(impls)
        order = impls[first:] + impls[:first]  # rotate who goes first
        for impl in order:
            out = subprocess.run(
                [sys.executable, __file__, "--impl", impl.split("-")[0],
                 "--steps", str(args.steps), "--calls", str(args.calls)],
                capture_output=True, text=True, check=True,
                env=_worker_env(impl, args),
            )
            runs[impl].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"round {repeat + 1}/{args.repeats} {impl} done", file=sys.stderr)

    def med(impl, hidden, key):
        return statistics.median(r[str(hidden)][key] for r in runs[impl])

    info = runs["torch-default"][0]["256"]
    print(f"# nn_step: {args.repeats} rounds x ({', '.join(impls)}) processes, {args.steps} "
          f"steps and {args.calls} batch-1 calls each; medians in microseconds")
    print(f"# numpy {np.__version__}, torch {info['version']} (default: {info['threads']} "
          f"threads), python {platform.python_version()}, {os.cpu_count()} CPUs; nprl: "
          f"{thread_note(args.threads).replace(' for both', '')}")
    print(f"# load average (1, 5, 15 min): before {load_before}; after {_load()}")
    print()
    print("| measurement | nprl (µs) | torch 1 thread (µs) | torch default (µs) | "
          "best torch / nprl |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for hidden in (256, 64):
        for key, label in (("step_us", "train step, batch 64"),
                           ("forward1_us", "forward, batch 1"),
                           ("act_us", "act: obs -> int action")):
            ours = med("nprl", hidden, key)
            one, default = med("torch-1", hidden, key), med("torch-default", hidden, key)
            print(f"| 4-{hidden}-{hidden}-2 {label} | {ours:.1f} | {one:.1f} | {default:.1f} | "
                  f"{min(one, default) / ours:.2f}x |")
    matmul = med("nprl", 256, "matmul_us")
    step = med("nprl", 256, "step_us")
    print()
    if args.before:
        for hidden in (256, 64):
            before = med("nprl-before", hidden, "step_us")
            print(f"nprl 4-{hidden}-{hidden}-2 train step: {before:.1f} µs with {args.before} "
                  f"(before), {med('nprl', hidden, 'step_us'):.1f} µs now")
    print(f"nprl 4-256-256-2 step / its three large matmuls ({matmul:.1f} µs): "
          f"{step / matmul:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impl", choices=("nprl", "torch"), help="worker mode (internal)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--before", metavar="DIR", default=None,
                        help="also time the nprl package found in DIR (e.g. an export of "
                             "the main branch), alternating with the rest")
    parser.add_argument("--threads", type=int, default=None,
                        help="set OMP/OPENBLAS/MKL_NUM_THREADS for the nprl workers (torch runs at "
                             "one thread and at its default either way)")
    args = parser.parse_args()
    if args.impl:
        worker(args)
    else:
        driver(args)


if __name__ == "__main__":
    main()
