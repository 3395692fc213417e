"""Tests of the training call of :mod:`sklearn_twolayer._training` on its own.

Training takes validated arrays and a plain Settings object and returns a Result:
these tests build both by hand, without an estimator, and check the loop against
the steps it is made of, the stopping rule, Ctrl-C, divergence, W1 trained in place,
and that the training modules never reach back into the estimator.
"""

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import make_data, training_settings
from numpy.testing import assert_array_equal

import sklearn_twolayer
from sklearn_twolayer._holdout import Validation
from sklearn_twolayer._kernels import Buffers, flat_params, row_indices, shared_base
from sklearn_twolayer._network import Params, init_params, loss_and_grads
from sklearn_twolayer._optimizer import GradientDescent
from sklearn_twolayer._targets import Layout, TrainingTargets, encode
from sklearn_twolayer._training import State, resume, train

SETTINGS = training_settings(
    activation="tanh", alpha=0.2, max_epochs=3, seed=7, n_iter_no_change=10**6
)


def problem(n_samples=64, sparse=False, seed=0):
    """Training arrays of a binary problem and new weights in training's layout."""
    X, y = make_data(n_samples=n_samples, n_features=5, seed=seed)
    if sparse:
        X = sp.csr_matrix(np.where(X > 0.5, X, 0.0))
    classes = np.array([0, 1])
    targets = TrainingTargets(y, classes, "binary", np.float64)
    params = init_params(5, 6, 1, "tanh", np.random.RandomState(seed), np.float64, "F")
    return X, y, targets, params


def copy(params):
    return Params(*(p.copy(order="K") for p in params))


def assert_same_result(result, expected):
    """The same parameters, curve, row count and optimiser state, exactly."""
    for a, b in zip(result.params, expected.params, strict=True):
        assert_array_equal(a, b)
    assert result.loss_curve == expected.loss_curve
    assert result.t == expected.t
    assert result.optimizer_state.keys() == expected.optimizer_state.keys()
    for key, value in expected.optimizer_state.items():
        if isinstance(value, list):
            for a, b in zip(result.optimizer_state[key], value, strict=True):
                assert_array_equal(a, b)
        else:
            assert result.optimizer_state[key] == value


def run(X, targets, params, settings=SETTINGS, **kwargs):
    return train(
        State(copy(params)), X, targets, None, row_indices(X), settings, **kwargs
    )


def test_result_counts_the_epochs_and_rows():
    X, _, targets, params = problem()
    result = run(X, targets, params)
    assert result.stop == "max_epochs"
    assert result.n_iter == 3
    assert result.t == 3 * len(X)
    assert len(result.loss_curve) == 3
    assert all(type(v) is float for v in result.loss_curve)
    assert result.validation_scores == result.validation_loss_curve == []
    # Training's layout: W1 and W2 in Fortran order, as the fitted attributes.
    assert result.params.W1.flags.f_contiguous and result.params.W2.flags.f_contiguous
    assert not np.array_equal(result.params.W1, params.W1)


def test_an_epoch_is_the_steps_of_its_batches():
    # Without shuffling, an epoch of the loop is the article's step on each batch
    # of consecutive rows, bit for bit.
    X, y, targets, params = problem(n_samples=40)
    settings = dataclasses.replace(SETTINGS, shuffle=False, max_epochs=2)
    result = run(X, targets, params, settings)

    by_hand = Params(*(np.array(p) for p in params))
    Y = encode(y, np.array([0, 1]), "binary", np.float64)
    optimizer = GradientDescent(settings.alpha)
    curve = []
    for _ in range(2):
        losses = []
        for start in range(0, 40, 16):
            batch = slice(start, start + 16)
            J, grads = loss_and_grads(
                by_hand, X[batch], Y[batch], None, 0.0, "tanh", "logistic"
            )
            optimizer.step(by_hand, grads)
            losses.append((J, len(X[batch])))
        curve.append(sum(J * m for J, m in losses) / 40)
    for name, a, b in zip(Params._fields, result.params, by_hand, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15, err_msg=name)
    np.testing.assert_allclose(result.loss_curve, curve, rtol=1e-14)


OPTIMISERS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "invscaling-nesterov": {
        "learning_rate": "invscaling",
        "momentum": 0.5,
        "nesterovs_momentum": True,
    },
    "adam": {"solver": "adam", "alpha": 0.01, "beta_1": 0.5},
}


@pytest.mark.parametrize("optimiser", OPTIMISERS.values(), ids=OPTIMISERS.keys())
@pytest.mark.parametrize("sparse", [False, True])
def test_two_calls_of_one_epoch_equal_one_call_of_two(sparse, optimiser):
    # Each epoch's shuffle depends on the seed and the epoch's index alone, so a
    # call that resumes a state, the optimiser's included, continues the same
    # sequence of batches and steps.
    X, _, targets, params = problem(sparse=sparse)
    settings = dataclasses.replace(SETTINGS, **optimiser)
    two = run(X, targets, params, dataclasses.replace(settings, max_epochs=2))

    one = dataclasses.replace(settings, max_epochs=1)
    first = run(X, targets, params, one)
    state = resume(
        first.params, first.optimizer_state, first.loss_curve, first.t, X, one
    )
    second = train(state, X, targets, None, row_indices(X), one)

    assert_same_result(second, two)


def test_optimiser_state_is_laid_out_like_the_params():
    # The moments of Adam share one 1-D base, as the parameters do on dense
    # rows, so that each step runs over whole arrays; a state resumed from
    # separate arrays (as unpickled) is laid out so again.
    X, _, targets, params = problem()
    settings = dataclasses.replace(SETTINGS, **OPTIMISERS["adam"])
    result = run(X, targets, params, settings)
    for key in ("ms", "vs"):
        assert shared_base(result.optimizer_state[key]) is not None
    apart = {
        **result.optimizer_state,
        "ms": [np.array(a) for a in result.optimizer_state["ms"]],
        "vs": [np.array(a) for a in result.optimizer_state["vs"]],
    }
    state = resume(result.params, apart, result.loss_curve, result.t, X, settings)
    again = train(state, X, targets, None, row_indices(X), settings)
    for key in ("ms", "vs"):
        assert shared_base(again.optimizer_state[key]) is not None


def test_adaptive_stalls_lower_the_rate_until_it_stops():
    X, _, targets, params = problem()
    settings = dataclasses.replace(
        SETTINGS,
        learning_rate="adaptive",
        max_epochs=100,
        tol=10.0,
        n_iter_no_change=1,
    )
    result = run(X, targets, params, settings)
    # A stall every second epoch from the third: each divides the rate by 5,
    # and the ninth finds it at 0.2 / 5**8 <= 1e-6, and stops.
    assert result.stop == "no_improvement"
    assert result.n_iter == 19
    assert result.optimizer_state["learning_rate"] == pytest.approx(0.2 / 5**8)
    # Any other schedule stops at the first stall.
    constant = dataclasses.replace(settings, learning_rate="constant")
    assert run(X, targets, params, constant).n_iter == 3


def test_the_stopping_rule_ends_the_call():
    X, _, targets, params = problem()
    settings = dataclasses.replace(
        SETTINGS, max_epochs=50, tol=10.0, n_iter_no_change=2
    )
    result = run(X, targets, params, settings)
    # The first epoch improves on nothing; the next three fail to improve by tol.
    assert result.stop == "no_improvement"
    assert result.n_iter == 4


class Hooks:
    """Epoch hooks that ask to stop, or raise, at a given epoch."""

    def __init__(self, stop_at=None, raise_at=None, error=KeyboardInterrupt):
        self.stop_at, self.raise_at, self.error = stop_at, raise_at, error
        self.begun = self.ended = 0

    def begin_epoch(self):
        self.begun += 1
        if self.begun == self.raise_at:
            raise self.error

    def end_epoch(self, params):
        self.ended += 1
        return self.ended == self.stop_at


def test_a_callback_can_end_the_call():
    X, _, targets, params = problem()
    hooks = Hooks(stop_at=2)
    result = run(X, targets, params, callbacks=hooks)
    assert result.stop == "callback"
    assert result.n_iter == 2
    assert hooks.begun == hooks.ended == 2


def test_ctrl_c_returns_the_last_finished_epoch():
    X, _, targets, params = problem()
    interrupted = run(X, targets, params, callbacks=Hooks(raise_at=3))
    two = run(X, targets, params, dataclasses.replace(SETTINGS, max_epochs=2))

    assert interrupted.stop == "interrupted"
    assert interrupted.n_iter == 2
    assert interrupted.t == two.t
    assert interrupted.loss_curve == two.loss_curve
    for a, b in zip(interrupted.params, two.params, strict=True):
        assert_array_equal(a, b)
        # Copies of the weights keep the memory order of training's.
        assert a.flags.f_contiguous == b.flags.f_contiguous


@pytest.mark.parametrize("optimiser", OPTIMISERS.values(), ids=OPTIMISERS.keys())
def test_ctrl_c_after_many_epochs_returns_the_last_one_whole(optimiser):
    # From the third epoch on, each snapshot is written into the one before
    # last: the result must still be the state of the last finished epoch.
    X, _, targets, params = problem()
    settings = dataclasses.replace(SETTINGS, max_epochs=10, **optimiser)
    interrupted = run(X, targets, params, settings, callbacks=Hooks(raise_at=6))
    five = run(X, targets, params, dataclasses.replace(settings, max_epochs=5))
    assert interrupted.n_iter == 5
    assert_same_result(interrupted, five)


def test_ctrl_c_in_the_first_epoch_keeps_nothing():
    X, _, targets, params = problem()
    result = run(X, targets, params, callbacks=Hooks(raise_at=1))
    assert result.stop == "interrupted"
    assert result.n_iter == 0
    assert result.params is None


def test_other_errors_propagate():
    X, _, targets, params = problem()
    with pytest.raises(MemoryError):
        run(X, targets, params, callbacks=Hooks(raise_at=2, error=MemoryError))


def test_divergence_raises_naming_the_epoch():
    X, _, targets, params = problem()
    settings = dataclasses.replace(SETTINGS, activation="identity", alpha=1e300)
    with pytest.raises(ValueError, match=r"non-finite \(.*\) at epoch 1:"):
        run(X, targets, params, settings)


def test_weights_that_were_not_finite_are_named_rather_than_a_divergence():
    X, _, targets, params = problem()
    params.W2[0, 0] = np.nan
    state = resume(params, None, [0.5], 64, X, SETTINGS)
    with pytest.raises(ValueError, match="W2_ contains NaN or infinity, so training"):
        train(state, X, targets, None, row_indices(X), SETTINGS)


def wide_sparse_problem():
    """Sparse rows that reach only the first 10 of 60 columns of W1."""
    reached = sp.random(40, 10, density=0.3, format="csr", random_state=0)
    X = sp.hstack([reached, sp.csr_matrix((40, 50))], format="csr")
    y = np.arange(40) % 2
    targets = TrainingTargets(y, np.array([0, 1]), "binary", np.float64)
    params = init_params(60, 4, 1, "relu", np.random.RandomState(0), np.float64, "F")
    return X, targets, params


def test_w1_is_trained_in_place_on_the_columns_the_rows_reach():
    X, targets, params = wide_sparse_problem()
    fitted = copy(params)
    one = dataclasses.replace(SETTINGS, max_epochs=1)
    state = resume(fitted, None, [], 0, X, one, in_place=True)
    assert state.params.W1 is fitted.W1
    assert_array_equal(state.rollback.columns, np.unique(X.indices))

    result = train(state, X, targets, None, row_indices(X), one)

    assert result.params.W1 is fitted.W1
    assert not np.array_equal(fitted.W1[:, :10], params.W1[:, :10])
    assert_array_equal(fitted.W1[:, 10:], params.W1[:, 10:])
    # The rollback puts the trained columns back.
    state.rollback.restore()
    assert_array_equal(fitted.W1, params.W1)


@pytest.mark.parametrize(
    "change",
    [{"momentum": 0.5}, {"l2": 0.1}, {"solver": "adam"}],
    ids=["momentum", "l2", "adam"],
)
def test_w1_is_copied_where_a_step_may_change_every_column(change):
    X, _, params = wide_sparse_problem()
    settings = dataclasses.replace(SETTINGS, **change)
    state = resume(params, None, [], 0, X, settings, in_place=True)
    assert state.rollback is None
    assert state.params.W1 is not params.W1


def test_a_divergence_names_the_update_rule():
    X, _, targets, params = problem()
    settings = dataclasses.replace(
        SETTINGS, activation="identity", solver="adam", alpha=1e300
    )
    with pytest.raises(ValueError, match=r"at epoch 1: Adam diverged\."):
        run(X, targets, params, settings)


def test_diverging_in_place_puts_w1_back():
    X, targets, params = wide_sparse_problem()
    fitted = copy(params)
    one = dataclasses.replace(SETTINGS, max_epochs=1, alpha=1e300)
    state = resume(fitted, None, [0.7], 40, 1e300 * X, one, in_place=True)
    with pytest.raises(ValueError, match="gradient descent diverged"):
        train(state, 1e300 * X, targets, None, row_indices(X), one)
    assert_array_equal(fitted.W1, params.W1)


@pytest.mark.parametrize("sparse", [False, True])
def test_early_stopping_keeps_the_best_epoch_in_training_layout(sparse):
    X, y, targets, params = problem(n_samples=80, sparse=sparse)
    rows = row_indices(X)
    train_rows, val_rows = rows[:60], rows[60:]
    layout = Layout.of("binary", np.array([0, 1]), "softmax")
    val = Validation(
        X[val_rows],
        y[val_rows],
        encode(y[val_rows], layout.classes, "binary", np.float64),
        None,
        layout,
        stop_early=True,
    )
    settings = dataclasses.replace(SETTINGS, max_epochs=8, n_iter_no_change=1)
    result = train(State(copy(params)), X, targets, None, train_rows, settings, val)

    assert len(result.validation_scores) == result.n_iter
    assert len(result.validation_loss_curve) == result.n_iter
    assert result.params.W1.flags.f_contiguous
    assert result.params.W2.flags.f_contiguous


def test_training_modules_never_import_the_estimator():
    # The training call, the math, the kernels and every other module below the
    # estimator work on plain values: none imports the estimator's module, or
    # the package that exports it.
    package = Path(sklearn_twolayer.__file__).parent
    # Every module but the estimator's and the package's own.
    modules = sorted(
        path.stem
        for path in package.glob("_*.py")
        if path.stem not in ("__init__", "_classifier")
    )
    assert {"_training", "_network", "_kernels", "_start"} <= set(modules)
    for module in modules:
        tree = ast.parse((package / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
                assert "_classifier" not in names, module
                assert node.module != "sklearn_twolayer", module
            elif isinstance(node, ast.Import):
                assert all(
                    not alias.name.startswith("sklearn_twolayer")
                    for alias in node.names
                ), module


def test_buffers_follow_the_training_layout():
    # The gradient buffers are laid out like the flat parameters of training, so
    # that an update is one operation on each of their shared arrays.
    _, _, _, params = problem()
    params = flat_params(params)
    buffers = Buffers(16, params)
    assert shared_base(buffers.grads).size == shared_base(params).size
    for p, g in zip(params, buffers.grads, strict=True):
        assert g.shape == p.shape and g.strides == p.strides
