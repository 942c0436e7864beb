"""Loss functions: MSE, Huber and softmax cross-entropy, each with per-sample weights.

Calling a loss returns its value as a Python float and remembers what ``backward()``
needs; ``backward()`` returns dvalue/dpred with pred's shape and dtype.

Reduction is PyTorch's default mean.  With per-sample ``weights`` w (e.g. importance
weights from prioritized replay) the value is ``mean_i(w_i * loss_i)``, where ``loss_i``
is sample i's loss averaged over its remaining axes; without weights this is exactly the
plain mean over all elements.
"""

from __future__ import annotations

import numpy as np


class Loss:
    """Base class: ``value = loss(pred, target, weights=None)``, then ``loss.backward()``."""

    def __init__(self) -> None:
        self._grad: np.ndarray | None = None

    def __call__(self, pred: np.ndarray, target: np.ndarray, weights=None) -> float:
        return self.forward(pred, target, weights)

    def forward(self, pred: np.ndarray, target: np.ndarray, weights=None) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """dvalue/dpred for the last call, shape and dtype of pred."""
        if self._grad is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before the loss")
        return self._grad

    # -- helpers shared by the subclasses --------------------------------------
    def _pred(self, pred) -> np.ndarray:
        pred = np.asarray(pred)
        if pred.dtype.kind != "f":
            pred = pred.astype(np.float32)
        if pred.ndim == 0 or pred.shape[0] == 0:
            raise ValueError(
                f"{type(self).__name__}: predictions must have a non-empty batch axis, "
                f"got shape {pred.shape}"
            )
        return pred

    def _weights(self, weights, pred: np.ndarray) -> np.ndarray | None:
        """Per-sample weights shaped to broadcast against pred, scaled by 1/N (the mean)."""
        if weights is None:
            return None
        weights = np.asarray(weights, dtype=pred.dtype)
        if weights.shape != (pred.shape[0],):
            raise ValueError(
                f"{type(self).__name__}: weights must have shape ({pred.shape[0]},) "
                f"(one per sample), got {weights.shape}"
            )
        return weights.reshape((-1,) + (1,) * (pred.ndim - 1))

    def _same_shape_target(self, target, pred: np.ndarray) -> np.ndarray:
        target = np.asarray(target, dtype=pred.dtype)
        if target.shape != pred.shape:
            raise ValueError(
                f"{type(self).__name__}: target shape {target.shape} differs from "
                f"prediction shape {pred.shape}"
            )
        return target

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSELoss(Loss):
    """Mean squared error: mean((pred - target)^2)."""

    def forward(self, pred, target, weights=None) -> float:
        pred = self._pred(pred)
        diff = pred - self._same_shape_target(target, pred)
        w = self._weights(weights, pred)
        scale = 2.0 / diff.size
        if w is None:
            self._grad = diff * scale
            return float(np.vdot(diff, diff)) / diff.size
        weighted = diff * w
        self._grad = weighted * scale
        return float(np.vdot(weighted, diff)) / diff.size


class HuberLoss(Loss):
    """Huber loss (PyTorch's ``HuberLoss``): quadratic within ``delta``, linear outside.

    Per element, with d = pred - target:
    ``0.5 d^2`` if ``|d| <= delta`` else ``delta * (|d| - 0.5 delta)``; the gradient is
    ``clip(d, -delta, delta)``.  For delta = 1 it equals SmoothL1, DQN's usual loss.
    """

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__()
        if not delta > 0:
            raise ValueError(f"HuberLoss delta must be positive, got {delta}")
        self.delta = float(delta)

    def forward(self, pred, target, weights=None) -> float:
        pred = self._pred(pred)
        diff = pred - self._same_shape_target(target, pred)
        delta = self.delta
        clipped = np.clip(diff, -delta, delta)
        # 0.5 c^2 + delta (|d| - |c|) equals both branches of the Huber formula.
        elementwise = clipped * (diff - 0.5 * clipped)
        w = self._weights(weights, pred)
        scale = 1.0 / diff.size
        if w is None:
            clipped *= scale
            self._grad = clipped
            return float(elementwise.sum()) * scale
        self._grad = clipped * (w * scale)
        return float((elementwise * w).sum()) * scale

    def __repr__(self) -> str:
        return f"HuberLoss(delta={self.delta})"


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log(softmax(x)) over the last axis, computed as x - max - log(sum(exp(x - max)))."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits (PyTorch's ``CrossEntropyLoss``).

    Parameters of a call
    --------------------
    pred : (N, C) logits (no softmax before it).
    target : (N,) integer class labels, or (N, C) one-hot / probability rows.
    weights : (N,) per-sample weights, optional.

    The gradient is ``(softmax(pred) - onehot(target)) * w_i / N``.
    """

    def forward(self, pred, target, weights=None) -> float:
        pred = self._pred(pred)
        if pred.ndim != 2:
            raise ValueError(f"CrossEntropyLoss expects logits of shape (N, C), got {pred.shape}")
        n, classes = pred.shape
        target = np.asarray(target)
        logp = log_softmax(pred)
        grad = np.exp(logp)
        if target.ndim == 1 and target.dtype.kind in "iub":
            if target.shape[0] != n:
                raise ValueError(
                    f"CrossEntropyLoss: {target.shape[0]} labels for {n} predictions"
                )
            if n and (target.min() < 0 or target.max() >= classes):
                raise ValueError(
                    f"CrossEntropyLoss: labels must lie in [0, {classes - 1}], "
                    f"got range [{target.min()}, {target.max()}]"
                )
            rows = np.arange(n)
            per_sample = -logp[rows, target]
            grad[rows, target] -= 1
        elif target.shape == pred.shape:
            target = target.astype(pred.dtype, copy=False)
            per_sample = -(target * logp).sum(axis=1)
            grad -= target
        else:
            raise ValueError(
                f"CrossEntropyLoss: target must be (N,) integer labels or (N, C) one-hot "
                f"rows matching the logits {pred.shape}, got shape {target.shape} "
                f"dtype {target.dtype}"
            )
        w = self._weights(weights, pred)
        if w is None:
            grad *= 1.0 / n
            self._grad = grad
            return float(per_sample.mean())
        grad *= w * (1.0 / n)
        self._grad = grad
        return float((per_sample * w[:, 0]).mean())
