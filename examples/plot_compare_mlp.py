"""
=====================================
Comparison with MLPClassifier
=====================================

scikit-learn's :class:`~sklearn.neural_network.MLPClassifier` with one hidden layer
is the same kind of model as :class:`~sklearn_twolayer.TwoLayerClassifier`. This
example fits both on two shipped data sets and compares test accuracy and fit time:

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
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
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


def median_fit_time(model, X, y, repeats=3):
    """Fit ``repeats`` times; the median resists a busy machine better than one run."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


results = {}
for data_name, (X, y) in datasets.items():
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    for model_name, model in models.items():
        pipe = make_pipeline(StandardScaler(), model)
        with warnings.catch_warnings():
            # A fixed budget of epochs: stopping before it is not the point here.
            warnings.filterwarnings(
                "ignore",
                message=".*(has not|hasn't) converged",
                category=ConvergenceWarning,
            )
            seconds = median_fit_time(pipe, X_train, y_train)
        accuracy = pipe.score(X_test, y_test)
        epochs = pipe[-1].n_iter_
        results[data_name, model_name] = (accuracy, seconds, epochs)
        print(
            f"{data_name:26s} {model_name:31s} accuracy {accuracy:.3f}  "
            f"fit {seconds:.2f} s  epochs {epochs}"
        )

# %%
# Accuracy and fit time
# ---------------------
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
width = 0.25
x = np.arange(len(datasets))
for k, model_name in enumerate(models):
    accuracy = [results[d, model_name][0] for d in datasets]
    seconds = [results[d, model_name][1] for d in datasets]
    axes[0].bar(x + (k - 1) * width, accuracy, width, label=model_name)
    axes[1].bar(x + (k - 1) * width, seconds, width, label=model_name)
for ax, label in zip(axes, ["test accuracy", "fit time (s)"], strict=True):
    ax.set_xticks(x, list(datasets))
    ax.set_ylabel(label)
axes[0].set_ylim(0.8, 1.0)
axes[1].legend(loc="upper right")
plt.show()

# %%
# The three reach similar accuracy on these small, easy data sets. The converted
# ``MLPClassifier`` minimises the same objective with the same update rule, so it
# does the same arithmetic per epoch as ``TwoLayerClassifier``; the two differ in
# their random initial weights and in the overhead of each implementation around
# that arithmetic. Adam adapts a step size per weight, which helps on badly scaled
# problems and costs a few more operations per step. Each estimator may stop
# before the budget when its training loss stops improving (``tol``,
# ``n_iter_no_change``), so the number of epochs it ran, printed above, is part of
# its time. Timings on a busy machine vary from run to run; the benchmarks in
# ``benchmarks/`` measure them more carefully.
