"""How an explorer's figure lives under each notebook backend, and how its picture leaves it.

With ipympl (``%matplotlib widget``) the figure comes from pyplot and its canvas is itself an
ipywidget that sends the browser what it draws. With any other backend (the default inline one,
tests, static pages) the figure gets a plain Agg canvas that pyplot never sees; the explorer then
sends the picture itself, encoded by :func:`encode_image` at the size it is shown, to a
:func:`picture_widget` that draws it on a canvas.
"""
from __future__ import annotations

import functools
import io
import struct
import zlib

import matplotlib
import numpy as np

#: Backend names under which the figure's canvas is itself a widget (ipympl).
_WIDGET_BACKENDS = ("module://ipympl.backend_nbagg", "widget", "ipympl")

#: MIME type of each picture format :func:`encode_image` writes.
MIME_TYPES = {"png": "image/png", "png8": "image/png", "webp": "image/webp", "jpeg": "image/jpeg"}


def ipympl_active() -> bool:
    """True when matplotlib's backend is ipympl, whose canvas is an ipywidget."""
    return str(matplotlib.get_backend()).lower() in _WIDGET_BACKENDS


def new_figure(figsize, *, layout: str | None = "constrained"):
    """A figure for an explorer, never shown by pyplot on its own.

    With ipympl the figure must come from pyplot (its canvas is the widget), made inside
    ``plt.ioff()`` so it does not appear a second time. With any other backend the figure gets a
    plain Agg canvas and is not registered with pyplot: the inline backend would otherwise paste
    a stale copy under the cell, and tests would leak figures.

    The constrained layout leaves twice matplotlib's default padding between Axes, so that an Axes'
    outermost tick label never reaches the margin the partial redraw keeps around its neighbour's
    frame (see :mod:`audioviz.widgets._blit`): a step that changes one Axes' ticks then redraws
    that Axes alone.
    """
    if ipympl_active():
        import matplotlib.pyplot as plt

        with plt.ioff():
            figure = plt.figure(figsize=figsize, layout=layout)
        fast_diff_images(figure.canvas)
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=figsize, layout=layout)
        FigureCanvasAgg(figure)
    if layout == "constrained":
        figure.get_layout_engine().set(w_pad=6 / 72, h_pad=6 / 72)
    return figure


def fast_png(rgba: np.ndarray) -> bytes:
    """A PNG of an RGBA picture written for speed: no row filter, zlib level 1.

    For ipympl's pictures: Pillow's PNG (adaptive filters, level 6) of an explorer's 800 x 340
    picture takes 40-70 ms, this 7-13 ms, and is smaller for a spectrogram (240 KB, not 400 KB).

    Example:
        >>> import io
        >>> from PIL import Image
        >>> rgba = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
        >>> bool((np.asarray(Image.open(io.BytesIO(fast_png(rgba)))) == rgba).all())
        True
    """
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width = rgba.shape[:2]
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # each row: filter type 0, then pixels
    rows[:, 1:] = rgba.reshape(height, 4 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + chunk(b"IEND", b""))


# What matplotlib's web canvas (ipympl's base) uses to send a picture; fast_diff_images needs them.
_WEB_CANVAS_STATE = ("_png_is_old", "_force_full", "_last_buff", "set_image_mode", "get_renderer")


def fast_diff_images(canvas) -> bool:
    """Make ipympl's ``canvas`` send its pictures as :func:`fast_png` (same pixels, same diff
    protocol as matplotlib's ``get_diff_image``); False when the canvas is not what this expects."""
    if not all(hasattr(canvas, name) for name in _WEB_CANVAS_STATE):
        return False

    def get_diff_image():
        # matplotlib's FigureCanvasWebAggCore.get_diff_image, with the PNG written by fast_png
        if not canvas._png_is_old:
            return None
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        buff = pixels.view(np.uint32).squeeze(2)
        if canvas._force_full or buff.shape != canvas._last_buff.shape or (pixels[:, :, 3] != 255).any():
            canvas.set_image_mode("full")
            output = buff
        else:
            canvas.set_image_mode("diff")
            output = np.where(buff != canvas._last_buff, buff, 0)
        canvas._last_buff = buff.copy()
        canvas._force_full = False
        canvas._png_is_old = False
        return fast_png(output.view(dtype=np.uint8).reshape((*output.shape, 4)))

    canvas.get_diff_image = get_diff_image
    return True


def canvas_is_widget(figure) -> bool:
    """True when the figure's canvas can be placed in an ipywidgets layout (ipympl)."""
    import ipywidgets

    return isinstance(figure.canvas, ipywidgets.DOMWidget)


def can_blit(figure) -> bool:
    """True for an Agg canvas (inline backend, tests, static pages, and ipympl's, which is Agg
    underneath): its buffer can be patched in place."""
    canvas = figure.canvas
    return all(hasattr(canvas, name) for name in ("copy_from_bbox", "restore_region", "buffer_rgba"))


def rendered_rgba(figure) -> np.ndarray:
    """The picture the figure's Agg canvas holds now, as a ``(height, width, 4)`` uint8 array.

    Draws only if the canvas has never been drawn; after a step on Agg the buffer is already the
    new picture.
    """
    canvas = figure.canvas
    if getattr(canvas, "renderer", None) is None or not hasattr(canvas, "buffer_rgba"):
        canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def encode_image(rgba: np.ndarray, *, fmt: str = "png", quality: int = 80) -> bytes:
    """Encode an RGBA picture as PNG (lossless, fast settings), 256-colour PNG, WebP or JPEG.

    JPEG at quality 85 is what the inline backend sends on each step: about a quarter of a fast
    PNG's bytes, encoded seven times faster, text still crisp at the shown size.
    """
    from PIL import Image

    if fmt not in MIME_TYPES:
        raise ValueError(f"fmt must be one of {', '.join(map(repr, MIME_TYPES))}, got {fmt!r}")
    buffer = io.BytesIO()
    if fmt == "png":
        Image.fromarray(np.ascontiguousarray(rgba), mode="RGBA").save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()
    if fmt == "jpeg":
        # Straight from the RGBA buffer: PIL reads it as RGBX (the fourth byte skipped), which
        # costs a third of copying out the RGB planes first and gives the same bytes.
        rgba = np.ascontiguousarray(rgba)
        height, width = rgba.shape[:2]
        Image.frombuffer("RGBX", (width, height), rgba, "raw", "RGBX", 0, 1).save(buffer, format="JPEG",
                                                                                  quality=quality)
        return buffer.getvalue()
    picture = Image.fromarray(np.ascontiguousarray(rgba[..., :3]), mode="RGB")
    if fmt == "png8":
        # 256-colour palette: text stays sharp and a spectrogram loses little.
        picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            buffer, format="PNG", optimize=True)
    else:
        picture.save(buffer, format="WEBP", quality=quality, method=4)
    return buffer.getvalue()


def savefig_bytes(figure, fmt: str = "png") -> bytes:
    """The figure drawn afresh into image bytes (for a canvas that is not plain Agg)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    return buffer.getvalue()


# The page side of picture_widget(). The bytes are decoded where they arrive, with WebCodecs'
# ImageDecoder, from the message's own buffer; an ipywidgets.Image (and createImageBitmap) first
# wraps them in a Blob that the page then loads back (an object URL for the <img>), which is the
# likely reason those two are slower here (not traced further). Measured in JupyterLab, a bare slider swapping
# two ready 800 x 340 JPEGs, alternated press by press (quiet.sh, load 1.9-3.4, 15-20 presses
# each, three runs): key to painted 70 / 66 / 63 ms here, 72 / 90 / 72 ms with an
# ipywidgets.Image, 80 / 87 ms with createImageBitmap; from the message's arrival to painted
# 8-25 ms here, 30-34 ms with the Image. Where ImageDecoder is missing createImageBitmap is used.
# A picture whose decoding ends after a newer one's is dropped: a burst never paints out of order.
_PICTURE_ESM = """
export default {
  render({ model, el }) {
    const canvas = document.createElement("canvas");
    canvas.className = "avz-picture";
    canvas.width = model.get("width");
    canvas.height = model.get("height");
    canvas.style.cssText = "display:block;max-width:100%;height:auto;width:" + canvas.width + "px";
    el.appendChild(canvas);
    const context = canvas.getContext("2d");
    let latest = 0;
    async function draw() {
      const ticket = ++latest;
      const value = model.get("value");
      if (!value || !value.byteLength) return;
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      const type = "image/" + model.get("format");
      let decoder = null, image;
      if (typeof ImageDecoder !== "undefined") {
        decoder = new ImageDecoder({ data: bytes, type: type });
        image = (await decoder.decode()).image;
      } else {
        image = await createImageBitmap(new Blob([bytes], { type: type }));
      }
      if (ticket === latest) {
        const width = image.displayWidth || image.width, height = image.displayHeight || image.height;
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
          canvas.style.width = width + "px";
        }
        context.drawImage(image, 0, 0);
      }
      image.close();
      if (decoder) decoder.close();
    }
    model.on("change:value", draw);
    draw();
    return () => model.off("change:value", draw);
  },
};
"""


@functools.cache
def _picture_class():
    import anywidget
    import traitlets
    from ipywidgets.widgets.trait_types import bytes_serialization

    class Picture(anywidget.AnyWidget):
        """An encoded picture (JPEG, PNG or WebP bytes) drawn on a canvas of ``width`` x
        ``height`` pixels; setting :attr:`value` draws the new one."""

        _esm = _PICTURE_ESM
        value = traitlets.Bytes(b"").tag(sync=True, **bytes_serialization)
        format = traitlets.Unicode("jpeg").tag(sync=True)
        width = traitlets.Int(0).tag(sync=True)
        height = traitlets.Int(0).tag(sync=True)

    return Picture


def picture_widget(value: bytes, *, fmt: str, width: int, height: int):
    """The widget the inline backend shows an explorer's picture in: ``value`` (bytes of format
    ``fmt``, ``"jpeg"``, ``"png"`` or ``"webp"``) drawn on a canvas of ``width`` x ``height``
    pixels, shrunk to fit a narrower output; setting its ``value`` draws the new picture.

    Example:
        >>> import numpy as np
        >>> picture = picture_widget(encode_image(np.zeros((34, 80, 4), np.uint8), fmt="jpeg"), fmt="jpeg",
        ...                          width=80, height=34)
        >>> bytes(picture.value[:2]).hex(), picture.format, picture.width
        ('ffd8', 'jpeg', 80)
    """
    if fmt not in MIME_TYPES:
        raise ValueError(f"fmt must be one of {', '.join(map(repr, MIME_TYPES))}, got {fmt!r}")
    return _picture_class()(value=value, format=MIME_TYPES[fmt].split("/")[1], width=int(width), height=int(height))
