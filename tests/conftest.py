"""Test-session set-up shared by every test file."""

import os

import pytest

# scikit-learn's array-API common check (with NumPy arrays) runs only when SciPy's
# array-API mode is on, and SciPy reads this variable once, when first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    # The batches are small: on a busy two-core machine, BLAS threads cost far more
    # in synchronisation than they gain, and slowed some test files tenfold. Tests
    # about thread counts set their own limits inside this one.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
