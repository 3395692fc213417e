"""A two-layer neural-network classifier for scikit-learn, trained by backprop.

The estimator is :class:`TwoLayerClassifier`. The math it runs is in
:mod:`sklearn_twolayer._network` (forward and backward passes, in the notation of the
derivation on the documentation's math page, ``docs/math.rst``).
"""

from ._classifier import InconsistentVersionWarning, TwoLayerClassifier
from ._display import LossCurveDisplay
from ._persistence import SKOPS_TRUSTED_TYPES, to_numpy
from ._version import __version__

__all__ = [
    "SKOPS_TRUSTED_TYPES",
    "InconsistentVersionWarning",
    "LossCurveDisplay",
    "TwoLayerClassifier",
    "__version__",
    "to_numpy",
]
