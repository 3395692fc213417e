"""Validation data: the hold-out of early stopping, and the score of each epoch.

fit gets its validation rows in one of two ways: :func:`split` holds out a
stratified ``validation_fraction`` of the training rows (``early_stopping=True``),
or :func:`from_user_data` takes the ``X_val``/``y_val`` passed to fit. Either gives a
:class:`Validation`, on which :func:`evaluate` computes the accuracy and the objective
of the network after each epoch.

The split is made on the host, from the labels, as for NumPy input; the validation
rows, their targets and weights then live where X does.
"""

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from . import _targets
from ._arrays import host_dtype, move, namespace, operations
from ._checks import check_weight_sum
from ._kernels import row_indices
from ._losses import objective
from ._network import predict_logits

__all__ = ["Validation", "evaluate", "from_user_data", "split", "validation_rows"]

# Fewest validation rows that early stopping judges by.
MIN_ROWS = 10


class Validation:
    """Validation rows and what scoring them needs.

    Parameters
    ----------
    X : {array, sparse matrix} of shape (n_val, n_features)
        The rows, in the namespace and on the device of the training rows.
    y : ndarray of shape (n_val,) or (n_val, n_labels)
        Labels, for the accuracy (on the host).
    Y : ndarray of shape (n_val, n_outputs)
        Encoded targets, for the objective (on the host, in X's precision).
    w : ndarray of shape (n_val,) or None
        Row weights (on the host, in X's precision).
    layout : Layout
        The target's output layout (:class:`._targets.Layout`).
    stop_early : bool
        Whether the stopping rule judges by the validation score rather than the
        training loss.

    Attributes
    ----------
    S : float
        The sum of the weights (the number of rows without weights).
    truth : array or None
        Outside NumPy, what the predictions are compared with, on X's device: the
        class index of each row, or the indicator matrix of multilabel targets.
    """

    def __init__(self, X, y, Y, w, layout, stop_early):
        self.layout = layout
        self.stop_early = stop_early
        self.S = len(Y) if w is None else float(w.sum())
        self.y = y
        self.truth = None
        xp, device = namespace(X)
        if xp is not None:
            Y, w = move(Y, xp, device, X.dtype), move(w, xp, device, X.dtype)
            if layout.kind == "multilabel-indicator":
                truth = np.asarray(y, dtype=np.int64)
            else:
                truth = _targets.class_codes(y, layout.classes).astype(np.int64)
            self.truth = move(truth, xp, device)
        self.X, self.Y, self.w = X, Y, w


def validation_rows(
    X, y, w, user_data, per_class, layout, *, early_stopping, fraction, random_state
):
    """The rows to train on and the validation data of a call to fit.

    Parameters
    ----------
    X, y : the training rows and their labels.
    w : ndarray of shape (n_samples,) or None
        Row weights.
    user_data : tuple (X_val, y_val, sample_weight_val) or None
        Validation data passed to fit (see :func:`._checks.check_validation_data`);
        it takes the place of a hold-out.
    per_class : ndarray or None
        Class weights, which weigh the validation rows as the training rows.
    layout : Layout
        The target's output layout (:class:`._targets.Layout`).
    early_stopping : bool
        Whether to hold out rows (and to stop on the validation score).
    fraction : float
        ``validation_fraction``.
    random_state : numpy.random.RandomState
        The source of the split.

    Returns
    -------
    rows : ndarray of int
        The indices of the rows to train on; their weights must not all be zero.
    validation : Validation or None
    problem : str or None
        Why early stopping is switched off for this fit, as a warning's message.
    """
    rows, validation, problem = row_indices(X), None, None
    if user_data is not None:
        validation = from_user_data(*user_data, per_class, layout, early_stopping)
    elif early_stopping:
        held = split(X, y, w, rows, layout, fraction, random_state)
        if held[2] is None:
            rows, validation = held[:2]
        else:
            problem = (
                "early_stopping is switched off for this fit: the validation "
                f"hold-out of validation_fraction={fraction} of {X.shape[0]} rows is "
                f"too small to judge by ({held[2]}). Training uses all rows."
            )
    if w is not None:
        check_weight_sum(
            w[rows],
            "training rows",
            hint=""
            if len(rows) == X.shape[0]
            else " The validation hold-out of early_stopping took every row of "
            "positive weight: give more rows a positive weight, pass X_val and "
            "y_val, or set early_stopping=False.",
        )
    return rows, validation, problem


def split(X, y, w, rows, layout, fraction, random_state):
    """Hold out ``fraction`` of the training rows, stratified by class.

    The arguments are those of :func:`validation_rows`, with ``rows`` the indices
    of the training rows.

    Returns
    -------
    rows : ndarray of int
        The rows left to train on, sorted.
    validation : Validation or None
        The held-out rows, or None if they would be too few to judge by.
    problem : str or None
        Why nothing was held out.
    """
    single_label = layout.kind != "multilabel-indicator"
    try:
        train_idx, val_idx = train_test_split(
            rows,
            test_size=fraction,
            random_state=random_state,
            stratify=y if single_label else None,
        )
    except ValueError as exc:
        return rows, None, str(exc)
    if len(val_idx) < MIN_ROWS:
        return rows, None, f"it would hold only {len(val_idx)} rows (fewer than 10)"
    if single_label and len(np.unique(y[val_idx])) < len(np.unique(y[train_idx])):
        return rows, None, "it would miss some classes of the training data"
    if w is not None and not w[val_idx].sum() > 0:
        # Its score and loss would be 0/0.
        return (
            rows,
            None,
            "its rows would all have a weight of zero, sample_weight times "
            "class_weight",
        )
    train_idx.sort()
    val_idx.sort()
    dtype = host_dtype(X.dtype)
    Y_val = _targets.encode(y[val_idx], layout.classes, layout.kind, dtype)
    w_val = None if w is None else w[val_idx]
    X_val = operations(X).take_rows(X, val_idx)
    validation = Validation(X_val, y[val_idx], Y_val, w_val, layout, True)
    return train_idx, validation, None


def from_user_data(X, y, sample_weight, per_class, layout, stop_early):
    """The validation data passed to fit, checked and weighted like training rows.

    ``X``, ``y`` and ``sample_weight`` come from
    :func:`._checks.check_validation_data`; ``per_class`` holds the class weights
    of the training rows (:func:`._targets.class_weights`).
    """
    dtype = host_dtype(X.dtype)
    Y = _targets.encode(y, layout.classes, layout.kind, dtype)
    w = _targets.row_weights(y, layout.classes, sample_weight, per_class, dtype)
    if w is not None:
        check_weight_sum(w, "validation rows", "sample_weight_val")
    return Validation(X, y, Y, w, layout, stop_early)


def evaluate(params, validation, *, activation, l2, alpha):
    """The accuracy and the objective J of ``params`` on the validation rows.

    ``alpha`` serves only to name the learning rate in the error raised when the
    outputs are not finite.

    Returns
    -------
    score : float
    loss : float
    """
    val = validation
    xp = operations(val.X)
    with np.errstate(over="ignore", invalid="ignore"):
        Z2 = predict_logits(params, val.X, activation, xp)
    if not xp.all_finite(Z2):
        # NaN logits would give a NaN validation loss and an arbitrary score.
        raise ValueError(
            "The network's outputs on the validation rows are not finite: they "
            "lie far outside the range of the training data, or training "
            f"diverged (alpha={alpha}). Scale X_val like X, or lower alpha."
        )
    kind, classes, out_activation = (
        val.layout.kind,
        val.layout.classes,
        val.layout.out_activation,
    )
    W1, W2 = params.W1, params.W2
    loss = objective(Z2, val.Y, val.w, val.S, W1, W2, l2, out_activation, xp)
    proba = _targets.proba_from_logits(Z2, kind, out_activation, xp)
    if xp.is_numpy:
        pred = _targets.labels_from_proba(proba, classes, kind)
        return float(accuracy_score(val.y, pred, sample_weight=val.w)), float(loss)
    return _device_accuracy(xp.xp, proba, val), float(loss)


def _device_accuracy(xp, proba, val):
    """The (weighted) accuracy of ``proba`` on the device, as a float.

    accuracy_score would look for the labels' classes on the device every epoch;
    the class indices are known, and comparing them is all it would do.
    """
    if val.layout.kind == "multilabel-indicator":
        # Subset accuracy: every label of the row right.
        pred = xp.astype(proba > 0.5, xp.int64)
        right = xp.all(pred == val.truth, axis=1)
    else:
        right = xp.argmax(proba, axis=1) == val.truth
    right = xp.astype(right, proba.dtype)
    if val.w is None:
        return float(xp.mean(right))
    return float(xp.sum(val.w * right)) / val.S
