"""``DQNConfig``: every hyperparameter of a DQN run, in one dataclass.

Each field is documented on one line: what it does, and where its default comes from.
Defaults follow CleanRL's ``dqn.py`` (itself close to the Nature DQN paper's settings)
unless noted; presets in ``nprl/presets/*.toml`` override them per environment. The
config is what ``config.json`` in a run directory holds, what ``nprl train --set
key=value`` edits, and what a checkpoint rebuilds an agent from.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nprl.checks import real_number, whole_number
from nprl.env_factory import env_factory
from nprl.nn.activations import ACTIVATIONS
from nprl.nn.init import INITIALIZERS
from nprl.nn.optimizers import OPTIMIZERS
from nprl.rl.schedules import EPSILON_SCHEDULES

LOSSES = ("huber", "mse")
NETWORKS = ("auto", "mlp", "nature_cnn", "minatar_cnn")


@dataclass
class DQNConfig:
    """Hyperparameters of DQN and its variants (double, dueling, n-step, PER, two-tier).

    Counts marked "env steps" are environment steps; "updates" are gradient steps.
    """

    # -- run ------------------------------------------------------------------------------
    total_steps: int = 500_000  # env steps to train for (CleanRL total_timesteps)
    seed: int = 1  # one seed drives env, NumPy, action space and network init (CleanRL)

    # -- network --------------------------------------------------------------------------
    network: str = "auto"  # auto (images: nature_cnn if >= 36 px else minatar_cnn; vectors: mlp)
    hidden_sizes: list[int] = field(default_factory=lambda: [120, 84])  # MLP widths (CleanRL)
    activation: str = "relu"  # hidden activation, a name in nprl.nn.ACTIVATIONS (CleanRL)
    init: str = "xavier_uniform"  # Dense weight initialiser name from nprl.nn (nprl default)
    dueling: bool = False  # dueling head Q = V + A - mean(A) (Wang et al. 2016); off as in DQN
    dtype: str = "float32"  # network and buffer float dtype (nprl default: float32 is fast)
    blas_threads: int = 1  # BLAS threads while training; 0 = leave as is (1: safe when busy)

    # -- optimisation ---------------------------------------------------------------------
    optimizer: str = "adam"  # a name in nprl.nn.OPTIMIZERS (CleanRL: Adam)
    learning_rate: float = 2.5e-4  # optimizer step size (CleanRL)
    adam_eps: float = 1e-8  # epsilon of Adam/AdamW/RMSprop denominators (PyTorch default)
    rmsprop_alpha: float = 0.99  # RMSprop smoothing constant (PyTorch default; MinAtar: 0.95)
    rmsprop_centered: bool = False  # centred RMSprop (PyTorch default off; MinAtar DQN: on)
    loss: str = "mse"  # TD loss: "mse" (CleanRL) or "huber" (SB3, Nature DQN's clipping)
    huber_delta: float = 1.0  # Huber threshold (SB3 smooth_l1_loss: 1.0)
    max_grad_norm: float | None = None  # clip global grad norm; None = off (CleanRL; SB3 10)
    batch_size: int = 128  # transitions per gradient step (CleanRL)
    gamma: float = 0.99  # discount factor (CleanRL)

    # -- replay ---------------------------------------------------------------------------
    buffer_size: int = 10_000  # replay capacity in transitions (CleanRL)
    buffer_prune_to: int | None = None  # when full, keep only the newest N (article: 1500 -> 500)
    learning_starts: int = 10_000  # env steps of pure exploration before learning (CleanRL)
    train_freq: int = 10  # env steps between training rounds (CleanRL)
    gradient_steps: int = 1  # updates per training round (CleanRL, SB3)
    n_step: int = 1  # rewards summed per transition, target uses gamma**n (1 = plain DQN)
    prioritized: bool = False  # proportional prioritized replay (Schaul et al. 2016)
    per_alpha: float = 0.6  # PER prioritisation exponent (Schaul et al. 2016)
    per_beta_start: float = 0.4  # PER importance-sampling exponent at step 0, -> 1 (Schaul)
    per_eps: float = 1e-6  # added to |TD error| so no priority is zero (common practice)
    save_buffer: bool = True  # store the replay buffer in checkpoints (exact resume)

    # -- two-tier training (the original article) ------------------------------------------
    success_buffer: bool = False  # keep successful episodes in a second buffer and replay it
    success_buffer_size: int = 20_000  # capacity of the success tier (nprl choice)
    success_batch_size: int = 32  # batch of the second, smaller pass (nprl choice)
    success_threshold: float | None = None  # episode return that counts as success, or None

    # -- target network -------------------------------------------------------------------
    double_q: bool = False  # double DQN target (van Hasselt et al. 2016); off as in CleanRL
    target_update_interval: int = 500  # env steps between target updates (CleanRL)
    tau: float = 1.0  # target <- tau*online + (1-tau)*target; 1.0 = hard copy (CleanRL)

    # -- exploration ----------------------------------------------------------------------
    epsilon_schedule: str = "linear"  # a name in schedules.EPSILON_SCHEDULES (CleanRL: linear)
    epsilon_start: float = 1.0  # initial epsilon (CleanRL)
    epsilon_end: float = 0.05  # final epsilon, also the multiplicative floor (CleanRL)
    exploration_fraction: float = 0.5  # linear: fraction of total_steps to decay over (CleanRL)
    exploration_steps: int = 0  # linear: decay over N steps after learning_starts (MinAtar); 0: fraction
    epsilon_decay_rate: float = 0.001  # exponential: lambda per env step (original tutorial)
    epsilon_decay_factor: float = 0.999  # multiplicative: factor per episode (original article)

    # -- logging, evaluation, checkpoints --------------------------------------------------
    log_interval: int = 1_000  # env steps between training-metric rows in metrics.csv
    eval_interval: int = 0  # env steps between greedy evaluations; 0 = off
    eval_episodes: int = 10  # episodes per evaluation (SB3 EvalCallback's 5, doubled)
    checkpoint_interval: int = 0  # env steps between checkpoints (at episode ends); 0 = end only
    q_bound_factor: float = 10.0  # stop when |Q| > this x max|r| / (1 - gamma); 0 = off (nprl)
    save_best: bool = True  # keep checkpoints/best, the agent of the best evaluation (SB3's EvalCallback)
    tensorboard: bool = True  # also log to RUN_DIR/tensorboard/ if tensorboardX is installed (nprl)

    # -- environment ----------------------------------------------------------------------
    env_kwargs: dict[str, Any] = field(default_factory=dict)  # gym.make keywords for training (nprl)
    eval_env_kwargs: dict[str, Any] = field(default_factory=dict)  # overrides for evaluation (nprl)
    shaping: str | None = "none"  # reward shaping potential from nprl.envs.potentials (nprl)
    shaping_scale: float | None = None  # that potential's scale; None = its default (nprl)

    def __post_init__(self) -> None:
        if self.shaping is None:  # "--set shaping=none" parses as None
            self.shaping = "none"
        self.validate()

    # -- checks and conversions -----------------------------------------------------------

    def validate(self) -> None:
        """Check every field by its rule in :data:`FIELD_RULES`, then the rules that tie
        fields together; store the normalised values (``4.0`` -> ``4``, a tuple of widths
        -> a list). Raises ``ValueError`` naming the first field whose value cannot work."""
        for name, rule in FIELD_RULES.items():
            setattr(self, name, rule(getattr(self, name), name))
        for check in CROSS_FIELD_RULES:
            check(self)

    def to_dict(self) -> dict[str, Any]:
        """Every field as a JSON-able dict (what ``config.json`` stores)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DQNConfig:
        """Build a config from a dict; an unknown key raises ``ValueError`` naming it."""
        if not isinstance(values, dict):
            raise ValueError(f"DQNConfig settings must be a table of name = value, "
                             f"got {type(values).__name__}")
        unknown = sorted(repr(key) for key in set(values) - set(field_names()))
        if unknown:
            raise ValueError(
                f"unknown DQNConfig key(s): {', '.join(unknown)}; "
                f"known keys: {', '.join(field_names())}"
            )
        return cls(**values)

    @classmethod
    def from_preset(cls, name: str, **changes: Any) -> DQNConfig:
        """The config of a shipped preset (``nprl/presets/NAME.toml``; a preset is named
        after its environment, e.g. ``"CartPole-v1"``, or ``"lander"``), with ``changes``
        on top: ``DQNConfig.from_preset("CartPole-v1", total_steps=20_000)``. The same
        values ``nprl train --preset NAME`` uses. Unknown names raise ``ValueError``."""
        from nprl.rl.presets import load_preset  # presets imports this module

        _, settings = load_preset(name)
        return cls.from_dict({**settings, **changes})

    def replace(self, **changes: Any) -> DQNConfig:
        """A copy with some fields changed (unknown names raise ``ValueError``)."""
        merged = self.to_dict()
        merged.update(changes)
        return DQNConfig.from_dict(merged)

    def with_overrides(self, assignments: list[str]) -> DQNConfig:
        """Apply ``key=value`` strings (``nprl train --set``); values are parsed as JSON,
        falling back to a plain string, e.g. ``hidden_sizes=[256,256]``, ``loss=huber``."""
        changes: dict[str, Any] = {}
        for assignment in assignments:
            key, sep, text = assignment.partition("=")
            key = key.strip()
            if not sep or not key:
                raise ValueError(f"--set expects key=value, got {assignment!r}")
            if key not in field_names():
                raise ValueError(
                    f"unknown setting {key!r} in --set; known keys: {', '.join(field_names())}"
                )
            changes[key] = _parse_value(text.strip())
        return self.replace(**changes)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def field_names() -> list[str]:
    """Names of all :class:`DQNConfig` fields, in declaration order."""
    return [f.name for f in dataclasses.fields(DQNConfig)]


def _parse_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


# -- the rules: one per field, checked in this order ----------------------------------
# A rule takes (value, field name) and returns the value to store, or raises ValueError
# with one line naming the field. A new field gets its rule here (a test checks that
# every field has one).


def _whole(minimum: int = 1) -> Callable[[Any, str], int]:
    return lambda value, name: whole_number(value, name, minimum)


def _real(**bounds: float) -> Callable[[Any, str], float]:
    return lambda value, name: real_number(value, name, **bounds)


def _optional(rule: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    return lambda value, name: None if value is None else rule(value, name)


def _choice(allowed: tuple[str, ...]) -> Callable[[Any, str], str]:
    def check(value: Any, name: str) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        return value
    return check


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return bool(value)


def _widths(value: Any, name: str) -> list[int]:
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"{name} must be a list of layer widths such as [128, 128], "
                         f"got {value!r}")
    return [whole_number(width, f"{name} entry", 1) for width in value]


def _env_kwargs(value: Any, name: str) -> dict[str, Any]:
    """Keywords for ``gym.make``: a JSON-able dict with string keys. ``render_mode`` is
    the command's to choose (``nprl eval --render`` / ``--video``), never the config's."""
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise ValueError(f"{name} must be a table of name = value settings, got {value!r}")
    if "render_mode" in value:
        raise ValueError(f"{name} cannot set render_mode (nprl eval --render or --video "
                         "chooses it); remove it")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold only JSON values (numbers, text, true/false, "
                         f"lists, tables), got {value!r}") from None
    return dict(value)


def _shaping(value: Any, name: str) -> str:
    """A shaping potential's name, known to ``nprl.envs.potentials`` (or ``none``)."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a potential's name, got {value!r}")
    env_factory().check_shaping_name(value)
    return value


_PROBABILITY = _real(minimum=0.0, maximum=1.0)

FIELD_RULES: dict[str, Callable[[Any, str], Any]] = {
    "total_steps": _whole(1),
    "seed": _whole(0),  # NumPy's SeedSequence and Gymnasium take whole numbers >= 0
    "network": _choice(NETWORKS),
    "hidden_sizes": _widths,
    "activation": _choice(tuple(ACTIVATIONS)),
    "init": _choice(tuple(INITIALIZERS)),
    "dueling": _flag,
    "dtype": _choice(("float32", "float64")),
    "blas_threads": _whole(0),
    "optimizer": _choice(tuple(OPTIMIZERS)),
    "learning_rate": _real(above=0.0),
    "adam_eps": _real(above=0.0),
    "rmsprop_alpha": _PROBABILITY,
    "rmsprop_centered": _flag,
    "loss": _choice(LOSSES),
    "huber_delta": _real(above=0.0),
    "max_grad_norm": _optional(_real(above=0.0)),
    "batch_size": _whole(1),
    "gamma": _PROBABILITY,
    "buffer_size": _whole(1),
    "buffer_prune_to": _optional(_whole(1)),
    "learning_starts": _whole(0),
    "train_freq": _whole(1),
    "gradient_steps": _whole(1),
    "n_step": _whole(1),
    "prioritized": _flag,
    "per_alpha": _real(minimum=0.0),
    "per_beta_start": _PROBABILITY,
    "per_eps": _real(above=0.0),
    "save_buffer": _flag,
    "success_buffer": _flag,
    "success_buffer_size": _whole(1),
    "success_batch_size": _whole(1),
    "success_threshold": _optional(_real()),
    "double_q": _flag,
    "target_update_interval": _whole(1),
    "tau": _real(maximum=1.0, above=0.0),
    "epsilon_schedule": _choice(tuple(EPSILON_SCHEDULES)),
    "epsilon_start": _PROBABILITY,
    "epsilon_end": _PROBABILITY,
    "exploration_fraction": _PROBABILITY,
    "exploration_steps": _whole(0),
    "epsilon_decay_rate": _real(minimum=0.0),
    "epsilon_decay_factor": _real(maximum=1.0, above=0.0),
    "log_interval": _whole(1),
    "eval_interval": _whole(0),
    "eval_episodes": _whole(1),
    "checkpoint_interval": _whole(0),
    "q_bound_factor": _real(minimum=0.0),  # 0 turns the guard off; below 0 is a mistake
    "save_best": _flag,
    "tensorboard": _flag,
    "env_kwargs": _env_kwargs,
    "eval_env_kwargs": _env_kwargs,
    "shaping": _shaping,
    "shaping_scale": _optional(_real(above=0.0)),
}


def _prune_needs_uniform_replay(config: DQNConfig) -> None:
    prune = config.buffer_prune_to
    if prune is not None and (config.prioritized or not prune < config.buffer_size):
        raise ValueError("buffer_prune_to must lie in 1..buffer_size-1 and needs uniform "
                         f"replay (prioritized=false); got {prune!r}")


def _success_batch_fits(config: DQNConfig) -> None:
    if config.success_batch_size > config.success_buffer_size:
        raise ValueError(f"success_batch_size ({config.success_batch_size}) must not exceed "
                         f"success_buffer_size ({config.success_buffer_size}): such a batch "
                         "could never be drawn")


def _batch_fits(config: DQNConfig) -> None:
    if config.batch_size > config.buffer_size:
        raise ValueError(f"batch_size ({config.batch_size}) must not exceed buffer_size "
                         f"({config.buffer_size}): a batch would repeat the whole buffer")


CROSS_FIELD_RULES: list[Callable[[DQNConfig], None]] = [
    _prune_needs_uniform_replay,
    _batch_fits,
    _success_batch_fits,
]
