"""Where a training call starts: new weights, or the fitted state.

A call that does not continue a fitted model starts from :func:`new_state`: new
weights drawn from ``random_state``, or the weights that the user set by hand
before a first partial_fit or warm-started fit. A call that continues one
(partial_fit, or fit with ``warm_start=True``) starts from :func:`fitted_state`:
the fitted parameters and optimiser state, once their shapes are checked against
``hidden_size`` and the data. Either returns the :class:`._training.State` that
:func:`._training.train` works on; neither sees the estimator.
"""

import numpy as np

from ._arrays import host_dtype, move, namespace, operations, to_host
from ._checks import (
    PARAM_NAMES,
    check_fitted_shapes,
    check_hand_set_params,
    param_shapes,
)
from ._network import Params, init_params
from ._training import State, resume

__all__ = ["fitted_state", "new_state"]


def new_state(X, hidden_size, activation, n_outputs, random_state, hand_set=None):
    """The state of new weights, or of those set by hand, for the rows of X.

    The weights are drawn on the host, as for NumPy input, and moved to X's device.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The checked training rows; they give the width, the dtype and the device.
    hidden_size : int
    activation : str
        The hidden activation, whose initialisation the weights follow.
    n_outputs : int
    random_state : RandomState
        Draws the weights (also when they are set by hand, so that the draws
        that follow do not depend on it).
    hand_set : dict, default=None
        Values of ``W1_``, ``b1_``, ``W2_`` and ``b2_`` set by hand, by name; each
        replaces the drawn array once checked. None or empty: the drawn weights.

    Returns
    -------
    state : State
    """
    # Drawn in the memory order that training uses (see _training.train).
    args = (activation, random_state, host_dtype(X.dtype))
    drawn = init_params(X.shape[1], hidden_size, n_outputs, *args, order="F")
    if hand_set:
        values = [
            to_host(hand_set.get(n, p)) for n, p in zip(PARAM_NAMES, drawn, strict=True)
        ]
        drawn = check_hand_set_params(values, drawn)
    xp, device = namespace(X)
    if xp is None:
        return State(drawn)
    return State(Params(*(move(np.ascontiguousarray(p), xp, device) for p in drawn)))


def fitted_state(
    fitted,
    sizes,
    optimizer_state,
    loss_curve,
    t,
    X,
    settings,
    *,
    no_improvement_count=0,
    incremental=False,
):
    """The state that continues training from the fitted attributes.

    Parameters
    ----------
    fitted : Params
        The fitted ``W1_``, ``b1_``, ``W2_`` and ``b2_`` (perhaps set by hand since).
    sizes : tuple of int
        ``(hidden_size, n_features_in_, n_outputs_)``, which the shapes of
        ``fitted`` must match.
    optimizer_state : dict or None
    loss_curve : list of float
    t : int
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The checked rows of the call.
    settings : Settings
    no_improvement_count : int, default=0
        As for :func:`._training.resume`.
    incremental : bool, default=False
        Whether the call is a partial_fit, which may train W1 in place.

    Returns
    -------
    state : State
        Its ``rollback`` is set when W1 is trained in place.
    """
    if operations(X).is_numpy:
        fitted = Params(*(np.asarray(p) for p in fitted))
    hidden_size = sizes[0]
    check_fitted_shapes(fitted, param_shapes(*sizes), hidden_size, incremental)
    return resume(
        fitted,
        optimizer_state,
        loss_curve,
        t,
        X,
        settings,
        no_improvement_count=no_improvement_count,
        in_place=incremental,
    )
