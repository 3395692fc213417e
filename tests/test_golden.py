"""Golden master: fixed-seed fits whose numbers must not change.

Each configuration below trains a small network with a fixed ``random_state`` and
records its weights, its loss curve (and validation curves, when it has them), its
counters and ``predict_proba`` on rows it never saw. ``tests/data/golden.npz`` holds
these numbers as version 0.1.0 computed them (the float32 configurations whose
roundings a dropped speed trick changed were recorded again, see ``RTOL``); the
test compares every fit with them bit for bit. The configurations cross the hidden
activations, the four output kinds, dense and sparse input, and each training
option (momentum, l2, sample and class weights, early stopping, validation data,
partial_fit sequences, warm starts, float32), with shapes that reached each code
path of 0.1.0's backward pass (a factored pass for one output unit, products split
around a BLAS size, a copy of W2 for several outputs) and the in-place W1 of
sparse partial_fit.

A configuration may be given a relative tolerance in ``RTOL``, in float64 only and
never above 1e-9, when its code path has lost a speed trick that changed the order
of the roundings; the entry names the trick.

To rewrite the file, or some of its configurations, when a change of the numbers
is intended (say why in the commit), with the package installed from this checkout
(``pip install -e .``)::

    python tests/test_golden.py --regenerate [NAME ...]
"""

import argparse
import dataclasses
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import sklearn_twolayer
from sklearn_twolayer import TwoLayerClassifier

GOLDEN = Path(__file__).resolve().parent / "data" / "golden.npz"

# Configuration name -> relative tolerance of its comparison (bit for bit if absent),
# filled in below the configurations.
RTOL = {}

# Fitted values recorded for every configuration, beside predict_proba.
RECORDED = ("W1_", "b1_", "W2_", "b2_", "loss_curve_", "n_iter_", "t_")
VALIDATION = ("validation_scores_", "validation_loss_curve_")


@dataclasses.dataclass(frozen=True)
class Config:
    """One golden fit: its data, its parameters and how it trains.

    ``target`` is "binary", "multiclass" or "multilabel"; ``procedure`` is "fit",
    "validation" (fit with X_val/y_val), "partial_fit" (three chunks, the classes
    passed on the first), "warm_start" (two calls to fit) or "in_place" (sparse
    partial_fit on rows that reach a tenth of the features, which trains W1_ in
    place).
    """

    target: str
    params: dict
    n_classes: int = 2
    n_samples: int = 120
    n_features: int = 8
    sparse: bool = False
    float32: bool = False
    sample_weight: bool = False
    procedure: str = "fit"


CONFIGS = {
    # The four output kinds, each with another hidden activation.
    "relu-binary": Config("binary", {}),
    "tanh-softmax": Config("multiclass", {"activation": "tanh"}, n_classes=3),
    "logistic-ovr": Config(
        "multiclass", {"activation": "logistic", "multiclass": "ovr"}, n_classes=4
    ),
    # ... and a fit that the stopping rule ends on the training loss.
    "identity-multilabel-tol": Config(
        "multilabel",
        {"activation": "identity", "tol": 0.05, "n_iter_no_change": 1, "max_iter": 30},
        n_classes=3,
    ),
    # Sparse input, with and without what makes dW1 dense.
    "relu-binary-sparse": Config("binary", {}, sparse=True),
    "tanh-softmax-sparse": Config(
        "multiclass", {"activation": "tanh"}, n_classes=3, sparse=True
    ),
    "logistic-ovr-sparse-momentum": Config(
        "multiclass",
        {"activation": "logistic", "multiclass": "ovr", "momentum": 0.8},
        n_classes=3,
        sparse=True,
    ),
    "identity-binary-sparse-l2": Config(
        "binary", {"activation": "identity", "l2": 0.5}, sparse=True
    ),
    "relu-multilabel-sparse": Config("multilabel", {}, n_classes=3, sparse=True),
    # Momentum and the L2 penalty.
    "relu-softmax-momentum": Config("multiclass", {"momentum": 0.9}, n_classes=3),
    "tanh-binary-l2-momentum": Config(
        "binary", {"activation": "tanh", "l2": 0.3, "momentum": 0.5}
    ),
    "logistic-softmax-l2": Config(
        "multiclass", {"activation": "logistic", "l2": 1.0}, n_classes=3
    ),
    # Row and class weights.
    "relu-binary-sample-weight-no-shuffle": Config(
        "binary", {"shuffle": False}, sample_weight=True
    ),
    "tanh-softmax-balanced-sample-weight": Config(
        "multiclass",
        {"activation": "tanh", "class_weight": "balanced"},
        n_classes=3,
        sample_weight=True,
    ),
    "relu-ovr-class-weight-dict": Config(
        "multiclass",
        {"multiclass": "ovr", "class_weight": {0: 2.0, 2: 0.5}},
        n_classes=3,
    ),
    # Validation data: the internal hold-out, and X_val/y_val.
    "relu-binary-early-stopping": Config(
        "binary",
        {
            "early_stopping": True,
            "validation_fraction": 0.25,
            "n_iter_no_change": 3,
            "max_iter": 40,
        },
    ),
    "tanh-softmax-validation-data": Config(
        "multiclass", {"activation": "tanh"}, n_classes=3, procedure="validation"
    ),
    # Calls that continue training.
    "relu-binary-partial-fit-momentum": Config(
        "binary", {"momentum": 0.5}, procedure="partial_fit"
    ),
    "logistic-softmax-partial-fit-balanced": Config(
        "multiclass",
        {"activation": "logistic", "class_weight": "balanced"},
        n_classes=3,
        procedure="partial_fit",
    ),
    "relu-binary-sparse-in-place": Config(
        "binary", {}, n_features=80, sparse=True, procedure="in_place"
    ),
    "tanh-softmax-warm-start-momentum": Config(
        "multiclass",
        {"activation": "tanh", "momentum": 0.7},
        n_classes=3,
        procedure="warm_start",
    ),
    # float32, each the twin of a float64 configuration.
    "relu-binary-float32": Config("binary", {}, float32=True),
    "tanh-softmax-float32-sparse": Config(
        "multiclass", {"activation": "tanh"}, n_classes=3, sparse=True, float32=True
    ),
    # Shapes of 0.1.0's larger code paths: one output unit with batch_size *
    # hidden_size of at least 8192 (a factored dW1), and ten classes with products
    # of the size of the digits' (200 x 64 x 100).
    "relu-binary-factored-weighted": Config(
        "binary",
        {"hidden_size": 64, "batch_size": 128},
        n_samples=160,
        sample_weight=True,
    ),
    "relu-softmax-digits-shape": Config(
        "multiclass",
        {"hidden_size": 100, "batch_size": 200},
        n_classes=10,
        n_samples=240,
        n_features=64,
    ),
    "relu-softmax-digits-shape-float32": Config(
        "multiclass",
        {"hidden_size": 100, "batch_size": 200},
        n_classes=10,
        n_samples=240,
        n_features=64,
        float32=True,
    ),
}

# The rows of each batch were visited in increasing order, a trick that saved
# under 1% of an epoch and is dropped: every shuffled configuration sums its
# batches in another order. (The float32 ones were recorded again.)
RTOL.update(
    {
        name: 1e-9
        for name, config in CONFIGS.items()
        if config.params.get("shuffle", True) and not config.float32
    }
)
# Besides, the factored backward pass of one output unit (dW1 and db1 are dZ1^T X
# and dZ1^T 1 again) and the products split in halves around OpenBLAS's
# small-matrix size (one BLAS call each) are dropped: their configurations,
# "relu-binary-factored-weighted" and "relu-softmax-digits-shape", round in
# another order too.

# Parameters of every configuration unless it sets its own.
DEFAULTS = dict(hidden_size=12, batch_size=32, max_iter=6, alpha=0.1, random_state=0)

N_TEST = 20


def make_data(config):
    """Training rows, held-out rows and the fit's keyword arguments.

    Drawn with the legacy RandomState, whose streams NumPy keeps fixed.
    """
    rng = np.random.RandomState(sum(map(ord, config.target)) + config.n_classes)
    n, d, K = config.n_samples + N_TEST, config.n_features, config.n_classes
    if config.target == "multilabel":
        X = rng.normal(size=(n, d))
        y = (X @ rng.normal(size=(d, K)) + rng.normal(size=(n, K)) > 0).astype(int)
    else:
        y = np.arange(n) % K
        rng.shuffle(y)
        X = rng.normal(scale=1.2, size=(K, d))[y] + rng.normal(size=(n, d))
    if config.procedure == "in_place":
        # Rows that reach only the first tenth of the features.
        X[:, d // 10 :] = 0.0
    if config.sparse:
        X[rng.uniform(size=X.shape) < 0.5] = 0.0
    X = X.astype(np.float32 if config.float32 else np.float64)
    if config.sparse:
        X = sp.csr_matrix(X)
    w = rng.uniform(0.0, 3.0, size=n) if config.sample_weight else None
    train = slice(0, config.n_samples)
    kwargs = {} if w is None else {"sample_weight": w[train]}
    return X[train], y[train], X[config.n_samples :], y[config.n_samples :], kwargs


def train(config):
    """The fitted estimator of a configuration."""
    X, y, X_test, y_test, kwargs = make_data(config)
    est = TwoLayerClassifier(**{**DEFAULTS, **config.params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if config.procedure in ("partial_fit", "in_place"):
            classes = None if config.target == "multilabel" else np.unique(y)
            chunks = [slice(0, 50), slice(50, 120), slice(20, 90)]
            for chunk in chunks:
                est.partial_fit(X[chunk], y[chunk], classes=classes)
        elif config.procedure == "validation":
            est.fit(X, y, X_val=X_test, y_val=y_test, **kwargs)
        elif config.procedure == "warm_start":
            est.fit(X, y, **kwargs)
            est.set_params(warm_start=True, max_iter=3)
            est.fit(X, y, **kwargs)
        else:
            est.fit(X, y, **kwargs)
    return est, X_test


def record(config):
    """The numbers of a configuration, by name."""
    # One BLAS thread, as in the whole test session: the roundings of some
    # products depend on how BLAS splits them between threads.
    with threadpool_limits(limits=1, user_api="blas"):
        est, X_test = train(config)
    values = {name: np.asarray(getattr(est, name)) for name in RECORDED}
    for name in VALIDATION:
        if hasattr(est, name):
            values[name] = np.asarray(getattr(est, name))
    values["predict_proba"] = est.predict_proba(X_test)
    # The memory layout that partial_fit's in-place W1 relies on.
    values["fortran_order"] = np.array(
        [est.W1_.flags.f_contiguous, est.W2_.flags.f_contiguous]
    )
    return values


@pytest.fixture(scope="module")
def golden():
    with np.load(GOLDEN) as data:
        return {key: data[key] for key in data.files}


def test_every_configuration_is_recorded(golden):
    recorded = {key.split("/")[0] for key in golden}
    assert recorded == set(CONFIGS)
    assert set(RTOL) <= set(CONFIGS)
    assert all(rtol <= 1e-9 for rtol in RTOL.values())
    assert not any(CONFIGS[name].float32 for name in RTOL)


@pytest.mark.parametrize("name", CONFIGS)
def test_fit_matches_the_golden_master(name, golden):
    values = record(CONFIGS[name])
    expected = {
        key.split("/", 1)[1]: value
        for key, value in golden.items()
        if key.split("/")[0] == name
    }
    assert values.keys() == expected.keys()
    for key, value in values.items():
        assert value.dtype == expected[key].dtype, key
        if name in RTOL and value.dtype.kind == "f":
            np.testing.assert_allclose(
                value, expected[key], rtol=RTOL[name], atol=0, err_msg=key
            )
        else:
            np.testing.assert_array_equal(value, expected[key], err_msg=key)


def _regenerate(names):
    root = Path(__file__).resolve().parents[1]
    if Path(sklearn_twolayer.__file__).resolve().parents[1] != root:
        sys.exit(
            f"sklearn_twolayer is imported from {sklearn_twolayer.__file__}, not from "
            "this checkout: install it with `pip install -e .`."
        )
    unknown = set(names) - set(CONFIGS)
    if unknown:
        sys.exit(f"unknown configurations: {sorted(unknown)}")
    with np.load(GOLDEN) as data:
        arrays = {
            key: data[key] for key in data.files if key.split("/")[0] not in names
        }
    for name in names:
        arrays.update(
            {f"{name}/{key}": value for key, value in record(CONFIGS[name]).items()}
        )
    np.savez_compressed(GOLDEN, **arrays)
    print(f"wrote {len(names)} configurations to {GOLDEN}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--regenerate",
        nargs="*",
        metavar="NAME",
        help=f"rewrite the named configurations of {GOLDEN.name} (all if none)",
    )
    names = parser.parse_args().regenerate
    if names is None:
        parser.print_help()
    else:
        _regenerate(names or list(CONFIGS))
