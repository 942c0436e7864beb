"""``nprl mnist`` end to end on tiny IDX files: trains, saves, reloads, re-checks."""

import pytest
from test_data_mnist import write_mnist

from nprl.cli import main


@pytest.mark.parametrize("preset", ["seed", "modern", "cnn"])
def test_mnist_command_trains_saves_and_reloads(tmp_path, capsys, preset):
    data = tmp_path / "mnist"
    data.mkdir()
    write_mnist(data, n_train=64, n_test=16)
    out = tmp_path / "model"
    status = main(["mnist", "--data", str(data), "--preset", preset, "--epochs", "1",
                   "--batch-size", "16", "--out", str(out), "--quiet", "--threads", "1"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "epoch 1/1" in printed and "test acc" in printed
    assert f"wrote model: {out} (reloaded test accuracy" in printed
    assert "identical)" in printed
    assert (out / "config.json").is_file()


def test_mnist_never_overwrites_an_earlier_model(tmp_path, capsys, monkeypatch):
    data = tmp_path / "mnist"
    data.mkdir()
    write_mnist(data, n_train=32, n_test=8)
    monkeypatch.chdir(tmp_path)
    quick = ["mnist", "--data", str(data), "--preset", "seed", "--epochs", "1", "--quiet"]
    for folder in ("runs/mnist-seed", "runs/mnist-seed-2"):  # a fresh default folder each time
        assert main(quick) == 0
        assert f"wrote model: {folder} " in capsys.readouterr().out
        assert (tmp_path / folder / "config.json").is_file()
    assert main([*quick, "--out", "runs/mnist-seed"]) == 2  # a named folder must be new
    assert "already holds files" in capsys.readouterr().err


def test_mnist_command_missing_data_is_one_clear_line(tmp_path, capsys):
    status = main(["mnist", "--data", str(tmp_path / "absent"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "no such directory" in err and "Traceback" not in err


def test_mnist_command_rejects_bad_overrides(tmp_path, capsys):
    data = tmp_path / "mnist"
    data.mkdir()
    write_mnist(data)
    assert main(["mnist", "--data", str(data), "--epochs", "0"]) == 2
    assert "--epochs" in capsys.readouterr().err
    assert main(["mnist", "--data", str(data), "--threads", "-1"]) == 2
    assert "--threads" in capsys.readouterr().err


def test_mnist_without_data_says_to_pass_data_and_which_files(tmp_path, capsys, monkeypatch):
    # As an installed nprl: no development folder beside the repository.
    monkeypatch.setattr("nprl.commands.mnist.default_data_dir", lambda: None)
    assert main(["mnist", "--quiet", "--out", str(tmp_path / "model")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MNIST not found: pass --data DIR" in err
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert name in err
    with pytest.raises(SystemExit):
        main(["mnist", "--help"])
    assert "--data DIR" in capsys.readouterr().out
