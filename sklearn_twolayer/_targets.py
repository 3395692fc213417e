"""Targets: labels to the output matrix Y, row weights, and outputs back to labels.

Three kinds of target are handled (``sklearn.utils.multiclass.type_of_target``):

* ``"binary"``: one sigmoid unit, ``Y[:, 0] = (y == classes[1])``, the article's case;
* ``"multiclass"``: K units, one-hot rows of Y, trained with a softmax or with K
  independent sigmoid units (one-vs-rest);
* ``"multilabel-indicator"``: one sigmoid unit per label, Y is the indicator matrix.
"""

from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from ._activations import log_sigmoid, log_softmax, sigmoid, softmax

__all__ = [
    "balanced_weights",
    "class_weight_vector",
    "encode",
    "labels_from_proba",
    "log_proba_from_logits",
    "n_outputs_for",
    "out_activation_for",
    "prior_loss",
    "proba_from_logits",
]


def n_outputs_for(kind, n_classes):
    """Number of output units for a target kind with ``n_classes`` classes."""
    return 1 if kind == "binary" else n_classes


def out_activation_for(kind, multiclass):
    """Output activation for a target kind: ``"softmax"`` or ``"logistic"``."""
    if kind == "multiclass" and multiclass == "softmax":
        return "softmax"
    return "logistic"


def encode(y, classes, kind, dtype):
    """Return the target matrix Y of shape (n_samples, n_outputs).

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels, or an indicator matrix for multilabel targets.
    classes : ndarray
        The known classes (``classes_``); labels outside it raise ValueError.
    kind : {"binary", "multiclass", "multilabel-indicator"}
        The target kind.
    dtype : numpy dtype
        Floating dtype of Y (that of X).
    """
    if kind == "multilabel-indicator":
        return np.asarray(y, dtype=dtype)
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"y contains labels {unknown.tolist()} that are not in classes "
            f"{classes.tolist()}."
        )
    if kind == "binary":
        return (y == classes[1]).astype(dtype).reshape(-1, 1)
    # One-hot rows, as label_binarize gives them, without its validation of y
    # (done above): it cost more than a short training epoch.
    Y = np.zeros((len(y), len(classes)), dtype=dtype)
    Y[np.arange(len(y)), np.searchsorted(classes, y)] = 1
    return Y


def class_weight_vector(class_weight, classes):
    """Weights of a ``class_weight`` dict (or None), aligned with ``classes``.

    This is ``compute_class_weight``, with its rules: a dict may omit classes (they
    get weight 1) and may name labels that are not classes only if it weights every
    class; otherwise the unknown labels raise ValueError.
    """
    if class_weight is None:
        return np.ones(len(classes))
    for label, value in class_weight.items():
        # A negative weight would make the loss unbounded below; NaN or inf would
        # surface only later, as a diverged fit.
        if not (isinstance(value, Real) and np.isfinite(value) and value >= 0):
            raise ValueError(
                "class_weight must map labels to finite, non-negative numbers; got "
                f"{value!r} for label {label!r}."
            )
    try:
        return compute_class_weight(class_weight, classes=classes, y=classes)
    except ValueError as exc:
        if "not in class_weight" not in str(exc):
            raise
        raise ValueError(
            f"class_weight {class_weight!r} names labels that are not classes of y "
            f"({classes.tolist()}); such a dict must then give a weight to every "
            f"class ({exc})."
        ) from exc


def balanced_weights(class_counts):
    """``n / (K n_k)`` from (weighted) class counts; classes not seen get weight 1.

    This is ``compute_class_weight("balanced")`` expressed on running counts, which
    ``partial_fit`` accumulates over calls.
    """
    counts = np.asarray(class_counts, dtype=np.float64)
    weights = np.ones_like(counts)
    seen = counts > 0
    weights[seen] = counts.sum() / (len(counts) * counts[seen])
    return weights


def prior_loss(Y, w, out_activation):
    """Cross-entropy of a model that predicts the weighted class priors for every row.

    This is the loss a network reaches by learning nothing but its output biases; a
    final training loss far above it means training went wrong.
    """
    p = np.average(Y, axis=0, weights=w).astype(np.float64)
    if out_activation == "softmax":
        return float(-np.sum(p[p > 0] * np.log(p[p > 0])))
    q = np.clip(p, 1e-300, 1.0)
    r = np.clip(1 - p, 1e-300, 1.0)
    return float(np.sum(-p * np.log(q) - (1 - p) * np.log(r)))


def proba_from_logits(Z2, kind, out_activation):
    """Class probabilities from the logits ``Z2``.

    Binary: ``[1 - a, a]``. Softmax: the softmax. One-vs-rest: the K sigmoids,
    normalised to sum to one. Multilabel: the independent sigmoids.
    """
    if out_activation == "softmax":
        return softmax(Z2, out=Z2)
    if kind == "multiclass":
        # a_k / sum_j a_j = softmax(log a)_k. Far from every class the sigmoids
        # underflow to 0 (logits below about -88 in float32, -709 in float64), and
        # dividing them would lose their ratios, and the argmax; their logarithms
        # keep both.
        return softmax(log_sigmoid(Z2), out=Z2)
    A2 = sigmoid(Z2, out=Z2)
    if kind == "binary":
        return np.hstack([1 - A2, A2])
    return A2


def log_proba_from_logits(Z2, kind, out_activation):
    """Logarithm of :func:`proba_from_logits`, computed without taking log(0)."""
    if out_activation == "softmax":
        return log_softmax(Z2)
    if kind == "binary":
        # log(1 - sigma(z)) = log sigma(-z)
        return np.hstack([log_sigmoid(-Z2), log_sigmoid(Z2)])
    log_a = log_sigmoid(Z2)
    if kind == "multiclass":
        return log_softmax(log_a)
    return log_a


def labels_from_proba(proba, classes, kind):
    """Predicted labels from the probabilities of :func:`proba_from_logits`."""
    if kind == "multilabel-indicator":
        return (proba > 0.5).astype(int)
    return classes[np.argmax(proba, axis=1)]
