"""What a sweep runs: its definition (:class:`SweepSpec`) and the trials it expands into.

A sweep is a set of *configurations* (the preset plus ``--set`` changes, crossed with a
``--grid`` of values and ``--samples`` random draws of ``--sample`` distributions), each
trained on every seed. One (configuration, seed) pair is a :class:`Trial`: exactly the run
``nprl train --env ENV --preset P --steps N --seed S --set k=v ...`` would make, so a
trial's changes are kept as the ``key=value`` strings that ``--set`` takes.

Grid values and sampled values go through :meth:`DQNConfig.with_overrides`, the code
behind ``nprl train --set``: an unknown field or a bad value is the same one-line error.
Random draws come from their own seeded generator (``sample_seed``), so the definition
saved in ``sweep.json`` regenerates the very same trials when a sweep is resumed. Nothing
here imports Ray.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nprl.rl.config import DQNConfig
from nprl.rl.presets import resolve_config

DISTRIBUTIONS = ("uniform", "loguniform", "randint")
SIGNIFICANT_DIGITS = 4  # sampled floats are rounded so names and tables stay readable
NAME_LIMIT = 60  # characters of a configuration's label in its trials' folder names


@dataclass
class Sample:
    """A ``--sample field=kind:low:high`` distribution (``randint``: low..high inclusive)."""

    field: str
    kind: str
    low: float
    high: float

    def draw(self, rng: np.random.Generator) -> str:
        """One value, as the text ``--set`` would take."""
        if self.kind == "randint":
            return str(int(rng.integers(int(self.low), int(self.high) + 1)))
        if self.kind == "loguniform":
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return repr(float(f"{value:.{SIGNIFICANT_DIGITS}g}"))


@dataclass
class Trial:
    """One run of a sweep: a configuration trained on one seed."""

    name: str  # run directory name inside the sweep directory, e.g. "c01-learning_rate=0.001-s2"
    config_id: str  # "c01": the configuration, shared by its seeds
    seed: int
    changes: list[str]  # the configuration's ``key=value`` changes (grid, sample, --set)
    env_id: str
    config: DQNConfig  # fully resolved, seed included


@dataclass
class SweepSpec:
    """Everything that defines a sweep; saved as ``sweep.json`` and read back on resume.

    Parameters mirror ``nprl sweep``'s flags: ``grid`` holds ``(field, [value text, ...])``
    pairs, ``sample`` the :class:`Sample` distributions drawn ``samples`` times,
    ``settings`` ``--set`` changes shared by every configuration, ``target`` an optional
    evaluation return whose first step is reported per trial.
    """

    env: str | None = None
    preset: str | None = None
    steps: int | None = None
    seeds: list[int] = field(default_factory=lambda: [1])
    grid: list[tuple[str, list[str]]] = field(default_factory=list)
    sample: list[Sample] = field(default_factory=list)
    samples: int = 1
    sample_seed: int = 0
    settings: list[str] = field(default_factory=list)
    cpus_per_trial: int = 1
    target: float | None = None
    scheduler: str | None = None  # None (run every trial to the end) or "asha"
    metric: str = "eval_mean"

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` with one line naming the first unusable part."""
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"--seeds needs distinct integers, got {self.seeds}")
        if any(not isinstance(seed, int) or isinstance(seed, bool) for seed in self.seeds):
            raise ValueError(f"--seeds needs integers, got {self.seeds}")
        if not isinstance(self.samples, int) or self.samples < 1:
            raise ValueError(f"--samples must be a positive integer, got {self.samples!r}")
        if self.samples > 1 and not self.sample:
            raise ValueError("--samples needs at least one --sample field=kind:low:high")
        if not isinstance(self.cpus_per_trial, int) or self.cpus_per_trial < 1:
            raise ValueError(f"--cpus-per-trial must be a positive integer, "
                             f"got {self.cpus_per_trial!r}")
        if self.steps is not None and (not isinstance(self.steps, int) or self.steps < 1):
            raise ValueError(f"--steps must be a positive integer, got {self.steps!r}")
        if self.scheduler not in (None, "asha"):
            raise ValueError(f"--scheduler must be 'asha' (or left out), got {self.scheduler!r}")
        if self.metric not in ("eval_mean", "eval_success"):
            raise ValueError(f"--metric must be eval_mean or eval_success, got {self.metric!r}")
        fields = [name for name, _ in self.grid] + [s.field for s in self.sample]
        if len(set(fields)) != len(fields):
            raise ValueError(f"a field is both in --grid and --sample or twice: {fields}")
        for name, values in self.grid:
            if not values:
                raise ValueError(f"--grid {name}= needs at least one value")
        for distribution in self.sample:
            if distribution.kind not in DISTRIBUTIONS:
                raise ValueError(f"--sample {distribution.field}: unknown distribution "
                                 f"{distribution.kind!r}; use one of {', '.join(DISTRIBUTIONS)}")
            if not distribution.low < distribution.high or (
                    distribution.kind == "loguniform" and distribution.low <= 0):
                raise ValueError(f"--sample {distribution.field}: needs low < high "
                                 f"(and low > 0 for loguniform), got {distribution.low}, "
                                 f"{distribution.high}")

    # -- the configurations and trials ---------------------------------------------------

    def configurations(self) -> list[list[str]]:
        """The ``key=value`` changes of every configuration, in a fixed order: for each
        random draw, every grid point (as Ray Tune crosses ``num_samples`` with a grid)."""
        rng = np.random.default_rng(self.sample_seed)
        points = list(itertools.product(*[[f"{name}={value}" for value in values]
                                          for name, values in self.grid]))
        configurations = []
        for _ in range(self.samples):
            drawn = [f"{s.field}={s.draw(rng)}" for s in self.sample]
            configurations += [[*point, *drawn] for point in points]
        return configurations

    def trials(self) -> list[Trial]:
        """Every (configuration, seed) pair, configuration by configuration; each config is
        resolved exactly as ``nprl train`` resolves it (``ValueError`` on a bad one)."""
        trials = []
        for index, changes in enumerate(self.configurations()):
            config_id = f"c{index:02d}"
            for seed in self.seeds:
                env_id, config = self.resolve(changes, seed)
                trials.append(Trial(trial_name(config_id, changes, seed), config_id, seed,
                                    changes, env_id, config))
        return trials

    def resolve(self, changes: list[str], seed: int) -> tuple[str, DQNConfig]:
        """Env id and config of one trial: ``resolve_config`` as in ``nprl train``, with
        BLAS threads matching the trial's CPUs."""
        overrides: dict[str, Any] = {"seed": seed}
        if self.steps is not None:
            overrides["total_steps"] = self.steps
        assignments = [*self.settings, *changes, f"blas_threads={self.cpus_per_trial}"]
        return resolve_config(self.env, self.preset, overrides, assignments)

    def train_command(self, changes: list[str], seed: int) -> str:
        """The ``nprl train`` command that makes the same run as one trial."""
        env_id, _ = self.resolve(changes, seed)
        words = ["nprl train", f"--env {env_id}"]
        if self.preset:
            words.append(f"--preset {self.preset}")
        if self.steps is not None:
            words.append(f"--steps {self.steps}")
        words.append(f"--seed {seed}")
        assignments = [*self.settings, *changes]
        if self.cpus_per_trial != DQNConfig().blas_threads:
            assignments.append(f"blas_threads={self.cpus_per_trial}")
        words += [f"--set {assignment}" for assignment in assignments]
        return " ".join(words)

    # -- saved form (sweep.json) ----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (what ``sweep.json`` stores)."""
        document = asdict(self)
        document["grid"] = [[name, list(values)] for name, values in self.grid]
        return document

    @classmethod
    def from_dict(cls, document: Any) -> SweepSpec:
        """Rebuild a spec from ``sweep.json``'s dict, checking every entry (the file is
        untrusted input): ``ValueError`` naming what is wrong."""
        if not isinstance(document, dict):
            raise ValueError("is not a sweep definition (expected a JSON object)")
        known = {name for name in cls.__dataclass_fields__}
        unknown = sorted(set(document) - known)
        if unknown:
            raise ValueError(f"has unknown entries {unknown}")
        values = dict(document)
        try:
            values["grid"] = [(_text(name), [_text(v) for v in entries])
                              for name, entries in values.get("grid", [])]
            values["sample"] = [Sample(_text(s["field"]), _text(s["kind"]), float(s["low"]),
                                       float(s["high"])) for s in values.get("sample", [])]
            values["seeds"] = [_integer(seed) for seed in values.get("seeds", [1])]
            values["settings"] = [_text(s) for s in values.get("settings", [])]
            for name in ("env", "preset", "scheduler"):
                if values.get(name) is not None:
                    values[name] = _text(values[name])
            if values.get("target") is not None:
                values["target"] = float(values["target"])
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(f"has a malformed entry ({error})") from None
        return cls(**values)


def parse_grid(text: str) -> tuple[str, list[str]]:
    """``"field=v1,v2"`` -> ``("field", ["v1", "v2"])``; commas inside brackets stay
    (``hidden_sizes=[64,64],[128,128]``)."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip() or not values.strip():
        raise ValueError(f"--grid expects field=v1,v2,..., got {text!r}")
    parts, depth, current = [], 0, ""
    for char in values:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    parts = [part.strip() for part in parts]
    if any(not part for part in parts):
        raise ValueError(f"--grid {name.strip()}: an empty value in {values!r}")
    return name.strip(), parts


def parse_sample(text: str) -> Sample:
    """``"learning_rate=loguniform:1e-4:1e-2"`` -> :class:`Sample`."""
    name, sep, rest = text.partition("=")
    pieces = rest.split(":")
    if not sep or not name.strip() or len(pieces) != 3:
        raise ValueError(f"--sample expects field=kind:low:high (kind: "
                         f"{', '.join(DISTRIBUTIONS)}), got {text!r}")
    try:
        low, high = float(pieces[1]), float(pieces[2])
    except ValueError:
        raise ValueError(f"--sample {name.strip()}: low and high must be numbers, "
                         f"got {pieces[1]!r} and {pieces[2]!r}") from None
    return Sample(name.strip(), pieces[0].strip(), low, high)


def trial_name(config_id: str, changes: list[str], seed: int) -> str:
    """Folder name of a trial: ``c01-learning_rate=0.001-s2`` (only ``[A-Za-z0-9._=+-]``,
    so a name can never leave the sweep directory)."""
    label = ",".join(changes)
    label = re.sub(r"[^A-Za-z0-9._=+-]+", "_", label.replace(",", "_"))[:NAME_LIMIT]
    return "-".join(part for part in (config_id, label, f"s{seed}") if part)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value
