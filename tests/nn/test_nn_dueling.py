"""DuelingHead: forward formula and hand-written backward against finite differences."""

import numpy as np
import pytest

from nprl.nn.layer import layer_from_config
from nprl.rl.dueling import DuelingHead


def numeric_grad(f, array, eps=1e-6):
    grad = np.zeros_like(array)
    for i in np.ndindex(array.shape):
        old = array[i]
        array[i] = old + eps
        plus = f()
        array[i] = old - eps
        minus = f()
        array[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


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
    assert np.allclose(grad_x, numeric_grad(loss, x), atol=1e-7)
    for param in head.parameters():
        assert np.allclose(param.grad, numeric_grad(loss, param.data), atol=1e-7), param.name


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
