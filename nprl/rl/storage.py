"""Pickle-free storage of named arrays and JSON documents inside a folder.

Checkpoints hold optimizer state, replay buffers and counters. Arrays go to one ``.npy``
file per name (read back by :func:`nprl.fileio.read_npy`: never pickled, header checked
against the file's length before anything is allocated); everything else goes to small
JSON files, each replaced atomically and durably. Errors name the offending file.

The files themselves are written and read by :mod:`nprl.fileio`, the same primitives
that :mod:`nprl.nn.serialization` uses; whole folders (a checkpoint, an agent) are sealed
with a checksum manifest by :func:`nprl.fileio.write_folder`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nprl.fileio import read_npy, write_file_atomic, write_npy

MAX_JSON_BYTES = 64 * 2**20  # no JSON document nprl writes comes near this


def save_arrays(directory: str | Path, arrays: dict[str, np.ndarray]) -> None:
    """Write each array to ``directory/<name>.npy`` (creating the folder)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_npy(directory / f"{name}.npy", array)


def load_arrays(directory: str | Path, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Read ``directory/<name>.npy`` for each name (all ``.npy`` files when ``names`` is None).

    Raises ``ValueError`` naming the file when one is missing, empty, damaged or holds
    an object array.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"missing folder {directory}")
    if names is None:
        names = sorted(path.name[: -len(".npy")] for path in directory.glob("*.npy"))
    return {name: read_npy(directory / f"{name}.npy") for name in names}


def write_json(path: str | Path, document: Any) -> None:
    """Write ``document`` as indented JSON, atomically and durably (a crash leaves the old
    file or the new one, never a torn one)."""
    write_file_atomic(path, (json.dumps(document, indent=2) + "\n").encode())


def read_json(path: str | Path) -> Any:
    """Read a JSON file, raising ``ValueError`` that names the file when missing, too large
    or broken."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"missing file {path}")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ValueError(f"{path} is too large to be a file written by nprl")
    try:
        return json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"{path} is not valid JSON: {type(error).__name__}: {error}") from None
