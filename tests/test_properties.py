"""Properties that hold for every small dataset and every configuration.

Hypothesis draws the data (values, duplicates, constant columns, class balance) and
the hyperparameters; each property is checked on what it draws.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone

from sklearn_twolayer import TwoLayerClassifier

pytestmark = pytest.mark.filterwarnings(
    # A few epochs on random data neither converge nor always stay tame.
    "ignore::sklearn.exceptions.ConvergenceWarning"
)

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def datasets(draw, multilabel=False):
    """(X, y): 4 to 30 rows, 1 to 5 features, 2 to 4 classes (or labels)."""
    n = draw(st.integers(4, 30))
    d = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    X = draw(
        hnp.arrays(
            dtype,
            (n, d),
            elements=st.floats(-10, 10, width=np.dtype(dtype).itemsize * 8),
        )
    )
    k = draw(st.integers(2, 4))
    if multilabel:
        y = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 1)))
        return X, y
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    # Every class at least once, so that fit sees all k of them.
    y[:k] = np.arange(k)
    return X, y


estimators = st.builds(
    TwoLayerClassifier,
    hidden_size=st.integers(1, 8),
    activation=st.sampled_from(["relu", "tanh", "logistic", "identity"]),
    alpha=st.sampled_from([1e-3, 0.01, 0.1]),
    batch_size=st.integers(1, 16),
    max_iter=st.integers(1, 4),
    l2=st.sampled_from([0.0, 0.01, 1.0]),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    multiclass=st.sampled_from(["softmax", "ovr"]),
    class_weight=st.sampled_from([None, "balanced"]),
    shuffle=st.booleans(),
    random_state=st.integers(0, 2**31 - 1),
)


def fit_or_diverge(est, X, y):
    """Fit; a fit that diverges must say so with the documented ValueError."""
    try:
        return est.fit(X, y)
    except ValueError as exc:
        assert "non-finite" in str(exc) and "lower alpha" in str(exc)
        assert not hasattr(est, "W1_")
        return None


def rounding_tolerance(est):
    return 1e-5 if est.W1_.dtype == np.float32 else 1e-12


@SETTINGS
@given(data=datasets(), est=estimators)
def test_probabilities_are_finite_and_sum_to_one(data, est):
    X, y = data
    if fit_or_diverge(est, X, y) is None:
        return
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), len(est.classes_))
    assert proba.dtype == X.dtype
    assert np.isfinite(proba).all()
    assert (proba >= 0).all() and (proba <= 1).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=rounding_tolerance(est))
    log_proba = est.predict_log_proba(X)
    assert not np.isnan(log_proba).any()
    np.testing.assert_allclose(np.exp(log_proba), proba, atol=rounding_tolerance(est))


@SETTINGS
@given(data=datasets(multilabel=True), est=estimators)
def test_multilabel_probabilities_are_finite(data, est):
    X, y = data
    est.set_params(class_weight=None)
    if fit_or_diverge(est, X, y) is None:
        return
    proba = est.predict_proba(X)
    assert proba.shape == y.shape
    assert np.isfinite(proba).all()
    assert (proba >= 0).all() and (proba <= 1).all()
    pred = est.predict(X)
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))


@SETTINGS
@given(data=datasets(), est=estimators)
def test_predictions_lie_in_classes(data, est):
    X, y = data
    if fit_or_diverge(est, X, y) is None:
        return
    np.testing.assert_array_equal(est.classes_, np.unique(y))
    pred = est.predict(X)
    assert pred.shape == y.shape
    assert np.isin(pred, est.classes_).all()
    # predict is the most probable class of predict_proba.
    np.testing.assert_array_equal(pred, est.classes_[est.predict_proba(X).argmax(1)])


@SETTINGS
@given(data=datasets(), est=estimators)
def test_refit_with_same_random_state_is_identical(data, est):
    X, y = data
    first = fit_or_diverge(clone(est), X, y)
    second = fit_or_diverge(clone(est), X, y)
    assert (first is None) == (second is None)
    if first is None:
        return
    for name in ("W1_", "b1_", "W2_", "b2_"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert first.loss_curve_ == second.loss_curve_
    # Refitting the same object (not a clone) starts afresh as well.
    again = first.fit(X, y)
    np.testing.assert_array_equal(again.W1_, second.W1_)


def assert_same_predictions(est, proba_part, proba_whole, pred_part, pred_whole):
    """Subsets of rows give the same outputs, up to the rounding of BLAS kernels.

    A product over one row and over many rows may take different BLAS code paths
    whose results differ in the last bits; labels may then differ only where the
    two top probabilities are that close.
    """
    tol = rounding_tolerance(est)
    np.testing.assert_allclose(proba_part, proba_whole, rtol=tol, atol=tol)
    top2 = np.sort(proba_whole, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 10 * tol
    np.testing.assert_array_equal(pred_part[clear], pred_whole[clear])


@SETTINGS
@given(data=datasets(), est=estimators, seed=st.integers(0, 2**32 - 1))
def test_predict_is_invariant_to_row_order(data, est, seed):
    X, y = data
    if fit_or_diverge(est, X, y) is None:
        return
    perm = np.random.default_rng(seed).permutation(len(X))
    proba, pred = est.predict_proba(X), est.predict(X)
    assert_same_predictions(
        est, est.predict_proba(X[perm]), proba[perm], est.predict(X[perm]), pred[perm]
    )


@SETTINGS
@given(data=datasets(), est=estimators, chunk=st.integers(1, 7))
def test_predict_is_invariant_to_batching(data, est, chunk):
    X, y = data
    if fit_or_diverge(est, X, y) is None:
        return
    proba, pred = est.predict_proba(X), est.predict(X)
    parts = range(0, len(X), chunk)
    proba_parts = np.vstack([est.predict_proba(X[i : i + chunk]) for i in parts])
    pred_parts = np.concatenate([est.predict(X[i : i + chunk]) for i in parts])
    assert_same_predictions(est, proba_parts, proba, pred_parts, pred)
