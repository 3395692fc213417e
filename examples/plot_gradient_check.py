"""
=================================================
Checking the derivation with finite differences
=================================================

The :doc:`derivation <../math>` ends in seven formulas for ``dZ2, dW2, db2, dA1,
dZ1, dW1, db1``, and :func:`sklearn_twolayer._network.backward` computes them.
Here we check them against a computation that uses no calculus at all: nudge one
parameter by a tiny ``eps`` in each direction, measure the change of the objective
``J``, and divide,

.. math::

    \\frac{\\partial J}{\\partial \\theta} \\approx
    \\frac{J(\\theta + \\epsilon) - J(\\theta - \\epsilon)}{2 \\epsilon}.

The error of this central difference shrinks like :math:`\\epsilon^2`, so with
``eps = 1e-6`` in float64 the two should agree to about seven significant digits.
We nudge one coordinate at a time: moving all of them at once would only check the
sum of the gradient's entries.
"""

# %%
# A tiny network
# --------------
# Three features, four hidden units, on five rows with unequal sample weights and an
# L2 penalty, so that every term of the objective is exercised. The private module
# :mod:`sklearn_twolayer._network` holds the math without the estimator around it.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_twolayer._network import Params, init_params, loss_and_grads

rng = np.random.RandomState(0)
m, n_features, hidden_size = 5, 3, 4
X = rng.normal(size=(m, n_features))
w = rng.uniform(0.5, 2.0, size=m)
l2 = 0.3


def numerical_gradient(params, X, Y, activation, out_activation, eps=1e-6):
    """Central differences of J, one coordinate of one parameter at a time."""
    grads = []
    for k, P in enumerate(params):
        G = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            values = []
            for step in (eps, -eps):
                shifted = [p.copy() for p in params]
                shifted[k][idx] += step
                J, _ = loss_and_grads(
                    Params(*shifted), X, Y, w, l2, activation, out_activation
                )
                values.append(J)
            G[idx] = (values[0] - values[1]) / (2 * eps)
        grads.append(G)
    return Params(*grads)


# %%
# Every activation, every output layer
# ------------------------------------
# A binary target has one sigmoid unit; a multiclass target has three units, either
# under a softmax or as independent sigmoids (one-vs-rest, which is also the
# multilabel case). ``relu`` has a kink at 0 where the derivative jumps; with random
# inputs no pre-activation lands within ``eps`` of it.
Y_binary = rng.randint(2, size=(m, 1)).astype(float)
Y_onehot = np.eye(3)[rng.randint(3, size=m)]
cases = {
    "sigmoid, 1 unit": (Y_binary, "logistic"),
    "softmax, 3 units": (Y_onehot, "softmax"),
    "sigmoids, 3 units": (Y_onehot, "logistic"),
}
activations = ["relu", "tanh", "logistic", "identity"]

results = []
for case, (Y, out_activation) in cases.items():
    for activation in activations:
        params = init_params(
            n_features, hidden_size, Y.shape[1], activation, rng, np.float64
        )
        # Non-zero biases, so that their gradients are not checked at a special point.
        params = params._replace(b1=rng.normal(size=hidden_size))
        params = params._replace(b2=rng.normal(size=Y.shape[1]))
        _, analytic = loss_and_grads(params, X, Y, w, l2, activation, out_activation)
        analytic = Params(*(g.copy() for g in analytic))
        numeric = numerical_gradient(params, X, Y, activation, out_activation)
        error = max(
            np.max(np.abs(a - n)) / max(np.max(np.abs(n)), 1e-12)
            for a, n in zip(analytic, numeric, strict=True)
        )
        results.append((case, activation, analytic, numeric, error))
        print(f"{case:18s} {activation:9s} largest relative error: {error:.1e}")

# %%
# The largest relative difference over the four parameters stays around
# :math:`10^{-9}`, far below what any mistake in a formula would give: a missing
# transpose changes shapes, a missing ``1/S`` or ``g'`` changes values by a factor
# of order one.
assert max(r[-1] for r in results) < 1e-6

# %%
# Backprop against finite differences, entry by entry
# ---------------------------------------------------
# Every entry of every gradient, for all twelve networks: the points lie on the
# diagonal.
fig, axes = plt.subplots(1, 4, figsize=(12, 3.2), layout="constrained")
names = ["dJ/dW1", "dJ/db1", "dJ/dW2", "dJ/db2"]
for k, (ax, name) in enumerate(zip(axes, names, strict=True)):
    for _, _, analytic, numeric, _ in results:
        ax.scatter(numeric[k].ravel(), analytic[k].ravel(), s=10, alpha=0.6)
    lo, hi = ax.get_xlim()
    ax.plot([lo, hi], [lo, hi], color="black", linewidth=0.8)
    ax.set_title(name)
    ax.set_xlabel("finite differences")
axes[0].set_ylabel("backward()")
plt.show()
