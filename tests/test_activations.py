"""Tests of the activation registry of :mod:`sklearn_twolayer._activations`."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_twolayer._activations import (
    ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    log_sigmoid,
    log_softmax,
    sigmoid,
    softmax,
)
from sklearn_twolayer._kernels import row_max

# Each activation's definition, written independently of the module.
REFERENCE = {
    "identity": lambda z: z,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
}

# Points where every g is smooth: none within 0.05 of relu's kink at 0.
Z_SMOOTH = np.concatenate([np.linspace(-4, -0.05, 40), np.linspace(0.05, 4, 40)])

EXTREME = 1e4


def test_registry_holds_the_documented_names():
    assert set(ACTIVATIONS) == {"identity", "relu", "tanh", "logistic"}
    for name, activation in ACTIVATIONS.items():
        assert activation.name == name
        assert name in repr(activation)
    assert OUTPUT_ACTIVATIONS == {"logistic": sigmoid, "softmax": softmax}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_matches_definition(name):
    assert_allclose(ACTIVATIONS[name].forward(Z_SMOOTH), REFERENCE[name](Z_SMOOTH))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    g = ACTIVATIONS[name]
    step = 1e-6
    # g acts elementwise, so shifting every entry at once shifts each output by its
    # own input only.
    numeric = (g.forward(Z_SMOOTH + step) - g.forward(Z_SMOOTH - step)) / (2 * step)

    assert_allclose(g.derivative(Z_SMOOTH), numeric, rtol=1e-6, atol=0)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_backward_is_the_chain_rule(name):
    g = ACTIVATIONS[name]
    dA = np.random.default_rng(0).normal(size=Z_SMOOTH.shape)

    assert_allclose(
        g.backward(g.forward(Z_SMOOTH), dA), dA * g.derivative(Z_SMOOTH), rtol=1e-15
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_slope_is_the_derivative_in_place_or_not(name, dtype):
    g = ACTIVATIONS[name]
    Z = np.concatenate([Z_SMOOTH.ravel(), [-1.0, 0.0, 1.0]]).astype(dtype)
    A = g.forward(Z)
    expected = g.backward(A, np.ones_like(A))

    fresh = g.slope(A)
    assert fresh.dtype == dtype
    assert_array_equal(fresh, expected)
    in_place = g.slope(A, out=A, work=np.empty_like(A))
    assert in_place is A
    assert_array_equal(A, expected)


def test_relu_derivative_is_zero_at_the_kink():
    # The subgradient scikit-learn uses too: units at exactly 0 pass no gradient.
    assert_array_equal(
        ACTIVATIONS["relu"].derivative(np.array([-1.0, 0.0, 1.0])), [0, 0, 1]
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_in_place_equals_allocating(name, dtype):
    g = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    Z = rng.normal(scale=3, size=(5, 4)).astype(dtype)
    dA = rng.normal(size=(5, 4)).astype(dtype)
    Z_before, dA_before = Z.copy(), dA.copy()

    A = g.forward(Z)
    dZ = g.backward(A, dA)
    # The allocating calls leave their inputs alone.
    assert_array_equal(Z, Z_before)
    assert_array_equal(dA, dA_before)
    assert A is not Z and dZ is not dA
    assert A.dtype == dtype and dZ.dtype == dtype

    H = Z.copy()
    assert g.forward(H, out=H) is H
    assert_array_equal(H, A)
    dH = dA.copy()
    assert g.backward(H, dH, out=dH) is dH
    assert_array_equal(dH, dZ)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_output_activations_in_place_equal_allocating(dtype):
    Z = np.random.default_rng(2).normal(scale=3, size=(6, 3)).astype(dtype)
    for function in (sigmoid, softmax):
        expected = function(Z.copy())
        out = Z.copy()
        assert function(out, out=out) is out
        assert_array_equal(out, expected)
        assert out.dtype == dtype


@pytest.mark.parametrize("shape", [(1, 10), (50, 3), (200, 10), (300, 2), (5, 40)])
def test_row_max_is_the_maximum_of_each_row(shape):
    # The shapes take both ways of computing it: the reduction (few rows, or many
    # columns) and the passes over the columns (many rows of few columns).
    Z = np.random.default_rng(7).normal(size=shape)
    Z[0, -1] = np.nan  # NaN propagates, as with Z.max
    result = row_max(Z)
    assert result.shape == (shape[0], 1)
    assert_array_equal(result, Z.max(axis=1, keepdims=True))


def test_output_activations_match_definitions():
    Z = np.random.default_rng(3).normal(scale=3, size=(6, 3))

    assert_allclose(sigmoid(Z), 1 / (1 + np.exp(-Z)), rtol=1e-15)
    # 1 - sigmoid(Z) would carry an absolute, not a relative, rounding error.
    assert_allclose(sigmoid(-Z) + sigmoid(Z), 1.0, rtol=2 * np.finfo(float).eps)
    E = np.exp(Z)
    assert_allclose(softmax(Z), E / E.sum(axis=1, keepdims=True), rtol=1e-14)
    assert_allclose(softmax(Z).sum(axis=1), 1.0, rtol=1e-15)
    # log(1 + u) and log(sum) rather than log of a probability near 1, which would
    # lose the digits the functions under test keep.
    assert_allclose(log_sigmoid(Z), -np.log1p(np.exp(-Z)), rtol=1e-14)
    # A log-probability near 0 is the difference of two numbers near the row's
    # log-sum-exp; its error is absolute, a few eps, in either formula.
    eps = np.finfo(float).eps
    assert_allclose(
        log_softmax(Z),
        Z - np.log(E.sum(axis=1, keepdims=True)),
        rtol=1e-14,
        atol=4 * eps,
    )
    assert_allclose(np.exp(log_softmax(Z)), softmax(Z), rtol=1e-14)


def _extreme_logits(dtype):
    z = EXTREME
    return np.array(
        [
            [-z, 0.0, z],
            [z, z, -z],
            [-z, -z, -z],
            [z, z, z],
            [-z, -z + 1, -z + 2],
        ],
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_output_activations_are_stable_at_extreme_logits(dtype):
    Z = _extreme_logits(dtype)
    z = EXTREME

    # Overflow, 0/0 or log(0) would warn (an error under pytest's settings) or
    # raise here; underflow to 0 is the correct result of exp(-1e4).
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        A = sigmoid(Z)
        log_A = log_sigmoid(Z)
        P = softmax(Z)
        log_P = log_softmax(Z)

    for result in (A, log_A, P, log_P):
        assert result.dtype == dtype
        assert np.isfinite(result).all()
    assert_array_equal(A[0], [0, 0.5, 1])
    assert_allclose(log_A[0], [-z, -np.log(2), 0], rtol=1e-6)
    assert_allclose(P.sum(axis=1), 1.0, rtol=4 * np.finfo(dtype).eps)
    assert_array_equal(P[0], [0, 0, 1])
    assert_allclose(P[1], [0.5, 0.5, 0], rtol=4 * np.finfo(dtype).eps)
    assert_allclose(P[2], [1 / 3] * 3, rtol=4 * np.finfo(dtype).eps)
    # The log-probabilities are the logits minus a number of the same size, 1e4:
    # their absolute error is bounded by a few units in the last place of 1e4 in
    # the dtype (1e-3 in float32), not by a relative tolerance.
    ulp = np.spacing(dtype(z))
    assert_allclose(log_P[0], [-2 * z, -z, 0], rtol=0, atol=4 * ulp)
    assert_allclose(log_P[2], [-np.log(3)] * 3, rtol=0, atol=4 * ulp)
    e = np.exp(np.array([0.0, 1.0, 2.0]))
    assert_allclose(log_P[4], np.log(e / e.sum()), rtol=0, atol=4 * ulp)
    assert_allclose(log_A[4], [-z, -z + 1, -z + 2], rtol=0, atol=4 * ulp)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_hidden_activations_are_stable_at_extreme_inputs(name, dtype):
    g = ACTIVATIONS[name]
    Z = _extreme_logits(dtype)

    with np.errstate(over="raise", divide="raise", invalid="raise"):
        A = g.forward(Z)
        dZ = g.backward(A, np.ones_like(Z))

    assert A.dtype == dtype and dZ.dtype == dtype
    assert np.isfinite(A).all() and np.isfinite(dZ).all()
