"""What a downloaded tutorial notebook says, outside this site.

sphinx-gallery turns each tutorial's reST text into the notebook's markdown cells, but it keeps
Sphinx's cross-reference roles (``:func:`audioviz.plot_waveform```), which mean nothing in
Jupyter. This extension converts them while the notebook is written:

* ``:func:`audioviz.show``` (and ``:class:``, ``:meth:``, ``:mod:``, ``:attr:``, ...) becomes the
  code ``audioviz.show``; with a leading ``~`` only the last part is kept, as on the site;
* ``:doc:`02_waveform_to_spectrogram``` becomes a link to the notebook beside it
  (``02_waveform_to_spectrogram.ipynb``); a ``:doc:`` to a site page keeps only its words.

The notebook's first cell (``SETUP_CELL``, sphinx-gallery's ``first_notebook_cell``) checks that
audioviz is installed and says where the install instructions are; what data a tutorial uses is
said in the tutorial's own text (its "Run it yourself" paragraph).
"""
from __future__ import annotations

import re

import sphinx_gallery.notebook

SETUP_CELL = """\
# Setup: run this cell first.
# This notebook needs the audioviz package (Python 3.10 or newer) with its dependencies (torch,
# torchaudio, matplotlib, ipywidgets). If the import fails, install audioviz as the tutorial
# site's Install page says under "Outside a clone": for example a wheel built from the
# repository with `pip wheel --no-deps .`, then `pip install audioviz-*.whl`.
# The "Run it yourself" paragraph below says which data this tutorial uses; nothing is downloaded.
import audioviz

print("audioviz", audioviz.__version__)"""

_ROLE = re.compile(r":(?:py:)?(?P<role>[a-z]+):`(?P<body>[^`]+)`")
_TUTORIAL = re.compile(r"^/?(?:auto_examples/)?(?P<name>\d\d_\w+)$")


def _label_and_target(body: str) -> tuple[str | None, str]:
    match = re.fullmatch(r"(?P<label>.*?)\s*<(?P<target>[^<>]+)>", body.strip(), flags=re.S)
    if match:
        return " ".join(match["label"].split()), match["target"].strip()
    return None, body.strip()


def role_to_markdown(match: re.Match) -> str:
    """One Sphinx role as notebook markdown (see the module docstring)."""
    role, (label, target) = match["role"], _label_and_target(match["body"])
    if role == "math":
        return match.group(0)  # sphinx-gallery turns :math: into $...$ itself
    if role == "doc":
        tutorial = _TUTORIAL.match(target)
        if tutorial:
            return f"[{label or tutorial['name']}]({tutorial['name']}.ipynb)"
        return label or target.strip("/")
    if label:
        return f"`{label}`"
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def roles_to_markdown(text: str) -> str:
    """``text`` with every Sphinx role replaced by plain markdown."""
    return _ROLE.sub(role_to_markdown, text)


_rst2md = sphinx_gallery.notebook.rst2md


def _rst2md_without_roles(text, *args, **kwargs):
    return _rst2md(roles_to_markdown(text), *args, **kwargs)


def setup(app):
    # sphinx-gallery has no hook for the text of a notebook cell; fill_notebook looks rst2md up
    # in its module at call time, so wrapping it there converts every markdown cell.
    sphinx_gallery.notebook.rst2md = _rst2md_without_roles
    return {"parallel_read_safe": True, "parallel_write_safe": True}
