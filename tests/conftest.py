"""Test-session set-up shared by every test file."""

import os

import pytest

# scikit-learn's array-API common check (with NumPy arrays) runs only when SciPy's
# array-API mode is on, and SciPy reads this variable once, when first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

try:  # PyTorch is optional: its array API tests skip without it.
    import torch
except ImportError:
    pass
else:
    # The tests' batches are tiny: on a busy two-core machine, PyTorch's second
    # thread made a fit of 200 small steps a hundred times slower.
    torch.set_num_threads(1)


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    # The batches are small: on a busy two-core machine, BLAS threads cost far more
    # in synchronisation than they gain, and slowed some test files tenfold. Tests
    # about thread counts set their own limits inside this one.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


class Faults:
    """Faults injected into the training steps of the estimator (see ``faults``)."""

    def __init__(self):
        self.calls = 0
        self.at = None
        self.error = None
        self.when = "before"
        self.after_each = None

    def fail(self, error, at, when="before"):
        """Make step number ``at`` (counted from 1 over the test) raise ``error``.

        ``when`` is "before" (nothing of the step is done, as when Ctrl-C arrives
        during the gradients), "half" (W1 is changed, as by half an update, and
        then the error raised) or "after" (the update is made, then the error
        raised). Steps are counted from here on.
        """
        self.calls, self.at, self.error, self.when = 0, at, error, when
        return self

    def disarm(self):
        """Let every step succeed, still counting them."""
        self.at = None
        return self


@pytest.fixture
def faults(monkeypatch):
    """Inject faults into ``_training.train_step``, one mini-batch's step.

    The fixture counts the steps (``faults.calls``), fails the chosen one
    (``faults.fail(error, at, when)``), and runs ``faults.after_each(params)``, if
    set, after every step that succeeds.
    """
    import numpy as np

    from sklearn_twolayer import _training

    faults = Faults()
    step = _training.train_step

    def faulty_step(params, *args):
        faults.calls += 1
        failing = faults.calls == faults.at
        if failing and faults.when == "before":
            raise faults.error("injected")
        if failing and faults.when == "half":
            np.add(params.W1, 1.0, out=params.W1)
            raise faults.error("injected")
        J = step(params, *args)
        if failing:
            raise faults.error("injected")
        if faults.after_each is not None:
            faults.after_each(params)
        return J

    monkeypatch.setattr(_training, "train_step", faulty_step)
    return faults
