"""Tests of :class:`sklearn_twolayer._optimizer.GradientDescent` on its own."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_twolayer._optimizer import GradientDescent

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
