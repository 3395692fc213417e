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

As in :mod:`._activations`, each function is written once for an array namespace
``xp`` (:func:`._arrays.operations`; the namespace of the first argument when
None). In NumPy the scalars J come out as Python floats; in another namespace they
stay on the device as 0-d arrays, so that a training step does not wait for it.
"""

from ._arrays import operations

__all__ = [
    "batch_objective",
    "cross_entropy",
    "l2_penalty",
    "objective",
    "softmax_cross_entropy",
]


def cross_entropy(Z2, Y, out_activation, xp=None):
    """Per-row cross-entropy ``l_i`` of the logits ``Z2`` against targets ``Y``.

    Parameters
    ----------
    Z2 : array of shape (m, n_outputs)
        Logits of the output layer.
    Y : array of shape (m, n_outputs)
        Targets: 0/1 per unit for sigmoid units, one-hot rows for softmax.
    out_activation : {"logistic", "softmax"}
        The output activation whose cross-entropy is computed.
    xp : operations, default=None
        The operations of the arrays' namespace.

    Returns
    -------
    loss : array of shape (m,)
        ``l_i`` for each row, summed over the units of the row.
    """
    xp = xp or operations(Z2)
    if out_activation == "softmax":
        return softmax_cross_entropy(Z2, Y, xp=xp)[1]
    if Z2.shape[1] == 1:
        # For a 0/1 target, softplus(z) - y z = softplus(s) with s = z (1 - 2y),
        # that is s = z for y = 0 and s = -z (exactly) for y = 1; softplus(s) is
        # max(s, 0) + log1p(exp(-|s|)), so that a confident, correct unit keeps
        # the relative precision of its small loss. Four calls instead of eight:
        # on small batches their fixed cost is most of the loss's.
        s = xp.multiply(Y, Z2)
        s = xp.multiply(s, -2, out=s)
        s = xp.add(s, Z2, out=s)
        return xp.softplus(s, out=s)[:, 0]
    # softplus(z) - y z, with softplus(z) = max(z, 0) + log(1 + e^-|z|). The
    # difference max(z, 0) - y z is taken first: it is exact for 0/1 targets, so a
    # confident, correct unit keeps the relative precision of its small loss.
    per_unit = xp.maximum(Z2, 0)
    per_unit = xp.subtract(per_unit, Y * Z2, out=per_unit)
    tail = xp.abs(Z2)
    tail = xp.negative(tail, out=tail)
    tail = xp.exp(tail, out=tail)
    per_unit = xp.add(per_unit, xp.log1p(tail, out=tail), out=per_unit)
    return xp.sum(per_unit, axis=1)


def softmax_cross_entropy(Z2, Y, out=None, xp=None):
    """The softmax ``A2`` of the logits and the per-row cross-entropy, together.

    Both need ``exp(z - c)`` for a per-row shift c and its row sums; computing
    them once serves the two.

    Parameters
    ----------
    Z2 : array of shape (m, K)
        Logits of the output layer.
    Y : array of shape (m, K)
        One-hot targets (rows summing to one).
    out : ndarray of shape (m, K), default=None
        Where to write ``A2`` (NumPy).
    xp : operations, default=None
        The operations of the arrays' namespace.

    Returns
    -------
    A2 : array of shape (m, K)
        ``softmax(Z2)``, the same numbers as :func:`._activations.softmax`.
    loss : array of shape (m,)
        ``l_i = logsumexp(z_i) - y_i . z_i``.
    """
    xp = xp or operations(Z2)
    # logsumexp(z) - y.z = log(sum(exp(z - c))) - y.(z - c) for any shift c, since
    # each row of Y sums to one; the shift keeps exp finite (see softmax_shift).
    shifted, target = xp.softmax_shift(Z2, Y, out=out)
    A2 = xp.exp(shifted, out=shifted)
    sums = xp.row_sums(A2)
    A2 = xp.divide(A2, sums, out=A2)
    loss = xp.log(sums)
    if target is not None:
        loss = xp.subtract(loss, target, out=loss)
    return A2, loss[:, 0]


def l2_penalty(W1, W2, l2, xp=None):
    """Return ``lambda / 2 (||W1||^2 + ||W2||^2)``, before the division by S.

    Biases are not penalised.
    """
    if l2 == 0:
        return 0.0
    xp = xp or operations(W1)
    return 0.5 * l2 * (xp.sum_squares(W1) + xp.sum_squares(W2))


def objective(Z2, Y, w, S, W1, W2, l2, out_activation, xp=None):
    """Return the scalar objective J of one batch.

    Parameters
    ----------
    Z2 : array of shape (m, n_outputs)
        Logits of the output layer.
    Y : array of shape (m, n_outputs)
        Targets.
    w : array of shape (m,) or None
        Row weights; None means all ones.
    S : float
        ``sum(w)``, or m when ``w`` is None.
    W1, W2 : array
        Weights of the hidden and output layers (for the L2 term).
    l2 : float
        The L2 penalty lambda.
    out_activation : {"logistic", "softmax"}
        The output activation.
    xp : operations, default=None
        The operations of the arrays' namespace.

    Returns
    -------
    J : float, or a 0-d array outside NumPy
    """
    xp = xp or operations(Z2)
    loss = cross_entropy(Z2, Y, out_activation, xp=xp)
    return batch_objective(loss, w, S, W1, W2, l2, xp=xp)


def batch_objective(loss, w, S, W1, W2, l2, xp=None):
    """Return J from the per-row cross-entropies ``loss`` of a batch.

    The arguments are those of :func:`objective`, with ``loss`` of shape (m,) from
    :func:`cross_entropy` in place of the logits and targets.
    """
    xp = xp or operations(loss)
    return (xp.weighted_sum(loss, w) + l2_penalty(W1, W2, l2, xp=xp)) / S
