"""
=======================================================
Training on data that does not fit in memory
=======================================================

A recipe for training :class:`~sklearn_twolayer.TwoLayerClassifier` on a data set
kept on disk, reading it a chunk of rows at a time:

1. the rows live in a ``.npy`` file opened as a memory map, so only the chunk being
   read is in memory (a generator over files or a database cursor works the same
   way);
2. a first pass fits a :class:`~sklearn.preprocessing.StandardScaler` chunk by
   chunk with ``partial_fit``;
3. each training epoch visits the chunks in a new random order and calls
   ``partial_fit`` once per chunk; the estimator shuffles the rows inside the chunk
   and makes one gradient step per mini-batch of ``batch_size`` rows.

The script writes a generated data set (40 features, 5 classes) to a temporary
directory, which it deletes at the end, trains on it out of core, and compares the
held-out accuracy with an in-memory fit on the same rows. Built into this page, it
uses 20,000 rows; run it from a terminal for more, for example::

    python examples/data/plot_out_of_core.py --rows 1000000 --chunk-rows 10000

Peak memory is about one chunk of float64 rows plus the network, whatever
``--rows`` is (the in-memory comparison, which loads everything, can be skipped
with ``--no-compare``). :doc:`../../scaling` explains each step.
"""

# %%
# Settings
# --------
# The command-line options, with the small defaults used for this page.
import argparse
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

N_FEATURES = 40
N_CLASSES = 5

parser = argparse.ArgumentParser(
    description="Train TwoLayerClassifier on a data set read from disk in chunks."
)
parser.add_argument("--rows", type=int, default=20_000)
parser.add_argument("--chunk-rows", type=int, default=2_000)
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument(
    "--no-compare",
    action="store_true",
    help="skip the in-memory fit, which loads all rows",
)
args = parser.parse_args()
model_params = dict(hidden_size=64, alpha=0.05, batch_size=200, random_state=0)


# %%
# Writing the data set to disk
# ----------------------------
# Each class is a mixture of two Gaussian clusters with correlated features; the
# features have different offsets and scales, as raw measurements often do.
# ``np.lib.format.open_memmap`` writes a ``.npy`` file chunk by chunk, never
# holding all rows in memory.
def write_dataset(directory, n_rows, chunk_rows, seed=0):
    """Write X.npy and y.npy chunk by chunk and return their paths."""
    setup = np.random.default_rng(seed)
    centres = setup.normal(scale=0.3, size=(N_CLASSES, 2, N_FEATURES))
    mixing = setup.normal(size=(N_FEATURES, N_FEATURES)) / np.sqrt(N_FEATURES)
    offsets = setup.uniform(-50, 50, size=N_FEATURES)
    scales = setup.uniform(0.1, 20, size=N_FEATURES)

    X_path, y_path = directory / "X.npy", directory / "y.npy"
    X_file = np.lib.format.open_memmap(
        X_path, mode="w+", dtype=np.float64, shape=(n_rows, N_FEATURES)
    )
    y_file = np.lib.format.open_memmap(
        y_path, mode="w+", dtype=np.int64, shape=(n_rows,)
    )
    for start in range(0, n_rows, chunk_rows):
        stop = min(start + chunk_rows, n_rows)
        rng = np.random.default_rng([seed, start])
        y = rng.integers(N_CLASSES, size=stop - start)
        cluster = rng.integers(2, size=stop - start)
        noise = rng.normal(size=(stop - start, N_FEATURES)) @ mixing
        X_file[start:stop] = (centres[y, cluster] + noise) * scales + offsets
        y_file[start:stop] = y
    X_file.flush()
    y_file.flush()
    del X_file, y_file  # close the memory maps
    return X_path, y_path


directory = tempfile.TemporaryDirectory()
X_path, y_path = write_dataset(Path(directory.name), args.rows, args.chunk_rows)
print(
    f"{args.rows} rows x {N_FEATURES} features on disk "
    f"({X_path.stat().st_size / 2**20:.1f} MiB), read in chunks of "
    f"{args.chunk_rows} rows ({args.chunk_rows * N_FEATURES * 8 / 2**20:.2f} MiB)"
)


# %%
# Reading it back a chunk at a time
# ---------------------------------
# ``np.load(..., mmap_mode="r")`` maps the file without reading it; slicing a
# chunk and passing it to ``np.asarray`` reads just those rows. The last tenth of
# the rows is held out for testing.
def iter_chunks(rows, rng=None):
    """Yield (X_chunk, y_chunk) over a range of rows, in random order with rng."""
    X = np.load(X_path, mmap_mode="r")
    y = np.load(y_path, mmap_mode="r")
    starts = np.arange(rows.start, rows.stop, args.chunk_rows)
    if rng is not None:
        starts = rng.permutation(starts)
    for start in starts:
        stop = min(start + args.chunk_rows, rows.stop)
        yield np.asarray(X[start:stop]), np.asarray(y[start:stop])


def accuracy(model, scaler, chunks):
    """Accuracy over chunks, without loading them all at once."""
    correct = total = 0
    for X_chunk, y_chunk in chunks:
        correct += int((model.predict(scaler.transform(X_chunk)) == y_chunk).sum())
        total += len(y_chunk)
    return correct / total


n_test = args.rows // 10
train_rows = range(0, args.rows - n_test)
test_rows = range(args.rows - n_test, args.rows)

# %%
# Scaling in a first pass
# -----------------------
scaler = StandardScaler()
for X_chunk, _ in iter_chunks(train_rows):
    scaler.partial_fit(X_chunk)

# %%
# Training epochs
# ---------------
# Every label must be announced on the first ``partial_fit`` call, since the
# first chunk may not contain them all.
classes = np.arange(N_CLASSES)
model = TwoLayerClassifier(**model_params)
rng = np.random.default_rng(0)
start = time.perf_counter()
scores = []
for epoch in range(args.epochs):
    for X_chunk, y_chunk in iter_chunks(train_rows, rng):
        model.partial_fit(scaler.transform(X_chunk), y_chunk, classes=classes)
    scores.append(accuracy(model, scaler, iter_chunks(test_rows)))
    print(
        f"epoch {epoch + 1:>2}: held-out accuracy {scores[-1]:.4f}, "
        f"{time.perf_counter() - start:.1f} s"
    )

# %%
# Against a fit in memory
# -----------------------
# For comparison only: the same model trained by ``fit`` with all training rows
# in memory, for the same number of epochs, recording its held-out accuracy
# after each epoch (``X_val``/``y_val`` are only watched, never trained on).
if not args.no_compare:
    X_all = np.load(X_path)
    y_all = np.load(y_path)
    X_train = scaler.transform(X_all[train_rows.start : train_rows.stop])
    X_test = scaler.transform(X_all[test_rows.start : test_rows.stop])
    in_memory = TwoLayerClassifier(max_iter=args.epochs, **model_params)
    with warnings.catch_warnings():
        # A fixed number of epochs, as above; not a sign of trouble here.
        warnings.filterwarnings(
            "ignore", message=".*has not converged", category=ConvergenceWarning
        )
        in_memory.fit(
            X_train,
            y_all[train_rows.start : train_rows.stop],
            X_val=X_test,
            y_val=y_all[test_rows.start : test_rows.stop],
        )
    print(f"in-memory fit: held-out accuracy {in_memory.validation_scores_[-1]:.4f}")

    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    epochs = np.arange(1, args.epochs + 1)
    ax.plot(epochs, scores, "o-", label="partial_fit, chunks read from disk")
    ax.plot(
        epochs, in_memory.validation_scores_, "s--", label="fit, all rows in memory"
    )
    ax.set_xlabel("epoch")
    ax.set_ylabel("held-out accuracy")
    ax.legend(loc="lower right")
    plt.show()

directory.cleanup()

# %%
# The two curves climb together: one epoch of ``partial_fit`` calls over the
# chunks does the work of one epoch of ``fit``, a gradient step per mini-batch.
# They differ only in the order in which the rows meet the network (``fit``
# shuffles all rows, the chunked loop shuffles the chunks and the rows within
# each), which makes small differences from epoch to epoch.
