"""Sphinx configuration for the audioviz tutorial site.

The site is a sphinx-gallery over ``examples/`` (every ``NN_topic.py`` is executed at build time, in
numbered order, and offered as a script and a notebook), an API reference generated from the public
names (``docs/_ext/apigen.py``), a Performance page that renders ``benchmarks/results/*.json``
(``docs/_ext/benchtables.py``), and intersphinx links that are used only when their inventories can
be had without failing the build offline (``docs/_ext/offline_intersphinx.py``).

Build with ``make docs``; ``make serve`` serves the result on localhost.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(REPO))

import audioviz  # noqa: E402
from notebook_cells import SETUP_CELL  # noqa: E402
from offline_intersphinx import available_inventories  # noqa: E402

# -- Project -------------------------------------------------------------------------------------
project = "audioviz"
author = "the audioviz developers"
copyright = "2026, the audioviz developers"
release = audioviz.__version__
version = release

# -- Extensions ----------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "apigen",
    "benchtables",
    "notebook_cells",
    "trypage",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints",
                    "auto_examples/*.codeobj.json", "sg_execution_times.rst"]
root_doc = "index"
default_role = "py:obj"
nitpicky = False

# -- Autodoc (Google-style docstrings, torchaudio names) -------------------------------------------
autodoc_default_options = {"members": True, "member-order": "bysource", "show-inheritance": False}
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_preserve_defaults = False
autosummary_generate = False  # apigen writes one stub page per public name itself
napoleon_google_docstring = True
napoleon_numpy_docstring = True  # the data and model modules are written in numpydoc, the rest in Google style
napoleon_use_ivar = True  # dataclass fields listed under "Attributes:" are not documented twice
napoleon_use_rtype = False
strip_signature_backslash = True  # napoleon then escapes the trailing _ of sklearn-style attributes (ax_, im_)
add_module_names = False
python_display_short_literal_types = True

# -- Intersphinx: links into other projects' docs, never a reason for the build to fail ----------
intersphinx_mapping = available_inventories(
    {
        "python": "https://docs.python.org/3",
        "numpy": "https://numpy.org/doc/stable",
        "torch": "https://docs.pytorch.org/docs/stable",
        "torchaudio": "https://docs.pytorch.org/audio/stable",
        "matplotlib": "https://matplotlib.org/stable",
        "ipywidgets": "https://ipywidgets.readthedocs.io/en/stable",
    },
    cache_dir=DOCS / "_build" / "intersphinx",
)
intersphinx_timeout = 5

# -- sphinx-gallery: the tutorials -----------------------------------------------------------------
# Tutorials that train read this to keep a docs build short; notebooks set it in the notebook test.
os.environ.setdefault("AUDIOVIZ_DOCS_BUILD", "1")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every NN_topic.py is a tutorial and is executed.
    "filename_pattern": r"[\\/]\d\d_\w+\.py$",
    "ignore_pattern": r"(__init__|[\\/]_\w*)\.py$",
    "within_subsection_order": "FileNameSortKey",
    # The last expression of a cell is shown: IPython.display.Audio and static sliders through
    # their _repr_html_ (self-contained <audio>/<img>/<input> HTML), anything else as text.
    "capture_repr": ("_repr_html_", "__repr__"),
    # Axes helpers return artists; their reprs teach nothing.
    "ignore_repr_types": r"matplotlib\.(text|axes|figure|image|lines|collections|colorbar|legend)\b",
    # sphinx-gallery's matplotlib scraper, after a legibility check of every figure
    # (docs/_ext/figure_checks.py; its report is read by tests/test_docs_site.py).
    "image_scrapers": ("figure_checks.checked_matplotlib_scraper",),
    "matplotlib_animations": False,
    "doc_module": ("audioviz",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"audioviz": None},
    "exclude_implicit_doc": {r"audioviz\.__version__"},
    "remove_config_comments": True,
    "download_all_examples": False,
    "min_reported_time": 1,
    "show_memory": False,
    "thumbnail_size": (400, 280),
    # A downloaded notebook starts by checking that audioviz is installed (docs/_ext/notebook_cells.py).
    "first_notebook_cell": SETUP_CELL,
    "abort_on_example_error": False,
    "write_computation_times": True,
}

# -- matplotlib plot directive (the landing-page picture is drawn at build time) -------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": False}

# -- The repository: linked from every page header ------------------------------------------------
# From pyproject.toml's [project.urls] when it names one; otherwise the header links the Install
# page's section on getting the source (docs/_templates/repository-link.html).
def _repository_url() -> str | None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[project\.urls\]\s*$(?P<body>.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    if section is None:
        return None
    found = dict(re.findall(r'^\s*"?(\w+)"?\s*=\s*"([^"]+)"', section["body"], flags=re.M))
    return found.get("Repository") or found.get("Source") or found.get("Homepage")


REPOSITORY_URL = _repository_url()

# -- HTML -----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"audioviz {release}"
html_static_path = ["_static"]
html_css_files = ["audioviz.css"]
html_js_files = ["fullsize.js"]
html_favicon = "_static/favicon.svg"
html_logo = "_static/logo.svg"
html_last_updated_fmt = None
html_show_sourcelink = False
html_theme_options = {
    "logo": {"text": "audioviz"},
    "navbar_align": "left",
    "navbar_end": ["theme-switcher", "navbar-icon-links"] if REPOSITORY_URL else
                  ["theme-switcher", "repository-link"],
    "icon_links": [{"name": "Source repository", "url": REPOSITORY_URL, "icon": "fa-brands fa-git-alt",
                    "type": "fontawesome"}] if REPOSITORY_URL else [],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# Tutorial pages give their figures the width of the window (no section navigation: the
# tutorials are read in order, with "previous" and "next" at the bottom of every page).
html_sidebars = {"index": [], "install": [], "performance": [], "auto_examples/[0-9]*": []}
html_context = {"default_mode": "light"}

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"


# -- Docstrings: grouped parameter names -----------------------------------------------------------
# The house style documents related parameters together ("f_min, f_max: ..." or
# "ax, cmap, **kwargs: as in plot_feature"). Napoleon escapes the stars of "**kwargs" only when it
# stands alone, so in a group they would open an unterminated emphasis. Escape them first.
_GROUPED_NAMES = re.compile(r"^(\s+)((?:\*{0,2}\w+,\s*)+\*{0,2}\w+)(\s*(?:\([^)]*\))?\s*:)")


def _escape_grouped_stars(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        match = _GROUPED_NAMES.match(line)
        if match and "*" in match.group(2):
            lines[i] = match.group(1) + match.group(2).replace("*", r"\*") + line[match.end(2):]


def setup(app):
    # Before napoleon (priority 500) turns the sections into fields.
    app.connect("autodoc-process-docstring", _escape_grouped_stars, priority=400)

# Curly quotes and ellipses, but no dashes: "--runs" and "--words" in benchmark notes and prose are
# command-line options, not an en dash.
smartquotes_action = "qe"
