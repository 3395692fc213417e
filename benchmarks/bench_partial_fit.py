"""Time partial_fit on sparse rows: W1 trained in place, copied, and MLPClassifier.

A ``partial_fit`` call on sparse rows that reach at most a third of W1's columns
trains the fitted W1 in place and keeps only the reached columns for a failed call;
otherwise it trains a copy of W1. This script times calls of each case against the
same calls made with the copy forced, and against MLPClassifier's ``partial_fit``
with the same hyperparameters, interleaved, on one BLAS thread. The rows are drawn
like D's in ``bench_fit.py``: text-like, columns by Zipf's law, unit-norm rows.

Usage::

    python benchmarks/bench_partial_fit.py
    python benchmarks/bench_partial_fit.py --cases text --repeats 40
    python benchmarks/bench_partial_fit.py --quick
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_twolayer import TwoLayerClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_fit


@dataclass
class Case:
    """Calls of ``rows`` rows on a model of ``n_features`` sparse features."""

    description: str
    n_features: int
    per_row: int
    hidden_size: int
    rows: int
    n_samples: int = 20_000
    batch_size: int = 256
    alpha: float = 0.5


CASES = {
    "D256": Case("D's rows, 20,000 features, 128 hidden", 20_000, 40, 128, 256),
    "D2560": Case("D's rows, 20,000 features, 128 hidden", 20_000, 40, 128, 2_560),
    "text": Case("text-like rows, 2^17 features, 64 hidden", 2**17, 60, 64, 1_000),
}

QUICK = {
    "D256": Case("tiny", 2_000, 10, 8, 32, n_samples=600, batch_size=16),
    "D2560": Case("tiny, most columns", 200, 10, 8, 320, n_samples=600, batch_size=16),
}


class CopyingClassifier(TwoLayerClassifier):
    """TwoLayerClassifier with W1 always copied, as before in-place training."""

    def _columns_to_train_in_place(self, X):
        return None


def models(case):
    """The three estimators, unfitted, configured as ``bench_fit.estimators`` does."""
    pair = bench_fit.estimators(case, 1, 0)
    return {
        "in place": pair["ours"],
        "copy": CopyingClassifier(**pair["ours"].get_params()),
        "mlp": pair["mlp"],
    }


def run_case(case, repeats, with_mlp=True):
    """Median seconds per call of each estimator, and the columns reached."""
    rng = np.random.default_rng(0)
    X, y = bench_fit._sparse_text_like(
        rng, case.n_samples, case.n_features, case.per_row
    )
    fitted = models(case)
    if not with_mlp:
        del fitted["mlp"]
    first = slice(0, case.batch_size)
    for model in fitted.values():
        model.partial_fit(X[first], y[first], classes=[0, 1])
    times = {name: [] for name in fitted}
    reached = []
    names = list(fitted)
    for r in range(repeats):
        start = case.batch_size + (r * case.rows) % (case.n_samples - case.rows)
        chunk = slice(start, start + case.rows)
        Xc, yc = X[chunk], y[chunk]
        reached.append(len(np.unique(Xc.indices)) / case.n_features)
        for name in names if r % 2 == 0 else names[::-1]:
            t = time.perf_counter()
            fitted[name].partial_fit(Xc, yc)
            times[name].append(time.perf_counter() - t)
    same = all(
        np.array_equal(getattr(fitted["in place"], a), getattr(fitted["copy"], a))
        for a in ("W1_", "b1_", "W2_", "b2_")
    )
    result = {name: statistics.median(v) for name, v in times.items()}
    result["in place / copy"] = bench_fit.median_ratio(times["in place"], times["copy"])
    result["reached"] = statistics.median(reached)
    result["same weights"] = same
    return result


def table(cases, results):
    lines = [
        "| case | rows per call | columns reached | in place (ms) | copy (ms) | "
        "in place / copy | MLPClassifier (ms) | same weights |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, r in results.items():
        case = cases[key]
        mlp = f"{1e3 * r['mlp']:.1f}" if "mlp" in r else "-"
        lines.append(
            f"| {case.description} | {case.rows:,} | {r['reached']:.0%} | "
            f"{1e3 * r['in place']:.1f} | {1e3 * r['copy']:.1f} | "
            f"{r['in place / copy']:.2f} | {mlp} | {r['same weights']} |"
        )
    return "\n".join(lines)


def main(argv=None):
    from threadpoolctl import threadpool_limits

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    parser.add_argument("--cases", default=None, help="e.g. D256,text (default all)")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--no-mlp", action="store_true", help="skip MLPClassifier")
    args = parser.parse_args(argv)
    cases = QUICK if args.quick else CASES
    if args.cases:
        cases = {k: cases[k] for k in args.cases.split(",")}
    repeats = 4 if args.quick else args.repeats
    results = {}
    with threadpool_limits(1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for key, case in cases.items():
            results[key] = run_case(case, repeats, with_mlp=not args.no_mlp)
    print(f"Command: python benchmarks/bench_partial_fit.py; median of {repeats} calls")
    print(table(cases, results))
    return results


if __name__ == "__main__":
    main()
