"""Sphinx configuration of the sklearn_twolayer documentation.

The site builds offline: MathJax comes from the sphinx-mathjax-offline package and is
copied into the build, and no extension fetches anything at build time.
"""

import os
import re

# The gallery multiplies small matrices, for which one BLAS thread is fastest; more
# threads only compete with each other (and with other builds on the machine).
# Set before NumPy is first imported, which is just below.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sklearn_twolayer

project = "sklearn_twolayer"
author = "The sklearn_twolayer developers"
copyright = "The sklearn_twolayer developers"
version = release = sklearn_twolayer.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    # Ships MathJax 3 and points mathjax_path at the copy in _static, so that
    # formulas render without a network connection.
    "sphinx-mathjax-offline",
]

# Every reference to the package's own objects must resolve, so that each name the
# pages set as a link is one: unresolved references to sklearn_twolayer fail the
# build. References to other projects render as code (there is no intersphinx,
# since the build is offline).
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r"(?!~?sklearn_twolayer\b).*")]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "literal"

# API reference: one page per public name, from its numpydoc docstring.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# Markdown pages (the benchmark report) may start at any heading level.
suppress_warnings = ["myst.header"]
myst_heading_anchors = 3

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Only the plot_*.py scripts form the gallery; examples/demo.py, which
    # `make demo` runs, is left out.
    "filename_pattern": r"[\\/]plot_",
    "ignore_pattern": r"^(?!plot_)",
    # One subsection per topic, each a folder of examples/ with its
    # GALLERY_HEADER.rst.
    "subsection_order": [
        "../examples/training",
        "../examples/models",
        "../examples/data",
        "../examples/derivation",
    ],
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "reset_modules": ("matplotlib",),
    "matplotlib_animations": False,
    "capture_repr": (),
    # The whole gallery must stay fast; a slow example fails the build.
    "abort_on_example_error": True,
    "min_reported_time": 1,
    # The timing tables load their scripts from a CDN; the site must work offline.
    "write_computation_times": False,
    # "Examples using ..." lists on the API pages.
    "doc_module": ("sklearn_twolayer",),
    "backreferences_dir": "generated/backreferences",
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_twolayer {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "header_links_before_dropdown": 4,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
# The long pages need the width more than an empty section navigation.
html_sidebars = {"index": [], "math": [], "user_guide": []}
html_static_path = []
html_show_sourcelink = True
html_copy_source = True


# scikit-learn writes shapes with fitted attributes, "(n_samples, n_outputs_)"; to
# reStructuredText a word ending in "_" is a link. Quote such words inside the
# parentheses of a shape so that docstrings read as in scikit-learn.
_SHAPE = re.compile(r"\(([^()]*)\)")
_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?=[,)\s]|$)")


def _quote_attributes_in_shapes(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        if "shape (" in line:
            lines[i] = _SHAPE.sub(
                lambda m: "(" + _TRAILING_UNDERSCORE.sub(r"``\1``", m.group(1)) + ")",
                line,
            )


def setup(app):
    app.connect("autodoc-process-docstring", _quote_attributes_in_shapes)
