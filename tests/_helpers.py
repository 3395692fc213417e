"""Helpers shared by the estimator-level test files."""

import copy
import tracemalloc
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

FITTED = ("W1_", "b1_", "W2_", "b2_")


def make_data(n_classes=2, n_samples=120, n_features=6, seed=0, flip_y=0.01):
    """A small standardised classification problem, one cluster per class."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        flip_y=flip_y,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


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


def peak_bytes(func):
    """The peak of the memory that tracemalloc traces while ``func()`` runs."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def state_of(est):
    """A deep copy of everything the estimator holds."""
    return copy.deepcopy(vars(est))


def assert_same_state(before, after):
    """Two states of :func:`state_of` (or two ``vars``) hold the same values."""
    assert before.keys() == after.keys()
    for key in before:
        a, b = before[key], after[key]
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, key
            np.testing.assert_array_equal(a, b, err_msg=key)
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            assert len(a) == len(b), key
            for u, v in zip(a, b, strict=True):
                np.testing.assert_array_equal(u, v, err_msg=key)
        else:
            assert a == b, key
