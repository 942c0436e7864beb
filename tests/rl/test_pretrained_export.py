"""``export_pretrained`` writes a run's agent into the folder the caller names (never into
the installed package), in the format ``nprl eval pretrained:NAME`` reads."""

import numpy as np
import pytest

from nprl.fileio import read_json, verify_manifest
from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.pretrained import PRETRAINED_DIR, export_pretrained
from nprl.rl.run_dir import RunDir
from nprl.rl.train import train

TINY = {"total_steps": 600, "hidden_sizes": [16], "batch_size": 16, "buffer_size": 1000,
        "learning_starts": 200, "train_freq": 4, "target_update_interval": 100,
        "log_interval": 250, "eval_interval": 0, "checkpoint_interval": 300, "seed": 4}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "run"
    train("CartPole-v1", DQNConfig(**TINY), run_dir=folder)
    return folder


def test_export_writes_the_named_folder_and_nothing_in_the_package(run_dir, tmp_path):
    shipped = sorted(path.name for path in PRETRAINED_DIR.iterdir())
    out = export_pretrained(run_dir, tmp_path / "shared" / "cartpole",
                            {"command": "nprl train --env CartPole-v1"})
    assert out == tmp_path / "shared" / "cartpole"
    assert sorted(path.name for path in PRETRAINED_DIR.iterdir()) == shipped
    assert verify_manifest(out, recursive=True)
    info = read_json(out / "pretrained.json")
    newest = RunDir(run_dir).latest_checkpoint().name
    assert info["env_id"] == "CartPole-v1"
    assert info["trained"] == {"seed": 4, "total_steps": 600, "checkpoint": newest,
                               "command": "nprl train --env CartPole-v1"}
    # The exported policy is the checkpoint's: same Q-values for the same observations.
    exported = DQNAgent.load(out / "agent", training=False)
    original = DQNAgent.load(RunDir(run_dir).latest_checkpoint() / "agent", training=False)
    obs = np.random.default_rng(0).standard_normal((32, 4)).astype(np.float32)
    np.testing.assert_array_equal(exported.q_values(obs), original.q_values(obs))


def test_export_replaces_an_earlier_export_but_no_other_folder(run_dir, tmp_path):
    out = export_pretrained(run_dir, tmp_path / "agent")
    export_pretrained(run_dir, out, {"eval": "again"})  # an earlier export: replaced
    assert read_json(out / "pretrained.json")["trained"]["eval"] == "again"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="is not an earlier export"):
        export_pretrained(run_dir, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
