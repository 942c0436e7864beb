"""save/load: exact round trips and one clear ValueError per kind of malformed input."""

import json

import numpy as np
import pytest

from nprl.nn import Dense, ReLU, Sequential, Tanh, load, save


def mlp():
    return Sequential(Dense(4, 8, rng=0), ReLU(), Dense(8, 3, rng=1), Tanh())


@pytest.fixture
def saved(tmp_path):
    directory = tmp_path / "model"
    save(mlp(), directory)
    return directory


def test_mlp_round_trip_is_exact(tmp_path):
    net = mlp()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    save(net, tmp_path / "m")
    loaded = load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    assert loaded.config() == net.config()


def test_files_have_meaningful_names(saved):
    assert sorted(p.name for p in saved.iterdir()) == [
        "0.bias.npy", "0.weight.npy", "2.bias.npy", "2.weight.npy", "config.json"]


def test_float64_round_trip_and_overwrite(tmp_path):
    net = mlp().astype(np.float64)
    save(mlp(), tmp_path / "m")
    save(net, tmp_path / "m")  # replaces the previous model
    loaded = load(tmp_path / "m")
    assert loaded[0].weight.dtype == np.float64
    np.testing.assert_array_equal(loaded[0].weight.data, net[0].weight.data)
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary left behind


def test_missing_directory(tmp_path):
    with pytest.raises(ValueError, match="no such model directory"):
        load(tmp_path / "nothing")


def test_missing_array_file_is_named(saved):
    (saved / "2.weight.npy").unlink()
    with pytest.raises(ValueError, match=r"2\.weight\.npy: missing file"):
        load(saved)


def test_missing_config_is_named(saved):
    (saved / "config.json").unlink()
    with pytest.raises(ValueError, match=r"config\.json: missing file"):
        load(saved)


def test_unknown_layer_type_is_named(saved):
    config = json.loads((saved / "config.json").read_text())
    config["model"]["layers"][1]["type"] = "Swish"
    (saved / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"config\.json: unknown layer type 'Swish'"):
        load(saved)


def test_corrupt_json_is_named(saved):
    (saved / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"config\.json: not a readable JSON"):
        load(saved)


def test_wrong_shape_is_named(saved):
    np.save(saved / "0.weight.npy", np.zeros((8, 4), np.float32))
    with pytest.raises(ValueError, match=r"0\.weight\.npy: shape \(8, 4\)"):
        load(saved)


def test_wrong_dtype_is_named(saved):
    np.save(saved / "0.bias.npy", np.zeros(8, np.float64))
    with pytest.raises(ValueError, match=r"0\.bias\.npy: dtype float64"):
        load(saved)


def test_object_array_is_refused_without_unpickling(saved):
    np.save(saved / "0.bias.npy", np.array([None] * 8, dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"0\.bias\.npy: holds an object array"):
        load(saved)


def test_truncated_array_file_is_named(saved):
    path = saved / "0.weight.npy"
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ValueError, match=r"0\.weight\.npy: not a valid \.npy"):
        load(saved)
