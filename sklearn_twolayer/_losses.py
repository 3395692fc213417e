"""The training objective J: weighted cross-entropy plus an L2 penalty.

For a mini-batch of m rows with weights w (all ones when none are given) and
``S = sum_i w_i``::

    J = (1/S) sum_i w_i l_i  +  lambda / (2 S) (||W1||^2 + ||W2||^2)

``l_i`` is the cross-entropy of row i, computed from the logits ``Z2`` rather than from
the probabilities ``A2`` so that it stays finite when ``|Z2|`` is large:

* sigmoid units (binary, one-vs-rest, multilabel), summed over the units::

      -y log a - (1-y) log(1-a) = softplus(z) - y z,   a = sigma(z)

* softmax over K units (each row of Y sums to one)::

      -sum_k y_k log a_k = logsumexp(z) - sum_k y_k z_k

Both have the same derivative with respect to the logits, ``a - y``: this is why the
backward pass starts at ``dZ2`` without going through ``dA2``.
"""

import functools
import math

import numpy as np

from ._activations import row_max, row_sums

__all__ = [
    "batch_objective",
    "cross_entropy",
    "l2_penalty",
    "objective",
    "softmax_cross_entropy",
]


def cross_entropy(Z2, Y, out_activation):
    """Per-row cross-entropy ``l_i`` of the logits ``Z2`` against targets ``Y``.

    Parameters
    ----------
    Z2 : ndarray of shape (m, n_outputs)
        Logits of the output layer.
    Y : ndarray of shape (m, n_outputs)
        Targets: 0/1 per unit for sigmoid units, one-hot rows for softmax.
    out_activation : {"logistic", "softmax"}
        The output activation whose cross-entropy is computed.

    Returns
    -------
    loss : ndarray of shape (m,)
        ``l_i`` for each row, summed over the units of the row.
    """
    if out_activation == "softmax":
        return softmax_cross_entropy(Z2, Y)[1]
    if Z2.shape[1] == 1:
        # For a 0/1 target, softplus(z) - y z = softplus(s) with s = z (1 - 2y),
        # that is s = z for y = 0 and s = -z (exactly) for y = 1; logaddexp(0, s)
        # computes softplus(s) as max(s, 0) + log1p(exp(-|s|)), so that a
        # confident, correct unit keeps the relative precision of its small loss.
        # Four NumPy calls instead of eight: on small batches their fixed cost
        # is most of the loss's.
        s = np.multiply(Y, Z2)
        s *= -2
        s += Z2
        return np.logaddexp(0, s, out=s)[:, 0]
    # softplus(z) - y z, with softplus(z) = max(z, 0) + log(1 + e^-|z|). The
    # difference max(z, 0) - y z is taken first: it is exact for 0/1 targets, so a
    # confident, correct unit keeps the relative precision of its small loss.
    per_unit = np.maximum(Z2, 0)
    per_unit -= Y * Z2
    tail = np.abs(Z2)
    np.negative(tail, out=tail)
    np.exp(tail, out=tail)
    per_unit += np.log1p(tail, out=tail)
    return per_unit.sum(axis=1)


def softmax_cross_entropy(Z2, Y, out=None):
    """The softmax ``A2`` of the logits and the per-row cross-entropy, together.

    Both need ``exp(z - max(z))`` and its row sums; computing them once serves the
    two.

    Parameters
    ----------
    Z2 : ndarray of shape (m, K)
        Logits of the output layer.
    Y : ndarray of shape (m, K)
        One-hot targets (rows summing to one).
    out : ndarray of shape (m, K), default=None
        Where to write ``A2``.

    Returns
    -------
    A2 : ndarray of shape (m, K)
        ``softmax(Z2)``, the same numbers as :func:`._activations.softmax`.
    loss : ndarray of shape (m,)
        ``l_i = logsumexp(z_i) - y_i . z_i``.
    """
    # Every row of Y sums to one, so logsumexp(z) - y.z equals the same with any
    # per-row shift taken off z. The target's own logit y.z (Y is one-hot) is a
    # shift that costs less than the row maximum and leaves no sum to underflow
    # to zero, the target's own term being exactly 1. Only where a logit exceeds
    # the target's by more than exp's range (a badly wrong prediction) would a
    # sum overflow; the row maximum is the shift then.
    shifted = np.subtract(Z2, row_sums(Y * Z2), out=out)
    target = None  # y.shifted, which is 0 with this shift
    if shifted.max() > _exp_limit(Z2.dtype, Z2.shape[1]):
        shifted = np.subtract(Z2, row_max(Z2), out=shifted)
        target = row_sums(Y * shifted)
    A2 = np.exp(shifted, out=shifted)
    sums = row_sums(A2)
    A2 /= sums
    loss = np.log(sums)
    if target is not None:
        loss -= target
    return A2, loss[:, 0]


@functools.cache
def _exp_limit(dtype, n_terms):
    """A shift below which ``n_terms`` exponentials sum to a finite number."""
    return math.log(float(np.finfo(dtype).max) / n_terms) - 1


def l2_penalty(W1, W2, l2):
    """Return ``lambda / 2 (||W1||^2 + ||W2||^2)``, before the division by S.

    Biases are not penalised. ``ravel`` views let ``dot`` compute each squared
    Frobenius norm without a temporary array.
    """
    if l2 == 0:
        return 0.0
    w1, w2 = W1.ravel(), W2.ravel()
    return 0.5 * l2 * (float(np.dot(w1, w1)) + float(np.dot(w2, w2)))


def objective(Z2, Y, w, S, W1, W2, l2, out_activation):
    """Return the scalar objective J of one batch.

    Parameters
    ----------
    Z2 : ndarray of shape (m, n_outputs)
        Logits of the output layer.
    Y : ndarray of shape (m, n_outputs)
        Targets.
    w : ndarray of shape (m,) or None
        Row weights; None means all ones.
    S : float
        ``sum(w)``, or m when ``w`` is None.
    W1, W2 : ndarray
        Weights of the hidden and output layers (for the L2 term).
    l2 : float
        The L2 penalty lambda.
    out_activation : {"logistic", "softmax"}
        The output activation.

    Returns
    -------
    J : float
    """
    return batch_objective(cross_entropy(Z2, Y, out_activation), w, S, W1, W2, l2)


def batch_objective(loss, w, S, W1, W2, l2):
    """Return J from the per-row cross-entropies ``loss`` of a batch.

    The arguments are those of :func:`objective`, with ``loss`` of shape (m,) from
    :func:`cross_entropy` in place of the logits and targets.
    """
    data_term = float(loss.sum() if w is None else np.dot(w, loss))
    return (data_term + l2_penalty(W1, W2, l2)) / S
