"""
==========================================
Loss curves for several learning rates
==========================================

``alpha`` is the learning rate of :class:`~sklearn_twolayer.TwoLayerClassifier`:
the size of each gradient step. This example trains the same network on the
standardised digits data set with learning rates spread over three orders of
magnitude, and draws each training loss curve with
:class:`~sklearn_twolayer.LossCurveDisplay`.
"""

# %%
# Data and models
# ---------------
# Every model gets the same initial weights (``random_state=0``) and the same
# budget of 30 epochs, so that only the learning rate differs. The budget is too
# short for the smallest rates on purpose, and ``fit`` would warn that they have not
# converged: the warning is silenced, since showing that is the point.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import LossCurveDisplay, TwoLayerClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

alphas = [0.001, 0.01, 0.1, 1.0, 3.0]
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
models = {}
for alpha in alphas:
    clf = TwoLayerClassifier(
        hidden_size=32, alpha=alpha, batch_size=100, max_iter=30, tol=0, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
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
# faster. At 3 the steps overshoot: the loss jumps up and down and ends higher
# than with 1. A learning rate near the fastest stable one, here between 0.1 and 1,
# is what a grid search over ``alpha`` usually selects.
for alpha, clf in models.items():
    print(
        f"alpha={alpha:<6} final loss {clf.loss_:.4f}   "
        f"training accuracy {clf.score(X, y):.3f}"
    )
