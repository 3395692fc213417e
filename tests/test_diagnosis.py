"""Tests of the judgement of a finished fit, :mod:`sklearn_twolayer._diagnosis`."""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import peak_bytes, training_settings

from sklearn_twolayer._diagnosis import (
    LayerActivity,
    active_rows,
    convergence_warnings,
    signs_of_failure,
    still_falling,
)
from sklearn_twolayer._network import Params, init_params
from sklearn_twolayer._targets import TrainingTargets
from sklearn_twolayer._training import Result

PRIOR = 0.69


def kinds(curve, cut_short=False, first_epoch=1, prior=PRIOR, layer=None):
    signs = signs_of_failure(curve, first_epoch, prior, cut_short, layer)
    return [k for k, _ in signs]


@pytest.mark.parametrize(
    "curve, falling",
    [([5.0], True), ([3.0, 2.0], True), ([2.0, 3.0], False), ([2.0, 2.0], False)],
)
def test_still_falling_means_the_last_epoch_was_the_lowest(curve, falling):
    assert still_falling(curve) is falling


def test_a_spike_that_training_recovered_from_is_no_sign():
    assert kinds([0.7, 50.0, 0.1]) == []
    assert kinds([0.7, 50.0, 0.5, 0.6]) == []


def test_a_loss_still_falling_when_epochs_run_out_is_no_sign():
    # Above the priors' loss, but falling: training was cut short.
    assert kinds([3.0, 2.0, 1.5], cut_short=True) == []


def test_a_loss_still_falling_when_the_rule_stopped_it_is_named():
    signs = signs_of_failure([3.0, 2.0, 1.5], 1, PRIOR, cut_short=False)
    assert [k for k, _ in signs] == ["priors", "stopped_falling"]
    assert (
        "still falling when fit stopped after epoch 3 (by 0.5 in that epoch)"
        in (signs[1][1])
    )


def test_a_flat_loss_at_the_priors_is_named_alone():
    signs = signs_of_failure([0.75, 0.7, 0.69, 0.69], 1, PRIOR, False)
    assert [k for k, _ in signs] == ["priors"]
    assert "the final training loss, 0.69, is not even 1% below 0.69" in signs[0][1]
    # A final loss 1% below the priors' is no sign.
    assert kinds([0.75, 0.7, 0.683, 0.683]) == []


def test_an_explosion_that_did_not_recover_names_the_lowest_epoch():
    signs = signs_of_failure([0.7, 0.05, 5.0], 11, PRIOR, cut_short=True)
    assert [k for k, _ in signs] == ["priors", "exploded"]
    assert (
        "more than 10 times above its lowest value, 0.05 at epoch 12" in (signs[1][1])
    )


def test_an_early_explosion_before_a_collapse_is_named():
    signs = signs_of_failure([1e5, 3.0, 0.7, 0.7], 1, PRIOR, False)
    assert [k for k, _ in signs] == ["priors", "spiked"]
    assert "the loss had exploded to 1e+05 at epoch 1" in signs[1][1]


def test_a_priors_loss_of_zero_is_no_yardstick():
    # Weighted rows of one class (class_weight may zero the others): a constant
    # guess is perfect there, so no loss is judged against it.
    assert kinds([0.5, 0.4, 0.4], prior=0.0) == []


def test_a_dead_layer_is_named_whatever_the_loss():
    dead = LayerActivity(active_rows=0, n_rows=500, hidden_size=8)
    # Even below the priors' loss (the biases alone can get there when batches
    # differ in their classes) and still falling.
    assert kinds([0.9, 0.6], cut_short=True, layer=dead) == ["dead"]
    signs = signs_of_failure([1e4, 0.7, 0.69], 1, PRIOR, False, dead)
    assert [k for k, _ in signs] == ["priors", "spiked", "dead"]
    assert "every one of the 8 hidden units is inactive" in signs[2][1]
    assert "on every training row" in signs[2][1]


def test_a_nearly_dead_layer_counts_only_with_a_loss_no_better_than_the_priors():
    nearly = LayerActivity(active_rows=5, n_rows=500, hidden_size=8)
    # Cut short while falling, at the priors' loss: no better, and cannot learn.
    signs = signs_of_failure([0.75, 0.7], 1, PRIOR, True, nearly)
    assert [k for k, _ in signs] == ["priors", "dead"]
    assert "on 495 of the 500 training rows" in signs[1][1]
    # A sparse layer that learned: no sign.
    assert kinds([0.75, 0.3], cut_short=True, layer=nearly) == []
    # Alive on more than 1% of the rows: training cut short, no failure.
    alive = LayerActivity(active_rows=6, n_rows=500, hidden_size=8)
    assert kinds([0.75, 0.7], cut_short=True, layer=alive) == []


# ---------------------------------------------------------------- active units


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_active_rows_counts_rows_with_some_unit_above_zero(sparse):
    # Unit 0 is active on rows 2998 and 2999 alone, unit 1 nowhere; the rows span
    # several chunks.
    X = np.zeros((3000, 2))
    X[2998:, 0] = 1.0
    W1 = np.array([[2.0, 0.0], [0.0, 1.0]])
    params = Params(W1, np.array([-1.0, -1.0]), np.ones((1, 2)), np.zeros(1))
    X = sp.csr_matrix(X) if sparse else X
    rows = np.arange(3000)
    assert active_rows(params, X, rows, limit=3000) == 2
    # Only the rows given count.
    assert active_rows(params, X, rows[:-1], limit=3000) == 1
    # Z1 = 0 is inactive: relu'(0) = 0.
    params.b1[0] = -2.0
    assert active_rows(params, X, rows, limit=3000) == 0


def test_active_rows_stops_counting_past_the_limit():
    X = np.ones((5000, 3))
    params = Params(np.ones((2, 3)), np.zeros(2), np.ones((1, 2)), np.zeros(1))
    # The first chunk of rows already passes the limit.
    n = active_rows(params, X, np.arange(5000), limit=10)
    assert 10 < n < 5000


def test_active_rows_reads_a_wide_layer_in_small_chunks():
    # A dead layer is read to the last row: the chunks, not the rows, bound the
    # memory the pass adds to fit (1,024 rows of 256 units took 2 MiB).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4000, 100))
    params = Params(np.zeros((256, 100)), -np.ones(256), np.ones((1, 256)), np.zeros(1))
    rows = np.arange(4000)
    assert active_rows(params, X, rows, limit=4000) == 0
    assert peak_bytes(lambda: active_rows(params, X, rows, limit=4000)) < 1.5 * 2**20


class _CountingCSR(sp.csr_matrix):
    """A CSR matrix that counts the row selections made from it."""

    selections = 0

    def __getitem__(self, key):
        type(self).selections += 1
        return sp.csr_matrix(self).__getitem__(key)


def test_active_rows_sizes_sparse_chunks_by_their_nonzeros():
    # 20,000 columns but 20 nonzeros a row: a chunk of a few hundred rows holds
    # few entries, and a dead layer is read in a handful of chunks, not row by row.
    X = sp.random(2000, 20_000, density=0.001, format="csr", random_state=0)
    params = Params(np.zeros((8, 20_000)), -np.ones(8), np.ones((1, 8)), np.zeros(1))
    counting = _CountingCSR(X)
    assert active_rows(params, counting, np.arange(2000), limit=2000) == 0
    assert _CountingCSR.selections <= 10


@pytest.mark.parametrize("stop", ["max_epochs", "no_improvement"])
@pytest.mark.parametrize("curve, failed", [([0.5, 0.9], True), ([0.6, 0.2], False)])
def test_convergence_warnings_name_a_failure_then_the_end_of_max_iter(
    stop, curve, failed
):
    X, y = np.array([[0.0], [1.0]]), np.array([0, 1])
    targets = TrainingTargets(y, np.array([0, 1]), "binary", np.float64)
    params = init_params(1, 2, 1, "tanh", np.random.RandomState(0), np.float64)
    result = Result(params, None, curve, 4, 0, len(curve), [], [], stop)
    settings = training_settings(
        activation="tanh", batch_size=2, max_epochs=2, shuffle=False
    )
    messages = convergence_warnings(result, X, targets, None, np.arange(2), settings)
    expected = ["Training failed"] * failed
    expected += ["TwoLayerClassifier reached max_iter=2 epochs"] * (
        stop == "max_epochs"
    )
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start)
