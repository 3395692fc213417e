"""Tests of the objective of :mod:`sklearn_twolayer._losses`."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_twolayer._losses import cross_entropy, l2_penalty, objective


def _problem(out_activation, seed=0, m=7, K=3):
    rng = np.random.default_rng(seed)
    Z2 = rng.normal(scale=3, size=(m, K))
    if out_activation == "softmax":
        Y = np.eye(K)[rng.integers(0, K, size=m)]
    else:
        Y = rng.integers(0, 2, size=(m, K)).astype(np.float64)
    return Z2, Y


def _naive_cross_entropy(Z2, Y, out_activation):
    """Cross-entropy from explicit probabilities, as the formulas are written."""
    if out_activation == "softmax":
        E = np.exp(Z2)
        A2 = E / E.sum(axis=1, keepdims=True)
        return -(Y * np.log(A2)).sum(axis=1)
    A2 = 1 / (1 + np.exp(-Z2))
    return (-Y * np.log(A2) - (1 - Y) * np.log(1 - A2)).sum(axis=1)


@pytest.mark.parametrize("out_activation", ["logistic", "softmax"])
def test_cross_entropy_matches_naive_formula(out_activation):
    Z2, Y = _problem(out_activation)

    loss = cross_entropy(Z2, Y, out_activation)

    assert loss.shape == (Z2.shape[0],)
    # The naive formula loses digits where a probability is near 1 (log(1 - a)
    # with a rounded); 1e-12 allows for that at these moderate logits.
    assert_allclose(loss, _naive_cross_entropy(Z2, Y, out_activation), rtol=1e-12)


def test_binary_cross_entropy_is_softmax_over_two_units():
    # sigma(z) is the softmax of (0, z), so the losses agree.
    z = np.linspace(-30, 30, 61).reshape(-1, 1)
    y = (np.arange(61) % 2).reshape(-1, 1).astype(np.float64)

    binary = cross_entropy(z, y, "logistic")
    two_units = cross_entropy(
        np.hstack([np.zeros_like(z), z]), np.hstack([1 - y, y]), "softmax"
    )

    # A loss computed as softplus(z) - y z is a difference of terms of size |z|: its
    # rounding error is a few units in the last place of |z|, however small the
    # loss (3.6e-15 at |z| = 30 on a loss of 1e-13).
    bound = 1e-13 * np.abs(two_units) + 4 * np.spacing(np.abs(z[:, 0]))
    assert (np.abs(binary - two_units) <= bound).all()
    # Where the loss is not small, the agreement is relative.
    large = two_units > 0.1
    assert_allclose(binary[large], two_units[large], rtol=1e-13)


@pytest.mark.parametrize("units", [1, 3], ids=["one unit", "several units"])
def test_sigmoid_cross_entropy_keeps_relative_precision_of_small_losses(units):
    # For y = 1 the loss is log(1 + e^-z), for y = 0 it is log(1 + e^z); a correct,
    # confident unit has a tiny loss that must not drown in the rounding of |z|.
    # One unit and several take different code paths.
    z = np.linspace(-30, 30, 61)
    y = (np.arange(61) % 2).astype(np.float64)
    expected = [
        math.log1p(math.exp(-zi)) if yi == 1 else math.log1p(math.exp(zi))
        for zi, yi in zip(z, y, strict=True)
    ]
    Z2 = np.repeat(z.reshape(-1, 1), units, axis=1)
    Y = np.repeat(y.reshape(-1, 1), units, axis=1)
    loss = cross_entropy(Z2, Y, "logistic")
    assert_allclose(loss, units * np.array(expected), rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_is_finite_at_extreme_logits(dtype):
    z = 1e4
    Z2 = np.array([[z, -z, 0.0], [z, -z, 0.0], [-z, -z, -z]], dtype=dtype)
    Y_logistic = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0]], dtype=dtype)
    Y_softmax = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=dtype)

    with np.errstate(over="raise", divide="raise", invalid="raise"):
        logistic = cross_entropy(Z2, Y_logistic, "logistic")
        softmax = cross_entropy(Z2, Y_softmax, "softmax")

    for loss in (logistic, softmax):
        assert loss.dtype == dtype
        assert np.isfinite(loss).all()
    log2, log3 = np.log(2), np.log(3)
    # Right with certainty costs nothing, wrong costs |z| per unit. The losses are
    # differences of numbers of size 1e4, so their error is absolute: a few units
    # in the last place of 1e4 in the dtype (1e-3 in float32).
    atol = 4 * np.spacing(dtype(z))
    assert_allclose(logistic, [log2, 2 * z + log2, 0.0], rtol=1e-7, atol=atol)
    assert_allclose(softmax, [0.0, 2 * z, log3], rtol=1e-7, atol=atol)

    # One unit per row takes a path of its own.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        one_unit = cross_entropy(Z2[:, :1], Y_logistic[:, :1], "logistic")
    assert one_unit.dtype == dtype
    assert_allclose(one_unit, [0.0, z, 0.0], rtol=1e-7, atol=atol)


def test_l2_penalty():
    rng = np.random.default_rng(1)
    W1, W2 = rng.normal(size=(4, 3)), rng.normal(size=(2, 4))

    assert l2_penalty(W1, W2, 0.0) == 0.0
    expected = 0.5 * 0.3 * (np.sum(W1**2) + np.sum(W2**2))
    assert l2_penalty(W1, W2, 0.3) == pytest.approx(expected, rel=1e-14)
    assert isinstance(l2_penalty(W1, W2, 0.3), float)
    # Linear in lambda.
    assert l2_penalty(W1, W2, 0.6) == pytest.approx(2 * expected, rel=1e-14)


@pytest.mark.parametrize("out_activation", ["logistic", "softmax"])
def test_objective_is_weighted_mean_plus_penalty_over_S(out_activation):
    Z2, Y = _problem(out_activation, seed=2)
    rng = np.random.default_rng(3)
    W1, W2 = rng.normal(size=(4, 5)), rng.normal(size=(3, 4))
    w = rng.uniform(0.1, 4.0, size=len(Z2))
    losses = _naive_cross_entropy(Z2, Y, out_activation)
    squares = np.sum(W1**2) + np.sum(W2**2)
    S = w.sum()

    J = objective(Z2, Y, w, S, W1, W2, 0.4, out_activation)
    assert isinstance(J, float)
    assert J == pytest.approx((w @ losses + 0.2 * squares) / S, rel=1e-12)

    # Without weights S is the number of rows.
    J = objective(Z2, Y, None, len(Z2), W1, W2, 0.4, out_activation)
    assert J == pytest.approx(losses.mean() + 0.2 * squares / len(Z2), rel=1e-12)

    # Scaling every weight leaves the data term alone and divides the penalty.
    J1 = objective(Z2, Y, w, S, W1, W2, 0.0, out_activation)
    J2 = objective(Z2, Y, 5 * w, 5 * S, W1, W2, 0.0, out_activation)
    assert J2 == pytest.approx(J1, rel=1e-14)
    pen1 = objective(Z2, Y, w, S, W1, W2, 0.4, out_activation) - J1
    pen5 = objective(Z2, Y, 5 * w, 5 * S, W1, W2, 0.4, out_activation) - J2
    assert pen5 == pytest.approx(pen1 / 5, rel=1e-12)


def test_objective_ignores_rows_of_zero_weight():
    Z2, Y = _problem("softmax", seed=4)
    # A row predicted wrongly with certainty would dominate if it counted.
    Z2[0] = [1e4, -1e4, 0.0]
    Y[0] = [0.0, 1.0, 0.0]
    w = np.ones(len(Z2))
    w[0] = 0.0
    W1, W2 = np.ones((2, 2)), np.ones((3, 2))

    J = objective(Z2, Y, w, w.sum(), W1, W2, 0.1, "softmax")
    J_without = objective(Z2[1:], Y[1:], None, len(Z2) - 1, W1, W2, 0.1, "softmax")

    assert J == pytest.approx(J_without, rel=1e-14)


def test_cross_entropy_does_not_modify_its_inputs():
    Z2, Y = _problem("logistic", seed=5)
    Z2_before, Y_before = Z2.copy(), Y.copy()
    for out_activation in ("logistic", "softmax"):
        cross_entropy(Z2, Y, out_activation)
    assert_array_equal(Z2, Z2_before)
    assert_array_equal(Y, Y_before)
