"""The judgement of a finished fit: did it learn anything?

fit ends with a ConvergenceWarning when its model is no better than predicting the
class priors, or when a ReLU hidden layer is inactive on (nearly) every training
row. :func:`signs_of_failure` reads the fit's loss curve and the layer's activity
(:func:`layer_activity`) for these signs, each with its numbers, and
:func:`failure_message` turns them into the warning's text with what to do.
:func:`convergence_warnings` gives the texts of every ConvergenceWarning of a fit:
that one, and that of a fit that ran out of ``max_iter`` epochs.
"""

from collections import namedtuple

import numpy as np
import scipy.sparse as sp

from ._arrays import operations

__all__ = [
    "DEAD_SHARE",
    "EXPLOSION_FACTOR",
    "PRIOR_MARGIN",
    "LayerActivity",
    "active_rows",
    "convergence_warnings",
    "failure_message",
    "judge",
    "layer_activity",
    "signs_of_failure",
    "still_falling",
]

# A final training loss that is not this fraction below the loss of predicting the
# class priors is no better than them: such a model has learned next to nothing.
PRIOR_MARGIN = 0.01
# A loss more than this many times a reference (the lowest of the fit, or the
# priors' loss) has exploded.
EXPLOSION_FACTOR = 10
# A ReLU layer active (some unit with Z1 > 0) on no more than this share of the
# training rows gives nearly all of them one and the same output.
DEAD_SHARE = 0.01

LayerActivity = namedtuple("LayerActivity", ["active_rows", "n_rows", "hidden_size"])
LayerActivity.__doc__ = """How much of a ReLU hidden layer is alive on training rows.

Attributes
----------
active_rows : int
    Rows on which some hidden unit has ``Z1 > 0``; past ``DEAD_SHARE`` of the rows,
    a lower bound (counting may stop there).
n_rows : int
    The training rows.
hidden_size : int
    The units of the layer.
"""


def still_falling(curve):
    """Whether a fit's training loss was still falling when the fit ended.

    It was if the last epoch brought the lowest loss of the fit, or if the fit had
    a single epoch, which cannot show that the loss stopped falling.
    """
    return len(curve) < 2 or curve[-1] < min(curve[:-1])


def signs_of_failure(curve, first_epoch, prior_loss, cut_short, layer=None):
    """What shows that a finished fit learned nothing, each with its numbers.

    Two failures are judged: a fit that ends no better than predicting the class
    priors, and a ReLU layer inactive on every training row. A spike that training
    recovered from, down to a loss below the priors', is no sign at all. Nor is a
    loss above the priors' that was still falling when the fit was cut short (by
    max_iter, whose warning says so, or by a callback), which is normal early on,
    unless the hidden layer is (nearly) dead: then it cannot learn any more.

    Parameters
    ----------
    curve : sequence of float
        Training loss of each epoch of the fit.
    first_epoch : int
        Number (counted from 1) of the first of these epochs in ``loss_curve_``.
    prior_loss : float
        Loss of predicting the class priors of the training rows for every row.
    cut_short : bool
        Whether the fit ran out of epochs or a callback stopped it, rather than
        the stopping rule.
    layer : LayerActivity or None, default=None
        The activity of a ReLU hidden layer; None for other activations.

    Returns
    -------
    signs : list of (str, str)
        ``(kind, clause)`` for each sign found; empty for a fit that learned
        something. The kinds are "priors", "exploded" (a loss that exploded and
        did not recover), "spiked" (an earlier explosion), "stopped_falling" (a
        loss still falling when the stopping rule ended the fit) and "dead" (a
        ReLU layer inactive on every training row, or on all but a few of them).
    """
    final = curve[-1]
    falling = still_falling(curve)
    # Weighted rows of one class: a constant guess is perfect, and no yardstick.
    no_better = prior_loss > 0 and final >= (1 - PRIOR_MARGIN) * prior_loss
    nearly_dead = layer is not None and layer.active_rows <= DEAD_SHARE * layer.n_rows
    signs = []
    if no_better and (nearly_dead or not (falling and cut_short)):
        signs.append(
            (
                "priors",
                f"the final training loss, {final:.4g}, is not even "
                f"{PRIOR_MARGIN:.0%} below {prior_loss:.4g}, the loss of predicting "
                "the class priors for every row: the model is no better than a "
                "constant guess",
            )
        )
        signs += _how_it_got_there(curve, first_epoch, prior_loss, cut_short)
    if layer is not None and layer.active_rows == 0:
        signs.append(
            (
                "dead",
                f"every one of the {layer.hidden_size} hidden units is inactive (its "
                "ReLU output is 0) on every training row: the network gives all of "
                "them the same output, and no gradient reaches the hidden layer",
            )
        )
    elif signs and nearly_dead:
        signs.append(
            (
                "dead",
                f"every one of the {layer.hidden_size} hidden units is inactive (its "
                "ReLU output is 0) on "
                f"{layer.n_rows - layer.active_rows} of the {layer.n_rows} training "
                "rows: the network gives all of those the same output, and no "
                "gradient reaches the hidden layer through them",
            )
        )
    return signs


def _how_it_got_there(curve, first_epoch, prior_loss, cut_short):
    """The signs that go with a final loss no better than the priors'."""
    final = curve[-1]
    k, peak = int(np.argmin(curve)), max(curve)
    if final > EXPLOSION_FACTOR * curve[k]:
        return [
            (
                "exploded",
                "the loss exploded and did not recover: it ended more than "
                f"{EXPLOSION_FACTOR} times above its lowest value, {curve[k]:.4g} "
                f"at epoch {first_epoch + k}",
            )
        ]
    if peak > EXPLOSION_FACTOR * prior_loss:
        # The usual story of a collapse: huge first steps, then little to learn.
        j = int(np.argmax(curve))
        return [
            (
                "spiked",
                f"the loss had exploded to {peak:.4g} at epoch {first_epoch + j}, "
                f"more than {EXPLOSION_FACTOR} times the priors' loss",
            )
        ]
    if still_falling(curve) and not cut_short:
        return [
            (
                "stopped_falling",
                f"the loss was still falling when fit stopped after epoch "
                f"{first_epoch + len(curve) - 1} (by {curve[-2] - final:.3g} in "
                "that epoch)",
            )
        ]
    return []


# Rows per chunk of active_rows: at most this many entries of X, and of the hidden
# layer, so that the pass adds about a megabyte to fit in float64 (a chunk
# of 1,024 rows of a layer of 256 units took 2 MB, more than the training itself).
_ACTIVE_CHUNK_ENTRIES = 1 << 15


def active_rows(params, X, rows, limit):
    """The number of rows of ``X[rows]`` on which some hidden unit has ``Z1 > 0``.

    On a row where every unit has ``Z1 <= 0``, the ReLU outputs ``A1`` are all 0
    and so are the slopes ``g'(Z1)``: the row gets the output of the biases alone,
    and sends no gradient into the hidden layer. The rows are read in chunks, and
    reading stops once more than ``limit`` rows have been found active, which on a
    living network is within the first chunk or so: only a (nearly) dead layer
    costs a pass over all the rows.

    Parameters
    ----------
    params : Params
        The network's parameters.
    X : {array, sparse matrix} of shape (n_samples, n_features)
        The rows, in any array namespace (the parameters in the same).
    rows : ndarray of int
        The rows to look at (host indices).
    limit : int
        Past this many active rows, counting stops.

    Returns
    -------
    n_active : int
        The active rows; when above ``limit``, a lower bound of their number.
    """
    xp = operations(params.W1)
    # A sparse row holds its nonzeros alone.
    row_entries = X.nnz / max(1, X.shape[0]) if sp.issparse(X) else X.shape[1]
    widest = max(1, int(row_entries), params.W1.shape[0])
    largest = max(1, min(1024, _ACTIVE_CHUNK_ENTRIES // widest))
    # The first chunk is just long enough to end the count if all its rows are
    # active; the chunks then double, up to the largest.
    chunk = min(largest, limit + 1)
    n_active = start = 0
    while start < len(rows):
        # Z1 = X W1^T + b1, as a plain product: a pass made once per fit needs
        # none of the training's work buffers.
        X_chunk = xp.take_rows(X, rows[start : start + chunk])
        Z1 = xp.dense(X_chunk @ params.W1.T) + params.b1
        n_active += xp.count_nonzero(xp.any(Z1 > 0, axis=1))
        if n_active > limit:
            break
        start += chunk
        chunk = min(largest, 2 * chunk)
    return n_active


def layer_activity(params, X, rows):
    """How much of a ReLU hidden layer is alive on the training rows ``X[rows]``.

    A layer inactive on every row stays dead: A1 = 0 and g'(Z1) = 0, so W1, b1 and
    W2 get no gradient (but from the L2 term) and only b2 learns, a constant guess
    whose loss settles at the priors' loss. The stopping rule then ends the fit
    n_iter_no_change epochs after it settles (after 39 of 200 epochs on the
    unscaled breast cancer data), so no rule of its own stops it earlier; detecting
    the death every epoch would cost a pass through the hidden layer each time. It
    is looked for once, with the weights a fit ends with, and the count stops past
    DEAD_SHARE of the rows.
    """
    limit = int(DEAD_SHARE * len(rows))
    n_active = active_rows(params, X, rows, limit)
    return LayerActivity(n_active, len(rows), params.b1.shape[0])


def failure_message(signs, settings):
    """The ConvergenceWarning's text for ``signs``, with what to try next."""
    kinds = {kind for kind, _ in signs}
    if kinds & {"exploded", "spiked", "dead"}:
        advice = (
            "Scale the features (for example with a StandardScaler in a "
            f"pipeline) or lower alpha (now {settings.alpha})."
        )
    elif "stopped_falling" in kinds:
        advice = (
            f"Let it train longer: lower tol (now {settings.tol}), raise "
            f"n_iter_no_change (now {settings.n_iter_no_change}) or raise alpha "
            f"(now {settings.alpha})."
        )
    else:
        advice = (
            "Scale the features (for example with a StandardScaler in a "
            f"pipeline) or try another alpha (now {settings.alpha}); if neither "
            "helps, the features may not predict y."
        )
    return f"Training failed: {'; '.join(text for _, text in signs)}. {advice}"


def judge(result, X, targets, w, rows, settings):
    """The warning's text if a fit learned nothing, else None.

    Only fit is judged. partial_fit makes one epoch on one chunk: early in a
    stream a loss above the priors' is normal, and a chunk's priors need not be
    the stream's (those of a chunk of one class have a loss of 0).

    Parameters
    ----------
    result : Result
        The fit's result (:func:`._training.train`).
    X : {ndarray, sparse matrix}
        The training data.
    targets : TrainingTargets
        The targets of the rows of X.
    w : ndarray or None
        The weights of the rows of X.
    rows : ndarray of int
        The rows trained on.
    settings : Settings
        The fit's settings.
    """
    curve = result.loss_curve[-result.n_iter :]
    # Unless rows were held out for validation, ``rows`` holds every row.
    subset = rows if len(rows) < len(targets) else None
    prior = targets.prior_loss(subset, w, settings.out_activation)
    first_epoch = len(result.loss_curve) - len(curve) + 1
    relu = settings.activation == "relu"
    layer = layer_activity(result.params, X, rows) if relu else None
    # Cut short: by max_iter (whose warning says so) or by a callback, rather than
    # by the stopping rule.
    cut_short = result.stop != "no_improvement"
    signs = signs_of_failure(curve, first_epoch, prior, cut_short, layer)
    return failure_message(signs, settings) if signs else None


def convergence_warnings(result, X, targets, w, rows, settings):
    """The texts of the ConvergenceWarnings that a finished fit raises, in order.

    That of :func:`judge` if the fit learned nothing, then that of a fit that ran
    ``max_iter`` epochs (``settings.max_epochs``) without being stopped. The
    parameters are those of :func:`judge`; partial_fit is not judged.
    """
    failure = judge(result, X, targets, w, rows, settings)
    messages = [] if failure is None else [failure]
    if result.stop == "max_epochs":
        messages.append(
            f"TwoLayerClassifier reached max_iter={settings.max_epochs} epochs and "
            "the optimization has not converged yet."
        )
    return messages
