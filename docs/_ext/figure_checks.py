"""Legibility checks of every gallery figure, made while sphinx-gallery saves it.

``checked_matplotlib_scraper`` is the gallery's image scraper: before handing the open figures to
sphinx-gallery's own matplotlib scraper, it draws each one and measures what a reader will see in
a 1400 px browser window, where a tutorial's text column is ``CONTENT_WIDTH_PX`` wide:

* the figure is shown at no less than ``MIN_SCALE`` of its natural size (narrow enough for the
  column);
* every text element (titles, labels, tick labels, legends, colorbar labels) is at least
  ``MIN_TEXT_PX`` pixels high there;
* no two text elements overlap, and none is cut off by the figure's edge.

Problems are written, one JSON file per tutorial, to ``docs/_build/figure_checks/`` and listed by
``tests/test_docs_site.py`` with the figure's file name and the texts concerned; they are also
printed during the build. The width of the column is measured by the site's browser test, so the
number here cannot drift from the theme unnoticed.
"""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.axis import Axis
from matplotlib.text import Text
from sphinx_gallery.scrapers import matplotlib_scraper

CONTENT_WIDTH_PX = 960  # a tutorial page's text column in a 1400 px window (see audioviz.css)
MIN_SCALE = 0.8
MIN_TEXT_PX = 9.0
REPORT_DIR = Path(__file__).resolve().parents[1] / "_build" / "figure_checks"

_reports: dict[str, dict] = {}


def _walk(artist, texts: list[Text]) -> None:
    """Collect the visible texts below ``artist``; an axis contributes only the ticks it draws."""
    if not artist.get_visible():
        return
    if isinstance(artist, Axis):
        if not artist.axes.axison:
            return
        texts += [label for tick in artist._update_ticks() for label in (tick.label1, tick.label2)
                  if label.get_visible() and label.get_text().strip()]
        texts += [t for t in (artist.label, artist.offsetText) if t.get_visible() and t.get_text().strip()]
        return
    if isinstance(artist, Text):
        if artist.get_text().strip():
            texts.append(artist)
        return
    for child in artist.get_children():
        _walk(child, texts)


def _visible_texts(fig) -> list[Text]:
    """The text elements a reader sees in ``fig`` (tick labels only where a tick is drawn)."""
    texts: list[Text] = []
    _walk(fig, texts)
    return texts


def _describe(text: Text) -> str:
    return repr(" ".join(text.get_text().split())[:60])


def check_figure(fig, content_width_px: float = CONTENT_WIDTH_PX) -> list[str]:
    """Everything that makes ``fig`` hard to read on a gallery page, one sentence each."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    natural_px = fig.get_figwidth() * fig.dpi
    scale = min(1.0, content_width_px / natural_px)
    problems = []
    if scale < MIN_SCALE:
        problems.append(f"{natural_px:.0f} px wide: shown at {100 * scale:.0f}% in a {content_width_px:.0f} px "
                        f"column (at least {100 * MIN_SCALE:.0f}% wanted; at most "
                        f"{content_width_px / MIN_SCALE / fig.dpi:.1f} in at dpi {fig.dpi:.0f})")
    texts = _visible_texts(fig)
    boxes = [text.get_window_extent(renderer) for text in texts]
    small = sorted({f"{_describe(t)} ({t.get_fontsize() * fig.dpi / 72 * scale:.1f} px)"
                    for t in texts if t.get_fontsize() * fig.dpi / 72 * scale < MIN_TEXT_PX - 1e-6})
    if small:
        problems.append(f"text smaller than {MIN_TEXT_PX:.0f} px on the page: " + ", ".join(small[:8]))
    edge = fig.bbox
    for text, box in zip(texts, boxes):
        if box.x0 < edge.x0 - 1 or box.y0 < edge.y0 - 1 or box.x1 > edge.x1 + 1 or box.y1 > edge.y1 + 1:
            problems.append(f"{_describe(text)} is cut off by the figure's edge")
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = boxes[i], boxes[j]
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            if width > 1 and height > 1:
                problems.append(f"{_describe(texts[i])} overlaps {_describe(texts[j])}")
    return problems


def checked_matplotlib_scraper(block, block_vars, gallery_conf, **kwargs):
    """sphinx-gallery's matplotlib scraper, after checking every open figure (see the module)."""
    source = Path(block_vars["src_file"]).stem
    paths = block_vars["image_path_iterator"]
    report = _reports.get(source)
    if report is None or report["iterator"] != id(paths):
        report = _reports[source] = {"iterator": id(paths), "figures": {}}
    for k, number in enumerate(plt.get_fignums()):
        name = Path(paths.image_path.format(len(paths) + 1 + k)).name
        problems = check_figure(plt.figure(number))
        if problems:
            report["figures"][name] = problems
            print(f"figure check: {name}: " + "; ".join(problems))
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{source}.json").write_text(json.dumps(report["figures"], indent=1), encoding="utf-8")
    return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
