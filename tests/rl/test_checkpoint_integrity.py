"""Corruption is detected, named and survived (issue 13, "Corruption"): every saved file is
covered by a SHA-256 manifest; a damaged checkpoint is skipped for the newest intact one
with one note; a torn metrics row is dropped; runs saved before manifests still load."""

import json
import re
import shutil
import warnings

import numpy as np
import pytest

from nprl.cli import main
from nprl.errors import Note
from nprl.fileio import MANIFEST
from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.rl.train import _load_checkpoint, resume, train

TINY = dict(total_steps=900, hidden_sizes=[16], batch_size=16, buffer_size=1000,
            learning_starts=200, train_freq=4, target_update_interval=100, log_interval=250,
            eval_interval=300, eval_episodes=1, checkpoint_interval=300, seed=5,
            prioritized=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("trained") / "run"
    train("CartPole-v1", DQNConfig(**TINY), run_dir=run_dir)
    return run_dir


@pytest.fixture
def run(trained, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def newest_and_older(run_dir):
    newest, older = RunDir(run_dir).checkpoint_names()
    return run_dir / "checkpoints" / newest, run_dir / "checkpoints" / older


def data_files(folder):
    """Every file of a checkpoint except the manifests themselves."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def opened_with_fallback(run_dir):
    """Open the run's checkpoint as resume does; return (folder used, notes)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder, _ = RunDir(run_dir).open_checkpoint(_load_checkpoint)
    return folder, [str(w.message) for w in caught if issubclass(w.category, Note)]


def test_every_file_of_a_checkpoint_is_covered(run):
    newest, _ = newest_and_older(run)
    names = {p.relative_to(newest).as_posix() for p in data_files(newest)}
    # The networks, the optimizer (portable and exact), the replay buffer with its PER
    # priorities, the loop state: nothing a resume reads is left out.
    for expected in ("state.json", "agent/agent.json", "agent/q_net/0.weight.npy",
                     "agent/target_net/config.json", "agent/optimizer/step.npy",
                     "agent/buffer/obs.npy", "agent/buffer/priorities.npy",
                     "agent/buffer/buffer.json"):
        assert expected in names
    assert len(names) >= 30


@pytest.mark.parametrize("where", ["header", "middle", "last"])
def test_a_flipped_byte_in_any_file_is_detected_and_the_older_checkpoint_used(run, where):
    newest, older = newest_and_older(run)
    files = data_files(newest)
    missed = []
    for path in files:
        original = path.read_bytes()
        position = {"header": min(10, len(original) - 1), "middle": len(original) // 2,
                    "last": len(original) - 1}[where]
        damaged = bytearray(original)
        damaged[position] ^= 0x10
        path.write_bytes(bytes(damaged))
        folder, notes = opened_with_fallback(run)
        name = path.name
        if folder != older or len(notes) != 1 or name not in notes[0] or \
                "damaged or changed" not in notes[0]:
            missed.append(str(path.relative_to(newest)))
        path.write_bytes(original)
    print(f"\nflipped byte ({where}): {len(files) - len(missed)}/{len(files)} files detected")
    assert missed == []


def test_an_empty_npy_is_detected_and_named(run):
    newest, older = newest_and_older(run)
    arrays = [p for p in data_files(newest) if p.suffix == ".npy"]
    missed = []
    for path in arrays:
        original = path.read_bytes()
        path.write_bytes(b"")
        folder, notes = opened_with_fallback(run)
        if folder != older or path.name not in notes[0]:
            missed.append(path.name)
        path.write_bytes(original)
    print(f"\nempty .npy: {len(arrays) - len(missed)}/{len(arrays)} detected")
    assert missed == [] and len(arrays) >= 20


def unseal(run_dir):
    """What a run saved before manifests existed looks like."""
    for manifest in run_dir.rglob(MANIFEST):
        manifest.unlink()


@pytest.mark.parametrize("damage", ["empty", "shape digit", "truncated"])
def test_without_manifests_damaged_arrays_are_still_one_line_naming_the_file(run, damage):
    unseal(run)
    newest, _ = newest_and_older(run)
    arrays = [p for p in data_files(newest) if p.suffix == ".npy"]
    if damage == "shape digit":  # arrays with at least one dimension
        arrays = [p for p in arrays if re.search(rb"'shape': \(\d", p.read_bytes())]
    for path in arrays:
        original = path.read_bytes()
        if damage == "empty":
            data = b""
        elif damage == "shape digit":  # e.g. (16,) -> (96,) or "(1" -> "(\x01"
            match = re.search(rb"'shape': \((\d)", original)
            data = original[:match.start(1)] + b"9" + original[match.end(1):] \
                if match.group(1) != b"9" else original[:match.start(1)] + b"\x01" + \
                original[match.end(1):]
        else:
            data = original[:-1]
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Note)
            with pytest.raises(ValueError) as caught:
                RunDir(run).open_checkpoint(_load_checkpoint, newest.name)
        message = str(caught.value)
        assert path.name in message and "\n" not in message, message
        path.write_bytes(original)
    print(f"\nwithout manifests, {damage}: {len(arrays)}/{len(arrays)} named in one line")


def test_a_run_saved_before_manifests_resumes_with_one_note(run):
    unseal(run)
    folder, notes = opened_with_fallback(run)
    assert folder == newest_and_older(run)[0]
    assert len(notes) == 1 and "has no MANIFEST.json" in notes[0]


def damage_newest(run_dir):
    newest, older = newest_and_older(run_dir)
    weights = newest / "agent" / "q_net" / "0.weight.npy"
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0xFF
    weights.write_bytes(bytes(data))
    return newest, older


def test_resume_and_eval_fall_back_saying_so_in_one_line(run, capsys):
    _, older = damage_newest(run)
    assert main(["eval", str(run), "--episodes", "1", "--checkpoint", "latest"]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert len(notes) == 1 and "0.weight.npy: damaged" in notes[0] and \
        f"using the newest intact checkpoint, {older.name}" in notes[0]
    assert main(["resume", str(run), "--steps", "1000", "--no-progress"]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert any(f"using the newest intact checkpoint, {older.name}" in line for line in notes)


def test_eval_falls_back_from_a_damaged_best(run, capsys):
    best = run / "checkpoints" / "best"
    assert best.is_dir()
    (best / "state.json").write_text("{}")
    assert main(["eval", str(run), "--episodes", "1"]) == 0
    err = capsys.readouterr().err
    assert "best/state.json: damaged" in err and "using the newest intact checkpoint, step_" in err


def test_resume_checkpoint_picks_one(run, capsys):
    newest, older = damage_newest(run)
    err_line = _error_line(capsys, ["resume", str(run), "--checkpoint", newest.name,
                                    "--no-progress"])
    assert "0.weight.npy: damaged or changed since it was saved" in err_line
    seen = []
    result = resume(run, total_steps=1000, checkpoint=older.name,
                    callback=lambda step, agent: seen.append(step))
    assert seen[0] == int(older.name.split("_")[1]) + 1 and result.steps == 1000
    assert "no checkpoint 'step_9'" in _error_line(capsys, ["resume", str(run),
                                                            "--checkpoint", "step_9"])


def _error_line(capsys, argv):
    assert main(argv) == 2
    lines = [line for line in capsys.readouterr().err.splitlines()
             if not line.startswith("resuming")]
    assert len(lines) == 1 and lines[0].startswith("nprl: error:"), lines
    return lines[0]


# -- metrics.csv ---------------------------------------------------------------------------


def test_a_torn_last_row_is_dropped_by_resume_and_skipped_by_plot(run):
    metrics = RunDir(run).metrics_path
    metrics.write_text(metrics.read_text() + "episode,9")  # what a kill mid-write leaves
    with pytest.warns(Note, match="skipped 1 damaged row .*torn"):
        rows = RunDir(run).read_metrics()
    assert rows and all(row["step"].isdigit() for row in rows)
    with pytest.warns(Note, match="dropped its torn last row"):
        result = resume(run, total_steps=1000)
    assert result.steps == 1000
    text = metrics.read_text()
    assert text.endswith("\n") and "episode,9\n" not in text
    assert max(int(row["step"]) for row in RunDir(run).read_metrics()) == 1000


def test_a_huge_field_is_one_line_for_resume_and_skipped_by_plot(run, capsys):
    metrics = RunDir(run).metrics_path
    lines = metrics.read_text().splitlines(keepends=True)
    lines.insert(3, "episode," + "9" * 200_000 + "\n")
    metrics.write_text("".join(lines))
    with pytest.warns(Note, match=r"skipped 1 damaged row \(line 4: field larger than"):
        RunDir(run).read_metrics()
    line = _error_line(capsys, ["resume", str(run), "--steps", "1000", "--no-progress"])
    assert "metrics.csv line 4 is damaged (field larger than field limit" in line
    png = run / "curve.png"
    assert main(["plot", str(run), "--out", str(png)]) == 0 and png.is_file()


def test_a_row_with_a_bad_step_is_named(run):
    metrics = RunDir(run).metrics_path
    lines = metrics.read_text().splitlines(keepends=True)
    fields = lines[2].split(",")
    fields[1] = "12x"
    lines[2] = ",".join(fields)
    metrics.write_text("".join(lines))
    with pytest.raises(ValueError, match="line 3 is damaged .its step is not a whole number"):
        resume(run, total_steps=1000)


def test_checkpoint_state_json_is_verified_before_it_is_read(run):
    newest, _ = newest_and_older(run)
    state = json.loads((newest / "state.json").read_text())
    state["loop"]["step"] = 1
    (newest / "state.json").write_text(json.dumps(state))
    from nprl.rl.run_dir import read_state

    with pytest.raises(ValueError, match=r"state\.json: damaged or changed"):
        read_state(newest)
    assert np.isfinite(1.0)


# -- the agent shipped in the package -----------------------------------------------------


def test_the_shipped_agent_is_sealed_and_verified(tmp_path, monkeypatch):
    from nprl.fileio import verify_manifest
    from nprl.rl import pretrained

    assert verify_manifest(pretrained.PRETRAINED_DIR / "lander", recursive=True)
    shelf = tmp_path / "pretrained"
    shutil.copytree(pretrained.PRETRAINED_DIR, shelf)
    monkeypatch.setattr(pretrained, "PRETRAINED_DIR", shelf)
    weights = shelf / "lander" / "agent" / "q_net" / "0.weight.npy"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"0\.weight\.npy: damaged or changed"):
        pretrained.load_pretrained("lander")
