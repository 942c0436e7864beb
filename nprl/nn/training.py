"""``fit``: the mini-batch training loop behind ``Sequential.fit``.

One epoch = shuffle, then for each mini-batch: forward, loss, zero_grad, backward, step.
It records per-epoch mean loss and accuracy (for classification targets), evaluates on
the validation set in inference mode, and shows a progress bar on stderr.
"""

from __future__ import annotations

import numpy as np

from nprl.nn.layer import make_rng
from nprl.progress import ProgressBar


def _labels(y: np.ndarray, n_outputs: int) -> np.ndarray | None:
    """Class labels if ``y`` is a classification target for ``n_outputs`` classes, else None.

    Integer vectors are labels; (N, C) rows that are one-hot are turned into labels.
    """
    if n_outputs < 2:
        return None
    if y.ndim == 1 and y.dtype.kind in "iu":
        return y
    one_hot = y.ndim == 2 and y.shape[1] == n_outputs and np.isin(y, (0, 1)).all()
    if one_hot and (y.sum(axis=1) == 1).all():
        return y.argmax(axis=1)
    return None


def _accuracy(pred: np.ndarray, labels: np.ndarray | None) -> float:
    if labels is None:
        return float("nan")
    return float(np.mean(pred.argmax(axis=1) == labels))


def loss_and_accuracy(net, x: np.ndarray, y: np.ndarray, loss,
                      batch_size: int = 1000) -> tuple[float, float]:
    """Mean loss and accuracy (NaN for regression targets) of ``net.predict`` on (x, y)."""
    pred = net.predict(x, batch_size=batch_size)
    value = loss(pred, y)
    labels = _labels(np.asarray(y), pred.shape[1]) if pred.ndim == 2 else None
    return value, _accuracy(pred, labels)


def fit(net, x, y, loss, optimizer, epochs: int = 1, batch_size: int = 32, shuffle: bool = True,
        validation=None, seed: int | None = None, verbose: bool = True,
        callback=None) -> dict[str, list[float]]:
    """Train ``net`` on (x, y) with mini-batch gradient descent.

    Parameters
    ----------
    net : Sequential
    x : ndarray, shape (N, ...)
    y : ndarray, shape (N,) integer labels or (N, ...) targets
    loss : Loss
    optimizer : Optimizer (built on ``net.parameters()``)
    epochs, batch_size : int
    shuffle : bool
        Reshuffle the samples every epoch (with ``seed`` for reproducibility).
    validation : (x_val, y_val) or None
        Evaluated with ``predict`` after every epoch.
    seed : int or None
    verbose : bool
        Show a progress bar on stderr.
    callback : callable(epoch, history) or None
        Called after every epoch (e.g. to print a line).

    Returns
    -------
    dict
        ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``: one float per epoch
        (accuracy is NaN for non-classification targets; val lists stay empty without
        validation data).
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}")
    if len(x) == 0:
        raise ValueError("fit: no training samples")
    if int(epochs) < 1 or int(batch_size) < 1:
        raise ValueError("fit: epochs and batch_size must be positive integers")
    rng = make_rng(seed, "fit seed")
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "val_loss": [],
                                       "val_accuracy": []}
    n = len(x)
    batches = (n + batch_size - 1) // batch_size
    labels_all = None
    for epoch in range(1, int(epochs) + 1):
        net.train()
        order = rng.permutation(n) if shuffle else np.arange(n)
        total_loss, correct, seen = 0.0, 0, 0
        bar = ProgressBar(batches, desc=f"epoch {epoch}/{epochs}", disable=not verbose)
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]
            xb, yb = x[index], y[index]
            pred = net.forward(xb)
            value = loss(pred, yb)
            optimizer.zero_grad()
            net.backward_params(loss.backward())  # dL/d(data) is never needed here
            optimizer.step()
            if epoch == 1 and start == 0:
                labels_all = _labels(y, pred.shape[1]) if pred.ndim == 2 else None
            total_loss += value * len(index)
            seen += len(index)
            if labels_all is not None:
                correct += int(np.sum(pred.argmax(axis=1) == labels_all[index]))
            bar.update(1, loss=total_loss / seen)
        history["loss"].append(total_loss / seen)
        history["accuracy"].append(correct / seen if labels_all is not None else float("nan"))
        if validation is not None:
            val_loss, val_accuracy = loss_and_accuracy(net, validation[0], validation[1], loss)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_accuracy)
            bar.set_postfix(val_loss=val_loss, val_acc=val_accuracy)
        bar.close()
        if callback is not None:
            callback(epoch, history)
    return history
