"""What model files need: the warning of a version change, the trusted types of skops.

A pickled :class:`~sklearn_twolayer.TwoLayerClassifier` records the version of this
package that wrote it; loading it with another version raises an
:class:`InconsistentVersionWarning` (see ``TwoLayerClassifier.__setstate__``).

A fitted TwoLayerClassifier holds nothing but NumPy arrays, lists, dicts, numbers and
strings, so the only type that ``skops.io`` does not trust out of the box is the
estimator class itself: :data:`SKOPS_TRUSTED_TYPES` names it (the tests check the
name against the class, so that it follows the class if the module layout changes).

A file written before a parameter existed loads with the parameter's default, and
training continues from its state as it would have then (:func:`upgrade_state`).

skops is never imported by this package: it is an optional dependency (the
``persist`` extra) that users import themselves.
"""

__all__ = ["SKOPS_TRUSTED_TYPES", "InconsistentVersionWarning", "upgrade_state"]

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


def upgrade_state(state, defaults):
    """The state of a pickled estimator in the current layout, updated in place.

    Parameters
    ----------
    state : dict
        The ``__dict__`` of a pickled TwoLayerClassifier.
    defaults : dict
        The current parameters and their defaults: a parameter absent from the
        file takes its default, which keeps the behaviour the file was fitted
        with (every parameter added since 0.1.0 defaults to that behaviour).

    Returns
    -------
    state : dict
    """
    for name, value in defaults.items():
        state.setdefault(name, value)
    if "_velocity" in state:
        # 0.1.0 kept the velocity of its one update rule, gradient descent at a
        # constant rate, alone.
        velocity = state.pop("_velocity")
        state["_optimizer_state"] = {
            "solver": "sgd",
            "learning_rate": float(state["alpha"]),
            "velocity": None if velocity is None else list(velocity),
        }
    return state
