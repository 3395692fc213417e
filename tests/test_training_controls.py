"""Training controls: partial_fit, warm_start, early stopping and validation data,
class weights, scikit-learn callbacks, verbose output and Ctrl-C.
"""

import importlib.util
import pickle
import re
import sys
import warnings

import numpy as np
import pytest
from _helpers import (
    FITTED,
    assert_same_state,
    assert_same_weights,
    fit_quietly,
    state_of,
)
from _helpers import make_data as _data
from scipy.special import expit
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import accuracy_score, log_loss, recall_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_twolayer._callbacks as callbacks_module
import sklearn_twolayer._classifier as classifier_module
from sklearn_twolayer import TwoLayerClassifier, _holdout
from sklearn_twolayer._network import Params, loss_and_grads

HAS_CALLBACKS = importlib.util.find_spec("sklearn.callback") is not None


def _blobs(n_samples=300, seed=0, cluster_std=1.0):
    X, y = make_blobs(
        n_samples, 4, centers=3, cluster_std=cluster_std, random_state=seed
    )
    return StandardScaler().fit_transform(X), y


def _no_stop(**params):
    """Settings under which the stopping rule never ends a fit."""
    return dict(tol=0.0, n_iter_no_change=10_000, **params)


# ------------------------------------------------------------------ partial_fit


def test_partial_fit_requires_classes_on_the_first_call():
    X, y = _data()
    est = TwoLayerClassifier(4)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    assert not hasattr(est, "W1_")
    est.partial_fit(X, y, classes=[0, 1])
    # Afterwards, classes may be omitted.
    est.partial_fit(X, y)
    assert est.n_iter_ == 2


def test_partial_fit_on_multilabel_targets_needs_no_classes():
    X, _ = _data()
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 0]).astype(int)
    est = TwoLayerClassifier(4).partial_fit(X, Y)
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    TwoLayerClassifier(4).partial_fit(X, Y, classes=range(3))


def test_partial_fit_rejects_labels_outside_classes():
    X, y = _data(3)
    with pytest.raises(ValueError, match=r"labels \[2\]"):
        TwoLayerClassifier(4).partial_fit(X, y, classes=[0, 1])
    est = TwoLayerClassifier(4, random_state=0).partial_fit(
        X[y < 2], y[y < 2], classes=[0, 1]
    )
    W1 = est.W1_.copy()
    with pytest.raises(ValueError, match=r"labels \[2\]"):
        est.partial_fit(X, y)
    np.testing.assert_array_equal(est.W1_, W1)
    assert est.n_iter_ == 1


@pytest.mark.parametrize("later", [[0, 1, 2], [0], [1, 2], ["0", "1"]])
def test_partial_fit_rejects_a_later_classes_that_differs(later):
    X, y = _data()
    est = TwoLayerClassifier(4, random_state=0).partial_fit(X, y, classes=[0, 1])
    W1 = est.W1_.copy()
    with pytest.raises(ValueError, match=r"`classes=.*` is not the same as on last"):
        est.partial_fit(X, y, classes=later)
    np.testing.assert_array_equal(est.W1_, W1)
    np.testing.assert_array_equal(est.classes_, [0, 1])
    assert est.n_iter_ == 1


def test_partial_fit_accepts_the_same_classes_in_another_order():
    X, y = _data(3)
    labels = np.array(["a", "b", "c"])[y]
    est = TwoLayerClassifier(4, random_state=0)
    est.partial_fit(X, labels, classes=["c", "a", "b"])
    est.partial_fit(X, labels, classes=np.array(["b", "c", "a"], dtype=object))
    np.testing.assert_array_equal(est.classes_, ["a", "b", "c"])
    assert est.n_iter_ == 2


def test_partial_fit_after_fit_checks_classes_against_fit():
    X, y = _data()
    est = fit_quietly(TwoLayerClassifier(4, max_iter=2, random_state=0), X, y)
    est.partial_fit(X, y, classes=[1, 0])
    with pytest.raises(ValueError, match="not the same as on last call"):
        est.partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_takes_chunks_of_one_class_once_classes_are_known():
    # A stream sorted by class: every chunk after the first holds one class.
    X, y = _blobs()
    order = np.argsort(y, kind="stable")
    est = TwoLayerClassifier(8, random_state=0)
    est.partial_fit(X[order[:50]], y[order[:50]], classes=[0, 1, 2])
    for chunk in np.array_split(order[50:], 5):
        assert len(np.unique(y[chunk])) == 1
        est.partial_fit(X[chunk], y[chunk])
    assert est.n_iter_ == 6
    assert est.t_ == len(X)
    # classes= may come with every chunk, as dask-ml's Incremental passes it.
    est.partial_fit(X[y == 2], y[y == 2], classes=[0, 1, 2])
    assert est.n_iter_ == 7


def test_partial_fit_on_a_single_row_is_one_article_step():
    X, y = _data(n_samples=30)
    est = TwoLayerClassifier(5, alpha=0.3, random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    W1, b1, W2, b2 = (getattr(est, name).copy() for name in FITTED)
    x, label = X[:1], y[:1]
    est.partial_fit(x, label)
    # One row: dZ2 = a2 - y, and the chain rule of the article.
    z1 = x @ W1.T + b1
    a1 = np.maximum(z1, 0)
    dz2 = expit(a1 @ W2.T + b2) - label.reshape(-1, 1)
    dz1 = (dz2 @ W2) * (z1 > 0)
    expected = (
        W1 - 0.3 * dz1.T @ x,
        b1 - 0.3 * dz1[0],
        W2 - 0.3 * dz2.T @ a1,
        b2 - 0.3 * dz2[0],
    )
    for name, value in zip(FITTED, expected, strict=True):
        np.testing.assert_allclose(getattr(est, name), value, rtol=1e-12, atol=1e-15)
    assert est.t_ == 31


def test_a_first_partial_fit_chunk_of_one_class_needs_classes():
    X, y = _data()
    est = TwoLayerClassifier(4, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(X[y == 1], y[y == 1])
    est.partial_fit(X[y == 1][:1], y[y == 1][:1], classes=[0, 1])
    np.testing.assert_array_equal(est.classes_, [0, 1])
    assert est.predict_proba(X).shape == (len(X), 2)


@pytest.mark.parametrize("warm_start", [False, True])
def test_fit_still_needs_two_classes(warm_start):
    X, y = _data()
    est = TwoLayerClassifier(4, max_iter=2, warm_start=warm_start, random_state=0)
    fit_quietly(est, X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        est.fit(X[y == 1], y[y == 1])


def test_a_one_class_chunk_must_still_be_a_known_class():
    X, y = _data()
    est = TwoLayerClassifier(4, random_state=0).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes_"):
        est.partial_fit(X[:1], [7])


def test_partial_fit_rejects_a_changed_number_of_features():
    X, y = _data()
    est = TwoLayerClassifier(4).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :-1], y)


def test_partial_fit_on_one_batch_is_one_article_step():
    X, y = _data(n_samples=30)
    est = TwoLayerClassifier(5, alpha=0.3, batch_size=30, random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    # Users may set the weights by hand; the step starts from them.
    rng = np.random.RandomState(1)
    W1, b1 = rng.normal(size=(5, X.shape[1])), rng.normal(size=5)
    W2, b2 = rng.normal(size=(1, 5)), rng.normal(size=1)
    est.W1_, est.b1_, est.W2_, est.b2_ = W1.copy(), b1.copy(), W2.copy(), b2.copy()
    est.partial_fit(X, y)

    # The article's forward and backward pass, written out (rows are examples).
    m = len(X)
    Y = y.reshape(-1, 1).astype(float)
    Z1 = X @ W1.T + b1
    A1 = np.maximum(Z1, 0)
    A2 = expit(A1 @ W2.T + b2)
    dZ2 = (A2 - Y) / m
    dW2, db2 = dZ2.T @ A1, dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2) * (Z1 > 0)
    dW1, db1 = dZ1.T @ X, dZ1.sum(axis=0)
    np.testing.assert_allclose(est.W1_, W1 - 0.3 * dW1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(est.b1_, b1 - 0.3 * db1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(est.W2_, W2 - 0.3 * dW2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(est.b2_, b2 - 0.3 * db2, rtol=1e-12, atol=1e-15)
    loss = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    assert est.loss_ == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize(
    "n_rows, batch_size, expected_steps", [(10, 10, 1), (7, 200, 1), (25, 10, 3)]
)
def test_partial_fit_makes_one_step_per_batch(
    faults, n_rows, batch_size, expected_steps
):
    X, y = _data()
    X, y = X[:n_rows], y[:n_rows]
    est = TwoLayerClassifier(4, batch_size=batch_size, random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    assert faults.calls == expected_steps
    est.partial_fit(X, y)
    assert faults.calls == 2 * expected_steps


def test_partial_fit_accumulates_t_loss_curve_and_n_iter():
    X, y = _data(3)
    est = TwoLayerClassifier(4, batch_size=50, random_state=0)
    for call in range(1, 4):
        est.partial_fit(X[: 40 * call], y[: 40 * call], classes=[0, 1, 2])
        assert est.n_iter_ == call
        assert len(est.loss_curve_) == call
        assert est.loss_ == est.loss_curve_[-1]
        assert est.best_loss_ == min(est.loss_curve_)
    assert est.t_ == 40 + 80 + 120


@pytest.mark.parametrize("shuffle", [False, True])
def test_partial_fit_calls_equal_fit_epochs(shuffle):
    # Momentum and several batches per epoch: the velocity and, with shuffle, the
    # epoch's permutation must carry over from call to call exactly as in fit.
    X, y = _data(3, n_samples=90)
    params = dict(
        hidden_size=6,
        batch_size=32,
        momentum=0.9,
        alpha=0.05,
        l2=1e-3,
        shuffle=shuffle,
        random_state=0,
        **_no_stop(),
    )
    incremental = TwoLayerClassifier(**params)
    for _ in range(100):
        incremental.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.warns(ConvergenceWarning, match="max_iter=100"):
        full = TwoLayerClassifier(max_iter=100, **params).fit(X, y)
    assert_same_weights(incremental, full, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(incremental.loss_curve_, full.loss_curve_, rtol=1e-12)
    assert incremental.t_ == full.t_ == 100 * len(X)
    assert incremental.n_iter_ == full.n_iter_ == 100


def test_partial_fit_momentum_carries_over_and_survives_pickling():
    X, y = _data(n_samples=80)
    params = dict(hidden_size=5, batch_size=20, momentum=0.9, random_state=0)
    straight = TwoLayerClassifier(**params)
    for _ in range(6):
        straight.partial_fit(X, y, classes=[0, 1])

    resumed = TwoLayerClassifier(**params)
    for _ in range(3):
        resumed.partial_fit(X, y, classes=[0, 1])
    resumed = pickle.loads(pickle.dumps(resumed))
    for _ in range(3):
        resumed.partial_fit(X, y)
    assert_same_weights(resumed, straight)

    # Without the velocity (the same weights, momentum starting from rest) the
    # result differs: the comparison above does test the carried state.
    forgetful = TwoLayerClassifier(**params)
    for _ in range(3):
        forgetful.partial_fit(X, y, classes=[0, 1])
    forgetful._optimizer_state = None
    for _ in range(3):
        forgetful.partial_fit(X, y)
    assert not np.allclose(forgetful.W1_, straight.W1_)


def test_partial_fit_never_holds_rows_out():
    X, y = _blobs()
    est = TwoLayerClassifier(4, early_stopping=True, random_state=0)
    est.partial_fit(X, y, classes=[0, 1, 2])
    est.partial_fit(X, y)
    assert est.t_ == 2 * len(X)
    assert not hasattr(est, "validation_scores_")
    assert not hasattr(est, "best_validation_score_")


# ------------------------------------------------------------------- warm_start


def test_warm_start_continues_where_the_last_fit_ended():
    X, y = _data(3)
    params = dict(
        hidden_size=6, batch_size=32, momentum=0.9, random_state=0, **_no_stop()
    )
    warm = fit_quietly(TwoLayerClassifier(max_iter=4, warm_start=True, **params), X, y)
    W1_after_first = warm.W1_.copy()
    fit_quietly(warm, X, y)
    one_go = fit_quietly(TwoLayerClassifier(max_iter=8, **params), X, y)
    # Four epochs, then four more from the same weights, velocity and epoch count,
    # are eight epochs.
    assert_same_weights(warm, one_go, rtol=1e-12, atol=1e-12)
    assert not np.array_equal(warm.W1_, W1_after_first)
    assert warm.n_iter_ == 4
    assert len(warm.loss_curve_) == 8
    assert warm.t_ == 8 * len(X)

    cold = fit_quietly(TwoLayerClassifier(max_iter=4, **params), X, y)
    fit_quietly(cold, X, y)
    np.testing.assert_array_equal(cold.W1_, W1_after_first)


@pytest.mark.parametrize(
    "optimiser",
    [
        dict(solver="adam", alpha=0.01),
        dict(solver="adam", alpha=0.01, beta_1=0.5, l2=0.1),
        dict(learning_rate="invscaling", momentum=0.9, nesterovs_momentum=True),
        dict(learning_rate="adaptive", momentum=0.5),
    ],
    ids=["adam", "adam-beta-l2", "invscaling-nesterov", "adaptive"],
)
def test_warm_start_continues_the_optimiser(optimiser):
    # Unlike MLPClassifier, whose warm-started fit starts a new optimiser, the
    # rate, velocity and Adam's moments go on: four epochs and four more are
    # eight epochs (with a stopping rule that never fires, the only part of a
    # fit that starts afresh).
    X, y = _data(3)
    params = dict(hidden_size=6, batch_size=32, random_state=0, **optimiser)
    warm = TwoLayerClassifier(max_iter=4, warm_start=True, **_no_stop(**params))
    fit_quietly(fit_quietly(warm, X, y), X, y)
    one_go = fit_quietly(TwoLayerClassifier(max_iter=8, **_no_stop(**params)), X, y)
    assert_same_weights(warm, one_go)
    assert warm.loss_curve_ == one_go.loss_curve_
    assert_same_state(
        {"state": warm._optimizer_state}, {"state": one_go._optimizer_state}
    )

    # Starting the optimiser afresh, as MLPClassifier does, is another path.
    restarted = fit_quietly(
        TwoLayerClassifier(max_iter=4, warm_start=True, **_no_stop(**params)), X, y
    )
    restarted._optimizer_state = None
    fit_quietly(restarted, X, y)
    assert not np.allclose(restarted.W1_, one_go.W1_, rtol=1e-6)


def test_a_change_of_solver_starts_a_new_optimiser():
    X, y = _data(3)
    params = dict(hidden_size=6, batch_size=32, max_iter=3, shuffle=False)
    est = fit_quietly(TwoLayerClassifier(momentum=0.9, warm_start=True, **params), X, y)
    assert est._optimizer_state["solver"] == "sgd"
    fresh = TwoLayerClassifier(solver="adam", alpha=0.01, warm_start=True, **params)
    fresh.W1_, fresh.b1_, fresh.W2_, fresh.b2_ = (getattr(est, n) for n in FITTED)
    fit_quietly(est.set_params(solver="adam", alpha=0.01), X, y)
    fit_quietly(fresh, X, y)
    # The velocity of gradient descent means nothing to Adam: it starts from
    # zero moments, as from weights set by hand.
    assert_same_weights(est, fresh)
    assert est._optimizer_state["solver"] == "adam"
    assert est._optimizer_state["t"] == fresh._optimizer_state["t"]

    est.set_params(solver="sgd", alpha=0.1).partial_fit(X, y)
    assert est._optimizer_state["solver"] == "sgd"


def test_partial_fit_counts_stalls_over_calls_for_the_adaptive_rate():
    # The count of epochs without improvement goes on over partial_fit calls
    # (and from the fit before them), as in MLPClassifier: with a tol that no
    # epoch but the first beats, every third call after it divides the rate by 5.
    X, y = _data(n_samples=60)
    est = TwoLayerClassifier(
        4, learning_rate="adaptive", tol=10.0, n_iter_no_change=2, random_state=0
    )
    rates = []
    for _ in range(7):
        est.partial_fit(X, y, classes=[0, 1])
        rates.append(est._optimizer_state["learning_rate"])
    assert rates == pytest.approx([0.1, 0.1, 0.1, 0.02, 0.02, 0.02, 0.004])
    # A rate at or below 1e-6 would stop a fit; partial_fit goes on at it.
    est._optimizer_state["learning_rate"] = 1e-6
    for _ in range(4):
        est.partial_fit(X, y)
    assert est._optimizer_state["learning_rate"] == 1e-6
    assert est.n_iter_ == 11


def test_adaptive_rate_with_early_stopping_follows_the_validation_score():
    # A tol that no validation score beats: a stall every second epoch from the
    # third, each dividing the rate by 5, until the ninth finds it at
    # 0.1 / 5**8 <= 1e-6 and stops the fit, with the best epoch's weights.
    X, y = _blobs(n_samples=200, cluster_std=3.0)
    est = TwoLayerClassifier(
        4,
        batch_size=20,
        learning_rate="adaptive",
        early_stopping=True,
        tol=10.0,
        n_iter_no_change=1,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    assert est.n_iter_ == len(est.validation_scores_) == 19
    # The kept epoch comes after two stalls; its optimiser state is kept with
    # it, at the rate of that epoch, for a later partial_fit to continue from.
    best = est.validation_scores_.index(est.best_validation_score_) + 1
    assert best == 5
    assert est._optimizer_state["learning_rate"] == pytest.approx(0.1 / 5**2)


def test_warm_start_honours_max_iter_per_call():
    X, y = _data()
    est = TwoLayerClassifier(4, max_iter=5, warm_start=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.set_params(**_no_stop()).fit(X, y)
    assert est.n_iter_ == 5
    est.set_params(max_iter=3)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        est.fit(X, y)
    assert est.n_iter_ == 3
    assert len(est.loss_curve_) == 8


def test_warm_start_rejects_changed_classes():
    X, y = _data(3)
    est = fit_quietly(
        TwoLayerClassifier(4, max_iter=2, warm_start=True, random_state=0), X, y
    )
    W1 = est.W1_.copy()
    with pytest.raises(ValueError, match=r"warm_start.*classes"):
        est.fit(X[y < 2], y[y < 2])
    np.testing.assert_array_equal(est.W1_, W1)
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    # Turning warm_start off starts afresh with the new classes.
    est.set_params(warm_start=False)
    fit_quietly(est, X[y < 2], y[y < 2])
    np.testing.assert_array_equal(est.classes_, [0, 1])


# -------------------------------------------------------------- stopping rule


@pytest.mark.parametrize("early_stopping", [False, True])
def test_infinite_n_iter_no_change_never_stops_for_lack_of_improvement(
    early_stopping,
):
    # MLPClassifier's value: with a tol no epoch can meet, only max_iter ends
    # the fit.
    X, y = _blobs()
    est = TwoLayerClassifier(
        4,
        max_iter=25,
        tol=10.0,
        n_iter_no_change=np.inf,
        early_stopping=early_stopping,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=25"):
        est.fit(X, y)
    assert est.n_iter_ == 25
    assert est.get_params()["n_iter_no_change"] == np.inf


# --------------------------------------------------------------- early stopping


@pytest.fixture
def split_spy(monkeypatch):
    """Record the row indices of every internal train/validation split."""
    calls = []
    split = _holdout.train_test_split

    def spy(*args, **kwargs):
        result = split(*args, **kwargs)
        calls.append((kwargs, result))
        return result

    monkeypatch.setattr(_holdout, "train_test_split", spy)
    return calls


def test_early_stopping_holds_out_a_stratified_fraction(split_spy):
    X, y = _blobs(n_samples=300)
    y = np.where(np.arange(len(y)) % 5 == 0, 2, y)  # unequal class sizes
    est = TwoLayerClassifier(
        8, early_stopping=True, validation_fraction=0.2, random_state=0
    ).fit(X, y)
    ((kwargs, (train_idx, val_idx)),) = split_spy
    np.testing.assert_array_equal(kwargs["stratify"], y)
    assert len(val_idx) == 60
    assert len(np.intersect1d(train_idx, val_idx)) == 0
    # Stratified: the hold-out has the class shares of the whole.
    np.testing.assert_allclose(
        np.bincount(y[val_idx]) / len(val_idx), np.bincount(y) / len(y), atol=0.02
    )
    assert est.t_ == est.n_iter_ * 240


def test_early_stopping_stops_early_on_easy_data():
    X, y = _blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = TwoLayerClassifier(8, early_stopping=True, random_state=0).fit(X, y)
    assert est.n_iter_ < est.max_iter
    assert len(est.validation_scores_) == len(est.validation_loss_curve_)
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_validation_score_ == 1.0


def test_early_stopping_restores_the_best_weights(split_spy):
    # Noisy labels: the validation score peaks, then falls back.
    X, y = _data(n_samples=400, n_features=10, flip_y=0.2)
    params = dict(hidden_size=32, alpha=0.5, early_stopping=True, n_iter_no_change=5)
    est = TwoLayerClassifier(random_state=0, **params).fit(X, y)
    _, (_, val_idx) = split_spy[0]
    best_epoch = int(np.argmax(est.validation_scores_))
    assert est.validation_scores_[-1] < est.best_validation_score_
    assert best_epoch < est.n_iter_ - 1
    assert est.score(X[val_idx], y[val_idx]) == est.best_validation_score_
    # They are the weights of that epoch: a fit that ends there has them.
    with pytest.warns(ConvergenceWarning):
        short = TwoLayerClassifier(
            random_state=0, max_iter=best_epoch + 1, **params
        ).fit(X, y)
    assert_same_weights(est, short)
    # The curves keep every epoch run, past the best one.
    assert len(est.loss_curve_) == est.n_iter_


def test_user_validation_data_replaces_the_hold_out(split_spy):
    X, y = _blobs(n_samples=300)
    X_val, y_val = _blobs(n_samples=100, seed=1, cluster_std=3.0)
    params = dict(hidden_size=8, early_stopping=True, random_state=0)
    internal = TwoLayerClassifier(**params).fit(X, y)
    assert len(split_spy) == 1
    user = TwoLayerClassifier(**params).fit(X, y, X_val=X_val, y_val=y_val)
    assert len(split_spy) == 1  # no internal split this time
    assert user.n_iter_ != internal.n_iter_
    assert user.t_ == user.n_iter_ * len(X)  # every row trains
    assert user.score(X_val, y_val) == user.best_validation_score_


def test_validation_data_without_early_stopping_records_curves():
    X, y = _data(3)
    X_val, y_val = _data(3, n_samples=60, seed=1)
    sw_val = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y_val))
    l2 = 0.01
    est = fit_quietly(
        TwoLayerClassifier(6, max_iter=7, l2=l2, random_state=0),
        X,
        y,
        X_val=X_val,
        y_val=y_val,
        sample_weight_val=sw_val,
    )
    assert est.n_iter_ == 7
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == 7
    assert est.best_validation_score_ == max(est.validation_scores_)
    # The last entries describe the final weights: the weighted accuracy, and the
    # loss of the specification (cross-entropy plus lambda/(2S) times the norms).
    assert est.validation_scores_[-1] == pytest.approx(
        accuracy_score(y_val, est.predict(X_val), sample_weight=sw_val), rel=1e-12
    )
    S = sw_val.sum()
    expected = log_loss(y_val, est.predict_proba(X_val), sample_weight=sw_val) + l2 / (
        2 * S
    ) * (np.sum(est.W1_**2) + np.sum(est.W2_**2))
    assert est.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-10)

    unweighted = fit_quietly(
        TwoLayerClassifier(6, max_iter=7, l2=l2, random_state=0),
        X,
        y,
        X_val=X_val,
        y_val=y_val,
    )
    assert_same_weights(unweighted, est)  # validation never changes training
    assert unweighted.validation_loss_curve_ != est.validation_loss_curve_


def test_validation_attributes_of_an_earlier_fit_are_dropped():
    X, y = _data()
    est = fit_quietly(TwoLayerClassifier(4, max_iter=2), X, y, X_val=X, y_val=y)
    assert hasattr(est, "validation_scores_")
    fit_quietly(est, X, y)
    for name in (
        "validation_scores_",
        "validation_loss_curve_",
        "best_validation_score_",
    ):
        assert not hasattr(est, name)


def test_partial_fit_removes_the_validation_attributes_of_an_earlier_fit():
    # They describe the weights before the partial_fit calls.
    X, y = _blobs()
    est = fit_quietly(
        TwoLayerClassifier(4, max_iter=5, early_stopping=True, random_state=0), X, y
    )
    assert hasattr(est, "best_validation_score_")
    est.partial_fit(X, y)
    for name in (
        "validation_scores_",
        "validation_loss_curve_",
        "best_validation_score_",
    ):
        assert not hasattr(est, name)
    assert len(est.loss_curve_) == 6


@pytest.mark.parametrize(
    "n_samples, minority, reason",
    [
        (60, 20, "fewer than 10"),
        (300, 3, "miss some classes"),
        (300, 1, "least populated class"),
    ],
    ids=["too-few-rows", "missing-class", "single-member-class"],
)
def test_too_small_hold_out_warns_and_trains_on_every_row(n_samples, minority, reason):
    X, y = _blobs(n_samples=n_samples)
    y[:] = np.where(y == 2, 0, y)
    y[:minority] = 2  # a class too rare for a stratified hold-out
    est = TwoLayerClassifier(
        4, early_stopping=True, validation_fraction=0.05 if minority < 10 else 0.1
    )
    with pytest.warns(
        UserWarning, match=rf"early_stopping is switched off.*{reason}"
    ) as record:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
    assert record[0].filename == __file__
    assert est.t_ == est.n_iter_ * n_samples
    assert not hasattr(est, "validation_scores_")


def _hold_out_rows(split_spy, X, y, **params):
    """The rows that early stopping holds out for these data and parameters."""
    fit_quietly(TwoLayerClassifier(**params), X, y)
    ((_, (_, val_idx)),) = split_spy
    split_spy.clear()
    return val_idx


ZERO_HOLD_OUT = dict(
    hidden_size=4, early_stopping=True, max_iter=5, tol=0.0, random_state=0
)


def test_a_hold_out_of_zero_weight_switches_early_stopping_off(split_spy):
    X, y = _blobs()
    sample_weight = np.ones(len(X))
    sample_weight[_hold_out_rows(split_spy, X, y, **ZERO_HOLD_OUT)] = 0
    est = TwoLayerClassifier(**ZERO_HOLD_OUT)
    with pytest.warns(
        UserWarning,
        match=r"early_stopping is switched off.*weight of zero, sample_weight times",
    ) as record:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y, sample_weight=sample_weight)
    assert record[0].filename == __file__
    assert est.t_ == est.n_iter_ * len(X)  # every row was trained on
    assert not hasattr(est, "validation_scores_")
    # The same model as without early stopping.
    plain = {**ZERO_HOLD_OUT, "early_stopping": False}
    reference = fit_quietly(
        TwoLayerClassifier(**plain), X, y, sample_weight=sample_weight
    )
    assert_same_weights(est, reference)


def test_training_rows_of_zero_weight_beside_the_hold_out_raise(split_spy):
    X, y = _blobs()
    sample_weight = np.zeros(len(X))
    sample_weight[_hold_out_rows(split_spy, X, y, **ZERO_HOLD_OUT)] = 1
    est = TwoLayerClassifier(**ZERO_HOLD_OUT)
    with pytest.raises(
        ValueError,
        match=r"all training rows are zero \(sample_weight times class_weight\).*"
        "hold-out of early_stopping took every row of positive weight",
    ):
        est.fit(X, y, sample_weight=sample_weight)
    assert not hasattr(est, "W1_")


@pytest.mark.parametrize("zeros", [0, 0.0, [0] * 30, np.zeros(30)])
def test_validation_weights_that_are_all_zero_raise_naming_them(zeros):
    X, y = _blobs(n_samples=90)
    est = TwoLayerClassifier(4, max_iter=2)
    with pytest.raises(ValueError, match="sample_weight_val is zero on every"):
        est.fit(X[:60], y[:60], X_val=X[60:], y_val=y[60:], sample_weight_val=zeros)


def test_validation_rows_that_class_weight_zeroes_raise_naming_the_weights():
    X, y = _blobs(n_samples=90)
    est = TwoLayerClassifier(4, max_iter=2, class_weight={0: 0.0})
    val = y == 0
    with pytest.raises(
        ValueError,
        match=r"all validation rows are zero \(sample_weight_val times class_weight",
    ):
        est.fit(X, y, X_val=X[val], y_val=y[val])


# ----------------------------------------------------------------- class_weight


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(
        600,
        6,
        n_informative=3,
        weights=[0.92, 0.08],
        class_sep=0.6,
        flip_y=0,
        random_state=1,
    )
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    recalls = {}
    for class_weight in (None, "balanced"):
        est = fit_quietly(
            TwoLayerClassifier(
                8, max_iter=30, class_weight=class_weight, random_state=0
            ),
            X_train,
            y_train,
        )
        recalls[class_weight] = recall_score(y_test, est.predict(X_test))
    assert recalls["balanced"] > recalls[None] + 0.3


def _full_batch(**params):
    return TwoLayerClassifier(
        5,
        batch_size=10_000,
        shuffle=False,
        max_iter=6,
        l2=0.01,
        momentum=0.5,
        random_state=0,
        **params,
    )


def test_zero_sample_weights_equal_dropping_rows():
    X, y = _data(3)
    sample_weight = np.ones(len(y))
    sample_weight[::3] = 0.0
    keep = sample_weight > 0
    weighted = fit_quietly(_full_batch(), X, y, sample_weight=sample_weight)
    dropped = fit_quietly(_full_batch(), X[keep], y[keep])
    assert_same_weights(weighted, dropped, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weighted.loss_curve_, dropped.loss_curve_, rtol=1e-12)


def test_integer_sample_weights_equal_repeated_rows():
    X, y = _data(3)
    sample_weight = np.random.RandomState(0).randint(1, 4, size=len(y))
    weighted = fit_quietly(_full_batch(), X, y, sample_weight=sample_weight)
    repeated = fit_quietly(
        _full_batch(),
        np.repeat(X, sample_weight, axis=0),
        np.repeat(y, sample_weight),
    )
    assert_same_weights(weighted, repeated, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-12)


def test_class_weight_dict_multiplies_sample_weight():
    X, y = _data(3)
    class_weight = {0: 2.0, 1: 0.5, 2: 1.0}
    sample_weight = np.random.RandomState(0).uniform(0.5, 1.5, size=len(y))
    by_class = fit_quietly(
        _full_batch(class_weight=class_weight), X, y, sample_weight=sample_weight
    )
    by_row = fit_quietly(
        _full_batch(),
        X,
        y,
        sample_weight=sample_weight * np.array([2.0, 0.5, 1.0])[y],
    )
    assert_same_weights(by_class, by_row, rtol=1e-12, atol=1e-14)


def test_balanced_class_weight_in_fit_uses_weighted_counts():
    X, y = _data(3)
    sample_weight = np.random.RandomState(0).uniform(0.5, 1.5, size=len(y))
    counts = np.bincount(y, weights=sample_weight)
    balanced = sample_weight.sum() / (3 * counts)
    auto = fit_quietly(
        _full_batch(class_weight="balanced"), X, y, sample_weight=sample_weight
    )
    by_hand = fit_quietly(
        _full_batch(class_weight=dict(enumerate(balanced))),
        X,
        y,
        sample_weight=sample_weight,
    )
    assert_same_weights(auto, by_hand, rtol=1e-12, atol=1e-14)


def test_balanced_class_weight_in_partial_fit_uses_counts_over_all_calls():
    X, y = _data(3, n_samples=150)
    first, second = slice(0, 50), slice(50, 150)
    first_y = y[first].copy()
    first_y[:20] = 0  # the first call is skewed towards class 0
    params = dict(hidden_size=5, batch_size=200, random_state=0)

    def balanced(labels):
        counts = np.bincount(labels, minlength=3)
        return dict(enumerate(len(labels) / (3 * counts)))

    auto = TwoLayerClassifier(class_weight="balanced", **params)
    auto.partial_fit(X[first], first_y, classes=[0, 1, 2])
    auto.partial_fit(X[second], y[second])

    seen = np.concatenate([first_y, y[second]])
    by_hand = TwoLayerClassifier(class_weight=balanced(first_y), **params)
    by_hand.partial_fit(X[first], first_y, classes=[0, 1, 2])
    by_hand.set_params(class_weight=balanced(seen))
    by_hand.partial_fit(X[second], y[second])
    assert_same_weights(auto, by_hand, rtol=1e-12, atol=1e-14)

    # Balancing the second call on its own rows alone gives another model.
    this_call_only = TwoLayerClassifier(class_weight=balanced(first_y), **params)
    this_call_only.partial_fit(X[first], first_y, classes=[0, 1, 2])
    this_call_only.set_params(class_weight=balanced(y[second]))
    this_call_only.partial_fit(X[second], y[second])
    assert not np.allclose(this_call_only.W1_, auto.W1_)


def test_class_weight_on_multilabel_targets_warns_and_trains():
    X, _ = _data()
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    params = dict(hidden_size=4, max_iter=3, random_state=0)
    weighted = TwoLayerClassifier(class_weight="balanced", **params)
    with (
        warnings.catch_warnings(),
        pytest.warns(UserWarning, match="class_weight does not apply") as record,
    ):
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted.fit(X, Y)
    assert record[0].filename == __file__
    plain = fit_quietly(TwoLayerClassifier(**params), X, Y)
    assert_same_weights(weighted, plain)


# -------------------------------------------------------------------- callbacks

needs_callbacks = pytest.mark.skipif(
    not HAS_CALLBACKS, reason="this scikit-learn has no sklearn.callback"
)


class _StopAfter:
    """A callback that asks fit to stop once ``n`` epochs have ended."""

    def __init__(self, n, error=None):
        self.n = n
        self.error = error
        self.epochs_ended = 0
        self.torn_down = False

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        self.torn_down = True

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name != "epoch":
            return False
        self.epochs_ended += 1
        if self.epochs_ended == self.n and self.error is not None:
            raise self.error
        return self.epochs_ended >= self.n


@needs_callbacks
def test_progress_bar_run_completes():
    from sklearn.callback import ProgressBar

    X, y = _blobs()
    est = TwoLayerClassifier(4, max_iter=5, random_state=0)
    est.set_callbacks(ProgressBar())
    fit_quietly(est, X, y)
    plain = fit_quietly(TwoLayerClassifier(4, max_iter=5, random_state=0), X, y)
    assert_same_weights(est, plain)
    assert not hasattr(est, "_callback_fit_ctx")


@needs_callbacks
def test_scoring_monitor_records_one_entry_per_epoch():
    from sklearn.callback import ScoringMonitor

    X, y = _blobs()
    monitor = ScoringMonitor(scoring="accuracy")
    est = TwoLayerClassifier(4, max_iter=6, random_state=0).set_callbacks(monitor)
    fit_quietly(est, X, y)
    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    assert [row["task_id"] for row in epochs] == list(range(est.n_iter_))
    assert all(row["task_id_path"] == (0, row["task_id"]) for row in epochs)
    # The last epoch's score is that of the final model; the fit's root task
    # scores it too.
    assert epochs[-1]["accuracy"] == est.score(X, y)
    (root,) = [row for row in rows if row["task_name"] == "fit"]
    assert root["accuracy"] == est.score(X, y)
    # Scores come from the model of each epoch, not from the final one.
    assert epochs[0]["accuracy"] != epochs[-1]["accuracy"]

    # A second fit is a second run.
    fit_quietly(est, X, y)
    assert len(monitor.get_logs(select="all")) == 2


@needs_callbacks
def test_scoring_monitor_scores_with_the_sample_weights():
    from sklearn.callback import ScoringMonitor

    X, y = _blobs()
    sample_weight = np.where(y == 0, 5.0, 0.5)
    monitor = ScoringMonitor(scoring="accuracy")
    est = TwoLayerClassifier(4, max_iter=3, random_state=0).set_callbacks(monitor)
    fit_quietly(est, X, y, sample_weight=sample_weight)
    (root,) = [row for row in monitor.get_logs().data if row["task_name"] == "fit"]
    weighted = est.score(X, y, sample_weight=sample_weight)
    assert weighted != est.score(X, y)
    assert root["accuracy"] == weighted


@needs_callbacks
def test_a_callback_can_stop_fit():
    X, y = _blobs()
    stopper = _StopAfter(3)
    est = TwoLayerClassifier(4, max_iter=50, random_state=0).set_callbacks(stopper)
    with warnings.catch_warnings():
        # Stopped on request, not by running out of epochs.
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.n_iter_ == 3
    assert len(est.loss_curve_) == 3
    assert stopper.torn_down


class _EpochRecorder(_StopAfter):
    """A callback that propagates to sub-estimators and never asks to stop."""

    max_propagation_depth = None

    def __init__(self):
        super().__init__(n=np.inf)
        self.tasks = []

    def on_fit_task_end(self, estimator, context):
        self.tasks.append((type(estimator).__name__, context.task_name))
        return False


@needs_callbacks
def test_callbacks_of_a_pipeline_reach_the_epochs():
    X, y = _blobs()
    recorder = _EpochRecorder()
    pipe = make_pipeline(
        StandardScaler(), TwoLayerClassifier(4, max_iter=3, random_state=0)
    ).set_callbacks(recorder)
    fit_quietly(pipe, X, y)
    epochs = [t for t in recorder.tasks if t == ("TwoLayerClassifier", "epoch")]
    assert len(epochs) == 3
    assert ("TwoLayerClassifier", "fit") in recorder.tasks
    assert recorder.torn_down
    # Without callbacks the estimator builds no callback context at all.
    est = TwoLayerClassifier(4, max_iter=3, random_state=0)
    seen = []
    original = type(est)._init_callback_context
    est._init_callback_context = lambda **kw: seen.append(kw) or original(est, **kw)
    fit_quietly(est, X, y)
    assert seen == []


def _second_copy(module, name):
    spec = importlib.util.spec_from_file_location(name, module.__file__)
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return copy


def test_everything_works_without_sklearn_callback(monkeypatch):
    # Import second copies of the callback adapter and of the estimator's module as
    # if scikit-learn had no sklearn.callback (versions before 1.9): the guarded
    # import must fall back.
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "sklearn.callback", None)
        name = callbacks_module.__name__
        patch.setitem(sys.modules, name, _second_copy(callbacks_module, name))
        module = _second_copy(
            classifier_module, "sklearn_twolayer._classifier_without_callbacks"
        )
    Estimator = module.TwoLayerClassifier
    assert Estimator is not TwoLayerClassifier
    assert not hasattr(Estimator, "set_callbacks")
    assert not hasattr(Estimator, "_init_callback_context")

    X, y = _data(3)
    params = dict(hidden_size=4, max_iter=4, early_stopping=False, random_state=0)
    old = fit_quietly(Estimator(**params), X, y, X_val=X, y_val=y)
    new = fit_quietly(TwoLayerClassifier(**params), X, y, X_val=X, y_val=y)
    assert_same_weights(old, new)
    assert old.validation_scores_ == new.validation_scores_
    old.partial_fit(X, y)
    assert old.n_iter_ == 5


# ---------------------------------------------------------------------- verbose


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = _data()
    est = fit_quietly(TwoLayerClassifier(4, max_iter=3, verbose=1), X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for epoch, (line, loss) in enumerate(
        zip(lines, est.loss_curve_, strict=True), start=1
    ):
        match = re.fullmatch(rf"Epoch {epoch}: loss=(\S+), (\S+)s", line)
        assert match, line
        assert float(match[1]) == pytest.approx(loss, abs=1e-6)
        assert float(match[2]) >= 0


def test_verbose_tells_when_the_adaptive_rate_comes_down(capsys):
    X, y = _data()
    params = dict(learning_rate="adaptive", tol=10.0, n_iter_no_change=1)
    fit_quietly(TwoLayerClassifier(4, max_iter=5, verbose=1, **params), X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    # A stall after epochs 3 and 5: each divides the rate by 5.
    assert [line.split(":")[0] for line in lines] == [
        "Epoch 1",
        "Epoch 2",
        "Epoch 3",
        "Learning rate divided by 5",
        "Epoch 4",
        "Epoch 5",
        "Learning rate divided by 5",
    ]
    assert lines[3].endswith(": 0.02") and lines[6].endswith(": 0.004")


def test_verbose_with_validation_data_prints_its_score_and_loss(capsys):
    X, y = _data()
    est = fit_quietly(
        TwoLayerClassifier(4, max_iter=2, verbose=True), X, y, X_val=X, y_val=y
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    pattern = (
        r"Epoch (\d+): loss=(\S+), validation score=(\S+), "
        r"validation loss=(\S+), (\S+)s"
    )
    for i, line in enumerate(lines):
        match = re.fullmatch(pattern, line)
        assert match, line
        assert int(match[1]) == i + 1
        assert float(match[3]) == pytest.approx(est.validation_scores_[i], abs=1e-6)
        assert float(match[4]) == pytest.approx(est.validation_loss_curve_[i], abs=1e-6)


def test_silent_by_default(capsys):
    X, y = _data()
    fit_quietly(TwoLayerClassifier(4, max_iter=2), X, y)
    assert capsys.readouterr().out == ""


# ----------------------------------------------------------------------- Ctrl-C


def _assert_consistent(est, n_iter, n_samples, X, y):
    assert est.n_iter_ == n_iter
    assert len(est.loss_curve_) == n_iter
    assert est.loss_ == est.loss_curve_[-1]
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.t_ == n_iter * n_samples
    assert est.predict(X).shape == y.shape


@pytest.mark.parametrize(
    "optimiser",
    [
        dict(momentum=0.9),
        dict(solver="adam", alpha=0.01),
        dict(learning_rate="invscaling", momentum=0.5, nesterovs_momentum=True),
    ],
    ids=["momentum", "adam", "invscaling-nesterov"],
)
def test_ctrl_c_in_a_step_keeps_the_last_finished_epoch(faults, optimiser):
    X, y = _data(3, n_samples=100)
    params = dict(hidden_size=5, batch_size=20, random_state=0, **optimiser)
    # Five batches per epoch: the 13th step is in the third epoch.
    faults.fail(KeyboardInterrupt, at=13)
    est = TwoLayerClassifier(max_iter=10, **params)
    with pytest.warns(
        UserWarning, match=r"interrupted.*last finished epoch \(2"
    ) as record:
        est.fit(X, y)
    assert record[0].filename == __file__
    faults.disarm()
    _assert_consistent(est, 2, len(X), X, y)
    two_epochs = fit_quietly(TwoLayerClassifier(max_iter=2, **params), X, y)
    assert_same_weights(est, two_epochs)
    assert_same_state(
        {"state": two_epochs._optimizer_state}, {"state": est._optimizer_state}
    )
    # Its optimiser is that of the end of epoch 2: a warm start continues from it.
    est.set_params(warm_start=True, max_iter=1)
    two_epochs.set_params(warm_start=True, max_iter=1)
    fit_quietly(est, X, y)
    fit_quietly(two_epochs, X, y)
    assert_same_weights(est, two_epochs)


def test_ctrl_c_with_early_stopping_keeps_consistent_validation_curves(faults):
    X, y = _blobs(n_samples=200)
    faults.fail(KeyboardInterrupt, at=4)  # one batch per epoch: during epoch 4
    est = TwoLayerClassifier(4, early_stopping=True, random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        est.fit(X, y)
    faults.disarm()
    _assert_consistent(est, 3, 180, X, y)
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == 3
    assert est.best_validation_score_ == max(est.validation_scores_)


def test_ctrl_c_in_a_warm_started_fit_keeps_the_earlier_curve(faults):
    X, y = _data(n_samples=60)
    est = fit_quietly(
        TwoLayerClassifier(4, batch_size=30, max_iter=3, warm_start=True), X, y
    )
    faults.fail(KeyboardInterrupt, at=4)  # two batches per epoch: during epoch 2
    with pytest.warns(UserWarning, match=r"interrupted.*\(1 in this call\)"):
        est.fit(X, y)
    faults.disarm()
    assert est.n_iter_ == 1
    assert len(est.loss_curve_) == 3 + 1
    assert est.t_ == 4 * len(X)
    assert est.predict(X).shape == y.shape


def test_ctrl_c_in_the_first_epoch_leaves_the_estimator_unchanged(faults):
    X, y = _data()
    faults.fail(KeyboardInterrupt, at=1)
    est = TwoLayerClassifier(4)
    with pytest.warns(UserWarning, match="interrupted before the end of its first"):
        est.fit(X, y)
    assert_same_state(vars(TwoLayerClassifier(4)), state_of(est))

    faults.disarm()
    est.partial_fit(X, y, classes=[0, 1])
    before = state_of(est)
    faults.fail(KeyboardInterrupt, at=1)
    with pytest.warns(UserWarning, match="estimator is unchanged"):
        est.partial_fit(X, y)
    assert_same_state(before, state_of(est))


@needs_callbacks
def test_ctrl_c_from_a_callback_leaves_a_usable_model():
    X, y = _blobs(n_samples=150)
    stopper = _StopAfter(3, error=KeyboardInterrupt())
    est = TwoLayerClassifier(4, max_iter=20, random_state=0).set_callbacks(stopper)
    with pytest.warns(UserWarning, match="interrupted"):
        est.fit(X, y)
    # The interrupt came while epoch 3 reported its end: epoch 2 is the last one
    # known to have finished.
    _assert_consistent(est, 2, len(X), X, y)
    two_epochs = fit_quietly(TwoLayerClassifier(4, max_iter=2, random_state=0), X, y)
    assert_same_weights(est, two_epochs)
    assert stopper.torn_down
    assert not hasattr(est, "_callback_fit_ctx")


def test_partial_fit_starts_from_weights_set_by_hand_on_a_new_estimator():
    # api.md: users may set W1_, b1_, W2_, b2_ by hand; the first partial_fit
    # then makes one step from them, W -= alpha dJ/dW.
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([0, 1])
    est = TwoLayerClassifier(hidden_size=2, alpha=0.5, shuffle=False)
    est.W1_ = np.array([[0.1, 0.2], [-0.3, 0.4]])
    est.b1_ = np.zeros(2)
    est.W2_ = np.array([[0.5, -0.6]])
    est.b2_ = np.zeros(1)
    start = Params(est.W1_.copy(), est.b1_.copy(), est.W2_.copy(), est.b2_.copy())
    _, grads = loss_and_grads(start, X, y.reshape(-1, 1).astype(float))
    est.partial_fit(X, y, classes=[0, 1])
    for name, p, g in zip(("W1_", "b1_", "W2_", "b2_"), start, grads, strict=True):
        np.testing.assert_allclose(getattr(est, name), p - 0.5 * g, rtol=0, atol=1e-15)


def test_partial_fit_after_a_change_of_hidden_size_says_what_to_do():
    X, y = _data()
    est = TwoLayerClassifier(hidden_size=4).partial_fit(X, y, classes=[0, 1])
    est.set_params(hidden_size=5)
    with pytest.raises(ValueError, match="partial_fit continues the current network"):
        est.partial_fit(X, y)


def test_weights_set_by_hand_do_not_make_a_fitted_model():
    est = TwoLayerClassifier(hidden_size=2)
    est.W1_, est.b1_ = np.zeros((2, 2)), np.zeros(2)
    est.W2_, est.b2_ = np.zeros((1, 2)), np.zeros(1)
    with pytest.raises(NotFittedError):
        est.predict([[0.0, 1.0]])


def test_weights_set_by_hand_with_a_wrong_shape_are_rejected():
    est = TwoLayerClassifier(hidden_size=2)
    est.W1_ = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"W1_ was set to an array of shape \(3, 2\)"):
        est.partial_fit([[0.0, 1.0], [1.0, 0.0]], [0, 1], classes=[0, 1])
