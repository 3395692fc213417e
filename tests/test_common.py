"""scikit-learn's common estimator checks, over the configurations users reach for."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

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


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # The checks train on a few dozen rows for a fixed number of epochs.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Expected on the checks' small data: the hold-out would have fewer than 10
        # rows, so early stopping turns itself off; multilabel targets ignore
        # class_weight.
        warnings.filterwarnings("ignore", "early_stopping is switched off")
        warnings.filterwarnings("ignore", "class_weight does not apply")
        check(estimator)
