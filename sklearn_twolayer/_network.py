"""The two-layer network: forward pass, backward pass, loss and gradients.

This module is plain NumPy/SciPy and knows nothing of scikit-learn estimators. Its
names are the article's: layer 1 is the hidden layer with activation ``g``, layer 2
the output layer with a sigmoid (or softmax) ``sigma``.

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
    db2 = sum over rows of dZ2                  (K,)
    dA1 = dZ2 W2                                (m, h)
    dZ1 = dA1 * g'(Z1)                          (m, h)   elementwise
    dW1 = dZ1^T X + (lambda/S) W1               (h, n_features)
    db1 = sum over rows of dZ1                  (h,)

Every ``dP`` is ``dJ/dP``, of the same shape as ``P``.

Buffers
-------
The functions allocate their results unless given a :class:`Buffers`, which holds
arrays sized for the largest batch and is reused for every batch of an epoch. With
buffers, ``A1`` overwrites ``Z1`` (the backward pass needs ``g'`` only as a function
of ``A1``) and ``dZ2`` overwrites ``A2``; the values are the same either way.

Layout of W1 and W2
-------------------
Every function takes ``W1`` and ``W2`` in either memory order. For sparse input,
Fortran order is the fast one: ``W1^T`` (one row per feature) is then C-contiguous,
so that scipy multiplies a sparse batch by it without a copy, and the columns of
``W1`` that a sparse batch touches are contiguous rows of ``W1^T`` (see
:class:`SparseGradient`).
Training uses Fortran order for dense input too: the product ``X^T dZ1`` that gives
``dW1`` then writes a C-contiguous ``(n_features, hidden_size)`` array, which BLAS
computes about a tenth faster than the ``(hidden_size, n_features)`` one (measured
on the shapes of the benchmarks). ``W2`` is kept in Fortran order too: with few
outputs, ``A1 W2^T`` runs about twice as fast with ``W2^T`` C-contiguous, while
``dZ2 W2`` reads a C-ordered copy (see ``_times_W2``).
"""

from collections import namedtuple

import numpy as np
import scipy.sparse as sp

from ._activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._losses import batch_objective, cross_entropy, softmax_cross_entropy

__all__ = [
    "Buffers",
    "Forward",
    "Params",
    "SparseGradient",
    "active_rows",
    "add_sparse_product",
    "backward",
    "flat_params",
    "forward",
    "init_params",
    "logits",
    "loss_and_grads",
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

SparseGradient = namedtuple("SparseGradient", ["X", "dZ1"])
SparseGradient.__doc__ = """``dW1 = dZ1^T X`` of a sparse batch, as its two factors.

A column j of ``dW1`` is zero unless feature j is nonzero in some row of the batch,
and with a sparse X most columns are zero. Without an L2 term the backward pass
returns the factors instead of the product, and the optimiser adds
``-alpha X^T dZ1`` straight into ``W1^T`` with :func:`add_sparse_product`, so that
only the rows of ``W1^T`` (columns of ``W1``) that the batch touches are read and
written, and no array of the gradient's size is made.

Attributes
----------
X : scipy.sparse.csr_matrix of shape (m, n_features)
    The batch.
dZ1 : ndarray of shape (m, hidden_size)
    The gradient of J with respect to ``Z1``.
"""

# With one output unit and a dense batch of at least this many hidden entries
# (m * hidden_size), the backward pass never forms dZ1 (see backward); below it, the
# few extra NumPy calls of that form cost more than they save.
FACTORED_MIN_SIZE = 8192

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
        Memory order of W1 and W2 (see the module docstring); the values do not
        depend on it.

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


def flat_params(params):
    """Copy parameters into consecutive views of one 1-D array.

    An elementwise update can then run over the four arrays in one NumPy call
    instead of four, which matters on small batches. The views come in the order
    ``W1, b1, W2, b2``; each keeps the memory order of its source (C unless it is
    Fortran-ordered only); :class:`Buffers` lays out the gradients the same way.

    Parameters
    ----------
    params : Params

    Returns
    -------
    params : Params
        The same values, each array a view of one shared 1-D base.
    """
    flat = np.empty(sum(p.size for p in params), dtype=params[0].dtype)
    views, start = [], 0
    for p in params:
        block = flat[start : start + p.size]
        if p.flags.f_contiguous and not p.flags.c_contiguous:
            view = block.reshape(p.shape[::-1]).T
        else:
            view = block.reshape(p.shape)
        view[...] = p
        views.append(view)
        start += p.size
    return Params(*views)


def _shared_base(arrays):
    """The 1-D array that ``arrays`` exactly tile as views, or None."""
    base = arrays[0].base if isinstance(arrays[0], np.ndarray) else None
    if (
        base is None
        or base.ndim != 1
        or base.size != sum(getattr(a, "size", -1) for a in arrays)
        or any(getattr(a, "base", None) is not base for a in arrays)
        or not all(a.flags.c_contiguous or a.flags.f_contiguous for a in arrays)
    ):
        return None
    return base


class Buffers:
    """Work arrays for the forward and backward passes of batches of up to ``m`` rows.

    Parameters
    ----------
    m : int
        The largest batch size.
    params : Params
        Parameters whose shapes and dtype the buffers follow.
    train : bool, default=True
        Whether the buffers serve training; prediction needs only the hidden layer
        and ``Z2`` (see :func:`logits`), and ``A2`` is then allocated by the call
        that asks for it.
    hidden : bool, default=True
        Whether to hold the hidden layer ``H``; the forward pass of a sparse batch
        works in the array that scipy's product returns instead.
    sparse_gradients : bool, default=False
        Whether the backward pass of a sparse batch without L2 term may return the
        gradient of ``W1`` as a :class:`SparseGradient`, which the optimiser applies
        to the touched columns alone.
    """

    def __init__(self, m, params, *, train=True, hidden=True, sparse_gradients=False):
        h, K, dtype = params.W1.shape[0], params.W2.shape[0], params.W1.dtype
        self.m = m
        self.dtype = dtype
        # Z1, then A1 in place
        self.H = np.empty((m, h), dtype=dtype) if hidden else None
        # A2, then dZ2 in place
        self.A2 = np.empty((m, K), dtype=dtype) if train else None
        self.Z2 = np.empty((m, K), dtype=dtype)
        self.dH = None
        self.grads = None
        self.sparse_gradients = sparse_gradients
        if train:
            self.dH = np.empty((m, h), dtype=dtype)  # dA1, then dZ1 in place
            self.w = np.empty(m, dtype=dtype)  # w / S
            self.ones = np.ones(m, dtype=dtype)  # column sums as products
            # With sparse gradients, dW1 has no dense buffer until an L2 term asks
            # for one.
            if sparse_gradients:
                self.grads = Params(None, *(np.empty_like(p) for p in params[1:]))
            else:
                self.grads = flat_params(params)
        self._rows = {}
        self._work = {}
        self._penalty = None
        self._scaled_X = None
        self._c_copy = None

    def rows(self, m):
        """Return views of the row buffers for a batch of ``m`` rows."""
        views = self._rows.get(m)
        if views is None:
            views = self._rows[m] = tuple(
                None if a is None else a[:m]
                for a in (self.H, self.dH, self.A2, self.Z2)
            )
        return views

    def backward_rows(self, m, work_dtype):
        """Views of dH, A2, ``work(m, work_dtype)``, w and ones for ``m`` rows."""
        key = (m, work_dtype)
        views = self._rows.get(key)
        if views is None:
            views = self._rows[key] = (
                self.dH[:m],
                self.A2[:m],
                self.work(m, work_dtype),
                self.w[:m],
                self.ones[:m],
            )
        return views

    def work(self, m, dtype):
        """An ``(m, hidden_size)`` scratch array of the given dtype (g' of a batch)."""
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        full = self._work.get(dtype)
        if full is None:
            full = self._work[dtype] = np.empty(self.H.shape, dtype=dtype)
        return full[:m]

    def scaled_X(self, m, n_features):
        """An ``(m, n_features)`` scratch array for the rows of X times ``dZ2``."""
        full = self._scaled_X
        if full is None or full.shape[1] != n_features:
            full = self._scaled_X = np.empty((self.m, n_features), dtype=self.dtype)
        return full[:m]

    def dense_dW1(self, W1):
        """The dense buffer of ``dW1``, allocated on first use."""
        if self.grads.W1 is None:
            self.grads = self.grads._replace(W1=np.empty_like(W1))
        return self.grads.W1

    def c_ordered(self, W):
        """A C-ordered copy of ``W``, in an array reused from batch to batch."""
        if self._c_copy is None or self._c_copy.shape != W.shape:
            self._c_copy = np.empty(W.shape, dtype=W.dtype)
        np.copyto(self._c_copy, W)
        return self._c_copy

    def penalty(self, W):
        """A scratch array like ``W`` for the L2 term ``(lambda/S) W``."""
        if self._penalty is None or self._penalty.shape != W.shape:
            self._penalty = np.empty_like(W)
        return self._penalty


# OpenBLAS, the BLAS of NumPy's wheels, computes a product of at most 10^6
# multiply-adds with kernels that skip its packing step (its path for small
# matrices on processors with AVX-512, like the benchmarks' machine). A product of
# up to twice that size with a result of at most 128 columns mostly runs faster
# as two such halves: the two products with X of a batch of the digits
# (200 x 64 x 100) take a quarter less time in float64. On ten such shapes the
# halves took 0.5 to 0.85 times as long in float64 but for 100 x 200 x 64 (1.07),
# and 0.55 to 1.13 in float32; with 256 or more columns they were as often slower
# as faster (docs/benchmarks.md). With another BLAS, the halves cost one call more.
_SMALL_PRODUCT = 10**6
_SMALL_PRODUCT_COLUMNS = 128


def _matmul(A, B, out=None):
    """``A @ B`` for dense 2-D arrays, into ``out`` when given.

    A product of between one and two times ``_SMALL_PRODUCT`` multiply-adds, with
    at most ``_SMALL_PRODUCT_COLUMNS`` columns, is computed as two products of half
    the rows of ``A`` each; every entry is still one dot product of a row of ``A``
    and a column of ``B``.
    """
    m, k = A.shape
    n = B.shape[1]
    size = m * k * n
    if (
        size <= _SMALL_PRODUCT
        or size > 2 * _SMALL_PRODUCT
        or n > _SMALL_PRODUCT_COLUMNS
        or m == 1
    ):
        return np.matmul(A, B, out=out)
    half = (m + 1) // 2
    if out is None:
        out = np.empty((m, n), dtype=np.result_type(A, B))
    np.matmul(A[:half], B, out=out[:half])
    np.matmul(A[half:], B, out=out[half:])
    return out


# Hidden entries of a batch (m * hidden_size) from which _times_W2 copies W2.
_W2_COPY_MIN_SIZE = 8192


def _times_W2(dZ2, W2, buffers, out):
    """``dZ2 @ W2``, the gradient ``dA1`` of a layer of several output units.

    W2 is kept in Fortran order for ``A1 W2^T``; this product, in OpenBLAS's path
    for small matrices, takes about 0.7 times as long from a C-ordered copy of W2
    (200 x 10 x 100 and 256 x 10 x 256), copy included. On tiny batches the copy
    costs more than it saves, and above the small-matrix size nothing is gained.
    """
    m, h = dZ2.shape[0], W2.shape[1]
    if (
        W2.flags.f_contiguous
        and not W2.flags.c_contiguous
        and m * h >= _W2_COPY_MIN_SIZE
        and dZ2.size * h <= _SMALL_PRODUCT
    ):
        W2 = np.ascontiguousarray(W2) if buffers is None else buffers.c_ordered(W2)
    return np.matmul(dZ2, W2, out=out)


def _dot(X, W_T, out=None):
    """``X @ W_T`` for dense or sparse ``X``, into ``out`` when given.

    For sparse X without scipy's accumulating kernel, the result is the array that
    scipy allocates anyway: copying it into ``out`` would only hold two copies.
    """
    if not isinstance(X, np.ndarray):
        if out is not None and _use_kernels(X, W_T, out):
            out[...] = 0
            m, n_features = X.shape
            _KERNELS[0](
                m, n_features, W_T.shape[1], X.indptr, X.indices, X.data, W_T, out
            )
            return out
        # scipy reads W_T through a C-ordered copy unless it is C-contiguous, as
        # W1^T is when W1 is in Fortran order.
        return np.asarray(X @ W_T)
    return _matmul(X, W_T, out=out)


def _dot_T(D, X, out=None):
    """``D^T @ X`` for dense ``D`` and dense or sparse ``X``, into ``out`` if given."""
    # With a Fortran-ordered out (the layout of W1), (X^T D) is written into the
    # C-contiguous out^T: the same products, without a transposing copy.
    transposed = (
        out is not None and out.flags.f_contiguous and not out.flags.c_contiguous
    )
    if not isinstance(X, np.ndarray):
        # (X^T D)^T: scipy multiplies sparse on the left only.
        result = X.T @ D
        if out is None:
            return np.ascontiguousarray(result.T)
        np.copyto(out.T if transposed else out, result if transposed else result.T)
        return out
    if transposed:
        _matmul(X.T, D, out=out.T)
        return out
    return _matmul(D.T, X, out=out)


def _scipy_kernels():
    """scipy's kernels for ``Y += X @ B`` and ``Y += X^T @ B`` (X in CSR), or None.

    scipy's public products always return a new array; these kernels, which they
    call with a zeroed Y, add into a given one. They are private, so they are
    looked up once and checked on a small product against the public result; if
    anything differs, the public products are used instead.
    """
    try:
        from scipy.sparse._sparsetools import csc_matvecs, csr_matvecs
    except ImportError:
        return None
    X = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
    B, B_T = np.arange(6.0).reshape(3, 2), np.arange(4.0).reshape(2, 2)
    Y, Y_T = np.ones((2, 2)), np.ones((3, 2))
    try:
        csr_matvecs(2, 3, 2, X.indptr, X.indices, X.data, B, Y)
        # The CSR arrays of X are the CSC arrays of X^T.
        csc_matvecs(3, 2, 2, X.indptr, X.indices, X.data, B_T, Y_T)
    except Exception:
        return None
    if np.array_equal(Y, 1 + X @ B) and np.array_equal(Y_T, 1 + X.T @ B_T):
        return csr_matvecs, csc_matvecs
    return None


_KERNELS = _scipy_kernels()


def _use_kernels(X, *arrays):
    """Whether the kernels apply: a CSR X and C-contiguous arrays of its dtype."""
    return (
        _KERNELS is not None
        and X.format == "csr"
        and all(a.flags.c_contiguous and a.dtype == X.dtype for a in arrays)
    )


def add_sparse_product(rows, X, D, scale):
    """Add ``scale * X^T D`` to ``rows`` in place, touching only the rows it changes.

    Parameters
    ----------
    rows : ndarray of shape (n_features, hidden_size)
        C-contiguous; ``W1^T`` (or a velocity or gradient laid out like it).
    X : scipy.sparse.csr_matrix of shape (m, n_features)
    D : ndarray of shape (m, hidden_size)
    scale : float

    Returns
    -------
    rows : ndarray
    """
    D = np.ascontiguousarray(D)
    data = X.data * scale
    if _use_kernels(X, rows, D, data):
        m, n_features = X.shape
        _KERNELS[1](n_features, m, D.shape[1], X.indptr, X.indices, data, D, rows)
        return rows
    # The same sum with public scipy: the product restricted to the features
    # present, gathered, added and scattered back.
    X_T = sp.csr_matrix((data, X.indices, X.indptr), shape=X.shape).T.tocsr()
    present = np.flatnonzero(np.diff(X_T.indptr))
    values = X_T[present] @ D
    touched = rows[present]
    touched += values
    rows[present] = touched
    return rows


def forward(params, X, activation, out_activation, buffers=None):
    """Run the forward pass on a batch.

    Parameters
    ----------
    params : Params
        The network's parameters.
    X : {ndarray, sparse matrix} of shape (m, n_features)
        The batch, one example per row.
    activation : str
        Name of the hidden activation ``g`` (a key of ``ACTIVATIONS``).
    out_activation : {"logistic", "softmax"}
        The output activation ``sigma``.
    buffers : Buffers, default=None
        Reusable work arrays; without them the results are freshly allocated.

    Returns
    -------
    fwd : Forward
        ``(Z1, A1, Z2, A2)``. With buffers, ``Z1`` is ``A1`` (overwritten in place).
    """
    Z1, A1, Z2, A2_out = _logits(params, X, activation, buffers)
    A2 = OUTPUT_ACTIVATIONS[out_activation](Z2, out=A2_out)  # A2 = sigma(Z2)
    return Forward(Z1, A1, Z2, A2)


def logits(params, X, activation, buffers=None):
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

    Returns
    -------
    Z2 : ndarray of shape (m, n_outputs)
    """
    return _logits(params, X, activation, buffers)[2]


def _logits(params, X, activation, buffers):
    """The forward pass up to ``Z2``; also returns the buffer for ``A2`` (or None)."""
    g = ACTIVATIONS[activation]
    m = X.shape[0]
    H, _, A2_out, Z2_out = buffers.rows(m) if buffers is not None else (None,) * 4

    Z1 = _dot(X, params.W1.T, out=H)  # Z1 = X W1^T + b1
    Z1 += params.b1
    # With buffers, A1 overwrites Z1: in H, or for sparse X in scipy's result.
    A1 = g.forward(Z1, out=None if buffers is None else Z1)  # A1 = g(Z1)
    Z2 = np.matmul(A1, params.W2.T, out=Z2_out)  # Z2 = A1 W2^T + b2
    Z2 += params.b2
    return Z1, A1, Z2, A2_out


# Rows gathered per chunk by active_rows: at most this many entries of X.
_ACTIVE_CHUNK_ENTRIES = 1 << 20


def active_rows(params, X, rows, limit):
    """The number of rows of ``X[rows]`` on which some hidden unit has ``Z1 > 0``.

    On a row where every unit has ``Z1 <= 0``, the ReLU outputs ``A1`` are all 0
    and so are the slopes ``g'(Z1)``: the row gets the output of the biases alone,
    and sends no gradient into the hidden layer. The rows are read in chunks, and
    reading stops once more than ``limit`` rows have been found active, which on a
    living network is within the first chunk or so: only a (nearly) dead layer
    costs a pass over all the rows.

    Parameters
    ----------
    params : Params
        The network's parameters.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    rows : ndarray of int
        The rows to look at.
    limit : int
        Past this many active rows, counting stops.

    Returns
    -------
    n_active : int
        The active rows; when above ``limit``, a lower bound of their number.
    """
    chunk = max(1, min(1024, _ACTIVE_CHUNK_ENTRIES // max(1, X.shape[1])))
    n_active = 0
    for start in range(0, len(rows), chunk):
        # Z1 = X W1^T + b1, as a plain product: a pass made once per fit needs
        # none of the training's work buffers.
        Z1 = np.asarray(X[rows[start : start + chunk]] @ params.W1.T) + params.b1
        n_active += int(np.count_nonzero((Z1 > 0).any(axis=1)))
        if n_active > limit:
            break
    return n_active


def backward(
    params, X, Y, fwd, w=None, S=None, l2=0.0, activation="relu", buffers=None
):
    """Run the backward pass: the gradients of J for one batch.

    Each line is the chain rule through one line of :func:`forward`, named in the
    comment, walked in reverse.

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

    Returns
    -------
    grads : Params
        ``(dW1, db1, dW2, db2)``.
    """
    g = ACTIVATIONS[activation]
    m = X.shape[0]
    if S is None:
        S = m if w is None else float(np.sum(w))
    if buffers is None:
        dH = A2_out = work = w_scaled = None
        ones = np.ones(m, dtype=fwd.A2.dtype)
        out = Params(None, None, None, None)
    else:
        dH, A2_out, work, w_scaled, ones = buffers.backward_rows(m, g.work_dtype)
        out = buffers.grads

    # A2 = sigma(Z2), with J the weighted mean cross-entropy:
    #   dJ/dZ2 = w (A2 - Y) / S  (the sigma' factor cancels the cross-entropy's
    #   denominator A2 (1 - A2); for softmax the same form holds per row)
    dZ2 = np.subtract(fwd.A2, Y, out=A2_out)
    if w is None:
        dZ2 *= 1.0 / S
    else:
        dZ2 *= np.divide(w, S, out=w_scaled)[:, None]
    # Z2 = A1 W2^T + b2
    if dZ2.shape[1] == 1:
        # One output unit: a vector-matrix product, for which np.dot has less
        # overhead than matmul's (1 x m) by (m x h) product (32 x 64: 1.5 against
        # 2.2 microseconds) and gives the same numbers.
        dW2 = np.empty_like(params.W2) if out.W2 is None else out.W2
        np.dot(dZ2[:, 0], fwd.A1, out=dW2[0])
    else:
        dW2 = _dot_T(dZ2, fwd.A1, out=out.W2)
    # The sums over rows are products with a vector of ones: BLAS does them in
    # a third of the time of np.add.reduce on these shapes.
    db2 = np.dot(ones, dZ2, out=out.b2)
    h = params.W2.shape[1]
    if dZ2.shape[1] == 1 and isinstance(X, np.ndarray) and m * h >= FACTORED_MIN_SIZE:
        # One output unit: the next two steps at once, without forming dZ1.
        dW1, db1 = _one_output_first_layer(
            params, X, dZ2, fwd.A1, g, l2, S, buffers, work, out
        )
        if l2:
            dW2 += (l2 / S) * params.W2
        return Params(dW1, db1, dW2, db2)
    if dZ2.shape[1] == 1:
        # One output unit: the product is an outer product, each entry a single
        # multiplication. einsum's outer product runs about twice as fast as
        # broadcasting (which pays per row) on large batches, and both beat a
        # BLAS call; on small ones broadcasting has less overhead.
        if m * h >= FACTORED_MIN_SIZE:
            dA1 = np.einsum("i,j->ij", dZ2[:, 0], params.W2[0], out=dH)
        else:
            dA1 = np.multiply(dZ2, params.W2, out=dH)
    else:
        dA1 = _times_W2(dZ2, params.W2, buffers, out=dH)
    # A1 = g(Z1)
    dZ1 = g.backward(fwd.A1, dA1, out=dA1, work=work)
    # Z1 = X W1^T + b1
    if (
        buffers is not None
        and buffers.sparse_gradients
        and not isinstance(X, np.ndarray)
    ):
        dW1 = SparseGradient(X.tocsr(), dZ1)
        if l2:
            # The L2 term makes every column nonzero: a dense gradient.
            dense = np.multiply(params.W1, l2 / S, out=buffers.dense_dW1(params.W1))
            dW1 = add_sparse_product(dense.T, dW1.X, dZ1, 1.0).T
    else:
        dW1 = _dot_T(dZ1, X, out=out.W1)
        if l2:
            penalty = None if buffers is None else buffers.penalty(params.W1)
            dW1 += np.multiply(params.W1, l2 / S, out=penalty)
    db1 = np.dot(ones, dZ1, out=out.b1)
    # + lambda/(2S) (||W1||^2 + ||W2||^2)
    if l2:
        dW2 += (l2 / S) * params.W2
    return Params(dW1, db1, dW2, db2)


def _one_output_first_layer(params, X, dZ2, A1, g, l2, S, buffers, work, out):
    """``dW1`` and ``db1`` of a dense batch with one output unit, without ``dZ1``.

    With one output unit, ``dA1 = dZ2 w2^T`` is an outer product (``w2 = W2[0]``),
    so that, with ``G = g'(Z1)``::

        dZ1 = dA1 * G = diag(dZ2) G diag(w2)
        dW1 = dZ1^T X = diag(w2) G^T (diag(dZ2) X)
        db1 = dZ1^T 1 = diag(w2) G^T dZ2

    Scaling the rows of X (m x d) and of the result (h x d) instead of forming dZ1
    (m x h) saves passes over (m, h) arrays, the costliest work after the products
    with X. Only the order of the roundings differs from :func:`backward`'s other
    path. With buffers, ``G`` overwrites ``A1``.
    """
    m = X.shape[0]
    G = g.slope(A1, out=None if buffers is None else A1, work=work)
    X_scaled = np.multiply(
        X, dZ2, out=None if buffers is None else buffers.scaled_X(m, X.shape[1])
    )
    dW1 = _dot_T(G, X_scaled, out=out.W1)
    dW1 *= params.W2.T
    db1 = np.dot(dZ2[:, 0], G, out=out.b1)
    db1 *= params.W2[0]
    if l2:
        penalty = None if buffers is None else buffers.penalty(params.W1)
        dW1 += np.multiply(params.W1, l2 / S, out=penalty)
    return dW1, db1


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

    Returns
    -------
    J : float
        The objective of :mod:`._losses`.
    grads : Params
        ``dJ/dW1, dJ/db1, dJ/dW2, dJ/db2``.
    """
    if S is None:
        S = X.shape[0] if w is None else float(np.sum(w))
    Z1, A1, Z2, A2_out = _logits(params, X, activation, buffers)
    if out_activation == "softmax":
        # A2 = sigma(Z2) and the loss share their exponentials.
        A2, loss = softmax_cross_entropy(Z2, Y, out=A2_out)
    else:
        A2 = OUTPUT_ACTIVATIONS[out_activation](Z2, out=A2_out)  # A2 = sigma(Z2)
        loss = cross_entropy(Z2, Y, out_activation)
    fwd = Forward(Z1, A1, Z2, A2)
    # Unweighted, the losses are summed as a product with ones, as backward sums
    # its columns: on a batch of 32 rows, 0.7 instead of 1.6 microseconds.
    weights = w if w is not None or buffers is None else buffers.ones[: X.shape[0]]
    J = batch_objective(loss, weights, S, params.W1, params.W2, l2)
    grads = backward(params, X, Y, fwd, w, S, l2, activation, buffers)
    return J, grads
