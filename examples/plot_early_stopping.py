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
# A wide network on small, noisy data
# -----------------------------------
# 400 rows of a noisy two-moons problem and 200 hidden units: enough capacity to
# memorise the training rows.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_twolayer import LossCurveDisplay, TwoLayerClassifier

X, y = make_moons(n_samples=600, noise=0.35, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=200, random_state=0)
params = dict(hidden_size=200, alpha=0.3, batch_size=32, momentum=0.5, random_state=0)

# %%
# Watching without stopping
# -------------------------
# ``X_val``/``y_val`` given without ``early_stopping`` are only monitored: the model
# trains for all ``max_iter`` epochs (and warns that it has not converged, which is
# expected here) and records the validation loss and accuracy of every epoch.
watched = TwoLayerClassifier(max_iter=150, tol=0, **params)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    watched.fit(X_train, y_train, X_val=X_test, y_val=y_test)

# %%
# Stopping early
# --------------
# With ``early_stopping=True`` the model holds out 20% of its training rows,
# stops after ``n_iter_no_change`` epochs without a better validation accuracy,
# and restores the best epoch's weights.
stopped = TwoLayerClassifier(
    early_stopping=True, validation_fraction=0.2, n_iter_no_change=15, **params
).fit(X_train, y_train)
print(f"stopped after {stopped.n_iter_} epochs")
print(f"best validation accuracy: {stopped.best_validation_score_:.3f}")

# %%
# The curves
# ----------
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
LossCurveDisplay.from_estimator(watched, ax=axes[0], name="150 epochs")
axes[0].set_title("Monitored with X_val, no stopping")
display = LossCurveDisplay.from_estimator(stopped, ax=axes[1], name="early stopping")
best = stopped.validation_scores_.index(stopped.best_validation_score_) + 1
axes[1].axvline(best, color="gray", linewidth=0.8)
axes[1].set_title(f"early_stopping=True (best epoch: {best})")
plt.show()

# %%
# On the left, the training loss falls all along, while the validation loss
# reaches its lowest point early and then climbs as the network fits the noise of
# its training rows. On the right, training stops a few epochs after the best
# validation accuracy (gray line), and those weights are kept.
for name, model in [("150 epochs", watched), ("early stopping", stopped)]:
    print(f"{name:15s} test accuracy {model.score(X_test, y_test):.3f}")
