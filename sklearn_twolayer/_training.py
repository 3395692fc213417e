"""The training call: validated arrays and plain settings in, a result out.

:func:`train` runs the epochs of one call to fit (up to ``max_iter``) or partial_fit
(one), in three nested steps, as in scikit-learn's ``fit_binary``/``_plain_sgd`` and
skorch's ``fit_loop``/``run_single_epoch``/``train_step``:

* :func:`train` -- the epochs: shuffle, run, check, score on the validation rows,
  apply the stopping rule, keep a copy of the last finished epoch for Ctrl-C;
* :func:`run_epoch` -- one pass over the mini-batches, returning the epoch's loss
  and the parameters;
* :func:`train_step` -- one batch: the loss and gradients, then the update.

Training works on the parameters of a :class:`State`, which the caller builds from
new or fitted weights, and returns a :class:`Result`; it never sees the estimator.
It owns two failures: a loss or a weight that stops being finite raises a ValueError
that names the epoch (after putting back a W1 trained in place), and Ctrl-C ends the
call with the state of the last finished epoch, or with nothing kept.

Training runs in X's array namespace (:mod:`._arrays`). The row indices, their
shuffles and the row weights' sums per batch stay on the host, as NumPy arrays, so
that every namespace visits the same rows in the same order; each epoch's order
goes to the device once. In NumPy the parameters are trained in place in work
arrays laid out for speed (:mod:`._kernels`); elsewhere every step makes new
arrays, and the loss stays on the device until the end of the epoch.
"""

import dataclasses
import math
import time

import numpy as np
import scipy.sparse as sp

from . import _holdout
from ._arrays import move, namespace, operations
from ._checks import check_finite
from ._kernels import Buffers, flat_params, shared_base
from ._network import Params, loss_and_grads
from ._optimizer import make_optimizer

__all__ = [
    "Batches",
    "ColumnRollback",
    "Result",
    "Settings",
    "State",
    "Stopper",
    "in_place_columns",
    "resume",
    "run_epoch",
    "train",
    "train_step",
]


@dataclasses.dataclass(frozen=True)
class Settings:
    """The hyperparameters of a training call.

    Parameters
    ----------
    activation : str
        The hidden activation.
    out_activation : {"logistic", "softmax"}
        The output activation.
    alpha : float
        The learning rate of ``"sgd"`` (its initial rate under a schedule), the
        step size of ``"adam"``.
    momentum : float
        The weight of the velocity of ``"sgd"``, in [0, 1).
    l2 : float
        The L2 penalty lambda.
    batch_size : int
        Rows per mini-batch (capped at the number of training rows).
    max_epochs : int
        The most epochs of the call: ``max_iter`` for fit, 1 for partial_fit.
    shuffle : bool
        Whether each epoch visits the rows in a new order.
    seed : int
        The seed of the shuffles: the order of epoch ``e`` depends on ``(seed, e)``
        alone.
    tol, n_iter_no_change : float
        The stopping rule (see :class:`Stopper`).
    verbose : bool
        Whether to print a line per epoch.
    solver : {"sgd", "adam"}
        The update rule (see :func:`._optimizer.make_optimizer`).
    learning_rate : {"constant", "invscaling", "adaptive"}
        The schedule of ``"sgd"``.
    power_t : float
        The exponent of the ``"invscaling"`` schedule.
    nesterovs_momentum : bool
        Whether ``"sgd"`` applies Nesterov's momentum rather than the classical one.
    beta_1, beta_2, epsilon : float
        The settings of ``"adam"``.
    incremental : bool
        Whether the call is a partial_fit, whose stopping rule continues the count
        of the calls before it (see :func:`train`).
    """

    activation: str
    out_activation: str
    alpha: float
    momentum: float
    l2: float
    batch_size: int
    max_epochs: int
    shuffle: bool
    seed: int
    tol: float
    n_iter_no_change: float
    verbose: bool = False
    solver: str = "sgd"
    learning_rate: str = "constant"
    power_t: float = 0.5
    nesterovs_momentum: bool = False
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    incremental: bool = False

    @classmethod
    def of(cls, params, **values):
        """Settings from a mapping of the estimator's parameters, ``values`` on top."""
        names = {field.name for field in dataclasses.fields(cls)} - set(values)
        return cls(**{name: params[name] for name in names}, **values)


class State:
    """Everything a training call changes: parameters, optimiser, curves, counts.

    ``params`` and the arrays of ``optimizer_state`` (see
    :meth:`._optimizer.Optimizer.state`) are the call's own copies (in NumPy,
    where training writes into them), but for a W1
    trained in place, whose ``rollback`` (a :class:`ColumnRollback`) can put it
    back as it was. ``origin`` holds the fitted arrays that ``params`` were copied
    from without checking that their values are finite: training names them if it
    fails. ``loss_curve`` holds the whole curve, earlier calls' epochs first;
    ``no_improvement_count`` the epochs in a row whose training loss did not
    improve by ``tol``, which a partial_fit continues.
    """

    def __init__(
        self,
        params,
        optimizer_state=None,
        loss_curve=(),
        t=0,
        *,
        no_improvement_count=0,
        origin=None,
        rollback=None,
    ):
        self.params = params
        self.optimizer_state = optimizer_state
        self.loss_curve = list(loss_curve)
        self.t = t
        self.no_improvement_count = no_improvement_count
        self.origin = origin
        self.rollback = rollback
        self.n_iter = 0
        self.validation_scores = []
        self.validation_loss_curve = []

    def snapshot(self, into=None):
        """A deep copy, taken at the end of each epoch for Ctrl-C.

        The arrays keep their memory order (W1 and W2 in Fortran order), and
        arrays laid out in one (see :func:`._kernels.flat_params`) are copied in
        one call, the optimiser's as the parameters. ``into``, an earlier
        snapshot of this state that is no longer needed, lends its arrays, so
        that a snapshot per epoch allocates nothing.
        """

        def copies(arrays, spare):
            if arrays is None:
                return None
            if not isinstance(arrays[0], np.ndarray):
                # Outside NumPy, training never writes into an array.
                return list(arrays)
            base = shared_base(arrays)
            if spare is not None and _same_layout(arrays, spare):
                if base is not None:
                    np.copyto(shared_base(spare), base)
                else:
                    for a, b in zip(spare, arrays, strict=True):
                        np.copyto(a, b)
                return list(spare)
            if base is not None:
                return list(flat_params(arrays))
            return [a.copy(order="K") for a in arrays]

        spare_state = {} if into is None else into.optimizer_state or {}
        optimizer_state = self.optimizer_state
        if optimizer_state is not None:
            optimizer_state = {
                key: copies(value, spare_state.get(key))
                if isinstance(value, list)
                else value
                for key, value in optimizer_state.items()
            }
        copy = State(
            Params(*copies(self.params, None if into is None else into.params)),
            optimizer_state,
            self.loss_curve,
            self.t,
            no_improvement_count=self.no_improvement_count,
        )
        copy.n_iter = self.n_iter
        copy.validation_scores = list(self.validation_scores)
        copy.validation_loss_curve = list(self.validation_loss_curve)
        return copy


def _same_layout(arrays, spare):
    """Whether ``spare`` can receive copies of ``arrays``, one by one, in place."""
    return (
        isinstance(spare, (list, tuple))
        and len(spare) == len(arrays)
        and all(
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and a.strides == b.strides
            for a, b in zip(arrays, spare, strict=True)
        )
        and (shared_base(arrays) is None) == (shared_base(spare) is None)
    )


@dataclasses.dataclass
class Result:
    """What a training call returns.

    Attributes
    ----------
    params : Params or None
        The trained parameters (None when nothing was kept).
    optimizer_state : dict or None
        The optimiser's state (see :meth:`._optimizer.Optimizer.state`), to
        continue from; None when nothing was kept.
    loss_curve : list of float
        The training loss of every epoch, earlier calls' first.
    t : int
        Training rows processed since the weights were initialised.
    no_improvement_count : int
        The epochs in a row, up to the last, whose training loss did not improve
        by ``tol`` (0 after a call whose stopping rule judged validation scores).
    n_iter : int
        Epochs of this call whose result is kept.
    validation_scores, validation_loss_curve : list of float
        The validation accuracy and objective of each epoch of this call.
    stop : {"max_epochs", "no_improvement", "callback", "interrupted"}
        Why the call ended: it ran all its epochs, the stopping rule or a callback
        ended it, or Ctrl-C did (the result is then the last finished epoch, and
        ``n_iter`` is 0 if none finished).
    """

    params: Params | None
    optimizer_state: dict | None
    loss_curve: list
    t: int
    no_improvement_count: int
    n_iter: int
    validation_scores: list
    validation_loss_curve: list
    stop: str

    def interruption(self):
        """The message of a call interrupted by Ctrl-C."""
        if self.n_iter == 0:
            return (
                "Training was interrupted before the end of its first epoch; the "
                "estimator is unchanged."
            )
        return (
            "Training was interrupted; the model keeps the weights of the last "
            f"finished epoch ({self.n_iter} in this call)."
        )

    @classmethod
    def of(cls, state, stop):
        return cls(
            state.params,
            state.optimizer_state,
            [float(v) for v in state.loss_curve],
            int(state.t),
            int(state.no_improvement_count),
            state.n_iter,
            state.validation_scores,
            state.validation_loss_curve,
            stop,
        )


class _NoCallbacks:
    """The epoch hooks of a call without callbacks."""

    def begin_epoch(self):
        pass

    def end_epoch(self, params):
        return False


def train(state, X, targets, w, rows, settings, validation=None, callbacks=None):
    """Run the epochs of one training call.

    Parameters
    ----------
    state : State
        Where training starts; its arrays are trained (W1 in place if it has a
        rollback), its lists extended.
    X : {ndarray, scipy.sparse.csr_matrix} of shape (n_samples, n_features)
        The training data, validated.
    targets : TrainingTargets
        The targets of the rows of X.
    w : ndarray of shape (n_samples,) or None
        Row weights.
    rows : ndarray of int
        The rows of X to train on; shuffled in place.
    settings : Settings
    validation : Validation, default=None
        Rows to score after each epoch (see :mod:`._holdout`).
    callbacks : object, default=None
        ``begin_epoch()`` and ``end_epoch(params) -> bool`` are called around each
        epoch; the latter may ask to stop (see :class:`._callbacks.Callbacks`).

    Returns
    -------
    result : Result
    """
    callbacks = _NoCallbacks() if callbacks is None else callbacks
    batch_size = min(settings.batch_size, len(rows))
    buffers = None
    if operations(X).is_numpy:
        # W1 and W2 in Fortran order (see _kernels), as the fitted attributes
        # keep them.
        state.params = state.params._replace(
            W1=np.asfortranarray(state.params.W1),
            W2=np.asfortranarray(state.params.W2),
        )
        if not sp.issparse(X):
            # One array under the four, so that an update is two NumPy calls.
            state.params = flat_params(state.params)
        buffers = Buffers(batch_size, state.params, sparse_gradients=sp.issparse(X))
    optimizer = _optimizer_of(state, settings)
    batches = Batches(
        X,
        targets,
        w,
        rows,
        batch_size,
        contiguous=not settings.shuffle and len(rows) == X.shape[0],
    )
    stopper = _stopper_of(state, settings, validation)
    best = last_good = spare = None
    stop = "max_epochs"
    try:
        for i in range(settings.max_epochs):
            start = time.perf_counter()
            epoch = len(state.loss_curve)
            if settings.shuffle:
                # Sorting restores the rows' own order, so each epoch's shuffle
                # depends only on the seed and the epoch index, as
                # permutation(rows) would, without a second index array.
                rows.sort()
                np.random.default_rng([settings.seed, epoch]).shuffle(rows)
            callbacks.begin_epoch()
            loss, state.params = run_epoch(
                state.params, optimizer, buffers, batches, settings
            )
            state.n_iter += 1
            state.t += len(rows)
            state.loss_curve.append(loss)
            _check_epoch(state, loss, epoch, settings)
            if validation is not None:
                score, val_loss = _holdout.evaluate(
                    state.params,
                    validation,
                    activation=settings.activation,
                    l2=settings.l2,
                    alpha=settings.alpha,
                )
                state.validation_scores.append(score)
                state.validation_loss_curve.append(val_loss)
            if settings.verbose:
                _print_epoch(epoch + 1, state, time.perf_counter() - start)
            improved, stalled = stopper.update(state)
            # MLPClassifier's order: the schedule advances once the epoch is
            # counted and judged; then a stall either stops the training or,
            # under the adaptive schedule, lowers the rate and the count starts
            # afresh.
            optimizer.end_epoch(state.t)
            no_improvement = stalled and optimizer.on_stall()
            if stalled and not no_improvement:
                stopper.restart()
                if settings.verbose:
                    print(f"Learning rate divided by 5: {optimizer.learning_rate:g}")
            state.optimizer_state = optimizer.state()
            state.no_improvement_count = stopper.training_count()
            if improved and stopper.on_validation:
                best = state.snapshot()
            stop_requested = callbacks.end_epoch(state.params)
            if no_improvement or stop_requested:
                stop = "no_improvement" if no_improvement else "callback"
                break
            if i + 1 < settings.max_epochs:
                # Kept for an interrupt during the next epoch (after the last
                # one, the state itself is the result). Two snapshots take
                # turns: the copy goes into the older one, so that an interrupt
                # while it is made leaves the last one whole.
                spare, last_good = last_good, state.snapshot(into=spare)
    except KeyboardInterrupt:
        if last_good is None:
            return Result(None, None, [], 0, 0, 0, [], [], "interrupted")
        return Result.of(last_good, "interrupted")
    if stopper.on_validation:
        # Keep the epoch that scored best on the validation data, with the
        # optimiser's state of that epoch.
        state.params = best.params
        state.optimizer_state = best.optimizer_state
    return Result.of(state, stop)


def _optimizer_of(state, settings):
    """The optimiser of the call, continuing from ``state.optimizer_state``.

    The state's arrays are copied into the layout of ``state.params``, so that
    an update runs over one array where the parameters are in one.
    """
    previous = state.optimizer_state
    if previous is not None and previous.get("solver") != settings.solver:
        # The state of another rule means nothing to this one: it starts afresh.
        previous = None
    flat = shared_base(state.params) is not None

    def lay_out(arrays):
        if not isinstance(arrays[0], np.ndarray):
            # Another namespace: the arrays are used as they are.
            return list(arrays)
        arrays = [np.asfortranarray(a) if a.ndim == 2 else a for a in arrays]
        return list(flat_params(arrays)) if flat else arrays

    return make_optimizer(
        settings.solver,
        settings.alpha,
        momentum=settings.momentum,
        nesterov=settings.nesterovs_momentum,
        learning_rate=settings.learning_rate,
        power_t=settings.power_t,
        beta_1=settings.beta_1,
        beta_2=settings.beta_2,
        epsilon=settings.epsilon,
        state=_map_arrays(lay_out, previous),
    )


def _stopper_of(state, settings, validation):
    """The stopping rule of the call: afresh for fit, continued for partial_fit."""
    if settings.incremental and state.loss_curve:
        # As in MLPClassifier, partial_fit's rule goes on from the calls before
        # it, so that the adaptive schedule lowers its rate when the loss stalls
        # over calls; any other stall ends a call of one epoch anyway.
        return Stopper(
            settings.tol,
            settings.n_iter_no_change,
            on_validation=False,
            best=-min(state.loss_curve),
            count=state.no_improvement_count,
        )
    return Stopper(
        settings.tol,
        settings.n_iter_no_change,
        validation is not None and validation.stop_early,
    )


def _map_arrays(func, optimizer_state):
    """``optimizer_state`` with each of its lists of arrays replaced by ``func``'s."""
    if optimizer_state is None:
        return None
    return {
        key: func(value) if isinstance(value, list) else value
        for key, value in optimizer_state.items()
    }


def run_epoch(params, optimizer, buffers, batches, settings):
    """One pass over ``batches``; returns the epoch's mean objective and the params.

    The mean weighs each batch's J by its weight sum S. In NumPy, a batch whose J
    is not finite ends the pass without its update, and its J is returned. In
    another namespace J stays on the device, where testing each one would wait for
    every step queued before it: the epoch's total tells, at its end.
    """
    total, weight_total = 0.0, 0.0
    # Overflow to inf or NaN is caught after the epoch and reported as a
    # ValueError naming it; numpy's own warnings would only precede it (or, under
    # a warnings-as-errors filter, replace it).
    with np.errstate(over="ignore", invalid="ignore"):
        for X_batch, Y_batch, w_batch, S in batches:
            if S == 0:
                # Rows of zero weight carry no gradient.
                continue
            J, params = train_step(
                params,
                X_batch,
                Y_batch,
                w_batch,
                S,
                optimizer,
                buffers,
                settings,
                batches.xp,
            )
            if type(J) is float and not math.isfinite(J):
                return J, params
            total = total + J * S
            weight_total += S
    return (float(total) / weight_total if weight_total else 0.0), params


def train_step(params, X, Y, w, S, optimizer, buffers, settings, xp=None):
    """One mini-batch: the objective J and its gradients, then the update.

    Returns J and the updated parameters (NumPy's are updated in place). In NumPy
    the update is skipped when J is not finite.
    """
    J, grads = loss_and_grads(
        params,
        X,
        Y,
        w,
        settings.l2,
        settings.activation,
        settings.out_activation,
        buffers,
        S,
        xp,
    )
    if type(J) is not float or math.isfinite(J):
        params = optimizer.step(params, grads)
    return J, params


def _check_epoch(state, loss, epoch, settings):
    """Raise a ValueError if the epoch's loss or the parameters are not finite."""
    # A W1 trained in place is checked where the call can change it.
    changed = (
        state.params if state.rollback is None else state.rollback.changed(state.params)
    )
    if math.isfinite(loss) and _all_finite(changed):
        return
    if state.rollback is not None:
        # The fitted W1_ is then the W1 trained: put it back first.
        state.rollback.restore()
    if state.origin is not None:
        # Weights that were not finite to begin with are named, rather than
        # reported as a divergence.
        check_finite(
            state.origin,
            ", so training cannot continue from it; fit the estimator afresh.",
        )
    method = "Adam" if settings.solver == "adam" else "gradient descent"
    raise ValueError(
        f"The training loss became non-finite ({loss}) at epoch {epoch + 1}: "
        f"{method} diverged. Scale X (for example with StandardScaler) or "
        f"lower alpha (now {settings.alpha})."
    )


def _all_finite(arrays):
    # Arrays laid out in one are checked in one call.
    base = shared_base(arrays)
    xp = operations(arrays[0])
    return all(xp.all_finite(a) for a in ((base,) if base is not None else arrays))


def _print_epoch(epoch, state, seconds):
    line = f"Epoch {epoch}: loss={state.loss_curve[-1]:.6f}"
    if state.validation_scores:
        line += (
            f", validation score={state.validation_scores[-1]:.6f}"
            f", validation loss={state.validation_loss_curve[-1]:.6f}"
        )
    print(f"{line}, {seconds:.3f}s")


class Stopper:
    """scikit-learn's stopping rule for MLPClassifier.

    An epoch improves when the training loss falls by more than ``tol`` below its
    best (or, on validation data, when the score rises by more than ``tol`` above
    its best); the loss has stalled after more than ``n_iter_no_change`` epochs in
    a row without improvement. Each call to fit starts the rule afresh; a
    partial_fit continues it from ``best`` and ``count``.
    """

    def __init__(self, tol, n_iter_no_change, on_validation, best=-np.inf, count=0):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.on_validation = on_validation
        self.best = best
        self.count = count

    def update(self, state):
        """Record an epoch; return (new best, stalled)."""
        if self.on_validation:
            value = state.validation_scores[-1]
        else:
            value = -state.loss_curve[-1]
        self.count = self.count + 1 if value < self.best + self.tol else 0
        improved = value > self.best
        if improved:
            self.best = value
        return improved, self.count > self.n_iter_no_change

    def restart(self):
        """Count the epochs without improvement from zero again."""
        self.count = 0

    def training_count(self):
        """The count that a partial_fit continues: 0 if it counts validation epochs."""
        return 0 if self.on_validation else self.count


# ----------------------------------------------------- W1 trained in place


class ColumnRollback:
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


def in_place_columns(W1, X, settings):
    """The columns of a fitted W1 that partial_fit on X may train in place, or None.

    Gradient steps on sparse rows without momentum or L2 term change only the
    columns of W1 that the rows reach, and :class:`ColumnRollback` keeps those
    alone. W1 must already be what training works on (writeable, Fortran-ordered,
    of X's dtype, of X's width). Keeping and checking the columns gathers them
    twice: beyond a third of W1, copying all of it costs less.
    """
    if not (
        sp.issparse(X)
        # Adam's moments move every column that a step has ever reached.
        and settings.solver == "sgd"
        and settings.momentum == 0
        and settings.l2 == 0
        and isinstance(W1, np.ndarray)
        and W1.ndim == 2
        and W1.shape[1] == X.shape[1]
        and W1.dtype == X.dtype
        and W1.flags.f_contiguous
        and W1.flags.writeable
    ):
        return None
    columns = ColumnRollback.reached_columns(X)
    return columns if 3 * len(columns) <= X.shape[1] else None


def resume(
    fitted,
    optimizer_state,
    loss_curve,
    t,
    X,
    settings,
    *,
    no_improvement_count=0,
    in_place=False,
):
    """The state that continues training from fitted parameters.

    Parameters
    ----------
    fitted : Params
        The fitted arrays; they are copied to X's dtype (keeping their memory
        order), but for a W1 that partial_fit may train in place.
    optimizer_state : dict or None
        The fitted optimiser state (see :meth:`._optimizer.Optimizer.state`),
        its arrays copied likewise.
    loss_curve : list of float
    t : int
    X : {ndarray, sparse matrix}
        The rows of the call.
    settings : Settings
    no_improvement_count : int, default=0
        The stopping rule's count after the last call (see :class:`State`).
    in_place : bool, default=False
        Whether W1 may be trained in place (partial_fit).

    Returns
    -------
    state : State
        Its ``rollback`` is set when W1 is trained in place.
    """
    if not operations(X).is_numpy:
        # Training makes new arrays rather than write into these: no copies.
        xp, device = namespace(X)
        return State(
            Params(*(move(p, xp, device, X.dtype) for p in fitted)),
            _map_arrays(
                lambda arrays: [move(a, xp, device, X.dtype) for a in arrays],
                optimizer_state,
            ),
            loss_curve,
            t,
            no_improvement_count=no_improvement_count,
            origin=fitted,
        )
    columns = in_place_columns(fitted.W1, X, settings) if in_place else None
    # order="K": a fitted W1_ and W2_ are in Fortran order, which train would
    # otherwise have to restore with a second copy.
    params = Params(
        *(
            p if columns is not None and i == 0 else np.array(p, X.dtype, order="K")
            for i, p in enumerate(fitted)
        )
    )
    optimizer_state = _map_arrays(
        lambda arrays: [np.array(a, X.dtype, order="K") for a in arrays],
        optimizer_state,
    )
    return State(
        params,
        optimizer_state,
        loss_curve,
        t,
        no_improvement_count=no_improvement_count,
        # Their values are checked only if training fails: for a wide model, a
        # scan of W1 costs as much as a partial_fit call on a few batches.
        origin=fitted,
        rollback=None if columns is None else ColumnRollback(params.W1, columns),
    )


class Batches:
    """The mini-batches of one training call, in the order of ``rows``.

    Each batch is ``(X_batch, Y_batch, w_batch, S)``, with ``S`` the batch's
    weight sum as a float (its row count when ``w`` is None), taken on the host.
    In NumPy, rows of shuffled (or held-out) batches are gathered into arrays
    allocated once per call, and when the batches are consecutive rows X and w
    are views. In another namespace, each epoch's order is moved to X's device
    once and the batches are gathered there.

    Parameters
    ----------
    X : {array, sparse matrix} of shape (n_samples, n_features)
    targets : TrainingTargets
        The targets of the rows, which give the batches' rows of Y.
    w : ndarray of shape (n_samples,) or None
        The row weights, on the host.
    rows : ndarray of int
        Indices of the training rows, in the order of the epoch; shuffled in place
        between epochs by the caller.
    batch_size : int
    contiguous : bool
        Whether ``rows`` is ``arange(n_samples)`` for every epoch.

    Attributes
    ----------
    xp : operations
        The operations of X's namespace (:func:`._arrays.operations`).
    """

    def __init__(self, X, targets, w, rows, batch_size, contiguous):
        self.X, self.targets, self.w = X, targets, w
        self.rows = rows
        self.batch_size = batch_size
        self.contiguous = contiguous
        self.xp = operations(X)
        if not self.xp.is_numpy:
            xp, device = namespace(X)
            self._on_device = targets.on(xp, device, X.dtype)
            self._w_device = move(w, xp, device, X.dtype)
            return
        dense = isinstance(X, np.ndarray)
        self._X = np.empty((batch_size, X.shape[1]), X.dtype) if dense else None
        self._Y = np.empty((batch_size, targets.n_outputs), targets.dtype)
        self._scratch = targets.scratch(batch_size)
        self._w = None if w is None else np.empty(batch_size, w.dtype)

    def __iter__(self):
        """Yield ``(X_batch, Y_batch, w_batch, S)`` for each batch of the epoch."""
        if not self.xp.is_numpy:
            yield from self._device_batches()
            return
        X, targets, w = self.X, self.targets, self.w
        order, size = self.rows, self.batch_size
        n = len(order)
        if self.contiguous:
            for start in range(0, n, size):
                stop = min(start + size, n)
                w_batch = None if w is None else w[start:stop]
                yield (
                    X[start:stop],
                    targets.rows(start, stop, self._Y[: stop - start]),
                    w_batch,
                    stop - start if w is None else float(w_batch.sum()),
                )
            return
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
            S = len(idx) if w is None else float(w_batch.sum())
            yield X_batch, Y_batch, w_batch, S

    def _device_batches(self):
        xp, targets, w = self.xp.xp, self._on_device, self._w_device
        order, size = self.rows, self.batch_size
        n = len(order)
        if self.contiguous:
            order_device = None
        else:
            order_device = self.xp.indices(order)
        for start in range(0, n, size):
            # array_api_strict refuses slices that end past the array.
            stop = min(start + size, n)
            if order_device is None:
                X_batch = self.X[start:stop, :]
                idx = None
            else:
                idx = order_device[start:stop]
                X_batch = xp.take(self.X, idx, axis=0)
            host_idx = order[start:stop]
            if w is None:
                yield X_batch, targets.rows(start, stop, idx), None, stop - start
                continue
            w_batch = w[start:stop] if idx is None else xp.take(w, idx, axis=0)
            S = float(self.w[host_idx].sum())
            yield X_batch, targets.rows(start, stop, idx), w_batch, S
