"""Targets: labels to the output matrix Y, class and row weights, outputs to labels.

Three kinds of target are handled (``sklearn.utils.multiclass.type_of_target``):

* ``"binary"``: one sigmoid unit, ``Y[:, 0] = (y == classes[1])``, the article's case;
* ``"multiclass"``: K units, one-hot rows of Y, trained with a softmax or with K
  independent sigmoid units (one-vs-rest);
* ``"multilabel-indicator"``: one sigmoid unit per label, Y is the indicator matrix.

:func:`encode` builds Y for given rows (validation data); training keeps the class
index of each row (or the indicator bytes) in a :class:`TrainingTargets` and makes Y
batch by batch. :func:`class_weights` and :func:`row_weights` give each row its
weight ``w_i`` in the loss; they are pure functions: the running class counts that
``class_weight="balanced"`` accumulates over partial_fit calls are passed in and
returned.
"""

from collections import namedtuple
from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from ._activations import log_sigmoid, log_softmax, sigmoid, softmax
from ._arrays import move, namespace, operations

__all__ = [
    "Layout",
    "TrainingTargets",
    "WeightedTargets",
    "balanced_weights",
    "class_codes",
    "class_weight_vector",
    "class_weights",
    "code_table",
    "encode",
    "labels_from_proba",
    "log_proba_from_logits",
    "loss_of_priors",
    "n_outputs_for",
    "out_activation_for",
    "proba_from_logits",
    "row_weights",
    "weighted_targets",
]


def n_outputs_for(kind, n_classes):
    """Number of output units for a target kind with ``n_classes`` classes."""
    return 1 if kind == "binary" else n_classes


def out_activation_for(kind, multiclass):
    """Output activation for a target kind: ``"softmax"`` or ``"logistic"``."""
    if kind == "multiclass" and multiclass == "softmax":
        return "softmax"
    return "logistic"


class Layout(namedtuple("Layout", "kind classes n_outputs out_activation")):
    """The output layer that a target needs.

    Attributes
    ----------
    kind : {"binary", "multiclass", "multilabel-indicator"}
        The target kind.
    classes : ndarray
        The known classes (``arange(n_labels)`` for an indicator matrix).
    n_outputs : int
        Output units: 1 for a binary target, else one per class or label.
    out_activation : {"logistic", "softmax"}
        The output activation.
    """

    __slots__ = ()

    @classmethod
    def of(cls, kind, classes, multiclass, out_activation=None):
        """The layout of a target kind; ``out_activation`` overrides the choice
        that ``multiclass`` makes (a fitted network keeps its own)."""
        if out_activation is None:
            out_activation = out_activation_for(kind, multiclass)
        return cls(kind, classes, n_outputs_for(kind, len(classes)), out_activation)

    def attributes(self):
        """The estimator's fitted attributes that describe the layout."""
        return {
            "classes_": self.classes,
            "_target_type": self.kind,
            "n_outputs_": self.n_outputs,
            "out_activation_": self.out_activation,
        }


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
    # Row k of the table is the row of Y for class k: one-hot rows, as
    # label_binarize gives them, or (y == classes[1]) for binary targets.
    return code_table(kind, len(classes), dtype).take(class_codes(y, classes), axis=0)


# Rows per block where a per-row temporary would take 8 bytes a row.
_CODE_BLOCK = 1 << 16


def class_codes(y, classes):
    """Return the index of each label in ``classes``.

    The indices have the smallest unsigned dtype that holds them: one byte per row
    for up to 256 classes. Labels outside ``classes`` raise ValueError.
    """
    # This check replaces label_binarize's validation of y, which cost more than a
    # short training epoch.
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"y contains labels {unknown.tolist()} that are not in classes "
            f"{classes.tolist()}."
        )
    codes = np.empty(len(y), dtype=np.min_scalar_type(len(classes) - 1))
    # In blocks of rows: searchsorted returns 8-byte indices, which for all rows
    # at once would be the largest array that fit allocates.
    for start in range(0, len(y), _CODE_BLOCK):
        block = slice(start, start + _CODE_BLOCK)
        codes[block] = np.searchsorted(classes, y[block])
    return codes


def code_table(kind, n_classes, dtype):
    """Return the rows of Y by class index: ``Y = code_table(...)[class_codes(...)]``.

    For ``"binary"`` the two rows ``[0]`` and ``[1]``; for ``"multiclass"`` the
    identity matrix of size ``n_classes``.
    """
    if kind == "binary":
        return np.array([[0], [1]], dtype=dtype)
    return np.eye(n_classes, dtype=dtype)


class TrainingTargets:
    """The targets of the training rows, giving the rows of Y batch by batch.

    The whole of Y, one float per row and output unit, would outweigh X when
    features are few and outputs many (six times X for 8 features and 50 classes).
    For binary and multiclass targets only each row's class index is kept, one
    byte for up to 256 classes, and a batch's rows of Y are looked up in a table of
    one row per class; multilabel targets keep their 0/1 indicator matrix as bytes,
    converted to Y's dtype a batch at a time.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels, or an indicator matrix for multilabel targets.
    classes : ndarray
        The known classes; labels outside it raise ValueError.
    kind : {"binary", "multiclass", "multilabel-indicator"}
        The target kind.
    dtype : numpy dtype
        Floating dtype of Y.

    Attributes
    ----------
    codes : ndarray of shape (n_samples,) or None
        Class index of each row (None for multilabel targets).
    table : ndarray of shape (n_classes or 2, n_outputs) or None
        Row k is the row of Y for class index k.
    indicator : ndarray of shape (n_samples, n_labels), dtype uint8, or None
        The indicator matrix of multilabel targets (None otherwise).
    """

    def __init__(self, y, classes, kind, dtype):
        if kind == "multilabel-indicator":
            self.codes, self.table = None, None
            self.indicator = np.asarray(y, dtype=np.uint8)
        else:
            self.codes = class_codes(y, classes)
            self.table = code_table(kind, len(classes), dtype)
            self.indicator = None
        self.n_outputs = n_outputs_for(kind, len(classes))
        self.dtype = np.dtype(dtype)

    def __len__(self):
        return len(self.indicator if self.codes is None else self.codes)

    def scratch(self, m):
        """A work array for :meth:`take` on up to ``m`` rows (sliced to fit)."""
        if self.codes is None:
            return np.empty((m, self.n_outputs), dtype=np.uint8)
        return np.empty(m, dtype=self.codes.dtype)

    def take(self, idx, out, scratch=None):
        """Write rows ``idx`` of Y into ``out``; return ``out``.

        ``scratch``, from :meth:`scratch` and sliced to the length of ``idx``,
        receives the rows' class indices or indicator bytes (a temporary when
        None).
        """
        # mode="clip" lets take write straight into its out; the indices are valid.
        if self.codes is None:
            ind = self.indicator.take(idx, axis=0, out=scratch, mode="clip")
            np.copyto(out, ind)
            return out
        codes = self.codes.take(idx, out=scratch, mode="clip")
        return self.table.take(codes, axis=0, out=out, mode="clip")

    def rows(self, start, stop, out):
        """Write rows ``start:stop`` of Y into ``out``; return ``out``."""
        if self.codes is None:
            np.copyto(out, self.indicator[start:stop])
            return out
        return self.table.take(self.codes[start:stop], axis=0, out=out, mode="clip")

    def on(self, xp, device, dtype):
        """These targets on ``device`` of namespace ``xp``, Y in ``dtype``.

        The class indices (or the indicator matrix) and the table are moved once;
        :meth:`DeviceTargets.rows` then gives the rows of Y of a batch there.
        """
        return DeviceTargets(self, xp, device, dtype)

    def prior_loss(self, rows, w, out_activation):
        """:func:`loss_of_priors` of the rows ``rows`` (all rows when None).

        ``w`` holds the weights of all rows, or is None.
        """
        if rows is not None:
            w = None if w is None else w[rows]
        if self.codes is None:
            ind = self.indicator if rows is None else self.indicator[rows]
            return loss_of_priors(np.average(ind, axis=0, weights=w), out_activation)
        codes = self.codes if rows is None else self.codes[rows]
        counts = np.zeros(len(self.table))
        # In blocks, as in class_codes: bincount converts its input to 8-byte ints.
        for start in range(0, len(codes), _CODE_BLOCK):
            block = slice(start, start + _CODE_BLOCK)
            counts += np.bincount(
                codes[block],
                weights=None if w is None else w[block],
                minlength=len(counts),
            )
        # The priors of the output units: the table's rows weighted by the counts.
        p = (counts @ self.table.astype(np.float64)) / counts.sum()
        return loss_of_priors(p, out_activation)


class DeviceTargets:
    """:class:`TrainingTargets` on the device of another array namespace.

    Parameters
    ----------
    targets : TrainingTargets
        The targets, on the host.
    xp : module
        The array namespace.
    device : object
        Its device.
    dtype : dtype
        The floating dtype of Y, in ``xp``.
    """

    def __init__(self, targets, xp, device, dtype):
        self.xp, self.dtype = xp, dtype
        if targets.codes is None:
            self.codes, self.table = None, None
            self.indicator = move(targets.indicator, xp, device)
        else:
            # Every namespace takes int64 indices (PyTorch no smaller ones).
            self.codes = move(targets.codes.astype(np.int64), xp, device)
            self.table = move(targets.table, xp, device, dtype)
            self.indicator = None

    def rows(self, start, stop, idx=None):
        """The rows of Y: ``idx`` (indices on the device), or ``start:stop``."""
        xp = self.xp
        if self.codes is None:
            if idx is None:
                indicator = self.indicator[start:stop, :]
            else:
                indicator = xp.take(self.indicator, idx, axis=0)
            return xp.astype(indicator, self.dtype)
        codes = self.codes[start:stop] if idx is None else xp.take(self.codes, idx)
        return xp.take(self.table, codes, axis=0)


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


def class_weights(class_weight, classes, y, sample_weight=None, counts=None):
    """The weight of each class in the loss, from the ``class_weight`` parameter.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        The estimator's parameter.
    classes : ndarray of shape (n_classes,)
        The known classes, sorted.
    y : ndarray of shape (n_samples,)
        The labels of the rows of this call.
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights; "balanced" counts each row with its weight.
    counts : ndarray of shape (n_classes,), default=None
        The (weighted) class counts of earlier calls, which partial_fit passes so
        that "balanced" weighs every row seen so far; None counts this call's rows
        alone, as fit does.

    Returns
    -------
    weights : ndarray of shape (n_classes,) or None
        The weight of each class, aligned with ``classes``; None without class
        weighting.
    counts : ndarray of shape (n_classes,) or None
        ``counts`` plus the counts of ``y`` for "balanced"; otherwise ``counts``
        unchanged.
    """
    if class_weight is None:
        return None, counts
    if not isinstance(class_weight, str):
        return class_weight_vector(class_weight, classes), counts
    # "balanced": n / (K n_k) from sample-weighted counts.
    seen = np.bincount(
        np.searchsorted(classes, y), weights=sample_weight, minlength=len(classes)
    )
    if counts is not None:
        seen = seen + counts
    return balanced_weights(seen), seen


def row_weights(y, classes, sample_weight, per_class, dtype):
    """``w_i = sample_weight_i * class_weight[y_i]``; None when all are one.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels (a multilabel ``y`` has no class weights: ``per_class`` is None).
    classes : ndarray
        The known classes, sorted.
    sample_weight : ndarray of shape (n_samples,) or None
    per_class : ndarray of shape (n_classes,) or None
        The weight of each class (:func:`class_weights`).
    dtype : numpy dtype
        The dtype of the weights (that of X).

    Returns
    -------
    w : ndarray of shape (n_samples,) or None
    """
    if per_class is None:
        return sample_weight
    w = per_class[np.searchsorted(classes, y)]
    if sample_weight is not None:
        w = w * sample_weight
    return w.astype(dtype)


class WeightedTargets(
    namedtuple("WeightedTargets", "layout targets per_class w class_counts warning")
):
    """What a training call trains towards, and how much each row counts.

    Attributes
    ----------
    layout : Layout
    targets : TrainingTargets
    per_class : ndarray of shape (n_classes,) or None
        The weight of each class (:func:`class_weights`).
    w : ndarray of shape (n_samples,) or None
        The weight of each row (:func:`row_weights`).
    class_counts : list of float
        The running (weighted) class counts to keep for the next partial_fit.
    warning : str or None
        A warning for the caller to raise: a ``class_weight`` that was ignored.
    """

    __slots__ = ()


def weighted_targets(
    y,
    kind,
    classes,
    sample_weight,
    dtype,
    *,
    multiclass,
    class_weight,
    out_activation=None,
    class_counts=None,
    incremental=False,
):
    """The targets and the row weights of a training call, on the host.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        The checked labels, or indicator matrix.
    kind : {"binary", "multiclass", "multilabel-indicator"}
    classes : ndarray of shape (n_classes,)
        The known classes, sorted.
    sample_weight : ndarray of shape (n_samples,) or None
    dtype : numpy dtype
        The dtype of X.
    multiclass, class_weight
        The estimator's parameters.
    out_activation : {"logistic", "softmax"}, default=None
        The fitted output activation, which a continued network keeps; None
        for new weights.
    class_counts : list of float, default=None
        The running class counts of the fitted model; None for new weights.
    incremental : bool, default=False
        Whether the call is a partial_fit, whose "balanced" class weights count
        every row seen so far.

    Returns
    -------
    WeightedTargets
    """
    layout = Layout.of(kind, classes, multiclass, out_activation)
    targets = TrainingTargets(y, classes, kind, dtype)
    warning = None
    if class_weight is not None and kind == "multilabel-indicator":
        warning = "class_weight does not apply to multilabel targets and is ignored."
        class_weight = None
    running = np.zeros(len(classes)) if class_counts is None else np.array(class_counts)
    per_class, counts = class_weights(
        class_weight, classes, y, sample_weight, running if incremental else None
    )
    w = row_weights(y, classes, sample_weight, per_class, dtype)
    # A list of floats, as plain state, whatever the namespace of the fit.
    class_counts = [float(c) for c in (counts if incremental else running)]
    return WeightedTargets(layout, targets, per_class, w, class_counts, warning)


def loss_of_priors(p, out_activation):
    """Cross-entropy of a model that predicts the priors ``p`` for every row.

    ``p`` is the weighted mean row of Y. This is the loss a network reaches by
    learning nothing but its output biases; a final training loss far above it
    means training went wrong.
    """
    p = np.asarray(p, dtype=np.float64)
    if out_activation == "softmax":
        return float(-np.sum(p[p > 0] * np.log(p[p > 0])))
    q = np.clip(p, 1e-300, 1.0)
    r = np.clip(1 - p, 1e-300, 1.0)
    return float(np.sum(-p * np.log(q) - (1 - p) * np.log(r)))


def proba_from_logits(Z2, kind, out_activation, xp=None):
    """Class probabilities from the logits ``Z2``, in their namespace.

    Binary: ``[1 - a, a]``. Softmax: the softmax. One-vs-rest: the K sigmoids,
    normalised to sum to one. Multilabel: the independent sigmoids.
    """
    xp = xp or operations(Z2)
    if out_activation == "softmax":
        return softmax(Z2, out=Z2, xp=xp)
    if kind == "multiclass":
        # a_k / sum_j a_j = softmax(log a)_k. Far from every class the sigmoids
        # underflow to 0 (logits below about -88 in float32, -709 in float64), and
        # dividing them would lose their ratios, and the argmax; their logarithms
        # keep both.
        return softmax(log_sigmoid(Z2, xp=xp), out=Z2, xp=xp)
    A2 = sigmoid(Z2, out=Z2, xp=xp)
    if kind == "binary":
        return xp.concat([1 - A2, A2], axis=1)
    return A2


def log_proba_from_logits(Z2, kind, out_activation, xp=None):
    """Logarithm of :func:`proba_from_logits`, computed without taking log(0)."""
    xp = xp or operations(Z2)
    if out_activation == "softmax":
        return log_softmax(Z2, xp=xp)
    if kind == "binary":
        # log(1 - sigma(z)) = log sigma(-z)
        return xp.concat([log_sigmoid(-Z2, xp=xp), log_sigmoid(Z2, xp=xp)], axis=1)
    log_a = log_sigmoid(Z2, xp=xp)
    if kind == "multiclass":
        return log_softmax(log_a, xp=xp)
    return log_a


def labels_from_proba(proba, classes, kind):
    """Predicted labels from the probabilities of :func:`proba_from_logits`.

    The labels are those of ``classes`` at the largest probability's index, or a
    0/1 int64 indicator matrix for multilabel targets, in the namespace of
    ``proba``; as in scikit-learn's linear classifiers, string labels are NumPy
    whatever the namespace of ``proba``.
    """
    xp_proba, device = namespace(proba)
    if xp_proba is None:
        if kind == "multilabel-indicator":
            return (proba > 0.5).astype(int)
        indices = np.argmax(proba, axis=1)
    else:
        if kind == "multilabel-indicator":
            return xp_proba.astype(proba > 0.5, xp_proba.int64)
        indices = xp_proba.argmax(proba, axis=1)
    xp_classes, classes_device = namespace(classes)
    if xp_classes is None:
        labels = classes[move(indices, None, None)]
    else:
        indices = move(indices, xp_classes, classes_device, xp_classes.int64)
        labels = xp_classes.take(classes, indices, axis=0)
    if isinstance(labels, np.ndarray) and labels.dtype.kind in "OSU":
        return labels
    return move(labels, xp_proba, device)
