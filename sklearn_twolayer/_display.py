"""Plot the training curves of a fitted :class:`~sklearn_twolayer.TwoLayerClassifier`.

matplotlib is optional (the ``plot`` extra): it is imported only when a curve is
drawn, so that the estimator itself never needs it.
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["LossCurveDisplay"]


def _import_pyplot():
    """Return ``matplotlib.pyplot``, or raise an ImportError that says what to do."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "LossCurveDisplay needs matplotlib, which is not installed. Install it "
            'with `pip install matplotlib` or `pip install "sklearn-twolayer[plot]"`.'
        ) from exc
    return plt


class LossCurveDisplay:
    """Training loss, and validation loss and score, per epoch.

    The training loss is drawn against the epoch number. When the estimator recorded
    validation data (``early_stopping=True`` or ``X_val``/``y_val`` passed to ``fit``),
    the validation loss is drawn on the same axes and the validation score on a
    second y-axis at the right.

    Create it with :meth:`from_estimator`; build it directly only to plot curves
    recorded elsewhere. All parameters are stored as attributes of the same name.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch, as in ``loss_curve_``.
    validation_loss_curve : array-like of shape (n_validation_epochs,), default=None
        Validation loss of each epoch that had validation data.
    validation_scores : array-like of shape (n_validation_epochs,), default=None
        Validation accuracy of the same epochs.
    estimator_name : str, default=None
        Name used in the legend; none when None.
    validation_epochs : array-like of int of shape (n_validation_epochs,), \
            default=None
        The epochs (counted from 1, as on the x-axis) at which the validation
        curves were measured. When None, they are the last
        ``n_validation_epochs`` epochs of ``loss_curve``. :meth:`from_estimator`
        passes the epochs of the estimator's last fit.

    Attributes
    ----------
    line_ : matplotlib.lines.Line2D
        The training loss curve.
    validation_line_ : matplotlib.lines.Line2D or None
        The validation loss curve, if any.
    score_line_ : matplotlib.lines.Line2D or None
        The validation score curve, if any and if it was asked for.
    lines_ : list of matplotlib.lines.Line2D
        All the lines drawn, training loss first.
    ax_ : matplotlib.axes.Axes
        Axes of the loss curves.
    score_ax_ : matplotlib.axes.Axes or None
        Secondary axes (sharing the x-axis) of the validation score, if drawn. The
        legend, which lists the curves of every display drawn on ``ax_``, is on
        the twin axes drawn last, so that no curve hides it.
    figure_ : matplotlib.figure.Figure
        Figure containing the axes.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the number of
        training samples rather than epochs.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_twolayer import LossCurveDisplay, TwoLayerClassifier
    >>> X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
    >>> clf = TwoLayerClassifier(hidden_size=10, early_stopping=True, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> len(display.lines_)
    3
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        estimator_name=None,
        validation_epochs=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name
        self.validation_epochs = validation_epochs

    def plot(
        self,
        ax=None,
        *,
        name=None,
        show_validation_score=True,
        loss_kw=None,
        validation_loss_kw=None,
        score_kw=None,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure and axes when None.
        name : str, default=None
            Name for the legend; ``estimator_name`` when None.
        show_validation_score : bool, default=True
            Whether to draw the validation score, when there is one, on a
            secondary y-axis.
        loss_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the training loss.
        validation_loss_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the validation loss.
        score_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the validation score.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values.
        """
        plt = _import_pyplot()
        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name
        prefix = "" if name is None else f"{name}: "

        loss = np.asarray(self.loss_curve, dtype=float)
        if loss.ndim != 1 or loss.size == 0:
            raise ValueError(
                f"loss_curve must be a non-empty 1d sequence; got shape {loss.shape}."
            )
        n_epochs = loss.size
        epochs = np.arange(1, n_epochs + 1)
        (self.line_,) = ax.plot(
            epochs, loss, **{"label": f"{prefix}training loss", **(loss_kw or {})}
        )
        self.validation_line_ = None
        self.score_line_ = None
        self.score_ax_ = None
        lines = [self.line_]

        if self.validation_loss_curve is not None:
            val_loss = np.asarray(self.validation_loss_curve, dtype=float)
            val_epochs = self._validation_epochs(val_loss, n_epochs)
            (self.validation_line_,) = ax.plot(
                val_epochs,
                val_loss,
                **{
                    "label": f"{prefix}validation loss",
                    "linestyle": "--",
                    **(validation_loss_kw or {}),
                },
            )
            lines.append(self.validation_line_)

        if show_validation_score and self.validation_scores is not None:
            scores = np.asarray(self.validation_scores, dtype=float)
            val_epochs = self._validation_epochs(scores, n_epochs)
            self.score_ax_ = ax.twinx()
            # Without an explicit colour the twin axes would restart the colour
            # cycle and repeat the training loss's colour.
            (self.score_line_,) = self.score_ax_.plot(
                val_epochs,
                scores,
                **{
                    "label": f"{prefix}validation score",
                    "linestyle": ":",
                    "color": "tab:green",
                    **(score_kw or {}),
                },
            )
            self.score_ax_.set_ylabel("Validation score (accuracy)")
            lines.append(self.score_line_)

        ax.set_xlabel("Epoch")
        ax.set_ylabel("Loss")
        self._draw_legend(ax)
        self.lines_ = lines
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @staticmethod
    def _draw_legend(ax):
        """One legend for every curve on ``ax`` and on its twin axes.

        Several displays may share ``ax`` (one curve per model), each adding a twin
        axes for its score; the legend goes on the axes drawn last, so that no
        curve is drawn over it.
        """
        group = [
            a
            for a in ax.figure.axes
            if a is ax
            or (
                a.get_shared_x_axes().joined(a, ax)
                and a.get_position().bounds == ax.get_position().bounds
            )
        ]
        handles, labels = [], []
        for a in group:
            h, lab = a.get_legend_handles_labels()
            handles += h
            labels += lab
            if a.get_legend() is not None:
                a.get_legend().remove()
        group[-1].legend(handles, labels, loc="best")

    def _validation_epochs(self, curve, n_epochs):
        if curve.ndim != 1 or not 0 < curve.size <= n_epochs:
            raise ValueError(
                "A validation curve must be a non-empty 1d sequence no longer than "
                f"loss_curve ({n_epochs} epochs); got shape {curve.shape}."
            )
        if self.validation_epochs is None:
            return np.arange(n_epochs - curve.size + 1, n_epochs + 1)
        epochs = np.asarray(self.validation_epochs)
        if (
            epochs.shape != curve.shape
            or epochs.dtype.kind not in "iu"
            or not np.all((epochs >= 1) & (epochs <= n_epochs))
        ):
            raise ValueError(
                "validation_epochs must hold one epoch number (an int from 1 to "
                f"{n_epochs}, the length of loss_curve) per point of the validation "
                f"curves, {curve.size}; got {self.validation_epochs!r}."
            )
        return epochs

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        name=None,
        show_validation_score=True,
        loss_kw=None,
        validation_loss_kw=None,
        score_kw=None,
    ):
        """Plot the curves recorded by a fitted estimator.

        Parameters
        ----------
        estimator : TwoLayerClassifier or Pipeline
            A fitted :class:`~sklearn_twolayer.TwoLayerClassifier`, or a fitted
            pipeline whose last step is one.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure and axes when None.
        name : str, default=None
            Name for the legend; the estimator's class name when None.
        show_validation_score : bool, default=True
            Whether to draw the validation score, when there is one, on a
            secondary y-axis.
        loss_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the training loss.
        validation_loss_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the validation loss.
        score_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the validation score.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values.
        """
        _import_pyplot()
        model = estimator[-1] if isinstance(estimator, Pipeline) else estimator
        check_is_fitted(model)
        if not hasattr(model, "loss_curve_"):
            raise TypeError(
                "LossCurveDisplay needs an estimator with a loss_curve_ attribute, "
                f"such as TwoLayerClassifier; got {type(model).__name__}."
            )
        validation_loss = getattr(model, "validation_loss_curve_", None)
        validation_epochs = None
        if validation_loss is not None:
            # The validation curves are those of the last fit, measured after
            # each of its epochs; n_iter_ counts the epochs since that fit began
            # (partial_fit adds one per call).
            first = len(model.loss_curve_) - model.n_iter_ + 1
            validation_epochs = np.arange(first, first + len(validation_loss))
        display = cls(
            loss_curve=model.loss_curve_,
            validation_loss_curve=validation_loss,
            validation_scores=getattr(model, "validation_scores_", None),
            estimator_name=type(model).__name__ if name is None else name,
            validation_epochs=validation_epochs,
        )
        return display.plot(
            ax=ax,
            show_validation_score=show_validation_score,
            loss_kw=loss_kw,
            validation_loss_kw=validation_loss_kw,
            score_kw=score_kw,
        )
