"""Pickle-free ``save`` / ``load`` of a network: ``config.json`` plus one ``.npy`` per array.

Layout of a saved directory::

    model/
      config.json          {"format": "nprl.nn", "version": 1, "model": <layer tree>,
                            "arrays": {"0.weight": {"shape": [...], "dtype": "float32"}, ...}}
      0.weight.npy         one file per parameter or buffer, named by its dotted state name
      0.bias.npy
      1.running_mean.npy

``save`` writes everything into a temporary sibling directory and renames it into
place, so a crash never leaves a half-written model.  ``load`` reads arrays with
``allow_pickle=False`` and checks every file against the config; any problem raises a
``ValueError`` whose message names the offending file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from nprl.nn.layer import Layer, layer_from_config

FORMAT = "nprl.nn"
VERSION = 1


def save(net: Layer, directory) -> Path:
    """Write ``net`` to ``directory`` (created; an existing one is replaced).

    Parameters
    ----------
    net : Layer
        Any layer or Sequential.
    directory : str or Path

    Returns
    -------
    Path
        The directory written.
    """
    directory = Path(directory)
    state = net.state_dict()
    config = {
        "format": FORMAT,
        "version": VERSION,
        "model": net.config(),
        "arrays": {
            name: {"shape": list(array.shape), "dtype": array.dtype.name}
            for name, array in state.items()
        },
    }
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        for name, array in state.items():
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        with open(tmp / "config.json", "w") as f:
            json.dump(config, f, indent=2)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            directory.rename(old)
            tmp.rename(directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def _read_config(path: Path) -> dict:
    if not path.is_file():
        raise ValueError(f"{path}: missing file (is this a directory written by nprl.nn.save?)")
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable JSON file ({error})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{path}: not an nprl.nn model config (no 'format': '{FORMAT}')")
    if config.get("version") != VERSION:
        raise ValueError(f"{path}: unsupported version {config.get('version')!r}")
    if not isinstance(config.get("model"), dict) or not isinstance(config.get("arrays"), dict):
        raise ValueError(f"{path}: needs a 'model' layer tree and an 'arrays' table")
    return config


def _read_array(path: Path, expected_shape, expected_dtype) -> np.ndarray:
    if not path.is_file():
        raise ValueError(f"{path}: missing file")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(f"{path}: holds an object array, which nprl never loads") from None
        raise ValueError(f"{path}: not a valid .npy file ({error})") from None
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: not a valid .npy file ({error})") from None
    if not isinstance(array, np.ndarray):
        raise ValueError(f"{path}: not a single .npy array")
    if array.dtype.kind != "f":
        raise ValueError(f"{path}: dtype {array.dtype} is not floating point")
    if array.shape != tuple(expected_shape):
        raise ValueError(
            f"{path}: shape {array.shape} does not match the model's {tuple(expected_shape)}"
        )
    if array.dtype != expected_dtype:
        raise ValueError(f"{path}: dtype {array.dtype} does not match the model's {expected_dtype}")
    return array


def load(directory) -> Layer:
    """Rebuild a network written by :func:`save`.

    Raises
    ------
    ValueError
        Naming the offending file: missing directory or file, malformed or unknown layer
        config, array with the wrong shape or dtype, object array, extra/missing entry.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: no such model directory")
    config_path = directory / "config.json"
    config = _read_config(config_path)
    try:
        net = layer_from_config(config["model"])
    except ValueError as error:
        raise ValueError(f"{config_path}: {error}") from None
    expected = {name: p.data for name, p in net.named_parameters()}
    expected.update(dict(net.named_buffers()))
    listed = config["arrays"]
    if set(listed) != set(expected):
        raise ValueError(
            f"{config_path}: arrays {sorted(listed)} do not match the layers' "
            f"{sorted(expected)}"
        )
    state = {}
    for name, target in expected.items():
        declared = listed[name]
        if not isinstance(declared, dict) or declared.get("dtype") != target.dtype.name:
            raise ValueError(
                f"{config_path}: entry {name!r} declares {declared!r}, but the layer config "
                f"gives dtype {target.dtype.name}"
            )
        state[name] = _read_array(directory / f"{name}.npy", target.shape, target.dtype)
    net.load_state_dict(state)
    return net
