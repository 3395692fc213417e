"""Speed and memory machinery, kept apart from the math that it serves.

:mod:`._network` computes the formulas of the derivation; the pieces below make
them cheaper without changing what they compute. Each is kept because an epoch of
some benchmark configuration takes at least 5% longer without it (median of seven
interleaved pairs of fits, one BLAS thread; A: the digits, 1,797 x 64, 100 hidden
units, batches of 200, 10 classes; B: 100,000 x 100, 256 hidden units, batches of
256, binary; C: 60,000 x 784, 512 hidden units, batches of 512, 10 classes; D:
100,000 x 20,000 CSR of density 0.002, 128 hidden units, batches of 256, binary;
E: 20,000 x 50, 64 hidden units, batches of 32, binary):

* :class:`Buffers` -- the work arrays of a batch, allocated once per call and
  overwritten batch after batch: an epoch takes 8-12% longer without them on A,
  18-24% on B and C, 33-39% on E.
* Sums over the rows of a batch as products with a vector of ones
  (``Buffers.ones``): 4-11% of an epoch on A, 12-13% on E.
* :func:`flat_params` -- the four parameters, and their gradients, as views of one
  array each, so that an update is two NumPy calls instead of eight: 10-14% of an
  epoch on E.
* :func:`times_W2` -- ``dZ2 W2`` of one output unit as a broadcast product: 6-13%
  of an epoch on B.
* :class:`SparseGradient` and :func:`add_sparse_product` -- for sparse X, the
  update of W1 reads and writes only the columns that the batch's nonzeros reach,
  and no dense gradient of W1 is made: an epoch of D takes 12 times as long
  without.
* scipy's accumulating kernels (:func:`sparse_dot` and :func:`add_sparse_product`)
  -- sparse products into existing arrays: an epoch of D takes 1.9 times as long
  with scipy's public products.
* Fortran order of W1 and W2, in training and in the fitted attributes: ``W1^T`` is
  then C-contiguous, which scipy multiplies by a sparse batch without a copy, and
  its rows -- the columns of W1 that a sparse batch reaches -- are contiguous.
* :func:`index_dtype` -- int32 row indices where intp ones would weigh on X's
  memory (a memory trick, not a speed one).
* :data:`NUMPY` -- the operations that the math calls, as NumPy's own functions
  with their ``out=`` arrays, and the tricks above where they apply: the formulas
  of :mod:`._network`, :mod:`._losses` and :mod:`._activations` are written once
  for an array namespace ``xp``, and NumPy input runs them through this one (the
  other namespaces through :class:`._arrays.ArrayOps`).

The other two of the training loop live where they act: the gathers of shuffled
batches into arrays allocated once (``_training.Batches``: 6-7% of an epoch on E)
and the training of a wide W1 in place by partial_fit on sparse rows
(``_training.ColumnRollback``).
"""

import functools
import math
from collections import namedtuple

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit

__all__ = [
    "NUMPY",
    "Buffers",
    "NumpyOps",
    "Outputs",
    "SparseGradient",
    "add_sparse_product",
    "flat_params",
    "index_dtype",
    "outputs",
    "row_indices",
    "row_max",
    "row_sums",
    "shared_base",
    "sparse_dot",
    "sparse_weight_gradient",
    "times_W2",
]


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


def flat_params(params):
    """Copy parameters into consecutive views of one 1-D array.

    An elementwise update can then run over the four arrays in one NumPy call
    instead of four. The views come in the order ``W1, b1, W2, b2``; each keeps the
    memory order of its source (C unless it is Fortran-ordered only);
    :class:`Buffers` lays out the gradients the same way.

    Parameters
    ----------
    params : Params or sequence of ndarray

    Returns
    -------
    params : Params or tuple
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
    # A Params (or any namedtuple) stays one; other sequences become tuples.
    return params._make(views) if hasattr(params, "_make") else tuple(views)


def shared_base(arrays):
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

    With buffers, ``A1`` overwrites ``Z1`` (the backward pass needs ``g'`` only as a
    function of ``A1``), ``dZ2`` overwrites ``A2`` and ``dZ1`` overwrites ``dA1``;
    the values are those of the allocating computation, bit for bit.

    Parameters
    ----------
    m : int
        The largest batch size.
    params : Params
        Parameters whose shapes and dtype the buffers follow.
    train : bool, default=True
        Whether the buffers serve training; prediction needs only the hidden layer
        and ``Z2``.
    hidden : bool, default=True
        Whether to hold the hidden layer; the forward pass of a sparse batch
        without scipy's kernels works in the array that scipy's product returns.
    sparse_gradients : bool, default=False
        Whether the backward pass of a sparse batch without L2 term may return the
        gradient of ``W1`` as a :class:`SparseGradient`.
    """

    def __init__(self, m, params, *, train=True, hidden=True, sparse_gradients=False):
        h, K, dtype = params.W1.shape[0], params.W2.shape[0], params.W1.dtype
        self.dtype = dtype
        self.sparse_gradients = sparse_gradients
        self.H = np.empty((m, h), dtype=dtype) if hidden else None  # Z1, then A1
        self.Z2 = np.empty((m, K), dtype=dtype)
        self.A2 = self.dH = self.grads = None
        if train:
            self.A2 = np.empty((m, K), dtype=dtype)  # A2, then dZ2
            self.dH = np.empty((m, h), dtype=dtype)  # dA1, then dZ1
            self.w = np.empty(m, dtype=dtype)  # w / S
            self.ones = np.ones(m, dtype=dtype)  # sums over rows as products
            # With sparse gradients, dW1 has no dense buffer until an L2 term asks
            # for one.
            if sparse_gradients:
                rest = (np.empty_like(p) for p in params[1:])
                self.grads = type(params)(None, *rest)
            else:
                self.grads = flat_params(params)
        self._rows = {}
        self._work = {}
        self._penalty = None
        # The Outputs of backward passes, by rows and work dtype (see outputs).
        self.outputs = {}

    def rows(self, m):
        """Views for ``m`` rows of ``H``, ``Z2``, ``A2``, ``dH``, ``w`` and ones.

        Arrays that the buffers do not hold are None.
        """
        views = self._rows.get(m)
        if views is None:
            arrays = (self.H, self.Z2, self.A2, self.dH)
            if self.grads is not None:
                arrays += (self.w, self.ones)
            views = self._rows[m] = tuple(None if a is None else a[:m] for a in arrays)
        return views

    def work(self, m, dtype):
        """An ``(m, hidden_size)`` scratch array of ``dtype`` (None: the buffers')."""
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        full = self._work.get(dtype)
        if full is None:
            full = self._work[dtype] = np.empty(self.dH.shape, dtype=dtype)
        return full[:m]

    def penalty(self, W):
        """A scratch array like ``W`` for the L2 term ``(lambda/S) W``."""
        if self._penalty is None or self._penalty.shape != W.shape:
            self._penalty = np.empty_like(W)
        return self._penalty

    def dense_dW1(self, W1):
        """The dense buffer of ``dW1``, allocated on first use."""
        if self.grads.W1 is None:
            self.grads = self.grads._replace(W1=np.empty_like(W1))
        return self.grads.W1


# The gradient buffers of a pass without buffers: NumPy allocates them.
_NO_GRADIENTS = namedtuple("Gradients", ["W1", "b1", "W2", "b2"])(
    None, None, None, None
)


class Outputs:
    """The ``out=`` arrays of one backward pass: views of :class:`Buffers`, or None.

    Without buffers every ``out`` is None, so that NumPy allocates the results;
    ``ones`` is then a new column of ones, as the sums over rows need.
    """

    def __init__(self, buffers, m, work_dtype, dtype):
        self.buffers = buffers
        if buffers is None:
            self.A2 = self.dH = self.w = self.work = None
            self.grads = _NO_GRADIENTS
            self.ones = np.ones(m, dtype=dtype)
            return
        _, _, self.A2, self.dH, self.w, self.ones = buffers.rows(m)
        self.grads = buffers.grads
        self.work = buffers.work(m, work_dtype)

    def penalty(self, W):
        """A work array for ``(lambda/S) W``, or None."""
        return None if self.buffers is None else self.buffers.penalty(W)


def outputs(buffers, m, work_dtype, dtype):
    """The :class:`Outputs` of a backward pass on ``m`` rows."""
    if buffers is None:
        return Outputs(None, m, work_dtype, dtype)
    key = (m, work_dtype)
    cached = buffers.outputs.get(key)
    if cached is None or cached.grads is not buffers.grads:
        cached = buffers.outputs[key] = Outputs(buffers, m, work_dtype, dtype)
    return cached


def times_W2(dZ2, W2, out=None):
    """``dZ2 W2``, the gradient ``dA1``.

    With one output unit it is an outer product, each entry one multiplication: a
    broadcast product computes the same numbers in 0.4 times the time of BLAS's
    (256 x 1 by 1 x 256: 34 against 87 microseconds).
    """
    if dZ2.shape[1] == 1:
        return np.multiply(dZ2, W2, out=out)
    return np.matmul(dZ2, W2, out=out)


def sparse_dot(X, W_T, out=None):
    """``X @ W_T`` for a sparse ``X``, into ``out`` when scipy's kernel allows.

    Without the kernel, the result is the array that scipy allocates anyway:
    copying it into ``out`` would only hold two copies. scipy reads ``W_T``
    through a C-ordered copy unless it is C-contiguous, as ``W1^T`` is when W1 is
    in Fortran order.
    """
    if out is not None and _use_kernels(X, W_T, out):
        out[...] = 0
        m, n_features = X.shape
        _KERNELS[0](m, n_features, W_T.shape[1], X.indptr, X.indices, X.data, W_T, out)
        return out
    return np.asarray(X @ W_T)


def sparse_weight_gradient(dZ1, X, W1, penalty, buffers):
    """``dW1 = dZ1^T X + penalty W1`` for a sparse batch X.

    With buffers that allow it and no penalty, the gradient is returned as its two
    factors (:class:`SparseGradient`); with a penalty, the products are added into
    ``penalty W1``, column by column of X; without buffers, it is scipy's product.
    """
    if buffers is None or not buffers.sparse_gradients:
        # (X^T dZ1)^T: scipy multiplies sparse on the left only.
        dW1 = np.ascontiguousarray((X.T @ dZ1).T)
        if penalty:
            dW1 += np.multiply(W1, penalty)
        return dW1
    X = X.tocsr()
    if not penalty:
        return SparseGradient(X, dZ1)
    # The L2 term makes every column nonzero: a dense gradient.
    dense = np.multiply(W1, penalty, out=buffers.dense_dW1(W1))
    return add_sparse_product(dense.T, X, dZ1, 1.0).T


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


# intp indices are kept up to this fraction (1/20) of X's bytes.
_INTP_MAX_SHARE = 20


def row_indices(X):
    """``arange(n_samples)`` in :func:`index_dtype`: the rows that fit trains on."""
    return np.arange(X.shape[0], dtype=index_dtype(X))


def index_dtype(X):
    """The dtype of the training rows' indices, which each epoch shuffles.

    The index array is the largest one fit adds when X has few columns: int32 halves
    it. Where it weighs little against X, intp is kept, since Generator.shuffle
    moves 8-byte items faster than 4-byte ones (1,797 indices: about 40 against 70
    microseconds, about 1% of an epoch of the digits).
    """
    n = X.shape[0]
    if sp.issparse(X):
        x_bytes = X.data.nbytes
    elif isinstance(X, np.ndarray):
        x_bytes = X.nbytes
    else:
        # Another namespace: the same rule, so that the shuffles are the same.
        x_bytes = n * X.shape[1] * (4 if "float32" in str(X.dtype) else 8)
    if n >= 2**31 or 8 * n <= x_bytes // _INTP_MAX_SHARE:
        return np.intp
    return np.int32


def row_max(Z):
    """Return the maximum of each row of ``Z``, shape (m, 1).

    NumPy's row reduction costs about 0.06 microseconds a row on rows of a few
    entries, and a pass of ``np.maximum`` over one column about a microsecond
    whatever the number of rows. On many rows of few columns (16 rows a column or
    more) the maximum is therefore taken column by column: 12 instead of 14
    microseconds for 200 rows of 10, whereas one row of 10 takes 2 microseconds
    reduced and 11 column by column. The values are the same either way.
    """
    m, K = Z.shape
    if K > 16 or m < 16 * K:
        return Z.max(axis=1, keepdims=True)
    # One-dimensional columns: a (m, 1) view would be walked one entry per row.
    top = Z[:, 0].copy()
    for k in range(1, K):
        np.maximum(top, Z[:, k], out=top)
    return top[:, None]


def row_sums(Z):
    """Return the sum of each row of ``Z``, shape (m, 1), as ``Z`` times ones.

    The BLAS product takes a quarter of the time of ``Z.sum(axis=1)`` on a few
    columns.
    """
    key = (Z.shape[1], Z.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones((Z.shape[1], 1), dtype=Z.dtype)
        ones.flags.writeable = False
    return np.dot(Z, ones)


# Columns of ones for row_sums, by width and dtype (a handful per process).
_ONES = {}


@functools.cache
def _exp_limit(dtype, n_terms):
    """A shift below which ``n_terms`` exponentials sum to a finite number."""
    return math.log(float(np.finfo(dtype).max) / n_terms) - 1


def _identity_copy(Z, out=None):
    if out is None:
        return Z.copy()
    if out is not Z:
        np.copyto(out, Z)
    return out


class NumpyOps:
    """NumPy's operations as the formulas of the math call them.

    The formulas of :mod:`._network`, :mod:`._losses` and :mod:`._activations` take
    an ``xp`` that provides these names. Here they are NumPy's functions, whose
    ``out=`` arrays (those of :class:`Buffers`) let a batch reuse its work arrays;
    :class:`._arrays.ArrayOps` gives the same names for any other array namespace,
    ignoring ``out=``. A few names stand for a computation rather than one function,
    where NumPy has a faster way to it than the plain reduction: sums over rows or
    columns as products with ones, the row maximum column by column
    (:func:`row_max`), ``dZ2 W2`` of one output unit as a broadcast product
    (:func:`times_W2`), and the shift of the softmax by the target's own logit.
    Every result is a NumPy array, but for the scalars of :meth:`weighted_sum` and
    :meth:`sum_squares`, which are Python floats.
    """

    add = staticmethod(np.add)
    subtract = staticmethod(np.subtract)
    multiply = staticmethod(np.multiply)
    divide = staticmethod(np.divide)
    maximum = staticmethod(np.maximum)
    negative = staticmethod(np.negative)
    abs = staticmethod(np.abs)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)
    tanh = staticmethod(np.tanh)
    square = staticmethod(np.square)
    sqrt = staticmethod(np.sqrt)
    matmul = staticmethod(np.matmul)
    sum = staticmethod(np.sum)
    any = staticmethod(np.any)
    argmax = staticmethod(np.argmax)
    concat = staticmethod(np.concatenate)
    zeros_like = staticmethod(np.zeros_like)
    # scipy's, which neither overflow nor warn for any finite input.
    sigmoid = staticmethod(expit)
    log_sigmoid = staticmethod(log_expit)
    copy = staticmethod(_identity_copy)
    row_max = staticmethod(row_max)
    row_sums = staticmethod(row_sums)
    times_W2 = staticmethod(times_W2)
    outputs = staticmethod(outputs)
    is_numpy = True

    # softplus(Z, out=None) = log(1 + exp(Z)), finite for every finite Z. The
    # partial objects call NumPy without a Python frame in between.
    softplus = functools.partial(np.logaddexp, 0)
    # greater(A, b, out=None): A > b, as booleans (or in out's dtype).
    greater = staticmethod(np.greater)
    # column_sums(ones, Z, out=None): the sum of each column of Z, as the product
    # of a row of ones (of Z's length) with Z.
    column_sums = staticmethod(np.dot)

    @staticmethod
    def weighted_sum(loss, w=None):
        """``sum_i w_i loss_i`` (``w`` None: all ones) as a float."""
        return float(loss.sum() if w is None else np.dot(w, loss))

    @staticmethod
    def sum_squares(W):
        """``||W||^2`` as a float; a ``ravel`` view lets ``dot`` do it in one pass."""
        w = W.ravel()
        return float(np.dot(w, w))

    @staticmethod
    def softmax_shift(Z2, Y, out=None):
        """``(Z2 - c, y.(Z2 - c))`` for a per-row shift c that keeps exp finite.

        The second item, the target's own shifted logit, is None when it is zero.
        Every row of Y sums to one, so logsumexp(z) - y.z equals the same with any
        per-row shift taken off z. The target's own logit y.z (Y is one-hot) is a
        shift that costs less than the row maximum and leaves no sum to underflow
        to zero, the target's own term being exactly 1. Only where a logit exceeds
        the target's by more than exp's range (a badly wrong prediction) would a
        sum overflow; the row maximum is the shift then.
        """
        shifted = np.subtract(Z2, row_sums(Y * Z2), out=out)
        if not shifted.max() > _exp_limit(Z2.dtype, Z2.shape[1]):
            return shifted, None
        shifted = np.subtract(Z2, row_max(Z2), out=shifted)
        return shifted, row_sums(Y * shifted)

    @staticmethod
    def all_finite(a):
        """Whether every entry of ``a`` is finite."""
        return bool(np.isfinite(a).all())

    @staticmethod
    def take_rows(X, idx):
        """Rows ``idx`` (host indices) of a dense or sparse X."""
        return X[idx]

    @staticmethod
    def dense(a):
        """``a`` as an ndarray (scipy's products may return a matrix)."""
        return np.asarray(a)

    @staticmethod
    def count_nonzero(a):
        """The number of nonzero (True) entries of ``a``, an int."""
        return int(np.count_nonzero(a))

    @staticmethod
    def itemsize(dtype):
        """Bytes per entry of ``dtype``."""
        return np.dtype(dtype).itemsize


NUMPY = NumpyOps()
"""NumPy's operations (:class:`NumpyOps`): the ``xp`` of NumPy and sparse input."""
