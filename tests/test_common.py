"""scikit-learn's common estimator checks, over the configurations users reach for."""

import functools
import warnings

import pytest
from _helpers import needs_dispatch
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import estimator_checks_generator

from sklearn_twolayer import TwoLayerClassifier

# About half the suite's time: `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

CONFIGURATIONS = [
    TwoLayerClassifier(),
    # With plain gradient descent, saturated tanh units on the unscaled blobs of
    # check_class_weight_classifiers leave the minority-weighted classes at 0.82
    # accuracy against a 0.87 bar; momentum carries the output biases past that.
    TwoLayerClassifier(activation="tanh", momentum=0.9),
    TwoLayerClassifier(activation="logistic"),
    TwoLayerClassifier(activation="identity"),
    TwoLayerClassifier(multiclass="ovr"),
    TwoLayerClassifier(momentum=0.9),
    TwoLayerClassifier(l2=1e-3),
    # Settings that suit float32 input: a smaller step and an explicit seed.
    TwoLayerClassifier(hidden_size=32, alpha=0.05, batch_size=64, random_state=0),
    # Adam at MLPClassifier's step sizes: at alpha=0.1 its steps drive some
    # probabilities of check_classifiers_train below the smallest float, where
    # log(predict_proba) is -inf and predict_log_proba stays finite.
    TwoLayerClassifier(solver="adam", alpha=0.01),
    # The adaptive schedule and Nesterov's momentum in one configuration.
    TwoLayerClassifier(learning_rate="adaptive", momentum=0.9, nesterovs_momentum=True),
    TwoLayerClassifier(early_stopping=True),
    TwoLayerClassifier(class_weight="balanced"),
    # The common checks train on the labels -1/1, 0/1/2, 1/2/3 and "one"/"two"/
    # "three"; a dict that weights every class may name labels absent from y.
    TwoLayerClassifier(
        class_weight={
            -1: 1.5,
            0: 2.0,
            1: 1.0,
            2: 0.5,
            3: 1.0,
            "one": 2.0,
            "two": 1.0,
            "three": 0.5,
        }
    ),
]

# The configurations that also get the array API checks in other namespaces than
# NumPy: those checks fit a binary target of 30 rows in one batch, so that the
# options that change what training does there are the update rule and its state,
# the L2 term and the row weights; the others differ only in NumPy-tested ways
# (activation, multiclass) or turn themselves off on 30 rows (early_stopping).
# tests/test_array_api.py covers the rest in every namespace.
ARRAY_API_CONFIGURATIONS = [
    TwoLayerClassifier(),
    TwoLayerClassifier(
        activation="tanh",
        momentum=0.9,
        nesterovs_momentum=True,
        learning_rate="adaptive",
        l2=1e-3,
    ),
    TwoLayerClassifier(solver="adam", alpha=0.01),
    TwoLayerClassifier(class_weight="balanced"),
]


def _check_name(check):
    return (check.func if isinstance(check, functools.partial) else check).__name__


def _check_id(check):
    if not isinstance(check, functools.partial):
        return check.__name__
    arguments = ",".join(f"{k}={v}" for k, v in check.keywords.items())
    return f"{check.func.__name__}({arguments})"


def _other_namespace(check):
    """Whether a check runs in another array namespace than NumPy."""
    if not _check_name(check).startswith("check_array_api"):
        return False
    return check.keywords.get("array_namespace") != "numpy"


def _param(estimator, instance, check):
    marks = [needs_dispatch] if _check_name(check).startswith("check_array_api") else []
    return pytest.param(
        instance, check, id=f"{estimator}-{_check_id(check)}", marks=marks
    )


def _checks():
    for estimator in CONFIGURATIONS:
        for instance, check in estimator_checks_generator(estimator):
            if not _other_namespace(check):
                yield _param(estimator, instance, check)
    for estimator in ARRAY_API_CONFIGURATIONS:
        for instance, check in estimator_checks_generator(estimator):
            if _other_namespace(check):
                yield _param(estimator, instance, check)


def _quietly(check, estimator):
    with warnings.catch_warnings():
        # The checks train on a few dozen rows for a fixed number of epochs.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Expected on the checks' small data: the hold-out would have fewer than 10
        # rows, so early stopping turns itself off; multilabel targets ignore
        # class_weight.
        warnings.filterwarnings("ignore", "early_stopping is switched off")
        warnings.filterwarnings("ignore", "class_weight does not apply")
        check(estimator)


@pytest.mark.parametrize("estimator, check", list(_checks()))
def test_sklearn_compatible_estimator(estimator, check):
    _quietly(check, estimator)


def test_array_api_checks_are_generated():
    # Guards the selection above against a scikit-learn that names its checks
    # differently: every kind of array API check that the installed version has
    # (the last two are new in 1.9) is there, in other namespaces.
    names = {
        _check_name(p.values[1]) for p in _checks() if _other_namespace(p.values[1])
    }
    kinds = [
        "check_array_api_input",
        "check_array_api_mixed_inputs",
        "check_array_api_same_namespace",
    ]
    assert {k for k in kinds if hasattr(estimator_checks, k)} <= names
    assert "check_array_api_input" in names


@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize(
    "namespace, device", [("array_api_strict", "CPU_DEVICE"), ("torch", "cpu")]
)
@pytest.mark.parametrize("estimator", ARRAY_API_CONFIGURATIONS[:2], ids=repr)
@needs_dispatch
def test_array_api_input_and_values(estimator, namespace, device, sample_weight):
    # Not among the checks that scikit-learn generates: the values of every fitted
    # array and output in the namespace equal those of NumPy input, within its
    # tolerance (rtol 1e-7 in float64).
    check_array_api_input_and_values = getattr(
        estimator_checks, "check_array_api_input_and_values", None
    )
    if check_array_api_input_and_values is None:
        pytest.skip("scikit-learn < 1.9 has no check_array_api_input_and_values")
    if namespace == "torch":
        pytest.importorskip("torch")
    check = functools.partial(
        check_array_api_input_and_values,
        array_namespace=namespace,
        device_name=device,
        check_sample_weight=sample_weight,
    )
    _quietly(lambda est: check(type(est).__name__, est), estimator)
