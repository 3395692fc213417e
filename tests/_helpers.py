"""Helpers shared by the estimator-level test files."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

FITTED = ("W1_", "b1_", "W2_", "b2_")


def fit_quietly(est, *args, **kwargs):
    """Fit for a fixed number of epochs, where reaching max_iter is the point."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def assert_same_weights(a, b, rtol=0.0, atol=0.0):
    """The four parameters of two fitted estimators agree (exactly by default)."""
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(a, name), getattr(b, name), rtol=rtol, atol=atol, err_msg=name
        )
