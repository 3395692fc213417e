"""Time TwoLayerClassifier against MLPClassifier on the same work.

Both estimators train the same network (one ReLU hidden layer, a sigmoid or softmax
output, plain mini-batch gradient descent without momentum or penalty, shuffled
rows) on the same generated data with the same learning rate and batch size, for a
fixed number of epochs. Fits of the two are interleaved in one process, so that the
load of a shared machine affects both alike; the ratio of their epoch times is taken
per pair and its median over the repeats is reported.

Usage::

    python benchmarks/bench_fit.py                 # full run, writes docs/benchmarks.md
    python benchmarks/bench_fit.py --quick         # tiny sizes, prints only
    python benchmarks/bench_fit.py --configs D --dtypes float64 --threads 1
    python benchmarks/bench_fit.py --profile C     # cProfile of one fit of ours

The report lists, per configuration and dtype, the median seconds per epoch of both
estimators and their ratio (BLAS limited to one thread, then all threads), the
GFLOP/s achieved against a measured GEMM peak, the BLAS floor (an epoch of the
same row gathers and matrix products with nothing else, for dense X), the bare
step (the same training in the fewest NumPy calls, without an estimator around
it; ``bare_step.py``, for dense X), the peak
memory that fit and predict_proba allocate beyond X (traced with tracemalloc,
which sees NumPy's allocations but not BLAS's small internal buffers),
predict_proba throughput and the held-out accuracy of both (the mean over the
repeats, whose fits start from different random weights).
"""

import argparse
import cProfile
import datetime
import functools
import gc
import os
import platform
import pstats
import re
import statistics
import sys
import time
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_twolayer import TwoLayerClassifier
from sklearn_twolayer._network import _dot_T, _matmul, _times_W2
from sklearn_twolayer._training import sort_batches

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bare_step import BareStep  # noqa: E402

DOC = os.path.join(HERE, os.pardir, "docs", "benchmarks.md")
PLOT = os.path.join(HERE, os.pardir, "docs", "_static", "bench_ratios.png")
BEGIN, END = "<!-- begin results -->", "<!-- end results -->"


@dataclass
class Config:
    """One benchmark problem: data, network size and the epochs timed per fit."""

    name: str
    description: str
    n_samples: int
    n_features: int
    n_classes: int
    hidden_size: int
    batch_size: int
    alpha: float
    epochs: int
    target: float
    sparse_density: float = 0.0
    digits: bool = False


CONFIGS = {
    "A": Config("A", "digits 1797x64", 1797, 64, 10, 100, 200, 0.1, 20, 0.40,
                digits=True),
    "B": Config("B", "100,000x100 dense", 100_000, 100, 2, 256, 256, 0.05, 2, 0.40),
    "C": Config("C", "60,000x784 dense", 60_000, 784, 10, 512, 512, 0.05, 1, 0.80),
    "D": Config("D", "100,000x20,000 CSR, density 0.002", 100_000, 20_000, 2, 128,
                256, 0.5, 1, 0.15, sparse_density=0.002),
    "E": Config("E", "20,000x50 dense", 20_000, 50, 2, 64, 32, 0.05, 3, 0.25),
}  # fmt: skip

QUICK = {
    "A": Config("A", "digits 300x64", 300, 64, 10, 16, 50, 0.1, 2, 0.40, digits=True),
    "B": Config("B", "400x20 dense", 400, 20, 2, 16, 32, 0.05, 1, 0.40),
    "D": Config("D", "400x500 CSR", 400, 500, 2, 8, 32, 0.5, 1, 0.15,
                sparse_density=0.01),
}  # fmt: skip


def make_data(config, dtype, n_test, seed=0):
    """Training and held-out rows of one configuration, in ``dtype``.

    Dense labels come from a random teacher network, sparse ones from a random linear
    function of unit-norm rows, so that both estimators have something to learn.
    """
    rng = np.random.default_rng(seed)
    if config.digits:
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(dtype)
        n = min(config.n_samples, len(X))
        # The digits are too few to hold rows out: accuracy is on the training rows.
        return X[:n], y[:n], X[:n], y[:n]
    n = config.n_samples + n_test
    d = config.n_features
    if config.sparse_density:
        X, y = _sparse_text_like(rng, n, d, max(1, round(config.sparse_density * d)))
        X = X.astype(dtype)
    else:
        X = rng.standard_normal((n, d))
        # A teacher with one hidden layer of 16 tanh units, its weights scaled so
        # that its pre-activations have unit variance whatever d is.
        U = rng.standard_normal((d, 16)) / np.sqrt(d)
        V = rng.standard_normal((16, config.n_classes))
        scores = np.tanh(X @ U) @ V
        if config.n_classes == 2:
            y = (scores[:, 0] > np.median(scores[:, 0])).astype(int)
        else:
            y = scores.argmax(axis=1)
        X = X.astype(dtype)
    m = config.n_samples
    return X[:m], y[:m], X[m:], y[m:]


def _sparse_text_like(rng, n, d, per_row):
    """CSR rows with exactly ``per_row`` distinct columns, drawn like words of text.

    Column j is drawn with probability proportional to 1 / (j + 1) (Zipf's law of
    word frequencies); repeats within a row are redrawn uniformly, so that every
    row has ``per_row`` nonzeros. Values are positive and each row has unit norm,
    as TfidfVectorizer makes them; labels come from a random linear function.
    """
    cdf = np.cumsum(1.0 / np.arange(1, d + 1))
    cols = np.searchsorted(cdf / cdf[-1], rng.random((n, per_row)))
    for _ in range(100):
        cols.sort(axis=1)
        repeated = np.zeros(cols.shape, dtype=bool)
        repeated[:, 1:] = cols[:, 1:] == cols[:, :-1]
        if not repeated.any():
            break
        cols[repeated] = rng.integers(0, d, repeated.sum())
    values = rng.random((n, per_row))
    values /= np.linalg.norm(values, axis=1, keepdims=True)
    indptr = np.arange(0, n * per_row + 1, per_row)
    X = sp.csr_matrix((values.ravel(), cols.ravel(), indptr), shape=(n, d))
    score = X @ rng.standard_normal(d)
    return X, (score > np.median(score)).astype(int)


def estimators(config, epochs, seed):
    """The two estimators, configured for the same training."""
    ours = TwoLayerClassifier(
        hidden_size=config.hidden_size,
        activation="relu",
        alpha=config.alpha,
        batch_size=config.batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=True,
        random_state=seed,
    )
    mlp = MLPClassifier(
        hidden_layer_sizes=(config.hidden_size,),
        activation="relu",
        solver="sgd",
        alpha=0.0,
        learning_rate_init=config.alpha,
        batch_size=config.batch_size,
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=True,
        random_state=seed,
    )
    return {"ours": ours, "mlp": mlp}


def timed_fit(model, X, y, clock=time.perf_counter):
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = clock()
        model.fit(X, y)
        return clock() - start


def nbytes(X):
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def traced_peak(func):
    """Peak bytes that ``func()`` allocates beyond what was allocated before."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def gemm_peak(dtype, n=1024, repeats=10):
    """GFLOP/s of the best of a few square matrix products on one thread.

    Timed in CPU time, like the one-thread fits.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    c = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=c)
    best = min(
        _time(lambda: np.matmul(a, b, out=c), time.process_time) for _ in range(repeats)
    )
    return 2 * n**3 / best / 1e9


def _time(func, clock=time.perf_counter):
    start = clock()
    func()
    return clock() - start


def floor_fit(config, X, n_outputs, epochs, seed):
    """An epoch's row gathers and matrix products alone: the BLAS floor of a fit.

    Runs the batches of a dense fit as ``TwoLayerClassifier`` does (rows shuffled
    every epoch, each full batch's rows gathered in increasing order into one
    buffer) and makes the matrix products of each batch's forward and backward
    passes, through the package's own product functions, on the same shapes and
    memory orders (W1 and W2 in Fortran order). Nothing else is computed (no bias,
    activation, loss or update); the operands' values do not change BLAS's time.
    No implementation that gathers the rows and makes these products can train
    faster, so ``floor / MLPClassifier`` bounds the ratio from below.
    """
    rng = np.random.RandomState(seed)
    n, d = X.shape
    m, h, K, dtype = config.batch_size, config.hidden_size, n_outputs, X.dtype
    W1 = np.asfortranarray(rng.uniform(-0.1, 0.1, (h, d)).astype(dtype))
    W2 = np.asfortranarray(rng.uniform(-0.1, 0.1, (K, h)).astype(dtype))
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)
    db1, db2 = np.empty(h, dtype), np.empty(K, dtype)
    X_rows = np.empty((m, d), dtype)
    H, dH = np.empty((m, h), dtype), np.empty((m, h), dtype)
    Z2, dZ2 = np.empty((m, K), dtype), rng.uniform(-0.1, 0.1, (m, K)).astype(dtype)
    ones = np.ones(m, dtype)
    for idx in batch_indices(n, m, epochs, rng):
        b = len(idx)
        X_b = X.take(idx, axis=0, out=X_rows[:b], mode="clip")
        A1 = _matmul(X_b, W1.T, out=H[:b])  # Z1 = X W1^T
        np.matmul(A1, W2.T, out=Z2[:b])  # Z2 = A1 W2^T
        dZ2_b = dZ2[:b]
        if K == 1:
            # dW2, db2, then dW1 and db1 with the slope's shape (m x h).
            np.dot(dZ2_b[:, 0], A1, out=dW2[0])
            np.dot(ones[:b], dZ2_b, out=db2)
            _dot_T(A1, X_b, out=dW1)
            np.dot(dZ2_b[:, 0], A1, out=db1)
        else:
            _dot_T(dZ2_b, A1, out=dW2)
            np.dot(ones[:b], dZ2_b, out=db2)
            dZ1 = _times_W2(dZ2_b, W2, None, out=dH[:b])
            _dot_T(dZ1, X_b, out=dW1)
            np.dot(ones[:b], dZ1, out=db1)


def step_fit(config, X, codes, n_outputs, epochs, seed, step_type=BareStep):
    """Train like ``TwoLayerClassifier`` with a stand-alone batch step; return it.

    ``step_type`` is :class:`bare_step.BareStep` or a class with its interface
    (``compiled_step.CompiledStep``): built from the initial parameters and the
    batch size, its ``step(X_batch, codes_batch, alpha)`` trains on one batch.
    The weights start from Glorot's uniform draw and the batches come from
    :func:`batch_indices`, as a fit's do; ``codes`` are the rows' class indices.
    """
    rng = np.random.RandomState(seed)
    n, d = X.shape
    h, m = config.hidden_size, config.batch_size
    r1, r2 = np.sqrt(6 / (d + h)), np.sqrt(6 / (h + n_outputs))
    W1 = rng.uniform(-r1, r1, (h, d)).astype(X.dtype)
    W2 = rng.uniform(-r2, r2, (n_outputs, h)).astype(X.dtype)
    b1, b2 = np.zeros(h, X.dtype), np.zeros(n_outputs, X.dtype)
    step = step_type(W1, b1, W2, b2, m)
    X_rows, code_rows = np.empty((m, d), X.dtype), np.empty(m, codes.dtype)
    for idx in batch_indices(n, m, epochs, rng):
        b = len(idx)
        X_b = X.take(idx, axis=0, out=X_rows[:b], mode="clip")
        c_b = codes.take(idx, out=code_rows[:b], mode="clip")
        step.step(X_b, c_b, config.alpha)
    return step


def batch_indices(n, batch_size, epochs, rng):
    """Yield the row indices of each batch, as ``TwoLayerClassifier`` orders them.

    The rows are shuffled every epoch, and each batch's indices sorted, so that
    its rows are gathered front to back. Each yielded array is a view that the
    next epoch overwrites.
    """
    order = np.arange(n)
    for _ in range(epochs):
        rng.shuffle(order)
        sort_batches(order, batch_size)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


def median_ratio(numerators, denominators):
    """The median of the ratios of paired timings.

    Interleaved runs share the machine's load, so each pair's ratio moves less
    than either timing.
    """
    return statistics.median(
        a / b for a, b in zip(numerators, denominators, strict=True)
    )


def _timed_alone(train, clock):
    """Seconds of ``train()`` after a garbage collection, as ``timed_fit`` times."""
    gc.collect()
    return _time(train, clock)


def flops_per_epoch(config, X, n_outputs):
    """Floating-point operations of one epoch of our forward and backward passes.

    The two products with X (forward and the gradient of W1) cost ``2 nnz h`` each
    (``nnz = n d`` when dense); the output layer adds three products of ``2 n h K``.
    """
    n = X.shape[0]
    nnz = X.nnz if sp.issparse(X) else n * X.shape[1]
    h = config.hidden_size
    return 2 * (2 * nnz * h) + 3 * (2 * n * h * n_outputs)


def run_config(config, dtype, repeats, measure_extras, log, clock):
    """Interleaved timings of both estimators; extras measured once if asked."""
    n_test = 0 if config.digits else max(1, config.n_samples // 5)
    X, y, X_test, y_test = make_data(config, dtype, n_test)
    times = {"ours": [], "mlp": []}
    scores = {"ours": [], "mlp": []}
    # The floor and the bare step run with the one-thread timings, for dense X
    # only: the products with a sparse batch are not dense BLAS calls, and the
    # bare step is written for dense batches.
    with_floor = measure_extras and not sp.issparse(X)
    classes, codes = np.unique(y, return_inverse=True)
    n_outputs = 1 if len(classes) == 2 else len(classes)
    # Trainings without an estimator, by seed, timed beside the two fits.
    alone = {}
    if with_floor:
        alone["floor"] = lambda seed: floor_fit(
            config, X, n_outputs, config.epochs, seed
        )
        alone["bare"] = lambda seed: step_fit(
            config, X, codes, n_outputs, config.epochs, seed
        )
    times.update((name, []) for name in alone)
    # One short fit each first, so that imports and first-call costs are not timed.
    for model in estimators(config, 1, 0).values():
        timed_fit(model, X[: min(500, X.shape[0])], y[: min(500, X.shape[0])])
    for r in range(repeats):
        models = estimators(config, config.epochs, r)
        order = list(times) if r % 2 == 0 else list(times)[::-1]
        for name in order:
            if name in alone:
                seconds = _timed_alone(functools.partial(alone[name], r), clock)
                times[name].append(seconds / config.epochs)
                continue
            seconds = timed_fit(models[name], X, y, clock)
            times[name].append(seconds / config.epochs)
            if measure_extras:
                # Each repeat trains from other random weights: the mean of their
                # scores says more than one short fit's.
                scores[name].append(models[name].score(X_test, y_test))
        log(
            f"  {config.name} {np.dtype(dtype).name} repeat {r + 1}/{repeats}: "
            + "  ".join(f"{k} {v[-1]:.4f}s" for k, v in times.items())
            + " per epoch"
        )
    result = {
        "ours": statistics.median(times["ours"]),
        "mlp": statistics.median(times["mlp"]),
        "ratio": median_ratio(times["ours"], times["mlp"]),
    }
    if with_floor:
        result["floor"] = statistics.median(times["floor"])
        result["floor_ratio"] = median_ratio(times["floor"], times["mlp"])
        result["ours_floor"] = median_ratio(times["ours"], times["floor"])
        result["bare"] = statistics.median(times["bare"])
        result["bare_ratio"] = median_ratio(times["bare"], times["mlp"])
        result["ours_bare"] = median_ratio(times["ours"], times["bare"])
    if not measure_extras:
        return result
    fitted = models
    result["gflops"] = flops_per_epoch(config, X, n_outputs) / result["ours"] / 1e9
    result["x_mb"] = nbytes(X) / 2**20
    result["params_mb"] = (
        sum(getattr(fitted["ours"], a).nbytes for a in ("W1_", "b1_", "W2_", "b2_"))
        / 2**20
    )
    X_pred = X_test if n_test else X
    for name, model in fitted.items():
        fresh = estimators(config, 1, 0)[name]
        result[f"fit_mem_{name}"] = traced_peak(lambda m=fresh: m.fit(X, y)) / 2**20
        result[f"proba_mem_{name}"] = (
            traced_peak(lambda m=model: m.predict_proba(X_pred)) / 2**20
        )
        best = min(
            _time(lambda m=model: m.predict_proba(X_pred), time.process_time)
            for _ in range(3)
        )
        result[f"rows_{name}"] = X_pred.shape[0] / best
        result[f"acc_{name}"] = statistics.mean(scores[name])
    result["proba_out_mb"] = (
        X_pred.shape[0] * max(2, n_outputs) * np.dtype(dtype).itemsize / 2**20
    )
    return result


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = ", ".join(
        f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
        f"{i.get('num_threads')} threads)"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    )
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}, scikit-learn {sklearn.__version__}; BLAS: {blas}"
    )


def _mb(value):
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def ratio_text(ratio, target):
    """The ratio to two decimals, or four where two would round it onto its target.

    0.2507 printed as 0.25 would read as meeting a target of 0.25.
    """
    text = f"{ratio:.2f}"
    return f"{ratio:.4f}" if float(text) == target and ratio != target else text


def report(results, peaks, configs, command, repeats):
    """The markdown tables of a run."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Command: `{command}` ({now}, median of {repeats} interleaved repeats).",
        "",
        f"Machine: {machine()}.",
        "",
        "Measured GEMM peak (best of ten square products, one thread): "
        + ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in peaks.items())
        + ".",
        "",
        "### Seconds per epoch, BLAS limited to one thread",
        "",
        "| config | data | hidden | batch | epochs timed | dtype | ours | "
        "MLPClassifier | ratio | target | ours GFLOP/s (% of peak) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (name, dtype, threads), r in results.items():
        if threads != "1":
            continue
        c = configs[name]
        ok = "" if r["ratio"] <= c.target else " (missed)"
        lines.append(
            f"| {name} | {c.description} | {c.hidden_size} | {c.batch_size} | "
            f"{c.epochs} | {dtype} | {r['ours']:.4f} | {r['mlp']:.4f} | "
            f"**{ratio_text(r['ratio'], c.target)}** | <= {c.target:.2f}{ok} | "
            f"{r['gflops']:.1f} ({100 * r['gflops'] / peaks[dtype]:.0f}%) |"
        )
    floors = [(k, r) for k, r in results.items() if "floor" in r]
    if floors:
        lines += [
            "",
            "### The BLAS floor and the bare NumPy step (one thread)",
            "",
            "The floor is an epoch of the same batches that only gathers each "
            "batch's rows of X and makes the matrix products of its forward and "
            "backward passes (`floor_fit` in the script), timed in the same "
            "repeats. No implementation that makes these products can train "
            "faster: `floor / MLPClassifier` is the lowest ratio within reach, "
            "and `ours / floor` is what the rest of our batch step costs on top. "
            "The bare step (`benchmarks/bare_step.py`) trains the same network on "
            "the same batches in the fewest NumPy calls we know, with no "
            "estimator around it: `bare / MLPClassifier` is what NumPy reaches, "
            "and `ours / bare` what the estimator's generality, checks and "
            "set-up cost on top.",
            "",
            "| config | dtype | floor | floor / MLPClassifier | bare | "
            "bare / MLPClassifier | ours / floor | ours / bare |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {name} | {dtype} | {r['floor']:.4f} | {r['floor_ratio']:.2f} | "
            f"{r['bare']:.4f} | {r['bare_ratio']:.2f} | {r['ours_floor']:.2f}x | "
            f"{r['ours_bare']:.2f}x |"
            for (name, dtype, _), r in floors
        ]
    if any(t != "1" for (_, _, t) in results):
        lines += [
            "",
            "### Seconds per epoch, all BLAS threads",
            "",
            "| config | dtype | ours | MLPClassifier | ratio |",
            "|---|---|---|---|---|",
        ]
        for (name, dtype, threads), r in results.items():
            if threads == "1":
                continue
            lines.append(
                f"| {name} | {dtype} | {r['ours']:.4f} | {r['mlp']:.4f} | "
                f"{r['ratio']:.2f} |"
            )
    pairs = [
        (name, results[(name, "float64", "1")], results[(name, "float32", "1")])
        for name in configs
        if (name, "float64", "1") in results and (name, "float32", "1") in results
    ]
    if pairs:
        lines += ["", "### float32 against float64 (ours, one thread)", ""]
        lines += ["| config | float64 / float32 epoch time |", "|---|---|"]
        lines += [f"| {n} | {a['ours'] / b['ours']:.2f}x |" for n, a, b in pairs]
    lines += [
        "",
        "### Memory, prediction and accuracy (one thread)",
        "",
        "Memory is the peak that a call allocates beyond its inputs, in MiB; the "
        "fitted parameters themselves are part of fit's figure, and the returned "
        "probabilities part of predict_proba's. Accuracy is the mean over the "
        "repeats' fits, on held-out rows (on the training rows for digits).",
        "",
        "| config | dtype | X MiB | params MiB | fit: ours | fit: MLP | "
        "predict_proba: ours | predict_proba: MLP | output MiB | rows/s: ours | "
        "rows/s: MLP | accuracy: ours | accuracy: MLP |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (name, dtype, threads), r in results.items():
        if threads != "1":
            continue
        lines.append(
            f"| {name} | {dtype} | {_mb(r['x_mb'])} | {_mb(r['params_mb'])} | "
            f"{_mb(r['fit_mem_ours'])} | {_mb(r['fit_mem_mlp'])} | "
            f"{_mb(r['proba_mem_ours'])} | {_mb(r['proba_mem_mlp'])} | "
            f"{_mb(r['proba_out_mb'])} | {r['rows_ours']:.3g} | "
            f"{r['rows_mlp']:.3g} | {r['acc_ours']:.3f} | {r['acc_mlp']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def write_doc(path, table):
    """Replace the results between the markers of the benchmark page."""
    with open(path) as f:
        text = f.read()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{path} has no {BEGIN} ... {END} markers")
    text = pattern.sub(lambda _: f"{BEGIN}\n{table}{END}", text)
    with open(path, "w") as f:
        f.write(text)


def plot(results, configs, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in configs if any(k[0] == n for k in results)]
    series = sorted({(d, t) for (_, d, t) in results})
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=80)
    width = 0.8 / max(1, len(series))
    for i, (dtype, threads) in enumerate(series):
        xs = [j + i * width for j, n in enumerate(names)]
        ys = [results.get((n, dtype, threads), {}).get("ratio", np.nan) for n in names]
        label = f"{dtype}, {'1 thread' if threads == '1' else 'all threads'}"
        ax.bar(xs, ys, width, label=label)
        floor = [results.get((n, dtype, threads), {}).get("floor_ratio") for n in names]
        if any(f is not None for f in floor):
            ax.plot(
                xs,
                [np.nan if f is None else f for f in floor],
                "k_",
                markersize=10,
                label="BLAS floor" if i == 0 else None,
            )
    for j, n in enumerate(names):
        ax.hlines(configs[n].target, j - 0.1, j + 0.9, colors="k", linestyles="--")
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names)
    ax.set_ylabel("epoch time, ours / MLPClassifier")
    ax.set_title("Lower is faster; dashed: target; ticks: BLAS floor")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def profile(config, dtype):
    X, y, _, _ = make_data(config, dtype, 0)
    model = estimators(config, config.epochs, 0)["ours"]
    with threadpool_limits(1, user_api="blas"):
        timed_fit(estimators(config, 1, 0)["ours"], X[:500], y[:500])
        gc.collect()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            profiler = cProfile.Profile()
            profiler.enable()
            model.fit(X, y)
            profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, no files")
    parser.add_argument("--configs", default=None, help="e.g. A,B,E (default all)")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--threads", choices=["1", "all", "both"], default="both",
        help="BLAS threads of the timed runs",
    )  # fmt: skip
    parser.add_argument("--output", default=None, help="markdown page to update")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--plot", default=None, help="PNG of the ratios")
    parser.add_argument("--profile", default=None, help="cProfile one config")
    args = parser.parse_args(argv)

    configs = QUICK if args.quick else CONFIGS
    if args.configs:
        configs = {k: configs[k] for k in args.configs.split(",")}
    dtypes = args.dtypes.split(",")
    if args.profile:
        for dtype in dtypes:
            profile(CONFIGS[args.profile], np.dtype(dtype))
        return {}
    repeats = args.repeats or (1 if args.quick else 7)
    write = not args.no_write and (not args.quick or args.output is not None)
    output = args.output or DOC
    plot_path = args.plot or (None if args.quick or args.no_write else PLOT)
    threads = {"1": ["1"], "all": ["all"], "both": ["1", "all"]}[args.threads]

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    with threadpool_limits(1, user_api="blas"):
        peaks = {d: gemm_peak(np.dtype(d), 256 if args.quick else 1024) for d in dtypes}
    log("GEMM peak GFLOP/s: " + str({k: round(v, 1) for k, v in peaks.items()}))
    results = {}
    for t in threads:
        limit = 1 if t == "1" else None
        for name, config in configs.items():
            for dtype in dtypes:
                with threadpool_limits(limit, user_api="blas"):
                    # One thread: the process's CPU time, which the other jobs of
                    # a shared machine inflate less than the wall clock.
                    results[(name, dtype, t)] = run_config(
                        config,
                        np.dtype(dtype),
                        repeats,
                        t == "1",
                        log,
                        time.process_time if t == "1" else time.perf_counter,
                    )
                log(f"{name} {dtype} threads={t}: {results[(name, dtype, t)]}")
    command = "python benchmarks/bench_fit.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    table = report(results, peaks, configs, command.strip(), repeats)
    print(table)
    if write:
        write_doc(output, table)
    if plot_path:
        plot(results, configs, plot_path)
    return results


if __name__ == "__main__":
    main()
