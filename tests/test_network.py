"""Tests of the forward and backward passes of :mod:`sklearn_twolayer._network`.

Three independent references check the math:

* central finite differences of J, one coordinate at a time, for the gradients;
* a plain-Python computation of the loss of the API (explicit probabilities and
  their logarithms, no NumPy), and a one-step example worked out by hand;
* scikit-learn's ``MLPClassifier``, whose SGD step from the same weights must give
  the same weights as ours.
"""

import inspect
import math

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import assert_same_weights, fit_quietly
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network import MLPClassifier

from sklearn_twolayer import TwoLayerClassifier, _network
from sklearn_twolayer._network import (
    Buffers,
    Params,
    backward,
    forward,
    logits,
    loss_and_grads,
)
from sklearn_twolayer._optimizer import GradientDescent

ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]

# Output kind -> (output activation, number of output units).
OUTPUTS = {
    "binary": ("logistic", 1),
    "softmax": ("softmax", 3),
    "ovr": ("logistic", 3),
    "multilabel": ("logistic", 3),
}

# Distance from the relu kink below which no pre-activation of a test problem may
# fall: a step of the finite differences moves Z1 by about 1e-6, far less.
KINK_MARGIN = 0.05


def make_problem(activation, kind, weighted, seed, m=6, n_features=3, hidden=4):
    """A tiny random network and batch: (params, X, Y, w).

    For relu, parameters are redrawn until no pre-activation lies within
    ``KINK_MARGIN`` of 0, where J is not differentiable.
    """
    rng = np.random.default_rng(seed)
    _, K = OUTPUTS[kind]
    X = rng.normal(size=(m, n_features))
    while True:
        params = Params(
            W1=rng.normal(scale=0.8, size=(hidden, n_features)),
            b1=rng.normal(scale=0.3, size=hidden),
            W2=rng.normal(scale=0.8, size=(K, hidden)),
            b2=rng.normal(scale=0.3, size=K),
        )
        Z1 = X @ params.W1.T + params.b1
        if activation != "relu" or np.abs(Z1).min() > KINK_MARGIN:
            break
    if kind == "binary":
        Y = rng.integers(0, 2, size=(m, 1)).astype(np.float64)
    elif kind in ("softmax", "ovr"):
        Y = np.eye(K)[rng.integers(0, K, size=m)]
    else:
        Y = rng.integers(0, 2, size=(m, K)).astype(np.float64)
    # Weights of very different sizes, one of them zero, so that a wrong S or a
    # weight applied twice shows.
    w = rng.uniform(0.2, 3.0, size=m) if weighted else None
    if weighted:
        w[0] = 0.0
    return params, X, Y, w


def numerical_grads(params, X, Y, w, l2, activation, out_activation, step=1e-5):
    """Central differences of J, shifting one coordinate at a time.

    Their error is about ``eps |J| / step`` from rounding plus ``step^2 |J'''| / 6``
    from truncation. The smallest gradient entries of these problems are near
    2e-4: a step of 1e-6 leaves a worst relative error of 5e-7 on them, a step of
    1e-5 (whose truncation error is still negligible) 6e-8.
    """

    def J():
        return loss_and_grads(params, X, Y, w, l2, activation, out_activation)[0]

    grads = []
    for P in params:
        G = np.empty_like(P)
        for idx in np.ndindex(P.shape):
            original = P[idx]
            P[idx] = original + step
            plus, J_plus = P[idx], J()
            P[idx] = original - step
            minus, J_minus = P[idx], J()
            P[idx] = original
            # Divide by the shift actually made, which rounding may change.
            G[idx] = (J_plus - J_minus) / (plus - minus)
        grads.append(G)
    return grads


def naive_objective(params, X, Y, w, l2, activation, out_activation):
    """J of the API in plain Python: probabilities, then their logarithms."""
    g = {
        "relu": lambda z: max(z, 0.0),
        "tanh": math.tanh,
        "logistic": lambda z: 1.0 / (1.0 + math.exp(-z)),
        "identity": lambda z: z,
    }[activation]
    W1, b1, W2, b2 = (p.tolist() for p in params)
    m = len(X)
    weights = [1.0] * m if w is None else w.tolist()
    total = 0.0
    for x, y, w_i in zip(X.tolist(), Y.tolist(), weights, strict=True):
        z1 = [
            b1[j] + sum(W1[j][f] * x[f] for f in range(len(x))) for j in range(len(b1))
        ]
        a1 = [g(z) for z in z1]
        z2 = [
            b2[k] + sum(W2[k][j] * a1[j] for j in range(len(a1)))
            for k in range(len(b2))
        ]
        if out_activation == "softmax":
            e = [math.exp(z) for z in z2]
            a2 = [v / sum(e) for v in e]
            loss = -sum(y[k] * math.log(a2[k]) for k in range(len(y)))
        else:
            a2 = [1.0 / (1.0 + math.exp(-z)) for z in z2]
            loss = sum(
                -y[k] * math.log(a2[k]) - (1 - y[k]) * math.log(1 - a2[k])
                for k in range(len(y))
            )
        total += w_i * loss
    squares = sum(v * v for row in W1 + W2 for v in row)
    S = sum(weights)
    return (total + 0.5 * l2 * squares) / S


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("l2", [0.0, 0.7], ids=["l2=0", "l2>0"])
@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_finite_differences(activation, kind, l2, weighted):
    out_activation, _ = OUTPUTS[kind]
    params, X, Y, w = make_problem(activation, kind, weighted, seed=0)

    _, grads = loss_and_grads(params, X, Y, w, l2, activation, out_activation)
    expected = numerical_grads(params, X, Y, w, l2, activation, out_activation)

    for name, analytic, numeric in zip(Params._fields, grads, expected, strict=True):
        assert analytic.shape == getattr(params, name).shape
        assert_allclose(analytic, numeric, rtol=1e-6, atol=0, err_msg=name)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("l2", [0.0, 0.7], ids=["l2=0", "l2>0"])
@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_objective_matches_naive_formula(activation, kind, l2, weighted):
    out_activation, _ = OUTPUTS[kind]
    params, X, Y, w = make_problem(activation, kind, weighted, seed=1)

    J, _ = loss_and_grads(params, X, Y, w, l2, activation, out_activation)

    expected = naive_objective(params, X, Y, w, l2, activation, out_activation)
    assert isinstance(J, float)
    assert J == pytest.approx(expected, rel=1e-12)


@pytest.fixture
def factored(monkeypatch):
    """Every dense batch with one output unit takes the factored backward pass."""
    monkeypatch.setattr(_network, "FACTORED_MIN_SIZE", 0)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("l2", [0.0, 0.7], ids=["l2=0", "l2>0"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_factored_gradients_match_finite_differences(
    activation, l2, weighted, factored
):
    params, X, Y, w = make_problem(activation, "binary", weighted, seed=3)

    _, grads = loss_and_grads(params, X, Y, w, l2, activation, "logistic")
    expected = numerical_grads(params, X, Y, w, l2, activation, "logistic")

    for name, analytic, numeric in zip(Params._fields, grads, expected, strict=True):
        assert_allclose(analytic, numeric, rtol=1e-6, atol=0, err_msg=name)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_factored_gradients_equal_the_outer_product_form(activation, monkeypatch):
    params, X, Y, w = make_problem(activation, "binary", True, seed=4, m=40)
    args = (params, X, Y, w, 0.2, activation, "logistic")
    monkeypatch.setattr(_network, "FACTORED_MIN_SIZE", 10**9)
    _, outer = loss_and_grads(*args)
    monkeypatch.setattr(_network, "FACTORED_MIN_SIZE", 0)
    _, factored = loss_and_grads(*args, buffers=Buffers(40, params))

    # Only the order of the roundings differs.
    for name, a, b in zip(Params._fields, outer, factored, strict=True):
        assert_allclose(b, a, rtol=1e-13, atol=1e-16, err_msg=name)


@pytest.mark.parametrize("path", ["outer", "factored"])
@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_buffers_give_bit_identical_results(activation, kind, path, monkeypatch):
    if path == "factored":
        monkeypatch.setattr(_network, "FACTORED_MIN_SIZE", 0)
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


@pytest.mark.parametrize("kind", list(OUTPUTS))
def test_integer_weights_equal_repeated_rows(kind):
    # S counts a row of weight 2 twice, in the data term and in the L2 term alike.
    out_activation, _ = OUTPUTS[kind]
    params, X, Y, _ = make_problem("tanh", kind, False, seed=5)
    w = np.array([2.0, 1.0, 3.0, 1.0, 0.0, 2.0])
    repeat = w.astype(int)

    J_w, grads_w = loss_and_grads(params, X, Y, w, 0.4, "tanh", out_activation)
    J_r, grads_r = loss_and_grads(
        params,
        np.repeat(X, repeat, axis=0),
        np.repeat(Y, repeat, axis=0),
        None,
        0.4,
        "tanh",
        out_activation,
    )

    assert J_w == pytest.approx(J_r, rel=1e-13)
    for name, a, b in zip(Params._fields, grads_w, grads_r, strict=True):
        assert_allclose(a, b, rtol=1e-12, atol=1e-15, err_msg=name)


def test_forward_matches_its_definition():
    params, X, _, _ = make_problem("tanh", "softmax", False, seed=3)

    Z1, A1, Z2, A2 = forward(params, X, "tanh", "softmax")

    assert_allclose(Z1, X @ params.W1.T + params.b1, rtol=1e-14)
    assert_allclose(A1, np.tanh(Z1), rtol=1e-14)
    assert_allclose(Z2, A1 @ params.W2.T + params.b2, rtol=1e-14)
    E = np.exp(Z2)
    assert_allclose(A2, E / E.sum(axis=1, keepdims=True), rtol=1e-14)


@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("with_buffers", [False, True])
def test_logits_are_the_forward_pass_up_to_Z2(sparse_input, with_buffers):
    params, X, _, _ = make_problem("relu", "softmax", False, seed=3)
    X[X < 0.3] = 0.0
    X_in = sp.csr_matrix(X) if sparse_input else X
    buffers = (
        Buffers(len(X), params, train=False, hidden=not sparse_input)
        if with_buffers
        else None
    )

    Z2 = logits(params, X_in, "relu", buffers)

    # Products into arrays at other addresses may round differently in the last
    # bit (BLAS kernels depend on alignment), hence no exact comparison.
    assert_allclose(Z2, forward(params, X, "relu", "softmax").Z2, rtol=1e-14)
    if with_buffers:
        assert buffers.A2 is None  # prediction never forms A2
        assert np.shares_memory(Z2, buffers.Z2)


class _CountingNumpy:
    """numpy, with a count of the calls to matmul."""

    def __init__(self):
        self.matmul_calls = 0

    def __getattr__(self, name):
        return getattr(np, name)

    def matmul(self, *args, **kwargs):
        self.matmul_calls += 1
        return np.matmul(*args, **kwargs)


@pytest.mark.parametrize(
    "shape, products",
    [
        ((200, 64, 100), 2),  # two halves of 100 rows
        ((197, 64, 100), 2),  # an odd number of rows
        ((64, 200, 100), 2),  # the shape of dW1^T for the digits
        ((3, 600_000, 1), 2),  # halves of 2 rows and 1
        ((1, 1_500_000, 1), 1),  # one row: never split
        ((100, 100, 100), 1),  # at the limit: one product
        ((300, 100, 100), 1),  # above the range: one product
        ((50, 100, 256), 1),  # more columns than split products may have
    ],
)
@pytest.mark.parametrize("given_out", [False, True])
def test_matmul_in_halves_equals_one_product(shape, products, given_out, monkeypatch):
    m, k, n = shape
    rng = np.random.default_rng(5)
    A = rng.normal(size=(m, k))
    B = rng.normal(size=(k, n))
    # Fortran-ordered, as the transposed gradient of W1 is written.
    out = np.empty((n, m)).T if given_out else None
    counting = _CountingNumpy()
    monkeypatch.setattr(_network, "np", counting)

    result = _network._matmul(A, B, out=out)

    assert counting.matmul_calls == products
    if given_out:
        assert result is out
    # The halves run other BLAS kernels: the same dot products, other roundings.
    assert_allclose(result, A @ B, rtol=1e-12, atol=1e-12 * np.sqrt(k))


@pytest.mark.parametrize("m, copied", [(200, True), (8, False)])
def test_dA1_from_a_c_ordered_copy_of_W2(m, copied):
    rng = np.random.default_rng(6)
    W2 = np.asfortranarray(rng.normal(size=(10, 100)))
    params = Params(np.ones((100, 3)), np.zeros(100), W2, np.zeros(10))
    buffers = Buffers(m, params)
    dZ2 = rng.normal(size=(m, 10))

    dA1 = _network._times_W2(dZ2, W2, buffers, out=np.empty((m, 100)))

    # Large enough batches read W2 through the buffers' C-ordered copy; tiny ones
    # use W2 as it is.
    assert (buffers._c_copy is not None) == copied
    assert_allclose(dA1, dZ2 @ W2, rtol=1e-13, atol=1e-13)


def test_sparse_X_gives_the_same_gradients_as_dense():
    params, X, Y, w = make_problem("relu", "binary", True, seed=4)
    X[X < 0.3] = 0.0

    J_dense, dense = loss_and_grads(params, X, Y, w, 0.2, "relu", "logistic")
    J_sparse, sparse = loss_and_grads(
        params, sp.csr_matrix(X), Y, w, 0.2, "relu", "logistic"
    )

    assert J_sparse == pytest.approx(J_dense, rel=1e-14)
    for a, b in zip(dense, sparse, strict=True):
        assert isinstance(b, np.ndarray)
        assert_allclose(b, a, rtol=1e-13, atol=1e-16)


# --------------------------------------------------------------------------------
# One step worked out by hand, in the article's notation.
#
# Two examples (rows of X), two features, two relu hidden units, one sigmoid output:
#
#     X = [[1,  2],      y = [1, 0]      m = 2 (no weights, so S = m)
#          [3, -1]]
#     W1 = [[0.5,  -0.5],   b1 = [0, -0.5]    W2 = [[1, -2]]   b2 = [0.5]
#           [0.25,  0.5]]
#
# Forward:
#     Z1 = X W1^T + b1 = [[0.5 - 1 + 0,    0.25 + 1 - 0.5],   = [[-0.5,  0.75],
#                         [1.5 + 0.5 + 0,  0.75 - 0.5 - 0.5]]    [ 2.0, -0.25]]
#     A1 = relu(Z1)                                            = [[0,    0.75],
#                                                                 [2,    0   ]]
#     Z2 = A1 W2^T + b2 = [0 - 1.5 + 0.5, 2 - 0 + 0.5]         = [-1, 2.5]
#     A2 = sigma(Z2) = [1 / (1 + e), 1 / (1 + e^-2.5)]
#                    = [0.26894142136999512, 0.92414181997875645]
#     J = (1/2) (-log A2[0] - log(1 - A2[1]))
#       = (1/2) (log(1 + e) + log(1 + e^2.5))                  = 1.9460757109053862
#
# Backward (each dP is dJ/dP):
#     dZ2 = (A2 - Y) / m = [(0.26894142136999512 - 1) / 2, 0.92414181997875645 / 2]
#                        = [-0.36552928931500244, 0.46207090998937822]
#     dW2 = dZ2^T A1 = [0.46207090998937822 * 2, -0.36552928931500244 * 0.75]
#                    = [[0.92414181997875645, -0.27414696698625183]]
#     db2 = sum dZ2  = [0.096541620674375785]
#     dA1 = dZ2 W2   = [[-0.36552928931500244,  0.73105857863000488],
#                       [ 0.46207090998937822, -0.92414181997875645]]
#     dZ1 = dA1 * (Z1 > 0)   (the masks are [0, 1] and [1, 0])
#                    = [[0,                    0.73105857863000488],
#                       [0.46207090998937822,  0                  ]]
#     dW1 = dZ1^T X  = [[3 * 0.46207090998937822, -1 * 0.46207090998937822],
#                       [1 * 0.73105857863000488,  2 * 0.73105857863000488]]
#                    = [[1.3862127299681347, -0.46207090998937822],
#                       [0.73105857863000488, 1.4621171572600098]]
#     db1 = sum dZ1  = [0.46207090998937822, 0.73105857863000488]
#
# Update with alpha = 0.5, P <- P - alpha dP:
#     W1 = [[0.5 - 0.69310636498406734, -0.5 + 0.23103545499468911],
#           [0.25 - 0.36552928931500244, 0.5 - 0.73105857863000488]]
#        = [[-0.19310636498406734, -0.26896454500531089],
#           [-0.11552928931500244, -0.23105857863000488]]
#     b1 = [-0.23103545499468911, -0.86552928931500244]
#     W2 = [[0.53792909001062178, -1.8629265165068741]]
#     b2 = [0.45172918966281211]
#
# The numbers were worked out with 40-digit decimal arithmetic and rounded to 17
# significant digits; the float64 results may differ from them in the last digit
# or two, hence rtol=1e-14 (exact where the arithmetic is exact).
# --------------------------------------------------------------------------------
HAND_X = np.array([[1.0, 2.0], [3.0, -1.0]])
HAND_y = np.array([1, 0])
HAND_PARAMS = Params(
    W1=np.array([[0.5, -0.5], [0.25, 0.5]]),
    b1=np.array([0.0, -0.5]),
    W2=np.array([[1.0, -2.0]]),
    b2=np.array([0.5]),
)
HAND_ALPHA = 0.5
HAND_UPDATED = Params(
    W1=np.array(
        [
            [-0.19310636498406734, -0.26896454500531089],
            [-0.11552928931500244, -0.23105857863000488],
        ]
    ),
    b1=np.array([-0.23103545499468911, -0.86552928931500244]),
    W2=np.array([[0.53792909001062178, -1.8629265165068741]]),
    b2=np.array([0.45172918966281211]),
)


def _copy(params):
    return Params(*(p.copy() for p in params))


def test_hand_worked_step():
    X, Y = HAND_X, HAND_y.reshape(-1, 1).astype(np.float64)
    params = _copy(HAND_PARAMS)

    Z1, A1, Z2, A2 = forward(params, X, "relu", "logistic")
    assert_array_equal(Z1, [[-0.5, 0.75], [2.0, -0.25]])
    assert_array_equal(A1, [[0.0, 0.75], [2.0, 0.0]])
    assert_array_equal(Z2, [[-1.0], [2.5]])
    assert_allclose(A2, [[0.26894142136999512], [0.92414181997875645]], rtol=1e-14)

    J, grads = loss_and_grads(params, X, Y, activation="relu")
    assert J == pytest.approx(1.9460757109053862, rel=1e-14)
    assert_allclose(grads.W2, [[0.92414181997875645, -0.27414696698625183]], rtol=1e-14)
    assert_allclose(grads.b2, [0.096541620674375785], rtol=1e-14)
    assert_allclose(
        grads.W1,
        [
            [1.3862127299681347, -0.46207090998937822],
            [0.73105857863000488, 1.4621171572600098],
        ],
        rtol=1e-14,
    )
    assert_allclose(grads.b1, [0.46207090998937822, 0.73105857863000488], rtol=1e-14)

    # With buffers, the backward pass leaves dZ2 in place of A2 and dZ1 in the
    # hidden-layer gradient buffer, where they can be read.
    buffers = Buffers(2, params)
    backward(
        params, X, Y, forward(params, X, "relu", "logistic", buffers), buffers=buffers
    )
    assert_allclose(
        buffers.A2, [[-0.36552928931500244], [0.46207090998937822]], rtol=1e-14
    )
    assert_allclose(
        buffers.dH, [[0.0, 0.73105857863000488], [0.46207090998937822, 0.0]], rtol=1e-14
    )
    # dA1 is overwritten by dZ1 = dA1 * g'(Z1); with the identity's g' = 1 the same
    # pass leaves dA1 itself.
    backward(
        params,
        X,
        Y,
        forward(params, X, "relu", "logistic", buffers),
        activation="identity",
        buffers=buffers,
    )
    assert_allclose(
        buffers.dH,
        [
            [-0.36552928931500244, 0.73105857863000488],
            [0.46207090998937822, -0.92414181997875645],
        ],
        rtol=1e-14,
    )

    GradientDescent(HAND_ALPHA).step(params, grads)
    for name, p, expected in zip(Params._fields, params, HAND_UPDATED, strict=True):
        assert_allclose(p, expected, rtol=1e-14, err_msg=name)


def test_partial_fit_makes_the_hand_worked_step():
    clf = TwoLayerClassifier(
        hidden_size=2,
        activation="relu",
        alpha=HAND_ALPHA,
        batch_size=2,
        shuffle=False,
        momentum=0.0,
        l2=0.0,
    )
    # The first call sets up the estimator (classes, layout) from random weights;
    # they are then replaced by hand, which the API allows, and the second call
    # must make exactly one step from them.
    clf.partial_fit(HAND_X, HAND_y, classes=[0, 1])
    clf.W1_, clf.b1_, clf.W2_, clf.b2_ = _copy(HAND_PARAMS)

    clf.partial_fit(HAND_X, HAND_y)

    fitted = (clf.W1_, clf.b1_, clf.W2_, clf.b2_)
    for name, p, expected in zip(Params._fields, fitted, HAND_UPDATED, strict=True):
        assert p.dtype == np.float64
        assert_allclose(p, expected, rtol=1e-14, err_msg=name)
    # The loss of the epoch is J before the step.
    assert clf.loss_ == pytest.approx(1.9460757109053862, rel=1e-14)

    # And bit for bit the step of the math module.
    params = _copy(HAND_PARAMS)
    Y = HAND_y.reshape(-1, 1).astype(np.float64)
    _, grads = loss_and_grads(params, HAND_X, Y, activation="relu")
    GradientDescent(HAND_ALPHA).step(params, grads)
    for p, q in zip(fitted, params, strict=True):
        assert_array_equal(p, q)


# --------------------------------------------------------------------------------
# Peer oracle: one SGD step of MLPClassifier from the same weights.
# --------------------------------------------------------------------------------
def _peer_problem(target, seed=0, n=8, n_features=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    if target == "binary":
        y = np.array([0, 1] * (n // 2))
        classes = [0, 1]
    elif target == "multiclass":
        y = np.arange(n) % 3
        classes = [0, 1, 2]
    else:
        y = rng.integers(0, 2, size=(n, 3))
        y[0] = [1, 1, 1]
        y[1] = [0, 0, 0]
        classes = [0, 1, 2]
    rng.shuffle(y)
    return X, y, classes


# MLPClassifier takes sample_weight from scikit-learn 1.7 on.
MLP_HAS_SAMPLE_WEIGHT = (
    "sample_weight" in inspect.signature(MLPClassifier.partial_fit).parameters
)


@pytest.mark.parametrize(
    "weighted",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(
                not MLP_HAS_SAMPLE_WEIGHT,
                reason="this MLPClassifier takes no sample_weight",
            ),
        ),
    ],
    ids=["plain", "l2+weights"],
)
@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_one_step_matches_mlpclassifier(activation, target, weighted):
    X, y, classes = _peer_problem(target)
    n, n_features = X.shape
    hidden, alpha = 4, 0.3
    l2 = 0.05 if weighted else 0.0
    sample_weight = np.linspace(0.5, 2.0, n) if weighted else None

    # MLPClassifier's alpha is its L2 penalty, with the same lambda / (2 S) scaling
    # as our l2, and its learning_rate_init is our alpha.
    mlp = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        activation=activation,
        solver="sgd",
        alpha=l2,
        batch_size=n,
        learning_rate="constant",
        learning_rate_init=alpha,
        momentum=0.0,
        nesterovs_momentum=False,
        shuffle=False,
        random_state=0,
    )
    ours = TwoLayerClassifier(
        hidden_size=hidden,
        activation=activation,
        alpha=alpha,
        batch_size=n,
        l2=l2,
        momentum=0.0,
        shuffle=False,
        random_state=0,
    )
    # Both estimators take a first partial_fit call to set themselves up (classes,
    # output layer); its step from random weights is then overwritten. Passing
    # classes lets MLPClassifier start from partial_fit for a multilabel target
    # too, where it refuses a first call without them.
    weights = {} if sample_weight is None else {"sample_weight": sample_weight}
    mlp.partial_fit(X, y, classes=classes, **weights)
    ours.partial_fit(X, y, classes=classes, **weights)
    K = ours.n_outputs_
    assert mlp.n_outputs_ == K
    assert mlp.out_activation_ == ours.out_activation_

    rng = np.random.default_rng(1)
    W1 = rng.normal(scale=0.7, size=(hidden, n_features))
    b1 = rng.normal(scale=0.2, size=hidden)
    W2 = rng.normal(scale=0.7, size=(K, hidden))
    b2 = rng.normal(scale=0.2, size=K)
    # MLPClassifier keeps one column per unit (coefs_[0] = W1^T), we keep the
    # article's rows.
    mlp.coefs_ = [W1.T.copy(), W2.T.copy()]
    mlp.intercepts_ = [b1.copy(), b2.copy()]
    ours.W1_, ours.b1_, ours.W2_, ours.b2_ = W1.copy(), b1.copy(), W2.copy(), b2.copy()

    mlp.partial_fit(X, y, **weights)
    ours.partial_fit(X, y, **weights)

    # The step is not a no-op, so the comparison below means something.
    assert np.abs(ours.W1_ - W1).max() > 1e-3
    assert_allclose(ours.W1_, mlp.coefs_[0].T, rtol=1e-12, atol=1e-12)
    assert_allclose(ours.b1_, mlp.intercepts_[0], rtol=1e-12, atol=1e-12)
    assert_allclose(ours.W2_, mlp.coefs_[1].T, rtol=1e-12, atol=1e-12)
    assert_allclose(ours.b2_, mlp.intercepts_[1], rtol=1e-12, atol=1e-12)
    # Both report the objective before the step.
    assert ours.loss_ == pytest.approx(mlp.loss_, rel=1e-12)
    assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize("kernel", ["scipy", "public"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_sparse_product_adds_only_to_the_touched_rows(kernel, dtype, monkeypatch):
    if kernel == "public":
        monkeypatch.setattr(_network, "_KERNELS", None)
    else:
        assert _network._KERNELS is not None
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

    result = _network.add_sparse_product(rows, X, D, -0.3)

    assert result is rows
    assert_array_equal(rows[untouched], before)
    assert_allclose(rows, expected, rtol=1e-5 if dtype == np.float32 else 1e-13)


def test_sparse_fit_is_the_same_without_scipys_kernel(monkeypatch):
    X = sp.random(120, 300, density=0.05, format="csr", random_state=0)
    sums = np.asarray(X.sum(axis=1)).ravel()
    y = sums > np.median(sums)
    params = dict(hidden_size=7, batch_size=25, max_iter=3, momentum=0.5)
    with_kernel = fit_quietly(TwoLayerClassifier(random_state=0, **params), X, y)
    monkeypatch.setattr(_network, "_KERNELS", None)
    without = fit_quietly(TwoLayerClassifier(random_state=0, **params), X, y)

    # Only the order of the roundings differs.
    assert_same_weights(without, with_kernel, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- active units


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_active_rows_counts_rows_with_some_unit_above_zero(sparse):
    # Unit 0 is active on rows 2998 and 2999 alone, unit 1 nowhere; the rows span
    # several chunks.
    X = np.zeros((3000, 2))
    X[2998:, 0] = 1.0
    W1 = np.array([[2.0, 0.0], [0.0, 1.0]])
    params = Params(W1, np.array([-1.0, -1.0]), np.ones((1, 2)), np.zeros(1))
    X = sp.csr_matrix(X) if sparse else X
    rows = np.arange(3000)
    assert _network.active_rows(params, X, rows, limit=3000) == 2
    # Only the rows given count.
    assert _network.active_rows(params, X, rows[:-1], limit=3000) == 1
    # Z1 = 0 is inactive: relu'(0) = 0.
    params.b1[0] = -2.0
    assert _network.active_rows(params, X, rows, limit=3000) == 0


def test_active_rows_stops_counting_past_the_limit():
    X = np.ones((5000, 3))
    params = Params(np.ones((2, 3)), np.zeros(2), np.ones((1, 2)), np.zeros(1))
    # The first chunk of rows already passes the limit.
    n = _network.active_rows(params, X, np.arange(5000), limit=10)
    assert 10 < n < 5000
