"""
==========================================
Loss curves for several learning rates
==========================================

``alpha`` is the learning rate of :class:`~sklearn_twolayer.TwoLayerClassifier`:
the size of each gradient step. This example trains the same network on the
standardised digits data set with learning rates spread over three orders of
magnitude, draws each training loss curve with
:class:`~sklearn_twolayer.LossCurveDisplay`, and scores each model on rows that it
never saw.
"""

# %%
# Data and models
# ---------------
# A quarter of the rows are held out for testing; the scaler learns the means and
# variances of the training rows only. Every model gets the same initial weights
# (``random_state=0``) and the same budget of 30 epochs, so that only the learning
# rate differs. ``tol=0`` counts every epoch that lowers the loss at all as an
# improvement, so that a model stops early only when its loss has not improved on
# its best for ``n_iter_no_change=10`` epochs. The models that train for all 30
# epochs warn that they have not converged, which is the point here, so that
# warning is silenced; a warning that training diverged is printed.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import LossCurveDisplay, TwoLayerClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

alphas = [0.001, 0.01, 0.1, 1.0, 3.0]
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
models = {}
for alpha in alphas:
    clf = TwoLayerClassifier(
        hidden_size=32, alpha=alpha, batch_size=100, max_iter=30, tol=0, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.filterwarnings(
            "ignore", message=".*has not converged", category=ConvergenceWarning
        )
        clf.fit(X_train, y_train)
    for warning in caught:
        print(f"alpha={alpha}: {warning.message}")
    models[alpha] = clf
    LossCurveDisplay.from_estimator(clf, ax=ax, name=f"alpha={alpha}")
ax.set_yscale("log")
ax.set_title("Training loss of TwoLayerClassifier on digits")
plt.show()

# %%
# Reading the curves
# ------------------
# With ``alpha=0.001`` the loss falls slowly and steadily: each step is too small,
# and 30 epochs are far from enough. From 0.01 to 1 the curves fall faster and
# faster. At 3 the steps overshoot: the loss climbs by orders of magnitude within
# a few epochs, ``fit`` warns that training diverged (printed above), and it stops
# once ten epochs in a row have not beaten its best.
#
# A low training loss is not the goal, though: the accuracy on the held-out rows
# is.
for alpha, clf in models.items():
    print(
        f"alpha={alpha:<6} final training loss {clf.loss_:.4f}   "
        f"held-out accuracy {clf.score(X_test, y_test):.3f}"
    )

# %%
# The held-out accuracy rises with the learning rate up to 0.1. At 1 the training
# loss ends an order of magnitude lower than at 0.1, yet the held-out accuracy is
# no better: what training gains beyond that point fits the training rows, not the
# digits in general. A grid search over ``alpha`` that scores on held-out folds
# (see :ref:`sphx_glr_auto_examples_training_plot_grid_search.py`) sees exactly
# this, and the diverged model at 3, though it still classifies most digits, is
# the one to rule out first.
