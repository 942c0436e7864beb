"""The metric names: a real run's metrics.csv has exactly the documented columns, each
filled in the row kinds the table says and with sane values; TensorBoard gets the same
values; old run directories stay readable."""

import csv
import math
import struct
import subprocess
import sys

import numpy as np
import pytest

from nprl.nn.serialization import load as load_network
from nprl.rl.config import DQNConfig
from nprl.rl.loop_state import IntervalSums
from nprl.rl.metrics import (
    METRIC_COLUMNS,
    METRICS,
    describe,
    is_weight_norm,
    layer_names,
    metric_columns,
    weight_norms,
)
from nprl.rl.presets import resolve_config
from nprl.rl.run_dir import RunDir, read_state
from nprl.rl.train import resume, train

TINY = {"total_steps": 1200, "hidden_sizes": [16], "batch_size": 16, "buffer_size": 600,
        "learning_starts": 200, "train_freq": 4, "target_update_interval": 100,
        "log_interval": 200, "eval_interval": 600, "eval_episodes": 2,
        "checkpoint_interval": 0, "seed": 3, "learning_rate": 1e-3}


def rows_of(run_dir):
    with open(RunDir(run_dir).metrics_path, newline="") as file:
        return list(csv.DictReader(file))


def header_of(run_dir):
    with open(RunDir(run_dir).metrics_path, newline="") as file:
        return next(csv.reader(file))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Tiny real runs: CartPole with uniform and with prioritized replay, the Lander
    (whose episodes report is_success), and MountainCar with reward shaping."""
    root = tmp_path_factory.mktemp("metric-runs")
    train("CartPole-v1", DQNConfig(**TINY), run_dir=root / "uniform")
    train("CartPole-v1", DQNConfig(**TINY, prioritized=True, dueling=True),
          run_dir=root / "per")
    env_id, config = resolve_config(None, "lander", {**TINY, "total_steps": 1500,
                                                     "eval_episodes": 1})
    train(env_id, config, run_dir=root / "lander")
    train("MountainCar-v0", DQNConfig(**{**TINY, "total_steps": 500, "eval_interval": 0},
                                      shaping="energy"), run_dir=root / "shaped")
    return {name: root / name for name in ("uniform", "per", "lander", "shaped")}


def test_the_csv_header_is_the_documented_set(runs):
    assert METRIC_COLUMNS == list(METRICS)
    for name, layers in (("uniform", ["0", "2"]), ("per", ["0", "2.value", "2.advantage"])):
        header = header_of(runs[name])
        assert header == metric_columns(layers)
        assert header[len(METRICS):] == [f"weight_norm/{layer}" for layer in layers]
        for column in header:
            assert len(describe(column).description) > 10
    # The first columns never move, so older runs' headers stay prefixes.
    assert METRIC_COLUMNS[:8] == ["kind", "step", "episode", "return", "length", "epsilon",
                                  "td_loss", "q_mean"]


def test_every_metric_is_filled_only_in_the_row_kinds_the_table_names(runs):
    rows = rows_of(runs["per"]) + rows_of(runs["lander"]) + rows_of(runs["shaped"])
    filled = {}
    for row in rows:
        for column, value in row.items():
            if value != "":
                filled.setdefault(column, set()).add(row["kind"])
    for column, kinds in filled.items():
        assert kinds <= set(describe(column).rows), column
    # The PER run, the Lander (success reported) and a shaped run fill every metric.
    assert set(METRICS) <= set(filled)
    assert any(is_weight_norm(column) for column in filled)


def test_values_are_sane(runs):
    for name in ("uniform", "per"):
        train_rows = [row for row in rows_of(runs[name]) if row["kind"] == "train"]
        assert [int(row["step"]) for row in train_rows] == list(range(200, 1201, 200))
        for row in train_rows:
            step = int(row["step"])
            assert float(row["lr"]) == TINY["learning_rate"]
            # one transition per step until the buffer is full (n_step = 1)
            assert int(row["replay_size"]) == min(step, TINY["buffer_size"])
            if step <= TINY["learning_starts"]:
                assert row["td_loss"] == row["grad_norm"] == row["q_max"] == ""
                continue
            assert float(row["q_max"]) >= abs(float(row["q_mean"]))
            assert float(row["grad_norm"]) > 0  # logged without clipping too
            per = (row["per_weight_mean"], row["per_priority_mean"])
            if name == "per":
                assert 0 < float(per[0]) <= 1 and float(per[1]) > 0
            else:
                assert per == ("", "")
        # The last row's weight norms are those of the network saved at the end.
        run = RunDir(runs[name])
        net = load_network(run.latest_checkpoint() / "agent" / "q_net")
        for column, norm in weight_norms(net).items():
            assert float(train_rows[-1][column]) == pytest.approx(norm, rel=1e-6)
        assert [c for c in train_rows[-1] if is_weight_norm(c)] == [
            f"weight_norm/{layer}" for layer in layer_names(net)]


def test_success_rate_is_the_rate_of_the_last_20_episodes(runs):
    rows = rows_of(runs["lander"])
    successes = []
    checked = 0
    for row in rows:
        if row["kind"] == "episode":
            assert row["success"] in ("0", "1")
            successes.append(int(row["success"]))
        elif row["kind"] == "train" and successes:
            recent = successes[-20:]
            assert float(row["success_rate"]) == pytest.approx(sum(recent) / len(recent))
            checked += 1
    assert checked >= 3
    assert all(row["success_rate"] == "" for row in rows_of(runs["uniform"]))


def test_interval_means_and_the_interval_maximum_of_q():
    sums = IntervalSums()
    for loss, q_max in ((1.0, 3.0), (3.0, 7.0), (2.0, 5.0)):
        sums.add({"td_loss": loss, "q_mean": -1.0, "q_max": q_max, "grad_norm": 4.0,
                  "per_weight_mean": 0.5, "per_priority_mean": 2.0})
    assert sums.means(prioritized=True) == {
        "td_loss": 2.0, "q_mean": -1.0, "q_max": 7.0, "grad_norm": 4.0,
        "per_weight_mean": 0.5, "per_priority_mean": 2.0}
    assert "per_weight_mean" not in sums.means(prioritized=False)
    assert IntervalSums().means(prioritized=True) == {}


def test_an_old_run_directory_stays_readable_and_gains_the_new_columns_on_resume(tmp_path):
    config = DQNConfig(**{**TINY, "total_steps": 600, "checkpoint_interval": 200})
    run_dir = tmp_path / "old"
    train("CartPole-v1", config, run_dir=run_dir)
    metrics = RunDir(run_dir).metrics_path
    old = 17  # the columns before the metric set grew (kind ... eval_success)
    lines = metrics.read_text().splitlines()
    metrics.write_text("\n".join(",".join(line.split(",")[:old]) for line in lines) + "\n")
    rows = RunDir(run_dir).read_metrics()
    assert rows and all(row["q_max"] == "" and row["lr"] == "" for row in rows)
    resume(run_dir, total_steps=1000)
    header = header_of(run_dir)
    assert header == metric_columns(["0", "2"])
    last = rows_of(run_dir)[-1]
    assert last["kind"] == "train" and last["lr"] != "" and last["weight_norm/0"] != ""


def test_a_metrics_file_that_is_not_ours_is_a_clear_error(tmp_path):
    run = RunDir(tmp_path)
    with pytest.raises(ValueError, match="has no metrics.csv"):
        run.read_metrics()
    run.metrics_path.write_text("")
    with pytest.raises(ValueError, match="does not have nprl's metric columns"):
        run.read_metrics()
    run.metrics_path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ValueError, match="does not have nprl's metric columns"):
        run.read_metrics()


# -- TensorBoard ----------------------------------------------------------------------------


def read_events(folder, files=None):
    """Every event of the event files in ``folder`` (TFRecord framing, read by hand; the
    events themselves are parsed by tensorboardX's protobuf classes)."""
    from tensorboardX.proto.event_pb2 import Event

    events = []
    for path in files or sorted(folder.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack("<Q", data[offset:offset + 8])
            start = offset + 12  # length, then its 4-byte checksum
            events.append(Event.FromString(data[start:start + length]))
            offset = start + length + 4  # the record, then its checksum
    return events


def scalars(folder):
    return {(value.tag, event.step): value.simple_value for event in read_events(folder)
            for value in event.summary.value}


def test_tensorboard_gets_every_logged_value(runs):
    pytest.importorskip("tensorboardX")
    logged = scalars(runs["per"] / "tensorboard")
    expected = {}
    for row in rows_of(runs["per"]):
        for column, value in row.items():
            if column not in ("kind", "step") and value != "":
                expected[(f"{row['kind']}/{column}", int(row["step"]))] = float(value)
    assert set(logged) == set(expected)
    for key, value in expected.items():
        assert logged[key] == pytest.approx(value, rel=1e-6), key  # stored as float32
    assert ("train/weight_norm/2.value", 1200) in logged
    assert ("train/td_loss", 1200) in logged and ("episode/return", 1200) not in logged


def test_tensorboard_after_a_crash_and_resume_hides_what_came_after_the_checkpoint(
        tmp_path):
    pytest.importorskip("tensorboardX")

    class Crash(Exception):
        pass

    def crash(step, agent):
        if step == 1100:
            raise Crash

    run_dir = tmp_path / "run"
    with pytest.raises(Crash):
        train("CartPole-v1", DQNConfig(**{**TINY, "checkpoint_interval": 400}),
              run_dir=run_dir, callback=crash)
    checkpoint = read_state(RunDir(run_dir).latest_checkpoint())["loop"]["step"]
    assert 400 <= checkpoint < 1100
    first = scalars(run_dir / "tensorboard")
    assert any(step > checkpoint for _, step in first)  # logged, then lost in the crash
    resume(run_dir)
    folder = run_dir / "tensorboard"
    files = sorted(folder.glob("events.out.tfevents.*"))
    assert len(files) == 2
    starts = [event.step for event in read_events(folder) if event.HasField("session_log")]
    assert starts == [checkpoint + 1]  # TensorBoard drops the first file's steps >= this
    second = {(value.tag, event.step) for event in read_events(folder, files[1:])
              for value in event.summary.value}
    expected = {(f"{row['kind']}/{column}", int(row["step"])) for row in rows_of(run_dir)
                for column, value in row.items()
                if column not in ("kind", "step") and value != ""
                and int(row["step"]) > checkpoint}
    assert second == expected


def test_no_tensorboard_files_when_turned_off_or_not_installed(tmp_path, monkeypatch):
    config = DQNConfig(**{**TINY, "total_steps": 300, "tensorboard": False})
    train("CartPole-v1", config, run_dir=tmp_path / "off")
    assert not (tmp_path / "off" / "tensorboard").exists()
    monkeypatch.setattr("nprl.rl.tensorboard.tensorboard_available", lambda: False)
    train("CartPole-v1", config.replace(tensorboard=True), run_dir=tmp_path / "missing")
    assert not (tmp_path / "missing" / "tensorboard").exists()
    assert (tmp_path / "missing" / "metrics.csv").stat().st_size > 100


def test_tensorboard_does_not_load_torch(tmp_path):
    pytest.importorskip("tensorboardX")
    code = ("import sys; from nprl.rl.tensorboard import open_tensorboard; "
            f"w = open_tensorboard({str(tmp_path)!r}); w.write('train', 1, {{'lr': 0.5}}); "
            "w.close(); assert 'torch' not in sys.modules, 'torch was imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert scalars(tmp_path) == {("train/lr", 1): 0.5}


def test_weight_norms_are_the_layer_norms():
    from nprl.rl.networks import build_q_network

    net = build_q_network(4, 2, DQNConfig(hidden_sizes=[8, 8]), rng=np.random.default_rng(0))
    norms = weight_norms(net)
    assert list(norms) == ["weight_norm/0", "weight_norm/2", "weight_norm/4"]
    layer = net.layers[2]
    expected = math.sqrt(np.sum(layer.weight.data.astype(np.float64) ** 2)
                         + np.sum(layer.bias.data.astype(np.float64) ** 2))
    assert norms["weight_norm/2"] == pytest.approx(expected, rel=1e-6)
