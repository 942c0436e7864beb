"""The metric names of a training run: one fixed, documented set.

Every name below is a column of ``RUN_DIR/metrics.csv`` (in this order) and, with the
``tensorboard`` extra installed, a TensorBoard scalar tagged ``<row kind>/<name>``
(``train/td_loss``, ``episode/return``, ``eval/eval_mean``, ...). Each row of
``metrics.csv`` has a ``kind``; a metric that does not apply to a row's kind is left empty:

- ``episode``: one row when an episode ends;
- ``train``: one row every ``log_interval`` env steps. Per-update metrics (TD loss, Q,
  gradient norm, PER) are means over the updates of that interval (``q_max``: the
  interval's maximum); the rest (epsilon, lr, weight norms, replay size) are read at the
  moment the row is written;
- ``eval``: one row per greedy evaluation (every ``eval_interval`` env steps).

Per-layer weight norms are one column per parametrised layer of the Q-network, named
``weight_norm/<layer>`` after the layer's parameter prefix in the network's state dict
(``weight_norm/0``, ``weight_norm/2``, ... for an MLP; a dueling head gives
``weight_norm/4.value`` and ``weight_norm/4.advantage``). The network is fixed for a run, so
these columns are fixed too: they are appended to the header when the run starts.

Columns are only ever appended to :data:`METRICS`, so an older run's header is a prefix of
today's and stays readable (missing columns read as empty).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from nprl.nn.layer import Layer


class Metric(NamedTuple):
    """One column of ``metrics.csv``: the row kinds that fill it and what it means."""

    rows: tuple[str, ...]
    description: str


EPISODE, TRAIN, EVAL = ("episode",), ("train",), ("eval",)
ALL_ROWS = ("episode", "train", "eval")
RECENT_EPISODES = 20  # the window of "recent" episodes: success_rate, the progress bar, reports

# name -> Metric, in column order. New names go at the end (old headers stay prefixes).
METRICS: dict[str, Metric] = {
    "kind": Metric(ALL_ROWS, "row kind: episode, train or eval"),
    "step": Metric(ALL_ROWS, "environment steps taken so far (the x axis)"),
    "episode": Metric(ALL_ROWS, "episodes finished so far"),
    "return": Metric(EPISODE, "undiscounted return of the episode that just ended, in the "
                              "task's own reward (without any shaping)"),
    "length": Metric(EPISODE, "steps of the episode that just ended"),
    "epsilon": Metric(EPISODE + TRAIN, "exploration rate epsilon at that step"),
    "td_loss": Metric(TRAIN, "mean TD loss (Huber or MSE, PER-weighted) of the interval"),
    "q_mean": Metric(TRAIN, "mean Q(s, a) of the sampled batches (actions taken)"),
    "grad_norm": Metric(TRAIN, "mean global gradient norm, before clipping"),
    "eval_mean": Metric(EVAL, "mean return of the greedy evaluation episodes"),
    "eval_std": Metric(EVAL, "standard deviation of the evaluation returns"),
    "eval_min": Metric(EVAL, "lowest evaluation return"),
    "eval_max": Metric(EVAL, "highest evaluation return"),
    "sps": Metric(TRAIN, "environment steps per second over the interval (machine speed)"),
    "time": Metric(TRAIN, "seconds of training so far, across resumes (machine speed)"),
    "success": Metric(EPISODE, "1 if the episode succeeded, 0 if not; empty when the env "
                               "reports no info['is_success']"),
    "eval_success": Metric(EVAL, "fraction of evaluation episodes that succeeded "
                                 "(envs that report is_success)"),
    "q_max": Metric(TRAIN, "largest |Q(s, a)| of the sampled batches in the interval "
                           "(what the divergence guard bounds)"),
    "lr": Metric(TRAIN, "learning rate, read from the optimizer"),
    "success_rate": Metric(TRAIN, f"fraction of the last {RECENT_EPISODES} episodes that "
                                  "succeeded (envs that report is_success)"),
    "replay_size": Metric(TRAIN, "transitions stored in the replay buffer"),
    "per_weight_mean": Metric(TRAIN, "prioritized replay: mean importance-sampling weight "
                                     "of the sampled batches"),
    "per_priority_mean": Metric(TRAIN, "prioritized replay: mean new priority |TD error| + "
                                       "eps of the sampled batches"),
    "shaped_return": Metric(EPISODE, "return of the episode with the shaping terms the agent "
                                     "learned from (config.shaping); empty when unshaped"),
}

WEIGHT_NORM_PREFIX = "weight_norm/"
WEIGHT_NORM = Metric(TRAIN, "L2 norm of one layer's parameters (weight and bias together)")

METRIC_COLUMNS: list[str] = list(METRICS)
# Columns that depend on the machine's speed, not on the learning (ignored when comparing).
TIMING_COLUMNS = ("sps", "time")


def is_weight_norm(column: str) -> bool:
    """True for a per-layer ``weight_norm/<layer>`` column."""
    return column.startswith(WEIGHT_NORM_PREFIX)


def weight_norm_layers(columns) -> list[str]:
    """The layers of the ``weight_norm/<layer>`` columns among ``columns``, in order."""
    return [column.removeprefix(WEIGHT_NORM_PREFIX) for column in columns
            if is_weight_norm(column)]


def layer_names(net: Layer) -> list[str]:
    """The parametrised layers of ``net``, by parameter prefix (``["0", "2", "4"]``)."""
    names: list[str] = []
    for name, _ in net.named_parameters():
        layer = name.rpartition(".")[0]
        if layer not in names:
            names.append(layer)
    return names


def metric_columns(layers: list[str] = ()) -> list[str]:
    """The header of a run's ``metrics.csv``: :data:`METRIC_COLUMNS`, then one
    ``weight_norm/<layer>`` column per parametrised layer."""
    return METRIC_COLUMNS + [WEIGHT_NORM_PREFIX + layer for layer in layers]


def weight_norms(net: Layer) -> dict[str, float]:
    """``{"weight_norm/<layer>": L2 norm of that layer's parameters}`` for ``net``."""
    squares: dict[str, float] = {}
    for name, param in net.named_parameters():
        column = WEIGHT_NORM_PREFIX + name.rpartition(".")[0]
        data = param.data.ravel()
        squares[column] = squares.get(column, 0.0) + float(np.dot(data, data))
    return {column: math.sqrt(total) for column, total in squares.items()}


def describe(column: str) -> Metric:
    """The :class:`Metric` of a column name (``KeyError`` if it is not one of ours)."""
    if is_weight_norm(column):
        return WEIGHT_NORM
    return METRICS[column]
