"""Helpers shared by the estimator-level test files."""

import copy
import tracemalloc
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer._network import Params
from sklearn_twolayer._training import Settings

FITTED = ("W1_", "b1_", "W2_", "b2_")


def training_settings(**values):
    """Settings of a short plain-SGD training call on ReLU, but for ``values``."""
    defaults = {
        "activation": "relu",
        "out_activation": "logistic",
        "alpha": 0.1,
        "momentum": 0.0,
        "l2": 0.0,
        "batch_size": 16,
        "max_epochs": 1,
        "shuffle": True,
        "seed": 0,
        "tol": 0.0,
        "n_iter_no_change": 10,
    }
    return Settings(**{**defaults, **values})


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
        _assert_same_value(before[key], after[key], key)


def _assert_same_value(a, b, where):
    # Arrays, and the lists and dicts of them that the optimiser's state holds,
    # compared item by item; anything else with ==.
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            _assert_same_value(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b, strict=True)):
            _assert_same_value(u, v, f"{where}[{i}]")
    else:
        assert a == b, where


# ---------------------------------------------- small problems for the math

ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]

# Output kind -> (output activation, number of output units).
OUTPUTS = {
    "binary": ("logistic", 1),
    "softmax": ("softmax", 3),
    "ovr": ("logistic", 3),
    "multilabel": ("logistic", 3),
}

# Distance from the relu kink below which no pre-activation of a test problem may
# fall: a step of the finite differences moves Z1 by about 1e-6, far less.
KINK_MARGIN = 0.05


def make_problem(activation, kind, weighted, seed, m=6, n_features=3, hidden=4):
    """A tiny random network and batch: (params, X, Y, w).

    For relu, parameters are redrawn until no pre-activation lies within
    ``KINK_MARGIN`` of 0, where J is not differentiable.
    """
    rng = np.random.default_rng(seed)
    _, K = OUTPUTS[kind]
    X = rng.normal(size=(m, n_features))
    while True:
        params = Params(
            W1=rng.normal(scale=0.8, size=(hidden, n_features)),
            b1=rng.normal(scale=0.3, size=hidden),
            W2=rng.normal(scale=0.8, size=(K, hidden)),
            b2=rng.normal(scale=0.3, size=K),
        )
        Z1 = X @ params.W1.T + params.b1
        if activation != "relu" or np.abs(Z1).min() > KINK_MARGIN:
            break
    if kind == "binary":
        Y = rng.integers(0, 2, size=(m, 1)).astype(np.float64)
    elif kind in ("softmax", "ovr"):
        Y = np.eye(K)[rng.integers(0, K, size=m)]
    else:
        Y = rng.integers(0, 2, size=(m, K)).astype(np.float64)
    # Weights of very different sizes, one of them zero, so that a wrong S or a
    # weight applied twice shows.
    w = rng.uniform(0.2, 3.0, size=m) if weighted else None
    if weighted:
        w[0] = 0.0
    return params, X, Y, w


def _dispatch_available():
    # scikit-learn refuses to turn array API dispatch on without SciPy >= 1.14 (and
    # its array API mode, which conftest.py sets).
    try:
        with sklearn.config_context(array_api_dispatch=True):
            return True
    except (ImportError, RuntimeError):
        return False


DISPATCH_AVAILABLE = _dispatch_available()

needs_dispatch = pytest.mark.skipif(
    not DISPATCH_AVAILABLE,
    reason="scikit-learn's array API dispatch needs SciPy >= 1.14",
)
