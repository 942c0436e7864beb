"""Property-based fuzzing of everything nprl reads from disk, and of DQNConfig (issue 13).

A run directory, a checkpoint or a saved network is untrusted input. Whatever bytes or
JSON a file holds, loading it either works or raises ``ValueError`` with a one-line
message: never ``KeyError``, ``TypeError``, ``IndexError``, ``OverflowError``,
``MemoryError``... from deep inside. Hypothesis draws the inputs: random JSON documents,
one-field mutations of a real file (a value replaced by any JSON value, a key removed),
random bytes and IDX headers that declare anything.

Deterministic for CI (``derandomize=True``: the same examples every run) and quick
(a few dozen examples per loader). A failure prints the example that broke a loader.
"""

from __future__ import annotations

import copy
import gzip
import json
import shutil
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings  # in the test extra: runs in CI
from hypothesis import strategies as st

from nprl import fileio
from nprl.data.idx import read_idx
from nprl.nn import Dense, ReLU, Sequential, load, save
from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.run_dir import RunDir
from nprl.rl.train import resume, train

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW_FUZZ = settings(FUZZ, max_examples=15)  # each example resumes a run
# A config builds in microseconds: enough examples to hit every field with every edge
# value (300 found the OverflowError of total_steps=inf in the old code; 40 did not).
CONFIG_FUZZ = settings(FUZZ, max_examples=300)

# Values that broke loaders before: inf where a count goes, a string of digits as a list...
EDGES = st.sampled_from([float("inf"), -float("inf"), float("nan"), 1e300, -1, 0, 1.5,
                         2**64, -(2**63), "128", "", True, None, [], {}, [0], ["a"]])
SCALARS = (EDGES | st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=10)


@st.composite
def mutations(draw, document):
    """``document`` with one entry somewhere inside replaced by any JSON value or
    removed (a list entry is replaced)."""
    document = copy.deepcopy(document)
    node = document
    while isinstance(node, (dict, list)) and node:
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict)
                                   else range(len(node))))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        if isinstance(node, dict) and draw(st.booleans()):
            del node[key]
        else:
            node[key] = draw(JSON)
        break
    return document


def documents(valid):
    """Mostly one-field mutations of a real file (they reach deep code), some pure noise."""
    return st.one_of(mutations(valid), mutations(valid), mutations(valid), JSON)


def assert_clear_error(load) -> None:
    """``load()`` works, or fails with a one-line ValueError (UserError is for the CLI)."""
    try:
        load()
    except ValueError as error:
        message = str(error)
        assert message and "\n" not in message, repr(message)


def write_sealed(path: Path, document) -> None:
    """Write a JSON file and re-seal its folder's checksums, so that the loader under
    test parses the content instead of stopping at the manifest (that has its own tests)."""
    path.write_text(json.dumps(document))
    folder = path.parent
    while (folder / "MANIFEST.json").exists():
        fileio.write_manifest(folder)
        folder = folder.parent


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A tiny finished run with one checkpoint (so a damaged one has no fallback)."""
    out = tmp_path_factory.mktemp("fuzz") / "run"
    train("CartPole-v1", DQNConfig(total_steps=120, seed=0, hidden_sizes=[4], batch_size=8,
                                   learning_starts=40, buffer_size=200, log_interval=50,
                                   tensorboard=False), run_dir=out)
    return out


def the_checkpoint(run: Path) -> Path:
    (folder,) = (run / "checkpoints").glob("step_*")
    return folder


@pytest.fixture(scope="module")
def saved_net(tmp_path_factory) -> Path:
    import numpy as np

    net = Sequential(Dense(3, 4, rng=np.random.default_rng(0)), ReLU(), Dense(4, 2))
    return save(net, tmp_path_factory.mktemp("fuzz") / "net")


def copy_of(folder: Path, into: str) -> Path:
    target = Path(into) / folder.name
    shutil.copytree(folder, target)
    return target


# -- JSON files of a run directory ------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_any_config_json_loads_or_is_one_clear_error(run, data):
    valid = json.loads((run / "config.json").read_text())
    document = data.draw(documents(valid))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "run"
        copy.mkdir()
        (copy / "config.json").write_text(json.dumps(document))
        assert_clear_error(lambda: RunDir(copy).read_config())


@FUZZ
@given(data=st.data())
def test_any_agent_json_loads_or_is_one_clear_error(run, data):
    agent = the_checkpoint(run) / "agent"
    document = data.draw(documents(json.loads((agent / "agent.json").read_text())))
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_of(agent, tmp)
        write_sealed(folder / "agent.json", document)
        assert_clear_error(lambda: DQNAgent.load(folder))
        assert_clear_error(lambda: DQNAgent.load(folder, training=False))


@FUZZ
@given(data=st.data())
def test_any_buffer_json_loads_or_is_one_clear_error(run, data):
    agent = the_checkpoint(run) / "agent"
    valid = json.loads((agent / "buffer" / "buffer.json").read_text())
    document = data.draw(documents(valid))
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_of(agent, tmp)
        write_sealed(folder / "buffer" / "buffer.json", document)
        assert_clear_error(lambda: DQNAgent.load(folder))


@SLOW_FUZZ
@given(data=st.data())
def test_any_state_json_resumes_or_is_one_clear_error(run, data):
    valid = json.loads((the_checkpoint(run) / "state.json").read_text())
    document = data.draw(documents(valid))
    with tempfile.TemporaryDirectory() as tmp:
        copy = copy_of(run, tmp)
        write_sealed(the_checkpoint(copy) / "state.json", document)
        assert_clear_error(lambda: resume(copy, total_steps=121))


# -- metrics.csv -------------------------------------------------------------------------

CSV_TEXT = st.text(alphabet=st.sampled_from(list('0123456789.,-e"\n\rabcnaif ')), max_size=400)


@FUZZ
@given(data=st.data())
def test_any_metrics_csv_reads_or_is_one_clear_error(run, data):
    valid = (run / "metrics.csv").read_text()
    header, _, body = valid.partition("\n")
    text = data.draw(st.one_of(
        CSV_TEXT,
        st.builds(lambda noise: f"{header}\n{noise}", CSV_TEXT),  # our header, any rows
        st.builds(lambda cut: valid[:cut], st.integers(0, len(valid))),  # a torn file
        st.builds(lambda big: f"{header}\n{'1' * big}", st.sampled_from([10, 200_000])),
    ))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "run"
        copy.mkdir()
        shutil.copy(run / "config.json", copy / "config.json")
        (copy / "metrics.csv").write_text(text)
        assert_clear_error(lambda: RunDir(copy).read_metrics())


# -- a saved network (nprl.nn.load) ------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_any_network_config_loads_or_is_one_clear_error(saved_net, data):
    document = data.draw(documents(json.loads((saved_net / "config.json").read_text())))
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_of(saved_net, tmp)
        write_sealed(folder / "config.json", document)
        assert_clear_error(lambda: load(folder))


@FUZZ
@given(data=st.data())
def test_any_npy_bytes_load_or_are_one_clear_error(saved_net, data):
    names = sorted(path.name for path in saved_net.glob("*.npy"))
    name = data.draw(st.sampled_from(names))
    valid = (saved_net / name).read_bytes()
    content = data.draw(st.one_of(
        st.binary(max_size=300),
        st.builds(lambda cut: valid[:cut], st.integers(0, len(valid))),
        st.builds(lambda at, byte: valid[:at] + bytes([byte]) + valid[at + 1:],
                  st.integers(0, len(valid) - 1), st.integers(0, 255)),
    ))
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_of(saved_net, tmp)
        (folder / name).write_bytes(content)
        if (folder / "MANIFEST.json").exists():
            fileio.write_manifest(folder)  # past the checksum, into the .npy reader
        assert_clear_error(lambda: load(folder))


# -- the IDX reader (MNIST) --------------------------------------------------------------

@st.composite
def idx_files(draw) -> bytes:
    """A header that declares any type and any dimensions, then any payload."""
    type_code = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]))
    dims = draw(st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 6), max_size=4))
    header = bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    payload = draw(st.binary(max_size=64))
    raw = draw(st.sampled_from([header + payload, header[:draw(st.integers(0, len(header)))]]))
    return raw


@FUZZ
@given(raw=st.one_of(idx_files(), st.binary(max_size=64)), zipped=st.booleans())
def test_any_idx_file_reads_or_is_one_clear_error(raw, zipped):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("x-idx.gz" if zipped else "x-idx")
        path.write_bytes(gzip.compress(raw) if zipped else raw)
        assert_clear_error(lambda: read_idx(path))


# -- DQNConfig ---------------------------------------------------------------------------

@CONFIG_FUZZ
@given(data=st.data())
def test_any_config_values_build_or_are_one_clear_error(data):
    document = data.draw(documents(DQNConfig().to_dict()))
    assert_clear_error(lambda: DQNConfig.from_dict(document) if isinstance(document, dict)
                       else DQNConfig.from_dict({"seed": document}))


@CONFIG_FUZZ
@given(field=st.sampled_from(sorted(DQNConfig().to_dict())), value=JSON)
def test_any_single_field_value_is_accepted_or_refused_clearly(field, value):
    try:
        config = DQNConfig(**{field: value})
    except ValueError as error:
        assert field in str(error) and "\n" not in str(error)
    else:  # what was accepted survives config.json
        assert DQNConfig.from_dict(json.loads(config.to_json())) == config
