"""The batch step in as few NumPy calls as we know: a bound, not part of the package.

``TwoLayerClassifier`` trains through general functions (any activation, row
weights, an L2 term, momentum, sparse input) with checks around them. This step
drops all of that and keeps only what the benchmark's dense configurations need:
relu, unweighted rows, no penalty, no momentum. It makes the package's row
gathers and matrix products, with the same memory orders, and writes the rest in
the fewest passes over the hidden layer we have found in NumPy:

- ``b1`` enters the product with X: each batch is copied next to a column of
  ones, and ``[W1^T; b1]`` is one C-contiguous array of the package's layout
  (:func:`sklearn_twolayer._network.flat_params` places ``b1`` right after
  ``W1^T``), so that ``Z1`` needs no bias pass and the product that gives
  ``dW1`` gives ``db1`` as its last row;
- relu, then its slope, in place: two passes over the hidden layer;
- with one output unit, the factored gradient of the package (rows of X scaled
  by ``dZ2``, the result's columns by ``w2``), which never forms ``dZ1``;
- the learning rate folded into ``dZ2``, so that the update is one subtraction
  over all parameters.

Its epochs, timed against the package's, say how much of our time is the NumPy
calls that any step must make and how much is the package's generality:
``bench_fit.py`` times it in every run (``bench_fit.step_fit`` trains with it),
and ``compiled_step.py`` beside the compiled step. The tests check that one step
gives the package's loss and updated parameters to 1e-12.
"""

import numpy as np
from scipy.special import expit

from sklearn_twolayer._network import Params, _matmul, _shared_base, flat_params


class FlatStep:
    """Parameters and gradients of a stand-alone batch step, in the package's layout.

    Parameters
    ----------
    W1, b1, W2, b2 : ndarray
        Initial parameters, copied into views of one 1-D array, ``flat`` (W1 and
        W2 in Fortran order, as the package trains them); the gradients are views
        of ``grad``, laid out alike, so that an update is one pass over both.
    """

    def __init__(self, W1, b1, W2, b2):
        self.params = flat_params(
            Params(np.asfortranarray(W1), b1, np.asfortranarray(W2), b2)
        )
        self.grads = flat_params(self.params)
        self.flat, self.grad = _shared_base(self.params), _shared_base(self.grads)


class BareStep(FlatStep):
    """Parameters, gradients and work arrays of the bare NumPy batch step.

    Parameters
    ----------
    W1, b1, W2, b2 : ndarray
        Initial parameters (see :class:`FlatStep`).
    batch_size : int
    """

    def __init__(self, W1, b1, W2, b2, batch_size):
        super().__init__(W1, b1, W2, b2)
        dtype = W1.dtype
        (h, d), K = W1.shape, W2.shape[0]
        # [W1^T; b1] and [dW1^T; db1]: the first (d + 1) h entries of each base.
        self.W1b = self.flat[: (d + 1) * h].reshape(d + 1, h)
        self.dW1b = self.grad[: (d + 1) * h].reshape(d + 1, h)
        m = batch_size
        self.X1 = np.ones((m, d + 1), dtype)  # the batch, then a column of ones
        self.scaled = np.empty((m, d + 1), dtype)
        self.H, self.dH = np.empty((m, h), dtype), np.empty((m, h), dtype)
        self.mask = np.empty((m, h), bool)
        self.Z2 = np.empty((m, K), dtype)
        self.eye = np.eye(max(K, 2), dtype=dtype)
        # The package's bound (see _losses._exp_limit): below it, K exponentials
        # of shifted logits sum to a finite number.
        self.exp_limit = np.log(np.finfo(dtype).max / K) - 1
        self.ones = np.ones(max(m, K), dtype)

    def step(self, X, codes, alpha):
        """Train on one batch; return the sum of its rows' losses."""
        # W1, b1 and their gradients are reached through W1b and dW1b.
        W2, b2 = self.params[2:]
        dW2, db2 = self.grads[2:]
        m, d = X.shape
        X1 = self.X1[:m]
        np.copyto(X1[:, :d], X)
        A1 = _matmul(X1, self.W1b, out=self.H[:m])  # Z1 = X W1^T + b1
        np.maximum(A1, 0, out=A1)  # A1 = relu(Z1)
        Z2 = np.matmul(A1, W2.T, out=self.Z2[:m])  # Z2 = A1 W2^T + b2
        Z2 += b2
        if W2.shape[0] == 1:
            z = Z2[:, 0]
            # Loss log(1 + exp(s)), s = z for y = 0 and -z for y = 1.
            y = self.eye[1].take(codes)
            signs = np.multiply(y, -2.0)
            signs += 1.0
            loss = float(np.logaddexp(0, np.multiply(z, signs, out=signs)).sum())
            dz2 = expit(z)  # A2
            dz2 -= y
            dz2 *= alpha / m  # alpha dZ2
            np.dot(dz2, A1, out=dW2[0])
            db2[0] = dz2.sum()
            G = np.greater(A1, 0, out=A1)  # g'(Z1), over A1
            scaled = np.multiply(X1, dz2[:, None], out=self.scaled[:m])
            _matmul(scaled.T, G, out=self.dW1b)  # [dW1^T; db1] / w2
            self.dW1b *= W2[0]
        else:
            Y = self.eye.take(codes, axis=0)
            ones_K = self.ones[: Z2.shape[1], None]
            # The package's shift: the target's logit, which leaves the target's
            # term at exactly 1; the row maximum only where exp could overflow.
            Z2 -= np.dot(Y * Z2, ones_K)
            loss = 0.0
            if Z2.max() > self.exp_limit:
                Z2 -= Z2.max(axis=1, keepdims=True)
                loss = -float(np.vdot(Y, Z2))
            A2 = np.exp(Z2, out=Z2)
            sums = np.dot(A2, ones_K)
            loss += float(np.log(sums).sum())
            A2 /= sums
            dZ2 = np.subtract(A2, Y, out=A2)
            dZ2 *= alpha / m
            np.matmul(A1.T, dZ2, out=dW2.T)
            np.dot(self.ones[:m], dZ2, out=db2)
            dA1 = np.matmul(dZ2, W2, out=self.dH[:m])
            dA1 *= np.greater(A1, 0, out=self.mask[:m])  # dZ1
            _matmul(X1.T, dA1, out=self.dW1b)  # [dW1^T; db1]
        self.flat -= self.grad
        return loss
