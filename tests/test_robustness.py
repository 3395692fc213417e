"""Robustness: bad and unusual inputs, faults during training, threads, extreme data.

Every bad input must get a ValueError or TypeError that names the problem, every
unusual but valid input a correct model; a training call that fails or is interrupted
must leave the estimator as it was (or, after Ctrl-C, at its last finished epoch);
prediction must be safe to share between threads.
"""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import assert_same_state, peak_bytes, state_of
from sklearn.base import clone
from sklearn.exceptions import (
    ConvergenceWarning,
    DataConversionWarning,
    NotFittedError,
)

from sklearn_twolayer import TwoLayerClassifier, _training

pd = pytest.importorskip("pandas")

# Small fits stop at max_iter on purpose; the tests that care about the warning
# catch it themselves.
pytestmark = pytest.mark.filterwarnings(
    "ignore:TwoLayerClassifier reached max_iter:sklearn.exceptions.ConvergenceWarning"
)


def make_data(n=40, d=3, k=2, seed=0):
    """A small, well-scaled classification problem with every class present."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d)
    y = np.arange(n) % k
    X[:, 0] += 4.0 * y  # learnable, so accuracy checks mean something
    return X, y


X, Y = make_data()


def small(**params):
    """A fast, seeded estimator."""
    defaults = dict(hidden_size=4, max_iter=5, batch_size=16, random_state=0)
    defaults.update(params)
    return TwoLayerClassifier(**defaults)


def X_with(value, row=3, col=1):
    Z = X.copy()
    Z[row, col] = value
    return Z


def assert_same_model(a, b, exact=True):
    """Same weights (bit for bit, or to rounding), same dtype, same classes."""
    for name in ("W1_", "b1_", "W2_", "b2_"):
        pa, pb = getattr(a, name), getattr(b, name)
        assert pa.dtype == pb.dtype, name
        if exact:
            np.testing.assert_array_equal(pa, pb, err_msg=name)
        else:
            np.testing.assert_allclose(pa, pb, rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_array_equal(a.classes_, b.classes_)


def reference_fit(X_ref=X, y=Y, **params):
    return small(**params).fit(X_ref, y)


def same_as_reference(X_ref, exact=True, dtype=np.float64, **params):
    """Check: the result is the model fitted on ``X_ref`` (a plain array)."""

    def check(est):
        assert est.W1_.dtype == dtype
        assert_same_model(est, reference_fit(X_ref, **params), exact=exact)

    return check


def learns(labels, X_=X, min_score=0.9):
    """Check: a fitted model whose classes are ``labels`` and that fits X_ well."""

    def check(est):
        np.testing.assert_array_equal(est.classes_, np.sort(np.unique(labels)))
        pred = est.predict(X_)
        assert pred.dtype == np.asarray(labels).dtype
        assert set(pred.tolist()) <= set(np.asarray(labels).tolist())
        assert est.score(X_, labels) >= min_score

    return check


class Raises:
    """Expected outcome: ``exc`` with a message matching ``match``."""

    def __init__(self, exc, match):
        self.exc, self.match = exc, match

    def __repr__(self):
        return f"Raises({self.exc.__name__}, {self.match!r})"


def fit(X_, y_=Y, sample_weight=None, **params):
    return lambda: small(**params).fit(X_, y_, sample_weight=sample_weight)


def fitted():
    return small().fit(X, Y)


def fit_with_overflowing_validation_rows():
    # scikit-learn's finiteness check sums X_val, and numpy warns that this sum
    # overflows; the estimator's own error comes after.
    with np.errstate(over="ignore", invalid="ignore"):
        return small(activation="identity").fit(
            np.random.RandomState(0).randn(40, 100),
            Y,
            X_val=np.full((5, 100), 1e308),
            y_val=Y[:5],
        )


def partial_fit_sparse_from_nan_column():
    # No row reaches feature 1, so the sparse products never read its NaN weights
    # and the loss stays finite; the check at the end of the epoch finds them.
    est = fitted()
    est.W1_[:, 1] = np.nan
    return est.partial_fit(sp.csr_matrix(X * [1, 0, 1]), Y)


def set_attr(est, name, value):
    setattr(est, name, value)
    return est


def readonly(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


def big_endian(a, dtype):
    return a.astype(np.dtype(dtype).newbyteorder(">"))


def unsorted_csr(a):
    """CSR with each row's column indices in reverse order (and flagged so)."""
    m = sp.csr_matrix(a)
    for i in range(m.shape[0]):
        row = slice(m.indptr[i], m.indptr[i + 1])
        m.indices[row] = m.indices[row][::-1].copy()
        m.data[row] = m.data[row][::-1].copy()
    m.has_sorted_indices = False
    return m


def csr_with_explicit_zeros(a):
    """CSR whose third column is stored, but as explicit zeros."""
    m = sp.csr_matrix(a)
    m.data[m.indices == 2] = 0.0
    assert m.nnz == a.size
    return m


def check_probabilities(est):
    proba = est.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def wide_fit():
    return small(activation="identity").fit(np.random.RandomState(0).randn(40, 100), Y)


def check_predicts_overflow_error(est):
    # Finite rows aligned with the first hidden unit's weights: its sum overflows
    # to inf, and so do the logits (inf, or NaN when inf meets -inf).
    huge = np.tile(1e308 * np.sign(est.W1_[0]), (2, 1))
    huge[1, ::2] *= -1
    with np.errstate(over="ignore", invalid="ignore"):
        assert not np.isfinite(huge @ est.W1_.T).all(axis=1).any()
    for method in (est.predict, est.predict_proba, est.predict_log_proba):
        # scikit-learn's finiteness check sums X, and numpy warns that this sum
        # overflows; the estimator's own error comes after.
        with np.errstate(over="ignore", invalid="ignore"):
            with pytest.raises(
                ValueError, match="outputs overflow for 2 of the 2 rows"
            ):
                method(huge)


def with_warning(action, category, match):
    def run():
        with pytest.warns(category, match=match):
            return action()

    return run


WITH_CONSTANTS = np.hstack([X, np.ones((len(X), 1)), np.zeros((len(X), 1))])


def constant_and_duplicates():
    """Constant columns and duplicated rows are valid: fit as usual."""
    Xc = WITH_CONSTANTS
    return small(max_iter=20).fit(np.vstack([Xc, Xc]), np.hstack([Y, Y]))


def check_constant_and_duplicates(est):
    proba = est.predict_proba(WITH_CONSTANTS)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert est.score(WITH_CONSTANTS, Y) >= 0.9
    # A feature that is zero in every row gets no gradient: its weights stay at
    # their initial values.
    start = small(max_iter=1, alpha=1e-300).fit(WITH_CONSTANTS, Y)
    np.testing.assert_array_equal(est.W1_[:, 4], start.W1_[:, 4])


def dataframe_mixed():
    df = pd.DataFrame(
        {
            "f": X[:, 0],
            "i": np.round(X[:, 1] * 10).astype(np.int64),
            "b": X[:, 2] > 0,
        }
    )
    return small().fit(df, Y), df


def check_dataframe_mixed(result):
    est, df = result
    np.testing.assert_array_equal(est.feature_names_in_, ["f", "i", "b"])
    as_float = df.to_numpy(dtype=np.float64)
    assert_same_model(est, reference_fit(as_float))
    reference = reference_fit(as_float)
    np.testing.assert_array_equal(est.predict(df), reference.predict(as_float))


def memmap_fit(tmp_dir):
    path = tmp_dir / "X.dat"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    del mm
    X_mm = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    est = small().fit(X_mm, Y)
    est.predict_proba(X_mm)
    return est


def partial_fit(X_, y_=Y, classes=None, **params):
    return lambda: small(**params).partial_fit(X_, y_, classes=classes)


def predict_with(method, X_):
    return lambda: getattr(fitted(), method)(X_)


# The table. Each row: an action (a callable that fits and/or predicts) and its
# expected outcome, either Raises(...) or a check of the returned value.
CASES = {
    # --- X: values
    "X-nan": (fit(X_with(np.nan)), Raises(ValueError, "Input X contains NaN")),
    "X-plus-inf": (fit(X_with(np.inf)), Raises(ValueError, "X contains infinity")),
    "X-minus-inf": (fit(X_with(-np.inf)), Raises(ValueError, "X contains infinity")),
    "X-complex": (fit(X + 1j), Raises(ValueError, "Complex data not supported")),
    "X-object-strings": (
        fit(np.full(X.shape, "a", dtype=object)),
        Raises(ValueError, "could not convert string to float"),
    ),
    "X-unicode-strings": (
        fit(np.full(X.shape, "a")),
        Raises(ValueError, "could not convert string to float"),
    ),
    "X-sparse-nan": (
        fit(sp.csr_matrix(X_with(np.nan))),
        Raises(ValueError, "Input X contains NaN"),
    ),
    # --- X: shapes
    "X-3d": (fit(X[:, :, None]), Raises(ValueError, "Found array with dim 3")),
    "X-1d": (fit(X[:, 0]), Raises(ValueError, "Expected 2D array, got 1D array")),
    "X-empty": (fit(X[:0], Y[:0]), Raises(ValueError, "0 sample\\(s\\)")),
    "X-no-features": (fit(X[:, :0]), Raises(ValueError, "0 feature\\(s\\)")),
    "X-one-row": (fit(X[:1], Y[:1]), Raises(ValueError, "only one class")),
    "X-two-rows": (fit(X[:2], Y[:2]), learns(Y[:2], X[:2], min_score=0.0)),
    "X-one-feature": (fit(X[:, :1], max_iter=60), learns(Y, X[:, :1])),
    "X-y-lengths-differ": (
        fit(X, Y[:-1]),
        Raises(ValueError, "inconsistent numbers of samples: \\[40, 39\\]"),
    ),
    "X-list-of-lists": (fit(X.tolist()), same_as_reference(X)),
    # --- X: layouts and dtypes (each gives the model fitted on the plain array)
    "X-readonly": (
        fit(readonly(X), readonly(Y), sample_weight=readonly(np.ones(len(X)))),
        same_as_reference(X),
    ),
    "X-fortran-order": (fit(np.asfortranarray(X)), same_as_reference(X, exact=False)),
    "X-non-contiguous": (
        fit(np.repeat(X, 2, axis=1)[:, ::2]),
        same_as_reference(X, exact=False),
    ),
    "X-big-endian-float64": (fit(big_endian(X, "f8")), same_as_reference(X)),
    "X-big-endian-float32": (
        fit(big_endian(X, "f4")),
        same_as_reference(X.astype(np.float32), dtype=np.float32),
    ),
    "X-int": (
        fit(np.round(X * 10).astype(np.int32)),
        same_as_reference(np.round(X * 10)),
    ),
    "X-bool": (fit(X > 0), same_as_reference((X > 0).astype(np.float64))),
    "X-float16": (
        fit(X.astype(np.float16)),
        same_as_reference(X.astype(np.float16).astype(np.float64)),
    ),
    "X-sparse-explicit-zeros": (
        fit(csr_with_explicit_zeros(X)),
        same_as_reference(np.where(np.arange(3) == 2, 0.0, X), exact=False),
    ),
    "X-sparse-unsorted-indices": (
        fit(unsorted_csr(X)),
        same_as_reference(X, exact=False),
    ),
    "X-sparse-coo": (fit(sp.coo_matrix(X)), same_as_reference(X, exact=False)),
    "X-sparse-array": (fit(sp.csr_array(X)), same_as_reference(X, exact=False)),
    "X-huge-values-tanh": (
        fit(X * 1e30, activation="tanh", max_iter=20),
        check_probabilities,
    ),
    "X-huge-values-relu": (
        fit(X * 1e30, max_iter=20),
        Raises(ValueError, "non-finite .* at epoch \\d+: .* Scale X"),
    ),
    "X-constant-features-duplicate-rows": (
        constant_and_duplicates,
        check_constant_and_duplicates,
    ),
    "X-dataframe-mixed-dtypes": (dataframe_mixed, check_dataframe_mixed),
    "X-dataframe-string-column": (
        fit(pd.DataFrame({"a": X[:, 0], "b": ["x"] * len(X)})),
        Raises(ValueError, "could not convert string to float: 'x'"),
    ),
    "X-dataframe-nullable-missing": (
        fit(pd.DataFrame({"a": X[:, 0], "b": pd.array([1, None] * 20, "Int64")})),
        Raises(ValueError, "Input X contains NaN"),
    ),
    # --- y
    "y-nan": (
        fit(X, np.where(Y == 0, np.nan, 1.0)),
        Raises(ValueError, "y contains NaN"),
    ),
    "y-continuous": (
        fit(X, np.linspace(0, 1, len(X))),
        Raises(ValueError, "Unknown label type: continuous"),
    ),
    "y-non-integral-floats": (
        fit(X, Y + 0.5),
        Raises(ValueError, "Unknown label type: continuous"),
    ),
    "y-one-class": (fit(X, np.zeros(len(X))), Raises(ValueError, "only one class")),
    "y-strings": (
        fit(X, np.array(["no", "yes"])[Y], max_iter=60),
        learns(np.array(["no", "yes"])[Y]),
    ),
    "y-bool": (fit(X, Y.astype(bool), max_iter=60), learns(Y.astype(bool))),
    "y-int": (fit(X, np.array([-3, 7])[Y], max_iter=60), learns(np.array([-3, 7])[Y])),
    "y-integral-floats": (
        fit(X, Y.astype(float), max_iter=60),
        learns(Y.astype(float)),
    ),
    "y-mixed-types": (
        fit(X, np.array([1, "a"] * 20, dtype=object)),
        Raises(
            ValueError, "y mixes string labels with labels of other types \\(int\\)"
        ),
    ),
    "y-strings-and-none": (
        fit(X, np.array(["a", None] * 20, dtype=object)),
        Raises(ValueError, "mixes string labels .*NoneType"),
    ),
    "y-column-vector": (
        with_warning(fit(X, Y[:, None]), DataConversionWarning, "column-vector y"),
        same_as_reference(X),
    ),
    "y-2d-multiclass-multioutput": (
        fit(X, np.c_[Y, np.arange(len(X)) % 3]),
        Raises(ValueError, "0/1 columns; got a multiclass-multioutput target"),
    ),
    "y-2d-two-valued-not-indicator": (
        fit(X, np.c_[Y, 1 - Y] + 1),
        Raises(ValueError, "indicator matrix of 0/1 columns; .* values \\[1, 2\\]"),
    ),
    "y-2d-strings": (
        fit(X, np.c_[Y, 1 - Y].astype(str)),
        Raises(ValueError, "2-D y only as a multilabel indicator matrix"),
    ),
    # --- sample_weight
    "sw-negative": (
        fit(X, sample_weight=-np.ones(len(X))),
        Raises(ValueError, "Negative values in data passed to `sample_weight`"),
    ),
    "sw-nan": (
        fit(X, sample_weight=np.r_[np.nan, np.ones(len(X) - 1)]),
        Raises(ValueError, "sample_weight contains NaN"),
    ),
    "sw-inf": (
        fit(X, sample_weight=np.r_[np.inf, np.ones(len(X) - 1)]),
        Raises(ValueError, "sample_weight contains infinity"),
    ),
    "sw-all-zero": (
        fit(X, sample_weight=np.zeros(len(X))),
        # scikit-learn >= 1.9 rejects the weights itself; older versions leave
        # it to the estimator.
        Raises(ValueError, "at least one non-zero|sample_weight sums to zero"),
    ),
    "sw-wrong-length": (
        fit(X, sample_weight=np.ones(len(X) - 1)),
        Raises(ValueError, "sample_weight.shape == \\(39,\\), expected \\(40,\\)"),
    ),
    "sw-2d": (
        fit(X, sample_weight=np.ones((len(X), 1))),
        Raises(ValueError, "Sample weights must be 1D array"),
    ),
    "sw-sum-overflows": (
        fit(X, sample_weight=np.full(len(X), 1e307)),
        Raises(ValueError, "sum to more than float64 can hold"),
    ),
    "sw-float32-overflow": (
        fit(X.astype(np.float32), sample_weight=np.full(len(X), 1e37)),
        Raises(ValueError, "sum to more than float32 can hold"),
    ),
    "sw-scalar": (fit(X, sample_weight=2.0), same_as_reference(X)),
    # --- class_weight
    "cw-unknown-class": (
        fit(X, class_weight={0: 1, 7: 2}),
        Raises(ValueError, "names labels that are not classes of y \\(\\[0, 1\\]\\)"),
    ),
    "cw-extra-label-all-weighted": (
        fit(X, class_weight={0: 1.0, 1: 1.0, 7: 2.0}),
        same_as_reference(X),
    ),
    "cw-negative": (
        fit(X, class_weight={0: -1, 1: 1}),
        Raises(ValueError, "class_weight must map labels to finite, non-negative"),
    ),
    "cw-nan": (
        fit(X, class_weight={0: np.nan, 1: 1}),
        Raises(ValueError, "got nan for label 0"),
    ),
    "cw-inf": (
        fit(X, class_weight={0: np.inf, 1: 1}),
        Raises(ValueError, "got inf for label 0"),
    ),
    "cw-string-value": (
        fit(X, class_weight={0: "a", 1: 1}),
        Raises(ValueError, "got 'a' for label 0"),
    ),
    "cw-all-zero": (
        fit(X, class_weight={0: 0, 1: 0}),
        Raises(ValueError, "weights of all training rows are zero"),
    ),
    "cw-zero-where-weights-are": (
        fit(X, class_weight={0: 0, 1: 1}, sample_weight=(Y == 0).astype(float)),
        Raises(ValueError, "weights of all training rows are zero"),
    ),
    "cw-multilabel-ignored": (
        with_warning(
            fit(X, np.c_[Y, 1 - Y], class_weight="balanced"),
            UserWarning,
            "class_weight does not apply to multilabel",
        ),
        lambda est: est.predict_proba(X).shape == (len(X), 2),
    ),
    # --- validation data
    "X_val-without-y_val": (
        lambda: small().fit(X, Y, X_val=X),
        Raises(ValueError, "X_val and y_val must be given together"),
    ),
    "sample_weight_val-alone": (
        lambda: small().fit(X, Y, sample_weight_val=np.ones(len(X))),
        Raises(ValueError, "sample_weight_val was given without X_val"),
    ),
    "X_val-wrong-features": (
        lambda: small().fit(X, Y, X_val=X[:, :2], y_val=Y),
        Raises(ValueError, "X has 2 features, but TwoLayerClassifier is expecting 3"),
    ),
    "X_val-overflowing-rows": (
        fit_with_overflowing_validation_rows,
        Raises(ValueError, "outputs on the validation rows are not finite"),
    ),
    "y_val-unknown-labels": (
        lambda: small().fit(X, Y, X_val=X, y_val=Y + 5),
        Raises(ValueError, "y contains labels \\[5, 6\\] that are not in classes"),
    ),
    # --- prediction
    "predict-wrong-features": (
        predict_with("predict", X[:, :2]),
        Raises(ValueError, "X has 2 features, but TwoLayerClassifier is expecting 3"),
    ),
    "predict-nan": (
        predict_with("predict_proba", X_with(np.nan)),
        Raises(ValueError, "NaN"),
    ),
    "predict-1d": (predict_with("predict", X[0]), Raises(ValueError, "Expected 2D")),
    "predict-empty": (predict_with("predict", X[:0]), Raises(ValueError, "0 sample")),
    "predict-overflowing-rows": (wide_fit, check_predicts_overflow_error),
    "predict-W1_-set-to-wrong-shape": (
        lambda: set_attr(fitted(), "W1_", np.ones((4, 2))).predict(X),
        Raises(
            ValueError, "W1_ has shape \\(4, 2\\), but the other fitted .* \\(4, 3\\)"
        ),
    ),
    "predict-b2_-set-to-nan": (
        lambda: set_attr(fitted(), "b2_", np.full(1, np.nan)).predict_proba(X),
        Raises(ValueError, "b2_ contains NaN or infinity"),
    ),
    "partial_fit-from-nan-weights": (
        lambda: set_attr(fitted(), "W2_", np.full((1, 4), np.nan)).partial_fit(X, Y),
        Raises(ValueError, "W2_ contains NaN or infinity, so training cannot continue"),
    ),
    "warm-fit-from-inf-bias": (
        lambda: set_attr(
            fitted().set_params(warm_start=True), "b1_", np.full(4, np.inf)
        ).fit(X, Y),
        Raises(ValueError, "b1_ contains NaN or infinity, so training cannot continue"),
    ),
    "partial_fit-sparse-from-nan-column": (
        partial_fit_sparse_from_nan_column,
        Raises(ValueError, "W1_ contains NaN or infinity, so training cannot continue"),
    ),
    "partial_fit-hidden_size-changed": (
        lambda: fitted().set_params(hidden_size=5).partial_fit(X, Y),
        Raises(ValueError, "W1_ has shape \\(4, 3\\), but hidden_size=5"),
    ),
    "predict-before-fit": (
        lambda: small().predict(X),
        Raises(NotFittedError, "not fitted yet"),
    ),
    # --- partial_fit
    "partial_fit-no-classes": (
        partial_fit(X),
        Raises(ValueError, "classes must be passed on the first call"),
    ),
    "partial_fit-duplicate-classes": (
        partial_fit(X, classes=[0, 1, 1]),
        Raises(ValueError, "classes must be a list of distinct labels"),
    ),
    "partial_fit-classes-missing-y": (
        partial_fit(X, classes=[0, 2]),
        Raises(
            ValueError, "y contains labels \\[1\\] that are not in classes \\[0, 2\\]"
        ),
    ),
    "partial_fit-classes-2d": (
        partial_fit(X, classes=[[0, 1]]),
        Raises(ValueError, "classes must be a list of distinct labels"),
    ),
    "partial_fit-new-label-later": (
        lambda: small().partial_fit(X, Y, classes=[0, 1]).partial_fit(X, Y + 1),
        Raises(ValueError, "labels \\[2\\] that are not in classes_"),
    ),
    "warm_start-other-classes": (
        lambda: small(warm_start=True).fit(X, Y).fit(X, Y + 1),
        Raises(ValueError, "warm_start can only continue training with the classes"),
    ),
    "partial_fit-other-features": (
        lambda: small().partial_fit(X, Y, classes=[0, 1]).partial_fit(X[:, :2], Y),
        Raises(ValueError, "X has 2 features"),
    ),
}


@pytest.mark.parametrize(("action", "expected"), CASES.values(), ids=CASES.keys())
def test_bad_or_unusual_input(action, expected):
    if isinstance(expected, Raises):
        with pytest.raises(expected.exc, match=expected.match):
            action()
    else:
        result = expected(action())
        # Checks written as expressions return their verdict instead of asserting.
        assert result is None or result


def test_table_is_large_enough():
    assert len(CASES) >= 40


def test_memmap_input(tmp_path):
    # A read-only memory map trains and predicts like the array it holds.
    assert_same_model(memmap_fit(tmp_path), reference_fit(X))


def test_unsorted_sparse_input_is_not_modified():
    m = unsorted_csr(X)
    indices, data = m.indices.copy(), m.data.copy()
    est = small().fit(m, Y)
    est.predict(m)
    np.testing.assert_array_equal(m.indices, indices)
    np.testing.assert_array_equal(m.data, data)


def test_input_arrays_are_not_modified():
    X_, y_, sw = X.copy(), Y.copy(), np.linspace(0.5, 2, len(X))
    sw_copy = sw.copy()
    small(class_weight="balanced").fit(X_, y_, sample_weight=sw)
    np.testing.assert_array_equal(X_, X)
    np.testing.assert_array_equal(y_, Y)
    np.testing.assert_array_equal(sw, sw_copy)


def test_duplicated_rows_equal_integer_weights():
    # With one full batch, the mean loss over rows seen twice is the loss with
    # weight 2 on each: both give the same model.
    params = dict(batch_size=100, shuffle=False, max_iter=10)
    doubled = small(**params).fit(np.vstack([X, X]), np.hstack([Y, Y]))
    weighted = small(**params).fit(X, Y, sample_weight=np.full(len(X), 2.0))
    assert_same_model(doubled, weighted, exact=False)


def test_constant_X_learns_the_class_priors():
    # Identical rows carry no information but the class frequencies.
    y = np.r_[np.zeros(28, int), np.ones(12, int)]
    est = small(max_iter=300, alpha=0.5, batch_size=40, tol=0)
    # The priors are all there is to learn, and the fit says it learned no more.
    with pytest.warns(ConvergenceWarning, match="no better than a constant guess"):
        est.fit(np.ones((40, 3)), y)
    np.testing.assert_allclose(
        est.predict_proba(np.ones((1, 3)))[0], [0.7, 0.3], atol=0.02
    )


def test_dataframe_column_names_must_match_at_predict():
    est, df = dataframe_mixed()
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(df.rename(columns={"f": "g"}))


# ------------------------------------------------------------- parameters

INVALID_PARAMS = {
    "hidden_size": [0, -1, 1.5, "a", None, np.nan],
    "activation": ["x", None, "softmax", "RELU"],
    "alpha": [0, -1, np.nan, np.inf, "a", None],
    "batch_size": [0, -1, 2.5, None],
    "max_iter": [0, -1, 1.5, np.inf],
    "l2": [-1, np.nan, np.inf, "a"],
    "momentum": [-0.1, 1, 1.5, np.nan],
    "solver": ["lbfgs", "SGD", None],
    # learning_rate names a schedule; the rate itself is alpha.
    "learning_rate": ["optimal", None, 0.1],
    "power_t": [-0.5, np.nan, "a", None],
    "nesterovs_momentum": ["x", None, 2],
    "beta_1": [-0.1, 1, 1.5, np.nan, "a"],
    "beta_2": [-0.1, 1, 1.5, np.nan, None],
    "epsilon": [0, -1e-8, np.nan, "a"],
    "multiclass": ["x", None],
    "early_stopping": ["yes", 2, None],
    "validation_fraction": [0, 1, -0.1, 1.5, np.nan],
    # np.inf is valid (never stop for lack of improvement), -np.inf is not.
    "n_iter_no_change": [0, -1, 1.5, -np.inf, np.nan],
    "tol": [-1, np.nan, "a"],
    "class_weight": ["x", [1, 2], 3],
    "shuffle": ["x", None],
    "random_state": ["x", -1, 1.5],
    "warm_start": ["x", None],
    "verbose": [-1, "x", 1.5],
}


def test_every_parameter_is_covered():
    assert set(INVALID_PARAMS) == set(TwoLayerClassifier().get_params())


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name, values in INVALID_PARAMS.items() for value in values],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_invalid_parameter(name, value, method):
    est = TwoLayerClassifier(**{name: value})
    # scikit-learn's InvalidParameterError is both a ValueError and a TypeError.
    with pytest.raises((ValueError, TypeError), match=f"The '{name}' parameter"):
        if method == "fit":
            est.fit(X, Y)
        else:
            est.partial_fit(X, Y, classes=[0, 1])
    assert not hasattr(est, "W1_")


@pytest.mark.parametrize(
    "name", ["hidden_size", "batch_size", "max_iter", "n_iter_no_change"]
)
def test_bool_is_not_a_size(name):
    with pytest.raises(TypeError, match=f"The '{name}' parameter .* not a bool"):
        small(**{name: True}).fit(X, Y)


# ------------------------------------------------------------------ faults


DIVERGING = dict(hidden_size=5, activation="identity", batch_size=10, random_state=0)


def noisy_data():
    rng = np.random.RandomState(0)
    return rng.randn(60, 4), rng.randint(0, 2, 60)


# Random labels: the first fit learns nothing, and says so.
@pytest.mark.filterwarnings(
    "ignore:Training failed:sklearn.exceptions.ConvergenceWarning"
)
def test_divergence_mid_fit_leaves_warm_started_model_unchanged():
    Xn, yn = noisy_data()
    est = TwoLayerClassifier(max_iter=20, momentum=0.5, **DIVERGING).fit(Xn, yn)
    before = state_of(est)
    est.set_params(alpha=1e10, warm_start=True)
    with pytest.raises(ValueError, match="non-finite") as info:
        est.fit(Xn, yn)
    # The loss stayed finite for some epochs of this call before it blew up.
    epoch = int(re.search(r"at epoch (\d+)", str(info.value)).group(1))
    assert epoch > len(before["loss_curve_"]) + 1
    est.set_params(alpha=0.1, warm_start=False)
    # The weights and the velocity of momentum included.
    assert_same_state(before, state_of(est))


def test_divergence_in_partial_fit_leaves_model_unchanged():
    Xn, yn = noisy_data()
    est = TwoLayerClassifier(**DIVERGING).partial_fit(Xn, yn, classes=[0, 1])
    est.set_params(alpha=1e10)
    for _ in range(100):
        before = state_of(est)
        try:
            est.partial_fit(Xn, yn)
        except ValueError as exc:
            assert "non-finite" in str(exc)
            break
    else:
        pytest.fail("partial_fit with alpha=1e10 never diverged")
    assert len(before["loss_curve_"]) > 1  # it did run some steps first
    assert_same_state(before, state_of(est))


def test_divergence_of_first_fit_leaves_estimator_unfitted():
    est = small(max_iter=20)
    with pytest.raises(ValueError, match=r"non-finite .* at epoch \d+") as info:
        est.fit(X * 1e30, Y)
    assert "Scale X" in str(info.value) and "lower alpha" in str(info.value)
    # No half-trained model is left behind.
    assert_same_state(vars(small(max_iter=20)), state_of(est))


@pytest.mark.parametrize("error", [MemoryError, RuntimeError])
@pytest.mark.parametrize("how", ["warm_start", "partial_fit", "first_fit"])
def test_error_inside_a_step_leaves_no_half_update(faults, error, how):
    est = small(warm_start=how == "warm_start")
    if how != "first_fit":
        est.partial_fit(X, Y, classes=[0, 1]) if how == "partial_fit" else est.fit(X, Y)
    faults.fail(error, at=3, when="half")
    before = state_of(est)
    with pytest.raises(error, match="injected"):
        if how == "partial_fit":
            est.partial_fit(X, Y)
        else:
            est.fit(X, Y)
    assert_same_state(before, state_of(est))


# ------------------------------------------- partial_fit trains a wide W1 in place


def wide_sparse(n=120, d=300, seed=0):
    """Sparse rows that reach few columns of W1: the first 30 of 300."""
    rng = np.random.RandomState(seed)
    Xs = sp.random(n, 30, density=0.2, format="csr", random_state=rng)
    Xs = sp.hstack([Xs, sp.csr_matrix((n, d - 30))], format="csr")
    sums = np.asarray(Xs.sum(axis=1)).ravel()
    return Xs, (sums > np.median(sums)).astype(int)


def spread_over_half(Xs):
    """The same rows with their nonzeros repeated over the first 150 columns."""
    first = Xs[:, :30].toarray()
    return sp.csr_matrix(np.hstack([first] * 5 + [np.zeros((Xs.shape[0], 150))]))


def wide_model(dtype=np.float64, **params):
    Xs, y = wide_sparse(seed=1)
    return small(batch_size=16, **params).partial_fit(
        Xs.astype(dtype), y, classes=[0, 1]
    )


def test_sparse_partial_fit_trains_reached_columns_of_W1_in_place():
    Xs, y = wide_sparse()
    est = wide_model()
    W1 = est.W1_
    untouched = W1[:, 30:].copy()
    est.partial_fit(Xs, y)
    assert est.W1_ is W1
    np.testing.assert_array_equal(W1[:, 30:], untouched)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_partial_fit_in_place_gives_the_copied_result(monkeypatch, dtype):
    Xs, y = wide_sparse()
    Xs = Xs.astype(dtype)
    in_place, copied = wide_model(dtype), wide_model(dtype)
    assert in_place.W1_.dtype == dtype
    W1 = in_place.W1_
    in_place.partial_fit(Xs, y)
    assert in_place.W1_ is W1
    monkeypatch.setattr(_training, "in_place_columns", lambda W1, X, settings: None)
    W1 = copied.W1_
    copied.partial_fit(Xs, y)
    assert copied.W1_ is not W1
    assert_same_state(state_of(copied), state_of(in_place))


@pytest.mark.parametrize(
    "params, X_of",
    [
        ({"momentum": 0.5}, lambda Xs: Xs),  # the velocity moves every column
        ({"l2": 0.1}, lambda Xs: Xs),  # so does the penalty
        ({"solver": "adam"}, lambda Xs: Xs),  # and Adam's moments
        ({}, lambda Xs: Xs.toarray()),  # dense rows reach every column
        ({}, spread_over_half),  # copying W1 costs less than keeping half
    ],
    ids=["momentum", "l2", "adam", "dense", "half-the-columns"],
)
def test_partial_fit_copies_W1_where_it_may_change_everywhere(params, X_of):
    Xs, y = wide_sparse()
    est = wide_model(**params)
    W1 = est.W1_
    before = W1.copy()
    est.partial_fit(X_of(Xs), y)
    assert est.W1_ is not W1
    np.testing.assert_array_equal(W1, before)


def test_early_stopping_on_sparse_rows_keeps_W1_in_fortran_order():
    # The weights of the best epoch are copies: they keep training's layout, so
    # that a later partial_fit on sparse rows trains W1_ in place.
    Xs, y = wide_sparse()
    est = small(batch_size=16, early_stopping=True, validation_fraction=0.25)
    est.fit(Xs, y)
    assert est.W1_.flags.f_contiguous and est.W2_.flags.f_contiguous
    W1 = est.W1_
    est.partial_fit(Xs, y)
    assert est.W1_ is W1


def test_read_only_W1_is_copied_not_trained_in_place():
    Xs, y = wide_sparse()
    est = wide_model()
    est.W1_.setflags(write=False)
    W1 = est.W1_
    est.partial_fit(Xs, y)
    assert est.W1_ is not W1
    assert est.W1_.flags.writeable


def test_in_place_partial_fit_allocates_a_fraction_of_W1():
    # 5,000 features, rows reaching the first 30: the call keeps and checks
    # those columns instead of copying W1 (measured: 0.06 x W1; 1.05 with a copy).
    Xs, y = wide_sparse(n=200, d=5000)
    est = small(hidden_size=64, batch_size=50).partial_fit(Xs, y, classes=[0, 1])
    peak = peak_bytes(lambda: est.partial_fit(Xs, y))
    assert peak < 0.5 * est.W1_.nbytes, f"peak {peak / est.W1_.nbytes:.2f} x W1"


@pytest.mark.parametrize("error", [MemoryError, KeyboardInterrupt])
def test_failed_in_place_partial_fit_puts_W1_back(faults, error):
    Xs, y = wide_sparse()
    est = wide_model()
    W1 = est.W1_
    before = state_of(est)
    faults.fail(error, at=3, when="after")
    if error is KeyboardInterrupt:
        with pytest.warns(UserWarning, match="estimator is unchanged"):
            est.partial_fit(Xs, y)
    else:
        with pytest.raises(MemoryError, match="injected"):
            est.partial_fit(Xs, y)
    assert faults.calls == 3  # two steps and a third had changed W1
    assert est.W1_ is W1
    assert_same_state(before, state_of(est))


def test_diverging_in_place_partial_fit_puts_W1_back():
    Xs, y = wide_sparse()
    est = wide_model(activation="identity")
    est.set_params(alpha=1e10)
    W1 = est.W1_
    for _ in range(100):
        before = state_of(est)
        try:
            est.partial_fit(Xs * 1e3, y)
        except ValueError as exc:
            assert "non-finite" in str(exc)
            break
    else:
        pytest.fail("partial_fit with alpha=1e10 never diverged")
    assert est.W1_ is W1
    assert_same_state(before, state_of(est))


def test_weight_overflowing_in_place_is_reported_as_divergence(faults):
    # The fitted W1_ is the one trained: it is put back before the fitted
    # weights are checked, so the error is the divergence, not W1_'s values.
    Xs, y = wide_sparse()
    est = wide_model()
    before = state_of(est)
    faults.after_each = lambda params: params.W1.__setitem__((0, 3), np.inf)
    with pytest.raises(ValueError, match="gradient descent diverged"):
        est.partial_fit(Xs, y)
    assert_same_state(before, state_of(est))


def test_in_place_partial_fit_checks_the_columns_it_trains():
    Xs, y = wide_sparse()
    # A NaN weight where the rows reach: named, and nothing changes.
    est = wide_model()
    est.W1_[0, 3] = np.nan
    before = state_of(est)
    with pytest.raises(ValueError, match="W1_ contains NaN or infinity, so training"):
        est.partial_fit(Xs, y)
    assert_same_state(before, state_of(est))
    # One where they never reach is left alone, as prediction leaves it: sparse
    # rows train and predict around it, dense rows name it.
    est = wide_model()
    est.W1_[0, 200] = np.nan
    est.partial_fit(Xs, y)
    assert np.isnan(est.W1_[0, 200])
    assert np.isfinite(est.predict_proba(Xs)).all()
    with pytest.raises(ValueError, match="W1_ contains NaN or infinity"):
        est.predict_proba(Xs.toarray())


# -------------------------------------------------------------- concurrency


def test_predict_proba_from_eight_threads_matches_sequential():
    Xb, yb = make_data(n=3000, d=20, k=3, seed=1)
    est = TwoLayerClassifier(hidden_size=32, max_iter=2, random_state=0).fit(Xb, yb)
    # Dense and sparse rows, distinct per thread, then the same rows for all.
    inputs = [Xb[i::8] if i % 2 else sp.csr_matrix(Xb[i::8]) for i in range(8)]
    inputs += [Xb] * 8
    expected = [est.predict_proba(part) for part in inputs]
    barrier = threading.Barrier(8)

    def work(part):
        barrier.wait()  # all threads predict at the same moment
        return [est.predict_proba(part) for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, inputs[:8])) + list(pool.map(work, inputs[8:]))
    for got, want in zip(results, expected, strict=True):
        for proba in got:
            np.testing.assert_array_equal(proba, want)


def test_fitting_clones_in_threads_matches_sequential_fits():
    Xb, yb = make_data(n=600, d=10, k=3, seed=2)
    base = TwoLayerClassifier(hidden_size=16, max_iter=5, batch_size=32)
    configs = [
        clone(base).set_params(random_state=s, momentum=m)
        for s, m in [(0, 0.0), (1, 0.5), (2, 0.0), (3, 0.9)]
    ]
    sequential = [clone(c).fit(Xb, yb) for c in configs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda c: clone(c).fit(Xb, yb), configs))
    for a, b in zip(sequential, threaded, strict=True):
        assert_same_model(a, b)
        assert a.loss_curve_ == b.loss_curve_


# ------------------------------------------------------------- extreme data


@pytest.mark.slow
def test_million_rows_float32_one_epoch_memory():
    rng = np.random.default_rng(0)
    Xm = rng.standard_normal((1_000_000, 10), dtype=np.float32)
    ym = (Xm[:, 0] + Xm[:, 1] > 0).astype(np.int8)
    est = TwoLayerClassifier(hidden_size=32, max_iter=1, random_state=0)
    start = time.perf_counter()
    peak = peak_bytes(lambda: est.fit(Xm, ym))
    seconds = time.perf_counter() - start
    assert est.W1_.dtype == np.float32
    assert est.t_ == len(Xm)
    assert np.isfinite(est.loss_)
    assert est.score(Xm[:10_000], ym[:10_000]) > 0.95
    # Fit must not copy X (no float64 cast, no shuffled copy per epoch). The goal is
    # 10% of X plus the batch buffers; with only 10 float32 columns (40 bytes a
    # row) two per-row arrays remain and set the peak at 0.14 x X (5.7 MB for a
    # 40 MB X): the int32 row order that each epoch shuffles in place (4 bytes a
    # row), and the class of each row (1 byte; the rows of Y are made per batch).
    assert peak < 0.17 * Xm.nbytes, f"peak {peak / Xm.nbytes:.2f} x X in {seconds:.1f}s"


@pytest.mark.parametrize("multiclass", ["softmax", "ovr"])
def test_many_classes_few_features_fit_memory(multiclass):
    # 50 classes on 8 features: a one-hot Y of all rows would take 6.25 times
    # the memory of X. Fit keeps one byte per row instead and makes the rows of Y
    # batch by batch; what remains is per-row arrays of labels and indices.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100_000, 8))
    y = rng.integers(0, 50, size=100_000)
    est = TwoLayerClassifier(
        hidden_size=16, max_iter=1, multiclass=multiclass, random_state=0
    )
    peak = peak_bytes(lambda: est.fit(X, y))
    assert est.n_outputs_ == 50
    # Measured: 0.22 x X.
    assert peak < 0.5 * X.nbytes, f"peak {peak / X.nbytes:.2f} x X"


def test_ten_thousand_sparse_features():
    rng = np.random.RandomState(0)
    Xs = sp.random(300, 10_000, density=0.005, format="csr", random_state=rng)
    ys = np.asarray(Xs[:, :5000].sum(axis=1) > Xs[:, 5000:].sum(axis=1)).ravel()
    params = dict(hidden_size=16, max_iter=3, random_state=0)
    sparse_fit = TwoLayerClassifier(**params).fit(Xs, ys)
    dense_fit = TwoLayerClassifier(**params).fit(Xs.toarray(), ys)
    assert sparse_fit.W1_.shape == (16, 10_000)
    assert_same_model(sparse_fit, dense_fit, exact=False)
    proba = sparse_fit.predict_proba(Xs)
    assert np.isfinite(proba).all()


@pytest.mark.parametrize("multiclass", ["softmax", "ovr"])
def test_thousand_classes(multiclass):
    rng = np.random.RandomState(0)
    n_classes = 1000
    yk = np.repeat(np.arange(n_classes), 2)
    Xk = rng.randn(len(yk), 8) + 0.1 * yk[:, None] / n_classes
    est = TwoLayerClassifier(
        hidden_size=16,
        max_iter=2,
        batch_size=500,
        multiclass=multiclass,
        random_state=0,
    ).fit(Xk, yk)
    assert est.n_outputs_ == n_classes
    proba = est.predict_proba(Xk)
    assert proba.shape == (len(yk), n_classes)
    assert np.isfinite(proba).all() and (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(est.predict(Xk)) <= set(range(n_classes))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("activation", ["relu", "identity", "tanh", "logistic"])
def test_huge_feature_values(activation, n_classes, dtype):
    # Features of 1e30: bounded hidden units saturate, and the output layer still
    # trains on finite activations; unbounded ones pass 1e30-sized values to the
    # output and its gradients, and the fit must stop with the divergence error
    # (the estimator stays unfitted) rather than return NaN probabilities.
    X_huge, y = (X * 1e30).astype(dtype), np.arange(len(X)) % n_classes
    est = small(activation=activation, max_iter=20)
    if activation in ("relu", "identity"):
        with pytest.raises(ValueError, match=r"non-finite .* Scale X .* lower alpha"):
            est.fit(X_huge, y)
        assert not hasattr(est, "W1_")
    else:
        proba = est.fit(X_huge, y).predict_proba(X_huge)
        assert proba.dtype == dtype
        assert np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
