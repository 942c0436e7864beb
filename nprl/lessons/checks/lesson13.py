"""Checks of lesson 13 (the DQN network): the Nature DQN architecture, batched TD targets
against ``nprl.rl.targets.td_targets``, picking the Q-values of the actions taken, the
Huber loss against ``nprl.nn.HuberLoss``, and the debug exercise (a "target network" that
is the online network itself).

:func:`nature_dqn` is the reference network (Mnih et al., 2015); checkpoint D uses it too.
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.checks.results import unpack
from nprl.lessons.grading import (
    NotYet,
    Wrong,
    check,
    expect_close,
    expect_scalar,
    reject_mistakes,
    sample,
)
from nprl.rl.targets import td_targets as nprl_td_targets

FRAME_STACK = 4  # input channels: the last four 84x84 frames


def nature_dqn(n_actions: int, rng=None, dtype=np.float32) -> nn.Sequential:
    """The Nature DQN network, (N, 4, 84, 84) in [0, 1] -> (N, n_actions)."""
    rng = np.random.default_rng(rng)
    return nn.Sequential(
        nn.Conv2D(FRAME_STACK, 32, 8, stride=4, rng=rng, dtype=dtype), nn.ReLU(),
        nn.Conv2D(32, 64, 4, stride=2, rng=rng, dtype=dtype), nn.ReLU(),
        nn.Conv2D(64, 64, 3, stride=1, rng=rng, dtype=dtype), nn.ReLU(),
        nn.Flatten(),
        nn.Dense(3136, 512, init="he_uniform", rng=rng, dtype=dtype), nn.ReLU(),
        nn.Dense(512, n_actions, rng=rng, dtype=dtype),
    )


# What each layer's config must hold (init, bias and dtype are the learner's choice).
_SHAPE_KEYS = ("type", "in_channels", "out_channels", "kernel_size", "stride", "padding",
               "in_features", "out_features")


def _describe(config: dict) -> str:
    kind = config["type"]
    if kind == "Conv2D":
        return (f"Conv2D({config['in_channels']}, {config['out_channels']}, kernel_size="
                f"{config['kernel_size'][0]}, stride={config['stride'][0]}"
                + (f", padding={config['padding'][0]})" if any(config["padding"]) else ")"))
    if kind == "Dense":
        return f"Dense({config['in_features']}, {config['out_features']})"
    return f"{kind}()"


def expect_nature_dqn(net, n_actions: int, what: str = "your network") -> None:
    """Raise Wrong unless ``net`` has the Nature DQN's layers and maps (2, 4, 84, 84) to (2, A)."""
    if not isinstance(net, nn.Sequential):
        raise Wrong(f"{what} should be an nn.Sequential, got {type(net).__name__}"
                    + (": did you forget `return`?" if net is None else ""))
    expected = [layer.config() for layer in nature_dqn(n_actions, rng=0)]
    got = [layer.config() for layer in net]
    for index, (want, have) in enumerate(zip(expected, got)):
        if {k: want.get(k) for k in _SHAPE_KEYS} != {k: have.get(k) for k in _SHAPE_KEYS}:
            raise Wrong(f"layer {index} of {what} should be {_describe(want)}; "
                        f"yours is {_describe(have)}")
    if len(got) != len(expected):
        extra = "missing" if len(got) < len(expected) else "too many"
        raise Wrong(f"{what} has {len(got)} layers, expected {len(expected)} "
                    f"({extra}: conv-ReLU x3, Flatten, Dense-ReLU, Dense)")
    q = net.predict(np.zeros((2, FRAME_STACK, 84, 84), np.float32))
    expect_close(np.shape(q), (2, n_actions), what=f"the output shape of {what}")


@check
def check_build_nature_dqn(build_nature_dqn):
    for n_actions in (6, 4):
        expect_nature_dqn(build_nature_dqn(n_actions), n_actions,
                          what=f"build_nature_dqn({n_actions})")


@check
def check_td_targets(td_targets):
    rng = np.random.default_rng(130)
    rewards = np.array([1.0, -1.0, 0.0, 0.5, 0.0])
    terminated = np.array([0.0, 1.0, 0.0, 0.0, 1.0])
    next_q = rng.normal(size=(5, 3))
    gamma = 0.99
    truth = nprl_td_targets(rewards, terminated, next_q, gamma)
    got = td_targets(rewards.copy(), terminated.copy(), next_q.copy(), gamma)
    reject_mistakes(got, {
        "terminal transitions still bootstrap: multiply the future by (1 - terminated); "
        "after game over there is no next state": rewards + gamma * next_q.max(axis=1),
        "you used argmax (the index of the best action); the target needs its value: max":
            rewards + gamma * (1 - terminated) * next_q.argmax(axis=1),
    })
    expect_close(got, truth, what="td_targets(...)")


@check
def check_select_actions(select_actions):
    q_all = sample((4, 3), seed=131)
    actions = np.array([2, 0, 1, 2])
    got = select_actions(q_all.copy(), actions.copy())
    reject_mistakes(got, {"q_all[:, actions] takes every chosen column for every row; pair "
                          "each row with its own action: q_all[np.arange(B), actions]":
                          q_all[:, actions]})
    expect_close(got, q_all[np.arange(4), actions], what="select_actions(q_all, actions)")


@check
def check_huber_loss(huber_loss):
    pred = np.array([0.2, -1.5, 3.0, 0.9, -0.4, 2.2])
    target = np.array([0.0, 0.5, 0.5, 1.0, -2.0, 2.0])  # errors both inside and outside 1
    for delta in (1.0, 2.0):
        loss = nn.HuberLoss(delta)
        value = loss(pred, target)
        value_got, grad_got = unpack(huber_loss(pred.copy(), target.copy(), delta),
                                     ("value", "grad"), "huber_loss")
        d = pred - target
        reject_mistakes(value_got, {"that is half the squared error everywhere; beyond "
                                    "|d| > delta the Huber loss grows linearly: "
                                    "delta * (|d| - delta / 2)": np.mean(0.5 * d * d)})
        expect_scalar(value_got, value, what=f"the loss value (delta={delta})")
        expect_close(grad_got, loss.backward(), what=f"the gradient (delta={delta})")


@check
def check_make_target_network(make_target_network):
    online = nn.Sequential(nn.Dense(3, 4, rng=0), nn.ReLU(), nn.Dense(4, 2, rng=1))
    x = sample((5, 3), seed=132, dtype=np.float32)
    before = online.predict(x)
    target = make_target_network(online)
    if target is online:
        raise NotYet("the planted bug is still there: an update of the online network "
                     "moves the target network too")
    if not isinstance(target, nn.Layer):
        raise Wrong(f"make_target_network should return a network, got {type(target).__name__}")
    expect_close(target.predict(x), before, what="the target network's Q-values")
    for p in online.parameters():
        p.data += 1.0  # an optimizer step, exaggerated
    if np.allclose(target.predict(x), online.predict(x)):
        raise Wrong("the target network moved with the online network: it shares their "
                    "layers or arrays; make a deep copy (online.copy())")
    expect_close(target.predict(x), before,
                 what="the target network's Q-values after an update of the online net")
