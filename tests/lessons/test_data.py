"""nprl.lessons.data: the full MNIST when it can be found, else the shipped sample."""

import numpy as np

from nprl.lessons import data


def test_shipped_sample_is_real_mnist_in_the_promised_form():
    (x_train, y_train), (x_test, y_test) = data.mnist(full=False)
    assert x_train.shape == (3000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() <= 1
    assert y_train.dtype == np.int64 and set(np.unique(y_train)) == set(range(10))
    assert 0.08 < x_train.mean() < 0.2  # digits: mostly black background, some ink


def test_first_n_digits_are_always_the_same():
    (a, ya), _ = data.mnist(n_train=5, n_test=2, full=False)
    (b, yb), (t, _) = data.mnist(n_train=5, n_test=2, full=False)
    assert a.shape == (5, 28, 28) and t.shape == (2, 28, 28)
    assert np.array_equal(a, b) and np.array_equal(ya, yb)


def test_falls_back_to_the_sample_when_nothing_is_found(tmp_path, monkeypatch):
    monkeypatch.setenv("NPRL_MNIST", str(tmp_path))  # a folder without the IDX files
    monkeypatch.chdir(tmp_path)
    assert data.find_mnist_dir() is None
    assert data.mnist_source() == "the MNIST sample shipped with nprl"
    (x_train, _), _ = data.mnist()
    assert len(x_train) == 3000


def test_finds_shared_data_mnist_above_the_working_folder(tmp_path, monkeypatch):
    folder = tmp_path / "shared" / "data" / "mnist"
    folder.mkdir(parents=True)
    for pair in data.MNIST_FILES.values():
        for name in pair:
            (folder / f"{name}.gz").write_bytes(b"")
    work = tmp_path / "course" / "nprl-lessons"
    work.mkdir(parents=True)
    monkeypatch.delenv("NPRL_MNIST", raising=False)
    monkeypatch.chdir(work)
    assert data.find_mnist_dir() == folder
