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
# 200 training rows with 20 features, of which 5 are informative, and 10% of the
# labels flipped at random; 100 hidden units are enough to memorise them all.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_twolayer import LossCurveDisplay, TwoLayerClassifier

X, y = make_classification(
    n_samples=400, n_features=20, n_informative=5, flip_y=0.1, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
params = dict(hidden_size=100, alpha=0.1, momentum=0.9, batch_size=32, random_state=0)

# %%
# Watching without stopping
# -------------------------
# ``X_val``/``y_val`` given without ``early_stopping`` are only monitored: the
# validation loss and accuracy of every epoch are recorded. ``n_iter_no_change``
# as large as ``max_iter`` makes the model train for all 150 epochs; it then warns
# that it has not converged, which is expected here and silenced.
watched = TwoLayerClassifier(max_iter=150, n_iter_no_change=150, **params)
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=".*has not converged", category=ConvergenceWarning
    )
    watched.fit(X_train, y_train, X_val=X_test, y_val=y_test)

# %%
# Stopping early
# --------------
# With ``early_stopping=True`` the model holds out 20% of its training rows,
# stops after ``n_iter_no_change`` epochs without a better validation accuracy,
# and restores the weights of the best epoch.
stopped = TwoLayerClassifier(
    early_stopping=True, validation_fraction=0.2, n_iter_no_change=10, **params
).fit(X_train, y_train)
print(f"stopped after {stopped.n_iter_} epochs")
print(f"best validation accuracy: {stopped.best_validation_score_:.3f}")

# %%
# The curves
# ----------
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
LossCurveDisplay.from_estimator(watched, ax=axes[0], name="150 epochs")
axes[0].set_title("Monitored with X_val, no stopping")
LossCurveDisplay.from_estimator(stopped, ax=axes[1], name="early stopping")
best = stopped.validation_scores_.index(stopped.best_validation_score_) + 1
axes[1].axvline(best, color="gray", linewidth=0.8)
axes[1].set_title(f"early_stopping=True (best epoch: {best})")
plt.show()

# %%
# On the left, the training loss falls towards zero as the network memorises its
# rows, flipped labels included, while the validation loss reaches its lowest point
# within the first few epochs and then climbs. On the right, training stops once
# ``n_iter_no_change`` epochs in a row have not beaten the best validation accuracy
# (gray line), and the weights of that epoch are kept. On the test rows, which the
# second model never saw and the first only watched (they were recorded, never
# trained on):
for name, model in [("150 epochs", watched), ("early stopping", stopped)]:
    print(f"{name:15s} test accuracy {model.score(X_test, y_test):.3f}")
