"""Checks of checkpoint C (backpropagation and a training loop): softmax cross-entropy
against ``nprl.nn.CrossEntropyLoss``, a two-layer network's gradients against an nprl
``Sequential`` and finite differences, and a NumPy training loop that must reach
:data:`GOAL` test accuracy on MNIST.
"""

from __future__ import annotations

import time

import numpy as np

from nprl import nn
from nprl.lessons.checks.results import unpack
from nprl.lessons.data import mnist
from nprl.lessons.grading import Wrong, check, expect_close, expect_gradient, expect_scalar, sample

GOAL = 0.88  # test accuracy on the first 1000 MNIST test digits
N_TRAIN, N_TEST = 3000, 1000
PARAM_NAMES = ("W1", "b1", "W2", "b2")


@check
def check_softmax_cross_entropy(softmax_cross_entropy):
    logits = sample((4, 5), seed=140)
    logits[2] += 1000.0  # overflows np.exp unless each row's maximum is subtracted
    labels = np.array([1, 0, 4, 2])
    loss = nn.CrossEntropyLoss()
    value = loss(logits, labels)
    got_value, got_grad = unpack(softmax_cross_entropy(logits.copy(), labels.copy()),
                                 ("loss", "grad_logits"), "softmax_cross_entropy")
    expect_scalar(got_value, value, what="the loss")
    expect_close(got_grad, loss.backward(), what="grad_logits")


def _small_problem():
    params = {"W1": sample((6, 5), seed=141), "b1": sample(5, seed=142),
              "W2": sample((5, 3), seed=143), "b2": sample(3, seed=144)}
    return params, sample((4, 6), seed=145), np.array([0, 2, 1, 2])


def _nprl_net(params) -> nn.Sequential:
    net = nn.Sequential(nn.Dense(6, 5, dtype=np.float64), nn.ReLU(),
                        nn.Dense(5, 3, dtype=np.float64))
    for layer, (w, b) in ((net[0], ("W1", "b1")), (net[2], ("W2", "b2"))):
        layer.weight.data[...] = params[w]
        layer.bias.data[...] = params[b]
    return net


def _loss(params, x, labels) -> float:
    h = np.maximum(x @ params["W1"] + params["b1"], 0)
    return nn.CrossEntropyLoss()(h @ params["W2"] + params["b2"], labels)


@check
def check_forward_backward(forward_backward):
    params, x, labels = _small_problem()
    net, loss = _nprl_net(params), nn.CrossEntropyLoss()
    value = loss(net.forward(x), labels)
    grad_logits = loss.backward().copy()
    net.backward(grad_logits)
    truths = {"W1": net[0].weight.grad, "b1": net[0].bias.grad,
              "W2": net[2].weight.grad, "b2": net[2].bias.grad}
    got_value, grads = unpack(forward_backward({k: v.copy() for k, v in params.items()},
                                               x.copy(), labels.copy()),
                              ("loss", "grads"), "forward_backward")
    expect_scalar(got_value, value, what="the loss")
    if not isinstance(grads, dict) or set(grads) != set(PARAM_NAMES):
        keys = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        raise Wrong(f"grads should be a dict with keys {list(PARAM_NAMES)}, got {keys}")
    for name in PARAM_NAMES:
        expect_close(grads[name], truths[name], what=f'grads["{name}"]',
                     reduced_from=grad_logits if name == "b2" else None)
    for name in PARAM_NAMES:  # the same, against finite differences
        def loss_of(value, name=name):
            return _loss({**params, name: value}, x, labels)

        expect_gradient(grads[name], loss_of, params[name], what=f'grads["{name}"]')


def accuracy(params: dict, x: np.ndarray, labels: np.ndarray) -> float:
    """Test accuracy of the two-layer network ``params`` (the layout of the checkpoint)."""
    h = np.maximum(x @ params["W1"] + params["b1"], 0)
    return float(np.mean((h @ params["W2"] + params["b2"]).argmax(axis=1) == labels))


@check
def check_train_mlp(train_mlp):
    (x_train, y_train), (x_test, y_test) = mnist(n_train=N_TRAIN, n_test=N_TEST)
    x_train, x_test = x_train.reshape(N_TRAIN, -1), x_test.reshape(N_TEST, -1)
    start = time.perf_counter()
    params = train_mlp(x_train, y_train.copy(), seed=0)
    seconds = time.perf_counter() - start
    if not isinstance(params, dict) or not set(PARAM_NAMES) <= set(params):
        raise Wrong(f"train_mlp should return the dict of parameters {list(PARAM_NAMES)}")
    shapes = {name: np.shape(params[name]) for name in PARAM_NAMES}
    hidden = shapes["b1"][0] if len(shapes["b1"]) == 1 else None
    expected = {"W1": (784, hidden), "b1": (hidden,), "W2": (hidden, 10), "b2": (10,)}
    for name in PARAM_NAMES:
        if hidden is None or shapes[name] != expected[name]:
            raise Wrong(f'params["{name}"] has shape {shapes[name]}; expected W1 (784, H), '
                        "b1 (H,), W2 (H, 10), b2 (10,)")
    score = accuracy(params, x_test, y_test)
    print(f"trained in {seconds:.1f} s; test accuracy {score:.3f} (the goal: {GOAL:.2f})")
    if not np.isfinite(params["W1"]).all():
        raise Wrong("the weights became NaN or inf: a step with the wrong sign "
                    "(w += lr * g), or a learning rate too large?")
    if score < GOAL:
        raise Wrong(f"test accuracy {score:.3f} is below {GOAL:.2f}: check the SGD step's "
                    "sign, shuffle every epoch, or train for more epochs")
