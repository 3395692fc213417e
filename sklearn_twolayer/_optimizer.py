"""Mini-batch gradient descent with classical momentum.

For every parameter P with gradient dP = dJ/dP::

    v <- momentum * v - alpha * dP
    P <- P + v

With ``momentum=0`` this is the article's plain update ``P -= alpha * dP``, and no
velocity is stored.

A gradient given as a :class:`~._network.SparseGradient` is zero outside a few
columns of ``W1``; its update is added to those columns alone. With momentum the
velocity still decays everywhere.
"""

import numpy as np

from ._network import SparseGradient, _shared_base, add_sparse_product

__all__ = ["GradientDescent"]


class GradientDescent:
    """Update parameters in place from their gradients.

    Parameters
    ----------
    alpha : float
        The learning rate.
    momentum : float, default=0.0
        Weight of the previous update in the next one, in [0, 1).
    velocity : list of ndarray, default=None
        Velocities to resume from (one per parameter); zeros when None.
    """

    def __init__(self, alpha, momentum=0.0, velocity=None):
        self.alpha = alpha
        self.momentum = momentum
        self.velocity = velocity
        self._flat = None  # (params, grads, their two 1-D bases)

    def step(self, params, grads):
        """Apply one update to each array of ``params`` in place.

        Parameters
        ----------
        params : sequence of ndarray
            The parameters, updated in place.
        grads : sequence of ndarray or SparseGradient
            Their gradients, same shapes; they may be overwritten.
        """
        alpha = self.alpha
        if self.momentum == 0:
            flat = self._flat_bases(params, grads)
            if flat is not None:
                # The same elementwise update, in two calls instead of eight.
                P, dP = flat
                dP *= alpha
                P -= dP
                return
            for P, dP in zip(params, grads, strict=True):
                if type(dP) is SparseGradient:
                    add_sparse_product(P.T, dP.X, dP.dZ1, -alpha)
                    continue
                # The gradient buffer is scratch: scaling it in place saves a
                # temporary the size of W1 per batch.
                dP *= alpha
                P -= dP
            return
        if self.velocity is None:
            self.velocity = [np.zeros_like(P) for P in params]
        for P, dP, v in zip(params, grads, self.velocity, strict=True):
            v *= self.momentum
            if type(dP) is SparseGradient:
                add_sparse_product(v.T, dP.X, dP.dZ1, -alpha)
            else:
                dP *= alpha
                v -= dP
            P += v

    def _flat_bases(self, params, grads):
        """The 1-D arrays that ``params`` and ``grads`` are laid out in, or None.

        Both must come from :func:`._network.flat_params` (or the gradients from
        :class:`._network.Buffers`, which lays them out alike); the answer is kept
        for the next batch, which reuses the same arrays.
        """
        cached = self._flat
        if cached is not None and cached[0] is params[0] and cached[1] is grads[0]:
            return cached[2]
        bases = tuple(_shared_base(arrays) for arrays in (params, grads))
        if (
            bases[0] is None
            or bases[1] is None
            or bases[0].size != bases[1].size
            # The same memory order, so that equal offsets hold equal entries.
            or any(P.strides != dP.strides for P, dP in zip(params, grads, strict=True))
        ):
            bases = None
        self._flat = (params[0], grads[0], bases)
        return bases
