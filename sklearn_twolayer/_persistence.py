"""What model files need: the warning of a version change, the trusted types of skops.

A pickled :class:`~sklearn_twolayer.TwoLayerClassifier` records the version of this
package that wrote it; loading it with another version raises an
:class:`InconsistentVersionWarning` (see ``TwoLayerClassifier.__setstate__``).

A TwoLayerClassifier fitted on NumPy arrays holds nothing but NumPy arrays, lists,
dicts, numbers and strings, so the only type that ``skops.io`` does not trust out of
the box is the estimator class itself: :data:`SKOPS_TRUSTED_TYPES` names it (the
tests check the name against the class, so that it follows the class if the module
layout changes). A model fitted on the arrays of another library (PyTorch, CuPy,
...) holds that library's arrays, which skops cannot store: :func:`to_numpy` makes
a NumPy copy of it.

A file written before a parameter existed loads with the parameter's default, and
training continues from its state as it would have then (:func:`upgrade_state`).

skops is never imported by this package: it is an optional dependency (the
``persist`` extra) that users import themselves.
"""

import copy

from sklearn.base import BaseEstimator

from ._arrays import to_host

__all__ = [
    "SKOPS_TRUSTED_TYPES",
    "InconsistentVersionWarning",
    "to_numpy",
    "upgrade_state",
]


def to_numpy(estimator):
    """Return a copy of a fitted estimator whose arrays are all NumPy arrays.

    A model fitted under ``sklearn.set_config(array_api_dispatch=True)`` on PyTorch
    tensors, CuPy arrays or any other array API arrays keeps its fitted arrays
    there: the weights, the optimiser's state and (for numeric labels)
    ``classes_``. The copy holds NumPy arrays on the host in their place, with the
    same values and dtypes, so that it predicts on NumPy input, saves with
    ``skops.io``, and loads on a machine without that library or device. The
    estimator itself is left as it is.

    Parameters
    ----------
    estimator : estimator
        A fitted :class:`TwoLayerClassifier`, or any scikit-learn estimator (a
        pipeline's steps are converted too).

    Returns
    -------
    estimator_numpy : estimator
        A shallow copy of ``estimator`` whose arrays, including those inside lists,
        tuples, dicts and nested estimators, are NumPy arrays. Other values are
        shared with ``estimator``.

    Examples
    --------
    >>> import torch
    >>> from sklearn import config_context
    >>> from sklearn_twolayer import TwoLayerClassifier, to_numpy
    >>> X = torch.randn(100, 4, dtype=torch.float64)
    >>> y = (X[:, 0] > 0).to(torch.int64)
    >>> with config_context(array_api_dispatch=True):
    ...     model = TwoLayerClassifier(random_state=0).partial_fit(X, y, classes=[0, 1])
    >>> type(model.W1_).__name__, type(to_numpy(model).W1_).__name__
    ('Tensor', 'ndarray')
    """
    return _host(estimator)


def _host(value):
    """``value`` with every array in it a NumPy array (containers copied)."""
    if isinstance(value, BaseEstimator):
        new = copy.copy(value)
        new.__dict__.update({k: _host(v) for k, v in vars(value).items()})
        return new
    if isinstance(value, dict):
        return {k: _host(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_host(v) for v in value]
    if isinstance(value, tuple):
        items = [_host(v) for v in value]
        # A namedtuple is rebuilt from its fields.
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    host = to_host(value)
    if host is not value:
        # A copy: an array read through DLPack shares the source's memory.
        return host.copy()
    return value


SKOPS_TRUSTED_TYPES = [f"{__package__}._classifier.TwoLayerClassifier"]
"""Type names to pass as ``trusted`` to ``skops.io.load`` for a TwoLayerClassifier.

They are exactly what ``skops.io.get_untrusted_types`` reports for a file holding a
fitted TwoLayerClassifier, alone or inside a scikit-learn Pipeline.
"""


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


def upgrade_state(state, defaults):
    """The state of a pickled estimator in the current layout, updated in place.

    Parameters
    ----------
    state : dict
        The ``__dict__`` of a pickled TwoLayerClassifier.
    defaults : dict
        The current parameters and their defaults: a parameter absent from the
        file takes its default, which keeps the behaviour the file was fitted
        with (every parameter added since 0.1.0 defaults to that behaviour).

    Returns
    -------
    state : dict
    """
    for name, value in defaults.items():
        state.setdefault(name, value)
    if "_velocity" in state:
        # 0.1.0 kept the velocity of its one update rule, gradient descent at a
        # constant rate, alone.
        velocity = state.pop("_velocity")
        state["_optimizer_state"] = {
            "solver": "sgd",
            "learning_rate": float(state["alpha"]),
            "velocity": None if velocity is None else list(velocity),
        }
    return state
