"""
=================================================
Checking the derivation with finite differences
=================================================

The :doc:`derivation <../../math>` ends in seven formulas for ``dZ2, dW2, db2,
dA1, dZ1, dW1, db1``, and :func:`sklearn_twolayer._network.backward` computes
them. Here we check them against a computation that uses no calculus at all:
nudge one parameter by a tiny ``eps`` in each direction, measure the change of
the objective ``J``, and divide,

.. math::

    \\frac{\\partial J}{\\partial \\theta} \\approx
    \\frac{J(\\theta + \\epsilon) - J(\\theta - \\epsilon)}{2 \\epsilon}.

The error of this central difference shrinks like :math:`\\epsilon^2`, so with
``eps = 1e-6`` in float64 the two should agree to about seven significant digits.
We nudge one coordinate at a time: moving all of them at once would only check the
sum of the gradient's entries.

A check is only worth something if it fails on a wrong gradient. So next to
``backward`` we check the gradient that the article's sign slip gives, and show
how far the check puts it.
"""

# %%
# A tiny network
# --------------
# Three features, four hidden units, on six rows with unequal sample weights and
# an L2 penalty, so that every term of the objective is exercised. The private
# module ``sklearn_twolayer._network`` holds the math without the estimator
# around it.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_twolayer._activations import ACTIVATIONS
from sklearn_twolayer._network import Params, forward, init_params, loss_and_grads

rng = np.random.RandomState(0)
m, n_features, hidden_size = 6, 3, 4
X = rng.normal(size=(m, n_features))
w = rng.uniform(0.5, 2.0, size=m)
S = w.sum()
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


def relative_errors(analytic, numeric):
    """Per-entry relative error of each gradient, all parameters together.

    Each entry's error is divided by the larger of the two values, or by a
    thousandth of the gradient's largest entry where both are smaller than that:
    an exact zero (the gradient of a relu unit that no row activates) must not be
    divided by zero, nor by the rounding noise of the finite difference.
    """
    errors = []
    for a, n in zip(analytic, numeric, strict=True):
        floor = 1e-3 * np.max(np.abs(n))
        errors.append(
            np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
        )
    return errors


# %%
# Every activation, every output layer
# ------------------------------------
# A binary target has one sigmoid unit; a multiclass target has three units,
# either under a softmax or as independent sigmoids (one-vs-rest, which is also
# the multilabel case). ``relu`` has a kink at 0 where the derivative jumps; with
# random inputs no pre-activation lands within ``eps`` of it. The biases start
# away from zero, so that their gradients are not checked at a special point.
Y_binary = np.array([[0], [1], [0], [1], [1], [0]], dtype=float)
Y_onehot = np.eye(3)[[0, 1, 2, 0, 1, 2]]
cases = {
    "sigmoid, 1 unit": (Y_binary, "logistic"),
    "softmax, 3 units": (Y_onehot, "softmax"),
    "sigmoids, 3 units": (Y_onehot, "logistic"),
}
activations = ["relu", "tanh", "logistic", "identity"]

networks = []
for case, (Y, out_activation) in cases.items():
    for activation in activations:
        params = init_params(
            n_features, hidden_size, Y.shape[1], activation, rng, np.float64
        )
        params = params._replace(
            b1=rng.normal(size=hidden_size), b2=rng.normal(size=Y.shape[1])
        )
        _, analytic = loss_and_grads(params, X, Y, w, l2, activation, out_activation)
        analytic = Params(*(g.copy() for g in analytic))
        numeric = numerical_gradient(params, X, Y, activation, out_activation)
        errors = relative_errors(analytic, numeric)
        largest = max(e.max() for e in errors)
        networks.append((case, activation, Y, out_activation, params, numeric, errors))
        print(f"{case:18s} {activation:9s} largest relative error: {largest:.1e}")

assert max(e.max() for net in networks for e in net[-1]) < 1e-5

# %%
# The article's sign slip
# -----------------------
# The article writes :math:`\\partial J / \\partial A^{[2]} = -Y / A^{[2]} - (1 -
# Y) / (1 - A^{[2]})`, with a minus where the derivative of :math:`-(1-Y)\\log(1 -
# A^{[2]})` has a plus (row 2 of :ref:`the errata <article-errors>`). Multiplied by
# :math:`\\sigma' = A^{[2]}(1 - A^{[2]})` it gives, instead of
# :math:`A^{[2]} - Y`,
#
# .. math::
#
#     -Y (1 - A^{[2]}) - (1 - Y) A^{[2]},
#
# which agrees with :math:`A^{[2]} - Y` on the rows whose target is 1 and has the
# opposite sign on the rows whose target is 0. Below, the rest of the backward
# pass is written out from the seven formulas of the math page, so that it can
# start from either :math:`\\partial J / \\partial A^{[2]}`; started from the
# correct one, it gives exactly what ``backward`` gives.


def backprop_from(dJ_dA2, params, X, activation):
    """The backward pass of a sigmoid output, from a given dJ/dA2 per row."""
    Z1, A1, _, A2 = forward(params, X, activation, "logistic")
    g = ACTIVATIONS[activation]
    dZ2 = w[:, None] * dJ_dA2 * A2 * (1 - A2) / S
    dW2 = dZ2.T @ A1 + l2 / S * params.W2
    db2 = dZ2.sum(axis=0)
    dA1 = dZ2 @ params.W2
    dZ1 = dA1 * g.derivative(Z1)
    dW1 = dZ1.T @ X + l2 / S * params.W1
    db1 = dZ1.sum(axis=0)
    return Params(dW1, db1, dW2, db2)


sigmoid_networks = [net for net in networks if net[3] == "logistic"]
slip_errors = []
for case, activation, Y, _, params, numeric, _ in sigmoid_networks:
    A2 = forward(params, X, activation, "logistic").A2
    right = backprop_from(-Y / A2 + (1 - Y) / (1 - A2), params, X, activation)
    _, analytic = loss_and_grads(params, X, Y, w, l2, activation, "logistic")
    assert all(
        np.allclose(r, a, rtol=1e-10, atol=1e-14)
        for r, a in zip(right, analytic, strict=True)
    )
    slipped = backprop_from(-Y / A2 - (1 - Y) / (1 - A2), params, X, activation)
    slip_errors.append(relative_errors(slipped, numeric))
    largest = max(e.max() for e in slip_errors[-1])
    print(f"{case:18s} {activation:9s} the article's sign: {largest:.1e}")

# %%
# Relative errors, entry by entry
# -------------------------------
# Every entry of every gradient of the networks with sigmoid outputs, on a
# logarithmic scale: ``backward`` against finite differences, and the article's
# sign against finite differences. The softmax networks have no such slip to
# compare with; their errors are those printed above.
fig, ax = plt.subplots(figsize=(9, 4.6), layout="constrained")
names = ["dJ/dW1", "dJ/db1", "dJ/dW2", "dJ/db2"]
jitter = np.random.RandomState(1)
for k in range(len(names)):
    correct = np.concatenate([net[-1][k].ravel() for net in sigmoid_networks])
    wrong = np.concatenate([errors[k].ravel() for errors in slip_errors])
    for values, offset, colour, label in [
        (correct, -0.17, "tab:blue", "backward()"),
        (wrong, 0.17, "tab:red", "the article's sign slip"),
    ]:
        x = k + offset + jitter.uniform(-0.1, 0.1, size=values.size)
        # An entry that agrees to the last bit has error 0: drawn at 1e-16.
        ax.scatter(
            x,
            np.maximum(values, 1e-16),
            s=12,
            alpha=0.6,
            color=colour,
            label=label if k == 0 else None,
        )
ax.set_yscale("log")
ax.set_ylim(2e-17, 1e2)
ax.set_xlim(-0.6, len(names) - 0.4)
ax.axhline(1e-5, color="gray", linewidth=0.8, linestyle="--")
ax.text(-0.55, 2e-5, "the check's threshold, 1e-5", color="gray", va="bottom")
ax.text(-0.55, 1e-16, "exact (0)", color="gray", va="center")
ax.set_xticks(range(len(names)), names)
ax.set_ylabel("relative error against finite differences")
fig.legend(loc="outside upper center", ncols=2)
plt.show()

# %%
# The errors of ``backward`` stay several orders of magnitude below the dashed
# line: they are the rounding and truncation errors of the central difference,
# and a few entries agree exactly. The gradient with the article's sign is off by
# a relative error of order one in almost every entry: wherever a row with target
# 0 contributes, its contribution has the wrong sign. The few red points below
# the line are entries that no such row reaches: those of relu units that no row
# activates, whose gradient is the penalty's alone, and of a unit active on rows
# of target 1 only. A check of this kind cannot miss the slip, nor a missing
# transpose, which changes shapes, nor a missing ``1/S`` or ``g'``, which change
# values by a factor of order one.
