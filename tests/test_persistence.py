"""Model files: pickle with a version stamp, skops without code execution, resuming.

Every fit here runs a handful of epochs on purpose, so the ConvergenceWarning that
max_iter raises is expected and silenced for the module.

``tests/data/model-<version>.pkl`` holds models pickled by a released version, with
their predictions and the weights of one more partial_fit call; every such file
must load and give the same numbers with the current code. To add the file of the
version installed from this checkout (``pip install -e .``; never to rewrite one)::

    python tests/test_persistence.py --write-model-file
"""

import argparse
import io
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from _helpers import assert_same_state
from sklearn.datasets import load_iris
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_twolayer
import sklearn_twolayer._classifier as classifier_module
from sklearn_twolayer import (
    SKOPS_TRUSTED_TYPES,
    InconsistentVersionWarning,
    TwoLayerClassifier,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PARAMS = ("W1_", "b1_", "W2_", "b2_")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _small(**params):
    defaults = dict(hidden_size=8, max_iter=5, batch_size=32, random_state=0)
    return TwoLayerClassifier(**{**defaults, **params})


def _partial_fits(model, X, y, n_epochs, classes):
    for _ in range(n_epochs):
        model.partial_fit(X, y, classes=classes)
    return model


# Each entry trains one model with a different option, so that every kind of fitted
# state (velocities, class counts, validation curves, label encodings) is covered.
def _fit_softmax(X, y):
    return _small().fit(X, y), X


def _fit_ovr(X, y):
    return _small(multiclass="ovr").fit(X, y), X


def _fit_binary(X, y):
    return _small().fit(X, y == 1), X


def _fit_multilabel(X, y):
    Y = np.c_[y == 1, y == 2, y != 0].astype(int)
    return _small().fit(X, Y), X


def _fit_momentum(X, y):
    return _small(momentum=0.9).fit(X, y), X


def _fit_adam(X, y):
    return _small(solver="adam", alpha=0.01, l2=0.1).fit(X, y), X


def _fit_adaptive(X, y):
    # A tol that no epoch beats: the rate is divided by 5 twice.
    params = dict(learning_rate="adaptive", momentum=0.5, nesterovs_momentum=True)
    return _small(tol=10.0, n_iter_no_change=1, **params).fit(X, y), X


def _fit_early_stopping(X, y):
    return _small(early_stopping=True, max_iter=20).fit(X, y), X


def _fit_validation_data(X, y):
    return _small().fit(X[::2], y[::2], X_val=X[1::2], y_val=y[1::2]), X


def _fit_partial(X, y):
    return _partial_fits(_small(momentum=0.5), X, y, 3, np.unique(y)), X


def _fit_balanced(X, y):
    return _small(class_weight="balanced").fit(X[20:], y[20:]), X


def _fit_balanced_partial(X, y):
    model = _small(class_weight="balanced")
    return _partial_fits(model, X[20:], y[20:], 2, np.unique(y)), X


def _fit_class_weight_dict(X, y):
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    return _small(class_weight={"setosa": 2.0, "virginica": 0.5}).fit(X, names), X


def _fit_float32_dataframe(X, y):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X.astype(np.float32), columns=["sl", "sw", "pl", "pw"])
    return _small().fit(frame, y), frame


FITS = [
    _fit_softmax,
    _fit_ovr,
    _fit_binary,
    _fit_multilabel,
    _fit_momentum,
    _fit_adam,
    _fit_adaptive,
    _fit_early_stopping,
    _fit_validation_data,
    _fit_partial,
    _fit_balanced,
    _fit_balanced_partial,
    _fit_class_weight_dict,
    _fit_float32_dataframe,
]


def _ids(fit):
    return fit.__name__.removeprefix("_fit_")


def _assert_plain(value, where):
    """Fail unless ``value`` is built only of arrays, lists, dicts, numbers, strings."""
    if value is None or type(value) in (bool, int, float, str):
        return
    if type(value) is np.ndarray:
        if value.dtype == object:
            for i, item in enumerate(value.ravel()):
                _assert_plain(item, f"{where}[{i}]")
        else:
            assert value.dtype.kind in "biufUS", f"{where} has dtype {value.dtype}"
        return
    if type(value) in (list, tuple):
        for i, item in enumerate(value):
            _assert_plain(item, f"{where}[{i}]")
        return
    if type(value) is dict:
        for key, item in value.items():
            _assert_plain(key, f"key of {where}")
            _assert_plain(item, f"{where}[{key!r}]")
        return
    raise AssertionError(f"{where} is a {type(value).__qualname__}: {value!r}")


@pytest.mark.parametrize("fit", FITS, ids=_ids)
def test_fitted_attributes_are_plain_types(fit, iris):
    model, _ = fit(*iris)
    for name, value in vars(model).items():
        _assert_plain(value, name)


def test_pickling_does_not_change_the_estimator(iris):
    model, _ = _fit_softmax(*iris)
    before = dict(vars(model))
    pickle.dumps(model)
    assert vars(model).keys() == before.keys()


# ------------------------------------------------------------------------ skops


@pytest.mark.parametrize("fit", FITS, ids=_ids)
def test_skops_round_trip(fit, iris, tmp_path):
    sio = pytest.importorskip("skops.io")
    model, X = fit(*iris)
    path = tmp_path / "model.skops"
    sio.dump(model, path)

    assert sio.get_untrusted_types(file=path) == SKOPS_TRUSTED_TYPES
    loaded = sio.load(path, trusted=SKOPS_TRUSTED_TYPES)

    assert_same_state(vars(model), vars(loaded))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_skops_refuses_the_estimator_unless_trusted(iris):
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(_fit_softmax(*iris)[0])
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data)


def test_skops_pipeline_needs_only_the_estimator_trusted(iris):
    sio = pytest.importorskip("skops.io")
    X, y = iris
    pipe = make_pipeline(StandardScaler(), _small()).fit(X, y)
    data = sio.dumps(pipe)
    assert sio.get_untrusted_types(data=data) == SKOPS_TRUSTED_TYPES
    loaded = sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


def test_trusted_types_name_the_estimator_class():
    (name,) = SKOPS_TRUSTED_TYPES
    module, _, qualname = name.rpartition(".")
    assert getattr(sys.modules[module], qualname) is TwoLayerClassifier


@pytest.mark.slow
def test_skops_is_not_imported_by_the_package():
    code = (
        "import sys, sklearn_twolayer; "
        "sys.exit(any(m.split('.')[0] == 'skops' for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ----------------------------------------------------------------------- pickle


def test_pickle_records_the_version(iris):
    model, _ = _fit_softmax(*iris)
    state = model.__getstate__()
    assert state["_sklearn_twolayer_version"] == sklearn_twolayer.__version__
    # Loading under the same version is silent (warnings are errors in the tests)
    # and drops the stamp again.
    loaded = pickle.loads(pickle.dumps(model))
    assert "_sklearn_twolayer_version" not in vars(loaded)


def _pickled_by(model, version, monkeypatch):
    """Pickle ``model`` as if the installed sklearn_twolayer were ``version``."""
    with monkeypatch.context() as patch:
        patch.setattr(classifier_module, "__version__", version)
        return pickle.dumps(model)


def test_loading_another_version_warns_and_predicts(iris, monkeypatch):
    model, X = _fit_softmax(*iris)
    data = _pickled_by(model, "0.0.1", monkeypatch)
    with pytest.warns(InconsistentVersionWarning, match="0.0.1") as record:
        loaded = pickle.loads(data)
    (warning,) = record
    assert warning.message.saved_version == "0.0.1"
    assert warning.message.current_version == sklearn_twolayer.__version__
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_skops_file_records_the_version_too(iris, monkeypatch):
    sio = pytest.importorskip("skops.io")
    model, X = _fit_softmax(*iris)
    with monkeypatch.context() as patch:
        patch.setattr(classifier_module, "__version__", "0.0.1")
        data = sio.dumps(model)
    with pytest.warns(InconsistentVersionWarning, match="0.0.1"):
        loaded = sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_loading_a_state_without_version_warns(iris):
    model, X = _fit_softmax(*iris)
    state = model.__getstate__()
    del state["_sklearn_twolayer_version"]
    loaded = TwoLayerClassifier.__new__(TwoLayerClassifier)
    with pytest.warns(InconsistentVersionWarning, match="unknown"):
        loaded.__setstate__(state)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def _pickle_round_trip(model):
    return pickle.loads(pickle.dumps(model))


def _skops_round_trip(model):
    sio = pytest.importorskip("skops.io")
    return sio.loads(sio.dumps(model), trusted=SKOPS_TRUSTED_TYPES)


def _file_round_trip(model):
    buffer = io.BytesIO()
    pickle.dump(model, buffer)
    buffer.seek(0)
    return pickle.load(buffer)


ROUND_TRIPS = [_pickle_round_trip, _file_round_trip, _skops_round_trip]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS, ids=lambda f: f.__name__[1:-11])
@pytest.mark.parametrize(
    "params",
    [
        dict(shuffle=True),
        dict(shuffle=False),
        dict(shuffle=True, momentum=0.9),
        dict(shuffle=True, class_weight="balanced"),
        dict(shuffle=True, l2=0.1, batch_size=7),
        dict(shuffle=True, solver="adam", alpha=0.01),
        # The third call stalls: the count of the first two travels in the file.
        dict(learning_rate="adaptive", tol=10.0, n_iter_no_change=1),
        dict(learning_rate="invscaling", momentum=0.5, nesterovs_momentum=True),
    ],
    ids=[
        "shuffle",
        "no-shuffle",
        "momentum",
        "balanced",
        "l2-small-batches",
        "adam",
        "adaptive",
        "invscaling-nesterov",
    ],
)
def test_partial_fit_resumes_exactly_after_saving(iris, params, round_trip):
    X, y = iris
    classes = np.unique(y)
    # Uneven chunks, so that the balanced class counts change from call to call.
    chunks = [slice(0, 90), slice(90, 150), slice(30, 120)]

    def train(model, start, stop):
        for chunk in chunks[start:stop]:
            model.partial_fit(X[chunk], y[chunk], classes=classes)
        return model

    uninterrupted = train(_small(**params), 0, 3)
    resumed = train(round_trip(train(_small(**params), 0, 1)), 1, 3)

    for name in PARAMS:
        np.testing.assert_array_equal(
            getattr(resumed, name), getattr(uninterrupted, name)
        )
    assert resumed.loss_curve_ == uninterrupted.loss_curve_
    assert resumed.t_ == uninterrupted.t_
    assert resumed.n_iter_ == uninterrupted.n_iter_
    assert_same_state(vars(resumed), vars(uninterrupted))


def test_resuming_depends_on_the_saved_shuffle_seed(iris):
    # The test above would prove nothing about the seed if the shuffle order did not
    # affect the weights: it does, so the seed must travel in the file.
    X, y = iris
    classes = np.unique(y)
    first = _small().partial_fit(X, y, classes=classes)
    reseeded = _pickle_round_trip(first)
    reseeded._seed += 1
    resumed = _pickle_round_trip(first)
    assert not np.array_equal(
        resumed.partial_fit(X, y).W1_, reseeded.partial_fit(X, y).W1_
    )


@pytest.mark.parametrize("round_trip", ROUND_TRIPS, ids=lambda f: f.__name__[1:-11])
@pytest.mark.parametrize(
    "params",
    [dict(momentum=0.5), dict(solver="adam", alpha=0.01)],
    ids=["momentum", "adam"],
)
def test_warm_start_fit_resumes_exactly_after_saving(iris, round_trip, params):
    X, y = iris
    uninterrupted = _small(warm_start=True, **params).fit(X, y).fit(X, y)
    saved = round_trip(_small(warm_start=True, **params).fit(X, y))
    resumed = saved.fit(X, y)
    for name in PARAMS:
        np.testing.assert_array_equal(
            getattr(resumed, name), getattr(uninterrupted, name)
        )
    assert resumed.loss_curve_ == uninterrupted.loss_curve_


# ------------------------------------------------- model files of released versions

DATA = Path(__file__).resolve().parent / "data"
MODEL_FILES = sorted(DATA.glob("model-*.pkl"))


def _released_models():
    """Models of several kinds of fitted state, their test rows and new rows.

    Returns a dict of name -> (model, X_test, (X_more, y_more)), the last being a
    chunk for one more partial_fit call.
    """
    rng = np.random.RandomState(0)
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    train, test, more = slice(0, 100), slice(100, 130), slice(130, 150)
    models = {}

    model = _small(momentum=0.9, early_stopping=True, max_iter=15)
    model.fit(X[train], y[train])
    models["softmax-momentum-early-stopping"] = (model, X[test], (X[more], y[more]))

    Xs = sp.csr_matrix(np.where(X > 0, X, 0.0))
    model = _small(class_weight="balanced", activation="tanh")
    for chunk in (slice(0, 60), slice(60, 100)):
        model.partial_fit(Xs[chunk], y[chunk] == 2, classes=[False, True])
    models["binary-sparse-balanced-partial-fit"] = (
        model,
        Xs[test],
        (Xs[more], y[more] == 2),
    )

    Y = np.c_[y == 1, y == 2, X[:, 0] > 0].astype(int)
    X32 = X.astype(np.float32)
    model = _small(activation="logistic", l2=0.1).fit(
        X32[train], Y[train], X_val=X32[test], y_val=Y[test]
    )
    models["multilabel-float32-validation"] = (model, X32[test], (X32[more], Y[more]))

    model = _small(multiclass="ovr", warm_start=True, max_iter=3)
    model.fit(X[train], y[train]).fit(X[train], y[train])
    models["ovr-warm-start"] = (model, X[test], (X[more], y[more]))
    return models


def _write_model_file():
    root = Path(__file__).resolve().parents[1]
    if Path(sklearn_twolayer.__file__).resolve().parents[1] != root:
        sys.exit(
            f"sklearn_twolayer is imported from {sklearn_twolayer.__file__}, not from "
            "this checkout: install it with `pip install -e .`."
        )
    path = DATA / f"model-{sklearn_twolayer.__version__}.pkl"
    if path.exists():
        sys.exit(f"{path} exists: the file of a released version is never rewritten.")
    entries = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        for name, (model, X_test, (X_more, y_more)) in _released_models().items():
            proba = model.predict_proba(X_test)
            continued = pickle.loads(pickle.dumps(model)).partial_fit(X_more, y_more)
            entries[name] = {
                "model": model,
                "X_test": X_test,
                "predict_proba": proba,
                "predict": model.predict(X_test),
                "more": (X_more, y_more),
                "continued": {name: getattr(continued, name) for name in PARAMS},
            }
    with open(path, "wb") as file:
        pickle.dump(
            {
                "sklearn_twolayer_version": sklearn_twolayer.__version__,
                "sklearn_version": sklearn.__version__,
                "entries": entries,
            },
            file,
        )
    print(f"wrote {path}")


def test_a_model_file_of_version_0_1_0_is_kept():
    assert DATA / "model-0.1.0.pkl" in MODEL_FILES


@pytest.mark.skipif(
    np.lib.NumpyVersion(np.__version__) < "2.0.0",
    reason="the model files were pickled by NumPy 2, whose arrays NumPy 1 cannot load",
)
@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda path: path.stem)
def test_model_files_of_released_versions_load_and_predict_alike(path):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with open(path, "rb") as file:
            saved = pickle.load(file)
    # Our warning if the file comes from another version of this package;
    # scikit-learn's own if from another version of scikit-learn; nothing else.
    expected = set()
    if saved["sklearn_twolayer_version"] != sklearn_twolayer.__version__:
        expected.add(InconsistentVersionWarning)
    if saved["sklearn_version"] != sklearn.__version__:
        expected.add(SklearnVersionWarning)
    assert {type(w.message) for w in record} == expected, [
        str(w.message) for w in record
    ]

    for name, entry in saved["entries"].items():
        model = entry["model"]
        assert type(model) is TwoLayerClassifier
        np.testing.assert_array_equal(
            model.predict_proba(entry["X_test"]), entry["predict_proba"], err_msg=name
        )
        np.testing.assert_array_equal(
            model.predict(entry["X_test"]), entry["predict"], err_msg=name
        )
        # Training continues from the saved state (velocity, class counts, counters).
        # The chunk is one batch, whose rows 0.1.0 visited in increasing order, as
        # training does without shuffling.
        model.set_params(shuffle=False).partial_fit(*entry["more"])
        for param, value in entry["continued"].items():
            np.testing.assert_array_equal(
                getattr(model, param), value, err_msg=f"{name}: {param}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Persistence tests and data.")
    parser.add_argument(
        "--write-model-file",
        action="store_true",
        help="pickle models of the installed version into tests/data",
    )
    if parser.parse_args().write_model_file:
        _write_model_file()
    else:
        parser.print_help()
