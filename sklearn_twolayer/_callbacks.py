"""The adapter between a training call and scikit-learn's callbacks (>= 1.9).

:class:`Callbacks` opens the fit's callback context, gives the training loop the two
hooks it calls around each epoch (``begin_epoch`` and ``end_epoch``, which may ask to
stop), and closes the context once the estimator has committed the result. The
training loop sees only those two methods; the estimator object is passed on to
scikit-learn's hooks, which receive it by their API, and is never read here beyond
the callback machinery that scikit-learn itself sets on it.

The estimator also takes from here scikit-learn's ``CallbackSupportMixin`` (a
stand-in that adds nothing, for a scikit-learn without callbacks) and the names of
the attributes that this machinery sets on it during fit, which the restore of a
failed fit keeps.
"""

from ._arrays import operations

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - exercised with older scikit-learn

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no callback API."""


__all__ = ["CALLBACK_KEYS", "CallbackSupportMixin", "Callbacks"]

# Attributes that the scikit-learn callback API sets on the estimator during fit.
CALLBACK_KEYS = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


class Callbacks:
    """The scikit-learn callback hooks around fit and its epochs.

    With an older scikit-learn, or no callback set, every method does nothing.

    Parameters
    ----------
    estimator : TwoLayerClassifier
        The estimator being fitted, handed to the hooks.
    X, y : array-like
        The training data, handed to the hooks.
    sample_weight : ndarray or None
        Handed to the hooks as metadata, so that a ScoringMonitor scores with it.
    n_epochs : int
        The most epochs this call may run.
    fitted : dict
        The fitted attributes other than the parameters that a model rebuilt at
        the end of an epoch needs (``classes_``, ``n_outputs_``, ...).
    """

    def __init__(self, estimator, X, y, sample_weight, n_epochs, fitted):
        self.estimator = estimator
        self.fitted = fitted
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

    def _attributes(self, params):
        # NumPy's arrays are trained in place: copies. Other namespaces' never
        # are, and serve as they are.
        W1, b1, W2, b2 = (operations(p).copy(p) for p in params)
        return {"W1_": W1, "b1_": b1, "W2_": W2, "b2_": b2, **self.fitted}

    def begin_epoch(self):
        """Call the epoch-begin hooks."""
        if self.context is None:
            return
        self.epoch_context = self.context.subcontext(task_name="epoch")
        self.epoch_context.call_on_fit_task_begin(estimator=self.estimator, **self.data)

    def end_epoch(self, params):
        """Call the epoch-end hooks; return True when a callback asks to stop.

        ``params`` are the parameters at the end of the epoch; they are copied only
        if a hook asks for the model of the epoch.
        """
        if self.context is None:
            return False
        return self.epoch_context.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self._attributes(params),
            **self.data,
        )

    def end_fit(self):
        """Call the fit-end hooks, once the estimator holds the trained model."""
        if self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator, reconstruction_attributes={}, **self.data
            )
