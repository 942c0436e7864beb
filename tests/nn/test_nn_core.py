"""Dense, activations and Sequential: gradients by finite differences, modes, state."""

import numpy as np
import pytest

from nprl.nn import (
    Dense,
    Identity,
    LeakyReLU,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    gradcheck,
)

TOL = 1e-6


def batch(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("layer", [
    Dense(5, 3, rng=0), Dense(5, 3, bias=False, rng=0), Dense(5, 3, init="he_normal", rng=0),
    ReLU(), LeakyReLU(0.1), Tanh(), Sigmoid(), Softmax(), Identity(),
], ids=lambda layer: repr(layer))
def test_layer_gradients_match_finite_differences(layer):
    assert gradcheck(layer, batch(4, 5)) < TOL


def test_mlp_gradients_match_finite_differences():
    net = Sequential(Dense(4, 8, rng=1), ReLU(), Dense(8, 8, rng=2), Tanh(), Dense(8, 2, rng=3))
    worst, details = gradcheck(net, batch(6, 4), return_details=True)
    assert worst < TOL
    assert set(details) == {"input", "0.weight", "0.bias", "2.weight", "2.bias", "4.weight",
                            "4.bias"}


def test_gradcheck_catches_a_wrong_backward():
    class BadSquare(Tanh):
        def backward(self, grad_y):
            return grad_y * 1.0  # wrong: ignores the derivative of tanh

    assert gradcheck(BadSquare(), batch(3, 4)) > 1e-2


def test_dense_is_x_at_w_plus_b_in_float32():
    layer = Dense(3, 2, rng=0)
    layer.bias.data[...] = [1.0, -1.0]
    x = batch(5, 3)
    y = layer(x)
    assert y.dtype == np.float32 and y.shape == (5, 2)
    np.testing.assert_allclose(y, x.astype(np.float32) @ layer.weight.data + [1, -1], rtol=1e-5)
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (2,)


def test_backward_accumulates_and_never_updates_weights():
    layer = Dense(3, 2, rng=0)
    before = layer.weight.data.copy()
    x, g = batch(4, 3), np.ones((4, 2))
    layer(x)
    layer.backward(g)
    first = layer.weight.grad.copy()
    layer(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, 2 * first, rtol=1e-6)
    np.testing.assert_array_equal(layer.weight.data, before)
    np.testing.assert_allclose(layer.bias.grad, [8.0, 8.0])
    layer.zero_grad()
    assert not layer.weight.grad.any()


def test_dense_rejects_wrong_input_shape_with_a_clear_message():
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 3\)"):
        Dense(3, 2)(np.zeros(3))


def test_unknown_initializer_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown initializer 'xavier'"):
        Dense(3, 2, init="xavier")


def test_initializer_bounds_follow_their_formulas():
    rng = np.random.default_rng(0)
    w = Dense(300, 100, init="glorot_seed", rng=rng).weight.data
    assert np.abs(w).max() <= 1 / np.sqrt(400) and np.abs(w).max() > 0.9 / np.sqrt(400)
    w = Dense(300, 100, init="he_uniform", rng=rng).weight.data
    assert np.abs(w).max() <= np.sqrt(6 / 300) and np.abs(w).max() > 0.9 * np.sqrt(6 / 300)
    w = Dense(300, 100, init="xavier_normal", rng=rng).weight.data
    assert w.std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)


def test_predict_does_not_disturb_a_pending_backward():
    net = Sequential(Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1))
    x, other, g = batch(5, 3), batch(5, 3, seed=9), np.ones((5, 2))
    net(x)
    net.backward(g)
    expected = [p.grad.copy() for p in net.parameters()]
    net.zero_grad()
    net(x)
    net.predict(other)  # e.g. a target-network evaluation between forward and backward
    net.backward(g)
    for p, e in zip(net.parameters(), expected):
        np.testing.assert_allclose(p.grad, e, rtol=1e-6)


def test_predict_in_batches_equals_predict_at_once():
    net = Sequential(Dense(3, 4, rng=0), Tanh())
    x = batch(10, 3)
    np.testing.assert_allclose(net.predict(x, batch_size=3), net.predict(x), rtol=1e-6)


def test_sequential_add_is_fluent_and_nests():
    inner = Sequential(Dense(3, 3, rng=0), ReLU())
    net = Sequential().add(inner).add(Dense(3, 1, rng=1))
    assert len(net) == 2 and net[0] is inner
    assert [name for name, _ in net.named_parameters()] == [
        "0.0.weight", "0.0.bias", "1.weight", "1.bias"]
    assert gradcheck(net, batch(4, 3)) < TOL


def test_train_eval_modes_propagate():
    net = Sequential(Dense(2, 2), Sequential(ReLU()))
    assert net.training and net[1][0].training
    net.eval()
    assert not net.training and not net[1][0].training
    net.train()
    assert net[1][0].training


def test_copy_is_deep_and_state_dict_round_trips():
    net = Sequential(Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1))
    clone = net.copy()
    clone[0].weight.data += 1.0
    assert not np.allclose(clone[0].weight.data, net[0].weight.data)
    net.load_state_dict(clone.state_dict())
    np.testing.assert_array_equal(net[0].weight.data, clone[0].weight.data)
    state = net.state_dict()
    state["0.weight"][...] = 0  # a state_dict holds copies
    assert net[0].weight.data.any()


def test_load_state_dict_reports_missing_and_misshapen_entries():
    net = Sequential(Dense(3, 4))
    with pytest.raises(ValueError, match="missing"):
        net.load_state_dict({"0.weight": np.zeros((3, 4))})
    with pytest.raises(ValueError, match="shape"):
        net.load_state_dict({"0.weight": np.zeros((4, 3)), "0.bias": np.zeros(4)})


def test_astype_converts_parameters_and_outputs():
    net = Sequential(Dense(3, 2, rng=0)).astype(np.float64)
    assert net[0].weight.dtype == np.float64 and net[0].weight.grad.dtype == np.float64
    assert net(batch(2, 3)).dtype == np.float64
    assert Sequential(Dense(3, 2))(batch(2, 3)).dtype == np.float32  # float64 input, no upcast


def test_parameter_rejects_integer_data():
    with pytest.raises(ValueError, match="floating"):
        Parameter(np.arange(3))


def test_backward_without_input_grad_gives_the_same_parameter_gradients():
    from nprl.nn import Conv2D, Flatten, Residual

    net = Sequential(Conv2D(2, 3, 3, rng=0), ReLU(), Flatten(),
                     Residual(Sequential(Dense(12, 12, rng=1), Tanh())), Dense(12, 2, rng=2))
    x, g = batch(4, 2, 4, 4), batch(4, 2, seed=5)
    net(x)
    assert net.backward(g).shape == x.shape
    expected = [p.grad.copy() for p in net.parameters()]
    net.zero_grad()
    net(x)
    assert net.backward(g, input_grad=False) is None
    for p, e in zip(net.parameters(), expected):
        np.testing.assert_allclose(p.grad, e, rtol=1e-6)
