"""Time TwoLayerClassifier against MLPClassifier doing the same work.

Both estimators train the same network (one ReLU hidden layer, a sigmoid or softmax
output) with the same solver, learning rate, batch size and number of epochs, on
the same generated data, with rows shuffled every epoch and no penalty, momentum or
early stopping. Fits of the two alternate in one process, so that the load of a
shared machine falls on both alike; the ratio of their epoch times is taken per
pair of neighbouring fits, and its median and range over the pairs are reported.

With ``--namespace torch``, TwoLayerClassifier also trains on PyTorch tensors (on
``--device``, the CPU by default, or ``cuda``) under scikit-learn's
``array_api_dispatch``, and each row of fits holds three: on tensors, on the same
data as NumPy arrays, and MLPClassifier's. Sparse configurations are left out
there (sparse input stays NumPy), and nothing is written.

Usage::

    python benchmarks/bench_fit.py                 # full run, rewrites the docs page
    python benchmarks/bench_fit.py --quick         # tiny sizes, prints only
    python benchmarks/bench_fit.py --configs B,E --dtypes float32 --no-write
    python benchmarks/bench_fit.py --profile C     # cProfile of one fit of C
    python benchmarks/bench_fit.py --namespace torch --configs A,B,E
    python benchmarks/bench_fit.py --namespace torch --device cuda --threads all
"""

import argparse
import cProfile
import datetime
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
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

import sklearn_twolayer
from sklearn_twolayer import TwoLayerClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, os.pardir, "docs", "benchmarks.md")
PLOT = os.path.join(HERE, os.pardir, "docs", "_static", "bench_ratios.png")
BEGIN, END = "<!-- begin results -->", "<!-- end results -->"
NAMES = {"ours": "TwoLayerClassifier", "mlp": "MLPClassifier"}


@dataclass
class Config:
    """One benchmark problem: its data, the network and the epochs of each fit."""

    name: str
    description: str
    n_samples: int
    n_features: int
    n_classes: int
    hidden_size: int
    batch_size: int
    learning_rate: float
    epochs: int
    sparse_density: float = 0.0
    digits: bool = False


CONFIGS = {
    "A": Config("A", "digits, 1,797 x 64", 1797, 64, 10, 100, 200, 0.1, 20,
                digits=True),
    "B": Config("B", "dense, 100,000 x 100", 100_000, 100, 2, 256, 256, 0.05, 2),
    "C": Config("C", "dense, 60,000 x 784", 60_000, 784, 10, 512, 512, 0.05, 1),
    "D": Config("D", "CSR, 100,000 x 20,000, density 0.002", 100_000, 20_000, 2,
                128, 256, 0.5, 1, sparse_density=0.002),
    "E": Config("E", "dense, 20,000 x 50", 20_000, 50, 2, 64, 32, 0.05, 3),
}  # fmt: skip

QUICK = {
    "A": Config("A", "digits, 300 x 64", 300, 64, 10, 16, 50, 0.1, 2, digits=True),
    "B": Config("B", "dense, 400 x 20", 400, 20, 2, 16, 32, 0.05, 1),
    "C": Config("C", "dense, 300 x 100", 300, 100, 10, 16, 64, 0.05, 1),
    "D": Config("D", "CSR, 400 x 500", 400, 500, 2, 8, 32, 0.5, 1,
                sparse_density=0.01),
    "E": Config("E", "dense, 400 x 10", 400, 10, 2, 8, 16, 0.05, 2),
}  # fmt: skip


def make_data(config, dtype, n_test, seed=0):
    """Training and held-out rows of one configuration, in ``dtype``.

    Returns ``X, y, X_test, y_test``. Dense labels come from a random teacher
    network and sparse ones from a random linear function of text-like rows, so
    that both estimators have something to learn. The digits are too few to hold
    rows out: their "held-out" rows are the training rows.
    """
    rng = np.random.default_rng(seed)
    if config.digits:
        X, y = load_digits(return_X_y=True)
        n = min(config.n_samples, len(X))
        X = (X[:n] / 16.0).astype(dtype)
        return X, y[:n], X, y[:n]
    n, d = config.n_samples + n_test, config.n_features
    if config.sparse_density:
        per_row = max(1, round(config.sparse_density * d))
        X, y = sparse_text_like(rng, n, d, per_row)
        X = X.astype(dtype)
    else:
        X = rng.standard_normal((n, d))
        # A teacher of 16 tanh units, scaled so that its pre-activations have unit
        # variance whatever d is.
        U = rng.standard_normal((d, 16)) / np.sqrt(d)
        scores = np.tanh(X @ U) @ rng.standard_normal((16, config.n_classes))
        if config.n_classes == 2:
            y = (scores[:, 0] > np.median(scores[:, 0])).astype(int)
        else:
            y = scores.argmax(axis=1)
        X = X.astype(dtype)
    m = config.n_samples
    return X[:m], y[:m], X[m:], y[m:]


def sparse_text_like(rng, n, d, per_row):
    """CSR rows with exactly ``per_row`` distinct columns, drawn like words of text.

    Column j is drawn with probability proportional to 1 / (j + 1) (Zipf's law of
    word frequencies), repeats within a row are redrawn uniformly, values are
    positive and each row has unit norm, as ``TfidfVectorizer`` makes them. The
    labels split a random linear function of the rows at its median.
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


def learning_rate(config, solver):
    """The learning rate of a configuration's fits under ``solver``."""
    # Adam's steps are the learning rate itself, whatever the gradient's scale:
    # the plain steps of the configurations would be far too long for it.
    return config.learning_rate if solver == "sgd" else 1e-3


def estimators(config, epochs, seed, solver="sgd"):
    """The two estimators, configured for the same training."""
    rate = learning_rate(config, solver)
    # Passed only when asked for, so that the default run needs no parameter
    # beyond the article's plain gradient descent.
    extra = {} if solver == "sgd" else {"solver": solver}
    ours = TwoLayerClassifier(
        hidden_size=config.hidden_size,
        activation="relu",
        alpha=rate,
        batch_size=config.batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=True,
        random_state=seed,
        **extra,
    )
    mlp = MLPClassifier(
        hidden_layer_sizes=(config.hidden_size,),
        activation="relu",
        solver=solver,
        alpha=0.0,
        learning_rate_init=rate,
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


def fit_quietly(model, X, y):
    # A fixed number of epochs is the point: the warning that the loss was still
    # moving says nothing here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def timed_fit(model, X, y, clock):
    """Seconds that ``model.fit(X, y)`` takes on ``clock``, after a collection."""
    gc.collect()
    start = clock()
    fit_quietly(model, X, y)
    return clock() - start


def traced_peak(func):
    """Peak bytes that ``func()`` allocates beyond what was allocated before it.

    ``tracemalloc`` sees every buffer that NumPy and SciPy allocate, though not
    the small work buffers of BLAS.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def nbytes(X):
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def ratio_summary(numerators, denominators):
    """Median, smallest and largest of the ratios of paired timings.

    Neighbouring fits share the machine's load, so each pair's ratio moves less
    than either timing; the spread of the ratios shows how much it still moves.
    """
    ratios = [a / b for a, b in zip(numerators, denominators, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def run_config(config, dtype, repeats, clock, solver="sgd", log=print):
    """Interleaved fits of both estimators on one configuration and dtype."""
    n_test = 0 if config.digits else max(1, config.n_samples // 5)
    X, y, X_test, y_test = make_data(config, dtype, n_test)
    # A short fit of each first, so that first-call costs are not timed.
    few = max(500, config.batch_size)
    for model in estimators(config, 1, 0, solver).values():
        fit_quietly(model, X[:few], y[:few])
    times = {"ours": [], "mlp": []}
    scores = {"ours": [], "mlp": []}
    for r in range(repeats):
        models = estimators(config, config.epochs, r, solver)
        for name in ("ours", "mlp") if r % 2 == 0 else ("mlp", "ours"):
            times[name].append(timed_fit(models[name], X, y, clock) / config.epochs)
            # Each repeat starts from other random weights: the mean of their
            # scores says more than one fit's.
            scores[name].append(models[name].score(X_test, y_test))
        log(
            f"  {config.name} {dtype.name} pair {r + 1}/{repeats}: "
            f"{times['ours'][-1]:.4f} s and {times['mlp'][-1]:.4f} s per epoch"
        )
    ratio, low, high = ratio_summary(times["ours"], times["mlp"])
    result = {"ratio": ratio, "low": low, "high": high, "x_mib": nbytes(X) / 2**20}
    for name in ("ours", "mlp"):
        fresh = estimators(config, 1, 0, solver)[name]
        peak = traced_peak(lambda m=fresh: fit_quietly(m, X, y))
        result[name] = statistics.median(times[name])
        result[f"acc_{name}"] = statistics.mean(scores[name])
        result[f"mem_{name}"] = peak / 2**20
    return result


def to_torch(device, *arrays):
    """The arrays as PyTorch tensors on ``device``."""
    import torch

    return tuple(torch.asarray(a, device=device) for a in arrays)


def synchronize(device):
    """Wait for the work queued on a GPU, so that the clock sees all of it."""
    if str(device).startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def run_namespace_config(config, dtype, repeats, clock, device, log=print):
    """Interleaved fits of ours on tensors, ours on NumPy, and MLPClassifier.

    Each repeat fits the three in turn (the order rotates), all from the same
    ``random_state``; the ratios are taken within each repeat.
    """
    n_test = 0 if config.digits else max(1, config.n_samples // 5)
    X, y, X_test, y_test = make_data(config, dtype, n_test)
    tensors = to_torch(device, X, y, X_test, y_test)
    few = max(500, config.batch_size)
    # A short fit of each first, so that first-call costs are not timed.
    for name, model in estimators(config, 1, 0).items():
        fit_quietly(model, X[:few], y[:few])
        if name == "ours":
            with sklearn.config_context(array_api_dispatch=True):
                fit_quietly(clone(model), tensors[0][:few], tensors[1][:few])
    names = ("torch", "ours", "mlp")
    times = {name: [] for name in names}
    scores = {name: [] for name in names}
    for r in range(repeats):
        models = estimators(config, config.epochs, r)
        models["torch"] = clone(models["ours"])
        for name in names[r % 3 :] + names[: r % 3]:
            model = models[name]
            if name == "torch":
                with sklearn.config_context(array_api_dispatch=True):
                    gc.collect()
                    start = clock()
                    fit_quietly(model, tensors[0], tensors[1])
                    synchronize(device)
                    seconds = clock() - start
                    scores[name].append(model.score(tensors[2], tensors[3]))
            else:
                seconds = timed_fit(model, X, y, clock)
                scores[name].append(model.score(X_test, y_test))
            times[name].append(seconds / config.epochs)
        log(
            f"  {config.name} {dtype.name} repeat {r + 1}/{repeats}: "
            + ", ".join(f"{n} {times[n][-1]:.4f} s" for n in names)
            + " per epoch"
        )
    result = {"ratio_numpy": ratio_summary(times["torch"], times["ours"])}
    result["ratio_mlp"] = ratio_summary(times["torch"], times["mlp"])
    for name in names:
        result[name] = statistics.median(times[name])
        result[f"acc_{name}"] = statistics.mean(scores[name])
    return result


def namespace_report(results, configs, dtypes, info):
    """The Markdown of a run on tensors: a table per dtype."""
    lines = [
        f"Command: `{info['command']}`",
        "",
        f"Run on {info['date']} in {info['minutes']:.1f} minutes; {info['repeats']} "
        f"rows of three fits per configuration; threads: {info['threads']}; "
        f"PyTorch {info['torch']} on {info['device']}.",
        "",
        f"Machine: {machine()}.",
    ]
    for dtype in dtypes:
        lines += [
            "",
            f"### {dtype}",
            "",
            "| config | on tensors s/epoch | on NumPy s/epoch | MLPClassifier s/epoch "
            "| tensors / NumPy | tensors / MLPClassifier | accuracy on tensors |",
            "|---|---|---|---|---|---|---|",
        ]
        for name in configs:
            r = results[(name, dtype)]
            (rn, ln, hn), (rm, lm, hm) = r["ratio_numpy"], r["ratio_mlp"]
            lines.append(
                f"| {name} | {r['torch']:.3g} | {r['ours']:.3g} | {r['mlp']:.3g} | "
                f"**{rn:.2f}** ({ln:.2f}–{hn:.2f}) | **{rm:.2f}** ({lm:.2f}–{hm:.2f}) "
                f"| {r['acc_torch']:.3f} |"
            )
    return "\n".join(lines) + "\n"


def machine():
    """The processor, system, library versions and BLAS of this run."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1] for line in f if line.startswith("model n")]
        cpu = names[0].strip() if names else cpu
    except OSError:
        pass
    blas = ", ".join(
        f"{i['internal_api']} {i['version']} ({i.get('architecture')})"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    )
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"sklearn_twolayer {sklearn_twolayer.__version__}; BLAS: {blas}"
    )


def _mib(value):
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def report(results, configs, dtypes, info):
    """The Markdown of a run: its settings, the configurations, a table per dtype."""
    lines = [
        f"Command: `{info['command']}`",
        "",
        f"Run on {info['date']} in {info['minutes']:.1f} minutes; {info['repeats']} "
        f"pairs of fits per row; BLAS threads: {info['threads']}; "
        f"solver: {info['solver']}.",
        "",
        f"Machine: {machine()}.",
        "",
        "| config | data | classes | hidden units | batch | learning rate | "
        "epochs per fit |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in configs.values():
        lines.append(
            f"| {c.name} | {c.description} | {c.n_classes} | {c.hidden_size} | "
            f"{c.batch_size} | {learning_rate(c, info['solver']):g} | {c.epochs} |"
        )
    for dtype in dtypes:
        lines += [
            "",
            f"### {dtype}",
            "",
            "| config | TwoLayerClassifier s/epoch | MLPClassifier s/epoch | ratio | "
            "ratio range | accuracy: TwoLayerClassifier | accuracy: MLPClassifier | "
            "X MiB | fit MiB: TwoLayerClassifier | fit MiB: MLPClassifier |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name in configs:
            r = results[(name, dtype)]
            lines.append(
                f"| {name} | {r['ours']:.3g} | {r['mlp']:.3g} | **{r['ratio']:.2f}** "
                f"| {r['low']:.2f}–{r['high']:.2f} | {r['acc_ours']:.3f} | "
                f"{r['acc_mlp']:.3f} | {_mib(r['x_mib'])} | {_mib(r['mem_ours'])} | "
                f"{_mib(r['mem_mlp'])} |"
            )
    return "\n".join(lines) + "\n"


def write_doc(path, text):
    """Replace what lies between the result markers of the page at ``path``."""
    with open(path, encoding="utf-8") as f:
        page = f.read()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(page):
        raise ValueError(f"{path} has no {BEGIN} ... {END} markers")
    page = pattern.sub(lambda _: f"{BEGIN}\n{text}{END}", page)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


def plot(results, configs, dtypes, repeats, path):
    """Bars of the median ratio per configuration and dtype, whiskers min to max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=100)
    width = 0.8 / len(dtypes)
    for i, dtype in enumerate(dtypes):
        rs = [results[(name, dtype)] for name in configs]
        xs = np.arange(len(rs)) + (i - (len(dtypes) - 1) / 2) * width
        medians = np.array([r["ratio"] for r in rs])
        spread = [medians - [r["low"] for r in rs], [r["high"] for r in rs] - medians]
        bars = ax.bar(xs, medians, width, yerr=spread, capsize=3, label=dtype)
        ax.bar_label(bars, fmt="%.2f", label_type="center", fontsize=7)
    ax.set_xticks(np.arange(len(configs)), list(configs))
    ax.set_xlabel("configuration")
    ax.set_ylabel("epoch time ratio")
    ax.set_title(
        "TwoLayerClassifier / MLPClassifier, lower is faster\n"
        f"bars: median of {repeats} pairs of fits; whiskers: smallest to largest",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def profile(config, dtype, solver):
    """Print the functions where one of our fits spends its time."""
    X, y, _, _ = make_data(config, dtype, 0)
    few = max(500, config.batch_size)
    fit_quietly(estimators(config, 1, 0, solver)["ours"], X[:few], y[:few])
    model = estimators(config, config.epochs, 0, solver)["ours"]
    profiler = cProfile.Profile()
    profiler.runcall(fit_quietly, model, X, y)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def log(message):
    """Progress, on standard error, so that standard output holds the report."""
    print(message, file=sys.stderr, flush=True)


def run_all(configs, dtypes, limit, run_one):
    """``run_one(config, dtype)`` for each row, under one BLAS thread limit.

    ``run_one`` returns the row's results and a line of progress. Returns the
    results by ``(name, dtype)`` and the minutes the run took.
    """
    start = time.perf_counter()
    results = {}
    # The collection before each fit then skips the objects that exist now.
    gc.collect()
    gc.freeze()
    try:
        with threadpool_limits(limit, user_api="blas"):
            for name, config in configs.items():
                for dtype in dtypes:
                    results[(name, dtype)], line = run_one(config, np.dtype(dtype))
                    log(f"{name} {dtype}: {line}")
    finally:
        gc.unfreeze()
    return results, (time.perf_counter() - start) / 60


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, print only")
    parser.add_argument("--configs", default=None, help="e.g. A,B,E (default: all)")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--repeats", type=int, default=None, help="pairs of fits")
    parser.add_argument(
        "--threads", default="1", help="BLAS threads: a number, or 'all' (default 1)"
    )
    parser.add_argument("--solver", choices=["sgd", "adam"], default="sgd")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--profile", default=None, help="cProfile a fit of CONFIG")
    parser.add_argument(
        "--namespace",
        choices=["numpy", "torch"],
        default="numpy",
        help="torch: also time our fit on PyTorch tensors (prints only)",
    )
    parser.add_argument(
        "--device", default="cpu", help="PyTorch's device with --namespace torch"
    )
    args = parser.parse_args(argv)
    if args.namespace == "torch":
        return main_namespace(args, sys.argv[1:] if argv is None else argv)

    configs = QUICK if args.quick else CONFIGS
    if args.configs:
        configs = {k: configs[k] for k in args.configs.split(",")}
    dtypes = [np.dtype(d).name for d in args.dtypes.split(",")]
    limit = None if args.threads == "all" else int(args.threads)
    if args.profile:
        with threadpool_limits(limit, user_api="blas"):
            for dtype in dtypes:
                profile(configs[args.profile], np.dtype(dtype), args.solver)
        return {}
    repeats = args.repeats or (2 if args.quick else 11)
    # One BLAS thread: the process's CPU time, which the other jobs of a shared
    # machine inflate less than the wall clock. More threads: the wall clock.
    clock = time.process_time if limit == 1 else time.perf_counter

    def run_one(config, dtype):
        r = run_config(config, dtype, repeats, clock, args.solver, log)
        return r, f"ratio {r['ratio']:.2f}"

    results, minutes = run_all(configs, dtypes, limit, run_one)
    used = sys.argv[1:] if argv is None else argv
    info = {
        "command": " ".join(["python benchmarks/bench_fit.py", *used]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "minutes": minutes,
        "repeats": repeats,
        "threads": args.threads,
        "solver": args.solver,
    }
    text = report(results, configs, dtypes, info)
    print(text)
    if not (args.quick or args.no_write):
        write_doc(DOC, text)
        plot(results, configs, dtypes, repeats, PLOT)
    return results


def main_namespace(args, used):
    """The run of ``--namespace torch``: printed, never written to the docs."""
    import torch

    # SciPy reads it once, when first imported by scikit-learn's dispatch.
    os.environ.setdefault("SCIPY_ARRAY_API", "1")
    configs = QUICK if args.quick else CONFIGS
    if args.configs:
        configs = {k: configs[k] for k in args.configs.split(",")}
    # Sparse input stays NumPy: it has no tensor to run on.
    configs = {k: c for k, c in configs.items() if not c.sparse_density}
    dtypes = [np.dtype(d).name for d in args.dtypes.split(",")]
    limit = None if args.threads == "all" else int(args.threads)
    if limit is not None:
        torch.set_num_threads(limit)
    repeats = args.repeats or (2 if args.quick else 5)
    on_cpu = args.device == "cpu"
    clock = time.process_time if limit == 1 and on_cpu else time.perf_counter

    def run_one(config, dtype):
        r = run_namespace_config(config, dtype, repeats, clock, args.device, log)
        return r, f"tensors/NumPy {r['ratio_numpy'][0]:.2f}"

    results, minutes = run_all(configs, dtypes, limit, run_one)
    info = {
        "command": " ".join(["python benchmarks/bench_fit.py", *used]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "minutes": minutes,
        "repeats": repeats,
        "threads": args.threads,
        "torch": torch.__version__,
        "device": args.device,
    }
    print(namespace_report(results, configs, dtypes, info))
    return results


if __name__ == "__main__":
    main()
