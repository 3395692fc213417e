"""Trajectories of every optimiser against MLPClassifier's, from the same weights.

MLPClassifier with one hidden layer, the logistic (softmax) output and
``shuffle=False`` trains the same network on the same objective as
TwoLayerClassifier: its ``learning_rate_init`` is our ``alpha``, its ``alpha`` our
``l2``. Its own initialisation draws the starting weights; they are set by hand on
ours (``W1_ = coefs_[0].T``, ...), and both train on the same batches. Each schedule
and update rule must then give the same loss curve (rtol 1e-9), the same weights
(rtol 1e-8) and the same epoch count, over several epochs of fit and over a sequence
of partial_fit calls.

warm_start is left out on purpose: a warm-started fit here continues the
optimiser's state (rate, velocity, Adam's moments), where MLPClassifier starts a new
optimiser; ``test_training_controls.py`` checks what ours promises instead.

One convention differs, and is checked as such rather than hidden by a tolerance:
the loss of an epoch. MLPClassifier weighs each batch's objective by its number of
rows, TwoLayerClassifier by its weight sum S (the mean objective over the epoch's
weight). Without sample weights, or with weights that sum to the batch size in
every batch, the two are the same number.
"""

import inspect

import numpy as np
import pytest
from _helpers import make_data
from numpy.testing import assert_allclose
from sklearn.neural_network import MLPClassifier

from sklearn_twolayer import TwoLayerClassifier

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.skipif(
        "sample_weight" not in inspect.signature(MLPClassifier.fit).parameters,
        reason="MLPClassifier takes sample weights, and passes them to the _backprop "
        "that these tests record, from scikit-learn 1.7",
    ),
]

N_SAMPLES, BATCH_SIZE, HIDDEN = 60, 16, 7  # four batches per epoch, the last short
CHUNKS = [slice(0, 40), slice(40, 60), slice(10, 50), slice(0, 60)] * 5


class RecordingMLP(MLPClassifier):
    """MLPClassifier that keeps its starting weights and each batch's objective."""

    def _fit_stochastic(self, *args, **kwargs):
        if not hasattr(self, "initial_"):
            self.initial_ = [p.copy() for p in self.coefs_ + self.intercepts_]
        return super()._fit_stochastic(*args, **kwargs)

    def _backprop(self, X, y, sample_weight, *args):
        loss, *grads = super()._backprop(X, y, sample_weight, *args)
        weight = len(X) if sample_weight is None else float(sample_weight.sum())
        self.__dict__.setdefault("batches_", []).append((loss, len(X), weight))
        return (loss, *grads)


# Our parameters -> MLPClassifier's, for each case; both get shuffle=False, the
# batch size, the hidden layer and the stopping rule on top.
CASES = {
    "constant-momentum": (
        dict(alpha=0.1, momentum=0.9),
        dict(solver="sgd", learning_rate_init=0.1, momentum=0.9),
    ),
    "nesterov": (
        dict(alpha=0.1, momentum=0.9, nesterovs_momentum=True),
        dict(solver="sgd", learning_rate_init=0.1, momentum=0.9),
    ),
    "invscaling": (
        dict(alpha=0.5, learning_rate="invscaling", power_t=0.3),
        dict(
            solver="sgd",
            learning_rate="invscaling",
            learning_rate_init=0.5,
            power_t=0.3,
            momentum=0.0,
        ),
    ),
    "invscaling-momentum-l2": (
        dict(alpha=0.5, learning_rate="invscaling", momentum=0.5, l2=0.1),
        dict(
            solver="sgd",
            learning_rate="invscaling",
            learning_rate_init=0.5,
            momentum=0.5,
            alpha=0.1,
        ),
    ),
    "adaptive": (
        dict(alpha=0.1, learning_rate="adaptive"),
        dict(
            solver="sgd", learning_rate="adaptive", learning_rate_init=0.1, momentum=0
        ),
    ),
    "adaptive-nesterov-l2": (
        dict(
            alpha=0.1,
            learning_rate="adaptive",
            momentum=0.5,
            nesterovs_momentum=True,
            l2=0.05,
        ),
        dict(
            solver="sgd",
            learning_rate="adaptive",
            learning_rate_init=0.1,
            momentum=0.5,
            alpha=0.05,
        ),
    ),
    "adam": (
        dict(alpha=0.01, solver="adam"),
        dict(solver="adam", learning_rate_init=0.01),
    ),
    "adam-betas-l2": (
        dict(alpha=0.01, solver="adam", beta_1=0.5, beta_2=0.9, epsilon=1e-6, l2=0.3),
        dict(
            solver="adam",
            learning_rate_init=0.01,
            beta_1=0.5,
            beta_2=0.9,
            epsilon=1e-6,
            alpha=0.3,
        ),
    ),
}
# Nesterov's momentum is MLPClassifier's default, and classical momentum ours.
for ours, theirs in CASES.values():
    theirs.setdefault("nesterovs_momentum", ours.get("nesterovs_momentum", False))
    theirs.setdefault("alpha", ours.get("l2", 0.0))

# The adaptive schedule divides its rate by 5 at each stall of the loss, and
# stops at the stall that finds it at or below 1e-6: a tol this large makes
# stalls frequent, so that it stops on its own within a few dozen epochs.
STOPPING = dict(tol=1e-4, n_iter_no_change=10)
ADAPTIVE_STOPPING = dict(tol=0.05, n_iter_no_change=2)


def _stopping(case):
    return ADAPTIVE_STOPPING if case.startswith("adaptive") else STOPPING


def _data(n_classes):
    return make_data(n_classes=n_classes, n_samples=N_SAMPLES, n_features=5, seed=3)


def _weights_summing_to_batch_sizes(seed):
    """Uneven sample weights whose sum in every batch is its number of rows."""
    w = np.random.RandomState(seed).uniform(0.1, 3.0, N_SAMPLES)
    for start in range(0, N_SAMPLES, BATCH_SIZE):
        batch = slice(start, start + BATCH_SIZE)
        w[batch] *= len(w[batch]) / w[batch].sum()
    return w


def _pair(case, **common):
    ours, theirs = CASES[case]
    common = dict(batch_size=BATCH_SIZE, shuffle=False, **_stopping(case), **common)
    mlp = RecordingMLP(hidden_layer_sizes=(HIDDEN,), random_state=0, **theirs, **common)
    est = TwoLayerClassifier(HIDDEN, "relu", **ours, **common)
    return est, mlp


def _start_from(est, mlp):
    """Set MLPClassifier's starting weights on ours, in the article's orientation."""
    W1, W2, b1, b2 = mlp.initial_
    est.W1_, est.b1_, est.W2_, est.b2_ = W1.T.copy(), b1.copy(), W2.T.copy(), b2.copy()
    return est


def _assert_same_trajectory(est, mlp, loss_curve=True):
    if loss_curve:
        assert_allclose(est.loss_curve_, mlp.loss_curve_, rtol=1e-9, atol=0)
    for ours, theirs in [
        (est.W1_, mlp.coefs_[0].T),
        (est.b1_, mlp.intercepts_[0]),
        (est.W2_, mlp.coefs_[1].T),
        (est.b2_, mlp.intercepts_[1]),
    ]:
        assert_allclose(ours, theirs, rtol=1e-8, atol=0)
    assert est.t_ == mlp.t_


def _assert_same_rate(est, mlp):
    # The rate that the next step would use: the schedule's, or Adam's step t.
    if est.solver == "adam":
        assert est._optimizer_state["t"] == mlp._optimizer.t
    else:
        assert est._optimizer_state["learning_rate"] == pytest.approx(
            mlp._optimizer.learning_rate, rel=1e-12
        )


def _fit_both(case, n_classes, sample_weight=None, max_iter=8):
    X, y = _data(n_classes)
    est, mlp = _pair(case, max_iter=max_iter)
    mlp.fit(X, y, sample_weight=sample_weight)
    _start_from(est.set_params(warm_start=True), mlp)
    est.fit(X, y, sample_weight=sample_weight)
    return est, mlp


@pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multiclass"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_follows_mlp_classifier(case, n_classes):
    adaptive = case.startswith("adaptive")
    est, mlp = _fit_both(case, n_classes, max_iter=300 if adaptive else 8)
    _assert_same_trajectory(est, mlp)
    _assert_same_rate(est, mlp)
    assert est.n_iter_ == mlp.n_iter_
    if adaptive:
        # It stopped on its own, having divided the rate down to 1e-6.
        assert est.n_iter_ < 300
        assert est._optimizer_state["learning_rate"] <= 1e-6
    else:
        assert est.n_iter_ == 8


@pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multiclass"])
@pytest.mark.parametrize(
    "case", ["adam", "adam-betas-l2", "invscaling-momentum-l2", "adaptive"]
)
def test_fit_with_sample_weights_follows_mlp_classifier(case, n_classes):
    max_iter = 300 if case == "adaptive" else 8
    sample_weight = _weights_summing_to_batch_sizes(seed=n_classes)
    est, mlp = _fit_both(case, n_classes, sample_weight, max_iter=max_iter)
    _assert_same_trajectory(est, mlp)
    assert est.n_iter_ == mlp.n_iter_


@pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multiclass"])
def test_epoch_loss_conventions_with_uneven_batch_weights(n_classes):
    # Weights whose sums differ from batch to batch: the weights still follow
    # MLPClassifier's, and each loss curve is its own weighting of the same
    # batch objectives.
    sample_weight = np.random.RandomState(0).uniform(0.1, 3.0, N_SAMPLES)
    est, mlp = _fit_both("adam-betas-l2", n_classes, sample_weight)
    _assert_same_trajectory(est, mlp, loss_curve=False)

    epochs = np.array(mlp.batches_).reshape(mlp.n_iter_, -1, 3)
    J, rows, weight = epochs[..., 0], epochs[..., 1], epochs[..., 2]
    assert_allclose(mlp.loss_curve_, (J * rows).sum(1) / rows.sum(1), rtol=1e-12)
    ours = (J * weight).sum(1) / weight.sum(1)
    assert_allclose(est.loss_curve_, ours, rtol=1e-9, atol=0)
    # The two conventions do differ here, by far more than the tolerance.
    assert not np.allclose(ours, mlp.loss_curve_, rtol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multiclass"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_partial_fit_calls_follow_mlp_classifier(case, n_classes):
    X, y = _data(n_classes)
    classes = np.unique(y)
    est, mlp = _pair(case)
    for chunk in CHUNKS:
        mlp.partial_fit(X[chunk], y[chunk], classes=classes)
    _start_from(est, mlp)
    for chunk in CHUNKS:
        est.partial_fit(X[chunk], y[chunk], classes=classes)
    _assert_same_trajectory(est, mlp)
    _assert_same_rate(est, mlp)
    if case.startswith("adaptive"):
        # The loss stalled over calls, and the rate came down as it did in
        # MLPClassifier: the stopping rule's count carries over partial_fit calls.
        assert est._optimizer_state["learning_rate"] < est.alpha


def test_partial_fit_with_sample_weights_follows_mlp_classifier():
    X, y = _data(3)
    classes = np.unique(y)
    sample_weight = _weights_summing_to_batch_sizes(seed=5)
    est, mlp = _pair("adam-betas-l2")
    # Chunks of whole batches, so that each batch's weights sum to its rows.
    chunks = [slice(0, 32), slice(32, 60), slice(16, 48)] * 2
    for chunk in chunks:
        mlp.partial_fit(X[chunk], y[chunk], sample_weight[chunk], classes=classes)
    _start_from(est, mlp)
    for chunk in chunks:
        est.partial_fit(X[chunk], y[chunk], classes, sample_weight[chunk])
    _assert_same_trajectory(est, mlp)


def test_mlp_classifier_starts_from_the_weights_recorded():
    # The oracle's premise: the recorded weights are those MLPClassifier's own
    # initialisation drew, before any step.
    X, y = _data(2)
    _, mlp = _pair("adam", max_iter=1)
    mlp.fit(X, y)
    fresh = MLPClassifier(hidden_layer_sizes=(HIDDEN,), random_state=0)
    fresh._random_state = np.random.RandomState(0)
    W1, b1 = fresh._init_coef(X.shape[1], HIDDEN, X.dtype)
    W2, b2 = fresh._init_coef(HIDDEN, 1, X.dtype)
    for recorded, drawn in zip(mlp.initial_, [W1, W2, b1, b2], strict=True):
        np.testing.assert_array_equal(recorded, drawn)
