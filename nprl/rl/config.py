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
from dataclasses import dataclass, field
from typing import Any

OPTIMIZERS = ("adam", "adamw", "rmsprop", "sgd")
LOSSES = ("huber", "mse")
ACTIVATIONS = ("relu", "tanh", "leaky_relu", "sigmoid")
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
    activation: str = "relu"  # hidden activation: relu, tanh, leaky_relu, sigmoid (CleanRL)
    init: str = "xavier_uniform"  # Dense weight initialiser name from nprl.nn (nprl default)
    dueling: bool = False  # dueling head Q = V + A - mean(A) (Wang et al. 2016); off as in DQN
    dtype: str = "float32"  # network and buffer float dtype (nprl default: float32 is fast)
    blas_threads: int = 1  # BLAS threads while training; 0 = leave as is (1: safe when busy)

    # -- optimisation ---------------------------------------------------------------------
    optimizer: str = "adam"  # adam, adamw, rmsprop or sgd from nprl.nn (CleanRL: Adam)
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
    epsilon_schedule: str = "linear"  # linear, exponential or multiplicative (CleanRL linear)
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

    def __post_init__(self) -> None:
        self.validate()

    # -- checks and conversions -----------------------------------------------------------

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first field whose value cannot work."""
        positive = ("total_steps", "batch_size", "buffer_size", "train_freq", "gradient_steps",
                    "n_step", "target_update_interval", "log_interval", "eval_episodes",
                    "success_buffer_size", "success_batch_size")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("learning_starts", "eval_interval", "checkpoint_interval", "blas_threads",
                     "exploration_steps"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0.0 <= self.gamma <= 1.0:
            raise ValueError(f"gamma must lie in [0, 1], got {self.gamma}")
        if not 0.0 < self.tau <= 1.0:
            raise ValueError(f"tau must lie in (0, 1], got {self.tau}")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")
        choices = {"optimizer": OPTIMIZERS, "loss": LOSSES, "activation": ACTIVATIONS,
                   "epsilon_schedule": ("linear", "exponential", "multiplicative"),
                   "dtype": ("float32", "float64"), "network": NETWORKS}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"{name} must be one of {', '.join(allowed)}; got {getattr(self, name)!r}"
                )
        if not self.hidden_sizes or any(int(h) < 1 for h in self.hidden_sizes):
            raise ValueError(f"hidden_sizes must list positive widths, got {self.hidden_sizes}")
        if self.max_grad_norm is not None and self.max_grad_norm <= 0:
            raise ValueError(f"max_grad_norm must be > 0 or None, got {self.max_grad_norm}")
        for name in ("epsilon_start", "epsilon_end", "exploration_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")
        if self.buffer_prune_to is not None and (
                self.prioritized or not 1 <= self.buffer_prune_to < self.buffer_size):
            raise ValueError("buffer_prune_to must lie in 1..buffer_size-1 and needs uniform "
                             f"replay (prioritized=false); got {self.buffer_prune_to!r}")
        if not 0.0 <= self.rmsprop_alpha <= 1.0:
            raise ValueError(f"rmsprop_alpha must lie in [0, 1], got {self.rmsprop_alpha}")
        if not 0.0 <= self.per_beta_start <= 1.0:
            raise ValueError(f"per_beta_start must lie in [0, 1], got {self.per_beta_start}")

    def to_dict(self) -> dict[str, Any]:
        """Every field as a JSON-able dict (what ``config.json`` stores)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DQNConfig:
        """Build a config from a dict; an unknown key raises ``ValueError`` naming it."""
        unknown = sorted(set(values) - set(field_names()))
        if unknown:
            raise ValueError(
                f"unknown DQNConfig key(s): {', '.join(unknown)}; "
                f"known keys: {', '.join(field_names())}"
            )
        return cls(**{key: _coerce(key, value) for key, value in values.items()})

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


_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(DQNConfig)}


def _coerce(key: str, value: Any) -> Any:
    """Convert a JSON/TOML value to the field's type, or raise ValueError naming the key."""
    kind = str(_FIELD_TYPES[key])
    if value is None:
        if "None" in kind:
            return None
        raise ValueError(f"{key} cannot be None")
    try:
        if kind.startswith("list"):
            if not isinstance(value, (list, tuple)):
                raise TypeError
            return [int(v) for v in value]
        if kind.startswith("dict"):
            if not isinstance(value, dict):
                raise TypeError
            return dict(value)
        if kind.startswith("bool"):
            if not isinstance(value, bool):
                raise TypeError
            return value
        if kind.startswith("int"):
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise TypeError
            return int(float(value))
        if kind.startswith("float"):
            if isinstance(value, bool):
                raise TypeError
            return float(value)
        if kind.startswith("str"):
            if not isinstance(value, str):
                raise TypeError
            return value
    except (TypeError, ValueError):
        raise ValueError(f"{key} expects {kind}, got {value!r}") from None
    return value
