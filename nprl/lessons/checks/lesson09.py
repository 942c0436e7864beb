"""Checks of lesson 9 (the training loop): mini-batch indices, one epoch of training
against a reference loop on a copy of the same network, accuracy, and the debug exercise
(images and labels shuffled with two different orders).
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.results import unpack
from nprl.lessons.grading import (
    Wrong,
    check,
    expect_close,
    expect_scalar,
    reject_mistakes,
    reject_planted_bug,
)


@check
def check_minibatches(minibatches):
    n, batch_size = 10, 4
    batches = minibatches(n, batch_size, np.random.default_rng(0))
    if batches is None:
        raise Wrong("minibatches returned None: did you forget `return`?")
    try:
        batches = [np.asarray(b) for b in batches]
    except TypeError:
        raise Wrong("return a list of index arrays, one per mini-batch") from None
    sizes = [int(b.size) for b in batches]
    covered = np.concatenate(batches) if batches else np.array([], dtype=int)
    if sorted(covered.tolist()) != list(range(n)):
        missing = sorted(set(range(n)) - set(covered.tolist()))
        if missing and sizes and all(s == batch_size for s in sizes):
            raise Wrong(f"indices {missing} are missing: keep the last, smaller batch "
                        f"(n={n}, batch_size={batch_size} gives sizes [4, 4, 2])")
        raise Wrong(f"your batches hold indices {sorted(covered.tolist())}; together they "
                    f"must hold each of 0..{n - 1} exactly once")
    if sizes != [4, 4, 2]:
        raise Wrong(f"batch sizes are {sizes}; for n={n}, batch_size={batch_size} "
                    "expected [4, 4, 2]")
    if covered.tolist() == list(range(n)):
        raise Wrong("the order is 0, 1, 2, ...: shuffle it with rng.permutation(n)")
    again = np.concatenate([np.asarray(b) for b in minibatches(n, batch_size,
                                                                np.random.default_rng(0))])
    if again.tolist() != covered.tolist():
        raise Wrong("two calls with the same seed gave different orders: draw every random "
                    "number from `rng`, not from np.random")


def _problem():
    """A small classification problem, a network, and batches (all fixed-seed)."""
    rng = np.random.default_rng(90)
    x = rng.normal(size=(40, 5))
    y = rng.integers(0, 3, size=40)
    net = nn.Sequential(nn.Dense(5, 8, rng=91, dtype=np.float64), nn.Tanh(),
                        nn.Dense(8, 3, rng=92, dtype=np.float64))
    batches = [np.arange(i, min(i + 16, 40)) for i in range(0, 40, 16)]  # sizes 16, 16, 8
    return x, y, net, batches


def _reference_epoch(net, x, y, batches, zero_grad: bool = True) -> list[float]:
    """Train ``net`` in place for one epoch; return the loss of each batch."""
    loss, optimizer = nn.CrossEntropyLoss(), nn.SGD(net.parameters(), lr=0.5)
    values = []
    for index in batches:
        values.append(loss(net.forward(x[index]), y[index]))
        if zero_grad:
            optimizer.zero_grad()
        net.backward(loss.backward())
        optimizer.step()
    return values


@check
def check_train_epoch(train_epoch):
    x, y, net, batches = _problem()
    mine, reference, forgetful = net.copy(), net.copy(), net.copy()
    losses = _reference_epoch(reference, x, y, batches)
    _reference_epoch(forgetful, x, y, batches, zero_grad=False)
    got = train_epoch(mine, x.copy(), y.copy(), nn.CrossEntropyLoss(),
                      nn.SGD(mine.parameters(), lr=0.5), [b.copy() for b in batches])
    named = list(mine.named_parameters())
    if all(np.allclose(p.data, q.data) for (_, p), q in zip(named, net.parameters())):
        raise Wrong("the weights did not change: call optimizer.step() after backward")
    if all(np.allclose(p.data, q.data) for (_, p), q in zip(named, forgetful.parameters())):
        raise Wrong("gradients piled up from batch to batch: call optimizer.zero_grad() "
                    "before each backward")
    for (name, p), q in zip(named, reference.parameters()):
        expect_close(p.data, q.data, what=f"after your epoch, parameter {name}", rtol=1e-6)
    sizes = [len(b) for b in batches]
    expected = float(np.dot(losses, sizes)) / sum(sizes)
    reject_mistakes(got, {"you returned the plain mean of the batch losses; weight each by "
                          "its batch size (the last batch is smaller)": np.mean(losses)},
                    rtol=1e-9)
    expect_scalar(got, expected, what="the mean loss you returned", rtol=1e-6)


@check
def check_accuracy(accuracy):
    rng = np.random.default_rng(93)
    scores = rng.normal(size=(12, 10))
    labels = scores.argmax(axis=1)
    labels[:5] = (labels[:5] + 1) % 10  # 7 of 12 right
    got = accuracy(scores.copy(), labels.copy())
    expect_scalar(got, 7 / 12, what="accuracy(scores, labels)")


@check
def check_shuffle_together(shuffle_together):
    x = np.arange(20).reshape(10, 2) * 10
    y = np.arange(10)
    got_x, got_y = unpack(shuffle_together(x.copy(), y.copy(), np.random.default_rng(94)),
                          ("x", "y"), "shuffle_together")
    rng = np.random.default_rng(94)
    planted_x, planted_y = x[rng.permutation(10)], y[rng.permutation(10)]
    got_x, got_y = np.asarray(got_x), np.asarray(got_y)
    if got_x.shape == x.shape and np.array_equal(got_x, planted_x):
        reject_planted_bug(got_y, planted_y, "the planted bug is still there: most images no "
                           "longer sit next to their own labels")
    if got_x.shape != x.shape or got_y.shape != y.shape:
        raise Wrong(f"shapes changed: x {got_x.shape} (expected {x.shape}), "
                    f"y {got_y.shape} (expected {y.shape})")
    if sorted(got_y.tolist()) != y.tolist():
        raise Wrong("the labels are not a reordering of the original labels")
    if not np.array_equal(got_x[:, 0] // 20, got_y):
        raise Wrong("some images no longer sit next to their own label: use ONE order "
                    "for both x and y")
    if got_y.tolist() == y.tolist():
        raise Wrong("nothing was shuffled: draw an order with rng.permutation")
