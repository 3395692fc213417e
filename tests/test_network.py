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
from _helpers import (
    ACTIVATIONS,
    OUTPUTS,
    make_problem,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network import MLPClassifier

from sklearn_twolayer import TwoLayerClassifier
from sklearn_twolayer._kernels import Buffers
from sklearn_twolayer._network import (
    Params,
    backward,
    forward,
    logits,
    loss_and_grads,
)
from sklearn_twolayer._optimizer import GradientDescent


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
