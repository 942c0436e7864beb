"""Optimizers: hand-computed PyTorch update rules, state round trip, denormal flushing."""

import math

import numpy as np
import pytest

from nprl.nn import SGD, Adam, AdamW, Parameter, RMSprop, clip_grad_norm
from nprl.nn.slabs import CHUNK, CHUNKED_FROM, FLUSH_EVERY


def make_param(value, grad, dtype=np.float64):
    p = Parameter(np.array(value, dtype=dtype))
    p.grad[...] = grad
    return p


def test_sgd_plain_step_is_p_minus_lr_grad():
    p = make_param([1.0, -2.0], [0.5, 0.25])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, -2.025])


def test_sgd_momentum_and_nesterov_match_hand_computation():
    # Step 1: buf = g = 1; step 2: buf = 0.9 * 1 + 1 = 1.9 (dampening 0).
    p = make_param([0.0], [1.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    opt.step()
    np.testing.assert_allclose(p.data, [-0.1 - 0.19])
    # Nesterov uses g + mu * buf: step 1: 1 + 0.9 * 1 = 1.9; step 2: 1 + 0.9 * 1.9 = 2.71.
    q = make_param([0.0], [1.0])
    opt = SGD([q], lr=0.1, momentum=0.9, nesterov=True)
    opt.step()
    opt.step()
    np.testing.assert_allclose(q.data, [-0.19 - 0.271])


def test_sgd_weight_decay_adds_l2_gradient():
    p = make_param([2.0], [0.0])
    SGD([p], lr=0.5, weight_decay=0.1).step()
    np.testing.assert_allclose(p.data, [2.0 - 0.5 * 0.2])


def test_rmsprop_plain_and_centered_match_hand_computation():
    g = 2.0
    p = make_param([1.0], [g])
    RMSprop([p], lr=0.01, alpha=0.9, eps=1e-8).step()
    square_avg = 0.1 * g * g
    np.testing.assert_allclose(p.data, [1.0 - 0.01 * g / (math.sqrt(square_avg) + 1e-8)])
    q = make_param([1.0], [g])
    RMSprop([q], lr=0.01, alpha=0.9, eps=1e-8, centered=True, momentum=0.5).step()
    grad_avg = 0.1 * g
    denom = math.sqrt(square_avg - grad_avg**2) + 1e-8
    np.testing.assert_allclose(q.data, [1.0 - 0.01 * (g / denom)])


def test_adam_two_steps_match_hand_computation():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    grads = [0.5, -1.5]
    p = make_param([1.0], [0.0])
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    value, m, v = 1.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        p.grad[...] = g
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        value -= lr / (1 - b1**t) * m / (math.sqrt(v) / math.sqrt(1 - b2**t) + eps)
        np.testing.assert_allclose(p.data, [value], rtol=1e-12)


@pytest.mark.parametrize("opt_class, wd", [(Adam, 0.0), (Adam, 0.01), (AdamW, 0.01)])
def test_adam_on_a_large_slab_goes_in_chunks_with_the_textbook_result(opt_class, wd):
    # Two parameters packed into one slab larger than CHUNKED_FROM, not a multiple of
    # CHUNK: every chunk (the short last one too) must follow the textbook update.
    rng = np.random.default_rng(0)
    sizes = (CHUNKED_FROM, CHUNK // 3)
    params = [make_param(rng.standard_normal(n), 0.0) for n in sizes]
    opt = opt_class(params, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
    values = [p.data.copy() for p in params]
    moments = [(np.zeros(n), np.zeros(n)) for n in sizes]
    for t in range(1, 4):
        for p, value, (m, v) in zip(params, values, moments):
            g = rng.standard_normal(p.data.size)
            p.grad[...] = g
            if opt_class is AdamW:
                value *= 1 - 0.01 * wd
            else:
                g = g + wd * value
            m[...] = 0.9 * m + 0.1 * g
            v[...] = 0.999 * v + 0.001 * g * g
            value -= 0.01 / (1 - 0.9**t) * m / (np.sqrt(v) / math.sqrt(1 - 0.999**t) + 1e-8)
        opt.step()
        for p, value in zip(params, values):
            np.testing.assert_allclose(p.data, value, rtol=1e-10, atol=1e-12)


def test_adamw_decays_weights_decoupled_from_gradient():
    # With zero gradient Adam's moment update is zero, so only the decay acts.
    p = make_param([2.0], [0.0])
    AdamW([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [2.0 * (1 - 0.1 * 0.5)])
    # Adam's weight_decay instead enters the gradient: a full normalized step of size lr.
    q = make_param([2.0], [0.0])
    Adam([q], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(q.data, [2.0 - 0.1], rtol=1e-6)


def test_optimizer_packs_parameters_and_notices_rebinding():
    a = make_param(np.ones((2, 3)), 1.0, np.float32)
    b = make_param(np.ones(3), 1.0, np.float32)
    opt = SGD([a, b], lr=1.0)
    assert a.data.base is b.data.base  # one contiguous slab
    b.data = np.full(3, 5.0, np.float32)  # rebinding is detected at the next step
    b.grad = np.ones(3, np.float32)
    opt.step()
    np.testing.assert_allclose(b.data, 4.0)
    np.testing.assert_allclose(a.data, 0.0)


def test_adam_state_follows_a_parameter_that_was_rebound():
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((4, 2, 3)).astype(np.float32)
    plain = [make_param(np.ones(3), 0.0, np.float32) for _ in range(2)]
    rebound = [make_param(np.ones(3), 0.0, np.float32) for _ in range(2)]
    optimizers = Adam(plain, lr=0.1), Adam(rebound, lr=0.1)
    for t, step_grads in enumerate(grads):
        if t == 2:  # a new array for the second parameter: the optimizer packs again
            rebound[1].data = rebound[1].data.copy()
            rebound[1].grad = np.zeros(3, np.float32)
        for params, optimizer in zip((plain, rebound), optimizers):
            for p, g in zip(params, step_grads):
                p.grad[...] = g
            optimizer.step()
    for p, q in zip(plain, rebound):
        np.testing.assert_array_equal(q.data, p.data)
    assert rebound[0].data.base is rebound[1].data.base  # one slab again


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    lambda ps: Adam(ps, lr=0.01),
    lambda ps: AdamW(ps, lr=0.01),
])
def test_state_dict_round_trip_resumes_bit_for_bit(make):
    # Save mid-training, rebuild, load, continue: bit-equal to the run that never stopped.
    # 1000 values x 10 steps: Adam's rescaled moments once came back an ulp off through
    # state_dict in about 4% of the values (a 4-value test had passed by luck).
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((20, 2, 500)).astype(np.float32)
    params = [make_param(np.zeros(500), 0.0, np.float32) for _ in range(2)]
    opt = make(params)

    def run(optimizer, parameters, steps):
        for step_grads in steps:
            for p, g in zip(parameters, step_grads):
                p.grad[...] = g
            optimizer.step()

    run(opt, params, grads[:10])
    saved_state, saved_values = opt.state_dict(), [p.data.copy() for p in params]
    run(opt, params, grads[10:])

    resumed = [make_param(value, 0.0, np.float32) for value in saved_values]
    opt2 = make(resumed)
    opt2.load_state_dict(saved_state)
    run(opt2, resumed, grads[10:])
    for p, q in zip(params, resumed):
        np.testing.assert_array_equal(q.data, p.data)


def test_adam_state_dict_holds_pytorch_moments():
    p = make_param([0.0, 0.0], [0.5, -2.0], np.float32)
    opt = Adam([p], lr=0.1)
    opt.step()
    state = opt.state_dict()
    np.testing.assert_allclose(state["exp_avg.0"], [0.05, -0.2], rtol=1e-6)  # (1 - b1) g
    np.testing.assert_allclose(state["exp_avg_sq.0"], [2.5e-4, 4e-3], rtol=1e-6)  # (1 - b2) g^2


def test_load_state_dict_rejects_wrong_shapes_and_names():
    opt = Adam([make_param(np.zeros(3), 0.0)])
    with pytest.raises(ValueError, match="shape"):
        opt.load_state_dict({"step": np.array(1), "exp_avg.0": np.zeros(4)})
    with pytest.raises(ValueError, match="unexpected"):
        opt.load_state_dict({"step": np.array(1), "velocity.0": np.zeros(3)})


def test_adam_state_holds_no_denormals_after_many_zero_gradient_steps():
    # Adam stores v / (1 - b2); one tiny gradient g = 3e-19 makes that g^2 = 9e-38 (a
    # normal float32), then zero gradients decay it by 0.999 per step.  Unflushed, after
    # 2500 steps it would be 7.4e-39: subnormal (float32's smallest normal is 1.2e-38).
    tiny = np.finfo(np.float32).tiny
    steps = 25 * FLUSH_EVERY
    unflushed = np.float32(3e-19) ** 2 * np.float32(0.999) ** steps
    assert 0 < unflushed < tiny  # the check below is not vacuous
    p = make_param(np.ones(1000), 3e-19, np.float32)
    opt = Adam([p], lr=1e-3)
    opt.step()
    p.grad[...] = 0.0
    for _ in range(steps - 1):
        opt.step()
    for name in ("exp_avg", "exp_avg_sq"):
        state = opt.state[0][name]
        subnormal = (state != 0) & (np.abs(state) < tiny)
        assert not subnormal.any(), name


def test_clip_grad_norm_scales_to_max_norm_and_returns_old_norm():
    a = make_param([0.0, 0.0], [3.0, 0.0])
    b = make_param([0.0], [4.0])
    total = clip_grad_norm([a, b], max_norm=1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([a.grad, b.grad]), [0.6, 0.0, 0.8], rtol=1e-5)
    untouched = make_param([0.0], [0.5])
    clip_grad_norm([untouched], max_norm=1.0)
    np.testing.assert_allclose(untouched.grad, [0.5])


def test_grad_norm_of_huge_finite_float32_gradients_is_finite():
    from nprl.nn import grad_norm

    huge = make_param([0.0, 0.0], [3e19, 4e19], dtype=np.float32)
    assert huge.grad.dtype == np.float32
    assert grad_norm([huge]) == pytest.approx(5e19, rel=1e-6)  # float32 squares overflow
    total = clip_grad_norm([huge], max_norm=1.0)
    assert total == pytest.approx(5e19, rel=1e-6)
    np.testing.assert_allclose(huge.grad, [0.6, 0.8], rtol=1e-5)


def test_bad_optimizer_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="empty"):
        Adam([])
    with pytest.raises(ValueError, match="Parameters"):
        SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        SGD([make_param([0.0], 0.0)], lr=0.1, nesterov=True)


def test_copy_of_a_packed_network_is_independent_and_trains_separately():
    from nprl.nn import Dense, Sequential

    net = Sequential(Dense(3, 4, rng=0), Dense(4, 2, rng=1))
    opt = Adam(net.parameters(), lr=0.1)
    target = net.copy()
    for p in target.parameters():
        assert not np.shares_memory(p.data, opt._packed.slabs[0][0])
    before = [p.data.copy() for p in target.parameters()]
    net(np.ones((2, 3), np.float32))
    opt.zero_grad()
    net.backward(np.ones((2, 2), np.float32))
    opt.step()
    for p, b in zip(target.parameters(), before):
        np.testing.assert_array_equal(p.data, b)
    assert not np.array_equal(net[0].weight.data, target[0].weight.data)
    target.load_state_dict(net.state_dict())  # a hard target update copies in place
    np.testing.assert_array_equal(net[0].weight.data, target[0].weight.data)
