"""Data for the lessons: MNIST from the full files when present, else a sample we ship.

Notebooks call :func:`mnist`. It looks for the four MNIST IDX files in ``$NPRL_MNIST``,
then in ``shared/data/mnist`` beside the working folder or any folder above it (so a
course copied inside the repository's workspace finds ``../shared/data/mnist``), and
falls back to ``assets/mnist_sample.npz`` in the package (3000 training and 1000 test
digits), so a fresh ``pip install 'nprl[lessons]'`` works with no download.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from nprl.data import MNIST_FILES, load_mnist

SAMPLE = Path(__file__).resolve().parent / "assets" / "mnist_sample.npz"
_SAMPLE_KEYS = ("x_train", "y_train", "x_test", "y_test")


def find_mnist_dir(start: Path | None = None) -> Path | None:
    """The folder holding the full MNIST files, or None: ``$NPRL_MNIST``, then
    ``shared/data/mnist`` in ``start`` (default: the working folder) or a parent."""
    candidates = []
    if os.environ.get("NPRL_MNIST"):
        candidates.append(Path(os.environ["NPRL_MNIST"]))
    start = (start or Path.cwd()).resolve()
    candidates += [folder / "shared" / "data" / "mnist" for folder in (start, *start.parents)]
    names = [name for pair in MNIST_FILES.values() for name in pair]
    for folder in candidates:
        if folder.is_dir() and all(
            (folder / f).exists() or (folder / f"{f}.gz").exists() for f in names
        ):
            return folder
    return None


def mnist(n_train: int | None = None, n_test: int | None = None, full: bool = True):
    """MNIST as ``(x_train, y_train), (x_test, y_test)``.

    x: float32 in [0, 1], shape (N, 28, 28); y: int64 digits. ``n_train`` / ``n_test``
    keep the first N of each split (the same digits every time). With ``full=False`` (or
    when the full files are not found) the shipped sample is used: at most 3000 / 1000.
    """
    folder = find_mnist_dir() if full else None
    if folder is not None:
        (x_train, y_train), (x_test, y_test) = load_mnist(folder)
    else:
        with np.load(SAMPLE, allow_pickle=False) as arrays:
            x_train, y_train, x_test, y_test = (arrays[k] for k in _SAMPLE_KEYS)
        x_train = x_train.astype(np.float32) / np.float32(255)
        x_test = x_test.astype(np.float32) / np.float32(255)
        y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])


def mnist_source() -> str:
    """Where :func:`mnist` reads from, in words (notebooks print it)."""
    folder = find_mnist_dir()
    return f"full MNIST from {folder}" if folder else "the MNIST sample shipped with nprl"


def write_mnist_sample(folder: Path, path: Path = SAMPLE, n_train: int = 3000,
                       n_test: int = 1000) -> None:
    """Make the shipped sample from the full files (a development-time tool)."""
    (x_train, y_train), (x_test, y_test) = load_mnist(folder, normalize=False)
    np.savez_compressed(path, x_train=x_train[:n_train], y_train=y_train[:n_train].astype(
        np.uint8), x_test=x_test[:n_test], y_test=y_test[:n_test].astype(np.uint8))
