"""``load_mnist``: the MNIST handwritten digits from the four original IDX files.

The files are looked up by their original names, with or without ``.gz``.  Every file is
validated (magic number, type, shape 28x28, image and label counts agree, labels 0-9),
so a truncated download gives one clear error instead of a strange training run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nprl.data.idx import read_idx

# split -> (images file, labels file), without the optional ".gz"
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(directory: Path, name: str) -> Path:
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return candidate
    raise ValueError(f"{directory / name}[.gz]: missing file (MNIST needs all four IDX files)")


def _load_split(directory: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    images_name, labels_name = MNIST_FILES[split]
    images_path, labels_path = _find(directory, images_name), _find(directory, labels_name)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"{images_path}: expected uint8 images of shape (N, 28, 28), got "
            f"{images.dtype} {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected a uint8 label vector, got {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(
            f"{labels_path}: {len(labels)} labels for {len(images)} images in {images_path.name}"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: labels must be digits 0-9, found {labels.max()}")
    return images, labels.astype(np.int64)


def load_mnist(directory, normalize: bool = True):
    """Load MNIST from ``directory``.

    Parameters
    ----------
    directory : str or Path
        Holds ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
        ``t10k-images-idx3-ubyte[.gz]`` and ``t10k-labels-idx1-ubyte[.gz]``.
    normalize : bool
        If True (default) images are float32 in [0, 1]; otherwise the raw uint8 pixels.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        x: (N, 28, 28) float32 (or uint8); y: (N,) int64 digits 0-9.  N = 60000 and 10000
        for the real files.

    Raises
    ------
    ValueError
        Naming the file, for a missing directory or file, or a truncated or corrupt one.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: no such directory (expected the MNIST IDX files there)")
    result = []
    for split in ("train", "test"):
        images, labels = _load_split(directory, split)
        if normalize:
            images = images.astype(np.float32) * np.float32(1 / 255)
        result.append((images, labels))
    return tuple(result)
