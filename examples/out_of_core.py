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

The script writes a generated data set (``--rows`` rows, 40 features, 5 classes) to a
temporary directory, trains on it out of core, and compares the held-out accuracy
with an in-memory fit on the same rows. Run it with::

    python examples/out_of_core.py --rows 200000 --chunk-rows 10000 --epochs 10

Peak memory is about one chunk of float64 rows plus the network, whatever ``--rows``
is (the in-memory comparison, which loads everything, can be skipped with
``--no-compare``).
"""

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_twolayer import TwoLayerClassifier

N_FEATURES = 40
N_CLASSES = 5


def write_dataset(directory, n_rows, chunk_rows, seed=0):
    """Write X.npy and y.npy chunk by chunk, never holding all rows in memory.

    Each class is a mixture of two Gaussian clusters with correlated features; the
    features have different offsets and scales, as raw measurements often do. The
    clusters are drawn once, and each chunk draws fresh rows from them.
    """
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
    return X_path, y_path


def iter_chunks(X_path, y_path, chunk_rows, rows, rng=None):
    """Yield (X_chunk, y_chunk) over the given row range, as in-memory arrays.

    With ``rng``, the chunks come in a random order. ``np.load(..., mmap_mode="r")``
    maps the file without reading it; slicing a chunk and passing it to
    ``np.asarray`` reads just those rows.
    """
    X = np.load(X_path, mmap_mode="r")
    y = np.load(y_path, mmap_mode="r")
    starts = np.arange(rows.start, rows.stop, chunk_rows)
    if rng is not None:
        starts = rng.permutation(starts)
    for start in starts:
        stop = min(start + chunk_rows, rows.stop)
        yield np.asarray(X[start:stop]), np.asarray(y[start:stop])


def fit_scaler(chunks):
    """One pass over the data to learn the means and variances of the features."""
    scaler = StandardScaler()
    for X_chunk, _ in chunks:
        scaler.partial_fit(X_chunk)
    return scaler


def accuracy(model, scaler, chunks):
    """Accuracy over chunks, without loading them all at once."""
    correct = total = 0
    for X_chunk, y_chunk in chunks:
        correct += int((model.predict(scaler.transform(X_chunk)) == y_chunk).sum())
        total += len(y_chunk)
    return correct / total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="skip the in-memory fit, which loads all rows",
    )
    args = parser.parse_args(argv)

    model_params = dict(hidden_size=64, alpha=0.05, batch_size=200, random_state=0)
    n_test = args.rows // 10
    train_rows = range(0, args.rows - n_test)
    test_rows = range(args.rows - n_test, args.rows)

    with tempfile.TemporaryDirectory() as tmp:
        X_path, y_path = write_dataset(Path(tmp), args.rows, args.chunk_rows)
        print(
            f"{args.rows} rows x {N_FEATURES} features on disk "
            f"({X_path.stat().st_size / 2**20:.0f} MiB), read in chunks of "
            f"{args.chunk_rows} rows ({args.chunk_rows * N_FEATURES * 8 / 2**20:.1f} "
            "MiB)"
        )

        def chunks(rows, rng=None):
            return iter_chunks(X_path, y_path, args.chunk_rows, rows, rng)

        scaler = fit_scaler(chunks(train_rows))

        # Every label must be announced on the first partial_fit call, since the
        # first chunk may not contain them all.
        classes = np.arange(N_CLASSES)
        model = TwoLayerClassifier(**model_params)
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        for epoch in range(args.epochs):
            for X_chunk, y_chunk in chunks(train_rows, rng):
                model.partial_fit(scaler.transform(X_chunk), y_chunk, classes=classes)
            score = accuracy(model, scaler, chunks(test_rows))
            print(
                f"epoch {epoch + 1:>2}: held-out accuracy {score:.4f}, "
                f"{time.perf_counter() - start:.1f} s"
            )

        if args.no_compare:
            return
        # For comparison only: the same model trained with all rows in memory.
        X = np.load(X_path)
        y = np.load(y_path)
        X_train = scaler.transform(X[train_rows.start : train_rows.stop])
        in_memory = TwoLayerClassifier(max_iter=args.epochs, **model_params)
        with warnings.catch_warnings():
            # A fixed number of epochs, as above; not a sign of trouble here.
            warnings.simplefilter("ignore", ConvergenceWarning)
            in_memory.fit(X_train, y[train_rows.start : train_rows.stop])
        print(
            f"in-memory fit, {args.epochs} epochs: held-out accuracy "
            f"{accuracy(in_memory, scaler, chunks(test_rows)):.4f}"
        )


if __name__ == "__main__":
    main()
