"""Every public class, method and function has a valid numpydoc docstring.

Their examples run, with warnings as errors, as a user would paste them.
"""

import doctest
import importlib.util
import inspect
from pathlib import Path

import pytest
from numpydoc.validate import validate

import sklearn_twolayer

# scikit-learn's own exemptions: RT02 because returns are named ("self :
# TwoLayerClassifier"); an extended summary, a See Also and an Examples section are
# required of the estimator and display classes, not of each method or of warnings.
IGNORED = {"RT02"}
IGNORED_BELOW_TOP = {"ES01", "SA01", "EX01"}

API_PAGE = Path(__file__).resolve().parents[1] / "docs" / "api.rst"


def _public_names():
    return [name for name in sklearn_twolayer.__all__ if not name.startswith("__")]


def _is_top_level(obj):
    return inspect.isclass(obj) and not issubclass(obj, Warning)


def _public_objects():
    """Import paths of the public callables and of the public methods they define.

    Constants such as ``SKOPS_TRUSTED_TYPES`` are documented by the attribute
    docstring that autodoc reads from the source; numpydoc has no rules for them.
    """
    for name in _public_names():
        obj = getattr(sklearn_twolayer, name)
        if not callable(obj):
            continue
        path = f"sklearn_twolayer.{name}"
        yield path
        if not inspect.isclass(obj):
            continue
        for attr, member in vars(obj).items():
            if attr.startswith("_"):
                continue
            # classmethod and staticmethod objects wrap the function.
            func = getattr(member, "__func__", member)
            if callable(func) and func.__module__.startswith("sklearn_twolayer"):
                yield f"{path}.{attr}"


PUBLIC_OBJECTS = sorted(_public_objects())


def test_public_objects_found():
    # Guards the parametrisation below against silently finding nothing.
    assert "sklearn_twolayer.TwoLayerClassifier.fit" in PUBLIC_OBJECTS
    assert "sklearn_twolayer.LossCurveDisplay.from_estimator" in PUBLIC_OBJECTS


@pytest.mark.parametrize("import_path", PUBLIC_OBJECTS)
def test_docstring(import_path):
    result = validate(import_path)
    name = import_path.removeprefix("sklearn_twolayer.")
    ignored = set(IGNORED)
    if "." in name or not _is_top_level(getattr(sklearn_twolayer, name)):
        ignored |= IGNORED_BELOW_TOP
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]
    assert not errors, f"{import_path}:\n" + "\n".join(errors)


@pytest.mark.parametrize("name", _public_names())
def test_public_name_in_api_reference(name):
    assert f"   {name}\n" in API_PAGE.read_text(encoding="utf-8"), (
        f"{name} is missing from the autosummary of docs/api.rst"
    )


def _documented_examples():
    """The docstrings of the public API that hold examples, by import path."""
    finder = doctest.DocTestFinder()
    for name in _public_names():
        for test in finder.find(getattr(sklearn_twolayer, name), name):
            if test.examples:
                yield pytest.param(test, id=test.name)


@pytest.mark.parametrize("test", _documented_examples())
def test_docstring_examples_run_without_warnings(test):
    sources = "".join(example.source for example in test.examples)
    if "import torch" in sources and importlib.util.find_spec("torch") is None:
        pytest.skip("the example needs PyTorch")
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    report = []
    # The pytest configuration turns warnings into errors, so a warning the
    # example emits fails it as an exception would.
    runner.run(test, out=report.append, clear_globs=True)
    assert runner.failures == 0, "".join(report)
