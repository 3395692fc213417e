"""A smoke run of the benchmark script at tiny sizes, so that it keeps working.

Nothing here asserts a timing: the machine running the tests may be busy.
"""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fit.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_fit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_writes_table_and_plot(bench, tmp_path, capsys):
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Title\n\n{bench.BEGIN}\nold\n{bench.END}\n\nAfter.\n")
    plot = tmp_path / "ratios.png"

    results = bench.main(
        [
            "--quick",
            "--configs",
            "A,D",
            "--dtypes",
            "float32",
            "--threads",
            "1",
            "--output",
            str(page),
            "--plot",
            str(plot),
        ]
    )

    assert set(results) == {("A", "float32", "1"), ("D", "float32", "1")}
    for r in results.values():
        assert r["ours"] > 0 and r["mlp"] > 0 and r["ratio"] > 0
        assert 0 <= r["acc_ours"] <= 1 and 0 <= r["acc_mlp"] <= 1
        assert r["fit_mem_ours"] > 0 and r["rows_ours"] > 0
    text = page.read_text()
    assert "old" not in text
    assert text.startswith("# Title") and text.endswith("After.\n")
    assert "| A | digits" in text and "| D |" in text
    assert plot.stat().st_size > 0
    assert "| A | digits" in capsys.readouterr().out


def test_page_without_markers_is_an_error(bench, tmp_path):
    page = tmp_path / "page.md"
    page.write_text("no markers\n")
    with pytest.raises(ValueError, match="markers"):
        bench.write_doc(page, "table\n")


def test_data_of_each_configuration_has_the_declared_shape(bench):
    import numpy as np
    import scipy.sparse as sp

    for config in bench.QUICK.values():
        X, y, X_test, y_test = bench.make_data(config, np.float32, n_test=7)
        assert X.dtype == np.float32
        assert X.shape == (config.n_samples, config.n_features)
        assert len(np.unique(y)) == config.n_classes
        assert sp.issparse(X) == bool(config.sparse_density)
        if not config.digits:
            assert X_test.shape[0] == len(y_test) == 7
