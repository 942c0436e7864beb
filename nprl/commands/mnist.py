"""``nprl mnist``: train a network on MNIST, save it, load it back and re-check it.

Three presets:

- ``seed``:   the original article's network: 784-100-50-10, tanh everywhere, MSE on
              one-hot labels, plain SGD with learning rate 0.2, batch 500, one epoch,
              uniform init with bound 1/sqrt(fan_in + fan_out).
- ``modern``: a ReLU MLP (784-512-256-10, He init) with softmax cross-entropy and Adam,
              the learning rate halved after every epoch.
- ``cnn``:    a small convolutional net (two 3x3 conv + max-pool + batch norm + ReLU blocks
              with 16 and 32 channels, then Dense 1568-64-10), cross-entropy and Adam.

The end-to-end serialization check (save, load, same test accuracy) is part of every run.

The data: ``--data DIR`` names a folder holding the four original MNIST IDX files. Only in
a source checkout of nprl is there a default (``../shared/data/mnist``, next to the
repository, the development layout); an installed nprl needs ``--data``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

from nprl.commands.arguments import (
    examples,
    non_negative_int,
    positive_float,
    positive_int,
    seed,
    wrote,
)
from nprl.data.mnist import MNIST_FILES
from nprl.errors import UserError

DEVELOPMENT_DATA = "../shared/data/mnist"  # beside a source checkout (the repo's layout)
IDX_FILES = ", ".join(name for split in MNIST_FILES.values() for name in split)
DATA_HINT = (f"pass --data DIR, a folder holding the four MNIST IDX files {IDX_FILES} "
             "(each may end in .gz; download them from an MNIST mirror)")


@dataclass
class Preset:
    """Everything a preset fixes: network builder, loss, optimizer, schedule."""

    name: str
    build: object  # callable(rng) -> Sequential
    loss: str  # "mse_onehot" or "cross_entropy"
    optimizer: str  # "sgd" or "adam"
    lr: float
    batch_size: int
    epochs: int
    images: str  # "flat" (N, 784) or "nchw" (N, 1, 28, 28)
    description: str
    lr_decay: float = 1.0  # learning rate multiplied by this after every epoch


def _seed_net(rng):
    from nprl.nn import Dense, Sequential, Tanh

    return Sequential(
        Dense(784, 100, init="glorot_seed", rng=rng), Tanh(),
        Dense(100, 50, init="glorot_seed", rng=rng), Tanh(),
        Dense(50, 10, init="glorot_seed", rng=rng), Tanh(),
    )


def _modern_net(rng):
    from nprl.nn import Dense, ReLU, Sequential

    return Sequential(
        Dense(784, 512, init="he_uniform", rng=rng), ReLU(),
        Dense(512, 256, init="he_uniform", rng=rng), ReLU(),
        Dense(256, 10, rng=rng),
    )


def _cnn_net(rng):
    from nprl.nn import BatchNorm, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential

    # Pooling before batch norm and ReLU: the same kind of network, a quarter of the
    # element-wise work (ReLU commutes with max; batch norm just sees pooled values).
    return Sequential(
        Conv2D(1, 16, 3, padding=1, rng=rng), MaxPool2D(2), BatchNorm(16), ReLU(),
        Conv2D(16, 32, 3, padding=1, rng=rng), MaxPool2D(2), BatchNorm(32), ReLU(),
        Flatten(), Dense(32 * 7 * 7, 64, init="he_uniform", rng=rng), ReLU(),
        Dense(64, 10, rng=rng),
    )


PRESETS = {
    "seed": Preset("seed", _seed_net, "mse_onehot", "sgd", 0.2, 500, 1, "flat",
                   "784-100-50-10 tanh, MSE on one-hot, SGD lr 0.2, batch 500 (the article)"),
    "modern": Preset("modern", _modern_net, "cross_entropy", "adam", 1e-3, 128, 4, "flat",
                     "784-512-256-10 ReLU, cross-entropy, Adam lr 1e-3 halved every epoch, "
                     "batch 128", lr_decay=0.5),
    "cnn": Preset("cnn", _cnn_net, "cross_entropy", "adam", 2e-3, 64, 3, "nchw",
                  "conv16-conv32 (3x3 conv, max-pool, batch norm, ReLU) + 1568-64-10, Adam lr 2e-3 "
                  "halved every epoch, batch 64", lr_decay=0.5),
}


def default_data_dir() -> Path | None:
    """The development convenience: ``../shared/data/mnist`` relative to the cwd, else to
    the repository root when nprl runs from a source checkout; None when neither exists
    (always the case for an installed nprl run outside a checkout)."""
    repo_root = Path(__file__).resolve().parents[2]
    bases = [Path.cwd()] + [repo_root] * (repo_root / "pyproject.toml").is_file()
    for base in bases:
        path = (base / DEVELOPMENT_DATA).resolve()
        if path.is_dir():
            return path
    return None


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "mnist",
        help="train a network on MNIST (presets: seed, modern, cnn), save and reload it",
        description="Train a network on MNIST, save it, load it back and re-check its test "
        "accuracy. Presets: "
        + "; ".join(f"{p.name}: {p.description}" for p in PRESETS.values()),
        epilog=examples(
            "nprl mnist --data ~/mnist                          # modern preset, ~98% test acc.",
            "nprl mnist --data ~/mnist --preset cnn --epochs 1  # a small CNN",
            "nprl mnist --data ~/mnist --limit 5000 --quiet     # 5,000 images, quick",
        ),
    )
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help=f"folder holding the four MNIST IDX files ({IDX_FILES}, each "
                        "may end in .gz). Needed once nprl is installed; in a source "
                        f"checkout the default is {DEVELOPMENT_DATA} when it exists")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="modern",
                        help="network and training recipe (default: modern)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="override the preset's epochs "
                        "(default: the preset's)")
    parser.add_argument("--batch-size", type=positive_int, default=None,
                        help="override the preset's "
                        "batch size (default: the preset's)")
    parser.add_argument("--lr", type=positive_float, default=None,
                        help="override the preset's "
                        "learning rate (default: the preset's)")
    parser.add_argument("--limit", type=positive_int, default=None,
                        help="train on only the first N training images (quick runs; "
                        "default: all 60,000)")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory to save the model in (default: a fresh folder "
                        "runs/mnist-PRESET, runs/mnist-PRESET-2, ...)")
    parser.add_argument("--threads", type=non_negative_int, default=1,
                        help="BLAS threads while training (default 1: small matrix products "
                        "gain little from more, and lose a lot when other work shares the "
                        "cores; 0 leaves NumPy's own setting)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (default: "
                        "a progress bar on stderr)")
    parser.set_defaults(func=run)


def _prepare(images, layout: str):
    n = len(images)
    return images.reshape(n, 784) if layout == "flat" else images.reshape(n, 1, 28, 28)


def _accuracy(net, x, y) -> float:
    import numpy as np

    return float(np.mean(net.predict(x, batch_size=1000).argmax(axis=1) == y))


def run(args: argparse.Namespace) -> int:
    if args.threads > 0:
        from nprl.blas import blas_threads

        with blas_threads(args.threads):
            return train(args)
    return train(args)


def train(args: argparse.Namespace) -> int:
    """Load MNIST, train the preset, save, reload and re-check; returns the exit status."""
    import numpy as np

    from nprl.data import load_mnist
    from nprl.nn import SGD, Adam, CrossEntropyLoss, MSELoss, load, save
    from nprl.output_paths import check_new_output_dir, fresh_dir

    preset = PRESETS[args.preset]
    epochs = preset.epochs if args.epochs is None else args.epochs
    batch_size = preset.batch_size if args.batch_size is None else args.batch_size
    lr = preset.lr if args.lr is None else args.lr
    # Never over an earlier model: a fresh default folder, a new or empty --out.
    out = args.out if args.out is not None else fresh_dir(Path("runs") / f"mnist-{preset.name}")
    check_new_output_dir(out, "--out")  # before the training, not after it
    data_dir = args.data if args.data is not None else default_data_dir()
    if data_dir is None:
        raise UserError(f"MNIST not found: {DATA_HINT}")
    started = time.perf_counter()
    try:
        (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
    except ValueError as error:
        raise UserError(f"{error}; {DATA_HINT}") from None
    if args.limit is not None:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    x_train, x_test = _prepare(x_train, preset.images), _prepare(x_test, preset.images)
    print(f"MNIST from {data_dir}: {len(x_train)} training, {len(x_test)} test images "
          f"({time.perf_counter() - started:.1f} s to load)")
    print(f"preset {preset.name}: {preset.description}; {epochs} epoch(s), batch {batch_size}, "
          f"lr {lr}")

    rng = np.random.default_rng(args.seed)
    net = preset.build(rng)
    if preset.loss == "mse_onehot":
        loss, targets = MSELoss(), np.eye(10, dtype=np.float32)[y_train]
    else:
        loss, targets = CrossEntropyLoss(), y_train
    if preset.optimizer == "sgd":
        optimizer = SGD(net.parameters(), lr=lr)
    else:
        optimizer = Adam(net.parameters(), lr=lr)

    epoch_started = [time.perf_counter()]

    def report(epoch: int, history: dict) -> None:
        seconds = time.perf_counter() - epoch_started[0]
        print(f"epoch {epoch}/{epochs}: loss {history['loss'][-1]:.4f}  "
              f"train acc {100 * history['accuracy'][-1]:.2f}%  "
              f"test acc {100 * history['val_accuracy'][-1]:.2f}%  ({seconds:.1f} s)",
              flush=True)
        optimizer.lr *= preset.lr_decay
        epoch_started[0] = time.perf_counter()

    test_targets = np.eye(10, dtype=np.float32)[y_test] if preset.loss == "mse_onehot" else y_test
    net.fit(x_train, targets, loss, optimizer, epochs=epochs, batch_size=batch_size,
            validation=(x_test, test_targets), seed=args.seed, verbose=not args.quiet,
            callback=report)
    accuracy = _accuracy(net, x_test, y_test)

    try:
        save(net, out)
        reloaded = load(out)
    except (OSError, ValueError) as error:
        raise UserError(f"could not save or reload the model in {out}: {error}") from None
    reloaded_accuracy = _accuracy(reloaded, x_test, y_test)
    same = reloaded_accuracy == accuracy
    wrote("model", out, f"reloaded test accuracy {100 * reloaded_accuracy:.2f}%, "
          + ("identical" if same else f"DIFFERENT from {100 * accuracy:.2f}%"))
    print(f"total {time.perf_counter() - started:.1f} s; final test accuracy "
          f"{100 * accuracy:.2f}%")
    return 0 if same else 1
