"""``nprl.blas.blas_threads``: the block runs with the threads asked for, and the setting
before it comes back after (also when the block raises)."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from nprl.blas import blas_threads, get_blas_threads


def _threads() -> list[int]:
    """What threadpoolctl itself reports for every BLAS NumPy loaded."""
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


pytestmark = pytest.mark.skipif(not _threads(), reason="NumPy loaded no BLAS that "
                                "threadpoolctl can control")


@pytest.fixture()
def two_threads():
    """Start from 2 BLAS threads, so that asking for 1 is a visible change."""
    with threadpool_limits(limits=2, user_api="blas"):
        if _threads() != [2] * len(_threads()):
            pytest.skip("this BLAS cannot run 2 threads")
        yield


def test_the_block_runs_with_the_threads_asked_for_and_restores_them(two_threads):
    with blas_threads(1):
        assert _threads() == [1] * len(_threads())
        assert get_blas_threads() == 1
        np.ones((64, 64)) @ np.ones((64, 64))  # BLAS works inside the block
    assert get_blas_threads() == 2


def test_the_setting_comes_back_when_the_block_raises(two_threads):
    with pytest.raises(KeyError), blas_threads(1):
        raise KeyError("stop")
    assert get_blas_threads() == 2


def test_blocks_nest(two_threads):
    with blas_threads(1):
        with blas_threads(2):
            assert get_blas_threads() == 2
        assert get_blas_threads() == 1
    assert get_blas_threads() == 2


@pytest.mark.parametrize("count", [None, 0])
def test_none_or_zero_leave_the_setting_alone(two_threads, count):
    with blas_threads(count):
        assert get_blas_threads() == 2
