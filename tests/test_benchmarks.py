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
    # The floor and the bare step are timed for dense X only.
    floor = results[("A", "float32", "1")]
    assert floor["floor"] > 0 and floor["floor_ratio"] > 0 and floor["ours_floor"] > 0
    assert floor["bare"] > 0 and floor["bare_ratio"] > 0 and floor["ours_bare"] > 0
    assert "floor" not in results[("D", "float32", "1")]
    assert "bare" not in results[("D", "float32", "1")]
    text = page.read_text()
    assert "### The BLAS floor and the bare NumPy step" in text
    assert "| A | float32 |" in text
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


@pytest.mark.parametrize(
    "ratio, target, text",
    [
        (0.2507, 0.25, "0.2507"),  # rounds onto its target but misses it
        (0.2459, 0.25, "0.2459"),  # rounds onto its target and meets it
        (0.3986, 0.40, "0.3986"),
        (0.25, 0.25, "0.25"),
        (0.4212, 0.40, "0.42"),
        (0.0912, 0.15, "0.09"),
    ],
)
def test_ratio_shows_which_side_of_its_target_it_falls(bench, ratio, target, text):
    assert bench.ratio_text(ratio, target) == text


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


def _product_calls(bench, monkeypatch, run):
    """Shapes and memory orders of the products with X that ``run()`` makes."""
    import sklearn_twolayer._network as network

    calls = []
    original = network._matmul

    def recording(A, B, out=None):
        layout = [(a.shape, a.flags.c_contiguous, a.flags.f_contiguous) for a in (A, B)]
        calls.append((*layout, out is not None and out.flags.c_contiguous))
        return original(A, B, out=out)

    monkeypatch.setattr(network, "_matmul", recording)
    monkeypatch.setattr(bench, "_matmul", recording)
    run()
    monkeypatch.undo()
    return sorted(calls, key=repr)


@pytest.mark.parametrize(
    "name, batch_size, hidden_size",
    # Binary with m * h = 8192 takes fit's factored path for one output unit.
    [("A", 50, 16), ("B", 32, 16), ("B", 128, 64)],
)
def test_floor_makes_the_products_of_a_fit(
    bench, monkeypatch, name, batch_size, hidden_size
):
    import dataclasses

    import numpy as np

    config = dataclasses.replace(
        bench.QUICK[name], batch_size=batch_size, hidden_size=hidden_size, epochs=1
    )
    X, y, _, _ = bench.make_data(config, np.float64, n_test=0)
    model = bench.estimators(config, 1, 0)["ours"]
    fit_calls = _product_calls(bench, monkeypatch, lambda: bench.timed_fit(model, X, y))
    n_outputs = model.n_outputs_
    floor_calls = _product_calls(
        bench, monkeypatch, lambda: bench.floor_fit(config, X, n_outputs, 1, 0)
    )

    # Per batch, the two products with X, and dW2 unless one output unit makes it
    # a vector product; the last batch is shorter.
    n_batches = -(-X.shape[0] // batch_size)
    assert len(fit_calls) == (2 if n_outputs == 1 else 3) * n_batches
    assert floor_calls == fit_calls


@pytest.fixture(scope="module")
def compiled_step():
    path = SCRIPT.parent / "compiled_step.py"
    spec = importlib.util.spec_from_file_location("compiled_step", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _relu_params(d, h, K, seed):
    import numpy as np

    from sklearn_twolayer._network import init_params

    params = init_params(d, h, K, "relu", np.random.RandomState(seed), np.float64, "F")
    rng = np.random.default_rng(seed)
    # Nonzero biases, so that their gradients and updates are checked too.
    params.b1[:] = 0.1 * rng.standard_normal(h)
    params.b2[:] = 0.1 * rng.standard_normal(K)
    return params


@pytest.mark.parametrize("step_type", ["CompiledStep", "BareStep"])
@pytest.mark.parametrize("n_classes, far", [(2, False), (5, False), (5, True)])
def test_compiled_step_gives_the_package_step(compiled_step, n_classes, far, step_type):
    import numpy as np
    from numpy.testing import assert_allclose

    from sklearn_twolayer._network import loss_and_grads

    rng = np.random.default_rng(n_classes)
    m, d, h, alpha = 12, 7, 6, 0.3
    K = 1 if n_classes == 2 else n_classes
    X = rng.standard_normal((m, d))
    codes = np.arange(m) % n_classes
    Y = codes[:, None].astype(float) if K == 1 else np.eye(K)[codes]
    params = _relu_params(d, h, K, 0)
    if far:
        # A logit beyond exp's range above the target's, on the rows of the other
        # classes: the softmax then shifts by the row maximum.
        params.b2[1] = 800.0
    out_activation = "logistic" if K == 1 else "softmax"
    J, grads = loss_and_grads(params, X, Y, out_activation=out_activation)

    # Buffers for a longer batch, as for the last batch of an epoch.
    step = getattr(compiled_step, step_type)(*params, batch_size=m + 3)
    loss = step.step(X, codes, alpha)

    assert loss / m == pytest.approx(J, rel=1e-12)
    for new, p, g in zip(step.params, params, grads, strict=True):
        assert_allclose(new, p - alpha * g, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("step_type", ["CompiledStep", "BareStep"])
def test_compiled_fit_trains_as_the_package_does(bench, compiled_step, step_type):
    import numpy as np

    from sklearn_twolayer._network import Params, loss_and_grads

    config = bench.QUICK["A"]
    X, y, _, _ = bench.make_data(config, np.float64, n_test=0)
    Y = np.eye(10)[y]

    def objective(params):
        return loss_and_grads(Params(*params), X, Y, out_activation="softmax")[0]

    model = bench.estimators(config, 20, 0)["ours"]
    bench.timed_fit(model, X, y)
    ours = objective((model.W1_, model.b1_, model.W2_, model.b2_))
    step_type = getattr(compiled_step, step_type)
    codes = y.astype(np.intp)
    untrained = compiled_step.compiled_fit(config, X, codes, 10, 0, 0, step_type)
    trained = compiled_step.compiled_fit(config, X, codes, 10, 20, 0, step_type)

    # From other initial weights and row orders: the same objective within a
    # fifth (measured 0.607 against 0.606; 2.34 untrained).
    assert objective(trained.params) < 0.5 * objective(untrained.params)
    assert objective(trained.params) == pytest.approx(ours, rel=0.2)


def test_step_timings_run(compiled_step, monkeypatch, capsys):
    # Without numba the compiled loops run as Python, too slow to time; with it,
    # compiling them would dominate the test.
    monkeypatch.setattr(compiled_step, "HAVE_NUMBA", False)

    times = compiled_step.main(["A", "float32", "--repeats", "1"])

    assert set(times) == {"ours", "mlp", "bare"}
    assert all(len(t) == 1 and t[0] > 0 for t in times.values())
    out = capsys.readouterr().out
    assert "ours/mlp" in out and "ours/bare" in out and "compiled" not in out


def test_partial_fit_benchmark_quick_run(capsys):
    path = SCRIPT.with_name("bench_partial_fit.py")
    spec = importlib.util.spec_from_file_location("bench_partial_fit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    results = module.main(["--quick"])

    assert set(results) == {"D256", "D2560"}
    for r in results.values():
        assert r["in place"] > 0 and r["copy"] > 0 and r["mlp"] > 0
        # Forcing the copy changes nothing but the time.
        assert r["same weights"]
    # The first case reaches a tenth of the columns (trained in place), the second
    # all of them (copied).
    assert results["D256"]["reached"] < 1 / 3 < results["D2560"]["reached"]
    assert "| tiny | 32 |" in capsys.readouterr().out
