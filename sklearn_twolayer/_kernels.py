"""Speed and memory machinery, kept apart from the math it serves.

Each trick below says what it saves and on which shape; the math of
:mod:`._network` reads the same without them.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["index_dtype", "row_indices"]


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
    x_bytes = X.data.nbytes if sp.issparse(X) else X.nbytes
    if n >= 2**31 or 8 * n <= x_bytes // _INTP_MAX_SHARE:
        return np.intp
    return np.int32
