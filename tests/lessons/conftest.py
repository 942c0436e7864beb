"""Shared set-up of the course's tests: one BLAS thread for the whole test process.

The checks train small networks (checkpoint C's ``train_mlp`` on 3000 MNIST digits,
lesson 9's epoch). OpenBLAS splits even 32x784 products across every core, and on a
small busy CPU the threads mostly wait for each other: checkpoint C's passing answer took
30 s with the default threads and 0.5 s with one (measured on the shared 2-core machine
under load). The notebook kernels already get one thread (``runner._kernel_env``); this
gives the checks called directly by the tests the same.
"""

import pytest

from nprl.blas import blas_threads


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """Run every test of tests/lessons with a single OpenBLAS thread."""
    with blas_threads(1):
        yield
