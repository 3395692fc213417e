"""Tests of the validation rows of :mod:`sklearn_twolayer._holdout` on their own."""

import numpy as np
import pytest
from _helpers import make_data
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.metrics import accuracy_score, log_loss

from sklearn_twolayer._holdout import evaluate, from_user_data, split, validation_rows
from sklearn_twolayer._kernels import row_indices
from sklearn_twolayer._network import init_params, predict_logits
from sklearn_twolayer._targets import Layout


def softmax_layout(y):
    return Layout.of("multiclass", np.unique(y), "softmax")


def test_split_holds_out_a_sorted_stratified_fraction():
    X, y = make_data(n_classes=3, n_samples=150)
    w = np.linspace(0.5, 2.0, len(y))
    layout = softmax_layout(y)
    rows, val, problem = split(
        X, y, w, row_indices(X), layout, 0.2, np.random.RandomState(0)
    )

    assert problem is None
    assert len(val.y) == 30 and len(rows) == 120
    assert np.all(np.diff(rows) > 0)
    held = np.setdiff1d(np.arange(150), rows)
    assert_array_equal(val.X, X[held])
    assert_array_equal(val.w, w[held])
    assert_array_equal(np.bincount(val.y), [10, 10, 10])
    assert_array_equal(val.Y, np.eye(3)[y[held]])
    assert val.stop_early


@pytest.mark.parametrize(
    "n_samples, reason",
    [(40, "fewer than 10"), (12, "The test_size")],
    ids=["too-few-rows", "fewer-rows-than-classes"],
)
def test_split_says_why_it_holds_nothing_out(n_samples, reason):
    X, y = make_data(n_classes=3, n_samples=n_samples)
    rows = row_indices(X)
    kept, val, problem = split(
        X, y, None, rows, softmax_layout(y), 0.1, np.random.RandomState(0)
    )
    assert val is None
    assert kept is rows
    assert reason in problem


def test_validation_rows_warn_with_the_settings_that_failed():
    X, y = make_data(n_samples=40)
    layout = Layout.of("binary", np.array([0, 1]), "softmax")
    rows, val, message = validation_rows(
        X,
        y,
        None,
        None,
        None,
        layout,
        early_stopping=True,
        fraction=0.1,
        random_state=np.random.RandomState(0),
    )
    assert val is None and len(rows) == 40
    assert message.startswith(
        "early_stopping is switched off for this fit: the validation hold-out of "
        "validation_fraction=0.1 of 40 rows is too small to judge by (it would "
        "hold only 4 rows"
    )


def test_user_data_is_weighted_like_the_training_rows():
    X, y = make_data(n_classes=3, n_samples=30)
    sample_weight = np.full(30, 2.0)
    per_class = np.array([1.0, 0.5, 3.0])
    val = from_user_data(X, y, sample_weight, per_class, softmax_layout(y), False)
    assert_array_equal(val.w, 2.0 * per_class[y])
    assert not val.stop_early
    with pytest.raises(ValueError, match="weights of all validation rows are zero"):
        from_user_data(X, y, 0 * sample_weight, per_class, softmax_layout(y), False)


def test_evaluate_is_the_accuracy_and_the_objective():
    X, y = make_data(n_classes=3, n_samples=60)
    w = np.linspace(0.1, 1.0, 60)
    layout = softmax_layout(y)
    val = from_user_data(X, y, w, None, layout, False)
    params = init_params(6, 5, 3, "relu", np.random.RandomState(0), np.float64)

    score, loss = evaluate(params, val, activation="relu", l2=0.3, alpha=0.1)

    proba = softmax(predict_logits(params, X, "relu"), axis=1)
    assert score == accuracy_score(y, proba.argmax(axis=1), sample_weight=w)
    penalty = 0.15 * (np.sum(params.W1**2) + np.sum(params.W2**2)) / w.sum()
    assert_allclose(loss, log_loss(y, proba, sample_weight=w) + penalty, rtol=1e-12)


def test_evaluate_refuses_outputs_that_are_not_finite():
    X, y = make_data(n_samples=20)
    layout = Layout.of("binary", np.array([0, 1]), "softmax")
    val = from_user_data(1e10 * X, y, None, None, layout, False)
    params = init_params(6, 5, 1, "identity", np.random.RandomState(0), np.float64)
    params.W2[...] = 1e300
    with pytest.raises(ValueError, match=r"not finite.*\(alpha=0.5\)"):
        evaluate(params, val, activation="identity", l2=0.0, alpha=0.5)
