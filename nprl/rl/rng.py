"""Random generators as JSON: save and restore a NumPy ``Generator`` without pickle.

Every random path in nprl.rl draws from a :class:`numpy.random.Generator`. Its
``bit_generator.state`` is a plain dict of ints and strings, so a checkpoint can store it
in ``state.json`` and a resumed run continues the exact same random stream.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def generator_state(rng: np.random.Generator) -> dict[str, Any]:
    """Return ``rng``'s bit-generator state as a JSON-able dict."""
    return _jsonable(rng.bit_generator.state)


def generator_from_state(state: dict[str, Any]) -> np.random.Generator:
    """Build a ``Generator`` that continues exactly where the saved one stopped."""
    name = state["bit_generator"]
    bit_generator_class = getattr(np.random, name, None)
    if bit_generator_class is None:
        raise ValueError(f"unknown bit generator {name!r} in saved RNG state")
    bit_generator = bit_generator_class()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _jsonable(value: Any) -> Any:
    """Convert NumPy scalars and arrays inside a nested dict to plain Python values."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.integer):
        return int(value)
    return value
