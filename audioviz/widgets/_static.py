"""Private HTML and JavaScript of :class:`audioviz.widgets.StaticSliders`.

A static-slider page is one ``<div>``: a range input per parameter, an ``<img>`` and a JSON block
holding every pre-rendered frame as a ``data:`` URI. A few lines of plain JavaScript (no library,
no CDN, no kernel) map the slider positions to a frame and swap the image. The same fragment works
as a notebook output, inside a sphinx-gallery page and in a file on disk.
"""
from __future__ import annotations

import base64
import html
import json
import uuid

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
    if (caption && data.captions.length) { caption.innerHTML = data.captions[data.caption_index[flat]]; }
  }
  for (var j = 0; j < inputs.length; j++) {
    inputs[j].addEventListener("input", show);
    inputs[j].addEventListener("change", show);
  }
  show();
})();"""

_STYLE = """#%(id)s { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px; max-width: 100%%; }
#%(id)s .avz-controls { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0 0 6px 0; }
#%(id)s label { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
#%(id)s .avz-name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
#%(id)s output { display: inline-block; min-width: 4.5em; font-variant-numeric: tabular-nums; }
#%(id)s img { max-width: 100%%; height: auto; display: block; }
#%(id)s .avz-caption { margin: 4px 0 0 0; font-size: 13px; line-height: 1.4; }"""


def _json_for_script(obj) -> str:
    # Inside <script> the only dangerous sequence is "</"; escaping "<" also guards "<!--".
    return json.dumps(obj, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")


def data_uri(payload: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(payload).decode("ascii")


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
        captions: HTML snippets written by audioviz (the explorer's readout), each stored once.
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
    caption = f'<div class="avz-caption">{captions[caption_index[flat]]}</div>\n' if captions else ""
    return (
        f'<div class="audioviz-static" id="{element_id}">\n'
        f"<style>{_STYLE % {'id': element_id}}</style>\n"
        f'<div class="avz-controls">{"".join(sliders)}</div>\n'
        f'<img class="avz-frame" data-avz-frame="{index[flat]}"{size} alt="{html.escape(title)}" src="{first}">\n'
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
