"""Every exercise of lessons 1-6 and checkpoints A, B: the worked solution passes, the stub
is "not yet", the planted bug of a debug exercise is "not yet", and plausible wrong answers
are called wrong with a hint that names the mistake."""

import numpy as np
import pytest

from nprl.lessons.checks import (
    checkpoint_a,
    checkpoint_b,
    lesson01,
    lesson02,
    lesson03,
    lesson04,
    lesson05,
    lesson06,
)


def stub(*args):
    raise NotImplementedError


def sig(z):
    return 1 / (1 + np.exp(-z))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def ce(z, y):
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))


def perceptron_update(w, b, x, y, lr):
    error = y - float(w @ x + b > 0)
    return w + lr * error * x, b + lr * error


def train(X, y, epochs, lr, count_after=False):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            before = float(w @ x_i + b > 0) != y_i
            w, b = perceptron_update(w, b, x_i, y_i, lr)
            mistakes += int(float(w @ x_i + b > 0) != y_i) if count_after else int(before)
        errors.append(mistakes)
    return w, b, errors


def learn_and(X, y, epochs=20, lr=0.1, bias_sign=1.0):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            error = y_i - float(w @ x_i + b > 0)
            w = w + lr * error * x_i
            b = b + bias_sign * lr * error
    return w, b


def forward(X, params, last_relu=False, relu=True):
    for i, (W, b) in enumerate(params):
        X = X @ W + b
        if relu and (i < len(params) - 1 or last_relu):
            X = np.maximum(X, 0)
    return X


def ce_grad(z, y, divide=True):
    p = softmax(z)
    p[np.arange(len(y)), y] -= 1
    return p / len(y) if divide else p


XOR = lambda X, relu=True, b1=(0.0, -1.0): (
    (np.maximum if relu else (lambda a, _: a))(X @ np.ones((2, 2)) + np.array(b1), 0)
    @ np.array([1.0, -2.0]))

# (check, right answer, wrong answers as (function, words the hint must contain))
CASES = {
    "weighted_sum": (lesson01.check_weighted_sum, lambda x, w, b: w @ x + b,
                     [(lambda x, w, b: w @ x - b, "not subtracted"),
                      (lambda x, w, b: w @ x, "bias b is missing"),
                      (lambda x, w, b: w * x + b, "one number")]),
    "step": (lesson01.check_step, lambda z: (z > 0).astype(float),
             [(lambda z: (z >= 0).astype(float), "step(0) should be 0"),
              (lambda z: (z < 0).astype(float), "elements differ")]),
    "neuron": (lesson01.check_neuron, lambda x, w, b: sig(w @ x + b),
               [(lambda x, w, b: 1 / (1 + np.exp(w @ x + b)), "the exponent is -z"),
                (lambda x, w, b: w @ x + b, "apply the sigmoid")]),
    "batch_neuron": (lesson01.check_batch_neuron, lambda X, w, b: X @ w + b,
                     [(lambda X, w, b: (X * w + b).sum(axis=0), "reduced over axis 0"),
                      (lambda X, w, b: (X @ w + b)[:, None], "extra axis")]),
    "perceptron_predict": (lesson02.check_perceptron_predict,
                           lambda X, w, b: (X @ w + b > 0).astype(float),
                           [(lambda X, w, b: X @ w + b, "return its step"),
                            (lambda X, w, b: (X @ w + b >= 0).astype(float), "not >= 0"),
                            (lambda X, w, b: (X @ w + b < 0).astype(float), "differ")]),
    "perceptron_update": (lesson02.check_perceptron_update, perceptron_update,
                          [(lambda w, b, x, y, lr: (perceptron_update(w, b, x, y, -lr)),
                            "moved the wrong way"),
                           (lambda w, b, x, y, lr: perceptron_update(w, b, x, y, lr)[0],
                            "return 2 values")]),
    "train_perceptron": (lesson02.check_train_perceptron, train,
                         [(lambda X, y, e, lr: train(X, y, e, lr, count_after=True),
                           "BEFORE the update"),
                          (lambda X, y, e, lr: train(X, y, e, lr)[:2],
                           "return 3: (w, b, errors)")]),
    "learn_and": (lesson02.check_learn_and, learn_and,
                  [(lambda X, y: learn_and(X, y, bias_sign=-1.0), "after training")]),
    "relu": (lesson03.check_relu, lambda x: np.maximum(x, 0),
             [(np.abs, "does not flip them"), (lambda x: np.minimum(x, 0), "positive part"),
              (lambda x: x > 0, "True/False")]),
    "sigmoid": (lesson03.check_sigmoid, sig,
                [(lambda x: 1 / (1 + np.exp(x)), "the exponent is -x"),
                 (np.tanh, "that is tanh")]),
    "tanh": (lesson03.check_tanh, np.tanh, [(sig, "that is the sigmoid"),
                                            (lambda x: -np.tanh(x), "wrong sign")]),
    "softmax": (lesson03.check_softmax, softmax,
                [(lambda x: softmax(x, axis=0), "each column"),
                 (lambda x: np.exp(x - x.max(axis=-1, keepdims=True)), "softmax(x)")]),
    "sigmoid_derivative": (lesson03.check_sigmoid_derivative, lambda z: sig(z) * (1 - sig(z)),
                           [(lambda z: sig(z) * (1 + sig(z)), "the slope is s * (1 - s)"),
                            (sig, "the sigmoid itself")]),
    "action_probabilities": (lesson03.check_action_probabilities,
                             lambda q, t: softmax(q / t),
                             [(lambda q, t: softmax(q), "the temperature is gone")]),
    "layer_shapes": (lesson04.check_layer_shapes,
                     lambda s: [((a, b), (b,)) for a, b in zip(s, s[1:])],
                     [(lambda s: [((b, a), (b,)) for a, b in zip(s, s[1:])], "transposed"),
                      (lambda s: [(a, b) for a, b in zip(s, s[1:])], "pairs")]),
    "count_parameters": (lesson04.check_count_parameters,
                         lambda s: sum(a * b + b for a, b in zip(s, s[1:])),
                         [(lambda s: sum(a * b for a, b in zip(s, s[1:])), "only the weights"),
                          (lambda s: sum(a * b + a for a, b in zip(s, s[1:])), "expected")]),
    "two_layer": (lesson04.check_two_layer,
                  lambda X, W1, b1, W2, b2: forward(X, [(W1, b1), (W2, b2)]),
                  [(lambda X, W1, b1, W2, b2: forward(X, [(W1, b1), (W2, b2)], relu=False),
                    "no ReLU"),
                   (lambda X, W1, b1, W2, b2: forward(X, [(W1, b1), (W2, b2)], last_relu=True),
                    "two_layer")]),
    "xor_net": (lesson04.check_xor_net, XOR,
                [(lambda X: XOR(X, b1=(0.0, 1.0)), "xor_net(X)")]),
    "dense_forward": (lesson05.check_dense_forward, lambda X, W, b: X @ W + b,
                      [(lambda X, W, b: X @ W, "bias b is missing"),
                       (lambda X, W, b: X @ W.T + b, "ValueError")]),
    "forward": (lesson05.check_forward, forward,
                [(lambda X, p: forward(X, p, last_relu=True), "after the last layer"),
                 (lambda X, p: forward(X, p, relu=False), "collapse into one linear map")]),
    "greedy_actions": (lesson05.check_greedy_actions, lambda q: q.argmax(axis=1),
                       [(lambda q: q.argmax(axis=0), "axis=1"),
                        (lambda q: q.argmin(axis=1), "LARGEST Q-value")]),
    "q_network": (lesson05.check_q_network, forward,
                  [(lambda X, p: forward(X, p, relu=False), "collapse into one linear map")]),
    "mse": (lesson06.check_mse, lambda p, t: np.mean((p - t) ** 2),
            [(lambda p, t: np.sum((p - t) ** 2), "mean"),
             (lambda p, t: np.mean(np.abs(p - t)), "mean absolute error")]),
    "mse_grad": (lesson06.check_mse_grad, lambda p, t: 2 * (p - t) / p.size,
                 [(lambda p, t: (p - t) / p.size, "0.5 times"),
                  (lambda p, t: 2 * (t - p) / p.size, "opposite sign")]),
    "cross_entropy": (lesson06.check_cross_entropy, ce,
                      [(lambda z, y: float(-np.mean(np.log(softmax_noshift(z))[np.arange(5), y])),
                        "NaN"),
                       (lambda z, y: ce(z, y) * len(y), "take the mean"),
                       (lambda z, y: -ce(z, y), "MINUS the log-probability")]),
    "cross_entropy_grad": (lesson06.check_cross_entropy_grad, ce_grad,
                           [(lambda z, y: ce_grad(z, y, divide=False), "5 times"),
                            (lambda z, y: -ce_grad(z, y), "opposite sign")]),
    "policy_loss": (lesson06.check_policy_loss,
                    lambda z, a, g: float(-np.mean(log_softmax(z)[np.arange(5), a] * g)),
                    [(lambda z, a, g: float(np.mean(log_softmax(z)[np.arange(5), a] * g)),
                      "opposite sign")]),
    "accuracy": (checkpoint_b.check_accuracy, lambda z, y: np.mean(z.argmax(1) == y),
                 [(lambda z, y: 100 * np.mean(z.argmax(1) == y), "percentage"),
                  (lambda z, y: np.mean(z.argmin(1) == y), "expected")]),
    "td_loss": (checkpoint_b.check_td_loss,
                lambda q, a, t: np.mean((q[np.arange(len(a)), a] - t) ** 2),
                [(lambda q, a, t: np.mean((q - t[:, None]) ** 2), "only the action taken"),
                 (lambda q, a, t: np.mean((q[:, a] - t) ** 2), "(N, N) table")]),
    "evaluate": (checkpoint_b.check_evaluate,
                 lambda X, y, p: (ce(forward(X, p), y), np.mean(forward(X, p).argmax(1) == y)),
                 [(lambda X, y, p: (np.mean(forward(X, p).argmax(1) == y), ce(forward(X, p), y)),
                   "the loss"),
                  (lambda X, y, p: ce(forward(X, p), y), "return 2 values")]),
}


def softmax_noshift(z):
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


PLANTED = {
    "batch_neuron": lambda X, w, b: np.sum(X * w) + b,
    "learn_and": lambda X, y: lesson02.reference_train(X, y, 20, 0.1, bias_only_up=True)[:2],
    "action_probabilities": lambda q, t: softmax_noshift(q / t),
    "xor_net": lambda X: XOR(X, relu=False),
    "q_network": lambda X, p: forward(X, p, last_relu=True),
    "policy_loss": lambda z, a, g: float(-np.mean(log_softmax(z)[:, a] * g)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_solution_passes_and_stub_is_not_yet(name, capsys):
    check_fn, right, _ = CASES[name]
    assert check_fn(right).status == "passed", capsys.readouterr().out
    verdict = check_fn(stub)
    assert verdict.status == "not yet" and verdict.exercise == name


@pytest.mark.parametrize("name", sorted(CASES))
def test_wrong_answers_are_called_wrong_with_a_hint(name, capsys):
    check_fn, _, wrongs = CASES[name]
    for wrong, words in wrongs:
        verdict = check_fn(wrong)
        assert verdict.status == "wrong", (name, words)
        assert words in verdict.hint, (name, verdict.hint)


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_bugs_are_not_yet(name, capsys):
    verdict = CASES[name][0](PLANTED[name])
    assert verdict.status == "not yet", verdict
    assert "planted bug" in verdict.hint or "NaN" in verdict.hint, verdict.hint


def test_checkpoint_a_layer_with_each_activation(capsys):
    acts = {"relu": lambda x: np.maximum(x, 0), "sigmoid": sig, "tanh": np.tanh,
            "softmax": softmax}
    assert checkpoint_a.check_layer(lambda X, W, b, f: f(X @ W + b), acts).passed
    verdict = checkpoint_a.check_layer(lambda X, W, b, f: f(X @ W) + b, acts)
    assert verdict.status == "wrong" and "layer(X, W, b, relu)" in verdict.hint
    assert checkpoint_a.check_layer(stub, acts).status == "not yet"
    for name in ("relu", "sigmoid", "tanh", "softmax"):  # the same checks as lesson 3
        assert getattr(checkpoint_a, f"check_{name}") is getattr(lesson03, f"check_{name}")
