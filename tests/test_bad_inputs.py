"""Every user mistake on the command line is one ``nprl: error:`` line and exit status 2.

Issue 13 observed tracebacks for ``--seed -3``, ``--out`` naming a file / a read-only place,
``--set total_steps=1e400``, ``env_kwargs`` with ``render_mode``, ``buffer.json`` ``pos``
out of range, ``qmap --out`` in a read-only folder, ``nprl mnist`` that trained fully before
finding it could not save, ``--env nosuchmodule:Env``. The table below tries each of those
and, for the whole class, every command's options with wrong values.
"""

import json
import os
import subprocess
import sys

import pytest

from nprl.cli import main
from nprl.rl.config import DQNConfig
from nprl.rl.train import train

TINY = {"hidden_sizes": [8], "batch_size": 16, "learning_starts": 50, "train_freq": 4,
        "checkpoint_interval": 100, "log_interval": 100}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "cartpole"
    train("CartPole-v1", DQNConfig(total_steps=200, seed=1, **TINY), run_dir=out)
    return out


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    """A folder nobody can write in: a read-only tmpfs for root (root ignores permission
    bits), a folder without write permission for anybody else."""
    path = tmp_path_factory.mktemp("read-only")
    if os.geteuid() != 0:
        path.chmod(0o555)
        yield path
        path.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)],
                             capture_output=True, check=False).returncode == 0
    if not mounted:
        pytest.skip("cannot make a read-only folder here (root without mount)")
    yield path
    subprocess.run(["umount", str(path)], check=False)


@pytest.fixture(scope="module")
def a_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("files") / "notes.txt"
    path.write_text("not a folder\n")
    return path


# (argv, a piece of the message). {run}, {ro} (read-only folder), {file} (a plain file)
# and {tmp} (a fresh folder) are filled in by the test.
CASES = [
    # train
    (["train", "--seed", "-3"], "argument --seed: a seed must be a whole number >= 0"),
    (["train", "--seed", "1.5"], "argument --seed: expected a whole number"),
    (["train", "--seed", "abc"], "argument --seed"),
    (["train", "--steps", "0"], "argument --steps: expected a whole number >= 1"),
    (["train", "--steps", "-5"], "argument --steps"),
    (["train", "--out", "{file}"], "is a file, not a folder"),
    (["train", "--out", "{file}/run"], "is a file, not a folder"),
    (["train", "--out", "{ro}/run"], "cannot write in"),
    (["train", "--out", "{ro}/a/b/run"], "cannot write in"),
    (["train", "--set", "total_steps=1e400"], "total_steps must be a whole number"),
    (["train", "--set", "seed=1e400"], "seed must be a whole number"),
    (["train", "--set", "seed=-1"], "seed must be >= 0"),
    (["train", "--set", "learning_rate=inf"], "learning_rate must be a finite number"),
    (["train", "--set", "learning_rate=nan"], "learning_rate must be a finite number"),
    (["train", "--set", "hidden_sizes=128"], "hidden_sizes must be a list"),
    (["train", "--set", 'hidden_sizes="128"'], "hidden_sizes must be a list"),
    (["train", "--set", "q_bound_factor=-1"], "q_bound_factor must be >= 0"),
    (["train", "--set", "success_batch_size=50000"], "must not exceed success_buffer_size"),
    (["train", "--set", 'env_kwargs={"render_mode": "human"}'], "cannot set render_mode"),
    (["train", "--set", "batch_size=abc"], "batch_size must be a whole number"),
    (["train", "--set", "=3"], "--set expects key=value"),
    (["train", "--set", "gamma"], "--set expects key=value"),
    (["train", "--preset", "nope"], "unknown preset 'nope'"),
    (["train", "--env", "NoSuchEnv-v0"], "unknown environment"),
    (["train", "--env", "nosuchmodule:Env"], "nosuchmodule"),
    # resume
    (["resume", "{run}", "--steps", "0"], "argument --steps"),
    (["resume", "{run}", "--steps", "abc"], "argument --steps"),
    (["resume", "{run}", "--steps", "100"], "already reached 200 of 100 steps"),
    (["resume", "{tmp}/missing"], "does not exist"),
    (["resume", "{file}"], "is a file"),
    # eval
    (["eval", "{run}", "--episodes", "0"], "argument --episodes"),
    (["eval", "{run}", "--episodes", "two"], "argument --episodes"),
    (["eval", "{run}", "--epsilon", "2"], "argument --epsilon"),
    (["eval", "{run}", "--epsilon", "nan"], "argument --epsilon"),
    (["eval", "{run}", "--seed", "-1"], "argument --seed"),
    (["eval", "{run}", "--checkpoint", "nope"], "no checkpoint 'nope'"),
    (["eval", "{run}", "--video", "{ro}/land.gif"], "cannot write in"),
    (["eval", "{run}", "--video", "{file}/land.gif"], "is a file, not a folder"),
    (["eval", "{run}", "--video", "{tmp}"], "is a folder"),
    (["eval", "{run}", "--video", "{tmp}/land.xyz"], "unknown format '.xyz'"),
    (["eval", "{run}", "--video", "{tmp}/land"], "unknown format"),
    (["eval", "pretrained:nope"], "nope"),
    # plot
    (["plot", "{run}", "--smooth", "0"], "argument --smooth"),
    (["plot", "{run}", "--out", "{ro}/d.png"], "cannot write in"),
    (["plot", "{run}", "--out", "{tmp}/d.txt"], "unknown format '.txt'"),
    (["plot", "{tmp}/missing"], "does not exist"),
    # qmap
    (["qmap", "{run}", "--resolution", "3"], "--resolution must be between"),
    (["qmap", "{run}", "--x", "99"], "observation index"),
    (["qmap", "{run}", "--x", "-1"], "argument --x"),
    (["qmap", "{run}", "--x", "0", "--y", "0"], "must be different"),
    (["qmap", "{run}", "--x-range", "1", "0"], "--x-range needs LOW < HIGH"),
    (["qmap", "{run}", "--x-range", "nan", "1"], "argument --x-range"),
    (["qmap", "{run}", "--fix", "3=nan"], "--fix expects INDEX=VALUE"),
    (["qmap", "{run}", "--fix", "abc"], "--fix expects INDEX=VALUE"),
    (["qmap", "{run}", "--fix", "99=1"], "--fix index"),
    (["qmap", "{run}", "--out", "{ro}/q.png"], "cannot write in"),
    (["qmap", "pretrained:lander", "--out", "{ro}/q.png"], "cannot write in"),
    (["qmap", "{run}", "--out", "{tmp}"], "is a folder"),
    # report
    (["report", "{run}", "--episodes", "0"], "argument --episodes: expected a whole number from 1 to 1000"),
    (["report", "{run}", "--seed", "-1"], "argument --seed"),
    (["report", "{run}", "--out", "{ro}/r.html"], "cannot write in"),
    (["report", "pretrained:lander"], "needs a run directory"),
    # mnist: every output path is checked before any data is read or any epoch run
    (["mnist", "--out", "{ro}/model"], "cannot write in"),
    (["mnist", "--out", "{file}"], "is a file, not a folder"),
    (["mnist", "--epochs", "0"], "argument --epochs"),
    (["mnist", "--batch-size", "0"], "argument --batch-size"),
    (["mnist", "--lr", "inf"], "argument --lr"),
    (["mnist", "--lr", "0"], "argument --lr"),
    (["mnist", "--limit", "0"], "argument --limit"),
    (["mnist", "--seed", "-1"], "argument --seed"),
    (["mnist", "--threads", "-1"], "argument --threads"),
    (["mnist", "--data", "{tmp}/absent", "--out", "{tmp}/m"], "no such directory"),
    # physics-demo and play
    (["physics-demo", "--gif", "{ro}/demo.gif"], "cannot write in"),
    (["physics-demo", "--gif", "{tmp}/demo.png"], "unknown format '.png'"),
    (["physics-demo", "--seconds", "inf"], "--seconds"),
    (["play", "--stage", "9"], "--stage must be 0, 1, 2 or 3"),
    (["play", "--seed", "-1"], "argument --seed"),
    # the command itself
    (["nosuchcommand"], "invalid choice"),
    (["eval"], "required: RUN_DIR"),
]


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_user_mistake_is_one_line(argv, message, run_dir, read_only, a_file, tmp_path,
                                    capsys):
    places = {"run": run_dir, "ro": read_only, "file": a_file, "tmp": tmp_path}
    for name, place in places.items():
        argv = [arg.replace(f"{{{name}}}", str(place)) for arg in argv]
    assert main(argv) == 2
    assert_one_error_line(capsys.readouterr().err, message)
    assert not list(read_only.iterdir())


# What a command may say on stderr before it fails: where it starts, and notes.
PROGRESS_LINES = ("training DQN on ", "resuming ", "nprl: note: ")


def assert_one_error_line(err: str, message: str) -> None:
    *before, last = err.strip().splitlines()
    assert last.startswith("nprl: error: ") and message in last, err
    assert all(line.startswith(PROGRESS_LINES) for line in before), err
    assert "Traceback" not in err and "Exception ignored" not in err


def test_mnist_checks_its_output_before_training(tmp_path, read_only, capsys, monkeypatch):
    import nprl.data

    def must_not_load(*args, **kwargs):
        raise AssertionError("MNIST was loaded before --out was checked")

    monkeypatch.setattr(nprl.data, "load_mnist", must_not_load)
    assert main(["mnist", "--data", str(tmp_path), "--out", str(read_only / "m")]) == 2
    assert "cannot write in" in capsys.readouterr().err


def test_render_mode_in_a_config_json_is_one_line(run_dir, tmp_path, capsys):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    document = json.loads((copy / "config.json").read_text())
    document["config"]["env_kwargs"] = {"render_mode": "human"}
    (copy / "config.json").write_text(json.dumps(document))
    assert main(["eval", str(copy), "--episodes", "1"]) == 2
    assert_one_error_line(capsys.readouterr().err, "env_kwargs cannot set render_mode")


def set_buffer_pos(checkpoint, pos: int) -> None:
    """Write ``pos`` into a checkpoint's buffer.json, with checksums that agree (so the
    check under test is the position's own, not the manifest's)."""
    from nprl import fileio

    (found,) = checkpoint.rglob("buffer.json")
    meta = json.loads(found.read_text())
    meta["pos"] = pos
    found.write_text(json.dumps(meta))
    folder = found.parent
    while folder != checkpoint.parent:
        if (folder / "MANIFEST.json").exists():
            fileio.write_manifest(folder)
        folder = folder.parent


@pytest.mark.parametrize("pos", [999_999, -1, 7])
def test_a_buffer_position_that_cannot_be_is_one_line(run_dir, tmp_path, capsys, pos):
    """``pos`` beyond the capacity gave an IndexError; ``-1`` and a ``pos`` that does not
    follow from ``size`` were accepted silently (the next add overwrote the wrong slot).
    With every checkpoint so damaged, resuming is one line; with only the newest, resume
    says so in a note and goes on from the older one."""
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    checkpoints = sorted(copy.glob("checkpoints/step_*"))
    assert len(checkpoints) == 2
    set_buffer_pos(checkpoints[-1], pos)
    assert main(["resume", str(copy), "--steps", "300", "--no-progress"]) == 0
    assert f"position {pos} is impossible" in capsys.readouterr().err

    shutil.rmtree(copy)
    shutil.copytree(run_dir, copy)
    for checkpoint in checkpoints:
        set_buffer_pos(checkpoint, pos)
    assert main(["resume", str(copy), "--steps", "300", "--no-progress"]) == 2
    assert_one_error_line(capsys.readouterr().err, "is impossible")


def test_no_traceback_and_no_imageio_noise_in_a_real_process(tmp_path, read_only):
    """After a failed ``--video`` or ``--gif``, imageio's writer used to print ``Exception
    ignored in ... __del__`` with a traceback as the process ended."""
    for argv in (["eval", "pretrained:lander", "--episodes", "1", "--video",
                  str(read_only / "land.gif")],
                 ["physics-demo", "--gif", str(read_only / "demo.gif"), "--seconds", "0.1"],
                 ["train", "--seed", "-3"],
                 ["train", "--env", "nosuchmodule:Env", "--out", str(tmp_path / "r")]):
        result = subprocess.run([sys.executable, "-m", "nprl", *argv], capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode == 2, result.stderr
        assert_one_error_line(result.stderr, "")
