"""Sphinx extension: the Try-it page's model, exported from the tutorials' checkpoint at build time.

``docs/try.rst`` holds the page's prose and includes ``docs/_static/try/body.html`` (its controls
and canvases); ``docs/_static/try/engine.js`` runs the classifier and ``try.js`` the page. What
only a build can make is written here when the build finishes, into ``_static/try/`` of the output:

- ``model.js``: :func:`audioviz.model.export_for_browser` of
  :func:`audioviz.model.tutorial_checkpoint` (the tiny model with ``AUDIOVIZ_TUTORIAL_QUICK=1``),
  the same checkpoint the tutorials use.
- ``colormaps.js``: matplotlib's magma and inferno as 256-entry tables, so the page's colours are
  the tutorials' colours.
- ``capture.js``: the microphone tap and the WAV encoder, copied from ``audioviz/_recorder/``
  (the recorder widget runs the same code).

:func:`write_try_page` builds the same page without Sphinx (a plain HTML shell around the same
body), for tests and for anyone who wants the page without building the site. Nothing is fetched
from the network and nothing here needs Node or npm.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
STATIC = DOCS / "_static" / "try"
#: The page's own files, copied as they are.
STATIC_FILES = ("engine.js", "try.js", "try.css")
#: The microphone tap and WAV encoder, shared with the recorder widget (``audioviz.Recorder``).
CAPTURE = DOCS.parent / "audioviz" / "_recorder" / "capture.js"
SCRIPTS = ("colormaps.js", "model.js", "engine.js", "capture.js", "try.js")


def colormaps_js() -> str:
    """``window.AUDIOVIZ_COLORMAPS = {name: [[r, g, b] x 256]}`` for magma and inferno."""
    from matplotlib import colormaps

    tables = {}
    for name in ("magma", "inferno"):
        cmap = colormaps[name].resampled(256)
        tables[name] = [[round(255 * c) for c in cmap(i)[:3]] for i in range(256)]
    return f"window.AUDIOVIZ_COLORMAPS = {json.dumps(tables, separators=(',', ':'))};\n"


def write_assets(target: Path, checkpoint=None) -> Path:
    """Write ``model.js``, ``colormaps.js`` and ``capture.js`` into ``target`` (a ``_static/try``
    folder).

    Args:
        target: folder to write into (created).
        checkpoint: a checkpoint path or a KeywordCNN. Default: the tutorials' checkpoint.

    Returns:
        The path of ``model.js``.
    """
    from audioviz._fileio import write_text_atomic
    from audioviz.model._export import export_for_browser

    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    name = ""
    if checkpoint is None:
        from audioviz.model import tutorial_checkpoint, tutorial_quick_mode

        checkpoint = tutorial_checkpoint(progress=False)
        name = "the tutorials' checkpoint" + (" (quick tiny model: not a real classifier)" if tutorial_quick_mode() else "")
    write_text_atomic(target / "colormaps.js", colormaps_js())
    write_text_atomic(target / "capture.js", CAPTURE.read_text(encoding="utf-8"))
    return export_for_browser(checkpoint, target / "model.js", name=name)


def write_try_page(out_dir, checkpoint=None) -> Path:
    """A standalone ``try.html`` with its ``_static/try/`` files in ``out_dir``.

    Args:
        out_dir: folder to write into (created).
        checkpoint: a checkpoint path or a KeywordCNN. Default: the tutorials' checkpoint.

    Returns:
        The path of ``try.html``.
    """
    out_dir = Path(out_dir)
    static = out_dir / "_static" / "try"
    static.mkdir(parents=True, exist_ok=True)
    for name in STATIC_FILES:
        shutil.copyfile(STATIC / name, static / name)
    write_assets(static, checkpoint)
    body = (STATIC / "body.html").read_text(encoding="utf-8")
    scripts = "\n".join(f'<script src="_static/try/{name}"></script>' for name in SCRIPTS)
    page = out_dir / "try.html"
    page.write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>Try it: audioviz</title>\n<link rel=\"icon\" href=\"data:,\">\n"
        "<link rel=\"stylesheet\" href=\"_static/try/try.css\">\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem;}</style>\n"
        f"</head><body>\n<h1>Try it: say a word</h1>\n{body}\n{scripts}\n</body></html>\n",
        encoding="utf-8",
    )
    return page


def _no_sidebar(app, config) -> None:
    config.html_sidebars.setdefault("try", [])


def _export(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_assets(Path(app.outdir) / "_static" / "try")


def setup(app):
    app.connect("config-inited", _no_sidebar)
    app.connect("build-finished", _export)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
