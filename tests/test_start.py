"""Tests of :mod:`sklearn_twolayer._start`: the state a training call starts from."""

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import training_settings
from numpy.testing import assert_array_equal

from sklearn_twolayer._network import init_params
from sklearn_twolayer._start import fitted_state, new_state

SETTINGS = training_settings()


def test_new_weights_are_drawn_in_the_layout_of_training():
    X = np.ones((4, 3), dtype=np.float32)
    random_state = np.random.RandomState(0)
    state = new_state(X, 5, "relu", 2, random_state)
    expected = init_params(3, 5, 2, "relu", np.random.RandomState(0), np.float32)
    for p, q in zip(state.params, expected, strict=True):
        assert p.dtype == np.float32
        assert_array_equal(p, q)
    assert state.params.W1.flags.f_contiguous and state.params.W2.flags.f_contiguous
    assert state.loss_curve == [] and state.t == 0


def test_weights_set_by_hand_replace_the_drawn_ones_after_the_same_draws():
    X = np.ones((4, 3))
    drawn, by_hand = np.random.RandomState(0), np.random.RandomState(0)
    state = new_state(X, 5, "relu", 1, by_hand, {"W1_": np.zeros((5, 3)).tolist()})
    expected = init_params(3, 5, 1, "relu", drawn, np.float64)
    assert_array_equal(state.params.W1, np.zeros((5, 3)))
    assert_array_equal(state.params.b2, expected.b2)
    # The draws that follow (the seed of the shuffles) do not depend on the hand.
    assert by_hand.randint(100) == drawn.randint(100)


@pytest.mark.parametrize(
    "incremental, advice",
    [(True, "partial_fit continues"), (False, "warm_start=False")],
)
def test_fitted_weights_must_fit_hidden_size(incremental, advice):
    X = np.ones((4, 3))
    fitted = init_params(3, 5, 1, "relu", np.random.RandomState(0), np.float64, "F")
    args = (None, [0.5], 4, X, SETTINGS)
    with pytest.raises(ValueError, match=rf"W1_ has shape \(5, 3\), .*{advice}"):
        fitted_state(fitted, (6, 3, 1), *args, incremental=incremental)


def test_fitted_weights_are_copied_unless_trained_in_place():
    X = sp.csr_matrix(np.eye(4, 12))
    fitted = init_params(12, 5, 1, "relu", np.random.RandomState(0), np.float64, "F")
    args = (fitted, (5, 12, 1), None, [0.5], 4, X)
    state = fitted_state(*args, SETTINGS, no_improvement_count=2, incremental=True)
    assert state.params.W1 is fitted.W1 and state.rollback is not None
    assert state.no_improvement_count == 2 and state.loss_curve == [0.5]
    momentum = dataclasses.replace(SETTINGS, momentum=0.5)
    state = fitted_state(*args, momentum, incremental=True)
    assert state.params.W1 is not fitted.W1 and state.rollback is None
