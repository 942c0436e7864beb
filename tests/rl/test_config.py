"""DQNConfig: validation, --set parsing, JSON round trip, every field documented."""

import inspect
import json

import pytest

from nprl.rl import config as config_module
from nprl.rl.config import DQNConfig, field_names


def test_json_round_trip():
    config = DQNConfig(hidden_sizes=[32], dueling=True, max_grad_norm=10.0)
    assert DQNConfig.from_dict(json.loads(config.to_json())) == config


def test_with_overrides_parses_types():
    config = DQNConfig().with_overrides(
        ["hidden_sizes=[256,256]", "loss=huber", "double_q=true", "learning_rate=1e-3",
         "max_grad_norm=none", "batch_size=64"]
    )
    assert config.hidden_sizes == [256, 256] and config.loss == "huber"
    assert config.double_q is True and config.learning_rate == 1e-3
    assert config.max_grad_norm is None and config.batch_size == 64


@pytest.mark.parametrize(
    "assignment, message",
    [("no_such_key=1", "unknown setting 'no_such_key'"), ("batch_size", "key=value"),
     ("batch_size=abc", "batch_size must be a whole number"),
     ("loss=l1", "loss must be one of"), ("gamma=1.5", r"gamma must lie in \[0, 1\]"),
     ("batch_size=0", "batch_size must be >= 1"), ("total_steps=1e400", "total_steps"),
     ("seed=1e400", "seed must be a whole number"), ("seed=-3", "seed must be >= 0")],
)
def test_bad_overrides_name_the_problem(assignment, message):
    with pytest.raises(ValueError, match=message):
        DQNConfig().with_overrides([assignment])


def test_every_field_has_a_one_line_comment():
    source = inspect.getsource(config_module.DQNConfig)
    for name in field_names():
        line = next(line for line in source.splitlines() if line.strip().startswith(f"{name}:"))
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 10, name


# -- issue 13: bad values are refused where they enter, naming the field ------------------

@pytest.mark.parametrize("changes, message", [
    ({"learning_rate": float("inf")}, "learning_rate must be a finite number"),
    ({"learning_rate": float("nan")}, "learning_rate must be a finite number"),
    ({"learning_rate": 0.0}, "learning_rate must be > 0"),
    ({"hidden_sizes": "128"}, "hidden_sizes must be a list of layer widths"),  # was 4-1-2-8-2
    ({"hidden_sizes": []}, "hidden_sizes must be a list"),
    ({"hidden_sizes": [64, 0]}, "hidden_sizes entry must be >= 1"),
    ({"hidden_sizes": [64.5]}, "hidden_sizes entry must be a whole number"),
    ({"hidden_sizes": [True]}, "hidden_sizes entry must be a whole number"),
    ({"q_bound_factor": -1.0}, "q_bound_factor must be >= 0"),  # was: guard silently off
    ({"success_batch_size": 64, "success_buffer_size": 32}, "must not exceed"),
    ({"batch_size": 10**8}, r"batch_size \(100000000\) must not exceed buffer_size"),
    ({"seed": -1}, "seed must be >= 0"),
    ({"seed": 1.5}, "seed must be a whole number"),
    ({"seed": "1"}, "seed must be a whole number"),
    ({"seed": float("inf")}, "seed must be a whole number"),
    ({"total_steps": 10.5}, "total_steps must be a whole number"),
    ({"batch_size": True}, "batch_size must be a whole number"),
    ({"gamma": -0.1}, r"gamma must lie in \[0, 1\]"),
    ({"tau": 0.0}, "tau must be > 0"),
    ({"max_grad_norm": -1.0}, "max_grad_norm must be > 0"),
    ({"per_eps": 0.0}, "per_eps must be > 0"),
    ({"epsilon_decay_factor": 1.5}, "epsilon_decay_factor must be <= 1"),
    ({"dueling": "yes"}, "dueling must be true or false"),
    ({"dueling": 1}, "dueling must be true or false"),
    ({"init": "nope"}, "init must be one of"),
    ({"optimizer": 3}, "optimizer must be one of"),
    ({"env_kwargs": {"render_mode": "human"}}, "env_kwargs cannot set render_mode"),
    ({"eval_env_kwargs": {"render_mode": "rgb_array"}}, "eval_env_kwargs cannot set"),
    ({"env_kwargs": [1, 2]}, "env_kwargs must be a table"),
    ({"env_kwargs": {"x": object()}}, "env_kwargs must hold only JSON values"),
    ({"env_kwargs": {"x": float("nan")}}, "env_kwargs must hold only JSON values"),
    ({"buffer_prune_to": 10_000}, "buffer_prune_to must lie in"),
])
def test_bad_values_are_refused_where_they_enter(changes, message):
    with pytest.raises(ValueError, match=message):
        DQNConfig(**changes)
    with pytest.raises(ValueError, match=message):  # the same from a file or --set
        DQNConfig.from_dict({**DQNConfig().to_dict(), **changes})


def test_whole_numbers_written_as_floats_or_numpy_ints_are_stored_as_ints():
    import numpy as np

    config = DQNConfig(total_steps=1e5, seed=np.int64(7), hidden_sizes=(64, 32.0),
                       learning_rate=np.float32(0.5), dueling=np.bool_(True))
    assert config.total_steps == 100_000 and type(config.total_steps) is int
    assert config.seed == 7 and type(config.seed) is int
    assert config.hidden_sizes == [64, 32] and all(type(w) is int for w in config.hidden_sizes)
    assert type(config.learning_rate) is float and config.dueling is True
    json.dumps(config.to_dict())  # what config.json stores


def test_every_field_has_a_rule():
    assert list(config_module.FIELD_RULES) == field_names()


def test_every_preset_is_still_valid():
    from nprl.rl.presets import preset_names, resolve_config

    for name in preset_names():
        env_id, config = resolve_config(None, name)
        assert env_id and config.total_steps >= 1
