"""The estimator: its parameters, fit and partial_fit, prediction, pickling.

``fit`` and ``partial_fit`` read top to bottom (``_fit_unsafe``): check the inputs
(:mod:`._checks`), build the targets and the row weights (:mod:`._targets`), find
where training starts (:mod:`._start`), hold out validation rows (:mod:`._holdout`),
run the training call (:mod:`._training`, with the hooks of :mod:`._callbacks`),
commit its result to the fitted attributes, and warn if the fit learned nothing or
ran out of epochs (:mod:`._diagnosis`). The math is in :mod:`._network`,
:mod:`._losses` and :mod:`._optimizer`.

How ``fit``, ``warm_start`` and ``partial_fit`` relate (all go through ``_fit``):

===========  ==========================  =======================  =========  =========
call         starts from                 epochs                   optimiser  stop rule
===========  ==========================  =======================  =========  =========
fit          new weights (random_state)  up to max_iter           new        new
fit, warm    the current weights         <= max_iter (this call)  continued  new
partial_fit  current (new on 1st call)   exactly one              continued  continued
===========  ==========================  =======================  =========  =========

The optimiser's state is kept as plain numbers and arrays in ``_optimizer_state``.
partial_fit's stopping rule never ends training, but its count of epochs without
improvement goes on over the calls, so that the adaptive schedule lowers its rate.
Training works on copies of the parameters (but for a ``W1_`` that partial_fit
trains in place, with a rollback), which the estimator commits at the end (after
Ctrl-C, those of the last finished epoch): a fit that raises changes nothing.
"""

import warnings
from numbers import Integral, Real

import numpy as np

# private: validates the parameters once per fit, as in scikit-learn's own.
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (  # private: the constraint types
    Interval,
    Options,
    StrOptions,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _checks, _diagnosis, _holdout, _start, _targets, _training
from ._arrays import dispatch, host_dtype, namespace, operations, placed_classes
from ._callbacks import CALLBACK_KEYS, Callbacks, CallbackSupportMixin
from ._checks import PARAM_NAMES
from ._network import Params, predict_logits
from ._persistence import InconsistentVersionWarning, upgrade_state
from ._version import __version__

__all__ = ["InconsistentVersionWarning", "TwoLayerClassifier"]

# Every warning of a training call is raised by _warn, called from _fit_unsafe: above
# them are _fit, fit or partial_fit, and scikit-learn's _fit_context wrapper, and
# then the user's line.
_USER_STACKLEVEL = 6

_VALIDATION_ATTRIBUTES = (
    "validation_scores_",
    "validation_loss_curve_",
    "best_validation_score_",
)


class TwoLayerClassifier(ClassifierMixin, CallbackSupportMixin, BaseEstimator):
    """A one-hidden-layer neural network with a sigmoid output, trained by backprop.

    For a row ``x`` the network computes::

        z1 = W1 x + b1,   a1 = g(z1),   z2 = W2 a1 + b2,   a2 = sigma(z2)

    with ``g`` the hidden activation and ``sigma`` the sigmoid (the softmax for a
    multiclass target, unless ``multiclass="ovr"``). Mini-batch gradient descent
    (the article's, optionally with a learning-rate schedule and momentum) or Adam
    minimises the weighted cross-entropy plus an L2 penalty, with the gradients of
    backpropagation.

    Read more in the :ref:`User Guide <user-guide>`; :ref:`math` derives each
    gradient beside the code that computes it.

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
        0 is plain gradient descent. Used by ``solver="sgd"`` only.
    solver : {"sgd", "adam"}, default="sgd"
        The update that uses the gradients: ``"sgd"`` is the article's gradient
        descent, with the ``learning_rate`` schedule and ``momentum``; ``"adam"``
        is Kingma and Ba's Adam, for which ``alpha`` is Adam's step size (the
        alpha of their paper; 0.001 there and in MLPClassifier).
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        The rate schedule of ``solver="sgd"`` (used by it only), with ``t`` the
        training rows seen (``t_``): ``"constant"`` keeps ``alpha``;
        ``"invscaling"`` uses ``alpha / (t + 1) ** power_t``, recomputed after
        each epoch; ``"adaptive"`` divides the rate by 5, instead of stopping,
        whenever the training loss (the validation score with early stopping)
        fails to improve by ``tol`` for more than ``n_iter_no_change`` epochs in a
        row, and stops at such a stall once the rate is at or below 1e-6.
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule, >= 0. Used by ``solver="sgd"``.
    nesterovs_momentum : bool, default=False
        Whether ``momentum`` is Nesterov's (``W += momentum * v - alpha * grad``
        with the new ``v``) rather than the classical one; used by ``solver="sgd"``
        only, when ``momentum > 0``. Unlike MLPClassifier's (True), the default
        keeps ``momentum`` classical unless asked otherwise.
    beta_1 : float, default=0.9
        Decay rate of Adam's estimate of the gradient's first moment, in [0, 1).
        Used by ``solver="adam"`` only.
    beta_2 : float, default=0.999
        Decay rate of Adam's estimate of the gradient's second moment, in [0, 1).
        Used by ``solver="adam"`` only.
    epsilon : float, default=1e-8
        Added to the square root of Adam's second moment, > 0, so that its
        division stays finite. Used by ``solver="adam"`` only.
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
        Whether fit continues from the current weights and optimiser state (the
        schedule's rate, the velocity, Adam's moments and step count; MLPClassifier
        starts its optimiser afresh) instead of new ones. The stopping rule starts
        afresh at each fit.
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
        Number of output units: 1 for a binary target, else one per class or label.
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
    >>> clf = TwoLayerClassifier(max_iter=500, random_state=0)
    >>> model = make_pipeline(StandardScaler(), clf)
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
        "solver": [StrOptions({"sgd", "adam"})],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
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
        solver="sgd",
        learning_rate="constant",
        power_t=0.5,
        nesterovs_momentum=False,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
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
        self.solver = solver
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
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
        validation = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, False, validation=validation)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch over the given rows.

        A call with no more rows than ``batch_size`` makes exactly one gradient step.
        Every row given is trained on: early stopping and validation data belong to
        :meth:`fit` alone. The optimiser's state (the schedule's rate, the velocity,
        Adam's moments) continues from the previous call; so does the count of
        epochs without improvement, which under ``learning_rate="adaptive"`` lowers
        the rate, as in MLPClassifier.

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
        return self._fit(X, y, sample_weight, True, classes=classes)

    def _fit(self, X, y, sample_weight, incremental, classes=None, validation=None):
        # Attributes are replaced, never mutated, so a shallow copy is enough to put
        # the estimator back as it was if this call fails or is interrupted early;
        # the one exception, a W1_ that partial_fit trains in place, comes with a
        # rollback in ``undo``.
        saved, undo = dict(self.__dict__), []
        args = (X, y, sample_weight, incremental, classes, validation, undo)
        try:
            committed = self._fit_unsafe(*args)
        except BaseException:
            self._restore(saved, undo)
            raise
        if not committed:
            self._restore(saved, undo)
        return self

    def _restore(self, saved, undo=()):
        for rollback in undo:
            if rollback is not None:
                rollback.restore()
        # The callback machinery keeps its own bookkeeping on the estimator until
        # fit returns; it must survive the restore.
        keep = {k: v for k, v in self.__dict__.items() if k in CALLBACK_KEYS}
        self.__dict__.clear()
        self.__dict__.update(saved)
        self.__dict__.update(keep)

    def _fit_unsafe(self, X, y, sample_weight, incremental, classes, validation, undo):
        """Check, train and commit; return False when there is nothing to commit."""
        # Check the inputs. Fitted means fitted by this class, as opposed to
        # weights merely set by hand; a call resets the network unless it continues
        # a fitted one.
        fitted = hasattr(self, "_target_type")
        continuing = incremental or self.warm_start
        reset = not fitted or not continuing
        # classes_ lives where y does (NumPy for string labels), as in
        # scikit-learn's array-API classifiers; the checks work on host copies.
        y_place = namespace(y) if dispatch() else (None, None)
        X, y, kind, classes_, sample_weight, validation = _checks.check_fit_inputs(
            self, X, y, sample_weight, classes, validation, incremental, fitted, reset
        )

        # The targets and the row weights, on the host.
        layout, targets, per_class, w, counts, warning = _targets.weighted_targets(
            y,
            kind,
            classes_,
            sample_weight,
            host_dtype(X.dtype),
            multiclass=self.multiclass,
            class_weight=self.class_weight,
            # A continued network keeps its output layer and, for the "balanced"
            # class weights of partial_fit, its counts of every row seen.
            out_activation=None if reset else self.out_activation_,
            class_counts=None if reset else self._class_counts,
            incremental=incremental,
        )
        if warning is not None:
            self._warn(warning, UserWarning)

        # Where training starts: new weights, or the fitted ones.
        if reset:
            random_state = check_random_state(self.random_state)
            hand_set = {n: getattr(self, n) for n in PARAM_NAMES if hasattr(self, n)}
            start = _start.new_state(
                X,
                self.hidden_size,
                self.activation,
                layout.n_outputs,
                random_state,
                # Weights set by hand count before a first partial_fit or warm fit.
                hand_set if continuing and "W1_" in hand_set else None,
            )
            seed = int(random_state.randint(np.iinfo(np.int32).max))
        else:
            # The hold-out of a warm start differs from that of the first fit.
            seed = self._seed
            random_state = np.random.RandomState([seed, len(self.loss_curve_)])
        settings = _training.Settings.of(
            # The parameters as set; get_params would read __init__'s signature
            # again, a cost of the order of a small epoch.
            vars(self),
            out_activation=layout.out_activation,
            max_epochs=1 if incremental else self.max_iter,
            incremental=incremental,
            seed=seed,
            verbose=bool(self.verbose),
        )
        if not reset:
            start = _start.fitted_state(
                Params(*(getattr(self, name) for name in PARAM_NAMES)),
                (self.hidden_size, self.n_features_in_, self.n_outputs_),
                getattr(self, "_optimizer_state", None),
                self.loss_curve_,
                self.t_,
                X,
                settings,
                no_improvement_count=getattr(self, "_no_improvement_count", 0),
                incremental=incremental,
            )
            undo.append(start.rollback)

        # The validation rows: the data given, or a hold-out of the training rows.
        rows, val, problem = _holdout.validation_rows(
            X,
            y,
            w,
            validation,
            per_class,
            layout,
            early_stopping=self.early_stopping and not incremental,
            fraction=self.validation_fraction,
            random_state=random_state,
        )
        if problem is not None:
            self._warn(problem, UserWarning)

        # Train.
        attributes = layout.attributes()
        attributes["classes_"] = (
            self.classes_ if not reset else placed_classes(classes_, y_place)
        )
        attributes["n_features_in_"] = self.n_features_in_
        epochs = settings.max_epochs
        callbacks = Callbacks(self, X, y, sample_weight, epochs, attributes)
        result = _training.train(start, X, targets, w, rows, settings, val, callbacks)

        # Commit (after Ctrl-C, the last finished epoch, if any).
        if result.stop == "interrupted":
            self._warn(result.interruption(), UserWarning)
            if result.n_iter == 0:
                return False
        self._commit(result, attributes, seed, counts, val is not None, incremental)
        if result.stop == "interrupted":
            return True
        callbacks.end_fit()

        # Diagnosis: did the fit learn anything, did it run out of epochs?
        if not incremental:
            args = (result, X, targets, w, rows, settings)
            for message in _diagnosis.convergence_warnings(*args):
                self._warn(message, ConvergenceWarning)
        return True

    @staticmethod
    def _warn(message, category):
        # Called from _fit_unsafe alone, so that the warning names the user's line.
        warnings.warn(message, category, stacklevel=_USER_STACKLEVEL)

    def _commit(self, result, attributes, seed, class_counts, validated, incremental):
        """Write the result of a training call to the fitted attributes."""
        for name, value in attributes.items():
            setattr(self, name, value)
        self._seed = seed
        self._class_counts = class_counts
        self.W1_, self.b1_, self.W2_, self.b2_ = result.params
        self._optimizer_state = result.optimizer_state
        self._no_improvement_count = result.no_improvement_count
        self.loss_curve_ = result.loss_curve
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = min(self.loss_curve_)
        self.t_ = result.t
        previous = getattr(self, "n_iter_", 0) if incremental else 0
        self.n_iter_ = previous + result.n_iter
        if validated:
            self.validation_scores_ = result.validation_scores
            self.validation_loss_curve_ = result.validation_loss_curve
            self.best_validation_score_ = max(result.validation_scores)
        else:
            # Curves of an earlier fit describe older weights, whether this call
            # was a fit without validation data or a partial_fit.
            for name in _VALIDATION_ATTRIBUTES:
                self.__dict__.pop(name, None)

    # ------------------------------------------------------------- prediction

    def _predict_logits(self, X, method):
        """Z2 of the rows of X; raises rather than return NaN probabilities."""
        X = self._validate_X(X, method)
        params = _checks.check_fitted_params(
            Params(self.W1_, self.b1_, self.W2_, self.b2_),
            self.n_features_in_,
            self.n_outputs_,
        )
        # Finite rows far outside the training range can overflow the products to
        # inf, and inf - inf to NaN; the check below reports that in plain words.
        with np.errstate(over="ignore", invalid="ignore"):
            Z2 = predict_logits(params, X, self.activation, operations(X))
        return _checks.check_logits(Z2, params)

    def _validate_X(self, X, method):
        check_is_fitted(self)
        _checks.check_same_namespace(X, self, method)
        sparse, dtype = ["csr", "csc"], self.W1_.dtype
        return validate_data(self, X, reset=False, accept_sparse=sparse, dtype=dtype)

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
        Z2 = self._predict_logits(X, "decision_function")
        if self._target_type != "binary":
            return Z2
        return Z2.ravel() if isinstance(Z2, np.ndarray) else Z2[:, 0]

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
        return self._proba(X, "predict_proba")

    def _proba(self, X, method, log=False):
        Z2 = self._predict_logits(X, method)
        proba = _targets.log_proba_from_logits if log else _targets.proba_from_logits
        return proba(Z2, self._target_type, self.out_activation_)

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
        return self._proba(X, "predict_log_proba", log=True)

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
        proba = self._proba(X, "predict")
        return _targets.labels_from_proba(proba, self.classes_, self._target_type)

    # ------------------------------------------------------------- protocol

    def __sklearn_is_fitted__(self):
        # Weights set by hand do not make a model: fit also records the classes and
        # the target type that prediction needs.
        return hasattr(self, "_target_type")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Training and prediction run in X's array namespace under
        # sklearn.set_config(array_api_dispatch=True) (see _arrays).
        tags.array_api_support = True
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
        defaults = type(self)().get_params(deep=False)
        super().__setstate__(upgrade_state(state, defaults))
