"""
=====================================
Comparison with MLPClassifier
=====================================

scikit-learn's :class:`~sklearn.neural_network.MLPClassifier` with one hidden layer
is the same kind of model as :class:`~sklearn_twolayer.TwoLayerClassifier`. This
example fits three models on two data sets shipped with scikit-learn, on five
random train/test splits of each, and compares their test accuracy and fit time:

* ``TwoLayerClassifier`` with its defaults (plain gradient descent, ``alpha=0.1``);
* ``MLPClassifier`` with its defaults (the Adam optimiser, ``learning_rate_init=1e-3``);
* ``MLPClassifier`` converted from the first one, as the
  :ref:`user guide <from-mlp>` explains: ``solver="sgd"``, its
  ``learning_rate_init`` is our ``alpha``, its ``alpha`` is our ``l2``, and no
  momentum.

All three have 100 hidden units and get the same budget of 50 epochs.
"""

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

models = {
    "TwoLayerClassifier": TwoLayerClassifier(
        hidden_size=100, alpha=0.1, max_iter=50, random_state=0
    ),
    "MLPClassifier (adam)": MLPClassifier(
        hidden_layer_sizes=(100,), max_iter=50, random_state=0
    ),
    "MLPClassifier (sgd, converted)": MLPClassifier(
        hidden_layer_sizes=(100,),
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=0.1,  # our alpha
        alpha=0.0,  # our l2
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=50,
        random_state=0,
    ),
}
datasets = {
    "digits (10 classes)": load_digits(return_X_y=True),
    "breast cancer (2 classes)": load_breast_cancer(return_X_y=True),
}
N_SPLITS = 5

# %%
# Five splits of each data set
# ----------------------------
# Each split holds out a stratified quarter of the rows. On one split, a
# difference of a few test rows between two models says little: the digits'
# test set has 450 rows, the breast cancer's 143, so one row is 0.2% and 0.7% of
# accuracy. The spread over five splits shows how much of a difference is noise.
results = {}
for data_name, (X, y) in datasets.items():
    splits = StratifiedShuffleSplit(N_SPLITS, test_size=0.25, random_state=0)
    for model_name, model in models.items():
        accuracy, seconds = [], []
        for train, test in splits.split(X, y):
            pipe = make_pipeline(StandardScaler(), clone(model))
            start = time.perf_counter()
            with warnings.catch_warnings():
                # A fixed budget of epochs: stopping before it is not the point.
                warnings.filterwarnings(
                    "ignore",
                    message=".*(has not|hasn't) converged",
                    category=ConvergenceWarning,
                )
                pipe.fit(X[train], y[train])
            seconds.append(time.perf_counter() - start)
            accuracy.append(pipe.score(X[test], y[test]))
        results[data_name, model_name] = (np.array(accuracy), np.array(seconds))
        print(
            f"{data_name:26s} {model_name:31s} "
            f"accuracy {np.mean(accuracy):.3f} ± {np.std(accuracy):.3f}   "
            f"fit {np.median(seconds):.2f} s (median)"
        )

# %%
# Accuracy and fit time
# ---------------------
# On the left, each small dot is one split and the large marker with its error
# bar the mean and standard deviation over the five. The accuracy axis spans 0.9
# to 1, a range in which the error bars stay visible; read differences against
# them rather than against the axis. On the right, bars show the mean fit time
# and its standard deviation, from zero.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
width = 0.26
x = np.arange(len(datasets))
for k, model_name in enumerate(models):
    offset = x + (k - 1) * width
    colour = f"C{k}"
    accuracy = [results[d, model_name][0] for d in datasets]
    seconds = [results[d, model_name][1] for d in datasets]
    for position, values in zip(offset, accuracy, strict=True):
        axes[0].scatter(
            np.full(len(values), position), values, s=12, color=colour, alpha=0.5
        )
    axes[0].errorbar(
        offset,
        [v.mean() for v in accuracy],
        yerr=[v.std() for v in accuracy],
        fmt="o",
        markersize=8,
        capsize=5,
        color=colour,
        label=model_name,
    )
    axes[1].bar(
        offset,
        [v.mean() for v in seconds],
        width,
        yerr=[v.std() for v in seconds],
        capsize=4,
        color=colour,
    )
for ax, label in zip(axes, ["test accuracy", "fit time (s)"], strict=True):
    ax.set_xticks(x, list(datasets))
    ax.set_ylabel(label)
axes[0].set_ylim(0.9, 1.0)
axes[0].set_xlim(-0.5, len(datasets) - 0.5)
axes[0].grid(axis="y", alpha=0.3)
fig.legend(loc="outside upper center", ncols=3)
plt.show()

# %%
# On these small, easy data sets the three reach accuracies within about one
# standard deviation of each other; the differences between models are of the
# size of the differences between splits. The converted ``MLPClassifier``
# minimises the same objective with the same update rule, so it does the same
# arithmetic per epoch as ``TwoLayerClassifier``; the two differ in their random
# initial weights and in the overhead of each implementation around that
# arithmetic. Adam adapts a step size per weight, which helps on badly scaled
# problems and costs a few more operations per step. Each model may stop before
# its budget of 50 epochs when its training loss stops improving (``tol``,
# ``n_iter_no_change``), which shortens its fit time. Timings on a busy machine
# vary from run to run; the :doc:`benchmarks <../../benchmarks>` page measures
# them more carefully.
