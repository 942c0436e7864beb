"""MNIST: seconds per epoch and test accuracy of the three ``nprl mnist`` presets, and
PyTorch (CPU) training the ``modern`` MLP with the same hyperparameters.

Every training run is its own process (this script re-runs itself with ``--worker``);
nprl-modern and torch-modern alternate for ``--repeats`` rounds, the ``seed`` and ``cnn``
presets run once each (``--presets`` chooses).  The table gives medians over rounds.

    flock /tmp/nprl-bench.lock .venv/bin/python benchmarks/mnist.py --data ../shared/data/mnist
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


def _load(data: str):
    from nprl.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist(data)
    return x_train, y_train, x_test, y_test


def run_nprl(preset_name: str, data: str, epochs: int | None, seed: int) -> dict:
    from nprl.commands.mnist import PRESETS, _prepare
    from nprl.nn import SGD, Adam, CrossEntropyLoss, MSELoss

    preset = PRESETS[preset_name]
    epochs = preset.epochs if epochs is None else epochs
    started = time.perf_counter()
    x_train, y_train, x_test, y_test = _load(data)
    x_train, x_test = _prepare(x_train, preset.images), _prepare(x_test, preset.images)
    net = preset.build(np.random.default_rng(seed))
    if preset.loss == "mse_onehot":
        loss, targets = MSELoss(), np.eye(10, dtype=np.float32)[y_train]
    else:
        loss, targets = CrossEntropyLoss(), y_train
    opt_cls = SGD if preset.optimizer == "sgd" else Adam
    optimizer = opt_cls(net.parameters(), lr=preset.lr)
    epoch_seconds, accuracies = [], []
    last = [time.perf_counter()]

    def callback(epoch, history):
        epoch_seconds.append(time.perf_counter() - last[0])
        accuracies.append(float(np.mean(
            net.predict(x_test, batch_size=1000).argmax(axis=1) == y_test)))
        optimizer.lr *= preset.lr_decay
        last[0] = time.perf_counter()

    net.fit(x_train, targets, loss, optimizer, epochs=epochs, batch_size=preset.batch_size,
            seed=seed, verbose=False, callback=callback)
    return {"epoch_s": epoch_seconds, "test_acc": accuracies,
            "total_s": time.perf_counter() - started}


def run_torch_modern(data: str, epochs: int | None, seed: int) -> dict:
    import torch

    from nprl.commands.mnist import PRESETS

    preset = PRESETS["modern"]
    epochs = preset.epochs if epochs is None else epochs
    started = time.perf_counter()
    x_train, y_train, x_test, y_test = _load(data)
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                              torch.nn.Linear(512, 256), torch.nn.ReLU(),
                              torch.nn.Linear(256, 10))
    optimizer = torch.optim.Adam(net.parameters(), lr=preset.lr)
    xt = torch.from_numpy(x_train.reshape(-1, 784))
    yt = torch.from_numpy(y_train)
    xv = torch.from_numpy(x_test.reshape(-1, 784))
    rng = np.random.default_rng(seed)
    epoch_seconds, accuracies = [], []
    for _ in range(epochs):
        begin = time.perf_counter()
        net.train()
        order = torch.from_numpy(rng.permutation(len(xt)))
        for start in range(0, len(xt), preset.batch_size):
            index = order[start : start + preset.batch_size]
            loss = torch.nn.functional.cross_entropy(net(xt[index]), yt[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - begin)
        for group in optimizer.param_groups:
            group["lr"] *= preset.lr_decay
        with torch.no_grad():
            net.eval()
            accuracies.append(float((net(xv).argmax(1).numpy() == y_test).mean()))
    return {"epoch_s": epoch_seconds, "test_acc": accuracies,
            "total_s": time.perf_counter() - started, "version": torch.__version__,
            "threads": torch.get_num_threads()}


def worker(args) -> None:
    if args.worker == "torch-modern":
        result = run_torch_modern(args.data, args.epochs, args.seed)
    else:
        result = run_nprl(args.worker.removeprefix("nprl-"), args.data, args.epochs, args.seed)
    print(json.dumps(result))


def spawn(name: str, args) -> dict:
    command = [sys.executable, __file__, "--worker", name, "--data", args.data,
               "--seed", str(args.seed)]
    if args.epochs is not None:
        command += ["--epochs", str(args.epochs)]
    out = subprocess.run(command, capture_output=True, text=True, check=True,
                         env=child_env(args.threads))
    print(f"{name} done", file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def driver(args) -> None:
    runs: dict[str, list[dict]] = {}
    presets = args.presets.split(",")
    for repeat in range(args.repeats):
        pair = ["nprl-modern", "torch-modern"]
        if "modern" in presets:
            for name in pair if repeat % 2 == 0 else pair[::-1]:
                runs.setdefault(name, []).append(spawn(name, args))
    for preset in presets:
        if preset != "modern":
            runs.setdefault(f"nprl-{preset}", []).append(spawn(f"nprl-{preset}", args))

    print(f"# mnist: medians over {args.repeats} round(s) for the modern pair, one run "
          f"otherwise; numpy {np.__version__}, python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs; {thread_note(args.threads)}")
    print()
    print("| run | epochs | s / epoch (median) | total s (incl. loading) | test accuracy |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, results in runs.items():
        per_epoch = statistics.median(s for r in results for s in r["epoch_s"])
        total = statistics.median(r["total_s"] for r in results)
        accuracy = statistics.median(r["test_acc"][-1] for r in results)
        epochs = len(results[0]["epoch_s"])
        label = name + (f" (torch {results[0]['version']})" if "version" in results[0] else "")
        print(f"| {label} | {epochs} | {per_epoch:.2f} | {total:.1f} | {100 * accuracy:.2f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data/mnist")
    parser.add_argument("--presets", default="seed,modern,cnn")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=None, help="override every preset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None,
                        help="set OMP/OPENBLAS/MKL_NUM_THREADS for every worker (same for both)")
    parser.add_argument("--worker", help="internal: run one training in this process")
    args = parser.parse_args()
    if args.worker:
        worker(args)
    else:
        driver(args)


if __name__ == "__main__":
    main()
