"""Checks of what a training call receives: X, y, the classes, the weights.

Each function returns the validated values, or raises a ValueError (TypeError for a
parameter of the wrong type) whose message names the problem and what to do, so that
the estimator's ``fit`` reads as a sequence of checks. The messages speak to users:
they name the estimator's parameters and fitted attributes.

X keeps its array namespace and device when scikit-learn's ``array_api_dispatch``
is on (see :mod:`._arrays`), and ``X_val`` joins it there. Labels, classes and
sample weights, from whatever namespace, are checked on the host as NumPy arrays:
they are one number a row, and every check of them is NumPy's.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import config_context
from sklearn.utils import column_or_1d
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    # private: scikit-learn's own validation of sample weights, messages included.
    _check_sample_weight,
    check_array,
    check_consistent_length,
    validate_data,
)

from ._arrays import (
    dispatch,
    float_dtypes,
    host_dtype,
    input_namespace,
    move,
    namespace,
    operations,
    same_place,
    to_host,
)

__all__ = [
    "PARAM_NAMES",
    "check_X_y",
    "check_classes_given",
    "check_finite",
    "check_fit_inputs",
    "check_fitted_params",
    "check_fitted_shapes",
    "check_hand_set_params",
    "check_logits",
    "check_not_bool",
    "check_same_namespace",
    "check_sample_weight",
    "check_shapes",
    "check_targets",
    "check_validation_data",
    "check_weight_sum",
    "is_indicator",
    "param_shapes",
]

# The fitted attributes that hold the network's parameters, in the order of Params.
PARAM_NAMES = ("W1_", "b1_", "W2_", "b2_")

# Integer parameters that a bool must not stand for.
SIZE_PARAMETERS = ("hidden_size", "batch_size", "max_iter", "n_iter_no_change")

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


def check_fit_inputs(
    estimator, X, y, sample_weight, classes, validation, incremental, fitted, reset
):
    """All the checks of a call to fit or partial_fit, in order.

    Parameters
    ----------
    estimator : TwoLayerClassifier
        The estimator called: its integer parameters are checked, and
        ``validate_data`` sets (``reset``) or checks its ``n_features_in_``.
    X, y, sample_weight :
        The arguments of the call.
    classes : array-like or None
        The classes given to partial_fit.
    validation : tuple (X_val, y_val, sample_weight_val) or None
        The validation data given to fit; None for partial_fit.
    incremental : bool
        Whether the call is partial_fit.
    fitted : bool
        Whether the estimator holds a network fitted by this class.
    reset : bool
        Whether the call starts a new network.

    Returns
    -------
    X, y, kind, classes, sample_weight, validation
        The validated arrays, the target kind and classes (:func:`check_targets`)
        and the validated validation data (or None). X is in its namespace; y,
        classes and sample_weight are NumPy arrays, X_val is in X's namespace and
        y_val and sample_weight_val are NumPy arrays.
    """
    check_not_bool({name: getattr(estimator, name) for name in SIZE_PARAMETERS})
    y, classes, sample_weight = to_host(y), to_host(classes), to_host(sample_weight)
    if incremental and not fitted:
        check_classes_given(classes, y)
    fitted_classes = None if not fitted else to_host(estimator.classes_)
    if incremental and fitted and classes is not None:
        check_same_classes(classes, fitted_classes)
    if not reset:
        method = "partial_fit" if incremental else "fit"
        check_same_namespace(X, estimator, method, continuing=True)
    dtype = None if reset else estimator.W1_.dtype
    X, y = check_X_y(estimator, X, y, reset=reset, dtype=dtype)
    previous = None if reset else (estimator._target_type, fitted_classes)
    kind, classes = check_targets(y, classes, fitted=previous, incremental=incremental)
    sample_weight = check_sample_weight(sample_weight, X)
    if validation is not None:
        validation = check_validation_data(
            estimator,
            *validation,
            dtype=X.dtype,
            kind=kind,
            place=input_namespace(X),
        )
    return X, y, kind, classes, sample_weight, validation


def check_same_namespace(X, estimator, method, continuing=False):
    """Refuse an X in another namespace, or on another device, than the weights.

    The fitted weights live where the data of fit did: a prediction, or a fit that
    continues them, computes there, and needs X there too. The message starts as
    scikit-learn's (``check_same_namespace`` of version 1.9), whose common checks
    look for it. Without ``array_api_dispatch``, X becomes a NumPy array, which
    weights of another namespace cannot take either.

    Parameters
    ----------
    X : array-like
        The data of the call.
    estimator : TwoLayerClassifier
        The estimator, with its ``W1_``.
    method : str
        The method called, for the message.
    continuing : bool, default=False
        Whether the call trains the weights further (partial_fit, warm_start).
    """
    W1 = estimator.W1_
    fitted_xp, fitted_device = namespace(W1)
    if fitted_xp is None and (not dispatch() or input_namespace(X)[0] is None):
        return
    if dispatch() and same_place(X, W1) and input_namespace(X)[0] is not None:
        return
    fitted = "numpy" if fitted_xp is None else fitted_xp.__name__
    if not dispatch():
        given = "NumPy (array_api_dispatch is off)"
    else:
        x_xp, x_device = input_namespace(X)
        given = "numpy" if x_xp is None else f"{x_xp.__name__} on {x_device!r}"
    where = "numpy" if fitted_xp is None else f"{fitted} on {fitted_device!r}"
    if continuing:
        remedy = "Move X there, or start afresh (warm_start=False, or a new estimator)."
    else:
        remedy = (
            "Move X there, or turn the model into a NumPy one with "
            "sklearn_twolayer.to_numpy(model) to predict on NumPy arrays."
        )
    raise ValueError(
        f"Inputs passed to TwoLayerClassifier.{method}() must use the same "
        "namespace and the same device as those passed to fit(). The weights are "
        f"{where} arrays and X is {given}. {remedy}"
    )


def check_not_bool(params):
    """Refuse True and False as values of the integer parameters in ``params``.

    scikit-learn's ``Interval(Integral, ...)`` lets them through, since bool
    subclasses int; as a layer size or an epoch count they are a mistake.

    Parameters
    ----------
    params : dict
        Parameter names and values.
    """
    for name, value in params.items():
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"The '{name}' parameter of TwoLayerClassifier must be an int >= 1, "
                f"not a bool. Got {value!r} instead."
            )


def is_indicator(y):
    """Whether ``y`` is a multilabel indicator matrix (False if it is no target)."""
    try:
        return type_of_target(y) == "multilabel-indicator"
    except ValueError:
        return False


def check_X_y(estimator, X, y, *, reset, dtype=None):
    """Validate the training rows and labels, as ``validate_data`` does.

    Parameters
    ----------
    estimator : TwoLayerClassifier
        The estimator whose ``n_features_in_`` and ``feature_names_in_`` are set
        (``reset=True``) or checked.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
    reset : bool
        Whether this call starts a new network.
    dtype : dtype, default=None
        The dtype of the weights to continue from; None when ``reset``.

    Returns
    -------
    X : array or scipy.sparse.csr_matrix
        float32 input stays float32 (of either byte order) when ``reset``;
        anything else becomes float64 (float32 on a device without float64), or
        ``dtype``. With ``array_api_dispatch``, X stays in its namespace.
    y : ndarray
        1-D, unless it is an indicator matrix.
    """
    xp, device = input_namespace(X)
    if reset and xp is not None:
        dtype = list(float_dtypes(xp, device))
    elif reset:
        x_dtype = getattr(X, "dtype", None)
        single = isinstance(x_dtype, np.dtype) and x_dtype.kind == "f"
        single = single and x_dtype.itemsize == 4
        dtype = [np.float32, np.float64] if single else [np.float64, np.float32]
    X, y = validate_data(
        estimator,
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


def check_classes_given(classes, y):
    """Require ``classes`` on the first call to partial_fit, but for an indicator y."""
    if classes is None and not is_indicator(y):
        raise ValueError(
            "classes must be passed on the first call to partial_fit: the list "
            "of all the labels that y may contain."
        )


def check_same_classes(classes, classes_):
    """Refuse a later ``classes=`` of partial_fit that names other classes.

    As in scikit-learn's incremental classifiers: the first call fixes the
    classes, and a later ``classes=`` that names others is a mistake, not a wish to
    change the output layer. The same set in another order is the same classes.
    """
    given = np.unique(np.asarray(classes))
    # Strings never equal numbers; NumPy < 2 warns when asked to compare them.
    kinds = {given.dtype.kind, classes_.dtype.kind}
    comparable = not (kinds & set("US") and kinds & set("biuf"))
    if (
        given.shape != classes_.shape
        or not comparable
        or not np.array_equal(given, classes_)
    ):
        raise ValueError(
            f"`classes={classes!r}` is not the same as on last call to "
            f"partial_fit, was: {classes_!r}"
        )


def check_targets(y, classes=None, *, fitted=None, incremental=False):
    """The target kind and the classes of ``y``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Validated labels (see :func:`check_X_y`).
    classes : array-like, default=None
        The classes given to a first call of partial_fit.
    fitted : tuple (kind, classes), default=None
        The target kind and classes of the network that this call continues;
        None when it starts a new one.
    incremental : bool, default=False
        Whether the call is partial_fit.

    Returns
    -------
    kind : {"binary", "multiclass", "multilabel-indicator"}
    classes : ndarray
        Sorted labels (``arange(n_labels)`` for an indicator matrix).
    """
    _check_label_types(y)
    # check_classification_targets would call type_of_target a second time.
    kind = type_of_target(y, input_name="y")
    if kind not in _CLASSIFICATION_TARGETS:
        raise ValueError(
            f"Unknown label type: {kind}. Maybe you are trying to fit a "
            "classifier, which expects discrete classes on a regression target "
            "with continuous values."
        )
    if y.ndim == 2 and (kind != "multilabel-indicator" or not np.isin(y, (0, 1)).all()):
        # np.unique would flatten such a y and could even call it binary, and
        # type_of_target calls any two-valued integer matrix an indicator.
        raise ValueError(
            "TwoLayerClassifier supports 2-D y only as a multilabel indicator "
            f"matrix of 0/1 columns; got a {kind} target with values "
            f"{np.unique(y)[:10].tolist()}."
        )
    if kind == "multilabel-indicator":
        classes_ = np.arange(y.shape[1])
    elif incremental and classes is not None and fitted is None:
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
    # Once classes_ is known, a chunk for partial_fit may hold any subset of it,
    # one class or a single row included, as in scikit-learn's incremental
    # classifiers; the classes themselves must be at least two.
    chunk = incremental and fitted is not None
    if len(classes_) < 2 and kind != "multilabel-indicator" and not chunk:
        raise ValueError(
            "TwoLayerClassifier needs samples of at least 2 classes in the data, "
            # tolist gives the label as Python prints it: 1, not np.int64(1).
            f"but the data contains only one class: {classes_[:1].tolist()[0]!r}."
        )
    if fitted is None:
        return kind, classes_
    fitted_kind, fitted_classes = fitted
    if "multilabel-indicator" in (kind, fitted_kind):
        if kind != fitted_kind or len(classes_) != len(fitted_classes):
            raise ValueError(
                "The target changed from the previous call: it was "
                f"{fitted_kind} with {len(fitted_classes)} outputs and is now "
                f"{kind} with {len(classes_)} outputs."
            )
    elif incremental:
        unknown = np.setdiff1d(classes_, fitted_classes)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown.tolist()} that are not in classes_ "
                f"{fitted_classes.tolist()} given at the first partial_fit call."
            )
    elif not np.array_equal(classes_, fitted_classes):
        raise ValueError(
            "warm_start can only continue training with the classes of the "
            f"previous fit, {fitted_classes.tolist()}; y has the classes "
            f"{classes_.tolist()}. Set warm_start=False to start afresh."
        )
    return fitted_kind, fitted_classes


def check_sample_weight(sample_weight, X):
    """Validated non-negative row weights of X's precision, on the host, or None."""
    if sample_weight is None:
        return None
    # On the host whatever X's namespace: X lends its number of rows alone.
    with config_context(array_api_dispatch=False):
        sample_weight = _check_sample_weight(
            to_host(sample_weight),
            X,
            dtype=host_dtype(X.dtype),
            ensure_non_negative=True,
        )
    if not np.any(sample_weight > 0):
        raise ValueError(
            "sample_weight sums to zero: at least one row must have a positive weight."
        )
    return sample_weight


def check_weight_sum(w, rows, weights="sample_weight", hint=""):
    """Check that the weights ``w`` of ``rows`` (a description) sum to a usable S.

    The loss divides by the sum of the row weights: it must be positive and finite.
    ``weights`` names the argument that the weights come from, and ``hint`` is
    added to the message of weights that are all zero.
    """
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


def check_validation_data(
    estimator, X_val, y_val, sample_weight_val, *, dtype, kind, place=(None, None)
):
    """Validate the ``X_val``, ``y_val`` and ``sample_weight_val`` given to fit.

    ``X_val`` joins the namespace and device ``place`` (``(xp, device)``, that of
    X; NumPy by default) and takes ``dtype``, X's.

    Returns
    -------
    validation : tuple (X_val, y_val, sample_weight_val) or None
        None when no validation data is given. ``y_val`` and
        ``sample_weight_val`` are NumPy arrays.
    """
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together.")
    if sample_weight_val is not None and X_val is None:
        raise ValueError("sample_weight_val was given without X_val and y_val.")
    if X_val is None:
        return None
    xp, device = place
    if xp is not None and not sp.issparse(X_val):
        X_val = move(X_val, xp, device)
    y_val, sample_weight_val = to_host(y_val), to_host(sample_weight_val)
    X_val = validate_data(
        estimator, X_val, reset=False, accept_sparse=["csr", "csc"], dtype=dtype
    )
    y_val = check_array(y_val, ensure_2d=False, dtype=None)
    if kind != "multilabel-indicator":
        y_val = column_or_1d(y_val)
    check_consistent_length(X_val, y_val)
    if sample_weight_val is not None:
        _check_not_all_zero(sample_weight_val)
        with config_context(array_api_dispatch=False):
            sample_weight_val = _check_sample_weight(
                sample_weight_val,
                X_val,
                dtype=host_dtype(dtype),
                ensure_non_negative=True,
            )
    return X_val, y_val, sample_weight_val


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


def param_shapes(hidden_size, n_features, n_outputs):
    """The shapes of ``W1``, ``b1``, ``W2`` and ``b2``."""
    h, K = hidden_size, n_outputs
    return (h, n_features), (h,), (K, h), (K,)


def check_shapes(params, shapes, problem):
    """Raise a ValueError naming the first parameter whose shape is not expected.

    ``problem`` is formatted with ``shape`` and ``expected``, after the name.
    """
    for name, p, expected in zip(PARAM_NAMES, params, shapes, strict=True):
        if p.shape != tuple(expected):
            raise ValueError(
                f"{name} " + problem.format(shape=p.shape, expected=expected)
            )


def check_finite(params, problem="."):
    """Raise a ValueError naming the first parameter with a NaN or an infinity."""
    for name, p in zip(PARAM_NAMES, params, strict=True):
        if not operations(p).all_finite(p):
            raise ValueError(f"{name} contains NaN or infinity{problem}")


def check_hand_set_params(values, drawn):
    """Weights set by hand before a first partial_fit or warm fit, as Params.

    Parameters
    ----------
    values : sequence of array-like
        The values of ``W1_``, ``b1_``, ``W2_`` and ``b2_`` (each the drawn array
        where it was not set).
    drawn : Params
        New weights, which give the shapes and the dtype.

    Returns
    -------
    params : Params
        Copies of ``values`` in the dtype of ``drawn``.
    """
    params = type(drawn)(
        *(np.array(v, dtype=p.dtype) for v, p in zip(values, drawn, strict=True))
    )
    check_shapes(
        params,
        [p.shape for p in drawn],
        "was set to an array of shape {shape}, but this network and these data "
        "need {expected}.",
    )
    check_finite(params)
    return params


def check_fitted_shapes(params, shapes, hidden_size, incremental):
    """Check that the fitted parameters fit ``hidden_size`` and the data."""
    check_shapes(
        params,
        shapes,
        f"has shape {{shape}}, but hidden_size={hidden_size} and the data need "
        "{expected}. "
        + (
            "partial_fit continues the current network: restore hidden_size, or "
            "fit a new estimator."
            if incremental
            else "Set warm_start=False to start afresh."
        ),
    )


def check_fitted_params(params, n_features, n_outputs):
    """Return the fitted parameters that a prediction uses, once their shapes agree.

    Users may set the weights by hand: a wrong shape is reported here rather than
    by a failing matrix product. Their values are checked by :func:`check_logits`
    only when the outputs are not finite, since a pass over W1 can cost more than
    predicting a few rows.
    """
    check_shapes(
        params,
        param_shapes(params.W1.shape[0], n_features, n_outputs),
        "has shape {shape}, but the other fitted attributes need {expected}.",
    )
    return params


def check_logits(Z2, params):
    """Return the logits ``Z2`` of a prediction; raise where they overflowed.

    Finite rows far outside the training range can overflow the products to inf,
    and inf - inf to NaN: the error says so in plain words, or names a weight set
    to NaN or infinity.
    """
    xp = operations(Z2)
    if not xp.is_numpy:
        if xp.all_finite(Z2):
            return Z2
        # The details, from host copies.
        check_logits(to_host(Z2), [to_host(p) for p in params])
    bad = ~np.isfinite(Z2).all(axis=1)
    if bad.any():
        # A weight set to NaN or infinity shows here; one that no output depends
        # on (a column of W1 that the rows' nonzeros miss) is harmless.
        check_finite(params)
        raise ValueError(
            f"The network's outputs overflow for {int(bad.sum())} of the "
            f"{len(Z2)} rows of X (first at row {int(np.argmax(bad))}): their "
            f"values are too large for the fitted weights in {Z2.dtype}. Scale X "
            "the way the training data was scaled."
        )
    return Z2
