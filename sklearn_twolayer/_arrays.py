"""Array namespaces: where a fit computes, and the operations the math uses there.

With ``sklearn.set_config(array_api_dispatch=True)``, X from any library that
follows the Python array API standard (PyTorch, CuPy, array_api_strict, ...) keeps
its namespace and device: the network trains and predicts there. NumPy arrays,
sparse matrices and everything else (lists, DataFrames) take the NumPy path, whose
operations are :data:`._kernels.NUMPY`; without dispatch, every input does.

:func:`operations` gives the ``xp`` that the formulas of :mod:`._network`,
:mod:`._losses` and :mod:`._activations` take: NumPy's with its ``out=`` arrays and
speed tricks, or an :class:`ArrayOps` over the namespace of the arrays. The rest
are the few moves between namespaces that a fit needs: labels and weights are
checked and prepared on the host (:func:`to_host`), and what training reads of them
is moved to X's device once (:func:`move`). Namespaces come from
``array-api-compat``, never from scikit-learn's private helpers.
"""

from types import SimpleNamespace

import array_api_compat
import numpy as np
import scipy.sparse as sp
from sklearn import get_config

from ._kernels import NUMPY

__all__ = [
    "ArrayOps",
    "dispatch",
    "float_dtypes",
    "host_dtype",
    "input_namespace",
    "move",
    "namespace",
    "operations",
    "placed_classes",
    "same_place",
    "to_host",
]


def dispatch():
    """Whether scikit-learn's ``array_api_dispatch`` is on."""
    return bool(get_config().get("array_api_dispatch", False))


def _is_host(a):
    """Whether ``a`` takes the NumPy path: NumPy, sparse, or no array API array."""
    return (
        isinstance(a, np.ndarray)
        or sp.issparse(a)
        or not array_api_compat.is_array_api_obj(a)
        or array_api_compat.is_numpy_array(a)
    )


def namespace(a):
    """``(xp, device)`` of an array; ``(None, None)`` for the NumPy path."""
    if _is_host(a):
        return None, None
    return array_api_compat.array_namespace(a), array_api_compat.device(a)


def input_namespace(X):
    """``(xp, device)`` where a fit or a prediction on X computes.

    ``(None, None)``, the NumPy path, unless dispatch is on and X is an array of
    another namespace.
    """
    return namespace(X) if dispatch() else (None, None)


def same_place(a, b):
    """Whether two arrays share namespace and device (both NumPy counts)."""
    (xp_a, dev_a), (xp_b, dev_b) = namespace(a), namespace(b)
    return xp_a is xp_b and (xp_a is None or dev_a == dev_b)


def float_dtypes(xp, device):
    """The floating dtypes X may keep on ``device``: float64 first, if it has it.

    Devices without float64 (Apple's MPS) get float32 alone, so that validation
    casts float64 and integer X to float32, as scikit-learn does there.
    """
    names = xp.__array_namespace_info__().dtypes(kind="real floating", device=device)
    return tuple(getattr(xp, name) for name in ("float64", "float32") if name in names)


def host_dtype(dtype):
    """The NumPy float dtype of the same precision as a floating ``dtype``."""
    if isinstance(dtype, np.dtype) or (
        isinstance(dtype, type) and issubclass(dtype, np.generic)
    ):
        return np.dtype(dtype)
    # Another library's dtype, compared by name: array_api_strict warns when its
    # dtypes are compared with NumPy's.
    return np.dtype(np.float32 if "float32" in str(dtype) else np.float64)


def to_host(a):
    """``a`` as a NumPy array if it is an array of another namespace, else ``a``.

    Host arrays (torch on the CPU, array_api_strict on any of its devices) are read
    through DLPack; others (a GPU) are copied to the CPU first.
    """
    if a is None or _is_host(a):
        return a
    try:
        return np.from_dlpack(a)
    except (BufferError, RuntimeError, TypeError, ValueError):
        return np.asarray(array_api_compat.to_device(a, "cpu"))


def move(a, xp, device, dtype=None):
    """``a`` in namespace ``xp`` on ``device`` (``xp`` None: NumPy), as ``dtype``.

    Unchanged when it is there already; otherwise read through DLPack where both
    sides allow it, or copied through the host. float64 is cast to float32 before
    moving to a device without float64.
    """
    if a is None:
        return None
    if xp is None:
        host = to_host(a)
        return host if dtype is None else np.asarray(host, dtype=dtype)
    a_xp, a_device = namespace(a)
    if a_xp is None:
        a = np.asarray(a)
        if a.dtype == np.float64 and len(float_dtypes(xp, device)) == 1:
            a = a.astype(np.float32)
        # Negative strides make DLPack fail for some libraries.
        moved = xp.asarray(np.ascontiguousarray(a), device=device)
    elif a_xp is xp and a_device == device:
        moved = a
    else:
        if a.dtype == a_xp.float64 and len(float_dtypes(xp, device)) == 1:
            a = a_xp.astype(a, a_xp.float32)
        try:
            moved = xp.from_dlpack(a, device=device)
        except (
            AttributeError,
            BufferError,
            NotImplementedError,
            TypeError,
            ValueError,
        ):
            moved = xp.asarray(to_host(a), device=device)
    if dtype is not None and moved.dtype != dtype:
        moved = xp.astype(moved, dtype)
    return moved


def placed_classes(classes, place):
    """``classes_`` where y lived: in ``place``, its ``(xp, device)``, or NumPy.

    As in scikit-learn's array-API classifiers, ``classes_`` follows y rather than
    X; string labels stay NumPy, which other namespaces cannot hold.
    """
    xp, device = place
    if xp is None or classes.dtype.kind not in "biuf":
        return classes
    return move(classes, xp, device)


def operations(a):
    """The ``xp`` of the math for arrays like ``a``: NumPy's or an :class:`ArrayOps`."""
    xp, device = namespace(a)
    return NUMPY if xp is None else ArrayOps(xp, device)


# The out= arrays of a pass in a namespace that has none: every one is None.
_NO_OUTPUTS = SimpleNamespace(
    A2=None,
    dH=None,
    w=None,
    work=None,
    ones=None,
    grads=SimpleNamespace(W1=None, b1=None, W2=None, b2=None),
    penalty=lambda W: None,
)


class ArrayOps:
    """The operations of :class:`._kernels.NumpyOps` in any array API namespace.

    Each takes and ignores the ``out=`` of its NumPy counterpart, and returns a
    new array: nothing is written in place, so that no view of X (or of another
    array the user holds) is ever changed, as the standard leaves the effect of
    writes into views unspecified. Arithmetic goes through the operators, which
    accept Python scalars on either side. Results stay on the device, scalars
    (:meth:`weighted_sum`, :meth:`sum_squares`) as 0-d arrays, so that a training
    step never waits for the device; :meth:`all_finite` and
    :meth:`count_nonzero` return Python values and so wait for it.

    Parameters
    ----------
    xp : module
        The array API namespace (as ``array_api_compat.array_namespace`` gives it).
    device : object
        The device of the arrays, where new arrays are made.
    """

    is_numpy = False

    def __init__(self, xp, device):
        self.xp = xp
        self.device = device

    def __repr__(self):
        return f"ArrayOps({self.xp.__name__}, {self.device!r})"

    # Elementwise.
    def add(self, a, b, out=None):
        return a + b

    def subtract(self, a, b, out=None):
        return a - b

    def multiply(self, a, b, out=None):
        return a * b

    def divide(self, a, b, out=None):
        return a / b

    def negative(self, a, out=None):
        return -a

    def maximum(self, a, b, out=None):
        return self.xp.maximum(a, self._array(b, a))

    def minimum(self, a, b, out=None):
        return self.xp.minimum(a, self._array(b, a))

    def _array(self, value, like):
        # A 0-d array for a Python scalar: functions take scalars only from the
        # 2024.12 standard on.
        if isinstance(value, (int, float)):
            return self.xp.asarray(value, dtype=like.dtype, device=self.device)
        return value

    def abs(self, a, out=None):
        return self.xp.abs(a)

    def exp(self, a, out=None):
        return self.xp.exp(a)

    def log(self, a, out=None):
        return self.xp.log(a)

    def log1p(self, a, out=None):
        return self.xp.log1p(a)

    def tanh(self, a, out=None):
        return self.xp.tanh(a)

    def square(self, a, out=None):
        return a * a

    def sqrt(self, a, out=None):
        return self.xp.sqrt(a)

    def copy(self, a, out=None):
        # Arrays here are never written to: the array itself serves as its copy.
        return a

    def sigmoid(self, Z, out=None):
        """``1 / (1 + exp(-Z))``; exp only ever sees ``-|Z|``, so it cannot overflow."""
        e = self.xp.exp(-self.xp.abs(Z))
        return self.xp.where(Z >= 0, 1 / (1 + e), e / (1 + e))

    def log_sigmoid(self, Z, out=None):
        """``log sigma(Z) = min(Z, 0) - log(1 + exp(-|Z|))``."""
        return self.minimum(Z, 0) - self.xp.log1p(self.xp.exp(-self.xp.abs(Z)))

    def softplus(self, Z, out=None):
        return self.xp.logaddexp(self.xp.zeros_like(Z), Z)

    def greater(self, A, b, out=None):
        # 0/1 in A's dtype: the standard has no arithmetic between bools and floats.
        return self.xp.astype(A > b, A.dtype)

    # Products and reductions.
    def matmul(self, a, b, out=None):
        return a @ b

    def times_W2(self, dZ2, W2, out=None):
        return dZ2 @ W2

    def row_max(self, Z):
        return self.xp.max(Z, axis=1, keepdims=True)

    def row_sums(self, Z):
        return self.xp.sum(Z, axis=1, keepdims=True)

    def column_sums(self, ones, Z, out=None):
        return self.xp.sum(Z, axis=0)

    def sum(self, a, axis=None, keepdims=False):
        return self.xp.sum(a, axis=axis, keepdims=keepdims)

    def any(self, a, axis=None):
        return self.xp.any(a, axis=axis)

    def argmax(self, a, axis=None):
        return self.xp.argmax(a, axis=axis)

    def concat(self, arrays, axis=0):
        return self.xp.concat(arrays, axis=axis)

    def zeros_like(self, a):
        return self.xp.zeros_like(a)

    def weighted_sum(self, loss, w=None):
        return self.xp.sum(loss) if w is None else w @ loss

    def sum_squares(self, W):
        return self.xp.sum(W * W)

    def softmax_shift(self, Z2, Y, out=None):
        # The row maximum: the usual log-sum-exp shift.
        shifted = Z2 - self.row_max(Z2)
        return shifted, self.row_sums(Y * shifted)

    # Checks, gathers and bookkeeping.
    def all_finite(self, a):
        return bool(self.xp.all(self.xp.isfinite(a)))

    def count_nonzero(self, a):
        return int(self.xp.count_nonzero(a))

    def take_rows(self, X, idx):
        """Rows ``idx`` of X; ``idx`` holds host (NumPy) indices."""
        return self.xp.take(X, self.indices(idx), axis=0)

    def indices(self, idx):
        """Host indices as an int64 array on the device (what every take accepts)."""
        return self.xp.asarray(
            np.asarray(idx, dtype=np.int64), dtype=self.xp.int64, device=self.device
        )

    def dense(self, a):
        return a

    def itemsize(self, dtype):
        return self.xp.finfo(dtype).bits // 8

    def outputs(self, buffers, m, work_dtype, dtype):
        return _NO_OUTPUTS
