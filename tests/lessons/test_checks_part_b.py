"""Every exercise of lessons 7-13 and checkpoints C, D: the worked solution passes, the stub
is "not yet", the planted bug of a debug exercise is "not yet", and plausible wrong
answers (a flipped sign, a wrong axis, a missing transpose, a forgotten step) are called
wrong with a hint that names the mistake."""

import numpy as np
import pytest

from nprl import nn
from nprl.lessons.checks import (
    checkpoint_c,
    checkpoint_d,
    lesson07,
    lesson08,
    lesson09,
    lesson10,
    lesson11,
    lesson12,
    lesson13,
)


def stub(*args, **kwargs):
    raise NotImplementedError


# -- right answers (the worked solutions) and their plausible wrong twins ----------------

def numerical_gradient(f, x, eps=1e-6, divide=2, restore=True):
    x = np.array(x, dtype=np.float64) if restore else x
    grad = np.zeros_like(x)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + eps
        plus = f(x)
        x.flat[i] = old - eps
        minus = f(x)
        x.flat[i] = old if restore else old + eps
        grad.flat[i] = (plus - minus) / (divide * eps)
    return grad


def dense_backward(x, W, g):
    return g @ W.T, x.T @ g, g.sum(axis=0)


def two_layer_backward(x, W1, b1, W2, b2, g, transpose_x=True, transpose_w1=False):
    h_pre = x @ W1 + b1
    h = np.maximum(h_pre, 0)
    g_h_pre = (g @ W2.T) * (h_pre > 0)
    grad_W1 = x.T @ g_h_pre
    grad_x = g_h_pre @ (W1.T if transpose_x else W1)
    return (grad_x, grad_W1.T if transpose_w1 else grad_W1, g_h_pre.sum(axis=0), h.T @ g,
            g.sum(axis=0))


def momentum_step(w, g, v, lr, mu):
    v = mu * v + g
    return w - lr * v, v


def adam_step(w, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, correct=True, square=True):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * (g * g if square else g)
    m_hat = m / (1 - b1**t) if correct else m
    v_hat = v / (1 - b2**t) if correct else v
    return w - lr * m_hat / (np.sqrt(np.abs(v_hat)) + eps), m, v


def make_tiny_adam(correct=True, off_by_one=False):
    class TinyAdam:
        def __init__(self, w, lr=1e-3):
            self.w, self.lr, self.t = np.array(w, dtype=float), lr, 0
            self.m, self.v = np.zeros_like(self.w), np.zeros_like(self.w)

        def step(self, g):
            self.t += 1
            t = self.t + 1 if off_by_one else self.t
            self.w, self.m, self.v = adam_step(self.w, g, self.m, self.v, t, self.lr,
                                               correct=correct)
            return self.w
    return TinyAdam


def minibatches(n, size, rng, keep_last=True, shuffle=True, use_rng=True):
    order = (rng.permutation(n) if use_rng else np.random.permutation(n)) if shuffle \
        else np.arange(n)
    stop = n if keep_last else n - n % size
    return [order[s:s + size] for s in range(0, stop, size)]


def train_epoch(net, x, y, loss, opt, batches, zero_grad=True, step=True, weighted=True):
    total, values = 0.0, []
    for index in batches:
        value = loss(net.forward(x[index]), y[index])
        if zero_grad:
            opt.zero_grad()
        net.backward(loss.backward())
        if step:
            opt.step()
        total += value * len(index)
        values.append(value)
    return total / sum(len(b) for b in batches) if weighted else float(np.mean(values))


def shuffle_together(x, y, rng, planted=False, labels_too=True):
    if planted:
        return x[rng.permutation(len(x))], y[rng.permutation(len(y))]
    order = rng.permutation(len(x))
    return x[order], (y[order] if labels_too else y)


def dropout(x, p, rng, scale=True, keep_p=False):
    keep = rng.random(x.shape) < p if keep_p else rng.random(x.shape) >= p
    return x * keep / (1 - p) if scale else x * keep


def dropout_layer(x, p, rng, training, planted=False):
    if not training and not planted:
        return x
    return dropout(x, p, rng)


def early_stopping(losses, patience, strict=False):
    best, waited = 0, 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
        if (waited > patience) if strict else (waited >= patience):
            return epoch, best
    return len(losses) - 1, best


def im2col(x, kh, kw, stride=1, transposed=False, channels_last=False):
    n, _, h, w = x.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    rows = []
    for s in range(n):
        for i in range(ho):
            for j in range(wo):
                patch = x[s, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                rows.append((patch.transpose(1, 2, 0) if channels_last else patch).ravel())
    cols = np.array(rows)
    return cols.T if transposed else cols


def conv2d_forward(x, W, b, stride=1, flip=False, to_nchw=True):
    n, _, h, w = x.shape
    o, _, kh, kw = W.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    W = W[:, :, ::-1, ::-1] if flip else W
    y = im2col(x, kh, kw, stride) @ W.reshape(o, -1).T + b
    return y.reshape(n, ho, wo, o).transpose(0, 3, 1, 2) if to_nchw else y.reshape(n, o, ho, wo)


def pool(x, k, reduce=np.max):
    n, c, h, w = x.shape
    return reduce(x.reshape(n, c, h // k, k, w // k, k), axis=(3, 5))


def bn_forward(x, gamma, beta, eps=1e-5, ddof=0, axis=0):
    mean, var = x.mean(axis=axis, keepdims=True), x.var(axis=axis, ddof=ddof, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def bn_backward(x, gamma, g, eps=1e-5, constants=False, beta_axis=0):
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    d = g * gamma
    grad_x = d * inv_std if constants else inv_std * (
        d - d.mean(axis=0) - x_hat * (d * x_hat).mean(axis=0))
    return grad_x, (g * x_hat).sum(axis=0), g.sum(axis=beta_axis)


def running_stats(mean, var, x, m=0.1, ddof=1, swapped=False):
    a, b = (m, 1 - m) if swapped else (1 - m, m)
    return a * mean + b * x.mean(axis=0), a * var + b * x.var(axis=0, ddof=ddof)


def nature(n_actions, stride2=2, extra_relu=False):
    layers = [nn.Conv2D(4, 32, 8, stride=4), nn.ReLU(), nn.Conv2D(32, 64, 4, stride=stride2),
              nn.ReLU(), nn.Conv2D(64, 64, 3), nn.ReLU(), nn.Flatten()]
    flat = 3136 if stride2 == 2 else 64 * 16 * 16
    layers += [nn.Dense(flat, 512), nn.ReLU(), nn.Dense(512, n_actions)]
    return nn.Sequential(*layers, *([nn.ReLU()] if extra_relu else []))


def huber(pred, target, delta=1.0, mse=False, mean_grad=True):
    d = pred - target
    if mse:
        return float(np.mean(0.5 * d * d)), d / d.size
    value = np.where(np.abs(d) <= delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))
    return value.mean(), np.clip(d, -delta, delta) / (d.size if mean_grad else 1)


def softmax_ce(z, y, shift=True, mean_grad=True):
    s = z - z.max(axis=1, keepdims=True) if shift else z
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    grad = np.exp(logp)
    grad[np.arange(len(y)), y] -= 1
    return -logp[np.arange(len(y)), y].mean(), grad / (len(y) if mean_grad else 1)


def forward_backward(params, x, y, b2_axis=0, transpose_w1=False):
    h_pre = x @ params["W1"] + params["b1"]
    h = np.maximum(h_pre, 0)
    loss, gz = softmax_ce(h @ params["W2"] + params["b2"], y)
    gh = (gz @ params["W2"].T) * (h_pre > 0)
    grad_w1 = x.T @ gh
    return loss, {"W1": grad_w1.T if transpose_w1 else grad_w1, "b1": gh.sum(axis=0),
                  "W2": h.T @ gz, "b2": gz.sum(axis=b2_axis)}


def train_mlp(x, y, hidden=64, epochs=8, batch_size=32, lr=0.3, seed=0, sign=1.0):
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    params = {"W1": rng.normal(0, np.sqrt(2 / d), (d, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(0, np.sqrt(1 / hidden), (hidden, 10)), "b2": np.zeros(10)}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            _, grads = forward_backward(params, x[index], y[index])
            for name in params:
                params[name] -= sign * lr * grads[name]
    return params


def by_hand(n, biases=True, flat=3136):
    b = 1 if biases else 0
    return (32 * 4 * 64 + 32 * b + 64 * 32 * 16 + 64 * b + 64 * 64 * 9 + 64 * b
            + flat * 512 + 512 * b + 512 * n + n * b)


def q_values(net, obs, scale=True):
    obs = np.asarray(obs)
    obs = obs[None] if obs.ndim == 3 else obs
    return net.predict(obs.astype(np.float32) / (255 if scale else 1))


def dqn_update(online, target, opt, batch, gamma=0.99, loss=None, targets_from="target",
               mask=True, step=True):
    loss = loss or nn.HuberLoss(1.0)
    rows = np.arange(len(batch["actions"]))
    source = target if targets_from == "target" else online
    next_q = source.predict(batch["next_obs"].astype(np.float32) / 255)
    done = batch["terminated"] if mask else 0
    y = (batch["rewards"] + gamma * (1 - done) * next_q.max(axis=1)).astype(np.float32)
    q_all = online.forward(batch["obs"].astype(np.float32) / 255)
    value = loss(q_all[rows, batch["actions"]], y)
    grad_q = np.zeros_like(q_all)
    grad_q[rows, batch["actions"]] = loss.backward()
    opt.zero_grad()
    online.backward(grad_q)
    if step:
        opt.step()
    return value


ANSWERS = {k: "a sentence or two in my own words, about this part." for k in
           checkpoint_d.EXPLAINED}

# name -> (check, right answer, [(wrong answer, words its hint must contain)])
CASES = {
    "7.numerical_gradient": (lesson07.check_numerical_gradient, numerical_gradient, [
        (lambda f, x, eps=1e-6: numerical_gradient(f, x, eps, divide=1), "2 times"),
        (lambda f, x, eps=1e-6: numerical_gradient(f, x, eps, restore=False), "changed x"),
    ]),
    "7.dense_backward": (lesson07.check_dense_backward, dense_backward, [
        (lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0)), "transpose"),
        (lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=1)), "reduced over axis 1"),
        (lambda x, W, g: (-(g @ W.T), x.T @ g, g.sum(axis=0)), "opposite sign"),
        (lambda x, W, g: (g @ W.T, x.T @ g), "return 3"),
    ]),
    "7.relu_backward": (lesson07.check_relu_backward, lambda x, g: g * (x > 0), [
        (lambda x, g: g * (x < 0), "elements differ"),
        (lambda x, g: (x > 0).astype(float), "elements differ"),
    ]),
    "7.two_layer_backward": (lesson07.check_two_layer_backward, two_layer_backward, [
        (lambda *a: two_layer_backward(*a, transpose_w1=True), "transpose"),
    ]),
    "8.momentum_step": (lesson08.check_momentum_step, momentum_step, [
        (lambda w, g, v, lr, mu: (w + lr * (mu * v + g), mu * v + g), "opposite sign"),
        (lambda w, g, v, lr, mu: (w - (mu * v + lr * g), mu * v + lr * g), "velocity"),
    ]),
    "8.adam_step": (lesson08.check_adam_step, adam_step, [
        (lambda *a, **k: adam_step(*a, **k, correct=False), "the change of w in step 1"),
        (lambda *a, **k: adam_step(*a, **k, square=False), "v after step 1"),
    ]),
    "8.tiny_adam": (lesson08.check_tiny_adam, make_tiny_adam(), [
        (make_tiny_adam(off_by_one=True), "TinyAdam's w after step 1"),
    ]),
    "9.minibatches": (lesson09.check_minibatches, minibatches, [
        (lambda n, s, rng: minibatches(n, s, rng, keep_last=False), "keep the last"),
        (lambda n, s, rng: minibatches(n, s, rng, shuffle=False), "shuffle it"),
        (lambda n, s, rng: minibatches(n, s, rng, use_rng=False), "from `rng`"),
    ]),
    "9.train_epoch": (lesson09.check_train_epoch, train_epoch, [
        (lambda *a: train_epoch(*a, zero_grad=False), "zero_grad"),
        (lambda *a: train_epoch(*a, step=False), "optimizer.step()"),
        (lambda *a: train_epoch(*a, weighted=False), "batch size"),
    ]),
    "9.accuracy": (lesson09.check_accuracy,
                   lambda s, y: float(np.mean(s.argmax(axis=1) == y)), [
                       (lambda s, y: float(np.sum(s.argmax(axis=1) == y)), "is 7"),
                       (lambda s, y: float(np.mean(s.argmax(axis=1) != y)), "expected 0.5833"),
                   ]),
    "9.shuffle_together": (lesson09.check_shuffle_together, shuffle_together, [
        (lambda x, y, rng: shuffle_together(x, y, rng, labels_too=False), "own label"),
        (lambda x, y, rng: (x, y), "nothing was shuffled"),
    ]),
    "10.dropout": (lesson10.check_dropout, dropout, [
        (lambda x, p, rng: dropout(x, p, rng, scale=False), "unscaled"),
        (lambda x, p, rng: dropout(x, p, rng, keep_p=True), "instead of dropping"),
        (lambda x, p, rng: x * (np.random.random(x.shape) >= p) / (1 - p), "from `rng`"),
    ]),
    "10.dropout_layer": (lesson10.check_dropout_layer, dropout_layer, [
        (lambda x, p, rng, training: dropout(x, p, rng) if training else 0 * x,
         "training=False"),
    ]),
    "10.sgd_weight_decay_step": (lesson10.check_sgd_weight_decay_step,
                                 lambda w, g, lr, wd: w - lr * (g + wd * w), [
                                     (lambda w, g, lr, wd: w - lr * (g - wd * w), "away"),
                                     (lambda w, g, lr, wd: w - lr * g - wd * w, "change of w"),
                                 ]),
    "10.early_stopping": (lesson10.check_early_stopping, early_stopping, [
        (lambda v, p: early_stopping(v, p, strict=True), "off by one"),
        (lambda v, p: (len(v) - 1, int(np.argmin(v))), "expected"),
    ]),
    "11.conv_output_size": (lesson11.check_conv_output_size,
                            lambda n, k, s=1, p=0: (n + 2 * p - k) // s + 1, [
                                (lambda n, k, s=1, p=0: (n - k) // s + 1, "padding=1"),
                            ]),
    "11.im2col": (lesson11.check_im2col, im2col, [
        (lambda x, kh, kw, s=1: im2col(x, kh, kw, s, transposed=True), "transpose"),
        (lambda x, kh, kw, s=1: im2col(x, kh, kw, s, channels_last=True), "expected"),
    ]),
    "11.conv2d_forward": (lesson11.check_conv2d_forward, conv2d_forward, [
        (lambda x, W, b, s=1: conv2d_forward(x, W, b, s, flip=True), "flipped"),
        (lambda x, W, b, s=1: conv2d_forward(x, W, b, s, to_nchw=False), "differ"),
    ]),
    "11.maxpool2d": (lesson11.check_maxpool2d, pool, [
        (lambda x, k: pool(x, k, np.mean), "averaged"),
        (lambda x, k: pool(x, k, np.min), "differ"),
    ]),
    "12.batchnorm_forward": (lesson12.check_batchnorm_forward, bn_forward, [
        (lambda x, g, b, eps=1e-5: bn_forward(x, g, b, eps, ddof=1), "unbiased"),
        (lambda x, g, b, eps=1e-5: bn_forward(x, g, b, eps, axis=1), "differ"),
    ]),
    "12.batchnorm_backward": (lesson12.check_batchnorm_backward, bn_backward, [
        (lambda x, g, gy, eps=1e-5: bn_backward(x, g, gy, eps, constants=True), "constants"),
        (lambda x, g, gy, eps=1e-5: bn_backward(x, g, gy, eps, beta_axis=1), "axis 1"),
    ]),
    "12.channel_grads": (lesson12.check_channel_grads,
                         lambda xh, g: ((g * xh).sum(axis=(0, 2, 3)), g.sum(axis=(0, 2, 3))), [
                             (lambda xh, g: ((g * xh).sum(axis=(0, 2, 3)), g.sum(axis=0)),
                              "grad_beta has shape"),
                         ]),
    "12.update_running_stats": (lesson12.check_update_running_stats, running_stats, [
        (lambda m, v, x, mo=0.1: running_stats(m, v, x, mo, ddof=0), "biased variance"),
        (lambda m, v, x, mo=0.1: running_stats(m, v, x, mo, swapped=True), "running_mean"),
    ]),
    "12.residual_backward": (lesson12.check_residual_backward, lambda g, f: g + f(g), [
        (lambda g, f: f(g), "shortcut"),
    ]),
    "13.build_nature_dqn": (lesson13.check_build_nature_dqn, nature, [
        (lambda n: nature(n, stride2=1), "should be Conv2D(32, 64, kernel_size=4, stride=2)"),
        (lambda n: nature(n, extra_relu=True), "too many"),
    ]),
    "13.td_targets": (lesson13.check_td_targets,
                      lambda r, d, q, g: r + g * (1 - d) * q.max(axis=1), [
                          (lambda r, d, q, g: r + g * q.max(axis=1), "(1 - terminated)"),
                          (lambda r, d, q, g: r + g * (1 - d) * q.argmax(axis=1), "argmax"),
                          (lambda r, d, q, g: r - g * (1 - d) * q.max(axis=1), "expected"),
                      ]),
    "13.select_actions": (lesson13.check_select_actions,
                          lambda q, a: q[np.arange(len(a)), a], [
                              (lambda q, a: q[:, a], "own action"),
                              (lambda q, a: q.max(axis=1), "expected"),
                          ]),
    "13.huber_loss": (lesson13.check_huber_loss, huber, [
        (lambda p, t, d=1.0: huber(p, t, d, mse=True), "linearly"),
        (lambda p, t, d=1.0: huber(p, t, d, mean_grad=False), "6 times"),
    ]),
    "13.make_target_network": (lesson13.check_make_target_network, lambda net: net.copy(), [
        (lambda net: nn.Sequential(*net.layers), "moved with the online network"),
    ]),
    "C.softmax_cross_entropy": (checkpoint_c.check_softmax_cross_entropy, softmax_ce, [
        (lambda z, y: softmax_ce(z, y, shift=False), "NaN"),
        (lambda z, y: softmax_ce(z, y, mean_grad=False), "4 times"),
    ]),
    "C.forward_backward": (checkpoint_c.check_forward_backward, forward_backward, [
        (lambda p, x, y: forward_backward(p, x, y, b2_axis=1), "axis 1"),
        (lambda p, x, y: forward_backward(p, x, y, transpose_w1=True), "transpose"),
        (lambda p, x, y: forward_backward(p, x, y)[1], "return 2 values"),
    ]),
    "C.train_mlp": (checkpoint_c.check_train_mlp, train_mlp, [
        (lambda x, y, seed=0: train_mlp(x, y, seed=seed, sign=-1.0), "wrong sign"),
        (lambda x, y, seed=0: train_mlp(x, y, epochs=1, lr=0.01, seed=seed), "below 0.88"),
    ]),
    "D.build_nature_dqn": (checkpoint_d.check_build_nature_dqn, nature, [
        (lambda n: nature(n, stride2=1), "layer 2"),
    ]),
    "D.count_parameters": (checkpoint_d.check_count_parameters,
                           lambda net: sum(p.data.size for p in net.parameters()), [
                               (lambda net: sum(p.data.size for p in net.parameters()
                                                if p.name == "weight"), "expected"),
                               (lambda net: len(net.parameters()), "expected"),
                           ]),
    "D.parameters_by_hand": (checkpoint_d.check_parameters_by_hand, by_hand, [
        (lambda n: by_hand(n, biases=False), "biases"),
        (lambda n: by_hand(n, flat=64 * 9 * 9), "expected"),
    ]),
    "D.q_values": (checkpoint_d.check_q_values, q_values, [
        (lambda net, obs: q_values(net, obs, scale=False), "255 times"),
        (lambda net, obs: net.predict(np.asarray(obs, np.float32) / 255), "shape"),
    ]),
    "D.dqn_update": (checkpoint_d.check_dqn_update, dqn_update, [
        (lambda *a: dqn_update(*a, loss=nn.MSELoss()), "Huber"),
        (lambda *a: dqn_update(*a, targets_from="online"), "target network"),
        (lambda *a: dqn_update(*a, mask=False), "(1 - terminated)"),
        (lambda *a: dqn_update(*a, step=False), "did not change"),
    ]),
    "D.explanations": (checkpoint_d.check_explanations, lambda: dict(ANSWERS), [
        (lambda: {k: v for k, v in ANSWERS.items() if k != "td_target"}, "missing"),
        (lambda: {**ANSWERS, "huber_loss": 3}, "str"),
    ]),
}

# The planted bug of every debug exercise, as the exercise notebook hands it out.
PLANTED = {
    "7.two_layer_backward": lambda *a: two_layer_backward(*a, transpose_x=False),
    "8.tiny_adam": make_tiny_adam(correct=False),
    "9.shuffle_together": lambda x, y, rng: shuffle_together(x, y, rng, planted=True),
    "10.dropout_layer": lambda x, p, rng, training: dropout_layer(x, p, rng, training,
                                                                  planted=True),
    "11.conv_output_size": lambda n, k, s=1, p=0: (n + 2 * p - k) // s,
    "12.channel_grads": lambda xh, g: ((g * xh).sum(axis=(0, 2, 3)), g.sum(axis=(1, 2, 3))),
    "13.make_target_network": lambda net: net,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_solution_passes_and_stub_is_not_yet(name, capsys):
    check_fn, right, _ = CASES[name]
    verdict = check_fn(right)
    assert verdict.status == "passed", verdict
    verdict = check_fn(stub)
    assert verdict.status == "not yet" and verdict.exercise == name.split(".")[1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_wrong_answers_are_called_wrong_with_a_hint(name, capsys):
    check_fn, _, wrongs = CASES[name]
    for wrong, words in wrongs:
        verdict = check_fn(wrong)
        assert verdict.status == "wrong", (name, words, verdict)
        assert words in verdict.hint, (name, words, verdict.hint)


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_bugs_are_not_yet(name, capsys):
    verdict = CASES[name][0](PLANTED[name])
    assert verdict.status == "not yet", verdict
    assert "planted bug" in verdict.hint, verdict.hint


def test_explanations_left_empty_are_not_yet(capsys):
    empty = {k: "" for k in checkpoint_d.EXPLAINED}
    verdict = checkpoint_d.check_explanations(lambda: empty)
    assert verdict.status == "not yet" and "your own words" in verdict.hint


def test_nature_dqn_parameter_count_is_computed_not_trusted():
    """6 actions (Pong): 1,687,206; 4 actions (Breakout): 1,686,180."""
    for n_actions, count in ((6, 1_687_206), (4, 1_686_180)):
        net = lesson13.nature_dqn(n_actions, rng=0)
        assert sum(p.data.size for p in net.parameters()) == count == by_hand(n_actions)
