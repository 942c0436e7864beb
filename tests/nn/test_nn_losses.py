"""Losses: values against their formulas, gradients by finite differences, weights."""

import numpy as np
import pytest

from nprl.nn import CrossEntropyLoss, HuberLoss, MSELoss, gradcheck_loss

TOL = 1e-6
rng = np.random.default_rng(0)
PRED = rng.standard_normal((6, 3)) * 2
TARGET = rng.standard_normal((6, 3))
WEIGHTS = rng.uniform(0.1, 2.0, size=6)
LABELS = np.array([0, 2, 1, 1, 0, 2])


@pytest.mark.parametrize("loss", [MSELoss(), HuberLoss(), HuberLoss(delta=0.5)], ids=repr)
@pytest.mark.parametrize("weights", [None, WEIGHTS], ids=["unweighted", "weighted"])
def test_regression_loss_gradients(loss, weights):
    assert gradcheck_loss(loss, PRED, TARGET, weights) < TOL


@pytest.mark.parametrize("target", [LABELS, np.eye(3)[LABELS]], ids=["labels", "one-hot"])
@pytest.mark.parametrize("weights", [None, WEIGHTS], ids=["unweighted", "weighted"])
def test_cross_entropy_gradients(target, weights):
    assert gradcheck_loss(CrossEntropyLoss(), PRED, target, weights) < TOL


def test_mse_value_is_the_mean_of_squares():
    assert MSELoss()(PRED, TARGET) == pytest.approx(np.mean((PRED - TARGET) ** 2))


def test_huber_value_matches_its_two_branches():
    d = np.array([[0.5, -3.0]])
    expected = np.mean([0.5 * 0.5**2, 1.0 * (3.0 - 0.5)])
    assert HuberLoss()(d, np.zeros_like(d)) == pytest.approx(expected)


def test_weighted_loss_is_mean_of_weighted_per_sample_losses():
    per_sample = np.mean((PRED - TARGET) ** 2, axis=1)
    value = MSELoss()(PRED, TARGET, weights=WEIGHTS)
    assert value == pytest.approx(np.mean(WEIGHTS * per_sample))
    assert MSELoss()(PRED, TARGET, weights=np.ones(6)) == pytest.approx(MSELoss()(PRED, TARGET))


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32)
    loss = CrossEntropyLoss()
    assert loss(logits, np.array([0])) == pytest.approx(0.0, abs=1e-6)
    assert loss(logits, np.array([2])) == pytest.approx(2000.0)
    assert np.isfinite(loss.backward()).all()


def test_cross_entropy_labels_equal_one_hot():
    a = CrossEntropyLoss()(PRED, LABELS)
    b = CrossEntropyLoss()(PRED, np.eye(3)[LABELS])
    assert a == pytest.approx(b)


def test_losses_keep_float32():
    pred = PRED.astype(np.float32)
    for loss, target in [(MSELoss(), TARGET), (HuberLoss(), TARGET), (CrossEntropyLoss(), LABELS)]:
        loss(pred, target, WEIGHTS)
        assert loss.backward().dtype == np.float32


def test_loss_input_errors_are_clear():
    with pytest.raises(ValueError, match="target shape"):
        MSELoss()(PRED, TARGET[:, :2])
    with pytest.raises(ValueError, match="one per sample"):
        HuberLoss()(PRED, TARGET, weights=np.ones(5))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        CrossEntropyLoss()(PRED, LABELS + 1)
    with pytest.raises(RuntimeError, match="before"):
        MSELoss().backward()


@pytest.mark.parametrize("ours, name, target", [
    (MSELoss(), "mse", "loss.target"),
    (HuberLoss(0.7), "huber", "loss.target"),
    (CrossEntropyLoss(), "cross_entropy", "loss.labels"),
])
def test_losses_match_torch(ours, name, target, torch_reference):
    # PyTorch's values and gradients, stored by tests/reference/make_torch_references.py.
    ref = torch_reference.arrays
    assert torch_reference.settings["huber_delta"] == 0.7
    value = ours(ref["loss.pred"], ref[target])
    assert value == pytest.approx(float(ref[f"loss.{name}.value"]), rel=1e-10)
    np.testing.assert_allclose(ours.backward(), ref[f"loss.{name}.grad"], rtol=1e-10)
