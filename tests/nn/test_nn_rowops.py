"""``nprl.nn.rowops``: the fast spellings of ``array += row`` and ``matrix.sum(axis=0)``
give what the plain NumPy spellings give, whatever the shape and memory order."""

import numpy as np
import pytest

from nprl.nn.rowops import add_row, column_sums


@pytest.mark.parametrize("shape", [(2048, 16), (32, 8, 8, 16), (7, 16), (6, 24), (3, 300),
                                   (5, 1), (0, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_row_adds_the_row_to_every_row(shape, dtype):
    rng = np.random.default_rng(0)
    array = rng.standard_normal(shape).astype(dtype)
    row = rng.standard_normal(shape[-1]).astype(dtype)
    expected = array + row
    add_row(array, row)
    np.testing.assert_array_equal(array, expected)  # the same additions: exact


def test_add_row_works_in_place_on_a_strided_view():
    base = np.zeros((8, 16, 2))
    view = base[:, :, 0]  # not contiguous: the plain spelling must be used, in place
    add_row(view, np.arange(16.0))
    np.testing.assert_array_equal(base[:, :, 0], np.tile(np.arange(16.0), (8, 1)))
    np.testing.assert_array_equal(base[:, :, 1], 0)


@pytest.mark.parametrize("shape", [(2048, 16), (3, 5), (1, 7), (0, 3)])
def test_column_sums_equal_sums_over_rows(shape):
    matrix = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_allclose(column_sums(matrix), matrix.sum(axis=0), rtol=1e-12,
                               atol=1e-12)
    transposed = np.asfortranarray(matrix)
    np.testing.assert_allclose(column_sums(transposed), matrix.sum(axis=0), rtol=1e-12,
                               atol=1e-12)
