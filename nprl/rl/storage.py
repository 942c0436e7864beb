"""Pickle-free storage of named arrays and JSON documents inside a folder.

Checkpoints hold optimizer state, replay buffers and counters. Arrays go to one ``.npy``
file per name (read back with ``allow_pickle=False``, so an object array can never
sneak in); everything else goes to small JSON files. Errors name the offending file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


def save_arrays(directory: str | Path, arrays: dict[str, np.ndarray]) -> None:
    """Write each array to ``directory/<name>.npy`` (creating the folder)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        array = np.asarray(array)
        if array.dtype == object:
            raise ValueError(f"refusing to save object array {name!r}: it would need pickle")
        np.save(directory / f"{name}.npy", array, allow_pickle=False)


def load_arrays(directory: str | Path, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Read ``directory/<name>.npy`` for each name (all ``.npy`` files when ``names`` is None)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"missing folder {directory}")
    if names is None:
        names = sorted(path.name[: -len(".npy")] for path in directory.glob("*.npy"))
    arrays = {}
    for name in names:
        path = directory / f"{name}.npy"
        if not path.is_file():
            raise ValueError(f"missing file {path}")
        try:
            arrays[name] = np.load(path, allow_pickle=False)
        except ValueError as error:
            raise ValueError(f"cannot read {path}: {error}") from None
    return arrays


def write_json(path: str | Path, document: Any) -> None:
    """Write ``document`` as indented JSON."""
    Path(path).write_text(json.dumps(document, indent=2) + "\n")


def read_json(path: str | Path) -> Any:
    """Read a JSON file, raising ``ValueError`` that names the file when missing or broken."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"missing file {path}")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
