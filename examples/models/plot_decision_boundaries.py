"""
=============================================
Decision boundaries of the four activations
=============================================

The hidden activation ``g`` decides which shapes the network can draw between
classes. This example fits a :class:`~sklearn_twolayer.TwoLayerClassifier` with each
activation on two data sets that no straight line separates, two interleaved half
moons and two concentric circles, and shades the predicted probability of the
second class.
"""

# %%
# Settings
# --------
# Every model has the same settings, chosen for 210 training rows of two
# features and changed from the defaults as follows:
#
# * ``hidden_size=20``: two features need few hidden units; the default 100 would
#   draw the same boundaries, more slowly;
# * ``batch_size=32``: the default 200 would make one step of almost all the rows
#   per epoch; batches of 32 make seven steps an epoch;
# * ``alpha=0.5`` and ``momentum=0.5``: larger steps than the defaults, so that the
#   slow learners (the logistic activation) converge within the budget; with
#   momentum 0.5 a step grows to at most twice ``alpha`` times the gradient;
# * ``max_iter=500``: a budget that every model here meets, so that each stops by
#   the default rule (``tol``, ``n_iter_no_change``) and none warns.
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles, make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

settings = dict(
    hidden_size=20, alpha=0.5, batch_size=32, max_iter=500, momentum=0.5, random_state=0
)
datasets = {
    "moons": make_moons(n_samples=300, noise=0.25, random_state=0),
    "circles": make_circles(n_samples=300, noise=0.1, factor=0.4, random_state=0),
}
activations = ["identity", "logistic", "tanh", "relu"]

# %%
# The boundaries
# --------------
fig, axes = plt.subplots(
    len(datasets), len(activations), figsize=(13, 6.6), layout="constrained"
)
for row, (name, (X, y)) in zip(axes, datasets.items(), strict=True):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0
    )
    for ax, activation in zip(row, activations, strict=True):
        model = make_pipeline(
            StandardScaler(), TwoLayerClassifier(activation=activation, **settings)
        ).fit(X_train, y_train)
        display = DecisionBoundaryDisplay.from_estimator(
            model,
            X,
            response_method="predict_proba",
            plot_method="pcolormesh",
            cmap="RdBu",
            vmin=0,
            vmax=1,
            alpha=0.8,
            ax=ax,
            grid_resolution=100,
        )
        ax.scatter(*X_test.T, c=y_test, cmap="RdBu", edgecolors="k", s=18)
        ax.set_title(
            f"{name}, {activation}\naccuracy {model.score(X_test, y_test):.2f}, "
            f"{model[-1].n_iter_} epochs",
            fontsize=10,
        )
        ax.set_xticks(())
        ax.set_yticks(())
        ax.set_xlabel("")
        ax.set_ylabel("")
fig.colorbar(
    display.surface_,
    ax=axes,
    shrink=0.8,
    label="predicted probability of class 1 (blue)",
)
plt.show()

# %%
# Each title gives the accuracy on the held-out points (drawn with black edges)
# and the number of epochs the model trained before it stopped. With
# ``"identity"`` the whole network is linear in ``x``, whatever its width, so its
# boundary is a straight line: it separates the bulk of the two moons but not
# their tips, and does no better than chance on the circles, where it learns
# to predict about one half everywhere. Each of the three nonlinear activations
# bends the boundary: ``"logistic"`` and ``"tanh"`` give smooth curves,
# ``"relu"`` a polygon with a corner wherever a hidden unit switches on or off.
# Compare the epochs: the logistic activation, whose slope is at most 1/4, passes
# small gradients to the hidden layer and needs the most epochs to converge.
