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
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles, make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

datasets = {
    "moons": make_moons(n_samples=300, noise=0.25, random_state=0),
    "circles": make_circles(n_samples=300, noise=0.1, factor=0.4, random_state=0),
}
activations = ["identity", "logistic", "tanh", "relu"]

fig, axes = plt.subplots(
    len(datasets), len(activations), figsize=(12, 6.2), layout="constrained"
)
for row, (name, (X, y)) in zip(axes, datasets.items(), strict=True):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0
    )
    for ax, activation in zip(row, activations, strict=True):
        model = make_pipeline(
            StandardScaler(),
            TwoLayerClassifier(
                hidden_size=20,
                activation=activation,
                alpha=0.5,
                batch_size=32,
                max_iter=500,
                momentum=0.5,
                random_state=0,
            ),
        ).fit(X_train, y_train)
        DecisionBoundaryDisplay.from_estimator(
            model,
            X,
            response_method="predict_proba",
            cmap="RdBu",
            alpha=0.7,
            ax=ax,
            grid_resolution=100,
        )
        ax.scatter(*X_test.T, c=y_test, cmap="RdBu", edgecolors="k", s=18)
        ax.set_title(f"{name}, {activation}: {model.score(X_test, y_test):.2f}")
        ax.set_xticks(())
        ax.set_yticks(())
        ax.set_xlabel("")
        ax.set_ylabel("")
plt.show()

# %%
# The titles give the accuracy on held-out points (drawn with black edges). With
# ``"identity"`` the whole network is linear in ``x``, whatever its width, so its
# boundary is a straight line: it separates the bulk of the two moons but not their
# tips, and does no better than chance on the circles (its fit warns that it ended no
# better than predicting the class priors). Each of the three nonlinear
# activations bends the boundary: ``"logistic"`` and ``"tanh"`` give smooth curves,
# ``"relu"`` a polygon with a corner wherever a hidden unit switches on or off.
# The logistic activation needs the most epochs: its slope is at most 1/4, so the
# gradients that reach the hidden layer are small.
