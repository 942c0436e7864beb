"""A run directory is untrusted input: opening one never runs code, never reads outside it,
never allocates what its files do not back (issue 13, "Security")."""

import json
import shutil
import sys

import numpy as np
import pytest

from nprl.cli import main
from nprl.envs.registration import check_env_id_from_file
from nprl.fileio import write_manifest
from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.rl.train import train

TINY = dict(total_steps=900, hidden_sizes=[16], batch_size=16, buffer_size=1000,
            learning_starts=200, train_freq=4, target_update_interval=100, log_interval=250,
            eval_interval=0, checkpoint_interval=300, seed=5)
PAYLOAD = "import pathlib; pathlib.Path(__file__).with_name('RAN').write_text('payload ran')\n"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("trained") / "run"
    train("CartPole-v1", DQNConfig(**TINY), run_dir=run_dir)
    return run_dir


@pytest.fixture
def run(trained, tmp_path):
    """A fresh copy of the trained run, to tamper with."""
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def checkpoints(run_dir):
    """Names of the run's checkpoint folders, newest first."""
    return RunDir(run_dir).checkpoint_names()


def set_env_id(run_dir, env_id):
    document = json.loads((run_dir / "config.json").read_text())
    document["env_id"] = env_id
    (run_dir / "config.json").write_text(json.dumps(document))


def one_line_error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    lines = [line for line in err.splitlines() if not line.startswith("resuming ")]
    assert "Traceback" not in err and len(lines) == 1 and lines[0].startswith("nprl: error:"), err
    return lines[0]


# -- env ids from files -----------------------------------------------------------------------


def test_module_env_id_in_config_json_never_runs_the_module(run, capsys, monkeypatch):
    (run / "payload.py").write_text(PAYLOAD)
    monkeypatch.syspath_prepend(str(run))  # importable: the test can fail
    monkeypatch.delitem(sys.modules, "payload", raising=False)
    set_env_id(run, "payload:CartPole-v1")
    for command in (["eval", str(run), "--episodes", "1"], ["resume", str(run), "--steps",
                                                             "1000", "--no-progress"]):
        err = one_line_error(capsys, command)
        assert "'payload:CartPole-v1'" in err and "--allow-env-module" in err
    assert not (run / "RAN").exists()
    # Typed by the user, the flag lets it through: proof the payload was importable.
    assert main(["eval", str(run), "--episodes", "1", "--allow-env-module"]) == 0
    assert (run / "RAN").exists()


@pytest.mark.parametrize("env_id, message", [
    ("NoSuchEnv-v0", "'NoSuchEnv-v0', which is not registered"),
    (123, "names no valid environment id"),
    ("", "names no valid environment id"),
])
def test_env_id_in_config_json_must_be_registered(run, capsys, env_id, message):
    set_env_id(run, env_id)
    assert message in one_line_error(capsys, ["eval", str(run), "--episodes", "1"])


def test_check_env_id_from_file_accepts_registered_ids():
    import nprl  # noqa: F401 (registers nprl/Lander-v0)

    assert check_env_id_from_file("CartPole-v1") == "CartPole-v1"
    assert check_env_id_from_file("nprl/Lander-v0") == "nprl/Lander-v0"
    assert check_env_id_from_file("x:Y-v0", allow_module=True) == "x:Y-v0"
    with pytest.raises(ValueError, match="--allow-env-module"):
        check_env_id_from_file("x:Y-v0")


def test_typed_module_env_id_is_stored_and_needs_the_flag_later(tmp_path, monkeypatch):
    """``nprl train --env module:Id`` keeps working; its run records the module form, so
    evaluating it later asks for --allow-env-module instead of failing obscurely."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "myenvs.py").write_text(
        "import gymnasium as gym\n"
        "gym.register('MyCartPole-v0', entry_point='gymnasium.envs.classic_control:"
        "CartPoleEnv', max_episode_steps=200)\n")
    monkeypatch.syspath_prepend(str(package))
    train("myenvs:MyCartPole-v0", DQNConfig(**{**TINY, "total_steps": 300}),
          run_dir=tmp_path / "run")
    assert RunDir(tmp_path / "run").read_config(allow_env_module=True)[0] == \
        "myenvs:MyCartPole-v0"
    with pytest.raises(ValueError, match="--allow-env-module"):
        RunDir(tmp_path / "run").read_config()


def test_pretrained_json_env_id_is_checked_too(tmp_path, monkeypatch):
    from nprl.rl import pretrained

    shelf = tmp_path / "pretrained"
    shutil.copytree(pretrained.PRETRAINED_DIR, shelf)
    monkeypatch.setattr(pretrained, "PRETRAINED_DIR", shelf)
    info = json.loads((shelf / "lander" / "pretrained.json").read_text())
    info["env_id"] = "payload:CartPole-v1"
    (shelf / "lander" / "pretrained.json").write_text(json.dumps(info))
    write_manifest(shelf / "lander")  # edited on purpose, not damaged
    with pytest.raises(ValueError, match=r"pretrained\.json names environment "
                                         r"'payload:CartPole-v1'"):
        pretrained.load_pretrained("lander")


# -- paths from files and from the command line -----------------------------------------------


@pytest.mark.parametrize("pointer", ["{outside}", "../../elsewhere/checkpoints/step_000000300",
                                     "step_000000900/../../../elsewhere", "garbage", ""])
def test_latest_never_leads_outside_the_run(run, tmp_path, capsys, pointer):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(run, elsewhere)
    outside = elsewhere / "checkpoints" / checkpoints(run)[0]
    (outside / "agent" / "agent.json").write_text("{}")  # loading it would fail loudly
    pointer = pointer.format(outside=outside)
    (run / "checkpoints" / "latest").write_text(pointer + "\n")
    assert main(["eval", str(run), "--episodes", "1", "--checkpoint", "latest"]) == 0
    err = capsys.readouterr().err
    assert "latest is damaged" in err and "using the newest intact checkpoint, " \
        "step_000000900" in err


def test_a_checkpoint_folder_that_is_a_link_is_ignored(run, tmp_path):
    newest, older = checkpoints(run)
    shutil.move(run / "checkpoints" / newest, tmp_path / "outside")
    (run / "checkpoints" / newest).symlink_to(tmp_path / "outside")
    assert checkpoints(run) == [older]
    with pytest.raises(ValueError, match="names step_000000900, which does not exist"):
        RunDir(run).latest_checkpoint()


@pytest.mark.parametrize("name", ["../../etc", "/tmp", "step_000000900/..", "step_1"])
def test_checkpoint_named_by_the_user_must_be_one_of_the_runs(run, capsys, name):
    err = one_line_error(capsys, ["eval", str(run), "--checkpoint", name])
    assert f"has no checkpoint {name!r}; it has: {', '.join(checkpoints(run))}" in err


@pytest.mark.parametrize("name", ["/abs/path", "../pretrained/lander", "lander/agent", "",
                                  "lander/../lander"])
def test_pretrained_names_are_looked_up_not_joined(capsys, name):
    err = one_line_error(capsys, ["eval", f"pretrained:{name}"])
    assert "no pretrained agent" in err and "shipped: lander" in err


# -- RNG names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["agent", "state"])
def test_rng_names_are_looked_up_in_a_table(run, capsys, monkeypatch, where):
    def forbidden(*args):
        raise AssertionError("np.random.seed called")

    monkeypatch.setattr(np.random, "seed", forbidden)
    for name in checkpoints(run):
        folder = run / "checkpoints" / name
        path = folder / ("agent/agent.json" if where == "agent" else "state.json")
        document = json.loads(path.read_text())
        rng = document["rng"] if where == "agent" else document["env_rng"]
        rng["bit_generator"] = "seed"
        path.write_text(json.dumps(document))
        write_manifest(path.parent)
        if where == "agent":
            write_manifest(folder)
    err = one_line_error(capsys, ["resume", str(run), "--steps", "1200", "--no-progress"])
    assert "unknown bit generator 'seed'" in err


# -- sizes from files --------------------------------------------------------------------------


def set_buffer_size(folder, size):
    path = folder / "agent" / "agent.json"
    document = json.loads(path.read_text())
    document["config"]["buffer_size"] = size
    path.write_text(json.dumps(document))
    write_manifest(folder / "agent")
    write_manifest(folder)


def test_eval_never_allocates_the_replay_buffer(run, capsys):
    for name in checkpoints(run):
        set_buffer_size(run / "checkpoints" / name, 10**12)  # 14.6 TiB if allocated
    assert main(["eval", str(run), "--episodes", "1"]) == 0
    err = one_line_error(capsys, ["resume", str(run), "--steps", "1200", "--no-progress"])
    assert "needs" in err and "GiB, more than this machine's" in err


def test_buffer_counts_must_be_backed_by_its_arrays(run):
    folder = run / "checkpoints" / checkpoints(run)[0]
    meta_path = folder / "agent" / "buffer" / "buffer.json"
    meta = json.loads(meta_path.read_text())
    for change, message in [({"size": meta["size"] + 1, "pos": meta["pos"] + 1}, "has shape"),
                            ({"pos": 999999}, "position 999999 is impossible"),
                            ({"pos": -1}, "position -1 is impossible"),
                            ({"size": 10**9}, "is not an integer in 0..1000")]:
        meta_path.write_text(json.dumps({**meta, **change}))
        for sealed in (meta_path.parent, folder / "agent", folder):
            write_manifest(sealed)
        with pytest.raises(ValueError, match=message):
            RunDir(run).open_checkpoint(lambda f: DQNAgent.load(f / "agent"), folder.name)


@pytest.mark.parametrize("name", ["learning_curve.png", "metrics.csv", "report.html"])
def test_links_in_a_run_directory_are_refused(run, tmp_path, capsys, name):
    """A copied run could point learning_curve.png at a file of the user's: writing the
    next curve would clobber it."""
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    if (run / name).exists():
        (run / name).unlink()
    (run / name).symlink_to(victim)
    err = one_line_error(capsys, ["resume", str(run), "--steps", "1200", "--no-progress"])
    assert f"{name} is a symbolic link" in err
    assert victim.read_text() == "keep me"


def test_latest_that_is_a_folder_is_one_line(run, capsys):
    pointer = run / "checkpoints" / "latest"
    pointer.unlink()
    pointer.mkdir()
    err = one_line_error(capsys, ["resume", str(run), "--steps", "1200", "--no-progress"])
    assert "latest is not a plain file" in err
