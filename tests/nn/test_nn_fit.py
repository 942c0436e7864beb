"""``fit`` learns, records history, and is reproducible; CNN save/load; torch optimizers."""

import numpy as np
import pytest

from nprl.nn import (
    SGD,
    Adam,
    AdamW,
    BatchNorm,
    Conv2D,
    CrossEntropyLoss,
    Dense,
    Flatten,
    MaxPool2D,
    MSELoss,
    Parameter,
    ReLU,
    RMSprop,
    Sequential,
    load,
    save,
)


def two_spirals(n=600, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.5, 3.0, n) * np.pi
    label = rng.integers(0, 2, n)
    sign = np.where(label == 0, 1.0, -1.0)
    x = np.stack([sign * t * np.cos(t), sign * t * np.sin(t)], axis=1) / 5
    return (x + rng.normal(0, 0.05, x.shape)).astype(np.float32), label


def make_net(seed):
    return Sequential(Dense(2, 64, init="he_uniform", rng=seed), ReLU(),
                      Dense(64, 64, init="he_uniform", rng=seed + 1), ReLU(),
                      Dense(64, 2, rng=seed + 2))


def test_fit_learns_two_spirals_to_high_accuracy():
    x, y = two_spirals()
    xv, yv = two_spirals(seed=1)
    net = make_net(0)
    history = net.fit(x, y, CrossEntropyLoss(), Adam(net.parameters(), lr=1e-2), epochs=60,
                      batch_size=32, validation=(xv, yv), seed=0, verbose=False)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 60 for v in history.values())
    assert history["loss"][-1] < history["loss"][0] / 4
    assert history["val_accuracy"][-1] >= 0.95


def test_fit_is_reproducible_with_a_seed():
    x, y = two_spirals(200)
    results = []
    for _ in range(2):
        net = make_net(3)
        results.append(net.fit(x, y, CrossEntropyLoss(), SGD(net.parameters(), lr=0.1),
                               epochs=2, seed=7, verbose=False)["loss"])
    assert results[0] == results[1]


def test_fit_on_regression_reports_nan_accuracy_and_validates_lengths():
    x = np.linspace(-1, 1, 64, dtype=np.float32)[:, None]
    net = Sequential(Dense(1, 1, rng=0))
    history = net.fit(x, 3 * x, MSELoss(), SGD(net.parameters(), lr=0.3), epochs=30,
                      batch_size=16, verbose=False)
    assert np.isnan(history["accuracy"][0]) and history["loss"][-1] < 1e-3
    with pytest.raises(ValueError, match="64 samples but y has 3"):
        net.fit(x, x[:3], MSELoss(), SGD(net.parameters(), lr=0.1), verbose=False)


def test_cnn_with_batchnorm_round_trips_through_save_and_load(tmp_path):
    net = Sequential(Conv2D(1, 4, 3, padding=1, rng=0), BatchNorm(4), ReLU(), MaxPool2D(2),
                     Flatten(), Dense(4 * 4 * 4, 3, rng=1))
    x = np.random.default_rng(0).standard_normal((5, 1, 8, 8)).astype(np.float32)
    net(x)  # moves the running statistics away from their initial values
    save(net, tmp_path / "cnn")
    assert (tmp_path / "cnn" / "1.running_var.npy").is_file()
    loaded = load(tmp_path / "cnn")
    np.testing.assert_array_equal(loaded[1].running_mean, net[1].running_mean)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))


@pytest.mark.parametrize("case, ours, kwargs", [
    ("SGD_nesterov", SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD_dampening", SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("RMSprop_centered", RMSprop,
     {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("Adam", Adam, {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", AdamW, {"lr": 0.01, "weight_decay": 0.1}),
])
def test_optimizers_match_torch_step_for_step(case, ours, kwargs, torch_reference):
    # torch.optim's parameters after each of 5 steps, stored by
    # tests/reference/make_torch_references.py with these same settings.
    name, settings = torch_reference.settings["optimizers"][case]
    assert (name, settings) == (ours.__name__, kwargs)
    ref = torch_reference.arrays
    param = Parameter(ref["optimizer.start"].copy())
    opt = ours([param], **kwargs)
    for g, expected in zip(ref["optimizer.grads"], ref[f"optimizer.{case}"], strict=True):
        param.grad[...] = g
        opt.step()
        np.testing.assert_allclose(param.data, expected, rtol=1e-10, atol=1e-12)
