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
     ("batch_size=abc", "batch_size expects int"), ("loss=l1", "loss must be one of"),
     ("gamma=1.5", "gamma must lie"), ("batch_size=0", "batch_size must be a positive")],
)
def test_bad_overrides_name_the_problem(assignment, message):
    with pytest.raises(ValueError, match=message):
        DQNConfig().with_overrides([assignment])


def test_every_field_has_a_one_line_comment():
    source = inspect.getsource(config_module.DQNConfig)
    for name in field_names():
        line = next(line for line in source.splitlines() if line.strip().startswith(f"{name}:"))
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 10, name
