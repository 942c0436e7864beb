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


# The bit generators a saved state may name: a fixed table, never getattr(np.random, name)
# (a file naming "seed" would otherwise call np.random.seed).
BIT_GENERATORS = {cls.__name__: cls for cls in (
    np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox,
    np.random.SFC64)}


def generator_from_state(state: dict[str, Any]) -> np.random.Generator:
    """Build a ``Generator`` that continues exactly where the saved one stopped.

    Raises ``ValueError`` when ``state`` (read from a file) is not a dict, names a bit
    generator outside :data:`BIT_GENERATORS` or does not fit it.
    """
    name = state.get("bit_generator") if isinstance(state, dict) else None
    bit_generator_class = BIT_GENERATORS.get(name) if isinstance(name, str) else None
    if bit_generator_class is None:
        raise ValueError(f"unknown bit generator {name!r:.40} in saved RNG state (known: "
                         f"{', '.join(BIT_GENERATORS)})")
    bit_generator = bit_generator_class()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ValueError(f"saved RNG state does not fit {name}: {error}") from None
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
