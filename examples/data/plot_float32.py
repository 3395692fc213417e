"""
=====================================
Training in float32
=====================================

:class:`~sklearn_twolayer.TwoLayerClassifier` trains in the floating dtype of its
input: float32 ``X`` gives float32 weights, and every array of training is
float32 too. This example trains the same model on the same data in float64 and
in float32, and compares their memory, time, loss curves and predictions.
"""

# %%
# The same data in two dtypes
# ---------------------------
# 20,000 rows of 100 features, five classes. The scaler keeps float32 data in
# float32, so the pipeline trains in the dtype of the data it gets.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

X, y = make_classification(
    n_samples=20_000,
    n_features=100,
    n_informative=30,
    n_classes=5,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# Two fits
# --------
# Identical settings, a budget of 20 epochs (the warning that the budget ends
# before convergence is silenced), and the same ``random_state``: both start from
# the same weights, up to float32's rounding, and visit the rows in the same order.
models, seconds = {}, {}
for dtype in [np.float64, np.float32]:
    model = make_pipeline(
        StandardScaler(),
        TwoLayerClassifier(hidden_size=128, max_iter=20, random_state=0),
    )
    X_dtype = X_train.astype(dtype)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*has not converged", category=ConvergenceWarning
        )
        model.fit(X_dtype, y_train)
    seconds[dtype] = time.perf_counter() - start
    models[dtype] = model

for dtype, model in models.items():
    clf = model[-1]
    print(
        f"{dtype.__name__}: X_train {X_train.astype(dtype).nbytes / 2**20:.1f} MiB, "
        f"W1_ {clf.W1_.dtype} {clf.W1_.nbytes / 2**10:.0f} KiB, "
        f"fit {seconds[dtype]:.2f} s, "
        f"test accuracy {model.score(X_test.astype(dtype), y_test):.4f}"
    )

proba = {
    dtype: model.predict_proba(X_test.astype(dtype)) for dtype, model in models.items()
}
difference = np.abs(proba[np.float32] - proba[np.float64])
same = np.mean(
    models[np.float32].predict(X_test.astype(np.float32))
    == models[np.float64].predict(X_test)
)
print(f"largest difference of a predicted probability: {difference.max():.1e}")
print(f"test rows given the same label by both: {same:.2%}")

# %%
# Loss curves and predicted probabilities
# ---------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(11, 4.3), layout="constrained")
for dtype, style in [(np.float64, "-"), (np.float32, "--")]:
    curve = models[dtype][-1].loss_curve_
    axes[0].plot(
        np.arange(1, len(curve) + 1), curve, style, label=f"{dtype.__name__} fit"
    )
axes[0].set_xlabel("Epoch")
axes[0].set_ylabel("Training loss")
axes[0].set_yscale("log")
axes[0].legend()
axes[0].set_title("Training loss per epoch")
axes[1].scatter(proba[np.float64].ravel(), proba[np.float32].ravel(), s=2, alpha=0.3)
axes[1].plot([0, 1], [0, 1], color="black", linewidth=0.8)
axes[1].set_xlabel("predict_proba of the float64 model")
axes[1].set_ylabel("predict_proba of the float32 model")
axes[1].set_title("Every test probability, both models")
plt.show()

# %%
# The two loss curves lie on top of each other, and every predicted probability
# sits near the diagonal: the rounding of float32, about :math:`10^{-7}` of each
# number, is small against the noise of mini-batch gradient descent, so that the
# two models are practically the same. Their weights differ slightly, and the
# differences grow over the epochs as any perturbation of gradient descent does,
# so a few test rows near the decision boundary may get a different label. For
# half the memory (of ``X``, the weights and every work array), float32 is worth
# it whenever ``X`` is large; how much time it saves depends on the BLAS library
# and on the shapes (the times above are from the machine that built this page).
# Keep float64 for finite-difference gradient checks, which need its precision.
