"""The two-layer network: forward pass, backward pass, loss and gradients.

This module is the derivation of ``docs/math.rst`` in code, in the article's names:
layer 1 is the hidden layer with activation ``g``, layer 2 the output layer with a
sigmoid (or softmax) ``sigma``. It knows nothing of scikit-learn estimators.

Orientation
-----------
The article works with one example per *column*: ``Z1 = W1 X + b1`` with ``X`` of shape
``(n_features, m)``. Data in scikit-learn has one example per *row*, so every formula
here is the article's transposed once: with ``X`` of shape ``(m, n_features)``::

    Z1 = X W1^T + b1      (m, h)        W1: (h, n_features)   b1: (h,)
    A1 = g(Z1)            (m, h)
    Z2 = A1 W2^T + b2     (m, K)        W2: (K, h)            b2: (K,)
    A2 = sigma(Z2)        (m, K)        K = n_outputs (1 for a binary target)

The parameter shapes are the article's; the biases broadcast over rows. With row
weights ``w`` (m,) and ``S = sum(w)``, the objective is (see :mod:`._losses`)::

    J = (1/S) sum_i w_i l_i + lambda/(2S) (||W1||^2 + ||W2||^2)

and the backward pass, in the same row orientation, is::

    dZ2 = w * (A2 - Y) / S                      (m, K)   w broadcast over columns
    dW2 = dZ2^T A1 + (lambda/S) W2              (K, h)
    db2 = dZ2^T 1                               (K,)
    dA1 = dZ2 W2                                (m, h)
    dZ1 = dA1 * g'(Z1)                          (m, h)   elementwise
    dW1 = dZ1^T X + (lambda/S) W1               (h, n_features)
    db1 = dZ1^T 1                               (h,)

Every ``dP`` is ``dJ/dP``, of the same shape as ``P``; ``1`` is a column of ones.

Namespaces and work arrays
--------------------------
Every formula is written once, for an array namespace: the functions take ``xp``,
the operations of the arrays' namespace (:func:`._arrays.operations`; the
namespace of X when None). For NumPy input they are NumPy's own functions, which
compute their results in new arrays unless given a :class:`._kernels.Buffers`,
whose arrays are then passed as their ``out=``: the numbers are the same either
way. For a sparse X, the products with X and the gradient of W1 go through
:mod:`._kernels`, which touches only the columns of W1 that the batch's nonzeros
reach. In any other namespace (PyTorch, CuPy, ...) the same lines run with that
namespace's operations, which ignore ``out=`` and return new arrays.
"""

from collections import namedtuple

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.utils import gen_batches

from . import _kernels
from ._activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._arrays import operations
from ._losses import batch_objective, cross_entropy, softmax_cross_entropy

__all__ = [
    "Forward",
    "Params",
    "backward",
    "forward",
    "init_params",
    "logits",
    "loss_and_grads",
    "predict_logits",
]

Params = namedtuple("Params", ["W1", "b1", "W2", "b2"])
Params.__doc__ = """The four parameters (or their gradients) of the network.

Attributes
----------
W1 : ndarray of shape (hidden_size, n_features)
b1 : ndarray of shape (hidden_size,)
W2 : ndarray of shape (n_outputs, hidden_size)
b2 : ndarray of shape (n_outputs,)
"""

Forward = namedtuple("Forward", ["Z1", "A1", "Z2", "A2"])
Forward.__doc__ = """The intermediate values of a forward pass, one row per example."""


def init_params(
    n_features, hidden_size, n_outputs, activation, random_state, dtype, order="C"
):
    """Draw initial parameters with Glorot's uniform scheme.

    Each weight matrix is drawn from ``U(-r, r)`` with ``r = sqrt(6 / (fan_in +
    fan_out))``, so that the variance of the activations neither grows nor shrinks
    from layer to layer; for the logistic hidden activation ``r`` is multiplied by
    ``sqrt(2)`` (its slope at 0 is 1/4, not 1). Biases start at zero.

    Parameters
    ----------
    n_features, hidden_size, n_outputs : int
        Layer sizes.
    activation : str
        Name of the hidden activation.
    random_state : numpy.random.RandomState
        Source of randomness.
    dtype : numpy dtype
        Floating dtype of the parameters.
    order : {"C", "F"}, default="C"
        Memory order of W1 and W2 (training uses "F", see :func:`._training.train`);
        the values do not depend on it.

    Returns
    -------
    params : Params
    """
    factor = 2.0 if activation == "logistic" else 1.0

    def glorot(fan_out, fan_in, order="C"):
        bound = np.sqrt(factor * 6.0 / (fan_in + fan_out))
        # Drawn in float64 and then cast, so that float32 and float64 fits start
        # from the same weights up to rounding. The rows are drawn a block at a
        # time, which takes the same numbers from the stream as one draw of the
        # whole matrix without a float64 copy of it (for a wide sparse X, W1 is
        # the largest array of the fit).
        W = np.empty((fan_out, fan_in), dtype=dtype, order=order)
        rows = max(1, 2**16 // fan_in)
        for start in range(0, fan_out, rows):
            block = W[start : start + rows]
            block[...] = random_state.uniform(-bound, bound, block.shape)
        return W

    W1 = glorot(hidden_size, n_features, order)
    W2 = glorot(n_outputs, hidden_size, order)
    return Params(
        W1=W1,
        b1=np.zeros(hidden_size, dtype=dtype),
        W2=W2,
        b2=np.zeros(n_outputs, dtype=dtype),
    )


def forward(params, X, activation, out_activation=None, buffers=None, xp=None):
    """Run the forward pass on a batch.

    Parameters
    ----------
    params : Params
        The network's parameters.
    X : {ndarray, sparse matrix} of shape (m, n_features)
        The batch, one example per row.
    activation : str
        Name of the hidden activation ``g`` (a key of ``ACTIVATIONS``).
    out_activation : {"logistic", "softmax"} or None, default=None
        The output activation ``sigma``; None stops at the logits ``Z2`` (``A2``
        is then None).
    buffers : Buffers, default=None
        Reusable work arrays (see :mod:`._kernels`); without them the results are
        freshly allocated.
    xp : operations, default=None
        The operations of X's namespace (:func:`._arrays.operations`).

    Returns
    -------
    fwd : Forward
        ``(Z1, A1, Z2, A2)``. With buffers, ``Z1`` is ``A1`` (overwritten in place).
    """
    xp = xp or operations(X)
    W1, b1, W2, b2 = params
    g, sigma = ACTIVATIONS[activation], OUTPUT_ACTIVATIONS.get(out_activation)
    H, Z2_out, A2_out = buffers.rows(X.shape[0])[:3] if buffers else (None,) * 3

    Z1 = _affine(X, W1, b1, xp, out=H)  # Z1 = X W1^T + b1
    A1 = g.forward(Z1, out=None if buffers is None else Z1, xp=xp)  # A1 = g(Z1)
    Z2 = _affine(A1, W2, b2, xp, out=Z2_out)  # Z2 = A1 W2^T + b2
    A2 = None if sigma is None else sigma(Z2, out=A2_out, xp=xp)  # A2 = sigma(Z2)
    return Forward(Z1, A1, Z2, A2)


def _affine(A, W, b, xp, out=None):
    """``A W^T + b`` for dense or sparse ``A``, into ``out`` when given."""
    if isinstance(A, np.ndarray) or not xp.is_numpy:
        Z = xp.matmul(A, W.T, out=out)
    else:
        Z = _kernels.sparse_dot(A, W.T, out=out)
    return xp.add(Z, b, out=Z)


def logits(params, X, activation, buffers=None, xp=None):
    """Run the forward pass up to the output logits ``Z2``, as prediction needs.

    The output activation is left to the caller, which applies the one of the
    target (sigmoid, or softmax over the row) to ``Z2`` anyway.

    Parameters
    ----------
    params : Params
        The network's parameters.
    X : {ndarray, sparse matrix} of shape (m, n_features)
        The rows, one example per row.
    activation : str
        Name of the hidden activation ``g``.
    buffers : Buffers, default=None
        Reusable work arrays; ``Z2`` is then a view of the buffers' array.
    xp : operations, default=None
        The operations of X's namespace.

    Returns
    -------
    Z2 : array of shape (m, n_outputs)
    """
    return forward(params, X, activation, None, buffers, xp).Z2


def backward(
    params, X, Y, fwd, w=None, S=None, l2=0.0, activation="relu", buffers=None, xp=None
):
    """Run the backward pass: the gradients of J for one batch.

    Each line is the chain rule through one line of :func:`forward`, named in the
    comment above it, walked in reverse; the L2 term adds ``(lambda/S) W`` to the
    gradient of each weight matrix.

    Parameters
    ----------
    params : Params
        The parameters the forward pass used.
    X : {ndarray, sparse matrix} of shape (m, n_features)
        The batch.
    Y : ndarray of shape (m, n_outputs)
        Encoded targets.
    fwd : Forward
        The result of :func:`forward` on the same batch.
    w : ndarray of shape (m,), default=None
        Row weights; None means all ones.
    S : float, default=None
        ``sum(w)`` (or m); computed when None.
    l2 : float, default=0.0
        L2 penalty lambda.
    activation : str, default="relu"
        The hidden activation the forward pass used.
    buffers : Buffers, default=None
        The buffers the forward pass used; ``fwd.A2`` is overwritten by ``dZ2``.
    xp : operations, default=None
        The operations of X's namespace.

    Returns
    -------
    grads : Params
        ``(dW1, db1, dW2, db2)``; for a sparse X and buffers that allow it, ``dW1``
        is a :class:`._kernels.SparseGradient`.
    """
    xp = xp or operations(X)
    W1, W2 = params.W1, params.W2
    A1, A2 = fwd.A1, fwd.A2
    g = ACTIVATIONS[activation]
    m = X.shape[0]
    S = (m if w is None else float(xp.sum(w))) if S is None else S
    # The out= arrays (NumPy with buffers; None otherwise) and the ones that sum
    # the columns.
    o = xp.outputs(buffers, m, g.work_dtype, A2.dtype)

    # A2 = sigma(Z2), with J = (1/S) sum_i w_i l_i: sigma' cancels the denominator
    # A2 (1 - A2) of the cross-entropy's derivative (the softmax's too, per row)
    dZ2 = xp.multiply(
        xp.subtract(A2, Y, out=o.A2), _row_shares(w, S, xp, o.w), out=o.A2
    )
    # Z2 = A1 W2^T + b2
    dW2 = _plus_penalty(xp.matmul(dZ2.T, A1, out=o.grads.W2), W2, l2 / S, xp)
    db2 = xp.column_sums(o.ones, dZ2, out=o.grads.b2)
    dA1 = xp.times_W2(dZ2, W2, out=o.dH)
    # A1 = g(Z1)
    dZ1 = g.backward(A1, dA1, out=dA1, work=o.work, xp=xp)
    # Z1 = X W1^T + b1 (for a sparse X, see _kernels.sparse_weight_gradient)
    if isinstance(X, np.ndarray) or not xp.is_numpy:
        dW1 = _plus_penalty(xp.matmul(dZ1.T, X, out=o.grads.W1), W1, l2 / S, xp, o)
    else:
        dW1 = _kernels.sparse_weight_gradient(dZ1, X, W1, l2 / S, buffers)
    db1 = xp.column_sums(o.ones, dZ1, out=o.grads.b1)
    return Params(dW1, db1, dW2, db2)


def _row_shares(w, S, xp, out=None):
    """``w_i / S`` as a column (``1/S`` for unweighted rows)."""
    if w is None:
        return 1.0 / S
    return xp.divide(w, S, out=out)[:, None]


def _plus_penalty(dW, W, penalty, xp, outputs=None):
    """``dW + penalty W``, the gradient of the L2 term ``lambda/(2S) ||W||^2`` added.

    ``penalty`` is ``lambda / S``; in NumPy the sum is made in place in ``dW``, and
    ``outputs`` (:func:`._kernels.outputs`) may lend a work array for ``penalty W``.
    """
    if penalty:
        work = None if outputs is None else outputs.penalty(W)
        dW = xp.add(dW, xp.multiply(W, penalty, out=work), out=dW)
    return dW


def loss_and_grads(
    params,
    X,
    Y,
    w=None,
    l2=0.0,
    activation="relu",
    out_activation="logistic",
    buffers=None,
    S=None,
    xp=None,
):
    """Return the objective J of a batch and its gradients.

    Parameters
    ----------
    params : Params
        The network's parameters.
    X : {ndarray, sparse matrix} of shape (m, n_features)
        The batch.
    Y : ndarray of shape (m, n_outputs)
        Encoded targets (0/1 per sigmoid unit, one-hot rows for softmax).
    w : ndarray of shape (m,), default=None
        Row weights ``sample_weight * class_weight``; None means all ones.
    l2 : float, default=0.0
        L2 penalty lambda.
    activation : str, default="relu"
        Hidden activation.
    out_activation : {"logistic", "softmax"}, default="logistic"
        Output activation.
    buffers : Buffers, default=None
        Reusable work arrays.
    S : float, default=None
        ``sum(w)`` (or m), when the caller has it already.
    xp : operations, default=None
        The operations of X's namespace.

    Returns
    -------
    J : float, or a 0-d array outside NumPy
        The objective of :mod:`._losses`.
    grads : Params
        ``dJ/dW1, dJ/db1, dJ/dW2, dJ/db2``.
    """
    xp = xp or operations(X)
    m = X.shape[0]
    if S is None:
        S = m if w is None else float(xp.sum(w))
    Z1, A1, Z2, _ = forward(params, X, activation, None, buffers, xp)
    A2_out = None if buffers is None else buffers.rows(m)[2]
    if out_activation == "softmax":
        # A2 = sigma(Z2) and the loss share their exponentials.
        A2, loss = softmax_cross_entropy(Z2, Y, out=A2_out, xp=xp)
    else:
        A2 = OUTPUT_ACTIVATIONS[out_activation](Z2, out=A2_out, xp=xp)  # A2 = sigma(Z2)
        loss = cross_entropy(Z2, Y, out_activation, xp=xp)
    # Unweighted, the losses are summed as a product with ones, as backward sums
    # its columns.
    weights = w if w is not None or buffers is None else buffers.ones[:m]
    J = batch_objective(loss, weights, S, params.W1, params.W2, l2, xp=xp)
    fwd = Forward(Z1, A1, Z2, A2)
    return J, backward(params, X, Y, fwd, w, S, l2, activation, buffers, xp)


# Row-by-row work arrays that prediction needs per chunk, in units of hidden_size
# (Z1/A1) and n_outputs (Z2, probabilities): used to size chunks.
_PREDICT_ROW_FACTORS = (1, 3)


def predict_logits(params, X, activation, xp=None):
    """``Z2`` for all rows of X, computed in chunks of bounded memory.

    The chunks hold as many rows as scikit-learn's ``working_memory`` allows for
    the hidden layer and the outputs (see :func:`chunk_rows`).

    Parameters
    ----------
    params : Params
    X : {array, sparse matrix} of shape (n_samples, n_features)
    activation : str
        Name of the hidden activation.
    xp : operations, default=None
        The operations of X's namespace.

    Returns
    -------
    Z2 : array of shape (n_samples, n_outputs)
    """
    xp = xp or operations(X)
    n = X.shape[0]
    rows = chunk_rows(n, params, xp)
    if not xp.is_numpy:
        if rows >= n:
            return logits(params, X, activation, xp=xp)
        chunks = [
            logits(params, X[chunk, :], activation, xp=xp)
            for chunk in gen_batches(n, rows)
        ]
        return xp.concat(chunks, axis=0)
    if sp.issparse(X) and not params.W1.flags.f_contiguous:
        # scipy would copy W1^T to C order for every chunk: do it once.
        params = params._replace(W1=np.asfortranarray(params.W1))
    # For sparse chunks scipy allocates the hidden layer anyway, and the
    # forward pass works in that array.
    buffers = _kernels.Buffers(
        max(1, min(rows, n)), params, train=False, hidden=not sp.issparse(X)
    )
    if rows >= n:
        # One chunk, the common case. gen_batches validates its arguments, a
        # cost of the order of the whole forward pass of a few rows.
        return logits(params, X, activation, buffers, xp)
    Z2 = np.empty((n, params.W2.shape[0]), dtype=params.W1.dtype)
    for chunk in gen_batches(n, rows):
        Z2[chunk] = logits(params, X[chunk], activation, buffers, xp)
    return Z2


def chunk_rows(n, params, xp=None):
    """Rows per prediction chunk, from scikit-learn's ``working_memory``."""
    xp = xp or operations(params.W1)
    h_factor, k_factor = _PREDICT_ROW_FACTORS
    hidden_size, n_outputs = params.W1.shape[0], params.W2.shape[0]
    row_bytes = xp.itemsize(params.W1.dtype) * (
        h_factor * hidden_size + k_factor * n_outputs
    )
    budget = get_config()["working_memory"] * 2**20
    return int(min(n, max(1, budget // row_bytes)))
