"""
============================================================
Searching the learning rate and the hidden layer together
============================================================

``alpha`` (the learning rate) and ``hidden_size`` interact: a wider layer has more
weights to move, and the best step for a fixed number of epochs depends on it. This
example runs a :class:`~sklearn.model_selection.GridSearchCV` over both on the digits
data set, with a small budget of 15 epochs, and shows the cross-validated accuracy
as a heat map.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    TwoLayerClassifier(batch_size=100, max_iter=15, random_state=0),
)
alphas = [0.001, 0.01, 0.1, 1.0, 10.0]
sizes = [4, 16, 64, 256]
param_grid = {
    "twolayerclassifier__alpha": alphas,
    "twolayerclassifier__hidden_size": sizes,
}
search = GridSearchCV(
    pipe, param_grid, cv=StratifiedKFold(3, shuffle=True, random_state=0)
)
# Fifteen epochs are too few for the small learning rates to converge, on purpose;
# those warnings are silenced. Warnings that training failed (ended no better than
# predicting the class priors) are kept and counted below.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ConvergenceWarning)
    warnings.filterwarnings(
        "ignore", message=".*has not converged", category=ConvergenceWarning
    )
    search.fit(X, y)
failed = [w for w in caught if str(w.message).startswith("Training failed")]
print(f"{len(failed)} of {len(search.cv_results_['params']) * 3} fits failed")
print("best parameters:", search.best_params_)
print(f"best cross-validated accuracy: {search.best_score_:.3f}")

# %%
# The heat map
# ------------
scores = np.empty((len(sizes), len(alphas)))
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    i = sizes.index(params["twolayerclassifier__hidden_size"])
    j = alphas.index(params["twolayerclassifier__alpha"])
    scores[i, j] = score

fig, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
image = ax.imshow(scores, cmap="viridis", vmin=0, vmax=1, origin="lower")
ax.set_xticks(range(len(alphas)), [str(a) for a in alphas])
ax.set_yticks(range(len(sizes)), [str(s) for s in sizes])
ax.set_xlabel("alpha (learning rate)")
ax.set_ylabel("hidden_size")
for i in range(len(sizes)):
    for j in range(len(alphas)):
        ax.text(
            j,
            i,
            f"{scores[i, j]:.2f}",
            ha="center",
            va="center",
            color="white" if scores[i, j] < 0.6 else "black",
        )
fig.colorbar(image, ax=ax, label="mean cross-validated accuracy")
ax.set_title("GridSearchCV over alpha x hidden_size (15 epochs)")
plt.show()

# %%
# Reading the map from left to right: with a learning rate of 0.001, fifteen epochs
# leave every network close to its random start, and its score says more about its
# random initial weights than about its width: 4 units score above 16 there. From 0.01
# to 1, accuracy rises with the learning rate, and a wider layer scores at least as
# well as a narrower one at each rate; the gain from width is largest at 0.01 and
# small at 0.1 and 1, where 64 and 256 units are within about a percent of each other.
# At 10 the steps overshoot and every fit diverges (the estimator warns about each),
# whatever the width; a layer of 4 units is too narrow for ten classes at every rate.
#
# The estimator behaves like any other in the search: its parameters are reached
# through the pipeline with the ``twolayerclassifier__`` prefix, and the refitted
# best model is ``search.best_estimator_``.
