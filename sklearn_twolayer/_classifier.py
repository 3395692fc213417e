"""The estimator: validation, the training loop, prediction.

The math lives in :mod:`._network` (forward and backward passes), :mod:`._losses`
(the objective), :mod:`._optimizer` (the update) and :mod:`._targets` (labels to Y
and back). This module orchestrates them.

How ``fit``, ``warm_start`` and ``partial_fit`` relate (all go through ``_fit``):

==============  ==========================  ===========================  =============
call            starts from                 epochs                       stopping rule
==============  ==========================  ===========================  =============
fit             new weights (random_state)  up to max_iter               yes
fit, warm       the current weights         up to max_iter (this call)   yes
partial_fit     current (new on 1st call)   exactly one                  no
==============  ==========================  ===========================  =============

Training never writes to the estimator until it ends: it works on copies of the
parameters held in a ``_TrainingState`` (:mod:`._training`), committed to the fitted
attributes at the end (or, after Ctrl-C, at the last finished epoch). A fit that
raises therefore leaves the estimator exactly as it was.
"""

import math
import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, column_or_1d, gen_batches
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from . import _targets
from ._losses import objective
from ._network import (
    Buffers,
    Params,
    _shared_base,
    active_rows,
    flat_params,
    init_params,
    logits,
    loss_and_grads,
)
from ._optimizer import GradientDescent
from ._training import (
    DEAD_SHARE,
    LayerActivity,
    _Batches,
    _Callbacks,
    _ColumnRollback,
    _Stopper,
    _TrainingState,
    _Validation,
    signs_of_failure,
)
from ._version import __version__

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - exercised with older scikit-learn

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no callback API."""


__all__ = ["TwoLayerClassifier"]

# Warnings raised by a method that _fit_unsafe calls point at the user's line: above
# them are _fit_unsafe, _fit, fit or partial_fit, and scikit-learn's _fit_context
# wrapper.
_USER_STACKLEVEL = 6

# Attributes that the scikit-learn callback API sets on the estimator during fit.
_CALLBACK_KEYS = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")

_PARAM_NAMES = ("W1_", "b1_", "W2_", "b2_")

# The target kinds of type_of_target that a classifier accepts at all (those of
# check_classification_targets); 2-D kinds other than an indicator are refused later
# with a message of their own.
_CLASSIFICATION_TARGETS = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)

_VALIDATION_ATTRIBUTES = (
    "validation_scores_",
    "validation_loss_curve_",
    "best_validation_score_",
)

# Row-by-row work arrays that prediction needs per chunk, in units of hidden_size
# (Z1/A1) and n_outputs (Z2, probabilities): used to size chunks.
_PREDICT_ROW_FACTORS = (1, 3)


class TwoLayerClassifier(ClassifierMixin, CallbackSupportMixin, BaseEstimator):
    """A one-hidden-layer neural network with a sigmoid output, trained by backprop.

    The network computes, for a row ``x``::

        z1 = W1 x + b1,   a1 = g(z1),   z2 = W2 a1 + b2,   a2 = sigma(z2)

    with ``g`` the hidden activation and ``sigma`` the sigmoid (the softmax for a
    multiclass target, unless ``multiclass="ovr"``). It is trained by mini-batch
    gradient descent on the weighted cross-entropy plus an L2 penalty, with the
    gradients that the documentation's math page (``docs/math.rst``) derives by
    backpropagation, each formula beside the code that computes it.

    Read more in the :ref:`User Guide <user-guide>`; the derivation is in
    :ref:`The math: backpropagation, derived and coded <math>`.

    Parameters
    ----------
    hidden_size : int, default=100
        Number of units in the hidden layer.

    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Hidden activation ``g``.

    alpha : float, default=0.1
        Learning rate of the update ``W -= alpha * dJ/dW``. Unlike in
        :class:`~sklearn.neural_network.MLPClassifier` and
        :class:`~sklearn.linear_model.SGDClassifier`, ``alpha`` is **not** the L2
        penalty here: that is ``l2``.

    batch_size : int, default=200
        Rows per mini-batch, capped at the number of training rows.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training rows) per call to fit.

    l2 : float, default=0.0
        L2 penalty ``lambda``; the objective has ``lambda / (2 S)`` times the squared
        norms of ``W1`` and ``W2`` (biases are not penalised).

    momentum : float, default=0.0
        Classical momentum in [0, 1): ``v = momentum * v - alpha * grad; W += v``.
        0 is plain gradient descent.

    multiclass : {"softmax", "ovr"}, default="softmax"
        Output layer for more than two classes: a softmax over K units, or K
        independent sigmoid units trained with binary cross-entropy (one-vs-rest),
        whose probabilities ``predict_proba`` normalises to sum to one.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows (stratified) and stop
        when the validation accuracy has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, keeping the best weights. ``X_val``/``y_val``
        passed to :meth:`fit` replace the hold-out.

    validation_fraction : float, default=0.1
        Share of the training rows held out for early stopping, in (0, 1).

    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement by ``tol`` before training stops; ``np.inf``
        never stops for lack of improvement (as in
        :class:`~sklearn.neural_network.MLPClassifier`).

    tol : float, default=1e-4
        Improvement of the training loss (or of the validation accuracy with early
        stopping) below which an epoch does not count as an improvement.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, multiplying ``sample_weight``.
        "balanced" gives class k the weight ``n / (K n_k)``, with ``n_k`` the
        sample-weighted count of class k. Ignored, with a warning, for multilabel
        targets.

    shuffle : bool, default=True
        Whether to shuffle the training rows before each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffles and the validation hold-out. An int
        makes fit reproducible bit for bit.

    warm_start : bool, default=False
        Whether fit continues from the current weights instead of new ones.

    verbose : int or bool, default=0
        Print one line per epoch when positive.

    Attributes
    ----------
    W1_ : ndarray of shape (hidden_size, n_features_in_)
        Weights of the hidden layer.

    b1_ : ndarray of shape (hidden_size,)
        Biases of the hidden layer.

    W2_ : ndarray of shape (n_outputs_, hidden_size)
        Weights of the output layer.

    b2_ : ndarray of shape (n_outputs_,)
        Biases of the output layer.

    classes_ : ndarray of shape (n_classes,)
        Class labels (``arange(n_labels)`` for a multilabel target).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    n_outputs_ : int
        Number of output units: 1 for a binary target, else the number of classes or
        labels.

    out_activation_ : {"logistic", "softmax"}
        Output activation.

    n_iter_ : int
        Epochs run by the last call to fit (partial_fit adds one per call).

    t_ : int
        Training rows processed, over all calls since the weights were initialised.

    loss_ : float
        Training loss of the last epoch.

    loss_curve_ : list of float
        Mean training objective of each epoch (weighted by the batches' weight sums).

    best_loss_ : float
        Minimum of ``loss_curve_``.

    validation_scores_ : list of float
        Validation accuracy after each epoch of the last fit, when it had
        validation data (early stopping or ``X_val``). A fit without validation
        data, or a partial_fit, removes the three validation attributes.

    validation_loss_curve_ : list of float
        Validation objective after each of those epochs.

    best_validation_score_ : float
        Maximum of ``validation_scores_``.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron with several
        solvers; its ``alpha`` is the L2 penalty.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_twolayer import TwoLayerClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> model = make_pipeline(StandardScaler(), TwoLayerClassifier(random_state=0))
    >>> model.fit(X_train, y_train).score(X_test, y_test) > 0.95
    True
    """

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"relu", "tanh", "logistic", "identity"})],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "multiclass": [StrOptions({"softmax", "ovr"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            # MLPClassifier's value for "never stop for lack of improvement".
            Options(Real, {np.inf}),
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_size=100,
        activation="relu",
        *,
        alpha=0.1,
        batch_size=200,
        max_iter=200,
        l2=0.0,
        momentum=0.0,
        multiclass="softmax",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        class_weight=None,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.hidden_size = hidden_size
        self.activation = activation
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.l2 = l2
        self.momentum = momentum
        self.multiclass = multiclass
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train the network on (X, y) for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 input trains float32 weights; CSR/CSC input is
            used as sparse.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the loss.
        X_val, y_val : array-like, default=None
            A validation set. With ``early_stopping=True`` it replaces the internal
            hold-out; otherwise its scores and losses are recorded every epoch.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation rows.

        Returns
        -------
        self : TwoLayerClassifier
            The fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            incremental=False,
            validation=(X_val, y_val, sample_weight_val),
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch over the given rows.

        A call with no more rows than ``batch_size`` makes exactly one gradient step.
        Every row given is trained on: early stopping and validation data belong to
        :meth:`fit` alone.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multilabel indicator matrix.
        classes : array-like of shape (n_classes,), default=None
            All the classes that will ever be seen; required on the first call
            (optional for multilabel targets). Later calls may omit it; if they
            pass it, it must hold the same classes, in any order.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the loss.

        Returns
        -------
        self : TwoLayerClassifier
            The updated estimator.

        Notes
        -----
        A call that fails or is interrupted leaves the estimator as it was. On
        sparse rows that reach at most a third of the columns of ``W1_``, without
        ``momentum`` or ``l2``, ``W1_`` is trained in place (the reached columns are
        saved and written back on failure) rather than copied: an array taken from
        ``W1_`` before the call sees the update.
        """
        if hasattr(self, "W1_"):
            # scikit-learn validates the parameters on the first call only, but
            # set_params between calls is common and an epoch costs far more than
            # the check.
            self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(
        self,
        X,
        y,
        sample_weight,
        *,
        incremental,
        classes=None,
        validation=(None, None, None),
    ):
        # Attributes are replaced, never mutated, so a shallow copy is enough to put
        # the estimator back as it was if this call fails or is interrupted early;
        # the one exception, a W1_ that partial_fit trains in place, comes with a
        # rollback in ``undo``.
        saved = dict(self.__dict__)
        undo = []
        try:
            committed = self._fit_unsafe(
                X, y, sample_weight, incremental, classes, validation, undo
            )
        except BaseException:
            self._restore(saved, undo)
            raise
        if not committed:
            self._restore(saved, undo)
        return self

    def _restore(self, saved, undo=()):
        for rollback in undo:
            rollback.restore()
        # The callback machinery keeps its own bookkeeping on the estimator until
        # fit returns; it must survive the restore.
        keep = {k: v for k, v in self.__dict__.items() if k in _CALLBACK_KEYS}
        self.__dict__.clear()
        self.__dict__.update(saved)
        self.__dict__.update(keep)

    def _fit_unsafe(self, X, y, sample_weight, incremental, classes, validation, undo):
        _check_not_bool(
            self, ("hidden_size", "batch_size", "max_iter", "n_iter_no_change")
        )
        # Fitted by this class, as opposed to weights merely set by hand.
        fitted = hasattr(self, "_target_type")
        continuing = incremental or self.warm_start
        reset = not fitted or not continuing
        if incremental and not fitted and classes is None and not (_is_indicator(y)):
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the list "
                "of all the labels that y may contain."
            )
        if incremental and fitted and classes is not None:
            _check_same_classes(classes, self.classes_)

        X, y = self._validate_Xy(X, y, reset=reset)
        kind, classes_ = self._check_targets(y, reset, incremental, classes)
        if reset:
            self._set_output_layout(kind, classes_)
            random_state = check_random_state(self.random_state)
            params = init_params(
                X.shape[1],
                self.hidden_size,
                self.n_outputs_,
                self.activation,
                random_state,
                X.dtype,
                # The layout that training uses (see _train).
                order="F",
            )
            if continuing and hasattr(self, "W1_"):
                # Weights set by hand before the first partial_fit (or warm fit)
                # are where training starts.
                params = self._hand_set_params(params)
            seed = int(random_state.randint(np.iinfo(np.int32).max))
            state = _TrainingState(params, None, [], 0)
            self._seed = seed
            self._class_counts = np.zeros(len(self.classes_))
        else:
            state = self._resume_state(X.dtype, incremental, X)
            if state.rollback is not None:
                undo.append(state.rollback)
            random_state = np.random.RandomState([self._seed, len(self.loss_curve_)])

        targets = _targets.TrainingTargets(y, self.classes_, self._target_type, X.dtype)
        sample_weight = self._check_weights(sample_weight, X)
        per_class = self._class_weights(y, sample_weight, incremental)
        w = self._row_weights(y, sample_weight, per_class, X.dtype)

        n = X.shape[0]
        train = np.arange(n, dtype=_index_dtype(X))
        val = None
        if not incremental:
            train, val = self._validation_set(
                X, y, w, train, validation, random_state, per_class
            )
        if w is not None:
            _check_weight_sum(
                w[train],
                "training rows",
                hint=""
                if len(train) == n
                else " The validation hold-out of early_stopping took every row of "
                "positive weight: give more rows a positive weight, pass X_val and "
                "y_val, or set early_stopping=False.",
            )

        return self._train(
            state, X, targets, w, train, val, incremental, y, sample_weight
        )

    def _validate_Xy(self, X, y, reset):
        if reset:
            # float32 of either byte order keeps float32; anything else is float64.
            x_dtype = getattr(X, "dtype", None)
            single = isinstance(x_dtype, np.dtype) and x_dtype.kind == "f"
            single = single and x_dtype.itemsize == 4
            dtype = [np.float32, np.float64] if single else [np.float64, np.float32]
        else:
            dtype = self.W1_.dtype
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse=["csr", "csc"],
            dtype=dtype,
            multi_output=True,
        )
        if sp.issparse(X):
            # Mini-batches are row slices: CSR makes them cheap.
            X = X.tocsr()
        if sp.issparse(y):
            # A sparse indicator matrix: the targets are encoded densely anyway.
            y = y.toarray()
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _check_targets(self, y, reset, incremental, classes):
        _check_label_types(y)
        # check_classification_targets would call type_of_target a second time.
        kind = type_of_target(y, input_name="y")
        if kind not in _CLASSIFICATION_TARGETS:
            raise ValueError(
                f"Unknown label type: {kind}. Maybe you are trying to fit a "
                "classifier, which expects discrete classes on a regression target "
                "with continuous values."
            )
        if y.ndim == 2 and (
            kind != "multilabel-indicator" or not np.isin(y, (0, 1)).all()
        ):
            # np.unique would flatten such a y and could even call it binary, and
            # type_of_target calls any two-valued integer matrix an indicator.
            raise ValueError(
                "TwoLayerClassifier supports 2-D y only as a multilabel indicator "
                f"matrix of 0/1 columns; got a {kind} target with values "
                f"{np.unique(y)[:10].tolist()}."
            )
        if kind == "multilabel-indicator":
            classes_ = np.arange(y.shape[1])
        elif incremental and classes is not None and reset:
            classes_ = np.asarray(classes)
            if classes_.ndim != 1 or len(np.unique(classes_)) != len(classes_):
                raise ValueError(
                    f"classes must be a list of distinct labels; got {classes!r}."
                )
            classes_ = np.sort(classes_)
            kind = "binary" if len(classes_) == 2 else "multiclass"
        else:
            classes_ = np.unique(y)
            if len(classes_) == 2:
                kind = "binary"
        # Once classes_ is known, a chunk for partial_fit may hold any subset of
        # it, one class or a single row included, as in scikit-learn's incremental
        # classifiers; the classes themselves must be at least two.
        chunk = incremental and not reset
        if len(classes_) < 2 and kind != "multilabel-indicator" and not chunk:
            raise ValueError(
                "TwoLayerClassifier needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {classes_[0]!r}."
            )
        if reset:
            return kind, classes_
        if kind == "multilabel-indicator" or self._target_type == (
            "multilabel-indicator"
        ):
            if kind != self._target_type or len(classes_) != len(self.classes_):
                raise ValueError(
                    "The target changed from the previous call: it was "
                    f"{self._target_type} with {len(self.classes_)} outputs and is now "
                    f"{kind} with {len(classes_)} outputs."
                )
        elif incremental:
            unknown = np.setdiff1d(classes_, self.classes_)
            if unknown.size:
                raise ValueError(
                    f"y contains labels {unknown.tolist()} that are not in classes_ "
                    f"{self.classes_.tolist()} given at the first partial_fit call."
                )
        elif not np.array_equal(classes_, self.classes_):
            raise ValueError(
                "warm_start can only continue training with the classes of the "
                f"previous fit, {self.classes_.tolist()}; y has the classes "
                f"{classes_.tolist()}. Set warm_start=False to start afresh."
            )
        return self._target_type, self.classes_

    def _set_output_layout(self, kind, classes_):
        self.classes_ = classes_
        self._target_type = kind
        self.n_outputs_ = _targets.n_outputs_for(kind, len(classes_))
        self.out_activation_ = _targets.out_activation_for(kind, self.multiclass)

    def _hand_set_params(self, drawn):
        """The user's W1_, b1_, W2_, b2_, checked against the shapes of ``drawn``."""
        params = Params(
            *(
                np.array(getattr(self, name, p), dtype=p.dtype)
                for name, p in zip(_PARAM_NAMES, drawn, strict=True)
            )
        )
        _check_params(
            params,
            [p.shape for p in drawn],
            "was set to an array of shape {shape}, but this network and these data "
            "need {expected}.",
        )
        return params

    def _resume_state(self, dtype, incremental, X):
        columns = self._columns_to_train_in_place(X) if incremental else None
        in_place = columns is not None
        # order="K": a fitted W1_ and W2_ are in Fortran order, which _train
        # would otherwise have to restore with a second copy.
        params = Params(
            *(
                getattr(self, name)
                if in_place and name == "W1_"
                else np.array(getattr(self, name), dtype=dtype, order="K")
                for name in _PARAM_NAMES
            )
        )
        # Their values are checked only if training fails (see _train): for a wide
        # model, a scan of W1 costs as much as a partial_fit call on a few batches.
        _check_shapes(
            params,
            self._param_shapes(self.hidden_size),
            f"has shape {{shape}}, but hidden_size={self.hidden_size} and the data "
            "need {expected}. "
            + (
                "partial_fit continues the current network: restore hidden_size, "
                "or fit a new estimator."
                if incremental
                else "Set warm_start=False to start afresh."
            ),
        )
        velocity = getattr(self, "_velocity", None)
        if velocity is not None:
            velocity = [np.array(v, dtype=dtype) for v in velocity]
        return _TrainingState(
            params,
            velocity,
            list(self.loss_curve_),
            self.t_,
            resumed=True,
            rollback=_ColumnRollback(params.W1, columns) if in_place else None,
        )

    def _columns_to_train_in_place(self, X):
        """The columns of W1_ that partial_fit on X may train in place, or None.

        Steps on sparse rows without momentum or L2 term change only the columns
        of W1 that the rows reach, and :class:`_ColumnRollback` keeps those alone.
        W1_ must already be what training works on (writeable, Fortran-ordered, of
        X's dtype, of X's width). Keeping and checking the columns gathers them
        twice: beyond a third of W1, copying all of it costs less.
        """
        W1 = self.W1_
        if not (
            sp.issparse(X)
            and self.momentum == 0
            and self.l2 == 0
            and isinstance(W1, np.ndarray)
            and W1.ndim == 2
            and W1.shape[1] == X.shape[1]
            and W1.dtype == X.dtype
            and W1.flags.f_contiguous
            and W1.flags.writeable
        ):
            return None
        columns = _ColumnRollback.reached_columns(X)
        return columns if 3 * len(columns) <= X.shape[1] else None

    def _check_weights(self, sample_weight, X):
        if sample_weight is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        if not np.any(sample_weight > 0):
            raise ValueError(
                "sample_weight sums to zero: at least one row must have a positive "
                "weight."
            )
        return sample_weight

    def _class_weights(self, y, sample_weight, incremental):
        """Weight of each class in ``classes_``, or None when no class weighting."""
        if self.class_weight is None:
            return None
        if self._target_type == "multilabel-indicator":
            warnings.warn(
                "class_weight does not apply to multilabel targets and is ignored.",
                UserWarning,
                stacklevel=_USER_STACKLEVEL,
            )
            return None
        if not isinstance(self.class_weight, str):
            return _targets.class_weight_vector(self.class_weight, self.classes_)
        # "balanced": n / (K n_k) from sample-weighted counts; partial_fit counts
        # every row seen so far, fit only its own.
        counts = np.bincount(
            np.searchsorted(self.classes_, y),
            weights=sample_weight,
            minlength=len(self.classes_),
        )
        if incremental:
            counts = counts + self._class_counts
            self._class_counts = counts
        return _targets.balanced_weights(counts)

    def _row_weights(self, y, sample_weight, per_class, dtype):
        """``w_i = sample_weight_i * class_weight[y_i]``; None when all are one."""
        if per_class is None:
            return sample_weight
        w = per_class[np.searchsorted(self.classes_, y)]
        if sample_weight is not None:
            w = w * sample_weight
        return w.astype(dtype)

    def _validation_set(self, X, y, w, train, validation, random_state, per_class):
        """Return (training row indices, validation data or None)."""
        X_val, y_val, sw_val = validation
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together.")
        if sw_val is not None and X_val is None:
            raise ValueError("sample_weight_val was given without X_val and y_val.")
        if X_val is not None:
            X_val = validate_data(
                self,
                X_val,
                reset=False,
                accept_sparse=["csr", "csc"],
                dtype=X.dtype,
            )
            y_val = check_array(y_val, ensure_2d=False, dtype=None)
            if self._target_type != "multilabel-indicator":
                y_val = column_or_1d(y_val)
            check_consistent_length(X_val, y_val)
            Y_val = _targets.encode(y_val, self.classes_, self._target_type, X.dtype)
            w_val = None
            if sw_val is not None:
                _check_not_all_zero(sw_val)
                w_val = _check_sample_weight(
                    sw_val, X_val, dtype=X.dtype, ensure_non_negative=True
                )
            w_val = self._row_weights(y_val, w_val, per_class, X.dtype)
            if w_val is not None:
                _check_weight_sum(w_val, "validation rows", "sample_weight_val")
            return train, _Validation(X_val, y_val, Y_val, w_val, self.early_stopping)
        if not self.early_stopping:
            return train, None

        single_label = self._target_type != "multilabel-indicator"
        problem = None
        try:
            train_idx, val_idx = train_test_split(
                train,
                test_size=self.validation_fraction,
                random_state=random_state,
                stratify=y if single_label else None,
            )
        except ValueError as exc:
            problem = str(exc)
        else:
            if len(val_idx) < 10:
                problem = f"it would hold only {len(val_idx)} rows (fewer than 10)"
            elif single_label and len(np.unique(y[val_idx])) < len(
                np.unique(y[train_idx])
            ):
                problem = "it would miss some classes of the training data"
            elif w is not None and not w[val_idx].sum() > 0:
                # Its score and loss would be 0/0.
                problem = (
                    "its rows would all have a weight of zero, sample_weight times "
                    "class_weight"
                )
        if problem is not None:
            warnings.warn(
                f"early_stopping is switched off for this fit: the validation "
                f"hold-out of validation_fraction={self.validation_fraction} of "
                f"{len(train)} rows is too small to judge by ({problem}). Training "
                "uses all rows.",
                UserWarning,
                stacklevel=_USER_STACKLEVEL,
            )
            return train, None
        train_idx.sort()
        val_idx.sort()
        Y_val = _targets.encode(y[val_idx], self.classes_, self._target_type, X.dtype)
        w_val = None if w is None else w[val_idx]
        return train_idx, _Validation(
            X[val_idx], y[val_idx], Y_val, w_val, stop_early=True
        )

    # ------------------------------------------------------------ the loop

    def _train(self, state, X, targets, w, train, val, incremental, y, sample_weight):
        """Run the epochs of one call and commit the result to the estimator."""
        n_epochs = 1 if incremental else self.max_iter
        batch_size = min(self.batch_size, len(train))
        # W1 and W2 in Fortran order (see _network): the columns that a sparse
        # batch updates are then contiguous, and the products are faster.
        state.params = state.params._replace(
            W1=np.asfortranarray(state.params.W1),
            W2=np.asfortranarray(state.params.W2),
        )
        if not sp.issparse(X):
            # One array under the four, so that an update is two NumPy calls.
            state.params = flat_params(state.params)
        if state.velocity is not None:
            state.velocity = [np.asfortranarray(v) for v in state.velocity]
        optimizer = GradientDescent(self.alpha, self.momentum, state.velocity)
        buffers = Buffers(batch_size, state.params, sparse_gradients=sp.issparse(X))
        # fit owns ``train``: it is shuffled in place.
        batches = _Batches(
            X,
            targets,
            w,
            train,
            batch_size,
            not self.shuffle and len(train) == X.shape[0],
        )
        stopper = _Stopper(
            self.tol, self.n_iter_no_change, val is not None and val.stop_early
        )
        callbacks = _Callbacks(self, X, y, sample_weight, n_epochs)
        last_good = spare = None
        stopped = stopped_by_rule = False
        try:
            for i in range(n_epochs):
                start = time.perf_counter()
                epoch = len(state.loss_curve)
                if self.shuffle:
                    # Sorting restores the rows' own order, so each epoch's shuffle
                    # depends only on the seed and the epoch index, as
                    # permutation(train) would, without a second index array.
                    train.sort()
                    np.random.default_rng([self._seed, epoch]).shuffle(train)
                callbacks.begin_epoch(state)
                # Overflow to inf or NaN is caught just below and reported as a
                # ValueError naming the epoch; numpy's own warnings would only
                # precede it (or, under a warnings-as-errors filter, replace it).
                with np.errstate(over="ignore", invalid="ignore"):
                    loss = self._run_epoch(state, optimizer, buffers, batches)
                state.velocity = optimizer.velocity
                state.n_iter += 1
                state.t += len(train)
                state.loss_curve.append(loss)
                # A W1 trained in place is checked where the call can change it.
                changed = (
                    state.params
                    if state.rollback is None
                    else state.rollback.changed(state.params)
                )
                if not (math.isfinite(loss) and _all_finite(changed)):
                    if state.rollback is not None:
                        # The fitted W1_ is then the W1 trained: put it back first.
                        state.rollback.restore()
                    if state.resumed:
                        # Weights that were not finite to begin with are named,
                        # rather than reported as a divergence. Until _commit the
                        # fitted attributes hold them unchanged.
                        _check_finite(
                            [getattr(self, name) for name in _PARAM_NAMES],
                            ", so training cannot continue from it; fit the "
                            "estimator afresh.",
                        )
                    raise ValueError(
                        f"The training loss became non-finite ({loss}) at epoch "
                        f"{epoch + 1}: gradient descent diverged. Scale X (for "
                        f"example with StandardScaler) or lower alpha "
                        f"(now {self.alpha})."
                    )
                if val is not None:
                    score, val_loss = self._evaluate(state.params, val)
                    state.validation_scores.append(score)
                    state.validation_loss_curve.append(val_loss)
                if self.verbose:
                    self._print_epoch(epoch + 1, state, time.perf_counter() - start)
                improved, stop = stopper.update(state)
                if improved and stopper.on_validation:
                    best = state.snapshot()
                stop_requested = callbacks.end_epoch(state)
                if not incremental and (stop or stop_requested):
                    stopped, stopped_by_rule = True, stop
                    break
                if not incremental and i + 1 < n_epochs:
                    # Kept for an interrupt during the next epoch (after the last
                    # one, the state itself is committed). Two snapshots in turn:
                    # an interrupt while one is written leaves the other complete.
                    spare, last_good = last_good, state.snapshot(into=spare)
        except KeyboardInterrupt:
            if last_good is None:
                warnings.warn(
                    "Training was interrupted before the end of its first epoch; "
                    "the estimator is unchanged.",
                    UserWarning,
                    stacklevel=_USER_STACKLEVEL,
                )
                return False
            warnings.warn(
                f"Training was interrupted; the model keeps the weights of the last "
                f"finished epoch ({last_good.n_iter} in this call).",
                UserWarning,
                stacklevel=_USER_STACKLEVEL,
            )
            self._commit(last_good, val, incremental)
            return True
        if stopper.on_validation:
            # Keep the epoch that scored best on the validation data.
            state.params = best.params
            state.velocity = best.velocity
        self._commit(state, val, incremental)
        callbacks.end_fit()
        if not incremental:
            self._warn_on_failure(X, targets, w, train, cut_short=not stopped_by_rule)
        if not incremental and not stopped:
            warnings.warn(
                f"TwoLayerClassifier reached max_iter={self.max_iter} epochs and the "
                "optimization has not converged yet.",
                ConvergenceWarning,
                stacklevel=_USER_STACKLEVEL,
            )
        return True

    def _run_epoch(self, state, optimizer, buffers, batches):
        """One pass over ``batches``; returns the epoch's mean objective."""
        params = state.params
        l2, activation, out_activation = self.l2, self.activation, self.out_activation_
        step = optimizer.step
        total, weight_total = 0.0, 0.0
        for X_batch, Y_batch, w_batch in batches:
            if w_batch is None:
                S = X_batch.shape[0]
            else:
                S = float(w_batch.sum())
                if S == 0:
                    # Rows of zero weight carry no gradient.
                    continue
            J, grads = loss_and_grads(
                params,
                X_batch,
                Y_batch,
                w_batch,
                l2,
                activation,
                out_activation,
                buffers,
                S,
            )
            if not math.isfinite(J):
                return J
            step(params, grads)
            total += J * S
            weight_total += S
        return total / weight_total if weight_total else 0.0

    def _evaluate(self, params, val):
        """Validation accuracy and objective of the current parameters."""
        with np.errstate(over="ignore", invalid="ignore"):
            Z2 = self._logits(params, val.X)
        if not np.isfinite(Z2).all():
            # NaN logits would give a NaN validation loss and an arbitrary score.
            raise ValueError(
                "The network's outputs on the validation rows are not finite: they "
                "lie far outside the range of the training data, or training "
                f"diverged (alpha={self.alpha}). Scale X_val like X, or lower alpha."
            )
        loss = objective(
            Z2,
            val.Y,
            val.w,
            len(val.Y) if val.w is None else float(val.w.sum()),
            params.W1,
            params.W2,
            self.l2,
            self.out_activation_,
        )
        proba = _targets.proba_from_logits(Z2, self._target_type, self.out_activation_)
        pred = _targets.labels_from_proba(proba, self.classes_, self._target_type)
        return float(accuracy_score(val.y, pred, sample_weight=val.w)), float(loss)

    def _commit(self, state, val, incremental):
        """Write a training state to the fitted attributes."""
        self.W1_, self.b1_, self.W2_, self.b2_ = state.params
        self._velocity = state.velocity
        self.loss_curve_ = [float(v) for v in state.loss_curve]
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = min(self.loss_curve_)
        self.t_ = int(state.t)
        if incremental:
            self.n_iter_ = getattr(self, "n_iter_", 0) + state.n_iter
        else:
            self.n_iter_ = state.n_iter
        if val is not None:
            self.validation_scores_ = state.validation_scores
            self.validation_loss_curve_ = state.validation_loss_curve
            self.best_validation_score_ = max(state.validation_scores)
        else:
            # Curves of an earlier fit describe older weights, whether this call
            # was a fit without validation data or a partial_fit.
            for name in _VALIDATION_ATTRIBUTES:
                self.__dict__.pop(name, None)

    def _warn_on_failure(self, X, targets, w, train, cut_short):
        """End fit with a ConvergenceWarning that names each sign of failure.

        Only fit is judged. partial_fit makes one epoch on one chunk: early in a
        stream a loss above the priors' is normal, and a chunk's priors need not be
        the stream's (those of a chunk of one class have a loss of 0).
        """
        curve = self.loss_curve_[-self.n_iter_ :]
        # Unless rows were held out for validation, train holds every row.
        rows = train if len(train) < len(targets) else None
        prior = targets.prior_loss(rows, w, self.out_activation_)
        first_epoch = len(self.loss_curve_) - len(curve) + 1
        layer = self._layer_activity(X, train) if self.activation == "relu" else None
        signs = signs_of_failure(curve, first_epoch, prior, cut_short, layer)
        if not signs:
            return
        kinds = {kind for kind, _ in signs}
        if kinds & {"exploded", "spiked", "dead"}:
            advice = (
                "Scale the features (for example with a StandardScaler in a "
                f"pipeline) or lower alpha (now {self.alpha})."
            )
        elif "stopped_falling" in kinds:
            advice = (
                f"Let it train longer: lower tol (now {self.tol}), raise "
                f"n_iter_no_change (now {self.n_iter_no_change}) or raise alpha "
                f"(now {self.alpha})."
            )
        else:
            advice = (
                "Scale the features (for example with a StandardScaler in a "
                f"pipeline) or try another alpha (now {self.alpha}); if neither "
                "helps, the features may not predict y."
            )
        warnings.warn(
            f"Training failed: {'; '.join(text for _, text in signs)}. {advice}",
            ConvergenceWarning,
            stacklevel=_USER_STACKLEVEL + 1,
        )

    def _layer_activity(self, X, train):
        """On how many training rows the ReLU layer is alive, for the judgement.

        A layer inactive on every row stays dead: A1 = 0 and g'(Z1) = 0, so W1, b1
        and W2 get no gradient (but from the L2 term) and only b2 learns, a
        constant guess whose loss settles at the priors' loss. The stopping rule
        then ends the fit n_iter_no_change epochs after it settles (after 39 of
        200 epochs on the unscaled breast cancer data), so no rule of its own
        stops it earlier; detecting the death every epoch would cost a pass
        through the hidden layer each time. It is looked for once, with the
        weights fit ends with, and the count stops past DEAD_SHARE of the rows.
        """
        params = Params(self.W1_, self.b1_, self.W2_, self.b2_)
        limit = int(DEAD_SHARE * len(train))
        n_active = active_rows(params, X, train, limit)
        return LayerActivity(n_active, len(train), len(self.b1_))

    def _print_epoch(self, epoch, state, seconds):
        line = f"Epoch {epoch}: loss={state.loss_curve[-1]:.6f}"
        if state.validation_scores:
            line += (
                f", validation score={state.validation_scores[-1]:.6f}"
                f", validation loss={state.validation_loss_curve[-1]:.6f}"
            )
        print(f"{line}, {seconds:.3f}s")

    # ------------------------------------------------------------- prediction

    def _logits(self, params, X):
        """Z2 for all rows of X, computed in chunks of bounded memory."""
        n = X.shape[0]
        if sp.issparse(X) and not params.W1.flags.f_contiguous:
            # scipy would copy W1^T to C order for every chunk: do it once.
            params = params._replace(W1=np.asfortranarray(params.W1))
        rows = self._chunk_rows(n, params)
        # For sparse chunks scipy allocates the hidden layer anyway, and the
        # forward pass works in that array.
        buffers = Buffers(
            max(1, min(rows, n)), params, train=False, hidden=not sp.issparse(X)
        )
        if rows >= n:
            # One chunk, the common case. gen_batches validates its arguments, a
            # cost of the order of the whole forward pass of a few rows.
            return logits(params, X, self.activation, buffers)
        Z2 = np.empty((n, params.W2.shape[0]), dtype=params.W1.dtype)
        for chunk in gen_batches(n, rows):
            Z2[chunk] = logits(params, X[chunk], self.activation, buffers)
        return Z2

    @staticmethod
    def _chunk_rows(n, params):
        """Rows per prediction chunk, from scikit-learn's ``working_memory``."""
        h_factor, k_factor = _PREDICT_ROW_FACTORS
        hidden_size, n_outputs = params.W1.shape[0], params.W2.shape[0]
        row_bytes = params.W1.dtype.itemsize * (
            h_factor * hidden_size + k_factor * n_outputs
        )
        budget = get_config()["working_memory"] * 2**20
        return int(min(n, max(1, budget // row_bytes)))

    def _fitted_params(self):
        # Users may set the weights by hand: a wrong shape is reported here rather
        # than by a failing matrix product. Their values are checked by
        # _predict_logits only when the outputs are not finite, since a pass over
        # W1 can cost more than predicting a few rows.
        params = Params(self.W1_, self.b1_, self.W2_, self.b2_)
        _check_shapes(
            params,
            self._param_shapes(params.W1.shape[0]),
            "has shape {shape}, but the other fitted attributes need {expected}.",
        )
        return params

    def _param_shapes(self, hidden_size):
        h, K = hidden_size, self.n_outputs_
        return (h, self.n_features_in_), (h,), (K, h), (K,)

    def _predict_logits(self, X):
        """Z2 of the rows of X; raises rather than return NaN probabilities."""
        X = self._validate_X(X)
        # Finite rows far outside the training range can overflow the products to
        # inf, and inf - inf to NaN; the check below reports that in plain words.
        params = self._fitted_params()
        with np.errstate(over="ignore", invalid="ignore"):
            Z2 = self._logits(params, X)
        bad = ~np.isfinite(Z2).all(axis=1)
        if bad.any():
            # A weight set to NaN or infinity shows here; one that no output
            # depends on (a column of W1 that the rows' nonzeros miss) is harmless.
            _check_finite(params)
            raise ValueError(
                f"The network's outputs overflow for {int(bad.sum())} of the "
                f"{len(Z2)} rows of X (first at row {int(np.argmax(bad))}): their "
                f"values are too large for the fitted weights in {Z2.dtype}. Scale X "
                "the way the training data was scaled."
            )
        return Z2

    def _validate_X(self, X):
        check_is_fitted(self)
        return validate_data(
            self,
            X,
            reset=False,
            accept_sparse=["csr", "csc"],
            dtype=self.W1_.dtype,
        )

    def decision_function(self, X):
        """Return the logits Z2 of the output layer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Z2 : ndarray of shape (n_samples,) or (n_samples, n_outputs_)
            Logits; one column (raveled) for a binary target.
        """
        Z2 = self._predict_logits(X)
        return Z2.ravel() if self._target_type == "binary" else Z2

    def predict_proba(self, X):
        """Return class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For single-label targets each row sums to one; for multilabel targets
            column k is the independent probability of label k.
        """
        Z2 = self._predict_logits(X)
        return _targets.proba_from_logits(Z2, self._target_type, self.out_activation_)

    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities.
        """
        Z2 = self._predict_logits(X)
        return _targets.log_proba_from_logits(
            Z2, self._target_type, self.out_activation_
        )

    def predict(self, X):
        """Return predicted labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels, or an indicator matrix for multilabel targets.
        """
        return _targets.labels_from_proba(
            self.predict_proba(X), self.classes_, self._target_type
        )

    # ------------------------------------------------------------- protocol

    def __sklearn_is_fitted__(self):
        # Weights set by hand do not make a model: fit also records the classes and
        # the target type that prediction needs.
        return hasattr(self, "_target_type")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

    def __getstate__(self):
        # BaseEstimator hands back the live __dict__ for classes outside sklearn:
        # copy it, or pickling would add the version key to the estimator itself.
        state = dict(super().__getstate__())
        state["_sklearn_twolayer_version"] = __version__
        return state

    def __setstate__(self, state):
        version = state.pop("_sklearn_twolayer_version", "unknown")
        if version != __version__:
            warnings.warn(
                InconsistentVersionWarning(version, __version__), stacklevel=2
            )
        super().__setstate__(state)


class InconsistentVersionWarning(UserWarning):
    """A model pickled by one version of sklearn_twolayer is loaded by another.

    The model still loads and predicts, but the two versions may differ in how they
    train or predict: refit it, or load it with the version that saved it.

    Parameters
    ----------
    saved_version : str
        The version that pickled the model.
    current_version : str
        The version that loads it.
    """

    def __init__(self, saved_version, current_version):
        self.saved_version = saved_version
        self.current_version = current_version

    def __str__(self):
        return (
            f"This TwoLayerClassifier was pickled with sklearn_twolayer "
            f"{self.saved_version} and is loaded with {self.current_version}; it "
            "may behave differently. Refit it with this version, or load it with "
            "the version that saved it."
        )


def _check_params(params, shapes, shape_problem, nonfinite_problem="."):
    """Raise a ValueError naming the first parameter of a wrong shape or not finite.

    ``shape_problem`` is formatted with ``shape`` and ``expected``; each message
    starts with the attribute's name.
    """
    _check_shapes(params, shapes, shape_problem)
    _check_finite(params, nonfinite_problem)


def _check_shapes(params, shapes, problem):
    for name, p, expected in zip(_PARAM_NAMES, params, shapes, strict=True):
        if p.shape != tuple(expected):
            raise ValueError(
                f"{name} " + problem.format(shape=p.shape, expected=expected)
            )


def _check_finite(params, problem="."):
    for name, p in zip(_PARAM_NAMES, params, strict=True):
        if not np.isfinite(p).all():
            raise ValueError(f"{name} contains NaN or infinity{problem}")


# intp indices are kept up to this fraction (1/20) of X's bytes.
_INTP_MAX_SHARE = 20


def _index_dtype(X):
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


def _all_finite(arrays):
    # Parameters laid out in one array (see flat_params) are checked in one go.
    base = _shared_base(arrays)
    if base is not None:
        arrays = (base,)
    # max and min propagate NaN and reach inf if any entry is infinite; unlike
    # np.isfinite, they allocate nothing the size of W1.
    return all(
        a.size == 0 or (math.isfinite(a.max()) and math.isfinite(a.min()))
        for a in arrays
    )


def _is_indicator(y):
    try:
        return type_of_target(y) == "multilabel-indicator"
    except ValueError:
        return False


def _check_not_bool(estimator, names):
    # scikit-learn's Interval(Integral, ...) lets True and False through, since bool
    # subclasses int; as a layer size or an epoch count they are a mistake.
    for name in names:
        value = getattr(estimator, name)
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"The '{name}' parameter of TwoLayerClassifier must be an int >= 1, "
                f"not a bool. Got {value!r} instead."
            )


def _check_same_classes(classes, classes_):
    # As in scikit-learn's incremental classifiers: the first call fixes the
    # classes, and a later classes= that names others is a mistake, not a wish to
    # change the output layer. The same set in another order is the same classes.
    given = np.unique(np.asarray(classes))
    if given.shape != classes_.shape or not np.array_equal(given, classes_):
        raise ValueError(
            f"`classes={classes!r}` is not the same as on last call to "
            f"partial_fit, was: {classes_!r}"
        )


def _check_label_types(y):
    # An object y mixing strings with numbers has no order, so np.unique fails on
    # it; type_of_target only calls it "unknown".
    if y.dtype != object:
        return
    is_str = np.fromiter((isinstance(v, str) for v in y.ravel()), bool, y.size)
    if is_str.any() and not is_str.all():
        others = sorted({type(v).__name__ for v in y.ravel()[~is_str]})
        raise ValueError(
            "y mixes string labels with labels of other types "
            f"({', '.join(others)}); use labels of one type, for example all strings."
        )


def _check_weight_sum(w, rows, weights="sample_weight", hint=""):
    # The loss divides by the sum of the row weights: it must be positive and finite.
    with np.errstate(over="ignore"):
        total = w.sum()
    if not total > 0:
        raise ValueError(
            f"The weights of all {rows} are zero ({weights} times class_weight): "
            f"at least one row must have a positive weight.{hint}"
        )
    if not np.isfinite(total):
        raise ValueError(
            f"The weights of the {rows} ({weights} times class_weight) sum to "
            f"more than {w.dtype} can hold; divide them by a common factor."
        )


def _check_not_all_zero(sample_weight_val):
    # scikit-learn >= 1.9 refuses weights that are all zero without naming the
    # argument; older versions let them through to a validation loss of 0/0.
    # Anything that is not an array of numbers is left to _check_sample_weight.
    values = np.asarray(sample_weight_val)
    if values.dtype.kind in "biuf" and values.size and not values.any():
        raise ValueError(
            "sample_weight_val is zero on every validation row, so the validation "
            "score and loss are undefined: give some validation rows a positive "
            "weight, or pass no sample_weight_val."
        )
