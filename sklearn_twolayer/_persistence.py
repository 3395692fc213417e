"""What model files need: the warning of a version change, the trusted types of skops.

A pickled :class:`~sklearn_twolayer.TwoLayerClassifier` records the version of this
package that wrote it; loading it with another version raises an
:class:`InconsistentVersionWarning` (see ``TwoLayerClassifier.__setstate__``).

A fitted TwoLayerClassifier holds nothing but NumPy arrays, lists, dicts, numbers and
strings, so the only type that ``skops.io`` does not trust out of the box is the
estimator class itself: :data:`SKOPS_TRUSTED_TYPES` names it (the tests check the
name against the class, so that it follows the class if the module layout changes).

skops is never imported by this package: it is an optional dependency (the
``persist`` extra) that users import themselves.
"""

__all__ = ["SKOPS_TRUSTED_TYPES", "InconsistentVersionWarning"]

SKOPS_TRUSTED_TYPES = [f"{__package__}._classifier.TwoLayerClassifier"]
"""Type names to pass as ``trusted`` to ``skops.io.load`` for a TwoLayerClassifier.

They are exactly what ``skops.io.get_untrusted_types`` reports for a file holding a
fitted TwoLayerClassifier, alone or inside a scikit-learn Pipeline.
"""


class InconsistentVersionWarning(UserWarning):
    """A model pickled by one version of sklearn_twolayer is loaded by another.

    The model still loads and predicts, but the two versions may differ in how they
    train or predict: refit it, or load it with the version that saved it.

    Parameters
    ----------
    saved_version : str
        The version that pickled the model.
    current_version : str
        The version that loads it.
    """

    def __init__(self, saved_version, current_version):
        self.saved_version = saved_version
        self.current_version = current_version

    def __str__(self):
        return (
            f"This TwoLayerClassifier was pickled with sklearn_twolayer "
            f"{self.saved_version} and is loaded with {self.current_version}; it "
            "may behave differently. Refit it with this version, or load it with "
            "the version that saved it."
        )
