"""How much a compiled batch step would gain: an experiment, not part of the package.

The package trains with NumPy alone. This script measures what a compiled step
would bring, to decide whether one is worth its dependency: it keeps the
package's row gathers and matrix products (``_matmul``, ``_dot_T``,
``_times_W2``, with W1 and W2 in Fortran order, as in training) and fuses the
elementwise work of a dense relu batch step into four loops, compiled by numba
when it is installed:

- the bias and relu, one pass over the hidden layer;
- the softmax or sigmoid, the loss, ``dZ2 = (A2 - Y) / m`` and ``db2``, one pass
  over the logits, reading each row's class index instead of a one-hot row;
- the relu slope and ``db1`` (with one output unit, together with the outer
  product ``dZ2 w2^T``), one pass;
- the update ``P -= alpha dP``, one pass over all parameters.

It covers the benchmark's configurations only: relu, unweighted rows, no
penalty, no momentum. numba is not a dependency of the project; without it the
loops run as plain Python, which the tests use to check that one step gives the
package's numbers, but which is far too slow to time.

It also times the step of ``bare_step.py``, the same work in the fewest NumPy
calls we know, which bounds what the package's NumPy step could gain by being
written for these configurations alone.

Usage (one BLAS thread, seven interleaved repeats of each fit; the compiled step
is timed only when numba is installed)::

    pip install numba
    python benchmarks/compiled_step.py A float64
    python benchmarks/compiled_step.py B float32 --repeats 9
"""

import argparse
import functools
import math
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_fit
from bare_step import BareStep, FlatStep

from sklearn_twolayer._network import (
    _dot_T,
    _matmul,
    _times_W2,
)

try:
    from numba import njit as compiled

    HAVE_NUMBA = True
except ImportError:  # the loops then run as Python, for the tests
    HAVE_NUMBA = False

    def compiled(func):
        return func


@compiled
def bias_relu(H, b1):
    """``H = max(H + b1, 0)`` in place."""
    m, h = H.shape
    for i in range(m):
        for j in range(h):
            v = H[i, j] + b1[j]
            H[i, j] = v if v > 0 else 0.0


@compiled
def softmax_loss_grad(Z2, b2, codes, inv_m, dZ2, db2):
    """Add ``b2`` to ``Z2``; write ``dZ2`` and ``db2``; return the summed loss."""
    m, K = Z2.shape
    loss = 0.0
    for k in range(K):
        db2[k] = 0.0
    for i in range(m):
        top = -np.inf
        for k in range(K):
            z = Z2[i, k] + b2[k]
            Z2[i, k] = z
            top = max(top, z)
        total = 0.0
        for k in range(K):
            e = math.exp(Z2[i, k] - top)
            dZ2[i, k] = e
            total += e
        c = codes[i]
        loss += math.log(total) - (Z2[i, c] - top)
        scale = inv_m / total
        for k in range(K):
            dZ2[i, k] *= scale
        dZ2[i, c] -= inv_m
        for k in range(K):
            db2[k] += dZ2[i, k]
    return loss


@compiled
def sigmoid_loss_grad(z2, b2, codes, inv_m, dz2, db2):
    """One output unit: as :func:`softmax_loss_grad`, for the sigmoid."""
    loss = 0.0
    db2[0] = 0.0
    for i in range(z2.shape[0]):
        z = z2[i] + b2[0]
        y = codes[i]
        # The loss is log(1 + exp(s)) with s = -z for y = 1 and z for y = 0.
        s = -z if y == 1 else z
        if s > 0:
            loss += s + math.log1p(math.exp(-s))
        else:
            loss += math.log1p(math.exp(s))
        if z >= 0:
            p = 1.0 / (1.0 + math.exp(-z))
        else:
            p = math.exp(z) / (1.0 + math.exp(z))
        g = (p - y) * inv_m
        dz2[i] = g
        db2[0] += g
    return loss


@compiled
def relu_backward(dA1, A1, db1):
    """``dZ1 = dA1 * (A1 > 0)`` in place of ``dA1``, and ``db1`` its column sums."""
    m, h = dA1.shape
    for j in range(h):
        db1[j] = 0.0
    for i in range(m):
        for j in range(h):
            v = dA1[i, j] if A1[i, j] > 0 else 0.0
            dA1[i, j] = v
            db1[j] += v


@compiled
def outer_relu_backward(dz2, w2, A1, dZ1, db1):
    """One output unit: ``dZ1 = (dz2 w2^T) * (A1 > 0)`` and ``db1``."""
    m, h = A1.shape
    for j in range(h):
        db1[j] = 0.0
    for i in range(m):
        d = dz2[i]
        for j in range(h):
            v = d * w2[j] if A1[i, j] > 0 else 0.0
            dZ1[i, j] = v
            db1[j] += v


@compiled
def descend(P, dP, alpha):
    """``P -= alpha dP``."""
    for i in range(P.shape[0]):
        P[i] -= alpha * dP[i]


class CompiledStep(FlatStep):
    """Parameters, gradients and work arrays of the fused batch step.

    Parameters
    ----------
    W1, b1, W2, b2 : ndarray
        Initial parameters (see ``bare_step.FlatStep``); the update is one loop.
    batch_size : int
    """

    def __init__(self, W1, b1, W2, b2, batch_size):
        super().__init__(W1, b1, W2, b2)
        dtype = W1.dtype
        (h, _), K = W1.shape, W2.shape[0]
        m = batch_size
        self.H, self.dH = np.empty((m, h), dtype), np.empty((m, h), dtype)
        self.Z2, self.dZ2 = np.empty((m, K), dtype), np.empty((m, K), dtype)

    def step(self, X, codes, alpha):
        """Train on one batch; return the sum of its rows' losses."""
        W1, b1, W2, b2 = self.params
        dW1, db1, dW2, db2 = self.grads
        m = X.shape[0]
        A1 = _matmul(X, W1.T, out=self.H[:m])  # Z1 = X W1^T
        bias_relu(A1, b1)
        Z2 = np.matmul(A1, W2.T, out=self.Z2[:m])  # Z2 = A1 W2^T
        dZ2 = self.dZ2[:m]
        if W2.shape[0] == 1:
            loss = sigmoid_loss_grad(Z2[:, 0], b2, codes, 1.0 / m, dZ2[:, 0], db2)
            np.dot(dZ2[:, 0], A1, out=dW2[0])
            dZ1 = self.dH[:m]
            outer_relu_backward(dZ2[:, 0], W2[0], A1, dZ1, db1)
        else:
            loss = softmax_loss_grad(Z2, b2, codes, 1.0 / m, dZ2, db2)
            _dot_T(dZ2, A1, out=dW2)
            dZ1 = _times_W2(dZ2, W2, None, out=self.dH[:m])
            relu_backward(dZ1, A1, db1)
        _dot_T(dZ1, X, out=dW1)
        descend(self.flat, self.grad, alpha)
        return loss


def compiled_fit(config, X, codes, n_outputs, epochs, seed, step_type=None):
    """Train like ``TwoLayerClassifier`` with the compiled step; return the step.

    ``step_type`` is the class of the step, :class:`CompiledStep` when None (or
    ``bare_step.BareStep``, which has the same interface); see
    ``bench_fit.step_fit``.
    """
    return bench_fit.step_fit(
        config, X, codes, n_outputs, epochs, seed, step_type or CompiledStep
    )


def main(argv=None):
    from threadpoolctl import threadpool_limits

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", choices=["A", "B", "C", "E"])
    parser.add_argument("dtype", choices=["float64", "float32"])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    config = bench_fit.CONFIGS[args.config]
    X, y, _, _ = bench_fit.make_data(config, np.dtype(args.dtype), 0)
    classes, codes = np.unique(y, return_inverse=True)
    n_outputs = 1 if len(classes) == 2 else len(classes)
    codes = codes.astype(np.intp)

    steps = {"bare": BareStep, "compiled": CompiledStep}

    def timed(name, seed):
        if name not in steps:
            model = bench_fit.estimators(config, config.epochs, seed)[name]
            seconds = bench_fit.timed_fit(model, X, y, time.process_time)
        else:
            train = functools.partial(
                compiled_fit, config, X, codes, n_outputs, config.epochs, seed,
                steps[name],
            )  # fmt: skip
            seconds = bench_fit._timed_alone(train, time.process_time)
        return seconds / config.epochs

    # Without numba the compiled loops run as Python: far too slow to time.
    names = ["ours", "mlp", "bare"] + (["compiled"] if HAVE_NUMBA else [])
    times = {name: [] for name in names}
    with threadpool_limits(1, user_api="blas"):
        # Warm-up fits; the first compiles the loops.
        for name in names:
            if name in steps:
                compiled_fit(config, X[:500], codes[:500], n_outputs, 1, 0, steps[name])
        for model in bench_fit.estimators(config, 1, 0).values():
            bench_fit.timed_fit(model, X[:500], y[:500])
        for r in range(args.repeats):
            for name in names if r % 2 == 0 else names[::-1]:
                times[name].append(timed(name, r))

    medians = "  ".join(f"{k} {statistics.median(v):.5f}" for k, v in times.items())
    print(f"{config.name} {args.dtype}, s/epoch: {medians}")
    print(
        "  ".join(
            f"{a}/{b} {bench_fit.median_ratio(times[a], times[b]):.3f}"
            for a, b in [("ours", "mlp"), ("bare", "mlp"), ("ours", "bare")]
            + ([("compiled", "mlp"), ("ours", "compiled")] if HAVE_NUMBA else [])
        )
    )
    return times


if __name__ == "__main__":
    main()
