"""Q-values along one greedy episode: the picture ``nprl qmap`` draws for image observations.

A Q-map slices a vector observation along two of its components; an image has no such
axes worth sweeping. What still shows how an agent values its situation is the trace of
``Q(s_t, a)`` for every action along an episode it plays: V = max Q should rise before a
reward, drop when a life is lost, and the gap between actions shows where a choice mattered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nprl.errors import require
from nprl.rewards import task_reward
from nprl.viz import save_figure


@dataclass
class QTrace:
    """One greedy episode: ``q`` (T, n_actions), ``actions`` (T,), ``rewards`` (T,) (the
    game's score per step), ``action_names``, and whether the step cap cut it short."""

    q: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    action_names: list[str]
    cut: bool


def record_q_trace(agent, env, action_names: list[str] | None = None, seed: int = 0,
                   max_steps: int = 2_000) -> QTrace:
    """Play one greedy episode (at most ``max_steps`` steps), keeping every Q-vector."""
    obs, _ = env.reset(seed=seed)
    qs, actions, rewards = [], [], []
    done = False
    while not done and len(qs) < max_steps:
        q = agent.q_values(np.asarray(obs)[None])[0]
        action = int(q.argmax())
        obs, reward, terminated, truncated, info = env.step(action)
        qs.append(q)
        actions.append(action)
        rewards.append(task_reward(reward, info))
        done = terminated or truncated
    n_actions = len(qs[0])
    names = action_names or [f"action {a}" for a in range(n_actions)]
    return QTrace(np.array(qs), np.array(actions), np.array(rewards), list(names), not done)


def plot_q_trace(trace: QTrace, out: str | Path, title: str = "") -> Path:
    """Q(s_t, a) per action over the episode, the greedy one marked, rewards below; PNG."""
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    pyplot = require("matplotlib.pyplot")
    figure, (top, bottom) = pyplot.subplots(2, 1, figsize=(10, 5.5), sharex=True,
                                            gridspec_kw={"height_ratios": [3, 1]})
    steps = np.arange(len(trace.q))
    for a, name in enumerate(trace.action_names):
        top.plot(steps, trace.q[:, a], lw=1.0, label=f"Q(s, {name})")
    top.plot(steps, trace.q.max(axis=1), color="black", lw=1.6, ls="--", label="V(s) = max Q")
    top.set_ylabel("Q-value")
    top.legend(loc="upper left", fontsize=8, ncol=2)
    bottom.bar(steps, trace.rewards, color="tab:orange", width=1.0)
    bottom.set_ylabel("reward")
    bottom.set_xlabel("step of the episode" + (" (cut at the step cap)" if trace.cut else ""))
    return save_figure(figure, out, title, dpi=100)
