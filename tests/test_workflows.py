"""Real uses, end to end: what a scikit-learn user does with a classifier.

Each test runs one workflow (pipelines on DataFrames, searches, metadata routing,
meta-estimators, inspection, persistence, streaming) on small data shipped with
scikit-learn or generated, and checks an outcome: an accuracy, an equality, or a
clear error. Fits that stop at max_iter on purpose say so with ``quiet()``; any
other warning, "Training failed" included, fails the test.
"""

import pickle
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_multilabel_classification,
)
from sklearn.decomposition import PCA
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    make_scorer,
)
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_val_predict,
    cross_val_score,
    cross_validate,
    train_test_split,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, OneHotEncoder, StandardScaler

from sklearn_twolayer import SKOPS_TRUSTED_TYPES, TwoLayerClassifier

FITTED = ("W1_", "b1_", "W2_", "b2_")


@contextmanager
def quiet():
    """Fits here are short on purpose: reaching max_iter is expected."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "TwoLayerClassifier reached max_iter", category=Warning
        )
        yield


def net(**params):
    """A small, seeded network for small data."""
    defaults = dict(hidden_size=16, batch_size=32, max_iter=60, random_state=0)
    return TwoLayerClassifier(**{**defaults, **params})


def scaled_net(**params):
    return make_pipeline(StandardScaler(), net(**params))


def split(load, **kwargs):
    X, y = load(return_X_y=True)
    return train_test_split(X, y, stratify=y, random_state=0, **kwargs)


@pytest.fixture(scope="module")
def iris():
    return split(load_iris)


@pytest.fixture(scope="module")
def wine():
    return split(load_wine)


@pytest.fixture(scope="module")
def cancer():
    return split(load_breast_cancer)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    # Half the rows: enough for every class, fast to fit.
    return train_test_split(X[::2], y[::2], stratify=y[::2], random_state=0)


# ------------------------------------------------------------- pipelines


def _customers(n=400, seed=0):
    """A DataFrame with numeric and categorical columns, and a target using both."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "plus", "pro"], n)
    region = rng.choice(["north", "south", "east", "west"], n)
    income = rng.normal(50_000, 15_000, n)
    age = rng.integers(18, 80, n)
    score = (
        (income - 50_000) / 15_000
        + np.where(plan == "pro", 1.5, np.where(plan == "plus", 0.5, -1.0))
        + np.where(region == "south", -1.0, 0.3)
        + rng.normal(0, 0.3, n)
    )
    X = pd.DataFrame({"plan": plan, "region": region, "income": income, "age": age})
    return X, np.where(score > 0, "stays", "leaves")


def _column_pipeline(**params):
    # Dense one-hot columns, which pandas output needs.
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    columns = ColumnTransformer(
        [
            ("categories", encoder, ["plan", "region"]),
            ("numbers", StandardScaler(), ["income", "age"]),
        ]
    )
    return make_pipeline(columns, net(**params))


def test_column_transformer_on_a_dataframe_with_categories():
    X, y = _customers()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    with quiet():
        model = _column_pipeline(max_iter=100).fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.9
    assert set(model.predict(X_test)) <= {"leaves", "stays"}
    # A category never seen in training is encoded as all zeros, not an error.
    unseen = X_test.head(3).assign(region="abroad")
    assert model.predict(unseen).shape == (3,)


def test_pandas_output_reaches_the_network_with_its_column_names():
    X, y = _customers(n=200)
    model = _column_pipeline(max_iter=5).set_output(transform="pandas")
    with quiet():
        model.fit(X, y)
    names = model[-1].feature_names_in_
    assert "categories__plan_pro" in names
    assert "numbers__income" in names
    assert model[-1].n_features_in_ == 3 + 4 + 2


def test_dataframe_columns_must_keep_their_names():
    X, y = _customers(n=200)
    X = X[["income", "age"]]
    with quiet():
        clf = net(max_iter=3).fit(
            StandardScaler().set_output(transform="pandas").fit_transform(X), y
        )
    np.testing.assert_array_equal(clf.feature_names_in_, ["income", "age"])
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X.rename(columns={"age": "years"}))


def test_pca_in_a_pipeline_on_the_digits(digits):
    X_train, X_test, y_train, y_test = digits
    with quiet():
        model = make_pipeline(StandardScaler(), PCA(20, random_state=0), net())
        model.fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.9


def test_sparse_tfidf_text():
    rng = np.random.default_rng(0)
    words = {
        "sport": "match goal team score league coach player season win".split(),
        "money": "bank loan rate market stock price fund profit debt".split(),
    }
    common = "the a of and to in today new report".split()
    docs, labels = [], []
    for _ in range(120):
        topic = rng.choice(list(words))
        tokens = rng.choice(words[topic], 5).tolist() + rng.choice(common, 6).tolist()
        docs.append(" ".join(rng.permutation(tokens)))
        labels.append(topic)
    model = make_pipeline(TfidfVectorizer(), net(hidden_size=8, alpha=0.5))
    with quiet():
        model.fit(docs[:80], labels[:80])
    assert sp.issparse(model[0].transform(docs[:2]))
    assert model.score(docs[80:], labels[80:]) > 0.95
    assert model.predict(["the coach and the team win the match"])[0] == "sport"


def test_sparse_input_with_max_abs_scaling(cancer):
    X_train, X_test, y_train, y_test = cancer
    X_train, X_test = sp.csr_matrix(X_train), sp.csr_matrix(X_test)
    with quiet():
        model = make_pipeline(MaxAbsScaler(), net(alpha=0.5)).fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.9


# ------------------------------------------------------- validation data


def test_validation_data_through_a_pipeline_transformed_by_its_first_steps(cancer):
    X_train, X_test, y_train, y_test = cancer
    X_fit, X_val, y_fit, y_val = train_test_split(
        X_train, y_train, stratify=y_train, random_state=0
    )
    # Validation data through a pipeline: start
    model = make_pipeline(
        StandardScaler(), TwoLayerClassifier(early_stopping=True, random_state=0)
    )
    # The steps before the classifier, fitted on the training rows, transform
    # the validation rows as the pipeline will transform the training rows.
    preprocess = model[:-1].fit(X_fit, y_fit)
    model.fit(
        X_fit,
        y_fit,
        twolayerclassifier__X_val=preprocess.transform(X_val),
        twolayerclassifier__y_val=y_val,
    )
    # Validation data through a pipeline: end
    assert model[-1].best_validation_score_ > 0.95
    assert model.score(X_test, y_test) > 0.9
    # Untransformed validation rows: a scale the network never saw.
    raw = clone(model).fit(
        X_fit, y_fit, twolayerclassifier__X_val=X_val, twolayerclassifier__y_val=y_val
    )
    assert raw[-1].best_validation_score_ < 0.5


def test_early_stopping_with_a_validation_set_of_ones_own(wine):
    X_train, X_test, y_train, y_test = wine
    scaler = StandardScaler().fit(X_train)
    X_fit, X_val, y_fit, y_val = train_test_split(
        scaler.transform(X_train), y_train, stratify=y_train, random_state=0
    )
    clf = net(early_stopping=True, max_iter=300, n_iter_no_change=5)
    clf.fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
    assert clf.n_iter_ < 300
    assert clf.best_validation_score_ == max(clf.validation_scores_) > 0.9
    assert clf.score(scaler.transform(X_test), y_test) > 0.9


# -------------------------------------------------------------- searches


def test_grid_search_over_alpha_and_hidden_size(iris):
    X_train, X_test, y_train, y_test = iris
    grid = {
        "twolayerclassifier__alpha": [0.03, 0.3],
        "twolayerclassifier__hidden_size": [2, 16],
    }
    search = GridSearchCV(scaled_net(max_iter=40), grid, cv=3)
    with quiet():
        search.fit(X_train, y_train)
    assert search.best_params_["twolayerclassifier__alpha"] == 0.3
    assert search.best_score_ > 0.9
    assert search.score(X_test, y_test) > 0.9


def test_multi_metric_search_refits_on_the_chosen_metric(cancer):
    X_train, X_test, y_train, y_test = cancer
    search = GridSearchCV(
        scaled_net(max_iter=20),
        {"twolayerclassifier__alpha": [0.003, 0.3]},
        scoring={"acc": "accuracy", "nll": "neg_log_loss", "auc": "roc_auc"},
        refit="nll",
        cv=3,
    )
    with quiet():
        search.fit(X_train, y_train)
    nll = search.cv_results_["mean_test_nll"]
    assert search.best_index_ == np.argmax(nll)
    assert search.best_score_ == nll[search.best_index_]
    assert search.cv_results_["mean_test_auc"][search.best_index_] > 0.95
    assert log_loss(y_test, search.predict_proba(X_test)) < 0.2


def test_halving_grid_search_over_epochs(digits):
    X_train, X_test, y_train, y_test = digits
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    search = HalvingGridSearchCV(
        net(hidden_size=8),
        {"alpha": [0.01, 0.1, 1.0], "hidden_size": [4, 16]},
        resource="max_iter",
        min_resources=5,
        max_resources=20,
        factor=2,
        cv=3,
        random_state=0,
    )
    with quiet():
        search.fit(X_train, y_train)
    assert list(search.n_resources_) == [5, 10, 20]
    assert search.best_params_["max_iter"] == 20
    assert search.best_params_["hidden_size"] == 16
    assert search.best_score_ > 0.9
    assert search.score(X_test, y_test) > 0.9


def test_tuned_threshold_for_a_rare_class():
    X, y = make_classification(
        600, 6, n_informative=4, weights=[0.9], flip_y=0.02, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    base = net(hidden_size=8, max_iter=30)
    tuned = TunedThresholdClassifierCV(
        base, scoring="balanced_accuracy", cv=3, random_state=0
    )
    with quiet():
        tuned.fit(X_train, y_train)
        default = clone(base).fit(X_train, y_train)
    assert 0 < tuned.best_threshold_ < 0.5
    assert balanced_accuracy_score(
        y_test, tuned.predict(X_test)
    ) >= balanced_accuracy_score(y_test, default.predict(X_test))


# ------------------------------------------------------- metadata routing


def _weights(y, seed=0):
    """Integer weights, zero on about a third of the rows."""
    return np.random.default_rng(seed).integers(0, 3, len(y)).astype(float)


def test_routed_sample_weight_reaches_the_network_in_a_searched_pipeline(iris):
    X, _, y, _ = iris
    sw = _weights(y)
    with config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True),
            net(max_iter=20).set_fit_request(sample_weight=True),
        )
        # A scorer that asks for the weights itself: scikit-learn < 1.7 does not
        # route them to Pipeline.score.
        scoring = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        search = GridSearchCV(
            pipe, {"twolayerclassifier__alpha": [0.1, 0.3]}, cv=3, scoring=scoring
        )
        with quiet():
            search.fit(X, y, sample_weight=sw)
            by_hand = clone(pipe).set_params(**search.best_params_)
            by_hand.fit(X, y, sample_weight=sw)
            unweighted = clone(by_hand).fit(X, y)
    for name in FITTED:
        np.testing.assert_array_equal(
            getattr(search.best_estimator_[-1], name), getattr(by_hand[-1], name)
        )
    assert not np.array_equal(search.best_estimator_[-1].W1_, unweighted[-1].W1_)


def test_cross_validate_routes_sample_weight(iris):
    # One full batch in row order: a row of weight 0 is a row left out.
    X, _, y, _ = iris
    sw = _weights(y)
    clf = net(max_iter=10, batch_size=200, shuffle=False)
    with config_context(enable_metadata_routing=True), quiet():
        result = cross_validate(
            clf.set_fit_request(sample_weight=True).set_score_request(
                sample_weight=True
            ),
            X,
            y,
            params={"sample_weight": sw},
            cv=StratifiedKFold(3),
            return_estimator=True,
            return_indices=True,
        )
    for model, train in zip(
        result["estimator"], result["indices"]["train"], strict=True
    ):
        kept = train[sw[train] > 0]
        with quiet():
            dropped = clone(clf).fit(X[kept], y[kept], sample_weight=sw[kept])
        for name in FITTED:
            np.testing.assert_allclose(
                getattr(model, name), getattr(dropped, name), rtol=1e-10, atol=1e-12
            )


def test_routing_without_a_request_raises_a_clear_error(iris):
    X, _, y, _ = iris
    with config_context(enable_metadata_routing=True):
        with pytest.raises(ValueError, match="sample_weight"):
            cross_validate(net(), X, y, params={"sample_weight": _weights(y)})


# -------------------------------------------------------- meta-estimators


def test_calibrated_classifier(cancer):
    X_train, X_test, y_train, y_test = cancer
    calibrated = CalibratedClassifierCV(scaled_net(max_iter=30), cv=3)
    with quiet():
        calibrated.fit(X_train, y_train)
    proba = calibrated.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert calibrated.score(X_test, y_test) > 0.93
    assert log_loss(y_test, proba) < 0.2


def test_calibrating_a_frozen_fitted_network(cancer):
    X_train, X_test, y_train, y_test = cancer
    X_fit, X_cal, y_fit, y_cal = train_test_split(
        X_train, y_train, stratify=y_train, random_state=0
    )
    with quiet():
        fitted = scaled_net(max_iter=30).fit(X_fit, y_fit)
    W1 = fitted[-1].W1_.copy()
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted), method="isotonic")
    calibrated.fit(X_cal, y_cal)
    np.testing.assert_array_equal(fitted[-1].W1_, W1)  # not refitted
    assert calibrated.score(X_test, y_test) > 0.9


def test_stacking(wine):
    X_train, X_test, y_train, y_test = wine
    stack = StackingClassifier(
        [
            ("net", scaled_net()),
            ("lr", make_pipeline(StandardScaler(), LogisticRegression())),
        ],
        final_estimator=LogisticRegression(),
        cv=3,
    )
    with quiet():
        stack.fit(X_train, y_train)
    assert stack.score(X_test, y_test) > 0.9


def test_soft_voting_averages_the_probabilities(wine):
    X_train, X_test, y_train, y_test = wine
    members = [("net", scaled_net()), ("nb", GaussianNB())]
    voting = VotingClassifier(members, voting="soft")
    with quiet():
        voting.fit(X_train, y_train)
    expected = np.mean(
        [est.predict_proba(X_test) for est in voting.estimators_], axis=0
    )
    np.testing.assert_allclose(voting.predict_proba(X_test), expected)
    assert voting.score(X_test, y_test) > 0.9


def test_one_vs_rest(iris):
    X_train, X_test, y_train, y_test = iris
    ovr = OneVsRestClassifier(scaled_net(hidden_size=8))
    with quiet():
        ovr.fit(X_train, y_train)
    assert len(ovr.estimators_) == 3
    assert all(est[-1].n_outputs_ == 1 for est in ovr.estimators_)
    assert ovr.score(X_test, y_test) > 0.9


def test_bagging(cancer):
    X_train, X_test, y_train, y_test = cancer
    scaler = StandardScaler().fit(X_train)
    bag = BaggingClassifier(
        net(hidden_size=8, max_iter=20), n_estimators=5, random_state=0
    )
    with quiet():
        bag.fit(scaler.transform(X_train), y_train)
    seeds = {est.random_state for est in bag.estimators_}
    assert len(seeds) == 5  # each member seeded apart
    assert bag.score(scaler.transform(X_test), y_test) > 0.93


# ---------------------------------------------------- inspection, scoring


def test_permutation_importance_finds_the_informative_features():
    # shuffle=False keeps the two informative features first.
    X, y = make_classification(
        400, 6, n_informative=2, n_redundant=0, shuffle=False, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    with quiet():
        clf = net(max_iter=40).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.8
    result = permutation_importance(clf, X_test, y_test, n_repeats=5, random_state=0)
    informative, noise = result.importances_mean[:2], result.importances_mean[2:]
    # About 0.05 and 0.3 against at most 0.002 (LogisticRegression: 0.03, 0.3).
    assert informative.min() > 0.03
    assert noise.max() < 0.01


def test_cross_val_predict_probabilities(iris):
    X, _, y, _ = iris
    with quiet():
        proba = cross_val_predict(
            scaled_net(max_iter=40), X, y, cv=3, method="predict_proba"
        )
    assert proba.shape == (len(y), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert log_loss(y, proba) < 0.3


def test_cross_val_score_with_roc_auc_uses_decision_function(cancer):
    X, _, y, _ = cancer
    with quiet():
        scores = cross_val_score(scaled_net(max_iter=20), X, y, cv=3, scoring="roc_auc")
    assert scores.min() > 0.97


# ------------------------------------------------------------- streaming


def _blobs_sorted_by_class(n=300):
    X, y = make_classification(
        n,
        4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=0,
    )
    order = np.argsort(y, kind="stable")
    return X[order], y[order]


def test_a_stream_sorted_by_class_in_chunks():
    X, y = _blobs_sorted_by_class()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    keep = np.argsort(y_train, kind="stable")  # sorted again after the split
    X_train, y_train = X_train[keep], y_train[keep]
    starts = np.arange(0, len(y_train), 15)
    assert sum(len(np.unique(y_train[s : s + 15])) == 1 for s in starts) > 10
    clf = net(alpha=0.05, batch_size=5)
    rng = np.random.default_rng(0)
    for _ in range(10):
        for s in rng.permutation(starts):
            clf.partial_fit(X_train[s : s + 15], y_train[s : s + 15], classes=[0, 1, 2])
    assert clf.score(X_test, y_test) > 0.9


def test_single_row_online_updates():
    X, y = _blobs_sorted_by_class(n=150)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    clf = net(alpha=0.05)
    clf.partial_fit(X_train[:1], y_train[:1], classes=[0, 1, 2])
    rng = np.random.default_rng(0)
    for _ in range(3):
        for i in rng.permutation(len(y_train)):
            clf.partial_fit(X_train[i : i + 1], y_train[i : i + 1])
    assert clf.n_iter_ == 1 + 3 * len(y_train)
    assert clf.t_ == clf.n_iter_
    assert clf.score(X_test, y_test) > 0.9


def test_a_stream_with_string_labels_and_balanced_weights():
    X, y = _blobs_sorted_by_class()
    names = np.array(["cat", "dog", "eel"])[y]
    clf = net(class_weight="balanced", alpha=0.05)
    rng = np.random.default_rng(0)
    for _ in range(5):
        for chunk in np.array_split(rng.permutation(len(y)), 10):
            clf.partial_fit(X[chunk], names[chunk], classes=["eel", "dog", "cat"])
    np.testing.assert_array_equal(clf.classes_, ["cat", "dog", "eel"])
    assert clf.score(X, names) > 0.9


def test_warm_start_continues_training(wine):
    X_train, X_test, y_train, y_test = wine
    model = scaled_net(max_iter=5, warm_start=True)
    with quiet():
        model.fit(X_train, y_train)
        first = model[-1].loss_
        model.fit(X_train, y_train)
    assert len(model[-1].loss_curve_) == 10
    assert model[-1].n_iter_ == 5
    assert model[-1].loss_ < first
    assert model.score(X_test, y_test) > 0.9


# ----------------------------------------------------------- persistence


def test_skops_round_trip_of_a_pipeline(wine):
    sio = pytest.importorskip("skops.io")
    X_train, X_test, y_train, _ = wine
    with quiet():
        model = scaled_net().fit(X_train, y_train)
    data = sio.dumps(model)
    loaded = sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)
    np.testing.assert_array_equal(
        loaded.predict_proba(X_test), model.predict_proba(X_test)
    )
    # The loaded model keeps training exactly as the original does.
    loaded[-1].partial_fit(loaded[0].transform(X_train), y_train)
    model[-1].partial_fit(model[0].transform(X_train), y_train)
    np.testing.assert_array_equal(loaded[-1].W1_, model[-1].W1_)


def test_pickle_round_trip_then_more_training(iris):
    X_train, X_test, y_train, _ = iris
    clf = net(max_iter=5, momentum=0.9)
    with quiet():
        clf.fit(X_train, y_train)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X_test), clf.predict(X_test))
    for model in (clf, restored):
        model.partial_fit(X_train, y_train)
    for name in FITTED:
        np.testing.assert_array_equal(getattr(restored, name), getattr(clf, name))


# ---------------------------------------------------------- targets, dtypes


def test_string_labels(iris):
    X_train, X_test, y_train, y_test = iris
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)
    with quiet():
        model = scaled_net().fit(X_train, names[y_train])
    assert model.predict(X_test).dtype == object
    assert model.score(X_test, names[y_test]) > 0.9


def test_pandas_categorical_target(iris):
    pd = pytest.importorskip("pandas")
    X_train, X_test, y_train, y_test = iris
    kinds = pd.Categorical.from_codes(y_train, ["setosa", "versicolor", "virginica"])
    with quiet():
        model = scaled_net().fit(X_train, pd.Series(kinds))
    np.testing.assert_array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
    assert (model.predict(X_test) == np.array(kinds.categories)[y_test]).mean() > 0.9


def test_multilabel_targets():
    X, Y = make_multilabel_classification(
        300, 10, n_classes=4, random_state=0, allow_unlabeled=True
    )
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
    with quiet():
        model = scaled_net(max_iter=80).fit(X_train, Y_train)
    predicted = model.predict(X_test)
    assert predicted.shape == Y_test.shape
    assert model.predict_proba(X_test).shape == Y_test.shape
    # Better than predicting each label's majority value.
    majority = np.tile(Y_train.mean(axis=0) > 0.5, (len(Y_test), 1)).astype(int)
    assert f1_score(Y_test, predicted, average="micro") > 0.65
    assert (predicted == Y_test).mean() > (majority == Y_test).mean() + 0.1


def test_float32_data_trains_float32_weights(digits):
    X_train, X_test, y_train, y_test = digits
    scaler = StandardScaler().fit(X_train)
    X32, T32 = (scaler.transform(a).astype(np.float32) for a in (X_train, X_test))
    with quiet():
        single = net(max_iter=20).fit(X32, y_train)
        double = net(max_iter=20).fit(X32.astype(np.float64), y_train)
    assert all(getattr(single, name).dtype == np.float32 for name in FITTED)
    assert single.predict_proba(T32).dtype == np.float32
    assert single.score(T32, y_test) > 0.9
    np.testing.assert_allclose(single.W1_, double.W1_, atol=1e-3)


def test_clone_and_set_params_through_a_pipeline(iris):
    X_train, _, y_train, _ = iris
    with quiet():
        model = scaled_net(max_iter=10).fit(X_train, y_train)
    copy = clone(model).set_params(
        twolayerclassifier__hidden_size=4, twolayerclassifier__n_iter_no_change=np.inf
    )
    assert not hasattr(copy[-1], "W1_")
    assert copy.get_params()["twolayerclassifier__max_iter"] == 10
    with quiet():
        copy.fit(X_train, y_train)
    assert copy[-1].W1_.shape == (4, 4)
    assert copy[-1].n_iter_ == 10
    assert model[-1].W1_.shape == (16, 4)  # the original is untouched


def test_a_search_reports_a_collapsed_candidate_and_picks_the_scaled_one(cancer):
    # Without a scaler the network collapses to a constant guess, and says so;
    # the search keeps the scaled candidate.
    X, _, y, _ = cancer
    pipe = Pipeline([("scale", "passthrough"), ("net", net(max_iter=20))])
    search = GridSearchCV(pipe, {"scale": ["passthrough", StandardScaler()]}, cv=3)
    with quiet(), pytest.warns(ConvergenceWarning, match="Training failed"):
        search.fit(X, y)
    assert isinstance(search.best_params_["scale"], StandardScaler)
    assert search.best_score_ > 0.95
    assert search.cv_results_["mean_test_score"][0] < 0.7
