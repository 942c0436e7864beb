"""Nothing is lost (issue 13, "Durability"): checkpoints follow the SQLite recipe, best and a
saved model never cease to exist, leftovers of a killed save are cleaned up, and a full
disk is one line that keeps the last good checkpoint."""

import errno
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from nprl import fileio
from nprl.cli import main
from nprl.errors import Note
from nprl.fileio import DiskFull, verify_manifest
from nprl.nn import Dense, Sequential, load, save
from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.rl.train import resume, train

TINY = dict(total_steps=900, hidden_sizes=[16], batch_size=16, buffer_size=1000,
            learning_starts=200, train_freq=4, target_update_interval=100, log_interval=250,
            eval_interval=300, eval_episodes=1, checkpoint_interval=300, seed=5)


def fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name fds")
def test_checkpoint_write_follows_the_sqlite_recipe(tmp_path, monkeypatch):
    events = []
    real_fsync, real_rename, real_replace = os.fsync, os.rename, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", fd_path(fd))),
                                                 real_fsync(fd))[1])
    monkeypatch.setattr(os, "rename", lambda a, b: (events.append(("rename", str(a), str(b))),
                                                    real_rename(a, b))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append(("rename", str(a), str(b))),
                                                     real_replace(a, b))[1])
    run = RunDir(tmp_path / "run")

    def write(folder):
        folder.mkdir()
        (folder / "sub").mkdir()
        for name in ("a.bin", "sub/b.bin"):
            (folder / name).write_bytes(b"x" * 100)

    final = run.save_checkpoint("step_000000001", write)
    checkpoints = str(run.checkpoints)
    renames = [i for i, e in enumerate(events) if e[0] == "rename"]
    into_place = next(i for i in renames if events[i][2] == str(final))
    synced_before = {e[1] for e in events[:into_place] if e[0] == "fsync"}
    temporary = events[into_place][1]
    for name in ("a.bin", "sub/b.bin", "MANIFEST.json", "sub", ""):
        assert os.path.join(temporary, name).rstrip("/") in synced_before, name
    # The parent is fsynced after the rename, then latest goes the same way.
    pointer = next(i for i in renames if events[i][2].endswith("/latest"))
    assert ("fsync", checkpoints) in events[into_place:pointer]
    assert ("fsync", events[pointer][1]) in events[into_place:pointer]
    assert events[pointer][1].endswith("/.latest.tmp")
    assert ("fsync", checkpoints) in events[pointer:]
    verify_manifest(final, recursive=True)


def watch_existence(monkeypatch, folder: Path):
    """Check after every rename and removal that ``folder`` (once written) still exists."""
    state = {"checks": 0}

    def checked(function):
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            if state.get("armed"):
                state["checks"] += 1
                assert folder.is_dir() and any(folder.iterdir()), f"{folder} vanished"
            return result
        return wrapper

    for name in ("rename", "replace"):
        monkeypatch.setattr(os, name, checked(getattr(os, name)))
    monkeypatch.setattr(shutil, "rmtree", checked(shutil.rmtree))
    return state


def test_best_never_ceases_to_exist(tmp_path, monkeypatch):
    run = RunDir(tmp_path / "run")
    state = watch_existence(monkeypatch, run.checkpoints / "best")

    def write(version):
        def fill(folder):
            (folder / "agent").mkdir(parents=True)
            (folder / "agent" / "v").write_text(version)
        return fill

    run.save_best(write("1"))
    state["armed"] = True
    for version in "234":
        run.save_best(write(version))
    assert state["checks"] >= 3
    assert (run.checkpoints / "best" / "agent" / "v").read_text() == "4"
    assert sorted(p.name for p in run.checkpoints.iterdir()) == ["best"]  # no leftovers


def test_a_saved_model_never_ceases_to_exist(tmp_path, monkeypatch):
    net = Sequential(Dense(3, 2, rng=0))
    save(net, tmp_path / "model")
    state = watch_existence(monkeypatch, tmp_path / "model")
    state["armed"] = True
    save(Sequential(Dense(3, 2, rng=1)), tmp_path / "model")
    assert state["checks"] >= 1
    assert (load(tmp_path / "model")[0].weight.data == Sequential(Dense(3, 2, rng=1))[0]
            .weight.data).all()


def test_exchange_falls_back_to_two_renames_where_unsupported(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio, "_exchange", lambda a, b: False)
    save(Sequential(Dense(3, 2, rng=0)), tmp_path / "model")
    save(Sequential(Dense(3, 2, rng=1)), tmp_path / "model")
    load(tmp_path / "model")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_resume_removes_what_a_killed_save_left(tmp_path):
    train("CartPole-v1", DQNConfig(**TINY), run_dir=tmp_path / "run")
    run = RunDir(tmp_path / "run")
    leftovers = [run.checkpoints / ".tmp-step_000000999-4242", run.checkpoints / ".latest.tmp",
                 run.path / "metrics.csv.tmp", run.checkpoints / ".old-best-77",
                 run.checkpoints / ".tmp-best-77"]
    for path in leftovers:
        if path.suffix == ".tmp":
            path.write_text("half")
        else:
            (path / "agent").mkdir(parents=True)
    with pytest.warns(Note, match=r"removed what an interrupted save left .*\.latest\.tmp"):
        resume(run.path, total_steps=1000)
    assert not [path for path in leftovers if path.exists()]


class FullDisk:
    """Make the n-th and later array writes fail as a full disk does."""

    def __init__(self, monkeypatch, after: int):
        self.calls, self.after = 0, after
        real = fileio.write_npy

        def write_npy(path, array):
            self.calls += 1
            if self.calls > self.after:
                Path(path).write_bytes(b"\x93NUMPY partial")
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            real(path, array)

        monkeypatch.setattr("nprl.fileio.write_npy", write_npy)


def test_full_disk_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    config = DQNConfig(**TINY)
    train("CartPole-v1", config, run_dir=tmp_path / "run")
    run = RunDir(tmp_path / "run")
    good = run.latest_checkpoint().name
    FullDisk(monkeypatch, after=3)
    with pytest.raises(DiskFull) as caught:
        resume(run.path, total_steps=1500)
    message = str(caught.value)
    assert message.startswith(f"no space left in {run.path}: the next checkpoint needs about ")
    assert "MB free" in message and f"the last good checkpoint, {good}, is kept" in message
    assert f"nprl resume {run.path}" in message and "\n" not in message
    assert run.latest_checkpoint().name == good
    assert not list(run.checkpoints.glob(".*"))  # no temporary folder or file left
    verify_manifest(run.latest_checkpoint(), recursive=True)


def test_full_disk_before_the_first_checkpoint_can_restart_in_place(tmp_path, monkeypatch):
    config = DQNConfig(**TINY)
    disk = FullDisk(monkeypatch, after=0)
    with pytest.raises(DiskFull, match=r"no checkpoint was written: free some space and start "
                                       r"again with 'nprl train --out .* --overwrite'"):
        train("CartPole-v1", config, run_dir=tmp_path / "run")
    assert not list((tmp_path / "run" / "checkpoints").iterdir())
    with pytest.raises(ValueError, match="it has no checkpoint to resume from.*--overwrite"):
        train("CartPole-v1", config, run_dir=tmp_path / "run")
    disk.after = 10**9  # space freed
    result = train("CartPole-v1", config, run_dir=tmp_path / "run", overwrite=True)
    assert result.steps == 900 and RunDir(tmp_path / "run").latest_checkpoint()


def test_overwrite_leaves_files_nprl_did_not_write(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    config = DQNConfig(**{**TINY, "total_steps": 300})
    train("CartPole-v1", config, run_dir=tmp_path / "run")
    train("CartPole-v1", config, run_dir=tmp_path / "run", overwrite=True)
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"


def can_mount_tmpfs(where: Path) -> bool:
    if sys.platform != "linux" or os.geteuid() != 0:
        return False
    where.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
                          check=False,
                          capture_output=True)
    return done.returncode == 0


def test_a_real_full_disk_is_one_line(tmp_path, capsys):
    """A 1 MB tmpfs as --out (needs root: skipped elsewhere; the simulated tests above
    cover the same paths)."""
    disk = tmp_path / "disk"
    if not can_mount_tmpfs(disk):
        pytest.skip("cannot mount a tmpfs here (needs root on Linux)")
    try:
        out = disk / "run"
        argv = ["train", "--steps", "20000", "--out", str(out), "--no-progress",
                "--set", "checkpoint_interval=1000", "--set", "eval_interval=0"]
        assert main(argv) == 2
        lines = [line for line in capsys.readouterr().err.splitlines()
                 if line.startswith("nprl:")]
        assert len(lines) == 1 and lines[0].startswith(f"nprl: error: no space left in {out}")
        run = RunDir(out)
        assert not [p for p in run.checkpoints.iterdir() if p.name.startswith(".")]
        verify_manifest(run.latest_checkpoint(), recursive=True)
        assert main(["resume", str(out), "--no-progress"]) == 2  # still full: same line
        assert "no space left in" in capsys.readouterr().err
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_under_tensorboard_is_one_line_not_a_hang(tmp_path, monkeypatch):
    """tensorboardX writes from a thread: when a write failed, that thread died and the next
    add_scalar blocked forever on its full queue (observed on a 300 kB tmpfs)."""
    pytest.importorskip("tensorboardX")
    import faulthandler
    import threading

    from tensorboardX import event_file_writer

    real = event_file_writer.EventsWriter.write_event

    def full(self, event):  # the disk fills while the writer thread writes
        if threading.current_thread() is threading.main_thread():
            return real(self, event)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(event_file_writer.EventsWriter, "write_event", full)

    # Without the guard the training blocks in C: a watchdog ends the test run loudly.
    faulthandler.dump_traceback_later(300, exit=True)
    try:
        with pytest.raises(DiskFull, match="no space left in .*run: the next checkpoint needs"):
            train("CartPole-v1", DQNConfig(**{**TINY, "tensorboard": True}),
                  run_dir=tmp_path / "run")
    finally:
        faulthandler.cancel_dump_traceback_later()


KILLER = """
import os, signal, sys
import nprl.fileio as fileio
from nprl.rl.config import DQNConfig
from nprl.rl.train import train
where, count = sys.argv[2], {"n": 0}
real_manifest, real_atomic = fileio.write_manifest, fileio.write_file_atomic

def manifest(folder):  # kill -9 with a checkpoint half sealed
    if where == "mid-save" and folder.name.startswith(".tmp-step_"):
        count["n"] += 1
        if count["n"] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    return real_manifest(folder)

def atomic(path, data):  # kill -9 after the rename into place, before latest moves
    if where == "before-latest" and path.name == "latest":
        count["n"] += 1
        if count["n"] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    return real_atomic(path, data)

fileio.write_manifest = manifest
fileio.write_file_atomic = atomic
import nprl.rl.run_dir as run_dir
run_dir.write_file_atomic = atomic
train("CartPole-v1", DQNConfig(**eval(sys.argv[3])), run_dir=sys.argv[1])
"""


@pytest.mark.parametrize("where", ["mid-save", "before-latest"])
def test_kill_9_at_the_worst_instants_of_a_checkpoint_resumes_cleanly(tmp_path, where):
    config = {**TINY, "total_steps": 1500}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]),
                                                        os.environ.get("PYTHONPATH", "")])}
    killed = subprocess.run([sys.executable, "-c", KILLER, str(tmp_path / "run"), where,
                             repr(config)], env=env, capture_output=True, check=False)
    assert killed.returncode == -9, killed.stderr.decode()[-500:]
    run = RunDir(tmp_path / "run")
    names = run.checkpoint_names()
    if where == "mid-save":
        assert list(run.checkpoints.glob(".tmp-step_*"))  # what the kill left
    else:
        assert run.latest_checkpoint().name != names[0]  # the newest is not yet "latest"
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = resume(run.path)
    assert result.steps == 1500
    assert not list(run.checkpoints.glob(".tmp-*"))
    verify_manifest(run.latest_checkpoint(), recursive=True)
    # Same metrics as a run that was never killed.
    train("CartPole-v1", DQNConfig(**config), run_dir=tmp_path / "reference")
    assert _learning_rows(run.path) == _learning_rows(tmp_path / "reference")


def _learning_rows(run_dir):
    import csv

    from nprl.rl.metrics import TIMING_COLUMNS

    with open(Path(run_dir) / "metrics.csv", newline="") as file:
        return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS}
                for row in csv.DictReader(file)]
