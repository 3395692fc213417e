"""Mini-batch gradient descent with classical momentum.

For every parameter P with gradient dP = dJ/dP::

    v <- momentum * v - alpha * dP
    P <- P + v

With ``momentum=0`` this is the article's plain update ``P -= alpha * dP``, and no
velocity is stored.
"""

import numpy as np

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

    def step(self, params, grads):
        """Apply one update to each array of ``params`` in place.

        Parameters
        ----------
        params : sequence of ndarray
            The parameters, updated in place.
        grads : sequence of ndarray
            Their gradients, same shapes; they may be overwritten.
        """
        if self.momentum == 0:
            for P, dP in zip(params, grads, strict=True):
                # The gradient buffer is scratch: scaling it in place saves a
                # temporary the size of W1 per batch.
                dP *= self.alpha
                P -= dP
            return
        if self.velocity is None:
            self.velocity = [np.zeros_like(P) for P in params]
        for P, dP, v in zip(params, grads, self.velocity, strict=True):
            v *= self.momentum
            dP *= self.alpha
            v -= dP
            P += v
