"""DuelingHead: forward formula and hand-written backward against finite differences."""

import numpy as np
import pytest

from nprl.nn.dueling import DuelingHead
from nprl.nn.gradcheck import numeric_gradient
from nprl.nn.layer import layer_from_config


def test_forward_is_value_plus_centred_advantage():
    head = DuelingHead(3, 4, rng=0)
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    v = x @ head.value.weight.data + head.value.bias.data
    a = x @ head.advantage.weight.data + head.advantage.bias.data
    assert np.allclose(head(x), v + a - a.mean(axis=1, keepdims=True), atol=1e-6)
    assert np.allclose(head.predict(x), head(x))


def test_backward_matches_finite_differences():
    rng = np.random.default_rng(2)
    head = DuelingHead(3, 4, dtype=np.float64, rng=3)
    head.advantage.bias.data[:] = rng.normal(size=4)
    x = rng.normal(size=(5, 3))
    upstream = rng.normal(size=(5, 4))  # L = sum(upstream * Q)

    def loss():
        return float((upstream * head.forward(x)).sum())

    head.zero_grad()
    head.forward(x)
    grad_x = head.backward(upstream)
    assert np.allclose(grad_x, numeric_gradient(loss, x), atol=1e-7)
    for param in head.parameters():
        assert np.allclose(param.grad, numeric_gradient(loss, param.data), atol=1e-7), param.name


def test_config_rebuilds_through_the_nn_registry():
    head = DuelingHead(6, 3, dtype=np.float64, rng=0)
    copy = layer_from_config(head.config())
    assert isinstance(copy, DuelingHead)
    copy.load_state_dict(head.state_dict())
    x = np.ones((2, 6))
    assert np.array_equal(copy(x), head(x))


def test_wrong_input_width_raises():
    with pytest.raises(ValueError):
        DuelingHead(3, 2)(np.zeros((1, 4)))


# Runs in a fresh interpreter where importing nprl.rl is impossible and the package root
# (which may wire envs into rl) is bypassed: only nprl.nn is loaded, as a user of the NN
# engine alone would.
_LOAD_WITHOUT_RL = """
import importlib.abc, sys, types
from pathlib import Path
import numpy as np

class NoRL(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "nprl.rl" or name.startswith("nprl.rl."):
            raise ImportError("nprl.rl must not be needed to load a network")
        return None

sys.meta_path.insert(0, NoRL())
root = types.ModuleType("nprl")
root.__path__ = [sys.argv[1]]
sys.modules["nprl"] = root
import nprl.nn as nn

net = nn.load(sys.argv[2])
assert type(net[-1]).__name__ == "DuelingHead"
np.testing.assert_array_equal(net.predict(np.ones((2, 4), np.float32)), np.load(sys.argv[3]))
assert not [name for name in sys.modules if name.startswith("nprl.rl")]
print("ok")
"""


def test_saved_dueling_network_loads_without_importing_nprl_rl(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    import nprl
    from nprl.nn import Dense, ReLU, Sequential, save

    net = Sequential(Dense(4, 8, rng=0), ReLU(), DuelingHead(8, 3, rng=1))
    save(net, tmp_path / "net")
    np.save(tmp_path / "q.npy", net.predict(np.ones((2, 4), np.float32)))
    package = str(Path(nprl.__file__).parent)
    done = subprocess.run([sys.executable, "-c", _LOAD_WITHOUT_RL, package,
                           str(tmp_path / "net"), str(tmp_path / "q.npy")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
