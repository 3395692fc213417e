"""The benchmark script at tiny sizes, so that it keeps working.

Nothing here asserts a timing: the machine running the tests may be busy.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fit.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_fit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_prints_both_estimators_and_writes_nothing(
    bench, tmp_path, monkeypatch, capsys
):
    page, png = tmp_path / "benchmarks.md", tmp_path / "ratios.png"
    page.write_text(f"{bench.BEGIN}\nold\n{bench.END}\n")
    monkeypatch.setattr(bench, "DOC", str(page))
    monkeypatch.setattr(bench, "PLOT", str(png))

    results = bench.main(["--quick", "--configs", "A,D"])

    assert set(results) == {(c, d) for c in "AD" for d in ("float64", "float32")}
    for r in results.values():
        assert r["ours"] > 0 and r["mlp"] > 0
        assert 0 < r["low"] <= r["ratio"] <= r["high"]
        assert 0 <= r["acc_ours"] <= 1 and 0 <= r["acc_mlp"] <= 1
        assert r["mem_ours"] > 0 and r["mem_mlp"] > 0
    out = capsys.readouterr().out
    assert out.startswith("Command: `python benchmarks/bench_fit.py --quick")
    assert "### float64" in out and "### float32" in out
    assert "TwoLayerClassifier s/epoch | MLPClassifier s/epoch" in out
    # A row per configuration and dtype, with a range of the ratio.
    rows = [
        r for r in out.splitlines() if r.startswith(("| A |", "| D |")) and "**" in r
    ]
    assert len(rows) == 4 and all("–" in row for row in rows)
    assert page.read_text() == f"{bench.BEGIN}\nold\n{bench.END}\n"
    assert not png.exists()


def test_solver_is_passed_to_twolayer_only_when_not_sgd(bench, monkeypatch):
    config = bench.QUICK["B"]
    calls = []
    monkeypatch.setattr(bench, "TwoLayerClassifier", lambda **kw: calls.append(kw))

    sgd = bench.estimators(config, 1, 0)
    adam = bench.estimators(config, 1, 0, solver="adam")

    # The default run needs no parameter beyond plain gradient descent.
    assert "solver" not in calls[0] and calls[0]["alpha"] == config.learning_rate
    assert sgd["mlp"].solver == "sgd" and sgd["mlp"].momentum == 0
    assert calls[1]["solver"] == "adam" and adam["mlp"].solver == "adam"
    assert calls[1]["alpha"] == adam["mlp"].learning_rate_init


def test_report_states_the_learning_rate_of_the_solver(bench):
    config = bench.QUICK["B"]
    info = dict(command="", date="", minutes=0.0, repeats=1, threads=1, solver="adam")
    (row,) = [
        line
        for line in bench.report({}, {"B": config}, [], info).splitlines()
        if line.startswith("| B |")
    ]
    assert "| 0.001 |" in row and f"| {config.learning_rate:g} |" not in row


def test_page_is_rewritten_between_its_markers(bench, tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n{bench.BEGIN}\nold\n{bench.END}\n\nAfter.\n")

    bench.write_doc(page, "new\n")

    assert page.read_text() == f"# Title\n\n{bench.BEGIN}\nnew\n{bench.END}\n\nAfter.\n"
    page.write_text("no markers\n")
    with pytest.raises(ValueError, match="markers"):
        bench.write_doc(page, "table\n")


def test_plot_of_ratios_is_written(bench, tmp_path):
    results = {
        (c, d): {"ratio": 0.5, "low": 0.4, "high": 0.7}
        for c in "AB"
        for d in ("float64", "float32")
    }
    path = tmp_path / "ratios.png"

    bench.plot(results, {"A": None, "B": None}, ["float64", "float32"], 3, path)

    assert path.read_bytes().startswith(b"\x89PNG")


def test_ratio_summary_pairs_the_timings(bench):
    # Pair by pair: 0.5, 0.25 and 1.0; the ratio of the medians would be 1.
    median, low, high = bench.ratio_summary([1.0, 2.0, 4.0], [2.0, 8.0, 4.0])

    assert (median, low, high) == (0.5, 0.25, 1.0)
    with pytest.raises(ValueError):
        bench.ratio_summary([1.0, 2.0], [1.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_data_of_each_configuration_has_the_declared_shape(bench, dtype):
    for config in bench.QUICK.values():
        X, y, X_test, y_test = bench.make_data(config, dtype, n_test=7)
        assert X.dtype == dtype and X_test.dtype == dtype
        assert X.shape == (config.n_samples, config.n_features)
        assert len(y) == config.n_samples
        assert len(np.unique(y)) == config.n_classes
        assert sp.issparse(X) == bool(config.sparse_density)
        if not config.digits:
            assert X_test.shape == (7, config.n_features) and len(y_test) == 7


def test_sparse_rows_are_text_like(bench):
    rng = np.random.default_rng(0)

    X, y = bench.sparse_text_like(rng, n=300, d=1000, per_row=20)

    assert X.format == "csr"
    # Exactly per_row distinct columns a row, positive values, unit-norm rows.
    assert np.all(np.diff(X.indptr) == 20)
    assert all(len(set(row.indices)) == 20 for row in X)
    assert X.data.min() > 0
    np.testing.assert_allclose(X.multiply(X).sum(axis=1), 1.0)
    # Low columns are the frequent words; the labels split at the median.
    counts = np.bincount(X.indices, minlength=1000)
    assert counts[:10].sum() > counts[-100:].sum()
    assert y.sum() == 150


def test_namespace_torch_times_three_fits_and_leaves_sparse_out(bench, capsys):
    pytest.importorskip("torch")

    results = bench.main(
        ["--quick", "--namespace", "torch", "--configs", "A,D", "--dtypes", "float32"]
    )

    # D is sparse: it has no tensor to run on.
    assert set(results) == {("A", "float32")}
    r = results[("A", "float32")]
    assert r["torch"] > 0 and r["ours"] > 0 and r["mlp"] > 0
    assert r["ratio_numpy"][1] <= r["ratio_numpy"][0] <= r["ratio_numpy"][2]
    assert 0 <= r["acc_torch"] <= 1
    out = capsys.readouterr().out
    assert "on tensors s/epoch | on NumPy s/epoch | MLPClassifier s/epoch" in out
    assert "PyTorch" in out and "| A |" in out and "| D |" not in out
