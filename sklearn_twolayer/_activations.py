"""Hidden activations g^[1], their derivatives, and the output activations.

Each hidden activation is a pair of functions in :data:`ACTIVATIONS`:

``forward(Z, out=None)``
    returns ``g(Z)``; with ``out=Z`` it works in place.
``backward(A, dA, out=None, work=None)``
    returns ``dA * g'(Z)``, the chain rule through ``A = g(Z)``. Each ``g'`` here is
    written as a function of ``A`` alone (``1 - A^2`` for tanh, ``A (1 - A)`` for the
    logistic function, ``A > 0`` for relu), so the forward pass may overwrite ``Z``
    with ``A``. With ``out=dA`` it works in place; ``work``, an array of the shape
    of ``A`` and of the activation's ``work_dtype`` (bool for relu, A's dtype
    otherwise), holds ``g'`` so that no temporary is allocated.
``slope(A, out=None, work=None)``
    returns ``g'(Z)`` itself, in A's dtype, again from ``A`` alone; ``out=A`` is
    allowed (``work``, like A, is then needed for the logistic function only).

The output activations are the sigmoid (one unit per binary decision, the article's
``sigma``) and the softmax (one unit per class, rows summing to one).
"""

import numpy as np
from scipy.special import expit, log_expit

__all__ = [
    "ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "Activation",
    "log_sigmoid",
    "log_softmax",
    "sigmoid",
    "softmax",
]


class Activation:
    """A hidden activation ``g`` and the chain rule through it.

    Parameters
    ----------
    name : str
        The name users pass as ``activation``.
    forward : callable
        ``forward(Z, out=None) -> g(Z)``.
    backward : callable
        ``backward(A, dA, out=None, work=None) -> dA * g'(Z)`` with ``A = g(Z)``.
    slope : callable
        ``slope(A, out=None, work=None) -> g'(Z)`` with ``A = g(Z)``.
    work_dtype : dtype or None, default=None
        The dtype of the ``work`` array that ``backward`` accepts; None means the
        dtype of ``A``.
    """

    def __init__(self, name, forward, backward, slope, work_dtype=None):
        self.name = name
        self.forward = forward
        self.backward = backward
        self.slope = slope
        self.work_dtype = work_dtype

    def derivative(self, Z):
        """Return ``g'(Z)`` itself (used by tests and the docs, not by training)."""
        Z = np.asarray(Z)
        return self.backward(self.forward(Z), np.ones_like(Z))

    def __repr__(self):
        return f"Activation({self.name!r})"


# identity: g(z) = z, g'(z) = 1.
def _identity(Z, out=None):
    if out is None:
        return Z.copy()
    if out is not Z:
        np.copyto(out, Z)
    return out


def _identity_backward(A, dA, out=None, work=None):
    return _identity(dA, out)


def _identity_slope(A, out=None, work=None):
    if out is None:
        return np.ones_like(A)
    out[...] = 1
    return out


# relu: g(z) = max(z, 0), g'(z) = 1 if z > 0 else 0 (0 at the kink, as sklearn).
def _relu(Z, out=None):
    return np.maximum(Z, 0, out=out)


def _relu_backward(A, dA, out=None, work=None):
    # A > 0 exactly where Z > 0, so the mask can be read from A.
    return np.multiply(dA, np.greater(A, 0, out=work), out=out)


def _relu_slope(A, out=None, work=None):
    # The comparison's booleans are cast to A's dtype on the way out.
    return np.greater(A, 0, out=np.empty_like(A) if out is None else out)


# tanh: g'(z) = 1 - tanh(z)^2 = 1 - A^2.
def _tanh(Z, out=None):
    return np.tanh(Z, out=out)


def _tanh_backward(A, dA, out=None, work=None):
    if work is None:
        return np.multiply(dA, 1 - A * A, out=out)
    grad = np.multiply(A, A, out=work)
    np.subtract(1, grad, out=grad)
    return np.multiply(dA, grad, out=out)


def _tanh_slope(A, out=None, work=None):
    out = np.multiply(A, A, out=out)
    return np.subtract(1, out, out=out)


# logistic: g'(z) = sigma(z) (1 - sigma(z)) = A (1 - A).
def _logistic(Z, out=None):
    return expit(Z, out=out)


def _logistic_backward(A, dA, out=None, work=None):
    if work is None:
        return np.multiply(dA, A * (1 - A), out=out)
    grad = np.subtract(1, A, out=work)
    np.multiply(A, grad, out=grad)
    return np.multiply(dA, grad, out=out)


def _logistic_slope(A, out=None, work=None):
    return np.multiply(A, np.subtract(1, A, out=work), out=out)


ACTIVATIONS = {
    "identity": Activation("identity", _identity, _identity_backward, _identity_slope),
    "relu": Activation("relu", _relu, _relu_backward, _relu_slope, work_dtype=np.bool_),
    "tanh": Activation("tanh", _tanh, _tanh_backward, _tanh_slope),
    "logistic": Activation("logistic", _logistic, _logistic_backward, _logistic_slope),
}


def sigmoid(Z, out=None):
    """Return ``sigma(Z) = 1 / (1 + exp(-Z))`` without overflow for any ``Z``."""
    return expit(Z, out=out)


def log_sigmoid(Z):
    """Return ``log sigma(Z)``, finite for every finite ``Z``."""
    return log_expit(Z)


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


def softmax(Z, out=None):
    """Return the row-wise softmax ``exp(Z_k) / sum_j exp(Z_j)``.

    The row maximum is subtracted first, so that no ``exp`` overflows.
    """
    out = np.subtract(Z, row_max(Z), out=out)
    np.exp(out, out=out)
    out /= row_sums(out)
    return out


def log_softmax(Z):
    """Return the row-wise ``log softmax(Z)`` by the log-sum-exp trick.

    The row maximum is subtracted before the logarithm is: ``Z - logsumexp(Z)``
    would take the difference of two numbers of the size of ``Z`` and keep only
    their absolute precision (1e-3 for float32 logits near 1e4), so that
    ``exp(log_softmax(Z))`` would drift from :func:`softmax`.
    """
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


OUTPUT_ACTIVATIONS = {"logistic": sigmoid, "softmax": softmax}
