"""
=====================================
Multilabel classification
=====================================

In a multilabel problem each row may carry any number of labels at once: a
document about several topics, an image with several objects. Given an indicator
matrix ``Y`` (one column per label, 1 where the row has the label),
:class:`~sklearn_twolayer.TwoLayerClassifier` has one sigmoid output unit per
label, each trained with the article's binary cross-entropy, all sharing one
hidden layer. Its ``predict_proba`` returns independent probabilities, one per
label, which need not sum to one.
"""

# %%
# Data
# ----
# 2,000 rows of 20 features and 5 labels, about two labels a row.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, hamming_loss
from sklearn.model_selection import train_test_split
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

X, Y = make_multilabel_classification(
    n_samples=2000, n_features=20, n_classes=5, n_labels=2, random_state=0
)
X_train, X_test, Y_train, Y_test = train_test_split(
    X, Y, test_size=0.25, random_state=0
)
print("labels per row:", np.bincount(Y.sum(axis=1)))
print("rows with each label:", Y.sum(axis=0))

# %%
# A network and a linear baseline
# -------------------------------
# The network has 32 hidden units and stops early, on a fifth of its training
# rows held out, as the :ref:`user guide <early-stopping>` recommends; for a
# multilabel target the validation score is the share of rows whose labels are
# all right. The baseline fits one logistic regression per label.
network = make_pipeline(
    StandardScaler(),
    TwoLayerClassifier(
        hidden_size=32,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=20,
        random_state=0,
    ),
).fit(X_train, Y_train)
linear = make_pipeline(
    StandardScaler(), MultiOutputClassifier(LogisticRegression())
).fit(X_train, Y_train)
clf = network[-1]
print(
    f"network: {clf.n_outputs_} output units, {clf.out_activation_!r}, "
    f"{clf.n_iter_} epochs"
)

for name, model in [("network", network), ("logistic regressions", linear)]:
    predicted = model.predict(X_test)
    print(
        f"{name:21s} Hamming loss {hamming_loss(Y_test, predicted):.3f}   "
        f"rows entirely right {np.mean(np.all(predicted == Y_test, axis=1)):.3f}"
    )

# %%
# The network's probabilities are independent: ``predict`` sets each label
# whose probability exceeds 0.5, and a row's probabilities need not add up to
# one: more on a row with several labels, less on a row with none.
proba = network.predict_proba(X_test)
print(np.round(proba[:3], 2))
print("labels of these rows:\n", Y_test[:3])

# %%
# Per-label scores and probability sums
# -------------------------------------
f1 = {
    name: f1_score(Y_test, model.predict(X_test), average=None)
    for name, model in [("TwoLayerClassifier", network), ("LogisticRegression", linear)]
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4.3), layout="constrained")
labels = np.arange(Y.shape[1])
for k, (name, scores) in enumerate(f1.items()):
    axes[0].bar(labels + (k - 0.5) * 0.38, scores, 0.38, label=name)
axes[0].set_xticks(labels, [f"label {j}" for j in labels])
axes[0].set_ylabel("F1 score on the test rows")
axes[0].set_ylim(0, 1.15)
axes[0].legend(loc="upper center", ncols=2)
axes[0].set_title("Each label, network against linear")

counts = Y_test.sum(axis=1)
groups = [proba.sum(axis=1)[counts == c] for c in np.unique(counts)]
axes[1].boxplot(groups, positions=np.unique(counts))
axes[1].plot(np.unique(counts), np.unique(counts), "o--", color="gray", label="y = x")
axes[1].set_xlabel("number of labels of the row")
axes[1].set_ylabel("sum of the row's predict_proba")
axes[1].legend(loc="upper left")
axes[1].set_title("Probabilities are per label, not a distribution")
plt.show()

# %%
# On the left, the network scores better than one logistic regression per label
# on most labels, and about as well on the others: the labels of this data set
# depend on the features in ways that a linear model misses, and the hidden
# layer, shared by the five output units, learns features that serve them all.
# On the right, the sum of a row's probabilities grows with the number of labels
# the row has, far from the constant one of a softmax; it grows less steeply than
# the number of labels, since the model is unsure of many labels and gives them
# probabilities in between. ``class_weight`` does not apply to multilabel
# targets (a warning says so if it is given); weigh rows with ``sample_weight``
# instead.
