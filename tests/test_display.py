import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import LossCurveDisplay, TwoLayerClassifier

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _legend_texts(display):
    legends = [a.get_legend() for a in display.figure_.axes if a.get_legend()]
    assert len(legends) == 1
    return [t.get_text() for t in legends[0].get_texts()]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_moons(n_samples=120, noise=0.25, random_state=0)


def _fit(X, y, **params):
    clf = TwoLayerClassifier(hidden_size=8, max_iter=6, random_state=0, **params)
    with warnings.catch_warnings():
        # Six epochs are too few to converge, on purpose: the curves are the point.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(X, y)


def test_training_curve_only(data):
    X, y = data
    clf = _fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)

    np.testing.assert_array_equal(display.line_.get_xdata(), np.arange(1, 7))
    np.testing.assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    assert display.validation_line_ is None
    assert display.score_line_ is None
    assert display.score_ax_ is None
    assert display.lines_ == [display.line_]
    assert isinstance(display.ax_, matplotlib.axes.Axes)
    assert isinstance(display.figure_, matplotlib.figure.Figure)
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_ylabel() == "Loss"
    assert display.line_.get_label() == "TwoLayerClassifier: training loss"
    assert _legend_texts(display) == ["TwoLayerClassifier: training loss"]


def test_validation_curves(data):
    X, y = data
    clf = _fit(X, y, early_stopping=True, validation_fraction=0.25)
    display = LossCurveDisplay.from_estimator(clf)

    n = len(clf.loss_curve_)
    np.testing.assert_array_equal(
        display.validation_line_.get_ydata(), clf.validation_loss_curve_
    )
    np.testing.assert_array_equal(
        display.validation_line_.get_xdata(), np.arange(1, n + 1)
    )
    np.testing.assert_array_equal(
        display.score_line_.get_ydata(), clf.validation_scores_
    )
    # The score lives on its own y-axis, which shares the epochs.
    assert display.score_line_.axes is display.score_ax_
    assert display.score_ax_ is not display.ax_
    assert display.score_ax_.get_shared_x_axes().joined(display.score_ax_, display.ax_)
    assert display.lines_ == [
        display.line_,
        display.validation_line_,
        display.score_line_,
    ]
    assert _legend_texts(display) == [
        "TwoLayerClassifier: training loss",
        "TwoLayerClassifier: validation loss",
        "TwoLayerClassifier: validation score",
    ]


def test_validation_score_can_be_left_out(data):
    X, y = data
    clf = _fit(X, y, early_stopping=True, validation_fraction=0.25)
    display = LossCurveDisplay.from_estimator(clf, show_validation_score=False)
    assert display.validation_line_ is not None
    assert display.score_line_ is None
    assert display.score_ax_ is None


def test_validation_aligned_with_last_epochs(data):
    # A warm-started fit with validation data extends a curve that has none: its
    # validation points belong to the last epochs.
    X, y = data
    clf = _fit(X, y, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(max_iter=4).fit(X, y, X_val=X[:30], y_val=y[:30])
    assert len(clf.loss_curve_) == 10
    display = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_array_equal(
        display.validation_line_.get_xdata(), np.arange(7, 11)
    )
    np.testing.assert_array_equal(display.score_line_.get_xdata(), np.arange(7, 11))


def test_validation_points_stay_at_the_epochs_of_their_fit(data):
    # Validation curves left by an earlier version after partial_fit calls (it
    # kept them) belong to the epochs of the fit that measured them, not to the
    # last epochs of the longer training curve.
    X, y = data
    clf = _fit(X, y, early_stopping=True, validation_fraction=0.25)
    n = len(clf.loss_curve_)
    curves = clf.validation_scores_, clf.validation_loss_curve_
    clf.partial_fit(X, y).partial_fit(X, y)
    assert LossCurveDisplay.from_estimator(clf).validation_line_ is None
    clf.validation_scores_, clf.validation_loss_curve_ = curves
    display = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_array_equal(display.line_.get_xdata(), np.arange(1, n + 3))
    np.testing.assert_array_equal(
        display.validation_line_.get_xdata(), np.arange(1, n + 1)
    )
    np.testing.assert_array_equal(display.score_line_.get_xdata(), np.arange(1, n + 1))


def test_validation_epochs_of_recorded_curves():
    # Validation measured every other epoch.
    display = LossCurveDisplay(
        loss_curve=[0.9, 0.5, 0.4, 0.35],
        validation_loss_curve=[0.6, 0.5],
        validation_scores=[0.7, 0.8],
        validation_epochs=[2, 4],
    ).plot()
    np.testing.assert_array_equal(display.validation_line_.get_xdata(), [2, 4])
    np.testing.assert_array_equal(display.score_line_.get_xdata(), [2, 4])


@pytest.mark.parametrize("epochs", [[1], [0, 1], [2, 5], [1.0, 2.0]])
def test_invalid_validation_epochs(epochs):
    display = LossCurveDisplay(
        loss_curve=[0.9, 0.5, 0.4, 0.35],
        validation_loss_curve=[0.6, 0.5],
        validation_epochs=epochs,
    )
    with pytest.raises(ValueError, match="validation_epochs must hold one epoch"):
        display.plot()


def test_given_axes_name_and_style(data):
    X, y = data
    clf = _fit(X, y)
    fig, (ax0, ax1) = plt.subplots(1, 2)
    display = LossCurveDisplay.from_estimator(
        clf, ax=ax1, name="small net", loss_kw={"color": "black", "label": "custom"}
    )
    assert display.ax_ is ax1
    assert display.figure_ is fig
    assert not ax0.lines
    assert display.line_.get_color() == "black"
    assert display.line_.get_label() == "custom"

    display = LossCurveDisplay.from_estimator(clf, name="small net")
    assert display.line_.get_label() == "small net: training loss"


def test_several_displays_share_one_legend(data):
    X, y = data
    _, ax = plt.subplots()
    first = LossCurveDisplay.from_estimator(_fit(X, y), ax=ax, name="a")
    second = LossCurveDisplay.from_estimator(
        _fit(X, y, early_stopping=True, validation_fraction=0.25), ax=ax, name="b"
    )
    assert first.ax_ is second.ax_ is ax
    # The legend is on the score axes, drawn above the loss curves.
    assert second.score_ax_.get_legend() is not None
    assert _legend_texts(second) == [
        "a: training loss",
        "b: training loss",
        "b: validation loss",
        "b: validation score",
    ]


def test_pipeline(data):
    X, y = data
    pipe = make_pipeline(
        StandardScaler(), TwoLayerClassifier(hidden_size=4, max_iter=3)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(display.line_.get_ydata(), pipe[-1].loss_curve_)


def test_plot_from_recorded_curves():
    display = LossCurveDisplay(
        loss_curve=[0.9, 0.5, 0.4],
        validation_loss_curve=[0.6, 0.55],
        validation_scores=[0.7, 0.8],
    )
    _, ax = plt.subplots()
    assert display.plot(ax=ax) is display
    np.testing.assert_array_equal(display.validation_line_.get_xdata(), [2, 3])
    # No estimator name: no prefix in the legend.
    assert display.line_.get_label() == "training loss"
    # Plotting twice draws afresh and updates the attributes.
    display.plot()
    assert display.ax_ is not ax


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"loss_curve": []}, "loss_curve must be a non-empty"),
        (
            {"loss_curve": [1.0], "validation_loss_curve": [1.0, 0.5]},
            "no longer than loss_curve",
        ),
        ({"loss_curve": [1.0], "validation_scores": []}, "non-empty 1d"),
    ],
)
def test_invalid_curves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LossCurveDisplay(**kwargs).plot()


def test_unfitted_or_foreign_estimator(data):
    X, y = data
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(TwoLayerClassifier())
    with pytest.raises(TypeError, match="loss_curve_"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))


def test_clear_error_without_matplotlib(data, monkeypatch):
    X, y = data
    clf = _fit(X, y)
    # A None entry in sys.modules makes the import raise ImportError, as if
    # matplotlib were not installed.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(
        ImportError, match=r"needs matplotlib.*sklearn-twolayer\[plot\]"
    ):
        LossCurveDisplay.from_estimator(clf)
    with pytest.raises(ImportError, match="needs matplotlib"):
        LossCurveDisplay(loss_curve=[1.0]).plot()


@pytest.mark.slow
def test_package_import_does_not_load_matplotlib():
    code = (
        "import sys, sklearn_twolayer; "
        "sys.exit(int(any(m.startswith('matplotlib') for m in sys.modules)))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
