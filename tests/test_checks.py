"""Tests of the input checks of :mod:`sklearn_twolayer._checks` on their own.

The estimator-level tables of ``test_robustness.py`` feed bad input through fit;
here each check is called alone, with what it returns on good input.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_twolayer import _checks
from sklearn_twolayer._network import Params, init_params


def test_bools_are_not_sizes():
    _checks.check_not_bool({"hidden_size": 3, "max_iter": np.inf})
    with pytest.raises(TypeError, match=r"'max_iter' parameter .* not a bool"):
        _checks.check_not_bool({"hidden_size": 3, "max_iter": True})


def test_classes_are_needed_unless_y_is_an_indicator():
    _checks.check_classes_given(None, np.array([[0, 1], [1, 1]]))
    _checks.check_classes_given([0, 1], np.array([0, 1]))
    with pytest.raises(ValueError, match="classes must be passed on the first"):
        _checks.check_classes_given(None, np.array([0, 1]))


@pytest.mark.parametrize(
    "y, classes, kind, expected",
    [
        (np.array(["b", "a", "b"]), None, "binary", ["a", "b"]),
        (np.array([2, 0, 1, 2]), None, "multiclass", [0, 1, 2]),
        # partial_fit's classes fix the layout, sorted, whatever this chunk holds.
        (np.array([3, 3, 1]), [3, 1, 7], "multiclass", [1, 3, 7]),
        (np.array([[0, 1, 1], [1, 0, 1]]), None, "multilabel-indicator", [0, 1, 2]),
    ],
)
def test_targets_give_the_kind_and_the_sorted_classes(y, classes, kind, expected):
    found_kind, found = _checks.check_targets(y, classes, incremental=True)
    assert found_kind == kind
    assert_array_equal(found, expected)


@pytest.mark.parametrize(
    "y, incremental, message",
    [
        (np.array([0, 1, 5]), True, r"labels \[5\] that are not in classes_"),
        (np.array([0, 1, 2, 2]), False, "warm_start can only continue"),
        (np.array([[0, 1], [1, 0]]), True, "The target changed"),
    ],
)
def test_targets_must_fit_the_network_they_continue(y, incremental, message):
    fitted = ("multiclass", np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=message):
        _checks.check_targets(y, fitted=fitted, incremental=incremental)


def test_continued_targets_keep_the_fitted_kind_and_classes():
    fitted = ("multiclass", np.array([0, 1, 2]))
    kind, classes = _checks.check_targets(
        np.array([0, 2]), fitted=fitted, incremental=True
    )
    assert kind == "multiclass"
    assert classes is fitted[1]


@pytest.mark.parametrize(
    "y, shown", [(np.ones(4, dtype=np.int64), ": 1."), (np.array(["a", "a"]), ": 'a'.")]
)
def test_a_single_class_is_named_as_python_prints_it(y, shown):
    with pytest.raises(ValueError, match="only one class") as raised:
        _checks.check_targets(y)
    assert str(raised.value).endswith(shown)


def test_mixed_label_types_are_named():
    with pytest.raises(ValueError, match=r"mixes string labels .*\(int\)"):
        _checks.check_targets(np.array(["a", 1, "b"], dtype=object))


def test_sample_weight_is_validated_in_the_dtype_of_X():
    X = np.zeros((3, 2), dtype=np.float32)
    assert _checks.check_sample_weight(None, X) is None
    w = _checks.check_sample_weight([1, 0, 2], X)
    assert w.dtype == np.float32
    # scikit-learn's own check or ours, whichever comes first.
    with pytest.raises(ValueError, match="at least one"):
        _checks.check_sample_weight([0, 0, 0], X)


def test_weight_sums_must_be_positive_and_finite():
    _checks.check_weight_sum(np.array([0.0, 1.0]), "training rows")
    with pytest.raises(ValueError, match="weights of all training rows are zero"):
        _checks.check_weight_sum(np.zeros(2), "training rows")
    big = np.full(2, np.finfo(np.float32).max, dtype=np.float32)
    with pytest.raises(ValueError, match="sum to more than float32 can hold"):
        _checks.check_weight_sum(big, "validation rows")


def test_validation_data_comes_whole():
    assert (
        _checks.check_validation_data(None, None, None, None, dtype=None, kind="")
        is None
    )
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        _checks.check_validation_data(None, [[0.0]], None, None, dtype=None, kind="")
    with pytest.raises(ValueError, match="sample_weight_val was given without"):
        _checks.check_validation_data(None, None, None, [1.0], dtype=None, kind="")


def drawn():
    return init_params(2, 3, 1, "relu", np.random.RandomState(0), np.float32)


def test_weights_set_by_hand_are_copied_to_the_dtype_of_the_data():
    values = [np.ones((3, 2)), [0.0, 0.0, 0.0], np.ones((1, 3)), [0.5]]
    params = _checks.check_hand_set_params(values, drawn())
    assert isinstance(params, Params)
    assert all(p.dtype == np.float32 for p in params)
    assert_array_equal(params.b2, [0.5])


@pytest.mark.parametrize(
    "index, value, message",
    [
        (0, np.ones((2, 3)), r"W1_ was set to an array of shape \(2, 3\), but this "),
        (3, [np.nan], "b2_ contains NaN or infinity"),
    ],
)
def test_weights_set_by_hand_are_checked(index, value, message):
    values = list(drawn())
    values[index] = value
    with pytest.raises(ValueError, match=message):
        _checks.check_hand_set_params(values, drawn())


@pytest.mark.parametrize(
    "incremental, advice",
    [(True, "partial_fit continues the current network"), (False, "warm_start=False")],
)
def test_fitted_shapes_say_what_to_do(incremental, advice):
    params = drawn()
    shapes = [p.shape for p in params]
    _checks.check_fitted_shapes(params, shapes, 3, incremental)
    shapes[2] = (1, 4)
    with pytest.raises(ValueError, match=rf"W2_ has shape .*hidden_size=4.*{advice}"):
        _checks.check_fitted_shapes(params, shapes, 4, incremental)


def test_fitted_params_must_agree_with_each_other():
    params = drawn()
    assert _checks.check_fitted_params(params, 2, 1) is params
    message = r"W2_ has shape \(1, 3\), but the other fitted attributes need \(3, 3\)"
    with pytest.raises(ValueError, match=message):
        _checks.check_fitted_params(params, 2, 3)


def test_logits_that_overflowed_are_reported_by_row():
    Z2 = np.array([[0.5], [np.inf], [np.nan]])
    with pytest.raises(ValueError, match=r"overflow for 2 of the 3 rows .*row 1\)"):
        _checks.check_logits(Z2, drawn())
    finite = np.zeros((2, 1))
    assert _checks.check_logits(finite, drawn()) is finite
