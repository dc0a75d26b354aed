"""The picture of an explorer under the inline backend: encoded bytes drawn on a canvas.

An :class:`ipywidgets.Image` shows a new picture by giving its ``<img>`` a new source: the page
makes an object URL, decodes the image on the main thread, lays the element out again and
paints. :class:`Picture` is a small anywidget that draws the bytes it receives on one
``<canvas>`` of a fixed size instead: the image is decoded off the main thread
(``createImageBitmap``) and copied in with ``drawImage``, and nothing around it moves. A picture
whose decoding finishes after a newer one's is dropped, so a burst of steps never paints out of
order.
"""
from __future__ import annotations

import anywidget
import traitlets
from ipywidgets.widgets.trait_types import bytes_serialization

__all__ = ["Picture"]

_ESM = """
export default {
  render({ model, el }) {
    const canvas = document.createElement("canvas");
    canvas.className = "avz-picture";
    canvas.width = model.get("width");
    canvas.height = model.get("height");
    canvas.style.cssText = "display:block;max-width:100%;width:" + canvas.width + "px";
    el.appendChild(canvas);
    const context = canvas.getContext("2d");
    let latest = 0;
    async function draw() {
      const ticket = ++latest;
      const value = model.get("value");
      if (!value || !value.byteLength) return;
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/" + model.get("format") }));
      if (ticket !== latest) { bitmap.close(); return; }  // a newer picture is on its way
      if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
        canvas.style.width = bitmap.width + "px";
      }
      context.drawImage(bitmap, 0, 0);
      bitmap.close();
    }
    model.on("change:value", draw);
    draw();
    return () => model.off("change:value", draw);
  },
};
"""


class Picture(anywidget.AnyWidget):
    """An encoded picture (JPEG, PNG or WebP bytes) drawn on a canvas of ``width`` x ``height``
    pixels; setting :attr:`value` draws the new one.

    Attributes:
        value: the picture's bytes, sent as one binary buffer.
        format: ``"jpeg"``, ``"png"`` or ``"webp"``.
        width, height: the canvas size in pixels (it follows a picture of another size).

    Example:
        >>> import numpy as np
        >>> from audioviz.widgets._backend import encode_image
        >>> picture = Picture(value=encode_image(np.zeros((34, 80, 4), np.uint8), fmt="jpeg"), width=80, height=34)
        >>> picture.value[:2].hex(), picture.format  # JPEG bytes, drawn by the page
        ('ffd8', 'jpeg')
    """

    _esm = _ESM
    value = traitlets.Bytes(b"").tag(sync=True, **bytes_serialization)
    format = traitlets.Unicode("jpeg").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
