"""
===================================================
Early stopping with training and validation curves
===================================================

A network trained for too long fits the noise of its training rows: the training
loss keeps falling while the loss on new data turns back up. With
``early_stopping=True``, :class:`~sklearn_twolayer.TwoLayerClassifier` watches the
accuracy on held-out rows after every epoch, stops when it no longer improves, and
keeps the weights of its best epoch. This example shows the curves it records and
draws them with :class:`~sklearn_twolayer.LossCurveDisplay`.
"""

# %%
# A wide network on noisy data
# ----------------------------
# 2,000 rows with 20 features, of which 5 are informative, and 15% of the labels
# flipped at random; 1,500 rows train, 500 test. 100 hidden units can memorise
# the training rows, flipped labels included.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import LossCurveDisplay, TwoLayerClassifier

X, y = make_classification(
    n_samples=2000, n_features=20, n_informative=5, flip_y=0.15, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=500, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
params = dict(hidden_size=100, alpha=0.1, batch_size=32, random_state=0)

# %%
# Watching without stopping
# -------------------------
# ``X_val``/``y_val`` given without ``early_stopping`` are only monitored: the
# validation loss and accuracy of every epoch are recorded. ``n_iter_no_change``
# as large as ``max_iter`` makes the model train for all 100 epochs; it then warns
# that it has not converged, which is expected here and silenced.
watched = TwoLayerClassifier(max_iter=100, n_iter_no_change=100, **params)
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=".*has not converged", category=ConvergenceWarning
    )
    watched.fit(X_train, y_train, X_val=X_test, y_val=y_test)

# %%
# Stopping early
# --------------
# Validation accuracy is noisy: on a hold-out of :math:`n` rows it moves in steps
# of :math:`1/n`, and from one epoch to the next it goes up and down by a few
# rows even when the model is no longer learning anything. To choose an epoch by
# signal rather than by that noise, the settings are those the
# :ref:`user guide <early-stopping>` recommends:
#
# * ``validation_fraction=0.2``: 300 of the 1,500 training rows are held out, so
#   that one row is a third of a percent of accuracy (the default 0.1 would hold
#   out 150);
# * ``n_iter_no_change=20``: training stops only after twenty epochs in a row
#   without a better validation accuracy, long enough to see past a few lucky or
#   unlucky epochs.
stopped = TwoLayerClassifier(
    early_stopping=True, validation_fraction=0.2, n_iter_no_change=20, **params
).fit(X_train, y_train)
best = stopped.validation_scores_.index(stopped.best_validation_score_) + 1
print(f"stopped after {stopped.n_iter_} epochs, keeping the weights of epoch {best}")
print(f"best validation accuracy: {stopped.best_validation_score_:.3f}")

# %%
# The curves
# ----------
# Both panels share their axes: loss on the left axis, validation accuracy on the
# right one. One legend below the panels serves both and covers no curve.
fig, axes = plt.subplots(
    1, 2, figsize=(12, 4.8), sharex=True, sharey=True, layout="constrained"
)
for ax, model, title in [
    (axes[0], watched, "Monitored with X_val, no stopping"),
    (axes[1], stopped, f"early_stopping=True (best epoch: {best})"),
]:
    display = LossCurveDisplay.from_estimator(model, ax=ax)
    display.score_ax_.set_ylim(0.6, 1.0)
    display.score_ax_.get_legend().remove()
    ax.set_title(title)
axes[1].axvline(best, color="gray", linewidth=0.8)
fig.legend(
    display.lines_,
    ["training loss", "validation loss", "validation accuracy (right axis)"],
    loc="outside lower center",
    ncols=3,
)
plt.show()

# %%
# On the left, the training loss falls steadily as the network memorises its rows,
# flipped labels included, while the validation loss reaches its lowest point within
# the first ten epochs or so and then climbs, and the validation accuracy drifts down.
# On the right, training stops once ``n_iter_no_change`` epochs in a row have not
# beaten the best validation accuracy (gray line), and the weights of that epoch are
# kept. On the test rows, which the second model never saw and the first only watched
# (they were recorded, never trained on):
for name, model in [("100 epochs", watched), ("early stopping", stopped)]:
    print(f"{name:15s} test accuracy {model.score(X_test, y_test):.3f}")
