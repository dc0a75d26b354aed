"""Static sliders: an explorer's frames drawn once, swapped by a few lines of JavaScript.

:func:`freeze` draws every cell of a grid of settings through an explorer's own update path;
:class:`StaticSliders` holds the frames and writes them as one self-contained ``<div>``: a range
input per parameter, an ``<img>`` and a JSON block holding every frame as a ``data:`` URI. Plain
JavaScript (no library, no CDN, no kernel) maps the slider positions to a frame. The fragment works
as a notebook output, inside a sphinx-gallery page and in a file on disk.

Nothing placed in the page is raw HTML: names, labels, title and captions are escaped (or JSON
inside a ``<script type="application/json">`` block with ``<`` and ``>`` escaped, and written
into the page by ``textContent``), and the frames' MIME type comes from a fixed set.
"""
from __future__ import annotations

import base64
import html
import itertools
import json
import uuid
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from .._fileio import write_text_atomic
from ._backend import MIME_TYPES, encode_image
from ._controls import coerce_value

__all__ = ["StaticSliders"]

# Plain ES5 so it runs in any browser that can show the notebook. The element id is filled in per
# fragment, so several static sliders can live on one page. Frame i of the flattened grid is
# frames[index[i]]: identical pictures are stored once.
_SCRIPT = """(function () {
  var root = document.getElementById("%(id)s");
  if (!root || root.getAttribute("data-avz-ready")) { return; }
  root.setAttribute("data-avz-ready", "1");
  var data = JSON.parse(root.querySelector("script.avz-data").textContent);
  var img = root.querySelector("img.avz-frame");
  var inputs = root.querySelectorAll("input.avz-slider");
  var outputs = root.querySelectorAll("output.avz-value");
  var caption = root.querySelector("div.avz-caption");
  function show() {
    var flat = 0;
    var words = [];
    for (var i = 0; i < inputs.length; i++) {
      var k = Math.max(0, Math.min(data.sizes[i] - 1, parseInt(inputs[i].value, 10) || 0));
      flat = flat * data.sizes[i] + k;
      outputs[i].textContent = data.labels[i][k];
      words.push(data.names[i] + " = " + data.labels[i][k]);
    }
    var frame = data.index[flat];
    img.src = data.frames[frame];
    img.setAttribute("data-avz-frame", String(frame));
    img.alt = data.title + ": " + words.join(", ");
    if (caption && data.captions.length) { caption.textContent = data.captions[data.caption_index[flat]]; }
  }
  // The keys a range input answers stay with it: JupyterLab would take them to move between cells.
  var keys = {ArrowLeft: 1, ArrowRight: 1, ArrowUp: 1, ArrowDown: 1, Home: 1, End: 1, PageUp: 1, PageDown: 1};
  function keep(event) { if (keys[event.key]) { event.stopPropagation(); } }
  for (var j = 0; j < inputs.length; j++) {
    inputs[j].addEventListener("input", show);
    inputs[j].addEventListener("change", show);
    inputs[j].addEventListener("keydown", keep);
  }
  show();
})();"""

_STYLE = """#%(id)s { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px; max-width: 100%%; }
#%(id)s .avz-controls { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0 0 6px 0; }
#%(id)s label { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
#%(id)s .avz-name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
#%(id)s output { display: inline-block; min-width: 4.5em; font-variant-numeric: tabular-nums; }
#%(id)s img { max-width: 100%%; height: auto; display: block; }
#%(id)s .avz-caption { margin: 4px 0 0 0; font-size: 13px; line-height: 1.4; white-space: pre-line; }"""


def _json_for_script(obj) -> str:
    # Inside <script> the only dangerous sequence is "</"; escaping "<" also guards "<!--".
    return json.dumps(obj, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")


def data_uri(payload: bytes, mime: str) -> str:
    if mime not in _MIMES:
        raise ValueError(f"mime must be one of {', '.join(sorted(_MIMES))}, got {mime!r}")
    return f"data:{mime};base64," + base64.b64encode(payload).decode("ascii")


_MIMES = frozenset(MIME_TYPES.values())


def label_for(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_fragment(*, title: str, names, values, frames, index, mime: str, start, width=None, captions=(),
                    caption_index=()) -> str:
    """The self-contained HTML fragment (one ``<div>``) of a static-slider grid.

    Args:
        title: words for the image's alt text.
        names: parameter names, in grid order.
        values: one list of values per parameter.
        frames: encoded pictures (bytes), each stored once.
        index: for each cell of the grid in C order (last parameter fastest), its frame number.
        mime: MIME type of the frames.
        start: the slider positions shown first, one per parameter.
        width: CSS width of the picture in pixels, or None for its natural size.
        captions: plain text (the explorer's readout as text), each stored once; escaped.
        caption_index: for each cell of the grid, its caption number (empty: no captions).
    """
    element_id = "avz-static-" + uuid.uuid4().hex[:12]
    uris = [data_uri(frame, mime) for frame in frames]
    labels = [[label_for(v) for v in vals] for vals in values]
    payload = {
        "title": title,
        "names": list(names),
        "sizes": [len(vals) for vals in values],
        "labels": labels,
        "index": [int(i) for i in index],
        "frames": uris,
        "captions": list(captions),
        "caption_index": [int(i) for i in caption_index],
    }
    flat = 0
    for position, vals in zip(start, values):
        flat = flat * len(vals) + position
    first = uris[index[flat]]
    sliders = []
    for name, vals, position, words in zip(names, values, start, labels):
        sliders.append(
            f'<label><span class="avz-name">{html.escape(name)}</span>'
            f'<input class="avz-slider" type="range" min="0" max="{len(vals) - 1}" step="1" '
            f'value="{position}" data-param="{html.escape(name)}" aria-label="{html.escape(name)}">'
            f'<output class="avz-value">{html.escape(words[position])}</output></label>'
        )
    size = f' style="width:{int(width)}px"' if width else ""
    caption = f'<div class="avz-caption">{html.escape(captions[caption_index[flat]])}</div>\n' if captions else ""
    return (
        f'<div class="audioviz-static" id="{element_id}" data-lm-suppress-shortcuts="true">\n'
        f"<style>{_STYLE % {'id': element_id}}</style>\n"
        f'<div class="avz-controls">{"".join(sliders)}</div>\n'
        f'<img class="avz-frame" data-avz-frame="{index[flat]}"{size} alt="{html.escape(title)}" src="{html.escape(first)}">\n'
        f"{caption}"
        f'<script type="application/json" class="avz-data">{_json_for_script(payload)}</script>\n'
        f"<script>{_SCRIPT % {'id': element_id}}</script>\n"
        "</div>"
    )


def render_page(fragment: str, *, title: str) -> str:
    """A complete HTML document around one fragment, for :meth:`StaticSliders.save`."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "</head>\n<body>\n"
        f"{fragment}\n"
        "</body>\n</html>\n"
    )


class _TextOf(HTMLParser):
    """The text of a readout written in HTML: tags dropped, ``<br>`` and blocks as new lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "div", "p", "li") and self.parts:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML snippet (for captions of static pages)."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).strip()


class StaticSliders:
    """Pre-rendered frames of an explorer with sliders that swap them: no kernel, no CDN.

    Made by :meth:`Explorer.static <audioviz.widgets.Explorer.static>`. Its HTML (``_repr_html_``,
    :meth:`to_html`) is one self-contained ``<div>``: a range input per parameter, every frame as
    a ``data:`` URI and a few lines of plain JavaScript, so it works as a notebook output, in a
    sphinx-gallery page (as a cell's last expression) and as a file written by :meth:`save`.
    Identical frames are stored once. The sliders answer the mouse and the keyboard (arrows,
    Home, End, Page Up/Down), inside JupyterLab too.

    No argument is taken as HTML: ``names``, ``title``, the value labels and ``captions`` are
    plain text and are escaped wherever they are placed; ``mime`` must be one of the picture
    types audioviz writes.

    Args:
        names: parameter names, one slider each, in order.
        values: one list of values per slider.
        frames: the distinct encoded pictures (bytes).
        index: frame number of every grid cell, in C order (last parameter fastest).
        mime: ``"image/png"``, ``"image/webp"`` or ``"image/jpeg"``.
        title: words for the pictures' alt text and the saved page's title.
        start: the slider positions shown first (ints). Default: all ``0``.
        captions: plain-text lines shown under the picture, each stored once; caption_index: the
            caption number of every cell. Default: no captions.

    Attributes:
        names, values, frames, index, mime, title, start, captions, caption_index: as given.

    Raises:
        ValueError: a ``mime`` outside that set, or ``index``, ``start`` or ``caption_index``
            that do not fit the grid.

    Example:
        >>> import torch, audioviz
        >>> explorer = audioviz.SpectrogramExplorer(torch.randn(16000), 16000)
        >>> page = explorer.static(n_fft=[256, 1024], hop_length=[64, 128])
        >>> len(page), page.shape
        (4, (2, 2))
        >>> path = page.save("explorer.html")  # doctest: +SKIP
    """

    def __init__(self, *, names, values, frames, index, mime, title="audioviz", start=None, captions=(),
                 caption_index=()):
        self.names = [str(name) for name in names]
        self.values = [list(v) for v in values]
        self.frames = [bytes(frame) for frame in frames]
        self.index = [int(i) for i in index]
        if mime not in _MIMES:
            raise ValueError(f"mime must be one of {', '.join(sorted(_MIMES))}, got {mime!r}")
        self.mime = mime
        self.title = str(title)
        self.captions = [str(c) for c in captions]
        self.caption_index = [int(i) for i in caption_index]
        self.start = [int(p) for p in start] if start is not None else [0] * len(self.names)
        cells = int(np.prod(self.shape))
        if len(self.names) != len(self.values) or len(self.start) != len(self.values):
            raise ValueError(f"names, values and start must have one entry per slider, got {len(self.names)}, "
                             f"{len(self.values)} and {len(self.start)}")
        if len(self.index) != cells or not all(0 <= i < len(self.frames) for i in self.index):
            raise ValueError(f"index must hold {cells} frame numbers from 0 to {len(self.frames) - 1} for shape "
                             f"{self.shape}, got {len(self.index)} entries")
        if not all(0 <= p < n for p, n in zip(self.start, self.shape)):
            raise ValueError(f"start must be slider positions inside {self.shape}, got {self.start}")
        if self.caption_index and (len(self.caption_index) != cells
                                   or not all(0 <= i < len(self.captions) for i in self.caption_index)):
            raise ValueError(f"caption_index must hold {cells} caption numbers from 0 to {len(self.captions) - 1}")
        if self.captions and not self.caption_index:
            raise ValueError("captions need a caption_index (the caption number of every cell)")

    @property
    def shape(self) -> tuple:
        """Number of values of each slider."""
        return tuple(len(v) for v in self.values)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def nbytes(self) -> int:
        """Size of :meth:`to_html` in bytes (what a page or notebook carries)."""
        return len(self.to_html().encode("utf-8"))

    def frame(self, **values) -> bytes:
        """The encoded picture shown for the given slider values (all parameters named)."""
        missing = [name for name in self.names if name not in values]
        unknown = [name for name in values if name not in self.names]
        if unknown or missing:
            raise ValueError(f"frame() needs exactly the parameters {self.names}; missing {missing}, unknown {unknown}")
        flat = 0
        for name, vals in zip(self.names, self.values):
            if values[name] not in vals:
                raise ValueError(f"{name} must be one of {vals}; got {values[name]!r}")
            flat = flat * len(vals) + vals.index(values[name])
        return self.frames[self.index[flat]]

    def to_html(self, *, width: int | None = None) -> str:
        """The self-contained HTML fragment (one ``<div>``); ``width`` in CSS pixels."""
        return render_fragment(title=self.title, names=self.names, values=self.values, frames=self.frames,
                               index=self.index, mime=self.mime, start=self.start, width=width,
                               captions=self.captions, caption_index=self.caption_index)

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path) -> Path:
        """Write a complete HTML page to ``path`` (atomically) and return the path."""
        text = render_page(self.to_html(), title=f"{self.title}: {', '.join(self.names)}")
        return write_text_atomic(Path(path), text)

    def __repr__(self) -> str:
        grid = ", ".join(f"{n}={v}" for n, v in zip(self.names, self.values))
        return f"<StaticSliders {self.title}: {grid} ({len(self)} cells, {len(self.frames)} distinct frames)>"


def _grid_values(explorer, grid: dict) -> tuple[list, list]:
    """The grid's parameter names and, for each, its values checked against the control."""
    if not grid:
        raise ValueError(
            f"static() needs at least one parameter with a list of values, e.g. "
            f"static({next(iter(explorer.controls))}=[...]); known parameters: {', '.join(explorer.controls)}"
        )
    values = []
    for name, vals in grid.items():
        control = explorer._control(name)
        if isinstance(vals, (str, bytes)) or not hasattr(vals, "__iter__"):
            raise ValueError(f"{name} must be a list of values for the slider, got {vals!r}")
        vals = list(vals)
        if not vals:
            raise ValueError(f"{name} has an empty list of values; give at least one")
        checked = []
        for value in vals:
            value, note = coerce_value(name, control, value)
            if note:
                raise ValueError(note.replace("clamped to", "expected a value inside that range, not"))
            checked.append(value)
        values.append(checked)
    return list(grid), values


def freeze(explorer, *, fmt: str, dpi, quality: int, grid: dict) -> StaticSliders:
    """Draw every cell of ``grid`` with ``explorer`` and return the :class:`StaticSliders`
    (see :meth:`Explorer.static <audioviz.widgets.Explorer.static>`)."""
    fmt = "webp" if fmt == "auto" else fmt
    if fmt not in MIME_TYPES:
        raise ValueError(f"fmt must be 'auto', 'png', 'png8', 'webp' or 'jpeg'; got {fmt!r}")
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError(f"quality must be an int from 1 to 100, got {quality!r}")
    names, values = _grid_values(explorer, grid)
    saved = explorer.params
    old_dpi = explorer.figure.dpi
    frames: list[bytes] = []
    seen: dict[bytes, int] = {}
    index: list[int] = []
    captions: list[str] = []
    caption_index: list[int] = []
    try:
        if dpi is not None:
            explorer.figure.set_dpi(dpi)
            explorer.redraw()
        for combo in itertools.product(*values):
            explorer._apply(dict(zip(names, combo)), force=True)
            if explorer.error is not None:
                raise RuntimeError(f"drawing the frame {dict(zip(names, combo))} failed: {explorer.error}") \
                    from explorer.error
            picture = encode_image(explorer.to_rgba(), fmt=fmt, quality=quality)
            index.append(seen.setdefault(picture, len(frames)))
            if index[-1] == len(frames):
                frames.append(picture)
            text = html_to_text(explorer.readout.value)
            if text:
                if text not in captions:
                    captions.append(text)
                caption_index.append(captions.index(text))
    finally:
        if dpi is not None:
            explorer.figure.set_dpi(old_dpi)
            explorer.redraw()
        explorer._apply(saved, force=True)
    start = [vals.index(saved[name]) if saved[name] in vals else 0 for name, vals in zip(names, values)]
    complete = len(caption_index) == len(index)
    return StaticSliders(names=names, values=values, frames=frames, index=index, mime=MIME_TYPES[fmt],
                         title=type(explorer).__name__, start=start, captions=captions if complete else (),
                         caption_index=caption_index if complete else ())
