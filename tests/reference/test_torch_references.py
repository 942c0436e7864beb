"""The stored PyTorch values are what PyTorch computes (checked where torch is installed).

CI has no torch, so the engine's tests (tests/nn) compare against the values stored by
``make_torch_references.py``. Where torch is installed (``pip install -e ".[bench]"``) this
recomputes them live, so a stale or hand-edited file cannot pass unnoticed; without
torch it is skipped, and the stored values stand in for it.
"""

import make_torch_references as make
import numpy as np
import pytest


def test_stored_settings_are_the_scripts(torch_reference):
    settings = torch_reference.settings
    assert settings["convs"] == {case: list(shape) for case, shape in make.CONVS.items()}
    assert settings["optimizers"] == {case: [name, kwargs]
                                      for case, (name, kwargs) in make.OPTIMIZERS.items()}
    assert settings["huber_delta"] == make.HUBER_DELTA
    assert all(a.dtype in (np.float64, np.int64) for a in torch_reference.arrays.values())


def test_stored_values_are_what_torch_computes(torch_reference):
    torch = pytest.importorskip("torch", reason="no torch here: the stored values stand in")
    live = make.compute(torch)
    assert sorted(live) == sorted(torch_reference.arrays)
    for name, value in live.items():
        np.testing.assert_allclose(torch_reference.arrays[name], value, rtol=1e-12,
                                   atol=1e-14, err_msg=name)
