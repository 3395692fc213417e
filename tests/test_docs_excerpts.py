"""The code excerpts of the docs still point at code that exists.

docs/math.rst shows, next to each formula, the lines that compute it, included from
the source with ``literalinclude`` and anchored on a function name and on comment or
code text; the user guide includes snippets from the tests that run them. Renaming a
function or rewording an anchor comment breaks the docs build; this test reports it
in the test suite already, naming the excerpt.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "docs" / "math.rst", ROOT / "docs" / "user_guide.rst"]

_DIRECTIVE = re.compile(r"^\.\. literalinclude:: (\S+)\n((?:   :[\w-]+:.*\n)*)", re.M)
_OPTION = re.compile(r"^   :([\w-]+):(.*)$", re.M)


def _excerpts():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _DIRECTIVE.finditer(text):
            options = {k: v.strip() for k, v in _OPTION.findall(match.group(2))}
            line = text.count("\n", 0, match.start()) + 1
            yield pytest.param(
                page.parent / match.group(1), options, id=f"{page.name}:{line}"
            )


EXCERPTS = list(_excerpts())


def _object_source(source, dotted):
    """Source lines of a top-level function or class, or of a method."""
    tree = ast.parse(source)
    body = tree.body
    node = None
    for name in dotted.split("."):
        node = next(
            (
                n
                for n in body
                if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name == name
            ),
            None,
        )
        assert node is not None, f"{dotted} not found"
        body = node.body
    lines = source.splitlines()
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return lines[start - 1 : node.end_lineno]


def test_excerpts_found():
    # Guards the parametrisation below against a regex that finds nothing.
    assert len(EXCERPTS) >= 10


@pytest.mark.parametrize("path, options", EXCERPTS)
def test_excerpt_anchors_exist(path, options):
    assert path.is_file(), f"{path} does not exist"
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    if "pyobject" in options:
        lines = _object_source(source, options["pyobject"])
    # The same order as Sphinx: cut at the start anchor, then look for the end one.
    start = 0
    for key, shift in (("start-at", 0), ("start-after", 1)):
        if key in options:
            hits = [i for i, line in enumerate(lines) if options[key] in line]
            assert hits, f"{key} anchor {options[key]!r} not found"
            start = hits[0] + shift
    rest = lines[start:]
    for key in ("end-before", "end-at"):
        if key in options:
            assert any(options[key] in line for line in rest), (
                f"{key} anchor {options[key]!r} not found after the start anchor"
            )
    assert rest, "the excerpt is empty"
