"""The update rules: gradient descent, with a rate schedule and momentum, and Adam.

Every rule moves each parameter P (``W1``, ``b1``, ``W2``, ``b2``) using its gradient
dP = dJ/dP from the backward pass; only the use made of dP differs.

:class:`GradientDescent`
    Mini-batch gradient descent with classical momentum, at a fixed rate ``alpha``::

        v <- momentum * v - alpha * dP
        P <- P + v

    With ``momentum=0`` this is the article's plain update ``P -= alpha * dP``, and
    no velocity is stored.
:class:`SGD`
    The same update at a rate that follows a schedule (constant, inverse scaling,
    or divided by 5 on a stall), optionally with Nesterov's momentum.
:class:`Adam`
    Kingma and Ba's adaptive moment estimation, with ``alpha`` as its step size.

:class:`SGD` and :class:`Adam` share the interface that a training loop drives:
``step`` after each mini-batch, ``end_epoch`` after each epoch, ``on_stall`` when
the loss stops improving, ``learning_rate``, and ``state``/``from_state`` to carry
the optimiser's state across calls as plain numbers and arrays.
:func:`make_optimizer` builds either from the estimator's settings. The rules, the
moments at which the rate changes and the moment Adam's moments start are those of
scikit-learn's ``SGDOptimizer`` and ``AdamOptimizer`` as ``MLPClassifier`` drives
them, so that from the same weights and gradients the float64 updates agree bit
for bit.

A gradient given as a :class:`~._kernels.SparseGradient` is zero outside a few
columns of ``W1``; gradient descent adds its update to those columns alone, with
or without momentum (the velocity still decays everywhere). Adam forms the dense
gradient first: its moments decay in every column, and the update divides by them.
"""

import abc
import math

import numpy as np

from ._arrays import operations
from ._kernels import SparseGradient, add_sparse_product, flat_params
from ._kernels import shared_base as _shared_base

__all__ = ["SGD", "Adam", "GradientDescent", "Optimizer", "make_optimizer"]

SCHEDULES = ("constant", "invscaling", "adaptive")

# The adaptive schedule stops the training once a stall finds the rate at or
# below this (scikit-learn's threshold).
MIN_ADAPTIVE_RATE = 1e-6


class GradientDescent:
    """Update parameters from their gradients.

    NumPy parameters are updated in place; in any other array namespace the
    update makes new arrays (see :class:`._arrays.ArrayOps`). Either way
    :meth:`step` returns the updated parameters.

    Parameters
    ----------
    alpha : float
        The learning rate.
    momentum : float, default=0.0
        Weight of the previous update in the next one, in [0, 1).
    velocity : list of array, default=None
        Velocities to resume from (one per parameter); zeros when None.
    """

    def __init__(self, alpha, momentum=0.0, velocity=None):
        self.alpha = alpha
        self.momentum = momentum
        self.velocity = velocity
        self._flat = None  # (params, grads, their two 1-D bases)
        self._xp = None  # the operations of the parameters' namespace

    def step(self, params, grads):
        """Apply one update to each array of ``params``.

        Parameters
        ----------
        params : Params
            The parameters; NumPy arrays are updated in place.
        grads : sequence of array or SparseGradient
            Their gradients, same shapes; they may be overwritten.

        Returns
        -------
        params : Params
            The updated parameters (``params`` itself in NumPy).
        """
        xp = self.operations(params)
        alpha = self.alpha
        if self.momentum == 0:
            flat = self._flat_bases(params, grads) if xp.is_numpy else None
            if flat is not None:
                # The same elementwise update, in two calls instead of eight.
                P, dP = flat
                _descend(P, dP, alpha, xp)
                return params
            updated = []
            for P, dP in zip(params, grads, strict=True):
                if type(dP) is SparseGradient:
                    # NumPy only: the columns of W1 that the batch reaches, in place.
                    add_sparse_product(P.T, dP.X, dP.dZ1, -alpha)
                    updated.append(P)
                    continue
                updated.append(_descend(P, dP, alpha, xp))
            return _remade(params, updated)
        if self.velocity is None:
            self.velocity = [xp.zeros_like(P) for P in params]
        updated, velocity = [], []
        for P, dP, v in zip(params, grads, self.velocity, strict=True):
            # v <- momentum * v - alpha * dP
            v = xp.multiply(v, self.momentum, out=v)
            if type(dP) is SparseGradient:
                add_sparse_product(v.T, dP.X, dP.dZ1, -alpha)
            else:
                v = xp.subtract(v, xp.multiply(dP, alpha, out=dP), out=v)
            # P <- P + v
            updated.append(xp.add(P, v, out=P))
            velocity.append(v)
        self.velocity = velocity
        return _remade(params, updated)

    def operations(self, params):
        """The operations of the parameters' namespace, found at the first step.

        The parameters stay in one namespace for the optimiser's life.
        """
        if self._xp is None:
            self._xp = operations(params[0])
        return self._xp

    def _flat_bases(self, params, grads):
        """The 1-D arrays that ``params`` and ``grads`` are laid out in, or None.

        Both must come from :func:`._kernels.flat_params` (or the gradients from
        :class:`._kernels.Buffers`, which lays them out alike); the answer is kept
        for the next batch, which reuses the same arrays.
        """
        cached = self._flat
        if cached is not None and cached[0] is params[0] and cached[1] is grads[0]:
            return cached[2]
        bases = tuple(_shared_base(arrays) for arrays in (params, grads))
        if (
            bases[0] is None
            or bases[1] is None
            or bases[0].size != bases[1].size
            # The same memory order, so that equal offsets hold equal entries.
            or any(P.strides != dP.strides for P, dP in zip(params, grads, strict=True))
        ):
            bases = None
        self._flat = (params[0], grads[0], bases)
        return bases


def _remade(params, arrays):
    """``arrays`` in the container type of ``params`` (a Params stays one)."""
    return params._make(arrays) if hasattr(params, "_make") else type(params)(arrays)


def _descend(P, dP, alpha, xp):
    """``P <- P - alpha * dP``; in NumPy in place, in ``P`` (and ``dP``, scratch)."""
    # The gradient buffer is scratch: scaling it in place saves a temporary the
    # size of W1 per batch.
    return xp.subtract(P, xp.multiply(dP, alpha, out=dP), out=P)


class Optimizer(abc.ABC):
    """The interface between an update rule and the training loop.

    The loop calls :meth:`step` after each mini-batch, :meth:`end_epoch` at the end
    of each epoch (once the epoch's rows are counted in the samples seen), then
    :meth:`on_stall` if its stopping rule (``n_iter_no_change``, ``tol``) finds the
    loss stalled; it stops if that returns True, and otherwise starts counting the
    epochs without improvement afresh. In ``MLPClassifier`` these are
    ``update_params``, ``iteration_ends`` and ``trigger_stopping``, in that order.

    :meth:`state` exports what the rule has learnt (rate, velocities, moments) as
    plain numbers and arrays, which pickle and load with ``skops`` without trusting
    any type; :meth:`from_state` builds an optimiser that continues from it.
    """

    #: The ``solver`` value of the rule, also recorded in its state.
    solver = None

    @property
    @abc.abstractmethod
    def learning_rate(self):
        """The rate that the next step uses."""

    @abc.abstractmethod
    def step(self, params, grads):
        """Apply one update to each array of ``params``.

        Parameters
        ----------
        params : sequence of array
            The parameters P; NumPy arrays are updated in place.
        grads : sequence of array or SparseGradient
            Their gradients dP = dJ/dP, same shapes; they may be overwritten.

        Returns
        -------
        params : sequence of array
            The updated parameters (``params`` itself in NumPy).
        """

    def end_epoch(self, samples_seen):
        """Advance the learning-rate schedule at the end of an epoch.

        Parameters
        ----------
        samples_seen : int
            The training rows seen so far, this epoch's included (``t_``).
        """
        return  # The rate stays as it is, unless a rule says otherwise.

    def on_stall(self):
        """Answer a stall of the loss: whether the training should stop.

        Returns
        -------
        stop : bool
            True: stop now. False: the rule has adapted (a smaller rate), and the
            loop should carry on.
        """
        return True

    @abc.abstractmethod
    def state(self):
        """The state to continue from, as plain types.

        Returns
        -------
        state : dict
            ``"solver"`` (str), ``"learning_rate"`` (float) and the rule's own
            entries: numbers, None, or lists of ndarray (one per parameter). The
            arrays are the optimiser's own, not copies.
        """

    @classmethod
    def from_state(cls, state, *args, **kwargs):
        """An optimiser that continues from ``state``.

        Parameters
        ----------
        state : dict
            What :meth:`state` returned, possibly after a pickle round trip. Its
            arrays are used, and updated, in place.
        *args, **kwargs
            The settings, as for the constructor.

        Returns
        -------
        optimizer : Optimizer
        """
        if state.get("solver") != cls.solver:
            raise ValueError(
                f"The optimiser state is that of solver={state.get('solver')!r}; "
                f"it cannot continue with solver={cls.solver!r}."
            )
        optimizer = cls(*args, **kwargs)
        optimizer._restore(state)
        return optimizer

    @abc.abstractmethod
    def _restore(self, state):
        """Take over the state exported by :meth:`state`."""


class SGD(Optimizer):
    """Gradient descent with a learning-rate schedule and momentum.

    For every parameter P with gradient dP = dJ/dP, at the current rate
    ``alpha_t``::

        v <- momentum * v - alpha_t * dP
        P <- P + v                            (classical momentum)
        P <- P + momentum * v - alpha_t * dP  (Nesterov's, with the new v)

    The velocity v starts at zero. With ``momentum=0`` both are the article's
    ``P <- P - alpha_t * dP``, and no velocity is kept. The rate follows
    ``schedule``, where t is the number of training rows seen:

    - ``"constant"``: ``alpha_t = alpha``.
    - ``"invscaling"``: ``alpha_t = alpha / (t + 1) ** power_t``, recomputed by
      :meth:`end_epoch`; the first epoch runs at ``alpha``.
    - ``"adaptive"``: ``alpha_t = alpha`` until a stall; each stall divides it by
      5 (:meth:`on_stall`), and the one that finds it at or below 1e-6 stops the
      training.

    Steps at the constant rate without Nesterov's momentum are those of
    :class:`GradientDescent`, which this class drives.

    Parameters
    ----------
    alpha : float
        The initial learning rate.
    momentum : float, default=0.0
        Weight of the velocity, in [0, 1).
    nesterov : bool, default=False
        Whether to apply Nesterov's momentum (scikit-learn's form, above).
    schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How the learning rate changes during training.
    power_t : float, default=0.5
        The exponent of the ``"invscaling"`` schedule.

    Attributes
    ----------
    velocity : list of ndarray or None
        The velocities, one per parameter; None until a step with momentum.
    """

    solver = "sgd"

    def __init__(
        self, alpha, momentum=0.0, nesterov=False, schedule="constant", power_t=0.5
    ):
        if schedule not in SCHEDULES:
            raise ValueError(
                f"The learning-rate schedule must be one of {SCHEDULES}; got "
                f"{schedule!r}."
            )
        self.alpha = alpha
        self.momentum = momentum
        self.nesterov = nesterov
        self.schedule = schedule
        self.power_t = power_t
        # Holds the current rate (as its alpha) and the velocity.
        self._descent = GradientDescent(alpha, momentum)
        self._layout = _Layout()
        self._scratch = None

    @property
    def learning_rate(self):
        """The rate ``alpha_t`` that the next step uses, a float."""
        return self._descent.alpha

    @property
    def velocity(self):
        """The velocities, one ndarray per parameter, or None before momentum."""
        return self._descent.velocity

    def step(self, params, grads):
        # The parameters and the return value are those of Optimizer.step.
        if self.nesterov and self.momentum != 0:
            return self._nesterov_step(params, grads)
        return self._descent.step(params, grads)

    def _nesterov_step(self, params, grads):
        """Nesterov's step: the velocity, then the update at the new velocity."""
        rate, momentum = self._descent.alpha, self.momentum
        xp = self._descent.operations(params)
        if not xp.is_numpy:
            if self._descent.velocity is None:
                self._descent.velocity = [xp.zeros_like(P) for P in params]
            blocks = zip(
                params, grads, self._descent.velocity, [None] * len(params), strict=True
            )
        else:
            if self._descent.velocity is None:
                self._descent.velocity = _arrays_like(params)
            if not _fits(self._scratch, params):
                self._scratch = _arrays_like(params)
            blocks = self._layout.blocks(
                params, grads, self._descent.velocity, self._scratch
            )
        updated, velocity = [], []
        for P, dP, v, update in blocks:
            v = xp.multiply(v, momentum, out=v)
            if type(dP) is SparseGradient:
                # Each dP term goes into the columns that the batch touches
                # alone, so P + momentum * v is rounded before -rate * dP is
                # added, where the dense form rounds their sum.
                add_sparse_product(v.T, dP.X, dP.dZ1, -rate)
                np.multiply(v, momentum, out=update)
                P += update
                add_sparse_product(P.T, dP.X, dP.dZ1, -rate)
                continue
            # v <- momentum * v - rate * dP
            dP = xp.multiply(dP, rate, out=dP)
            v = xp.subtract(v, dP, out=v)
            # P <- P + momentum * v - rate * dP
            update = xp.multiply(v, momentum, out=update)
            update = xp.subtract(update, dP, out=update)
            updated.append(xp.add(P, update, out=P))
            velocity.append(v)
        if xp.is_numpy:
            return params
        self._descent.velocity = velocity
        return _remade(params, updated)

    def end_epoch(self, samples_seen):
        """Recompute the ``"invscaling"`` rate; the other schedules keep theirs.

        Parameters
        ----------
        samples_seen : int
            The training rows seen so far, this epoch's included (``t_``).
        """
        if self.schedule == "invscaling":
            self._descent.alpha = float(self.alpha) / (samples_seen + 1) ** self.power_t

    def on_stall(self):
        """Divide the ``"adaptive"`` rate by 5, or tell the training to stop.

        Returns
        -------
        stop : bool
            True unless the schedule is ``"adaptive"`` and its rate was above
            1e-6; that rate is then divided by 5.
        """
        if self.schedule != "adaptive" or self.learning_rate <= MIN_ADAPTIVE_RATE:
            return True
        self._descent.alpha = float(self.learning_rate) / 5.0
        return False

    def state(self):
        """The rate and the velocity, as plain types.

        Returns
        -------
        state : dict
            ``{"solver": "sgd", "learning_rate": alpha_t, "velocity": v}``, with
            ``v`` a list of ndarray (the optimiser's own) or None.
        """
        velocity = self._descent.velocity
        return {
            "solver": self.solver,
            "learning_rate": float(self.learning_rate),
            "velocity": None if velocity is None else list(velocity),
        }

    def _restore(self, state):
        # A constant rate is alpha by definition, whatever rate the state ran at.
        if self.schedule != "constant":
            self._descent.alpha = state["learning_rate"]
        velocity = state["velocity"]
        self._descent.velocity = None if velocity is None else list(velocity)


class Adam(Optimizer):
    """Adam: gradient descent scaled by running moments of the gradient.

    Kingma and Ba's rule, with ``alpha`` as its step size. At step t = 1, 2, ...,
    for every parameter P with gradient dP = dJ/dP::

        m <- beta_1 * m + (1 - beta_1) * dP
        s <- beta_2 * s + (1 - beta_2) * dP ** 2
        alpha_t = alpha * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        P <- P - alpha_t * m / (sqrt(s) + epsilon)

    The moments m and s start at zero at the first step; ``alpha_t`` corrects
    their bias towards it. Each step thus moves a parameter by an amount of the
    order of ``alpha`` whatever the scale of its gradient (by ``alpha`` exactly,
    against the sign of dP, at the first step when ``epsilon`` is negligible).
    There is no schedule: the training stops at the first stall.

    A :class:`~._kernels.SparseGradient` is made dense first, since the moments
    decay in every column.

    Parameters
    ----------
    alpha : float, default=0.001
        The step size.
    beta_1 : float, default=0.9
        Decay of the first moment m, in [0, 1).
    beta_2 : float, default=0.999
        Decay of the second moment s, in [0, 1).
    epsilon : float, default=1e-8
        Added to ``sqrt(s)``, so that the division stays finite.

    Attributes
    ----------
    t : int
        The steps taken.
    ms, vs : list of ndarray or None
        The first and second moments m and s, one per parameter; None before the
        first step.
    """

    solver = "adam"

    def __init__(self, alpha=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.alpha = alpha
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = None
        self.vs = None
        self._layout = _Layout()
        self._scratch = None
        self._cached = None  # (params[0], grads[0], blocks) of the last step
        self._xp = None  # the operations of the parameters' namespace

    @property
    def learning_rate(self):
        """The rate ``alpha_t`` of the last step (``alpha`` before the first)."""
        if self.t == 0:
            return float(self.alpha)
        return (
            self.alpha * math.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
        )

    def step(self, params, grads):
        # The parameters and the return value are those of Optimizer.step; Adam
        # always overwrites the gradients.
        xp = self._xp
        if xp is None:
            # The parameters stay in one namespace for the optimiser's life.
            xp = self._xp = operations(params[0])
        if xp.is_numpy:
            blocks = self._blocks(params, grads)
        else:
            if self.ms is None:
                self.ms = [xp.zeros_like(P) for P in params]
                self.vs = [xp.zeros_like(P) for P in params]
            blocks = zip(
                params, grads, self.ms, self.vs, [None] * len(params), strict=True
            )
        self.t += 1
        rate = self.learning_rate
        beta_1, beta_2 = self.beta_1, self.beta_2
        updated = []
        for P, dP, m, s, scratch in blocks:
            # m <- beta_1 * m + (1 - beta_1) * dP
            scratch = xp.multiply(dP, 1 - beta_1, out=scratch)
            m = xp.multiply(m, beta_1, out=m)
            m = xp.add(m, scratch, out=m)
            # s <- beta_2 * s + (1 - beta_2) * dP ** 2; dP is scratch from here.
            dP = xp.square(dP, out=dP)
            dP = xp.multiply(dP, 1 - beta_2, out=dP)
            s = xp.multiply(s, beta_2, out=s)
            s = xp.add(s, dP, out=s)
            # P <- P - alpha_t * m / (sqrt(s) + epsilon)
            denominator = xp.sqrt(s, out=dP)
            denominator = xp.add(denominator, self.epsilon, out=denominator)
            update = xp.multiply(m, -rate, out=scratch)
            update = xp.divide(update, denominator, out=update)
            updated.append((xp.add(P, update, out=P), m, s))
        if xp.is_numpy:
            return params
        new, self.ms, self.vs = (list(a) for a in zip(*updated, strict=True))
        return _remade(params, new)

    def _blocks(self, params, grads):
        """The arrays that a step updates together, moments and scratch made.

        When the parameters and the gradients each tile one 1-D base, the
        answer is kept for the next step, which passes the same arrays: a step
        on a small network then costs its arithmetic alone.
        """
        cached = self._cached
        if cached is not None and params[0] is cached[0] and grads[0] is cached[1]:
            return cached[2]
        dense = [_dense(P, dP) for P, dP in zip(params, grads, strict=True)]
        if self.ms is None:
            self.ms, self.vs = _arrays_like(params), _arrays_like(params)
        if not _fits(self._scratch, params):
            self._scratch = _arrays_like(params)
        blocks = self._layout.blocks(params, dense, self.ms, self.vs, self._scratch)
        if isinstance(blocks, list) and all(
            a is b for a, b in zip(dense, grads, strict=True)
        ):
            self._cached = (params[0], grads[0], blocks)
        return blocks

    def state(self):
        """The step count and the moments, as plain types.

        Returns
        -------
        state : dict
            ``{"solver": "adam", "learning_rate": alpha_t, "t": t, "ms": m,
            "vs": s}``, with ``m`` and ``s`` lists of ndarray (the optimiser's
            own) or None. ``learning_rate`` follows from ``t`` and is not read
            back.
        """
        return {
            "solver": self.solver,
            "learning_rate": float(self.learning_rate),
            "t": int(self.t),
            "ms": None if self.ms is None else list(self.ms),
            "vs": None if self.vs is None else list(self.vs),
        }

    def _restore(self, state):
        self._cached = None
        self.t = state["t"]
        self.ms = None if state["ms"] is None else list(state["ms"])
        self.vs = None if state["vs"] is None else list(state["vs"])


def make_optimizer(
    solver,
    alpha,
    *,
    momentum=0.0,
    nesterov=False,
    learning_rate="constant",
    power_t=0.5,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    state=None,
):
    """The optimiser of ``solver``, fresh or continuing from ``state``.

    Parameters
    ----------
    solver : {"sgd", "adam"}
        The update rule: :class:`SGD` or :class:`Adam`.
    alpha : float
        The initial learning rate of ``"sgd"``, the step size of ``"adam"``.
    momentum : float, default=0.0
        ``"sgd"`` only.
    nesterov : bool, default=False
        ``"sgd"`` only.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        The schedule of ``"sgd"``.
    power_t : float, default=0.5
        ``"sgd"`` with ``learning_rate="invscaling"`` only.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        ``"adam"`` only.
    state : dict, default=None
        A state from :meth:`Optimizer.state` of the same solver to continue from.

    Returns
    -------
    optimizer : Optimizer
        An :class:`SGD` or an :class:`Adam`.
    """
    if solver == "sgd":
        cls = SGD
        settings = {
            "alpha": alpha,
            "momentum": momentum,
            "nesterov": nesterov,
            "schedule": learning_rate,
            "power_t": power_t,
        }
    elif solver == "adam":
        cls = Adam
        settings = {
            "alpha": alpha,
            "beta_1": beta_1,
            "beta_2": beta_2,
            "epsilon": epsilon,
        }
    else:
        raise ValueError(f"The solver must be 'sgd' or 'adam'; got {solver!r}.")
    if state is None:
        return cls(**settings)
    return cls.from_state(state, **settings)


def _dense(P, dP):
    """``dP`` as an ndarray: a SparseGradient's product formed, like ``P``."""
    if type(dP) is not SparseGradient:
        return dP
    # dW1^T = X^T dZ1, accumulated row by row as the sparse update does.
    rows = np.zeros(P.shape[::-1], dtype=P.dtype)
    add_sparse_product(rows, dP.X, dP.dZ1, 1.0)
    return rows.T


def _fits(arrays, params):
    """Whether ``arrays`` can serve as work arrays for ``params``."""
    return arrays is not None and all(
        a.shape == P.shape and a.dtype == P.dtype
        for a, P in zip(arrays, params, strict=True)
    )


def _arrays_like(params):
    """Zeros shaped and laid out as ``params``, in one 1-D base when those are."""
    if _shared_base(params) is None:
        return [np.zeros_like(P) for P in params]
    arrays = list(flat_params(params))
    _shared_base(arrays)[...] = 0
    return arrays


class _Layout:
    """Runs an elementwise update over whole 1-D bases when it can.

    Lists of arrays that each tile one 1-D base the same way (see
    :func:`._kernels.flat_params`) are updated as one array each: a few NumPy
    calls per step instead of a few per parameter. The answer is kept for the
    next step, which passes the same arrays.
    """

    def __init__(self):
        self._firsts = None
        self._bases = None

    def blocks(self, *lists):
        """The arrays to update together: ``[bases]``, or the lists zipped."""
        firsts = [arrays[0] for arrays in lists]
        if self._firsts is None or any(
            a is not b for a, b in zip(firsts, self._firsts, strict=True)
        ):
            self._firsts = firsts
            self._bases = _common_bases(lists)
        if self._bases is None:
            return zip(*lists, strict=True)
        return [self._bases]


def _common_bases(lists):
    """The 1-D bases of ``lists`` if they are all laid out alike, else None."""
    bases = tuple(_shared_base(arrays) for arrays in lists)
    if any(base is None or base.size != bases[0].size for base in bases):
        return None
    # The same memory order, so that equal offsets hold equal entries.
    for same in zip(*lists, strict=True):
        if any(a.strides != same[0].strides for a in same):
            return None
    return bases
