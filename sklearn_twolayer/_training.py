"""The state of a training call and the helpers its epoch loop consults.

:class:`_TrainingState` holds everything a call to fit or partial_fit changes, apart
from the estimator, so that a failed call leaves the estimator as it was;
:class:`_Stopper` applies the stopping rule; :class:`_Callbacks` calls scikit-learn's
callback hooks (>= 1.9) around the fit and each epoch; :class:`_Validation` holds the
validation rows. :func:`signs_of_failure` reads a finished fit's loss curve for signs
that it learned nothing.
"""

from collections import namedtuple

import numpy as np

from ._network import Params, _shared_base, flat_params


class _TrainingState:
    """Everything a training call changes, kept apart from the estimator.

    ``params`` and ``velocity`` are private copies, but for a W1 trained in place,
    whose ``rollback`` (a :class:`_ColumnRollback`) can put it back as it was; the
    lists are the new entries of the curves. The estimator's ``_commit`` writes a
    state to its fitted attributes. ``resumed`` says that ``params`` were copied
    from the fitted attributes without checking that their values are finite:
    training does that if it fails.
    """

    def __init__(self, params, velocity, loss_curve, t, resumed=False, rollback=None):
        self.params = params
        self.velocity = velocity
        self.loss_curve = loss_curve
        self.t = t
        self.resumed = resumed
        self.rollback = rollback
        self.n_iter = 0
        self.validation_scores = []
        self.validation_loss_curve = []

    def snapshot(self, into=None):
        """A deep copy, taken at the end of each epoch for Ctrl-C.

        With ``into``, an earlier snapshot of this state that nothing else refers
        to, the arrays are copied into its arrays: for a large W1, writing into
        memory already in use is markedly faster than into a fresh allocation.
        """

        def copies(arrays, old):
            if arrays is None:
                return None
            # Arrays laid out in one (see flat_params) are copied in one call.
            base = _shared_base(arrays)
            if old is None:
                if base is None:
                    return [a.copy() for a in arrays]
                return list(flat_params(arrays))
            old_base = None if base is None else _shared_base(old)
            if old_base is not None:
                np.copyto(old_base, base)
            else:
                for target, a in zip(old, arrays, strict=True):
                    np.copyto(target, a)
            return list(old)

        copy = _TrainingState(
            Params(*copies(self.params, None if into is None else into.params)),
            copies(self.velocity, None if into is None else into.velocity),
            list(self.loss_curve),
            self.t,
        )
        copy.n_iter = self.n_iter
        copy.validation_scores = list(self.validation_scores)
        copy.validation_loss_curve = list(self.validation_loss_curve)
        return copy


class _ColumnRollback:
    """The columns of W1 that a call training W1 in place may change, as they were.

    A step on sparse rows without momentum or L2 term changes only the columns of
    W1 that the rows' nonzeros reach (see SparseGradient). partial_fit on such rows
    therefore trains the fitted W1 in place and keeps a copy of those columns
    alone, instead of copying the whole of W1 to leave the estimator unchanged if
    the call fails; for a wide model and a call of a few batches, that copy and a
    scan of all of W1 were most of the call's time.

    Parameters
    ----------
    W1 : ndarray of shape (hidden_size, n_features), Fortran-ordered
        The weights to train in place.
    columns : ndarray of int
        The columns that the call's rows reach (see :meth:`reached_columns`).
    """

    def __init__(self, W1, columns):
        self.W1 = W1
        self.columns = columns
        # W1^T is C-ordered: its rows, the columns of W1, are gathered whole.
        self.saved = W1.T.take(columns, axis=0)

    @staticmethod
    def reached_columns(X):
        """The columns of W1 that the rows of a CSR matrix X reach, sorted."""
        reached = np.zeros(X.shape[1], dtype=bool)
        reached[X.indices] = True
        return np.flatnonzero(reached)

    def changed(self, params):
        """``params`` with W1 cut to the columns that the call may have changed."""
        return (self.W1.T.take(self.columns, axis=0), *params[1:])

    def restore(self):
        """Write the saved columns back."""
        self.W1.T[self.columns] = self.saved


class _Validation:
    """Validation rows: X, labels y, encoded Y, weights w, and their role."""

    def __init__(self, X, y, Y, w, stop_early):
        self.X, self.y, self.Y, self.w = X, y, Y, w
        self.stop_early = stop_early


class _Stopper:
    """scikit-learn's stopping rule for MLPClassifier, applied per call to fit.

    An epoch improves when the training loss falls by more than ``tol`` below its best
    (or, on validation data, when the score rises by more than ``tol`` above its
    best); training stops after more than ``n_iter_no_change`` epochs in a row
    without improvement.
    """

    def __init__(self, tol, n_iter_no_change, on_validation):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.on_validation = on_validation
        self.best = -np.inf
        self.count = 0

    def update(self, state):
        """Record an epoch; return (new best, stop now)."""
        if self.on_validation:
            value = state.validation_scores[-1]
        else:
            value = -state.loss_curve[-1]
        self.count = self.count + 1 if value < self.best + self.tol else 0
        improved = value > self.best
        if improved:
            self.best = value
        return improved, self.count > self.n_iter_no_change


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


class _Callbacks:
    """The scikit-learn callback hooks (>= 1.9) around fit and its epochs.

    With an older scikit-learn, or no callback set, every method does nothing.
    """

    def __init__(self, estimator, X, y, sample_weight, n_epochs):
        self.estimator = estimator
        # Passed to every hook: a ScoringMonitor then scores with the weights.
        self.data = {
            "X": X,
            "y": y,
            "metadata": None
            if sample_weight is None
            else {"sample_weight": sample_weight},
        }
        self.context = None
        self.epoch_context = None
        # Without a callback on this estimator, or a meta-estimator's context above
        # it, no hook has anything to call: the contexts, about 20 microseconds an
        # epoch, are not built.
        if hasattr(estimator, "_init_callback_context") and (
            getattr(estimator, "_skl_callbacks", None)
            or hasattr(estimator, "_parent_callback_ctx")
        ):
            self.context = estimator._init_callback_context(max_subtasks=n_epochs)
            self.context.call_on_fit_task_begin(estimator=estimator, **self.data)

    def _attributes(self, state):
        est = self.estimator
        W1, b1, W2, b2 = (p.copy() for p in state.params)
        return {
            "W1_": W1,
            "b1_": b1,
            "W2_": W2,
            "b2_": b2,
            "classes_": est.classes_,
            "n_outputs_": est.n_outputs_,
            "out_activation_": est.out_activation_,
            "_target_type": est._target_type,
            "n_features_in_": est.n_features_in_,
        }

    def begin_epoch(self, state):
        if self.context is None:
            return
        self.epoch_context = self.context.subcontext(task_name="epoch")
        self.epoch_context.call_on_fit_task_begin(estimator=self.estimator, **self.data)

    def end_epoch(self, state):
        """Call the epoch-end hooks; return True when a callback asks to stop."""
        if self.context is None:
            return False
        return self.epoch_context.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self._attributes(state),
            **self.data,
        )

    def end_fit(self):
        if self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator, reconstruction_attributes={}, **self.data
            )


def sort_batches(order, batch_size):
    """Sort the indices of each batch of ``order`` in place.

    The rows of a batch enter its gradient only through sums, so their order
    within the batch is free. Read in increasing order, a large X is walked front
    to back: about a tenth faster per epoch on 100,000 x 100 rows, and only the
    rounding of the sums changes. The full batches are sorted in one call: 21
    instead of 250 microseconds an epoch for 20,000 rows in batches of 32.
    """
    n = len(order)
    full = n - n % batch_size
    # Setting the shape, unlike reshape, fails rather than sort a copy.
    blocks = order[:full].view()
    blocks.shape = (full // batch_size, batch_size)
    blocks.sort(axis=1)
    order[full:].sort()


class _Batches:
    """The mini-batches of one training call, in the order of ``order``.

    Rows of shuffled (or held-out) batches are gathered into arrays allocated once
    per call; when the batches are consecutive rows, X and w are views.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    targets : TrainingTargets
        The targets of the rows, which give the batches' rows of Y.
    w : ndarray of shape (n_samples,) or None
    order : ndarray of int
        Indices of the training rows, in the order of the epoch; shuffled in place
        between epochs by the caller.
    batch_size : int
    contiguous : bool
        Whether ``order`` is ``arange(n_samples)`` for every epoch.
    """

    def __init__(self, X, targets, w, order, batch_size, contiguous):
        self.X, self.targets, self.w = X, targets, w
        self.order = order
        self.batch_size = batch_size
        self.contiguous = contiguous
        dense = isinstance(X, np.ndarray)
        self._X = np.empty((batch_size, X.shape[1]), X.dtype) if dense else None
        self._Y = np.empty((batch_size, targets.n_outputs), targets.dtype)
        self._scratch = targets.scratch(batch_size)
        self._w = None if w is None else np.empty(batch_size, w.dtype)

    def __iter__(self):
        """Yield ``(X_batch, Y_batch, w_batch)`` for each batch of the epoch."""
        X, targets, w = self.X, self.targets, self.w
        order, size = self.order, self.batch_size
        n = len(order)
        if self.contiguous:
            for start in range(0, n, size):
                stop = min(start + size, n)
                yield (
                    X[start:stop],
                    targets.rows(start, stop, self._Y[: stop - start]),
                    None if w is None else w[start:stop],
                )
            return
        # The caller sorts ``order`` again before the next shuffle.
        sort_batches(order, size)
        # The gathers write into the buffers; the last batch may be shorter.
        buffers = (self._X, self._Y, self._scratch, self._w)
        for start in range(0, n, size):
            idx = order[start : start + size]
            if len(idx) < size:
                buffers = tuple(None if b is None else b[: len(idx)] for b in buffers)
            X_out, Y_out, scratch, w_out = buffers
            # mode="clip" lets take write straight into out (with "raise" it goes
            # through a temporary); the indices are valid anyway. The method skips
            # the dispatch of np.take, a tenth of a small batch.
            X_batch = (
                X[idx] if X_out is None else X.take(idx, axis=0, out=X_out, mode="clip")
            )
            Y_batch = targets.take(idx, Y_out, scratch)
            w_batch = None if w is None else w.take(idx, out=w_out, mode="clip")
            yield X_batch, Y_batch, w_batch
