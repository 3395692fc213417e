"""Training and prediction in other array namespaces (array_api_strict, PyTorch).

Under ``sklearn.set_config(array_api_dispatch=True)`` a fit on the arrays of another
library computes in their namespace, on their device, and must give the model that
NumPy input gives with the same ``random_state``, to rounding. array_api_strict
stands for any library (it refuses everything the standard does not promise);
PyTorch is tested where it is installed, on the CPU and on CUDA when there is one.
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from _helpers import (
    DISPATCH_AVAILABLE,
    FITTED,
    fit_quietly,
    make_data,
    needs_dispatch,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_multilabel_classification

from sklearn_twolayer import TwoLayerClassifier, to_numpy
from sklearn_twolayer._activations import (
    ACTIVATIONS,
    log_sigmoid,
    log_softmax,
    sigmoid,
    softmax,
)
from sklearn_twolayer._arrays import ArrayOps, float_dtypes, operations, to_host
from sklearn_twolayer._network import Params, loss_and_grads

xps = pytest.importorskip("array_api_strict")


class Place:
    """A namespace and device to put NumPy arrays in, and to recognise them by."""

    def __init__(self, name, convert, xp_name, device):
        self.name, self._convert = name, convert
        self.xp_name, self.device = xp_name, device

    def __call__(self, a):
        return None if a is None else self._convert(np.asarray(a))

    def holds(self, a):
        """Whether ``a`` is an array of this namespace on this device."""
        xp, device = _namespace(a)
        return xp == self.xp_name and device == self.device

    def __repr__(self):
        return self.name


def _namespace(a):
    from array_api_compat import array_namespace, device

    return array_namespace(a).__name__, device(a)


def _strict(device_name):
    device = xps.Device(device_name)
    return Place(
        f"strict-{device_name}",
        lambda a: xps.asarray(a, device=device),
        "array_api_strict",
        device,
    )


def _torch(device_name):
    def make():
        torch = pytest.importorskip("torch")
        if device_name == "cuda" and not torch.cuda.is_available():
            pytest.skip("CUDA is not available")
        device = torch.device(device_name)
        return Place(
            f"torch-{device_name}",
            lambda a: torch.asarray(a, device=device),
            "array_api_compat.torch",
            device,
        )

    return make


PLACES = {
    "strict-CPU_DEVICE": lambda: _strict("CPU_DEVICE"),
    "strict-device1": lambda: _strict("device1"),
    "torch-cpu": _torch("cpu"),
    "torch-cuda": _torch("cuda"),
}


@pytest.fixture(params=list(PLACES))
def place(request):
    return PLACES[request.param]()


@pytest.fixture
def dispatch():
    if not DISPATCH_AVAILABLE:
        pytest.skip("scikit-learn's array API dispatch needs SciPy >= 1.14")
    with sklearn.config_context(array_api_dispatch=True):
        yield


def _problem(target, dtype, n_samples=64, seed=0):
    if target == "multilabel":
        X, y = make_multilabel_classification(
            n_samples=n_samples, n_features=5, n_classes=3, random_state=seed
        )
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    else:
        X, y = make_data(2 if target == "binary" else 3, n_samples, 5, seed)
    return X.astype(dtype), y


# Each target with another update rule, so that every rule's state lives in the
# namespace too.
TARGETS = {
    "binary": {"momentum": 0.9},
    "softmax": {"l2": 1e-2, "solver": "adam", "alpha": 0.01},
    "ovr": {
        "multiclass": "ovr",
        "activation": "tanh",
        "momentum": 0.5,
        "nesterovs_momentum": True,
        "learning_rate": "invscaling",
    },
    "multilabel": {"activation": "logistic", "momentum": 0.9, "l2": 1e-3},
}

# The arrays of each rule's state (see _optimizer.Optimizer.state).
STATE_ARRAYS = {"sgd": ("velocity",), "adam": ("ms", "vs")}


def _model(**params):
    defaults = {"hidden_size": 8, "batch_size": 16, "max_iter": 5, "random_state": 0}
    return TwoLayerClassifier(**{**defaults, **params})


def assert_close(actual, expected, dtype, name=""):
    """Equal to rounding: rtol 1e-6 in float64; 2e-3 in float32, with an atol.

    In float32 the rounding of five epochs of sums reaches about 1e-7 of an array's
    largest entries in any entry (the prototype's runs: at most 7.4e-7 normwise);
    an entry near zero, such as a bias of -7e-6, then differs by far more than 2e-3
    of itself while agreeing to 1e-8 absolutely. The atol of 1e-5 of the array's
    largest magnitude covers those, and nothing a real difference would make.
    """
    actual = to_host(actual)
    assert isinstance(actual, np.ndarray), name
    if np.dtype(dtype) == np.float64:
        assert_allclose(actual, expected, rtol=1e-6, err_msg=name)
    else:
        scale = float(np.max(np.abs(expected))) if np.size(expected) else 0.0
        assert_allclose(actual, expected, rtol=2e-3, atol=1e-5 * scale, err_msg=name)


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fit_in_a_namespace_equals_the_numpy_fit(place, target, dtype, dispatch):
    X, y = _problem(target, dtype)
    params = TARGETS[target]
    reference = fit_quietly(_model(**params), X, y)

    model = fit_quietly(_model(**params), place(X), place(y))

    for name in FITTED:
        value = getattr(model, name)
        assert place.holds(value), name
        assert to_host(value).dtype == dtype, name
        assert_close(value, getattr(reference, name), dtype, name)
    state = model._optimizer_state
    for key in STATE_ARRAYS[state["solver"]]:
        assert len(state[key]) == 4
        assert all(place.holds(a) for a in state[key]), key
        for a, b in zip(state[key], reference._optimizer_state[key], strict=True):
            assert_close(a, b, dtype, key)
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-5)
    for method in ("decision_function", "predict_proba", "predict_log_proba"):
        output = getattr(model, method)(place(X))
        expected = getattr(reference, method)(X)
        assert place.holds(output), method
        assert to_host(output).shape == expected.shape, method
        assert_close(output, expected, dtype, method)
    predicted = model.predict(place(X))
    assert place.holds(predicted)
    assert_array_equal(to_host(predicted), reference.predict(X))
    score = model.score(place(X), place(y))
    assert isinstance(score, float)
    assert score == pytest.approx(reference.score(X, y), abs=1e-6)


def test_classes_follow_y_and_predictions_follow_x(dispatch):
    X, y = _problem("softmax", np.float64)
    strict = _strict("device1")
    other = _strict("CPU_DEVICE")

    model = fit_quietly(_model(), strict(X), other(y))

    # classes_ stays where y was, as in scikit-learn's array API classifiers.
    assert other.holds(model.classes_)
    assert_array_equal(to_host(model.classes_), [0, 1, 2])
    assert strict.holds(model.W1_)
    assert strict.holds(model.predict(strict(X)))
    # NumPy labels: NumPy classes_; predictions still in X's namespace.
    model = fit_quietly(_model(), strict(X), y)
    assert isinstance(model.classes_, np.ndarray)
    assert strict.holds(model.predict(strict(X)))


def test_string_labels_stay_numpy(dispatch):
    X, y = _problem("softmax", np.float64)
    labels = np.array(["ant", "bee", "cat"])[y]
    strict = _strict("device1")

    model = fit_quietly(_model(), strict(X), labels)

    assert strict.holds(model.W1_)
    assert model.classes_.tolist() == ["ant", "bee", "cat"]
    predicted = model.predict(strict(X))
    assert isinstance(predicted, np.ndarray) and predicted.dtype.kind == "U"
    reference = fit_quietly(_model(), X, labels)
    assert_array_equal(predicted, reference.predict(X))


@pytest.mark.parametrize("other", ["numpy", "torch-cpu", "strict-CPU_DEVICE"])
def test_mixed_inputs_follow_x(other, dispatch):
    X, y = _problem("softmax", np.float64)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    X_val, y_val = _problem("softmax", np.float64, n_samples=30, seed=1)
    here = _strict("device1")
    there = (lambda a: a) if other == "numpy" else PLACES[other]()
    params = {"class_weight": "balanced", "momentum": 0.5}

    same = fit_quietly(
        _model(**params),
        here(X),
        here(y),
        here(weights),
        X_val=here(X_val),
        y_val=here(y_val),
    )
    mixed = fit_quietly(
        _model(**params),
        here(X),
        there(y),
        there(weights),
        X_val=there(X_val),
        y_val=there(y_val),
    )

    for name in FITTED:
        assert here.holds(getattr(mixed, name))
        assert_array_equal(to_host(getattr(mixed, name)), to_host(getattr(same, name)))
    assert mixed.validation_scores_ == same.validation_scores_
    assert here.holds(mixed.predict_proba(here(X)))


METHODS = ["decision_function", "predict", "predict_log_proba", "predict_proba"]


@pytest.mark.parametrize("method", METHODS)
def test_prediction_refuses_another_namespace(method, dispatch):
    X, y = _problem("binary", np.float64)
    strict = _strict("CPU_DEVICE")
    in_strict = fit_quietly(_model(), strict(X), strict(y))
    in_numpy = fit_quietly(_model(), X, y)
    message = rf"TwoLayerClassifier\.{method}\(\) must use the same namespace"

    with pytest.raises(ValueError, match=message):
        getattr(in_strict, method)(X)
    with pytest.raises(ValueError, match=message):
        getattr(in_numpy, method)(strict(X))
    with pytest.raises(ValueError, match=message):
        getattr(in_strict, method)(_strict("device1")(X))
    with sklearn.config_context(array_api_dispatch=False):
        # Without dispatch X would become a NumPy array, which the weights of
        # another namespace cannot take.
        with pytest.raises(ValueError, match="array_api_dispatch is off"):
            getattr(in_strict, method)(X)
    # NumPy, sparse and array-like inputs all go with a NumPy model.
    getattr(in_numpy, method)(X.tolist())
    getattr(in_numpy, method)(sp.csr_matrix(X))


def test_continuing_in_another_namespace_raises_and_changes_nothing(dispatch):
    X, y = _problem("binary", np.float64)
    strict = _strict("device1")
    model = fit_quietly(_model(warm_start=True), strict(X), strict(y))
    W1 = model.W1_

    with pytest.raises(ValueError, match=r"partial_fit\(\) must use the same"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"fit\(\) must use the same"):
        model.fit(_strict("CPU_DEVICE")(X), y)
    assert model.W1_ is W1
    # A new fit may move: warm_start=False starts afresh wherever X is.
    model.set_params(warm_start=False)
    assert isinstance(fit_quietly(model, X, y).W1_, np.ndarray)


def test_partial_fit_stream_equals_the_numpy_stream(place, dispatch):
    X, y = _problem("softmax", np.float64, n_samples=48)
    weights = np.linspace(0.5, 2.0, len(y))
    chunks = [slice(0, 20), slice(20, 21), slice(21, 48)]
    one_class = np.flatnonzero(y == 2)[:5]
    params = {"class_weight": "balanced", "momentum": 0.5}
    reference, model = _model(**params), _model(**params)

    for chunk in chunks:
        classes = np.array([2, 0, 1]) if chunk.start == 0 else None
        reference.partial_fit(X[chunk], y[chunk], classes, weights[chunk])
        model.partial_fit(
            place(X[chunk]), place(y[chunk]), classes, place(weights[chunk])
        )
    # A chunk of one class.
    reference.partial_fit(X[one_class], y[one_class])
    model.partial_fit(place(X[one_class]), place(y[one_class]))

    assert model.t_ == reference.t_ == 53 and model.n_iter_ == 4
    assert_allclose(model._class_counts, reference._class_counts)
    for name in FITTED:
        assert place.holds(getattr(model, name))
        assert_close(getattr(model, name), getattr(reference, name), np.float64)


def test_early_stopping_and_warm_start_in_the_namespace(place, dispatch):
    X, y = _problem("softmax", np.float64, n_samples=120)
    params = {
        "early_stopping": True,
        "n_iter_no_change": 3,
        "max_iter": 12,
        "learning_rate": "adaptive",
    }
    reference = fit_quietly(_model(warm_start=True, **params), X, y)
    model = fit_quietly(_model(warm_start=True, **params), place(X), place(y))

    assert model.n_iter_ == reference.n_iter_
    assert_allclose(model.validation_scores_, reference.validation_scores_)
    assert_allclose(model.validation_loss_curve_, reference.validation_loss_curve_)
    # The best epoch's weights are kept, as in NumPy, with its optimiser state.
    assert_close(model.W1_, reference.W1_, np.float64)
    rate = model._optimizer_state["learning_rate"]
    assert rate == reference._optimizer_state["learning_rate"]

    fit_quietly(reference, X, y)
    fit_quietly(model, place(X), place(y))

    assert len(model.loss_curve_) == len(reference.loss_curve_)
    assert place.holds(model.W2_)
    assert_close(model.W2_, reference.W2_, np.float64)


def test_class_and_sample_weights_in_the_namespace(place, dispatch):
    X, y = _problem("softmax", np.float64)
    weights = np.random.default_rng(1).uniform(0, 2, len(y))
    params = {"class_weight": {0: 2.0, 2: 0.5}}

    reference = fit_quietly(_model(**params), X, y, weights)
    model = fit_quietly(_model(**params), place(X), place(y), place(weights))

    assert_close(model.W1_, reference.W1_, np.float64)
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-6)


def test_a_diverging_fit_raises_and_keeps_the_model(dispatch):
    X, y = _problem("binary", np.float64)
    strict = _strict("device1")
    model = fit_quietly(_model(warm_start=True), strict(X), strict(y))
    before = to_host(model.W1_).copy()

    model.set_params(alpha=1e300)
    with pytest.raises(ValueError, match="became non-finite"):
        model.fit(strict(X * 1e10), strict(y))

    assert_array_equal(to_host(model.W1_), before)
    assert model.n_iter_ == 5


def test_without_dispatch_torch_input_takes_the_numpy_path():
    torch = pytest.importorskip("torch")
    X, y = _problem("binary", np.float64)

    model = fit_quietly(_model(), torch.asarray(X), torch.asarray(y))

    assert isinstance(model.W1_, np.ndarray) and isinstance(model.classes_, np.ndarray)
    assert isinstance(model.predict_proba(torch.asarray(X)), np.ndarray)
    assert_array_equal(model.W1_, fit_quietly(_model(), X, y).W1_)


def test_sparse_x_with_labels_of_another_namespace_is_a_numpy_model(dispatch):
    X, y = _problem("binary", np.float64)
    strict = _strict("device1")

    model = fit_quietly(_model(), sp.csr_matrix(X), strict(y))

    assert isinstance(model.W1_, np.ndarray)
    # classes_ follows y; the model is the dense NumPy one.
    assert strict.holds(model.classes_)
    assert_allclose(model.W1_, fit_quietly(_model(), X, y).W1_, rtol=1e-12)
    assert isinstance(model.predict(sp.csr_matrix(X)), np.ndarray)


def test_integer_x_trains_float64_weights(dispatch):
    X, y = _problem("binary", np.float64)
    strict = _strict("CPU_DEVICE")

    model = fit_quietly(_model(), strict(np.round(X * 4).astype(np.int64)), y)

    assert model.W1_.dtype == xps.float64


class _Float32Only:
    """The inspection API of a device without float64 (Apple's MPS)."""

    def __init__(self, xp):
        self.xp = xp

    def __array_namespace_info__(self):
        return self

    def dtypes(self, kind=None, device=None):
        return {"float32": self.xp.float32}

    def __getattr__(self, name):
        return getattr(self.xp, name)


def test_devices_without_float64_get_float32():
    assert float_dtypes(_Float32Only(xps), None) == (xps.float32,)
    assert float_dtypes(xps, xps.Device("device1")) == (xps.float64, xps.float32)


def test_pickle_of_a_model_fitted_in_a_namespace(place, dispatch):
    X, y = _problem("softmax", np.float32)
    model = fit_quietly(_model(momentum=0.5), place(X), place(y))

    loaded = pickle.loads(pickle.dumps(model))

    assert place.holds(loaded.W1_)
    assert place.holds(loaded._optimizer_state["velocity"][0])
    assert_array_equal(
        to_host(loaded.predict_proba(place(X))), to_host(model.predict_proba(place(X)))
    )


def test_to_numpy_copies_every_array_to_numpy(place, dispatch):
    skops_io = pytest.importorskip("skops.io")
    from sklearn_twolayer import SKOPS_TRUSTED_TYPES

    X, y = _problem("softmax", np.float32)
    model = fit_quietly(_model(momentum=0.5), place(X), place(y))

    host = to_numpy(model)

    for name in (*FITTED, "classes_"):
        assert isinstance(getattr(host, name), np.ndarray), name
        assert_array_equal(getattr(host, name), to_host(getattr(model, name)))
    velocity = host._optimizer_state["velocity"]
    assert all(isinstance(v, np.ndarray) for v in velocity)
    assert place.holds(model._optimizer_state["velocity"][0])
    assert place.holds(model.W1_)  # the model itself is unchanged
    expected = to_host(model.predict_proba(place(X)))
    assert_close(host.predict_proba(X), expected, np.float32)
    data = skops_io.dumps(host)
    assert skops_io.get_untrusted_types(data=data) == SKOPS_TRUSTED_TYPES
    loaded = skops_io.loads(data, trusted=SKOPS_TRUSTED_TYPES)
    assert_array_equal(loaded.predict(X), host.predict(X))


@needs_dispatch
def test_to_numpy_converts_a_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _problem("binary", np.float64)
    strict = _strict("device1")
    with sklearn.config_context(array_api_dispatch=True), warnings.catch_warnings():
        # StandardScaler's first running variance is 0/0 on array_api_strict,
        # which lets NumPy warn where NumPy input would not.
        warnings.filterwarnings("ignore", "invalid value", RuntimeWarning)
        pipe = make_pipeline(StandardScaler(), _model())
        fit_quietly(pipe, strict(X), strict(y))

    host = to_numpy(pipe)

    assert isinstance(host[0].mean_, np.ndarray) and isinstance(host[1].W1_, np.ndarray)
    assert strict.holds(pipe[1].W1_)
    with sklearn.config_context(array_api_dispatch=True):
        expected = to_host(pipe.predict(strict(X)))
    assert_array_equal(host.predict(X), expected)


# ------------------------------------------------------------------ the math


def _math_problem(out_activation, n_outputs, seed=0):
    rng = np.random.default_rng(seed)
    m, d, h = 7, 4, 5
    params = Params(
        rng.normal(size=(h, d)), rng.normal(size=h), rng.normal(size=(n_outputs, h)),
        rng.normal(size=n_outputs),
    )  # fmt: skip
    X = rng.normal(size=(m, d))
    if out_activation == "softmax":
        Y = np.eye(n_outputs)[rng.integers(0, n_outputs, m)]
    else:
        Y = rng.integers(0, 2, (m, n_outputs)).astype(float)
    return params, X, Y, rng.uniform(0.5, 2, m)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "out_activation, n_outputs", [("logistic", 1), ("logistic", 3), ("softmax", 4)]
)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_namespace_math_equals_numpy_kernels(
    activation, out_activation, n_outputs, weighted
):
    # One implementation: the formulas run with NumPy's operations (its out=
    # arrays, scipy's expit, sums as products with ones) and with those of
    # array_api_strict give the same J and gradients, to rounding.
    params, X, Y, w = _math_problem(out_activation, n_outputs)
    w = w if weighted else None
    device = xps.Device("CPU_DEVICE")
    strict = ArrayOps(xps, device)

    def put(a):
        return None if a is None else xps.asarray(a, device=device)

    args = (1e-2, activation, out_activation)
    J, grads = loss_and_grads(params, X, Y, w, *args)
    J_xp, grads_xp = loss_and_grads(
        Params(*map(put, params)), put(X), put(Y), put(w), *args, xp=strict
    )

    assert float(J_xp) == pytest.approx(J, rel=1e-14)
    for name, g, g_xp in zip(Params._fields, grads, grads_xp, strict=True):
        assert _namespace(g_xp)[0] == "array_api_strict"
        assert_allclose(to_host(g_xp), g, rtol=1e-12, atol=1e-15, err_msg=name)


def test_operations_follow_the_arrays():
    assert operations(np.ones(2)).is_numpy
    assert operations(sp.csr_matrix(np.ones((2, 2)))).is_numpy
    ops = operations(xps.ones(2))
    assert isinstance(ops, ArrayOps) and ops.xp is xps


@pytest.mark.parametrize("name", ["strict-CPU_DEVICE", "torch-cpu"])
def test_output_activations_are_stable_in_the_namespace(name):
    place = PLACES[name]()
    z = 1e4
    Z = np.array([[-z, 0.0, z], [z, z, -z], [-z, -z + 1, -z + 2]])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            results = [
                to_host(f(place(Z)))
                for f in (sigmoid, log_sigmoid, softmax, log_softmax)
            ]
            slopes = [to_host(g.backward(g.forward(place(Z)), place(Z))) for g in
                      ACTIVATIONS.values()]  # fmt: skip

    functions = (sigmoid, log_sigmoid, softmax, log_softmax)
    for result, f in zip(results, functions, strict=True):
        assert np.isfinite(result).all()
        assert_allclose(result, f(Z), rtol=1e-12, atol=1e-300, err_msg=f.__name__)
    assert all(np.isfinite(s).all() for s in slopes)


# ------------------------------------------------------- the user guide's example


@needs_dispatch
def test_user_guide_example_runs_on_pytorch():
    pytest.importorskip("torch")
    # Array API example: start
    import torch
    from sklearn import config_context
    from sklearn.datasets import load_digits

    from sklearn_twolayer import TwoLayerClassifier, to_numpy

    device = "cuda" if torch.cuda.is_available() else "cpu"
    X, y = load_digits(return_X_y=True)
    X = torch.asarray(X / 16, dtype=torch.float32, device=device)
    y = torch.asarray(y, device=device)

    with config_context(array_api_dispatch=True):
        model = TwoLayerClassifier(tol=1e-3, random_state=0).fit(X, y)
        proba = model.predict_proba(X[:5])  # a float32 tensor on `device`
        accuracy = model.score(X, y)  # a Python float

    numpy_model = to_numpy(model)  # the same model with NumPy arrays
    # Array API example: end
    assert model.W1_.device == proba.device == X.device
    assert proba.dtype == torch.float32 and proba.shape == (5, 10)
    assert accuracy > 0.95
    assert isinstance(numpy_model.W1_, np.ndarray)
    reference = TwoLayerClassifier(tol=1e-3, random_state=0)
    reference.fit(to_host(X), to_host(y))
    assert model.n_iter_ == reference.n_iter_
    assert_close(model.W1_, reference.W1_, np.float32)


def test_scoring_monitor_scores_each_epoch_in_the_namespace(dispatch):
    callback = pytest.importorskip("sklearn.callback")
    X, y = _problem("binary", np.float64)
    strict = _strict("device1")
    monitor = callback.ScoringMonitor(scoring="accuracy")
    model = _model(max_iter=4).set_callbacks(monitor)

    fit_quietly(model, strict(X), strict(y))

    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    assert len(epochs) == 4
    assert epochs[-1]["accuracy"] == pytest.approx(model.score(strict(X), y))


def test_ctrl_c_keeps_the_last_finished_epoch_in_the_namespace(faults, dispatch):
    X, y = _problem("binary", np.float64)  # 64 rows: 4 steps an epoch
    strict = _strict("device1")
    faults.fail(KeyboardInterrupt, at=6)

    with pytest.warns(UserWarning, match=r"last finished epoch \(1 in this call\)"):
        model = _model(momentum=0.9, max_iter=3).fit(strict(X), strict(y))

    one_epoch = fit_quietly(_model(momentum=0.9, max_iter=1), X, y)
    assert model.n_iter_ == 1 and strict.holds(model.W1_)
    for name in FITTED:
        assert_close(getattr(model, name), getattr(one_epoch, name), np.float64)


def test_weights_set_by_hand_start_a_partial_fit_in_the_namespace(dispatch):
    # One partial_fit on a batch makes exactly one step from weights set by hand,
    # whatever their namespace: they join X's.
    X, y = _problem("binary", np.float64, n_samples=16)
    rng = np.random.default_rng(0)
    weights = {
        "W1_": rng.normal(size=(8, 5)),
        "b1_": rng.normal(size=8),
        "W2_": rng.normal(size=(1, 8)),
        "b2_": rng.normal(size=1),
    }
    strict, other = _strict("device1"), _strict("CPU_DEVICE")
    reference, model = _model(), _model()
    for name, value in weights.items():
        setattr(reference, name, value)
        setattr(model, name, other(value))

    reference.partial_fit(X, y, classes=[0, 1])
    model.partial_fit(strict(X), strict(y), classes=[0, 1])

    for name in FITTED:
        assert strict.holds(getattr(model, name))
        assert_close(getattr(model, name), getattr(reference, name), np.float64)
