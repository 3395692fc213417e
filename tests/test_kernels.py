"""Tests of the speed machinery of :mod:`sklearn_twolayer._kernels`.

Every trick must compute what the plain formulas of :mod:`._network` compute: bit
for bit where only memory is reused, to the order of the roundings where a product
is taken another way.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import (
    ACTIVATIONS,
    OUTPUTS,
    assert_same_weights,
    fit_quietly,
    make_problem,
)
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_twolayer import TwoLayerClassifier, _kernels
from sklearn_twolayer._kernels import (
    Buffers,
    SparseGradient,
    add_sparse_product,
    flat_params,
    index_dtype,
    shared_base,
    sparse_weight_gradient,
    times_W2,
)
from sklearn_twolayer._network import Params, loss_and_grads


@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_buffers_give_bit_identical_results(activation, kind):
    out_activation, _ = OUTPUTS[kind]
    params, X, Y, w = make_problem(activation, kind, True, seed=2, m=7)
    # Sized for a larger batch than any used, so that the row views are exercised,
    # and reused for two batches of different sizes as in an epoch.
    buffers = Buffers(9, params)

    for rows, l2 in [(slice(0, 7), 0.3), (slice(2, 5), 0.3), (slice(1, 6), 0.0)]:
        args = (params, X[rows], Y[rows], w[rows], l2, activation, out_activation)
        J_alloc, grads_alloc = loss_and_grads(*args)
        J_buf, grads_buf = loss_and_grads(*args, buffers=buffers)

        assert J_buf == J_alloc
        for name, a, b in zip(Params._fields, grads_alloc, grads_buf, strict=True):
            assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("order", ["C", "F"])
def test_flat_params_are_views_of_one_array_in_the_same_order(order):
    rng = np.random.default_rng(0)
    params = Params(
        np.asarray(rng.normal(size=(4, 3)), order=order),
        rng.normal(size=4),
        np.asarray(rng.normal(size=(2, 4)), order=order),
        rng.normal(size=2),
    )
    flat = flat_params(params)

    base = shared_base(flat)
    assert base is not None and base.size == sum(p.size for p in params)
    for p, f in zip(params, flat, strict=True):
        assert_array_equal(f, p)
        assert f.flags.f_contiguous == p.flags.f_contiguous
    # An update of the base is an update of the four arrays.
    base += 1.0
    assert_array_equal(flat.W1, params.W1 + 1.0)
    assert shared_base(params) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_output_dA1_is_the_matrix_product(dtype):
    rng = np.random.default_rng(6)
    dZ2 = rng.normal(size=(256, 1)).astype(dtype)
    W2 = np.asfortranarray(rng.normal(size=(1, 64)).astype(dtype))

    # Each entry of an outer product is one multiplication, whatever computes it.
    assert_array_equal(times_W2(dZ2, W2), dZ2 @ W2)
    dZ2 = rng.normal(size=(256, 3)).astype(dtype)
    W2 = rng.normal(size=(3, 64)).astype(dtype)
    assert_array_equal(times_W2(dZ2, W2), dZ2 @ W2)


@pytest.mark.parametrize("kernel", ["scipy", "public"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_sparse_product_adds_only_to_the_touched_rows(kernel, dtype, monkeypatch):
    if kernel == "public":
        monkeypatch.setattr(_kernels, "_KERNELS", None)
    else:
        assert _kernels._KERNELS is not None
    rng = np.random.default_rng(5)
    X = sp.random(6, 40, density=0.1, format="csr", random_state=7, dtype=dtype)
    # A duplicate entry counts twice, as in X @ anything.
    X = sp.csr_matrix(
        (np.r_[X.data, 1.5], np.r_[X.indices, 3], np.r_[X.indptr[:-1], X.nnz + 1]),
        shape=X.shape,
    ).astype(dtype)
    D = rng.normal(size=(6, 5)).astype(dtype)
    rows = rng.normal(size=(40, 5)).astype(dtype)
    expected = rows.astype(np.float64) - 0.3 * (X.T.toarray() @ D)
    untouched = np.diff(X.tocsc().indptr) == 0
    before = rows[untouched].copy()

    result = add_sparse_product(rows, X, D, -0.3)

    assert result is rows
    assert_array_equal(rows[untouched], before)
    assert_allclose(rows, expected, rtol=1e-5 if dtype == np.float32 else 1e-13)


@pytest.mark.parametrize("penalty", [0.0, 0.3])
@pytest.mark.parametrize("sparse_gradients", [False, True])
def test_sparse_weight_gradient_is_the_dense_one(penalty, sparse_gradients):
    params, X, _, _ = make_problem("relu", "softmax", False, seed=4)
    X[X < 0.3] = 0.0
    dZ1 = np.random.default_rng(1).normal(size=(X.shape[0], params.W1.shape[0]))
    W1 = np.asfortranarray(params.W1)
    buffers = Buffers(X.shape[0], params._replace(W1=W1), sparse_gradients=True)

    dW1 = sparse_weight_gradient(
        dZ1, sp.csr_matrix(X), W1, penalty, buffers if sparse_gradients else None
    )

    if sparse_gradients and not penalty:
        assert type(dW1) is SparseGradient
        dW1 = add_sparse_product(np.zeros(W1.T.shape), dW1.X, dW1.dZ1, 1.0).T
    assert_allclose(dW1, dZ1.T @ X + penalty * W1, rtol=1e-13, atol=1e-15)


def test_sparse_fit_is_the_same_without_scipys_kernel(monkeypatch):
    X = sp.random(120, 300, density=0.05, format="csr", random_state=0)
    sums = np.asarray(X.sum(axis=1)).ravel()
    y = sums > np.median(sums)
    params = dict(hidden_size=7, batch_size=25, max_iter=3, momentum=0.5)
    with_kernel = fit_quietly(TwoLayerClassifier(random_state=0, **params), X, y)
    monkeypatch.setattr(_kernels, "_KERNELS", None)
    without = fit_quietly(TwoLayerClassifier(random_state=0, **params), X, y)

    # Only the order of the roundings differs.
    assert_same_weights(without, with_kernel, rtol=1e-12, atol=1e-15)


def test_row_index_dtype_follows_the_size_of_X():
    # 64 float64 columns: 8-byte indices are 1/64 of X. 10 float32 columns: they
    # would be a fifth of X, so they are int32.
    assert index_dtype(np.zeros((1797, 64))) == np.intp
    assert index_dtype(np.zeros((1000, 10), dtype=np.float32)) == np.int32
    X = sp.random(1000, 50, density=0.02, format="csr", random_state=0)
    assert index_dtype(X) == np.int32
