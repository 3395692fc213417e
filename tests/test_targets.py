"""Tests of :mod:`sklearn_twolayer._targets`: labels to Y, weights, probabilities."""

import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.class_weight import compute_class_weight

from sklearn_twolayer._losses import objective
from sklearn_twolayer._targets import (
    TrainingTargets,
    balanced_weights,
    class_codes,
    class_weight_vector,
    class_weights,
    encode,
    labels_from_proba,
    log_proba_from_logits,
    loss_of_priors,
    n_outputs_for,
    out_activation_for,
    proba_from_logits,
    row_weights,
    weighted_targets,
)

# (target kind, output activation, number of output units for 3 classes)
LAYOUTS = [
    ("binary", "logistic", 1),
    ("multiclass", "softmax", 3),
    ("multiclass", "logistic", 3),  # one-vs-rest
    ("multilabel-indicator", "logistic", 3),
]
LAYOUT_IDS = ["binary", "softmax", "ovr", "multilabel"]


# ------------------------------------------------------------------- encoding
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_encode_binary_string_labels(dtype):
    y = np.array(["no", "yes", "yes", "no"])

    Y = encode(y, np.array(["no", "yes"]), "binary", dtype)

    assert Y.dtype == dtype
    assert_array_equal(Y, [[0], [1], [1], [0]])


def test_encode_binary_bool_labels():
    y = np.array([True, False, True])

    Y = encode(y, np.array([False, True]), "binary", np.float64)

    # The second class (True) is the positive one, as classes_[1] in sklearn.
    assert_array_equal(Y, [[1], [0], [1]])


@pytest.mark.parametrize(
    "y, classes",
    [
        (np.array(["b", "c", "a", "b"]), np.array(["a", "b", "c"])),
        (np.array([7, 9, 3, 7]), np.array([3, 7, 9])),
    ],
    ids=["strings", "ints"],
)
def test_encode_multiclass_one_hot(y, classes):
    Y = encode(y, classes, "multiclass", np.float32)

    assert Y.dtype == np.float32
    assert_array_equal(Y, [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_encode_multiclass_with_a_class_absent_from_y():
    # partial_fit sees batches that lack some of the classes given up front.
    Y = encode(np.array([2, 0]), np.array([0, 1, 2]), "multiclass", np.float64)

    assert_array_equal(Y, [[0, 0, 1], [1, 0, 0]])


def test_encode_multilabel_keeps_the_indicator():
    y = np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1]])

    Y = encode(y, np.arange(3), "multilabel-indicator", np.float32)

    assert Y.dtype == np.float32
    assert_array_equal(Y, y)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_encode_rejects_unknown_labels(kind):
    classes = np.array(["a", "b"]) if kind == "binary" else np.array(["a", "b", "c"])

    with pytest.raises(ValueError, match=r"'zzz'.*not in classes"):
        encode(np.array(["a", "zzz"]), classes, kind, np.float64)


# ----------------------------------------------------- targets of training rows
def _labels(kind, n, K, rng):
    """Labels of ``kind`` for n rows: strings for single-label kinds."""
    classes = np.array([f"class {k:03d}" for k in range(K)])
    if kind == "multilabel-indicator":
        return rng.integers(0, 2, size=(n, K)), np.arange(K)
    return classes[rng.integers(0, K, size=n)], classes


@pytest.mark.parametrize(
    "K, dtype", [(2, np.uint8), (256, np.uint8), (257, np.uint16), (300, np.uint16)]
)
def test_class_codes_are_indices_in_the_smallest_dtype(K, dtype):
    rng = np.random.default_rng(0)
    # More rows than one block of the conversion, so that blocks are joined.
    y, classes = _labels("multiclass", 70_000, K, rng)

    codes = class_codes(y, classes)

    assert codes.dtype == dtype
    assert_array_equal(classes[codes], y)


def test_class_codes_reject_unknown_labels():
    with pytest.raises(ValueError, match=r"'zzz'.*not in classes"):
        class_codes(np.array(["a", "zzz"]), np.array(["a", "b"]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, out_activation, K", LAYOUTS, ids=LAYOUT_IDS)
def test_training_targets_give_the_rows_of_encode(kind, out_activation, K, dtype):
    rng = np.random.default_rng(1)
    n_classes = 2 if kind == "binary" else K
    y, classes = _labels(kind, 90, n_classes, rng)
    Y = encode(y, classes, kind, dtype)
    targets = TrainingTargets(y, classes, kind, dtype)
    idx = np.sort(rng.choice(90, size=25, replace=False))
    out = np.full((25, K), np.nan, dtype=dtype)

    taken = targets.take(idx, out, targets.scratch(40)[:25])

    assert len(targets) == 90
    assert targets.n_outputs == K
    assert taken.dtype == dtype
    assert_array_equal(taken, Y[idx])
    rows = targets.rows(30, 55, out)
    assert rows.dtype == dtype
    assert_array_equal(rows, Y[30:55])
    assert_array_equal(targets.take(idx[:3], out[:3]), Y[idx[:3]])  # no scratch
    # One byte a row (a class index) or a byte an entry (multilabel), not one
    # float per row and output unit.
    if kind == "multilabel-indicator":
        assert targets.codes is None
        assert targets.indicator.nbytes == 90 * K
    else:
        assert targets.indicator is None
        assert targets.codes.nbytes == 90


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kind, out_activation, K", LAYOUTS, ids=LAYOUT_IDS)
def test_training_targets_prior_loss_is_that_of_encoded_rows(
    kind, out_activation, K, weighted
):
    rng = np.random.default_rng(2)
    n = 140_000  # more than one block of the counts
    y, classes = _labels(kind, n, 2 if kind == "binary" else K, rng)
    Y = encode(y, classes, kind, np.float64)
    w = rng.uniform(0.2, 2.0, size=n) if weighted else None
    targets = TrainingTargets(y, classes, kind, np.float64)
    rows = np.sort(rng.choice(n, size=n // 2, replace=False))

    for subset in (None, rows):
        p = np.average(
            Y if subset is None else Y[subset],
            axis=0,
            weights=None if w is None else (w if subset is None else w[subset]),
        )
        expected = loss_of_priors(p, out_activation)
        got = targets.prior_loss(subset, w, out_activation)
        assert got == pytest.approx(expected, rel=1e-12)


def test_output_layout():
    assert n_outputs_for("binary", 2) == 1
    assert n_outputs_for("multiclass", 5) == 5
    assert n_outputs_for("multilabel-indicator", 4) == 4
    assert out_activation_for("binary", "softmax") == "logistic"
    assert out_activation_for("multiclass", "softmax") == "softmax"
    assert out_activation_for("multiclass", "ovr") == "logistic"
    assert out_activation_for("multilabel-indicator", "softmax") == "logistic"


# -------------------------------------------------------------------- weights
# compute_class_weight takes sample_weight from scikit-learn 1.7 on.
CCW_HAS_SAMPLE_WEIGHT = (
    "sample_weight" in inspect.signature(compute_class_weight).parameters
)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_balanced_weights_match_compute_class_weight(weighted):
    if weighted and not CCW_HAS_SAMPLE_WEIGHT:
        pytest.skip("this compute_class_weight takes no sample_weight")
    rng = np.random.default_rng(0)
    classes = np.array(["a", "b", "c", "d"])
    y = classes[rng.choice(4, size=50, p=[0.5, 0.3, 0.15, 0.05])]
    assert set(y) == set(classes)
    sample_weight = rng.uniform(0.1, 3.0, size=50) if weighted else None
    counts = np.bincount(
        np.searchsorted(classes, y), weights=sample_weight, minlength=len(classes)
    )

    weights = {} if sample_weight is None else {"sample_weight": sample_weight}
    expected = compute_class_weight("balanced", classes=classes, y=y, **weights)

    assert_allclose(balanced_weights(counts), expected, rtol=1e-14)


def test_balanced_weights_give_unseen_classes_weight_one():
    # partial_fit may not have seen every class yet.
    weights = balanced_weights([6.0, 0.0, 2.0])

    # n = 8, K = 3: 8 / (3 * 6) and 8 / (3 * 2).
    assert_allclose(weights, [8 / 18, 1.0, 8 / 6], rtol=1e-15)


def test_class_weight_vector():
    classes = np.array([0, 1, 2])

    assert_array_equal(class_weight_vector(None, classes), [1, 1, 1])
    # Classes a dict leaves out weigh 1.
    assert_array_equal(class_weight_vector({0: 2.0, 2: 0.5}, classes), [2, 1, 0.5])


def test_class_weights_return_the_running_counts_without_storing_them():
    classes, y = np.array([0, 1, 2]), np.array([0, 0, 1])
    counts = np.array([1.0, 0.0, 3.0])
    before = counts.copy()

    # partial_fit passes the counts of earlier calls and gets them back updated.
    weights, updated = class_weights("balanced", classes, y, None, counts)
    assert_array_equal(counts, before)
    assert_array_equal(updated, [3.0, 1.0, 3.0])
    assert_allclose(weights, balanced_weights(updated), rtol=1e-15)
    # fit counts its own rows alone, each with its sample weight.
    weights, own = class_weights("balanced", classes, y, np.array([1.0, 3.0, 2.0]))
    assert_array_equal(own, [4.0, 2.0, 0.0])
    # A dict, or no class weights, leave the counts as they are.
    weights, same = class_weights({0: 2.0}, classes, y, None, counts)
    assert same is counts
    assert_array_equal(weights, [2.0, 1.0, 1.0])
    assert class_weights(None, classes, y, None, counts) == (None, counts)


def test_row_weights_multiply_sample_and_class_weights():
    classes, y = np.array(["a", "b"]), np.array(["b", "a", "b"])
    sample_weight = np.array([1.0, 2.0, 0.5])
    w = row_weights(y, classes, sample_weight, np.array([3.0, 0.5]), np.float32)
    assert w.dtype == np.float32
    assert_array_equal(w, [0.5, 6.0, 0.25])
    assert_array_equal(
        row_weights(y, classes, None, np.array([3.0, 0.5]), np.float64), [0.5, 3, 0.5]
    )
    # Without class weights the row weights are the sample weights, or None.
    assert row_weights(y, classes, sample_weight, None, np.float64) is sample_weight
    assert row_weights(y, classes, None, None, np.float64) is None


@pytest.mark.parametrize("incremental", [False, True], ids=["fit", "partial_fit"])
def test_weighted_targets_keep_running_counts_for_partial_fit(incremental):
    classes, y = np.array([0, 1, 2]), np.array([0, 0, 1])
    result = weighted_targets(
        y,
        "multiclass",
        classes,
        None,
        np.float32,
        multiclass="softmax",
        class_weight="balanced",
        class_counts=[1.0, 0.0, 3.0],
        incremental=incremental,
    )
    assert result.layout.n_outputs == 3 and result.layout.out_activation == "softmax"
    assert result.w.dtype == np.float32
    assert result.warning is None
    # partial_fit weighs by every row seen and keeps the updated counts; fit weighs
    # by its own rows and leaves the counts as they were.
    seen = [3.0, 1.0, 3.0] if incremental else [2.0, 1.0, 0.0]
    assert_allclose(result.per_class, balanced_weights(seen), rtol=1e-15)
    assert result.class_counts == ([3.0, 1.0, 3.0] if incremental else [1, 0, 3])


def test_weighted_targets_ignore_class_weight_for_multilabel_targets():
    Y = np.array([[1, 0], [1, 1]])
    args = (Y, "multilabel-indicator", np.arange(2), None, np.float64)
    result = weighted_targets(*args, multiclass="softmax", class_weight={0: 2.0})
    assert result.warning == (
        "class_weight does not apply to multilabel targets and is ignored."
    )
    assert result.per_class is None and result.w is None
    assert result.class_counts == [0.0, 0.0]


# ----------------------------------------------------------------- prior loss
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kind, out_activation, K", LAYOUTS, ids=LAYOUT_IDS)
def test_prior_loss_is_the_loss_of_constant_prior_logits(
    kind, out_activation, K, weighted
):
    rng = np.random.default_rng(1)
    m = 40
    y, classes = _labels(kind, m, 2 if kind == "binary" else K, rng)
    Y = encode(y, classes, kind, np.float64)
    w = rng.uniform(0.2, 2.0, size=m) if weighted else None
    p = np.average(Y, axis=0, weights=w)

    # The logits whose probabilities are the priors p.
    if out_activation == "softmax":
        z = np.log(p)
    else:
        z = np.log(p) - np.log1p(-p)
    Z2 = np.tile(z, (m, 1))
    S = m if w is None else w.sum()
    expected = objective(Z2, Y, w, S, None, None, 0.0, out_activation)

    assert loss_of_priors(p, out_activation) == pytest.approx(expected, rel=1e-12)
    targets = TrainingTargets(y, classes, kind, np.float64)
    assert targets.prior_loss(None, w, out_activation) == pytest.approx(
        expected, rel=1e-12
    )


def test_prior_loss_of_a_constant_unit_is_zero_and_finite():
    # A label that is never (or always) on costs nothing to predict.
    with np.errstate(divide="raise", invalid="raise"):
        loss = loss_of_priors([0.0, 1.0], "logistic")

    assert loss == 0.0


# ------------------------------------------------------------- probabilities
def _logits(K, dtype, seed=2, m=20):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=4, size=(m, K)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, out_activation, K", LAYOUTS, ids=LAYOUT_IDS)
def test_proba_and_log_proba_agree(kind, out_activation, K, dtype):
    Z2 = _logits(K, dtype)
    eps = np.finfo(dtype).eps

    # proba_from_logits works in place on its argument.
    proba = proba_from_logits(Z2.copy(), kind, out_activation)
    log_proba = log_proba_from_logits(Z2.copy(), kind, out_activation)

    n_columns = 2 if kind == "binary" else K
    assert proba.shape == log_proba.shape == (len(Z2), n_columns)
    assert proba.dtype == log_proba.dtype == dtype
    # Probabilities carry an absolute rounding error of a few eps (1 - a for the
    # negative class of a binary target), their logarithms a relative one.
    assert_allclose(np.exp(log_proba), proba, rtol=8 * eps, atol=2 * eps)
    if kind != "multilabel-indicator":
        assert_allclose(proba.sum(axis=1), 1.0, rtol=4 * eps)


def test_proba_definitions():
    Z2 = _logits(3, np.float64)
    sigma = 1 / (1 + np.exp(-Z2))
    E = np.exp(Z2)

    binary = proba_from_logits(Z2[:, :1].copy(), "binary", "logistic")
    assert_allclose(binary, np.hstack([1 - sigma[:, :1], sigma[:, :1]]), rtol=1e-14)
    assert_allclose(
        proba_from_logits(Z2.copy(), "multiclass", "softmax"),
        E / E.sum(axis=1, keepdims=True),
        rtol=1e-14,
    )
    assert_allclose(
        proba_from_logits(Z2.copy(), "multiclass", "logistic"),
        sigma / sigma.sum(axis=1, keepdims=True),
        rtol=1e-14,
    )
    assert_allclose(
        proba_from_logits(Z2.copy(), "multilabel-indicator", "logistic"),
        sigma,
        rtol=1e-14,
    )


def _extreme_logits(K, dtype):
    z = 1e4
    rows = [
        [-z, 0.0, z],
        [z, z, -z],
        [-z, -z, -z],
        [z, z, z],
        [-z, -800.0, -z],
        [-z, -z + 1, -z + 2],
    ]
    return np.array([row[:K] for row in rows], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, out_activation, K", LAYOUTS, ids=LAYOUT_IDS)
def test_probabilities_at_extreme_logits(kind, out_activation, K, dtype):
    Z2 = _extreme_logits(K, dtype)

    with np.errstate(over="raise", divide="raise", invalid="raise"):
        proba = proba_from_logits(Z2.copy(), kind, out_activation)
        log_proba = log_proba_from_logits(Z2.copy(), kind, out_activation)

    assert proba.dtype == log_proba.dtype == dtype
    assert np.isfinite(proba).all()
    assert np.isfinite(log_proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    eps = np.finfo(dtype).eps
    assert_allclose(np.exp(log_proba), proba, rtol=8 * eps, atol=2 * eps)
    if kind != "multilabel-indicator":
        assert_allclose(proba.sum(axis=1), 1.0, rtol=4 * eps)
        # The most probable class is the one with the largest logit.
        if kind == "binary":
            assert_array_equal(proba[:, 1] > 0.5, Z2[:, 0] > 0)
        else:
            untied = np.ptp(Z2, axis=1) > 0
            assert_array_equal(proba[untied].argmax(axis=1), Z2[untied].argmax(axis=1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ovr_proba_far_from_every_class(dtype):
    # Logits below about -88 (float32) or -709 (float64) make every sigmoid
    # underflow to 0. The normalised probabilities must still be the ratios
    # sigma_k / sum_j sigma_j, here about exp(z_k) / sum_j exp(z_j), and not a
    # uniform guess that would predict the first class.
    base = -100.0 if dtype == np.float32 else -800.0
    Z2 = np.array([[base, base + 5, base]], dtype=dtype)
    e = np.exp([0.0, 5.0, 0.0])
    expected = e / e.sum()

    proba = proba_from_logits(Z2.copy(), "multiclass", "logistic")
    log_proba = log_proba_from_logits(Z2.copy(), "multiclass", "logistic")

    # Z2 itself is exact; only the rounding of the two normalisations remains.
    assert_allclose(proba[0], expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert_allclose(np.exp(log_proba[0]), expected, rtol=1e-5)
    classes = np.array(["a", "b", "c"])
    assert labels_from_proba(proba, classes, "multiclass")[0] == "b"


def test_labels_from_proba():
    classes = np.array(["x", "y", "z"])
    proba = np.array([[0.2, 0.5, 0.3], [0.7, 0.2, 0.1]])

    assert_array_equal(labels_from_proba(proba, classes, "multiclass"), ["y", "x"])
    assert_array_equal(
        labels_from_proba(proba, np.arange(3), "multilabel-indicator"),
        [[0, 0, 0], [1, 0, 0]],
    )
    binary = np.array([[0.4, 0.6], [0.9, 0.1]])
    assert_array_equal(
        labels_from_proba(binary, np.array([False, True]), "binary"), [True, False]
    )
