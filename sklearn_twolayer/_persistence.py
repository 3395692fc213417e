"""What safe model files need to know about this package.

A fitted :class:`~sklearn_twolayer.TwoLayerClassifier` holds nothing but NumPy arrays,
lists, dicts, numbers and strings, so the only type that ``skops.io`` does not trust
out of the box is the estimator class itself. Its full name is given here, computed
from the class so that it follows the class if the module layout changes.

skops is never imported by this package: it is an optional dependency (the
``persist`` extra) that users import themselves.
"""

from ._classifier import TwoLayerClassifier

__all__ = ["SKOPS_TRUSTED_TYPES"]

SKOPS_TRUSTED_TYPES = [
    f"{TwoLayerClassifier.__module__}.{TwoLayerClassifier.__qualname__}"
]
"""Type names to pass as ``trusted`` to ``skops.io.load`` for a TwoLayerClassifier.

They are exactly what ``skops.io.get_untrusted_types`` reports for a file holding a
fitted TwoLayerClassifier, alone or inside a scikit-learn Pipeline.
"""
