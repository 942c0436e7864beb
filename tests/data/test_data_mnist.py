"""MNIST IDX loading on tiny files written by the tests (nothing is downloaded)."""

import gzip
import struct

import numpy as np
import pytest

from nprl.data import load_mnist, read_idx


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(directory, n_train=5, n_test=3, gz=True, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for name, array in arrays.items():
        data = idx_bytes(array)
        if gz:
            (directory / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (directory / name).write_bytes(data)
    return arrays


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "plain"])
def test_load_mnist_reads_what_was_written(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    (x_train, y_train), (x_test, y_test) = load_mnist(tmp_path)
    assert x_train.shape == (5, 28, 28) and x_train.dtype == np.float32
    np.testing.assert_allclose(x_train * 255, arrays["train-images-idx3-ubyte"], atol=1e-3)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    assert y_test.dtype == np.int64 and x_test.shape == (3, 28, 28)
    (raw, _), _ = load_mnist(tmp_path, normalize=False)
    assert raw.dtype == np.uint8
    np.testing.assert_array_equal(raw, arrays["train-images-idx3-ubyte"])


def test_read_idx_handles_other_types_and_byte_order(tmp_path):
    values = np.array([[1.5, -2.0], [3.25, 0.0]], dtype=">f4")
    path = tmp_path / "floats.idx"
    path.write_bytes(struct.pack(">BBBBII", 0, 0, 0x0D, 2, 2, 2) + values.tobytes())
    np.testing.assert_array_equal(read_idx(path), values)


def test_missing_directory_and_file(tmp_path):
    with pytest.raises(ValueError, match="no such directory"):
        load_mnist(tmp_path / "nope")
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\[\.gz\]: missing file"):
        load_mnist(tmp_path)


def test_truncated_data_is_reported_with_the_file(tmp_path):
    write_mnist(tmp_path, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: header announces .* truncated"):
        load_mnist(tmp_path)


def test_truncated_gzip_is_reported_with_the_file(tmp_path):
    write_mnist(tmp_path)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz: truncated or corrupt gzip"):
        load_mnist(tmp_path)


def test_bad_magic_number_is_reported(tmp_path):
    write_mnist(tmp_path, gz=False)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(b"\x89PNG" + b"\x00" * 100)
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte: not an IDX file"):
        load_mnist(tmp_path)


def test_count_mismatch_and_bad_labels_are_reported(tmp_path):
    write_mnist(tmp_path, gz=False)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(4)))
    with pytest.raises(ValueError, match="4 labels for 5 images"):
        load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.full(5, 12)))
    with pytest.raises(ValueError, match="digits 0-9"):
        load_mnist(tmp_path)


def test_wrong_image_shape_is_reported(tmp_path):
    write_mnist(tmp_path, gz=False)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(np.zeros((5, 20, 20))))
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        load_mnist(tmp_path)


# -- a file is untrusted: its header bounds what is read, before anything is read --------


def test_gzip_bomb_behind_a_small_header_is_refused_without_decompressing_it(tmp_path):
    import gzip
    import tracemalloc

    path = tmp_path / "bomb-idx1-ubyte.gz"
    header = struct.pack(">BBBBI", 0, 0, 0x08, 1, 10)  # declares 10 bytes of data
    path.write_bytes(gzip.compress(header + bytes(100_000_000), compresslevel=1))
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    with pytest.raises(ValueError, match=r"bomb-idx1-ubyte\.gz: header announces shape \(10,\)"
                                         r" \(10 data bytes\) but the file holds more"):
        read_idx(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000  # the old reader held all 100 MB (and a copy)


@pytest.mark.parametrize("gz", [False, True])
def test_header_declaring_65536_to_the_4th_items_is_refused_without_overflow(tmp_path, gz):
    import gzip

    data = struct.pack(">BBBBIIII", 0, 0, 0x0E, 4, 65536, 65536, 65536, 65536) + bytes(64)
    path = tmp_path / "huge-idx4-double"
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(ValueError, match=r"header announces shape \(65536, 65536, 65536, 65536\)"
                                         r" \(147573952589676412928 data bytes\), more than"):
        read_idx(path)


def test_header_cut_off_is_reported(tmp_path):
    path = tmp_path / "cut-idx3-ubyte"
    path.write_bytes(struct.pack(">BBBBI", 0, 0, 0x08, 3, 5))  # 3 dimensions, only 1 size
    with pytest.raises(ValueError, match=r"cut-idx3-ubyte: header announces 3 dimensions .* "
                                         r"truncated"):
        read_idx(path)
