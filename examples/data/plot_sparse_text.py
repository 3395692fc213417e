"""
=====================================================
Text-like sparse input and class weights
=====================================================

Documents turned into word counts make wide, sparse matrices: thousands of
columns, of which each row uses a few dozen.
:class:`~sklearn_twolayer.TwoLayerClassifier` trains on such a matrix as it is,
in scipy's sparse format, at a cost that follows its non-zero entries. Text
classes are also often unbalanced; this example shows what
``class_weight="balanced"`` changes for a rare class.
"""

# %%
# A corpus with a rare topic
# --------------------------
# 4,000 generated documents of 20 to 60 words each, about three topics: 75% are
# about sports, 20% about politics and 5% about fraud. Most words of every
# document come from the same background vocabulary of 3,000 words (frequent
# words are frequent in every topic); about one word in eight is a word of the
# document's topic, and the topics share some of those words: fraud uses twenty
# words of politics and ten of its own. The words are tokens such as ``w0042``,
# standing for real ones.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    balanced_accuracy_score,
    classification_report,
)
from sklearn.model_selection import train_test_split

from sklearn_twolayer import TwoLayerClassifier

rng = np.random.default_rng(0)
n_words = 3000
vocabulary = np.array([f"w{i:04d}" for i in range(n_words)])
background = 1 / np.arange(1, n_words + 1) ** 1.1  # Zipf's law
background /= background.sum()
shared = rng.choice(np.arange(200, n_words), size=60, replace=False)
topic_words = {
    "sports": shared[:40],
    "politics": shared[20:60],
    "fraud": np.concatenate(
        [shared[30:50], rng.choice(np.arange(200, n_words), size=10, replace=False)]
    ),
}
topics = list(topic_words)
labels = rng.choice(topics, size=4000, p=[0.75, 0.2, 0.05])
lengths = rng.integers(20, 60, size=len(labels))
n_topic = rng.binomial(lengths, 0.12)
# All the background words at once: one draw is much faster than one per document.
background_words = rng.choice(n_words, size=np.sum(lengths - n_topic), p=background)
ends = np.cumsum(lengths - n_topic)
starts = ends - (lengths - n_topic)
documents = []
for label, k, start, end in zip(labels, n_topic, starts, ends, strict=True):
    words = np.concatenate(
        [background_words[start:end], rng.choice(topic_words[label], size=k)]
    )
    documents.append(" ".join(vocabulary[words]))
print(documents[0][:70], "...")

# %%
# A sparse matrix of TF-IDF features
# ----------------------------------
# :class:`~sklearn.feature_extraction.text.TfidfVectorizer` gives a CSR matrix
# whose rows have unit norm, so its features need no further scaling (were they
# raw counts, a :class:`~sklearn.preprocessing.MaxAbsScaler` would scale them
# without making the zeros non-zero).
docs_train, docs_test, y_train, y_test = train_test_split(
    documents, labels, test_size=0.3, stratify=labels, random_state=0
)
vectorizer = TfidfVectorizer(sublinear_tf=True)
X_train = vectorizer.fit_transform(docs_train)
X_test = vectorizer.transform(docs_test)
density = X_train.nnz / np.prod(X_train.shape)
print(
    f"X_train: {X_train.shape[0]} rows x {X_train.shape[1]} columns, "
    f"{type(X_train).__name__}, {density:.1%} non-zero"
)
for topic in topics:
    print(f"{topic:9s} {np.sum(y_train == topic):5d} training documents")

# %%
# Without and with class weights
# ------------------------------
# Both models have 32 hidden units, a learning rate of 0.5 (the features are
# small, each row having unit norm) and a light L2 penalty, ``l2=0.3``, against
# overfitting 2,800 documents with 3,000 features. The only difference is
# ``class_weight``: with ``"balanced"``, each fraud document weighs
# :math:`n / (3 n_\text{fraud})`, about 7, and each sports document about 0.44,
# so that the three topics weigh the same in the loss.
models = {}
for class_weight in [None, "balanced"]:
    clf = TwoLayerClassifier(
        hidden_size=32,
        alpha=0.5,
        l2=0.3,
        max_iter=300,
        class_weight=class_weight,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X_train, y_train)
    models[class_weight] = clf
    print(f"class_weight={class_weight}: {clf.n_iter_} epochs")
    print(classification_report(y_test, clf.predict(X_test), digits=3))
print("W1_:", clf.W1_.shape, clf.W1_.dtype)

# %%
# The confusion matrices
# ----------------------
# Each row of a matrix is a true topic and sums to one: the diagonal holds each
# topic's recall.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
for ax, (class_weight, clf) in zip(axes, models.items(), strict=True):
    predicted = clf.predict(X_test)
    ConfusionMatrixDisplay.from_predictions(
        y_test,
        predicted,
        labels=topics,
        normalize="true",
        values_format=".2f",
        cmap="Blues",
        im_kw=dict(vmin=0, vmax=1),
        colorbar=False,
        ax=ax,
    )
    ax.set_title(
        f"class_weight={class_weight!r}\nbalanced accuracy "
        f"{balanced_accuracy_score(y_test, predicted):.3f}"
    )
plt.show()

# %%
# Without weights, the model is right about almost every sports document and misses a
# large share of the fraud: predicting "sports" or "politics" for a document that shares
# their words costs little when fraud is one document in twenty. Balanced weights, about
# 7 for a fraud document and 0.44 for a sports one, raise fraud's recall clearly, at the
# price of a few more documents taken for fraud: fraud's precision falls a little, and
# the recall of sports barely moves. Politics, weighted about 1.6, gains recall too.
# Which of the two models is better depends on what a missed case costs;
# ``class_weight`` can also be a dict ``{label: weight}`` that says so directly.
#
# Training never made the matrix dense: ``W1_`` has one column per word, and
# each mini-batch multiplies only the non-zero entries of its rows.
