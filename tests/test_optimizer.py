"""Tests of the update rules of :mod:`sklearn_twolayer._optimizer` on their own.

Each rule is checked against numbers worked out by hand, and against scikit-learn's
own optimiser objects from the same parameters and gradients.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

# The reference rules are private to scikit-learn; MLPClassifier drives exactly
# these objects, which is what the rules here must reproduce.
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sklearn_twolayer._kernels import SparseGradient, flat_params
from sklearn_twolayer._network import Params
from sklearn_twolayer._optimizer import (
    SGD,
    Adam,
    GradientDescent,
    Optimizer,
    make_optimizer,
)

SHAPES = [(4, 3), (4,), (2, 4), (2,)]


def _arrays(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype(dtype) for shape in SHAPES]


def _copies(arrays):
    return [a.copy() for a in arrays]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_plain_step_is_the_article_update(dtype):
    params, grads = _arrays(0, dtype), _arrays(1, dtype)
    expected = [P - dtype(0.3) * dP for P, dP in zip(params, grads, strict=True)]
    originals = params

    optimizer = GradientDescent(alpha=0.3)
    optimizer.step(params, _copies(grads))

    for P, E, original in zip(params, expected, originals, strict=True):
        assert P is original  # updated in place
        assert P.dtype == dtype
        assert_allclose(P, E, rtol=1e-14 if dtype == np.float64 else 1e-6)
    # Plain gradient descent keeps no velocity.
    assert optimizer.velocity is None


def test_momentum_recurrence_over_several_steps():
    alpha, momentum, n_steps = 0.2, 0.9, 6
    params = _arrays(2)
    gradients = [_arrays(10 + t) for t in range(n_steps)]

    # The recurrence of the documentation, written out.
    P_hand = _copies(params)
    v_hand = [np.zeros_like(P) for P in params]
    for grads in gradients:
        for i, dP in enumerate(grads):
            v_hand[i] = momentum * v_hand[i] - alpha * dP
            P_hand[i] = P_hand[i] + v_hand[i]

    optimizer = GradientDescent(alpha, momentum)
    for grads in gradients:
        optimizer.step(params, _copies(grads))

    for P, E in zip(params, P_hand, strict=True):
        assert_allclose(P, E, rtol=1e-13)
    for v, E in zip(optimizer.velocity, v_hand, strict=True):
        assert_allclose(v, E, rtol=1e-13)


def test_first_momentum_step_is_a_plain_step():
    params, grads = _arrays(3), _arrays(4)
    plain, heavy = _copies(params), _copies(params)

    GradientDescent(0.1).step(plain, _copies(grads))
    GradientDescent(0.1, momentum=0.5).step(heavy, _copies(grads))

    for P, Q in zip(plain, heavy, strict=True):
        assert_array_equal(P, Q)


def test_velocity_persists_across_optimizers():
    # Training resumed with a new optimizer (partial_fit, warm_start) must continue
    # the same trajectory when handed the old velocity.
    alpha, momentum = 0.05, 0.8
    gradients = [_arrays(20 + t) for t in range(4)]

    straight = _arrays(5)
    optimizer = GradientDescent(alpha, momentum)
    for grads in gradients:
        optimizer.step(straight, _copies(grads))

    resumed = _arrays(5)
    first = GradientDescent(alpha, momentum)
    for grads in gradients[:2]:
        first.step(resumed, _copies(grads))
    second = GradientDescent(alpha, momentum, velocity=first.velocity)
    for grads in gradients[2:]:
        second.step(resumed, _copies(grads))

    for P, Q in zip(straight, resumed, strict=True):
        assert_array_equal(P, Q)
    for v, u in zip(optimizer.velocity, second.velocity, strict=True):
        assert_array_equal(v, u)


def test_without_the_velocity_momentum_starts_over():
    # The counterpart of the test above: dropping the velocity changes the path,
    # so that test does check something.
    alpha, momentum = 0.05, 0.8
    gradients = [_arrays(20 + t) for t in range(2)]
    straight, restarted = _arrays(5), _arrays(5)

    optimizer = GradientDescent(alpha, momentum)
    for grads in gradients:
        optimizer.step(straight, _copies(grads))
    for grads in gradients:
        GradientDescent(alpha, momentum).step(restarted, _copies(grads))

    assert not np.allclose(straight[0], restarted[0])


# --------------------------------------------------------------------------------
# Hand-worked steps, in the notation of the docstrings: P, dP = dJ/dP, alpha.
# The numbers are chosen so that every intermediate value is short.
# --------------------------------------------------------------------------------
def _hand_run(optimizer, P0, gradients):
    P = np.array(P0, dtype=np.float64)
    trajectory = []
    for dP in gradients:
        optimizer.step([P], [np.array(dP, dtype=np.float64)])
        trajectory.append(P.copy())
    return trajectory


def test_classical_momentum_by_hand():
    # alpha = 0.5, momentum = 0.5, P = [1, -2].
    # dP = [1, 2]:  v = 0.5 * 0 - 0.5 * [1, 2]          = [-0.5, -1]
    #               P = [1, -2] + v                     = [0.5, -3]
    # dP = [-2, 4]: v = 0.5 * [-0.5, -1] - 0.5 * [-2, 4] = [0.75, -2.5]
    #               P = [0.5, -3] + v                   = [1.25, -5.5]
    optimizer = SGD(alpha=0.5, momentum=0.5)
    trajectory = _hand_run(optimizer, [1.0, -2.0], [[1.0, 2.0], [-2.0, 4.0]])
    assert_array_equal(trajectory, [[0.5, -3.0], [1.25, -5.5]])
    assert_array_equal(optimizer.velocity[0], [0.75, -2.5])


def test_nesterov_momentum_by_hand():
    # The same numbers. The velocity follows the same recurrence; the step then
    # looks ahead along it: P += momentum * v - alpha * dP, with the new v.
    # dP = [1, 2]:  v = [-0.5, -1]
    #               P = [1, -2] + 0.5 * [-0.5, -1] - 0.5 * [1, 2]
    #                 = [1, -2] + [-0.75, -1.5]            = [0.25, -3.5]
    # dP = [-2, 4]: v = [0.75, -2.5]
    #               P = [0.25, -3.5] + 0.5 * [0.75, -2.5] - 0.5 * [-2, 4]
    #                 = [0.25, -3.5] + [1.375, -3.25]      = [1.625, -6.75]
    optimizer = SGD(alpha=0.5, momentum=0.5, nesterov=True)
    trajectory = _hand_run(optimizer, [1.0, -2.0], [[1.0, 2.0], [-2.0, 4.0]])
    assert_array_equal(trajectory, [[0.25, -3.5], [1.625, -6.75]])
    assert_array_equal(optimizer.velocity[0], [0.75, -2.5])


def test_nesterov_without_momentum_is_the_plain_step():
    # momentum * v vanishes: P -= alpha * dP = [1, -2] - 0.5 * [1, 2] = [0.5, -3].
    optimizer = SGD(alpha=0.5, momentum=0.0, nesterov=True)
    trajectory = _hand_run(optimizer, [1.0, -2.0], [[1.0, 2.0]])
    assert_array_equal(trajectory, [[0.5, -3.0]])
    assert optimizer.velocity is None


def test_adam_by_hand():
    # alpha = 0.1, beta_1 = 0.5, beta_2 = 0.96, epsilon = 1e-8, P = [1, 1].
    # t = 1, dP = [2, -4]:
    #   m = 0.5 * 0 + 0.5 * [2, -4]          = [1, -2]
    #   s = 0.96 * 0 + 0.04 * [4, 16]        = [0.16, 0.64],  sqrt(s) = [0.4, 0.8]
    #   alpha_1 = 0.1 * sqrt(0.04) / 0.5     = 0.04
    #   P = [1, 1] - 0.04 * [1, -2] / ([0.4, 0.8] + 1e-8)
    #     = [1 - 0.04 / 0.40000001, 1 + 0.08 / 0.80000001]
    # t = 2, dP = [1, -2]:
    #   m = 0.5 * [1, -2] + 0.5 * [1, -2]    = [1, -2]
    #   s = 0.96 * [0.16, 0.64] + 0.04 * [1, 4]
    #     = [0.1936, 0.7744],                  sqrt(s) = [0.44, 0.88]
    #   alpha_2 = 0.1 * sqrt(1 - 0.9216) / (1 - 0.25) = 0.1 * 0.28 / 0.75
    #   P = P - alpha_2 * [1, -2] / ([0.44, 0.88] + 1e-8)
    # (the decimals below carried out to 40 digits).
    optimizer = Adam(alpha=0.1, beta_1=0.5, beta_2=0.96, epsilon=1e-8)
    assert optimizer.learning_rate == 0.1  # alpha before the first step
    P1, P2 = _hand_run(optimizer, [1.0, 1.0], [[2.0, -4.0], [1.0, -2.0]])

    assert_allclose(P1, [0.90000000249999993750, 1.0999999987500000156], rtol=1e-12)
    assert_allclose(P2, [0.81515151957988970084, 1.1848484826342975472], rtol=1e-12)
    assert optimizer.t == 2
    assert optimizer.learning_rate == pytest.approx(0.028 / 0.75, rel=1e-12)
    assert_allclose(optimizer.ms[0], [1.0, -2.0], rtol=1e-15)
    assert_allclose(optimizer.vs[0], [0.1936, 0.7744], rtol=1e-12)


def test_adam_first_step_moves_each_parameter_by_alpha():
    # At t = 1, alpha_1 * m / sqrt(s) = alpha * sign(dP) whatever the scale of dP:
    # the bias correction exactly undoes the zero start of the moments. epsilon
    # shrinks it by epsilon / sqrt(s) = 1e-12 / (sqrt(0.001) * 1e-2) < 4e-9 at most.
    P = np.zeros(4)
    dP = np.array([1e-2, -2.0, 5e3, -7e-2])
    Adam(alpha=0.01, epsilon=1e-12).step([P], [dP])
    assert_allclose(P, [-0.01, 0.01, -0.01, 0.01], rtol=1e-8)


def test_invscaling_rate_changes_at_the_end_of_the_epoch():
    # alpha = 0.1, power_t = 0.5: the first epoch runs at alpha; after t = 99
    # samples the rate is 0.1 / (99 + 1) ** 0.5 = 0.01.
    optimizer = SGD(alpha=0.1, schedule="invscaling", power_t=0.5)
    assert optimizer.learning_rate == 0.1
    (P,) = _hand_run(optimizer, [1.0], [[2.0]])  # 1 - 0.1 * 2
    assert_allclose(P, [0.8], rtol=1e-15)

    optimizer.end_epoch(99)
    assert optimizer.learning_rate == pytest.approx(0.01, rel=1e-15)
    (P,) = _hand_run(optimizer, [1.0], [[2.0]])  # 1 - 0.01 * 2
    assert_allclose(P, [0.98], rtol=1e-15)

    # power_t = 0.25 after t = 15: 0.1 / 16 ** 0.25 = 0.05. The rate depends on the
    # samples seen, not on the epochs counted.
    optimizer = SGD(alpha=0.1, schedule="invscaling", power_t=0.25)
    optimizer.end_epoch(15)
    assert optimizer.learning_rate == pytest.approx(0.05, rel=1e-15)
    # A stall stops it: only the adaptive schedule answers one.
    assert optimizer.on_stall() is True
    assert optimizer.learning_rate == pytest.approx(0.05, rel=1e-15)


@pytest.mark.parametrize("schedule", ["constant", "adaptive"])
def test_other_schedules_keep_their_rate_at_the_end_of_the_epoch(schedule):
    optimizer = SGD(alpha=0.1, schedule=schedule)
    optimizer.end_epoch(1000)
    assert optimizer.learning_rate == 0.1


def test_adaptive_divides_by_five_on_a_stall_then_stops():
    # 1e-4 -> 2e-5 -> 4e-6 -> 8e-7; the next stall finds 8e-7 <= 1e-6 and stops,
    # leaving the rate as it is.
    optimizer = SGD(alpha=1e-4, schedule="adaptive")
    answers, rates = [], []
    for _ in range(4):
        answers.append(optimizer.on_stall())
        rates.append(optimizer.learning_rate)
    assert answers == [False, False, False, True]
    assert_allclose(rates, [2e-5, 4e-6, 8e-7, 8e-7], rtol=1e-15)

    # The bound is inclusive: a rate of exactly 1e-6 stops at once.
    at_bound = SGD(alpha=1e-6, schedule="adaptive")
    assert at_bound.on_stall() is True
    assert at_bound.learning_rate == 1e-6


@pytest.mark.parametrize("schedule", ["constant", "invscaling"])
def test_non_adaptive_schedules_stop_at_the_first_stall(schedule):
    optimizer = SGD(alpha=0.1, schedule=schedule)
    assert optimizer.on_stall() is True
    assert optimizer.learning_rate == 0.1


def test_adam_has_no_schedule():
    optimizer = Adam(alpha=0.01)
    optimizer.end_epoch(1000)
    assert optimizer.learning_rate == 0.01
    assert optimizer.on_stall() is True


# --------------------------------------------------------------------------------
# Against scikit-learn's SGDOptimizer and AdamOptimizer, as MLPClassifier drives
# them: update_params per batch, iteration_ends(t_) per epoch, trigger_stopping on
# a stall.
# --------------------------------------------------------------------------------
SGD_SETTINGS = [
    {"schedule": schedule, "momentum": momentum, "nesterov": nesterov}
    for schedule in ["constant", "invscaling", "adaptive"]
    for momentum in [0.0, 0.9]
    for nesterov in [False, True]
]
ADAM_SETTINGS = [
    {},
    {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-4},
]
# Epochs of 4 batches of 37 rows; the loss stalls after the second and fourth.
N_EPOCHS, N_BATCHES, EPOCH_ROWS, STALLS = 5, 4, 37, {1, 3}


def _layouts(arrays, flat):
    arrays = _copies(arrays)
    return list(flat_params(Params(*arrays))) if flat else arrays


def _drive(ours, theirs, params, seed, flat, dtype=np.float64):
    """Train both optimisers on the same gradients; return both parameters."""
    ours_P = _layouts(params, flat)
    theirs_P = _copies(params)
    sklearn_optimizer = theirs(theirs_P)
    rng = np.random.default_rng(seed)
    t = 0
    for epoch in range(N_EPOCHS):
        for _ in range(N_BATCHES):
            grads = [rng.normal(size=shape).astype(dtype) for shape in SHAPES]
            ours.step(ours_P, _layouts(grads, flat))
            sklearn_optimizer.update_params(theirs_P, grads)
        t += EPOCH_ROWS
        ours.end_epoch(t)
        sklearn_optimizer.iteration_ends(t)
        if epoch in STALLS:
            assert ours.on_stall() is sklearn_optimizer.trigger_stopping("", False)
        assert ours.learning_rate == sklearn_optimizer.learning_rate
    return ours_P, theirs_P, sklearn_optimizer


@pytest.mark.parametrize("flat", [False, True], ids=["arrays", "flat"])
@pytest.mark.parametrize("settings", SGD_SETTINGS, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sgd_matches_scikit_learn_bit_for_bit(settings, flat, dtype):
    alpha = 0.05
    ours = SGD(alpha, power_t=0.4, **settings)

    def theirs(params):
        return SGDOptimizer(
            params,
            learning_rate_init=alpha,
            lr_schedule=settings["schedule"],
            momentum=settings["momentum"],
            nesterov=settings["nesterov"],
            power_t=0.4,
        )

    ours_P, theirs_P, sklearn_optimizer = _drive(
        ours, theirs, _arrays(7, dtype), seed=8, flat=flat, dtype=dtype
    )
    for P, Q in zip(ours_P, theirs_P, strict=True):
        assert P.dtype == dtype
        assert_array_equal(P, Q)
    if settings["momentum"]:
        for v, u in zip(ours.velocity, sklearn_optimizer.velocities, strict=True):
            assert_array_equal(v, u)


@pytest.mark.parametrize("flat", [False, True], ids=["arrays", "flat"])
@pytest.mark.parametrize("settings", ADAM_SETTINGS, ids=str)
def test_adam_matches_scikit_learn_bit_for_bit(settings, flat):
    alpha = 0.01
    ours = Adam(alpha, **settings)

    def theirs(params):
        return AdamOptimizer(params, learning_rate_init=alpha, **settings)

    ours_P, theirs_P, sklearn_optimizer = _drive(
        ours, theirs, _arrays(9), seed=10, flat=flat
    )
    for P, Q in zip(ours_P, theirs_P, strict=True):
        assert_array_equal(P, Q)
    assert ours.t == sklearn_optimizer.t == N_EPOCHS * N_BATCHES
    for ours_moments, theirs_moments in [
        (ours.ms, sklearn_optimizer.ms),
        (ours.vs, sklearn_optimizer.vs),
    ]:
        for m, n in zip(ours_moments, theirs_moments, strict=True):
            assert_array_equal(m, n)


def test_adam_follows_new_arrays_after_flat_ones():
    # A step on the arrays of the last step reuses their layout; other arrays,
    # flat or not, dense or sparse, are laid out afresh.
    gradients = [_arrays(40 + t) for t in range(4)]
    flat = Adam(0.01)
    P_flat = flat_params(_arrays(11))
    G_flat = flat_params(_arrays(0))
    apart = Adam(0.01)
    P_apart = _arrays(11)
    for k, grads in enumerate(gradients):
        if k == 2:
            # New arrays, as after a new training call.
            P_flat, G_flat = flat_params(P_flat), flat_params(G_flat)
        for G, dP in zip(G_flat, grads, strict=True):
            G[...] = dP
        flat.step(P_flat, G_flat)
        apart.step(P_apart, _copies(grads))
    sparse = sp.random(5, 3, density=0.4, format="csr", random_state=0)
    dZ1 = np.random.default_rng(1).normal(size=(5, 4))
    last = [sparse.T @ dZ1, *_arrays(50)[1:]]
    flat.step(P_flat, [SparseGradient(sparse, dZ1), *_copies(last[1:])])
    apart.step(P_apart, [np.asarray(last[0]).T.copy(), *_copies(last[1:])])
    for P, Q in zip(P_flat, P_apart, strict=True):
        assert_allclose(P, Q, rtol=1e-14)


def test_adam_float32_stays_float32():
    # scikit-learn's update is computed in float64 (its alpha_t is a NumPy
    # float64) and rounded on adding; ours stays in the parameters' dtype, so
    # the two agree to float32 rounding only.
    alpha = 0.01
    ours = Adam(alpha)
    ours_P, theirs_P, _ = _drive(
        ours,
        lambda params: AdamOptimizer(params, learning_rate_init=alpha),
        _arrays(9, np.float32),
        seed=10,
        flat=True,
        dtype=np.float32,
    )
    for P, Q, m in zip(ours_P, theirs_P, ours.ms, strict=True):
        assert P.dtype == m.dtype == np.float32
        assert_allclose(P, Q, rtol=1e-6)


# --------------------------------------------------------------------------------
# Sparse gradients: W1's gradient as the factors of dZ1^T X.
# --------------------------------------------------------------------------------
def _sparse_problem(seed):
    """A sparse batch, its dZ1, parameters and the dense gradients of the batch."""
    rng = np.random.default_rng(seed)
    # 5 rows and the 3 features of SHAPES; the last feature is in no row.
    dense_X = rng.normal(size=(5, 3)) * (rng.random((5, 3)) < 0.6)
    dense_X[:, 2] = 0
    X = sp.csr_matrix(dense_X)
    dZ1 = rng.normal(size=(5, 4))
    params = _arrays(seed + 1)
    params[0] = np.asfortranarray(params[0])  # W1, as training lays it out
    grads = [dZ1.T @ dense_X, *_arrays(seed + 2)[1:]]
    return X, dZ1, params, grads


def _sparse_grads(X, dZ1, grads):
    return [SparseGradient(X, dZ1.copy()), *_copies(grads[1:])]


@pytest.mark.parametrize(
    "make",
    [
        lambda: SGD(0.1, momentum=0.9, nesterov=True),
        lambda: SGD(0.1, momentum=0.9),
        lambda: Adam(0.1),
    ],
    ids=["nesterov", "classical", "adam"],
)
def test_a_sparse_gradient_gives_the_dense_gradient_step(make):
    X, dZ1, params, grads = _sparse_problem(3)
    with_sparse, with_dense = _copies(params), _copies(params)
    sparse_optimizer, dense_optimizer = make(), make()
    # A first batch with every feature present sets velocities and moments going
    # in every column.
    first = _arrays(11)
    sparse_optimizer.step(with_sparse, _copies(first))
    dense_optimizer.step(with_dense, _copies(first))
    before = with_sparse[0][:, 2].copy()
    for _ in range(3):
        sparse_optimizer.step(with_sparse, _sparse_grads(X, dZ1, grads))
        dense_optimizer.step(with_dense, _copies(grads))
    for P, Q in zip(with_sparse, with_dense, strict=True):
        # The sparse product sums in another order than the dense one.
        assert_allclose(P, Q, rtol=1e-12, atol=1e-15)
    # The feature absent from the sparse batches still moves: the velocity and
    # the moments carry on in every column.
    assert not np.array_equal(with_sparse[0][:, 2], before)


def test_plain_sparse_step_leaves_absent_features_alone():
    X, dZ1, params, grads = _sparse_problem(4)
    trained = _copies(params)
    SGD(0.1, nesterov=True).step(trained, _sparse_grads(X, dZ1, grads))
    assert_array_equal(trained[0][:, 2], params[0][:, 2])
    assert not np.array_equal(trained[0], params[0])


# --------------------------------------------------------------------------------
# The constant schedule is GradientDescent, which the estimator uses today.
# --------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["arrays", "flat", "sparse"])
@pytest.mark.parametrize("momentum", [0.0, 0.7])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_constant_sgd_is_gradient_descent_bit_for_bit(momentum, layout, dtype):
    X, dZ1, params, grads = _sparse_problem(5)
    params = [P.astype(dtype, order="K") for P in params]
    grads = [G.astype(dtype) for G in grads]
    X, dZ1 = X.astype(dtype), dZ1.astype(dtype)
    flat = layout == "flat"
    descent_P, sgd_P = _layouts(params, flat), _layouts(params, flat)
    descent = GradientDescent(0.1, momentum)
    sgd = SGD(0.1, momentum)
    for _ in range(4):
        if layout == "sparse":
            descent.step(descent_P, _sparse_grads(X, dZ1, grads))
            sgd.step(sgd_P, _sparse_grads(X, dZ1, grads))
        else:
            descent.step(descent_P, _layouts(grads, flat))
            sgd.step(sgd_P, _layouts(grads, flat))
        sgd.end_epoch(100)
    for P, Q in zip(descent_P, sgd_P, strict=True):
        assert P.dtype == dtype
        assert_array_equal(P, Q)
    if momentum:
        for v, u in zip(descent.velocity, sgd.velocity, strict=True):
            assert_array_equal(v, u)


# --------------------------------------------------------------------------------
# State: exported as plain types, and continued from.
# --------------------------------------------------------------------------------
STATEFUL = [
    ("sgd", {"momentum": 0.9, "learning_rate": "invscaling", "power_t": 0.3}),
    ("sgd", {"momentum": 0.8, "nesterov": True, "learning_rate": "adaptive"}),
    ("sgd", {"momentum": 0.0, "learning_rate": "adaptive"}),
    ("adam", {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6}),
]


def _epoch(optimizer, params, seed, t, stall):
    rng = np.random.default_rng(seed)
    for _ in range(3):
        grads = [rng.normal(size=shape) for shape in SHAPES]
        optimizer.step(params, _layouts(grads, flat=True))
    optimizer.end_epoch(t)
    if stall:
        optimizer.on_stall()


def _is_plain(value):
    if isinstance(value, list):
        return all(type(a) is np.ndarray for a in value)
    return value is None or type(value) in (str, int, float)


@pytest.mark.parametrize(("solver", "settings"), STATEFUL, ids=str)
def test_state_round_trip_continues_the_same_trajectory(solver, settings):
    straight = _layouts(_arrays(12), flat=True)
    optimizer = make_optimizer(solver, 0.05, **settings)
    for epoch in range(3):
        _epoch(optimizer, straight, seed=epoch, t=30 * (epoch + 1), stall=epoch == 1)

    resumed = _layouts(_arrays(12), flat=True)
    first = make_optimizer(solver, 0.05, **settings)
    for epoch in range(2):
        _epoch(first, resumed, seed=epoch, t=30 * (epoch + 1), stall=epoch == 1)
    state = first.state()
    assert all(_is_plain(value) for value in state.values()), state
    state = pickle.loads(pickle.dumps(state))
    second = make_optimizer(solver, 0.05, **settings, state=state)
    assert isinstance(second, Optimizer)
    assert second.learning_rate == first.learning_rate
    _epoch(second, resumed, seed=2, t=90, stall=False)

    for P, Q in zip(straight, resumed, strict=True):
        assert_array_equal(P, Q)
    assert second.state().keys() == optimizer.state().keys()
    for key, value in optimizer.state().items():
        if isinstance(value, list):
            for a, b in zip(value, second.state()[key], strict=True):
                assert_array_equal(a, b)
        else:
            assert second.state()[key] == value


def test_state_loads_with_skops_trusting_nothing():
    skops_io = pytest.importorskip("skops.io")
    optimizer = Adam(0.01)
    optimizer.step(_arrays(0), _arrays(1))
    dumped = skops_io.dumps(optimizer.state())
    assert skops_io.get_untrusted_types(data=dumped) == []
    loaded = skops_io.loads(dumped, trusted=[])
    assert loaded["t"] == 1
    for m, n in zip(loaded["ms"], optimizer.ms, strict=True):
        assert_array_equal(m, n)


def test_state_carries_the_scheduled_rate_but_not_a_constant_one():
    optimizer = SGD(0.1, schedule="invscaling")
    optimizer.end_epoch(99)
    state = optimizer.state()
    assert state["learning_rate"] == pytest.approx(0.01, rel=1e-15)
    # The schedule continues from its rate ...
    assert (
        SGD.from_state(state, 0.1, schedule="invscaling").learning_rate
        == (state["learning_rate"])
    )
    # ... while a constant rate is alpha, whatever the state ran at: a new alpha
    # between two calls takes effect, as it does for GradientDescent.
    assert SGD.from_state(state, 0.2).learning_rate == 0.2


def test_fresh_state():
    assert SGD(0.1).state() == {"solver": "sgd", "learning_rate": 0.1, "velocity": None}
    assert Adam(0.1).state() == {
        "solver": "adam",
        "learning_rate": 0.1,
        "t": 0,
        "ms": None,
        "vs": None,
    }


def test_make_optimizer_passes_each_solver_its_settings():
    sgd = make_optimizer(
        "sgd",
        0.2,
        momentum=0.5,
        nesterov=True,
        learning_rate="adaptive",
        power_t=0.7,
        beta_1=0.1,
    )
    assert type(sgd) is SGD
    assert (sgd.alpha, sgd.momentum, sgd.nesterov) == (0.2, 0.5, True)
    assert (sgd.schedule, sgd.power_t) == ("adaptive", 0.7)

    adam = make_optimizer(
        "adam", 0.3, momentum=0.5, beta_1=0.1, beta_2=0.2, epsilon=0.3
    )
    assert type(adam) is Adam
    assert (adam.alpha, adam.beta_1, adam.beta_2, adam.epsilon) == (0.3, 0.1, 0.2, 0.3)


def test_make_optimizer_rejects_unknown_values_and_foreign_state():
    with pytest.raises(ValueError, match="solver must be 'sgd' or 'adam'; got 'lbfgs'"):
        make_optimizer("lbfgs", 0.1)
    with pytest.raises(ValueError, match="schedule must be one of"):
        make_optimizer("sgd", 0.1, learning_rate="optimal")
    with pytest.raises(ValueError, match="solver='sgd'; it cannot continue with"):
        make_optimizer("adam", 0.1, state=SGD(0.1).state())
    with pytest.raises(ValueError, match="solver='adam'; it cannot continue with"):
        SGD.from_state(Adam(0.1).state(), 0.1)
