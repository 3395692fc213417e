"""Hidden activations g^[1], their derivatives, and the output activations.

Each hidden activation is a pair of functions in :data:`ACTIVATIONS`:

``forward(Z, out=None, xp=None)``
    returns ``g(Z)``; with ``out=Z`` it works in place.
``backward(A, dA, out=None, work=None, xp=None)``
    returns ``dA * g'(Z)``, the chain rule through ``A = g(Z)``. Each ``g'`` here is
    written as a function of ``A`` alone (``1 - A^2`` for tanh, ``A (1 - A)`` for the
    logistic function, ``A > 0`` for relu), so the forward pass may overwrite ``Z``
    with ``A``. With ``out=dA`` it works in place; ``work``, an array of the shape
    of ``A`` and of the activation's ``work_dtype`` (bool for relu, A's dtype
    otherwise), holds ``g'`` so that no temporary is allocated.
``slope(A, out=None, work=None)``
    returns ``g'(Z)`` itself, in A's dtype, again from ``A`` alone; ``out=A`` is
    allowed (``work``, like A, is then needed for the logistic function only).
    NumPy only: the docs and the tests use it, training does not.

The output activations are the sigmoid (one unit per binary decision, the article's
``sigma``) and the softmax (one unit per class, rows summing to one).

Every function is written once for an array namespace: ``xp`` provides the
operations (:func:`._arrays.operations`), NumPy's with their ``out=`` arrays by
default, or those of the arrays' own namespace, which ignore ``out=``. With
``xp`` None, it is the namespace of the first argument.
"""

import numpy as np

from ._arrays import operations

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
        ``forward(Z, out=None, xp=None) -> g(Z)``.
    backward : callable
        ``backward(A, dA, out=None, work=None, xp=None) -> dA * g'(Z)`` with
        ``A = g(Z)``.
    slope : callable
        ``slope(A, out=None, work=None) -> g'(Z)`` with ``A = g(Z)`` (NumPy).
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
def _identity(Z, out=None, xp=None):
    xp = xp or operations(Z)
    return xp.copy(Z, out=out)


def _identity_backward(A, dA, out=None, work=None, xp=None):
    return _identity(dA, out, xp)


def _identity_slope(A, out=None, work=None):
    if out is None:
        return np.ones_like(A)
    out[...] = 1
    return out


# relu: g(z) = max(z, 0), g'(z) = 1 if z > 0 else 0 (0 at the kink, as sklearn).
def _relu(Z, out=None, xp=None):
    xp = xp or operations(Z)
    return xp.maximum(Z, 0, out=out)


def _relu_backward(A, dA, out=None, work=None, xp=None):
    xp = xp or operations(A)
    # A > 0 exactly where Z > 0, so the mask can be read from A.
    return xp.multiply(dA, xp.greater(A, 0, out=work), out=out)


def _relu_slope(A, out=None, work=None):
    # The comparison's booleans are cast to A's dtype on the way out.
    return np.greater(A, 0, out=np.empty_like(A) if out is None else out)


# tanh: g'(z) = 1 - tanh(z)^2 = 1 - A^2.
def _tanh(Z, out=None, xp=None):
    xp = xp or operations(Z)
    return xp.tanh(Z, out=out)


def _tanh_backward(A, dA, out=None, work=None, xp=None):
    xp = xp or operations(A)
    slope = xp.multiply(A, A, out=work)
    slope = xp.subtract(1, slope, out=slope)  # g' = 1 - A^2
    return xp.multiply(dA, slope, out=out)


def _tanh_slope(A, out=None, work=None):
    out = np.multiply(A, A, out=out)
    return np.subtract(1, out, out=out)


# logistic: g'(z) = sigma(z) (1 - sigma(z)) = A (1 - A).
def _logistic(Z, out=None, xp=None):
    xp = xp or operations(Z)
    return xp.sigmoid(Z, out=out)


def _logistic_backward(A, dA, out=None, work=None, xp=None):
    xp = xp or operations(A)
    slope = xp.subtract(1, A, out=work)
    slope = xp.multiply(A, slope, out=slope)  # g' = A (1 - A)
    return xp.multiply(dA, slope, out=out)


def _logistic_slope(A, out=None, work=None):
    return np.multiply(A, np.subtract(1, A, out=work), out=out)


ACTIVATIONS = {
    "identity": Activation("identity", _identity, _identity_backward, _identity_slope),
    "relu": Activation("relu", _relu, _relu_backward, _relu_slope, work_dtype=np.bool_),
    "tanh": Activation("tanh", _tanh, _tanh_backward, _tanh_slope),
    "logistic": Activation("logistic", _logistic, _logistic_backward, _logistic_slope),
}


def sigmoid(Z, out=None, xp=None):
    """Return ``sigma(Z) = 1 / (1 + exp(-Z))`` without overflow for any ``Z``."""
    xp = xp or operations(Z)
    return xp.sigmoid(Z, out=out)


def log_sigmoid(Z, xp=None):
    """Return ``log sigma(Z)``, finite for every finite ``Z``."""
    xp = xp or operations(Z)
    return xp.log_sigmoid(Z)


def softmax(Z, out=None, xp=None):
    """Return the row-wise softmax ``exp(Z_k) / sum_j exp(Z_j)``.

    The row maximum is subtracted first, so that no ``exp`` overflows.
    """
    xp = xp or operations(Z)
    out = xp.subtract(Z, xp.row_max(Z), out=out)
    out = xp.exp(out, out=out)
    return xp.divide(out, xp.row_sums(out), out=out)


def log_softmax(Z, xp=None):
    """Return the row-wise ``log softmax(Z)`` by the log-sum-exp trick.

    The row maximum is subtracted before the logarithm is: ``Z - logsumexp(Z)``
    would take the difference of two numbers of the size of ``Z`` and keep only
    their absolute precision (1e-3 for float32 logits near 1e4), so that
    ``exp(log_softmax(Z))`` would drift from :func:`softmax`.
    """
    xp = xp or operations(Z)
    shifted = xp.subtract(Z, xp.row_max(Z))
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


OUTPUT_ACTIVATIONS = {"logistic": sigmoid, "softmax": softmax}
