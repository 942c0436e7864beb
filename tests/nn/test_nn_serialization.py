"""save/load: exact round trips and one clear ValueError per kind of malformed input."""

import json

import numpy as np
import pytest

from nprl.fileio import write_manifest
from nprl.nn import Dense, ReLU, Sequential, Tanh, load, save


def mlp():
    return Sequential(Dense(4, 8, rng=0), ReLU(), Dense(8, 3, rng=1), Tanh())


def reseal(directory):
    """After tampering, write a matching manifest: the checks behind it must still hold
    (a file edited on purpose, or a model saved before manifests existed)."""
    write_manifest(directory)


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
        "0.bias.npy", "0.weight.npy", "2.bias.npy", "2.weight.npy", "MANIFEST.json",
        "config.json"]


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
    reseal(saved)
    with pytest.raises(ValueError, match=r"2\.weight\.npy: missing file"):
        load(saved)


def test_missing_config_is_named(saved):
    (saved / "config.json").unlink()
    reseal(saved)
    with pytest.raises(ValueError, match=r"config\.json: missing file"):
        load(saved)


def test_unknown_layer_type_is_named(saved):
    config = json.loads((saved / "config.json").read_text())
    config["model"]["layers"][1]["type"] = "Swish"
    (saved / "config.json").write_text(json.dumps(config))
    reseal(saved)
    with pytest.raises(ValueError, match=r"config\.json: unknown layer type 'Swish'"):
        load(saved)


def test_corrupt_json_is_named(saved):
    (saved / "config.json").write_text("{not json")
    reseal(saved)
    with pytest.raises(ValueError, match=r"config\.json: not a readable JSON"):
        load(saved)


def test_wrong_shape_is_named(saved):
    np.save(saved / "0.weight.npy", np.zeros((8, 4), np.float32))
    reseal(saved)
    with pytest.raises(ValueError, match=r"0\.weight\.npy: shape \(8, 4\)"):
        load(saved)


def test_wrong_dtype_is_named(saved):
    np.save(saved / "0.bias.npy", np.zeros(8, np.float64))
    reseal(saved)
    with pytest.raises(ValueError, match=r"0\.bias\.npy: dtype float64"):
        load(saved)


def test_object_array_is_refused_without_unpickling(saved):
    np.save(saved / "0.bias.npy", np.array([None] * 8, dtype=object), allow_pickle=True)
    reseal(saved)
    with pytest.raises(ValueError, match=r"0\.bias\.npy: holds an object array"):
        load(saved)


def test_truncated_array_file_is_named(saved):
    path = saved / "0.weight.npy"
    path.write_bytes(path.read_bytes()[:60])
    reseal(saved)
    with pytest.raises(ValueError, match=r"0\.weight\.npy: not a valid \.npy"):
        load(saved)


# -- the manifest: any change after saving is a ValueError naming the file ----------------


@pytest.mark.parametrize("name", ["0.weight.npy", "0.bias.npy", "2.weight.npy", "config.json"])
def test_any_flipped_byte_is_named(saved, name):
    path = saved / name
    data = bytearray(path.read_bytes())
    for position in range(0, len(data), 7):  # every 7th byte: header and data alike
        flipped = data.copy()
        flipped[position] ^= 0x01
        path.write_bytes(bytes(flipped))
        with pytest.raises(ValueError, match=rf"{name}: damaged or changed since it was saved"):
            load(saved)
    path.write_bytes(bytes(data))
    load(saved)  # intact again


def test_extra_file_is_refused(saved):
    (saved / "9.weight.npy").write_bytes(b"")
    with pytest.raises(ValueError, match=r"9\.weight\.npy: not listed in"):
        load(saved)


def test_link_inside_a_model_is_refused(saved, tmp_path):
    (tmp_path / "elsewhere.npy").write_bytes((saved / "0.bias.npy").read_bytes())
    (saved / "0.bias.npy").unlink()
    (saved / "0.bias.npy").symlink_to(tmp_path / "elsewhere.npy")
    with pytest.raises(ValueError, match=r"0\.bias\.npy: a symbolic link"):
        load(saved)


def test_model_saved_before_manifests_loads_with_a_note(saved):
    (saved / "MANIFEST.json").unlink()
    with pytest.warns(UserWarning, match="has no MANIFEST.json"):
        load(saved)


def test_header_declaring_more_than_the_file_holds_allocates_nothing(saved):
    path = saved / "0.weight.npy"
    data = path.read_bytes().replace(b"(4, 8)", b"(400000000000, 8)".ljust(6), 1)
    path.write_bytes(data)
    reseal(saved)
    with pytest.raises(ValueError, match=r"0\.weight\.npy: header declares shape"):
        load(saved)


def test_a_second_layer_class_under_a_registered_name_is_an_error():
    from nprl.nn import LAYER_TYPES, Layer, register_layer

    class Dense(Layer):  # the name of nprl.nn's Dense, on purpose
        pass

    with pytest.raises(ValueError, match="already registered"):
        register_layer(Dense)
    assert LAYER_TYPES["Dense"].__module__ == "nprl.nn.dense"  # not overwritten


def test_registering_the_same_layer_class_again_is_allowed():
    from nprl.nn import LAYER_TYPES, Dense, register_layer

    assert register_layer(Dense) is Dense
    assert LAYER_TYPES["Dense"] is Dense
