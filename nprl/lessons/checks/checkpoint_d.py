"""Checks of checkpoint D (the DQN network on Atari frames): the Nature network, its
parameter count (by code and by hand), Q-values of uint8 frames, one DQN update against
a reference update on copies of the same networks, and the learner's explanations
(present and non-trivial; their content is not graded).
"""

from __future__ import annotations

import numpy as np

from nprl import nn
from nprl.lessons.atari import pong_frames

# Checkpoint D grades the Nature network with lesson 13's own check (re-exported).
from nprl.lessons.checks.lesson13 import check_build_nature_dqn, nature_dqn  # noqa: F401
from nprl.lessons.grading import NotYet, Wrong, check, expect_close, expect_scalar, reject_mistakes
from nprl.rl.targets import td_targets

EXPLAINED = ("frame_stack", "convolutions", "q_values", "td_target", "huber_loss",
             "target_network")
MIN_WORDS = 5
LR = 0.05
GAMMA = 0.99


@check
def check_count_parameters(count_parameters):
    small = nn.Sequential(nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2, bias=False))
    expect_scalar(count_parameters(small), 3 * 4 + 4 + 4 * 2,
                  what="count_parameters of Dense(3, 4) - ReLU - Dense(4, 2, bias=False)")
    net = nature_dqn(6, rng=0)
    expect_scalar(count_parameters(net), sum(p.data.size for p in net.parameters()),
                  what="count_parameters of the Nature network")


@check
def check_parameters_by_hand(parameters_by_hand):
    for n_actions in (6, 4, 18):
        truth = sum(p.data.size for p in nature_dqn(n_actions, rng=0).parameters())
        got = parameters_by_hand(n_actions)
        biases = 32 + 64 + 64 + 512 + n_actions
        reject_mistakes(got, {f"parameters_by_hand({n_actions}) is {truth - biases:,}, "
                              f"expected {truth:,}: did you forget the biases?": truth - biases},
                        rtol=0, atol=0.5)
        expect_scalar(got, truth, what=f"parameters_by_hand({n_actions})", rtol=0, atol=0.5)


@check
def check_q_values(q_values):
    frames, _, _ = pong_frames(live=False)
    net = nature_dqn(6, rng=1)
    one = frames[0:4]
    batch = np.stack([frames[0:4], frames[2:6]])
    truth_one = net.predict(one[None].astype(np.float32) / 255)
    truth_batch = net.predict(batch.astype(np.float32) / 255)
    expect_close(q_values(net, one.copy()), truth_one, what="q_values(net, one state)",
                 rtol=1e-4, atol=1e-5)
    expect_close(q_values(net, batch.copy()), truth_batch, what="q_values(net, a batch)",
                 rtol=1e-4, atol=1e-5)


def _batch() -> dict[str, np.ndarray]:
    """Two real Pong transitions; the second is marked terminal to test the (1 - done) mask.

    With these networks every TD error lies inside Huber's quadratic zone, so the squared
    error, a missing terminal mask or targets from the online net all change the update.
    """
    frames, rewards, _ = pong_frames(live=False)
    return {"obs": np.stack([frames[0:4], frames[1:5]]),
            "next_obs": np.stack([frames[1:5], frames[2:6]]),
            "actions": np.array([2, 4]), "rewards": rewards[4:6].astype(np.float32),
            "terminated": np.array([0.0, 1.0], np.float32)}


def _optimizer(net) -> nn.SGD:
    """Plain SGD: unlike Adam's first step (lr * sign(g)), its step shows the gradient's size."""
    return nn.SGD(net.parameters(), lr=LR)


def _reference_update(online, target, batch, loss=None, targets_from=None,
                      mask_terminal=True) -> float:
    """One DQN update of ``online`` (in place); the variants name typical mistakes."""
    loss = loss if loss is not None else nn.HuberLoss(1.0)
    targets_from = targets_from if targets_from is not None else target
    optimizer = _optimizer(online)
    next_q = targets_from.predict(batch["next_obs"].astype(np.float32) / 255)
    done = batch["terminated"] if mask_terminal else np.zeros_like(batch["terminated"])
    y = td_targets(batch["rewards"], done, next_q, GAMMA)
    rows = np.arange(len(batch["actions"]))
    q_all = online.forward(batch["obs"].astype(np.float32) / 255)
    value = loss(q_all[rows, batch["actions"]], y)
    grad_q = np.zeros_like(q_all)
    grad_q[rows, batch["actions"]] = loss.backward()
    optimizer.zero_grad()
    online.backward(grad_q)
    optimizer.step()
    return value


def _change(net, start) -> np.ndarray:
    """All weights of ``net`` minus those of ``start``, as one vector."""
    return np.concatenate([(p.data - q.data).ravel()
                           for p, q in zip(net.parameters(), start.parameters())])


def _same_change(a, b, start) -> bool:
    """Did ``a`` and ``b`` move the same way from ``start`` (up to float32 rounding)?"""
    change_a, change_b = _change(a, start), _change(b, start)
    scale = max(np.abs(change_b).max(), np.abs(change_a).max(), 1e-12)
    return bool(np.abs(change_a - change_b).max() <= 1e-3 * scale)


def _same_weights(a, b) -> bool:
    return all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))


@check
def check_dqn_update(dqn_update):
    batch = _batch()
    online, target = nature_dqn(6, rng=2), nature_dqn(6, rng=3)  # different on purpose
    mine_online, mine_target = online.copy(), target.copy()
    optimizer = _optimizer(mine_online)
    got = dqn_update(mine_online, mine_target, optimizer,
                     {k: v.copy() for k, v in batch.items()}, GAMMA)
    reference = online.copy()
    value = _reference_update(reference, target, batch)
    if not _same_weights(mine_target, target):
        raise Wrong("the target network changed: only the online network is updated")
    if _same_weights(mine_online, online):
        raise Wrong("the online network did not change: call optimizer.zero_grad(), "
                    "online.backward(grad_q) and optimizer.step()")
    if not _same_change(mine_online, reference, online):
        mistakes = [  # (what the update did instead, the hint)
            ({"loss": nn.MSELoss()},
             "use the Huber loss (nn.HuberLoss(1.0)), not the squared error"),
            ({"targets_from": online},
             "the TD targets must come from the target network, not the online one"),
            ({"mask_terminal": False},
             "a terminated transition must not bootstrap: multiply by (1 - terminated)"),
        ]
        for kwargs, hint in mistakes:
            variant = online.copy()
            _reference_update(variant, target, batch, **kwargs)
            if _same_change(mine_online, variant, online):
                raise Wrong(hint)
        raise Wrong("after your update the online weights differ from a correct DQN "
                    "update's (check the TD target, the gradient at the actions taken, "
                    "and the /255 scaling of the frames)")
    expect_scalar(got, value, what="the loss you returned", rtol=1e-4)


@check
def check_explanations(explanations):
    answers = explanations()
    if not isinstance(answers, dict):
        raise Wrong(f"explanations() should return the dict of answers, got "
                    f"{type(answers).__name__}")
    missing = [key for key in EXPLAINED if key not in answers]
    if missing:
        raise Wrong(f"keep every key of the template; missing: {missing}")
    for key in EXPLAINED:
        text = answers[key]
        if not isinstance(text, str):
            raise Wrong(f'answers["{key}"] should be text (a str)')
        if len(text.split()) < MIN_WORDS:
            raise NotYet(f'write two or three sentences for "{key}" in your own words')
