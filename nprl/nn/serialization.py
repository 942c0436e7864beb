"""Pickle-free ``save`` / ``load`` of a network: ``config.json`` plus one ``.npy`` per array.

Layout of a saved directory::

    model/
      config.json          {"format": "nprl.nn", "version": 1, "model": <layer tree>,
                            "arrays": {"0.weight": {"shape": [...], "dtype": "float32"}, ...}}
      0.weight.npy         one file per parameter or buffer, named by its dotted state name
      0.bias.npy
      1.running_mean.npy
      MANIFEST.json        SHA-256 and size of every file above, written last

``save`` writes everything into a temporary sibling directory, fsyncs it and swaps it
into place (:func:`nprl.fileio.write_folder`), so a crash never leaves a half-written
model, nor an instant without one.  ``load`` checks the manifest, reads arrays without
pickle (:func:`nprl.fileio.read_npy`) and checks every file against the config; any
problem raises a ``ValueError`` whose message names the offending file. A model saved
before manifests existed loads with a note that it could not be verified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nprl.fileio import read_json, read_npy, save_arrays, verify_manifest, write_folder, write_json
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

    def write(folder: Path) -> None:
        save_arrays(folder, state)
        write_json(folder / "config.json", config)

    return write_folder(directory, write)


def _read_config(path: Path) -> dict:
    if not path.is_file():
        raise ValueError(f"{path}: missing file (is this a directory written by nprl.nn.save?)")
    config = read_json(path)
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{path}: not an nprl.nn model config (no 'format': '{FORMAT}')")
    if config.get("version") != VERSION:
        raise ValueError(f"{path}: unsupported version {config.get('version')!r}")
    if not isinstance(config.get("model"), dict) or not isinstance(config.get("arrays"), dict):
        raise ValueError(f"{path}: needs a 'model' layer tree and an 'arrays' table")
    return config


def _read_array(path: Path, expected_shape, expected_dtype) -> np.ndarray:
    array = read_npy(path)
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
    verify_manifest(directory)
    config_path = directory / "config.json"
    config = _read_config(config_path)
    try:
        net = layer_from_config(config["model"])
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{config_path}: {error}") from None
    except MemoryError:  # layer sizes far beyond what the saved arrays could hold
        raise ValueError(f"{config_path}: its layers are too large to build") from None
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
