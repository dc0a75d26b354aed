"""How an explorer's figure lives under each notebook backend, and how its picture leaves it.

With ipympl (``%matplotlib widget``) the figure comes from pyplot and its canvas is itself an
ipywidget that sends the browser what it draws. With any other backend (the default inline one,
tests, static pages) the figure gets a plain Agg canvas that pyplot never sees; the explorer then
sends the picture itself, encoded by :func:`encode_image` at the size it is shown, to a
:func:`picture_widget` that draws it on a canvas.
"""
from __future__ import annotations

import contextlib
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


_plain = False  # set by plain_figures()


@contextlib.contextmanager
def plain_figures():
    """Within the block, :func:`new_figure` gives plain Agg figures even under ipympl: the shadow
    that pictures are drawn ahead on (``widgets/_ahead.py``) is never shown, and an ipympl canvas
    of its own would be one more widget sending pictures to a page that has no view of it. Agg
    is what ipympl draws with, so the pixels are the same."""
    global _plain
    before, _plain = _plain, True
    try:
        yield
    finally:
        _plain = before


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
    if ipympl_active() and not _plain:
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
# 8-25 ms here, 30-34 ms with the Image. Where ImageDecoder is missing createImageBitmap is used.
# A picture whose decoding ends after a newer one's is dropped: a burst never paints out of order.
#
# Pictures drawn ahead (widgets/_ahead.py): the kernel sends the pictures of the settings one
# arrow key away as custom messages {ahead: key, readout: html} with the JPEG as buffer; its own
# step's picture comes with its key in the `key` trait. The model keeps the last `capacity` of
# them, decoded to ImageBitmaps, under their key: the controls' indices and numbers, read from the
# controls' own models. When a control's model changes in the page (a key press on its slider)
# and the new settings' picture is held, every view paints it at once and the readout's model
# shows its readout (set in the page only; the kernel sends the same text after its step). The
# kernel's picture of a step the page has already moved beyond is then not painted over it.
#
# With ipympl (the `target` trait holds its canvas widget) ipympl sends and paints the kernel's
# pictures itself, and this model only holds the pictures drawn ahead (lossless PNGs of the same
# Agg pixels). One is painted on a canvas laid over ipympl's in each of its views (above its
# picture, below its rubber band and the layer that takes the mouse), and hidden again once
# ipympl has painted the kernel's picture of the settings the page shows (the `key` trait, sent
# right after that picture): from then on ipympl's own canvas is what the learner sees. A pointer
# or key in the figure (zoom, pan, its toolbar) hides it too and drops what is held.
_PICTURE_ESM = """
const shared = new WeakMap();

async function decode(bytes, type) {
  if (typeof ImageDecoder !== "undefined") {
    const decoder = new ImageDecoder({ data: bytes, type: type });
    try {
      const frame = (await decoder.decode()).image;
      try { return await createImageBitmap(frame); } finally { frame.close(); }
    } finally { decoder.close(); }
  }
  return await createImageBitmap(new Blob([bytes], { type: type }));
}

function asBytes(value) {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

function setup(model) {
  const state = {
    cache: new Map(), views: new Set(), controls: [], kinds: [], readout: null,
    shown: null, latest: 0, settingReadout: false, target: null, overlays: new Map(), overlaid: false,
  };
  shared.set(model, state);
  const manager = model.widget_manager;
  const id = (ref) => String(ref).replace(/^IPY_MODEL_/, "");
  const hello = () => {
    try {
      model.send({ hello: true });  // this page holds nothing drawn ahead (now)
    } catch (error) {
      // no kernel behind this page (a static export): nothing is drawn ahead for it
    }
  };
  // to 12 significant digits, as the kernel's keys (a float slider's key gives 50.00000000000001)
  const keyString = (list) => JSON.stringify((list || []).map((v) => Number(Number(v).toPrecision(12))));
  const type = () => "image/" + model.get("format");
  state.current = () => state.controls.length
    ? keyString(state.controls.map((control, i) => control.get(state.kinds[i]))) : null;

  function remember(key, bytes, readout) {
    const old = state.cache.get(key);
    if (old) state.cache.delete(key);
    const entry = { bitmap: null, readout: readout };
    entry.ready = decode(bytes, type()).then((bitmap) => { entry.bitmap = bitmap; return bitmap; });
    state.cache.set(key, entry);
    const capacity = model.get("capacity") || 1;
    while (state.cache.size > capacity) {
      const [oldest, gone] = state.cache.entries().next().value;
      state.cache.delete(oldest);
      gone.ready.then((bitmap) => bitmap.close(), () => {});
    }
    return entry;
  }

  // The readout always describes the picture shown: it is set with every paint.
  function paint(key, entry, source) {
    state.shown = key;
    state.shownFrom = source;
    state.shownEntry = entry;
    for (const view of state.views) view(entry.bitmap, key, source);
    showReadout(entry);
  }

  function showReadout(entry) {
    if (!state.readout || entry.readout == null || state.readout.get("value") === entry.readout) return;
    state.settingReadout = true;
    try { state.readout.set("value", entry.readout); } finally { state.settingReadout = false; }
  }

  function onControl() {
    const key = state.current();
    const entry = state.cache.get(key);
    if (!entry) return;  // not held: the kernel's picture will come
    const show = () => {
      if (state.current() !== key || (state.target && !fits(entry.bitmap))) return;
      paint(key, entry, "ahead");
    };
    if (entry.bitmap) show(); else entry.ready.then(show, () => {});
  }

  function dropAll() {
    for (const entry of state.cache.values()) entry.ready.then((bitmap) => bitmap.close(), () => {});
    state.cache.clear();
    state.shown = null;
    state.shownEntry = null;
  }

  // -- ipympl: the overlays
  function findOverlays() {
    const target = state.target;
    if (!target) return;
    for (const promise of Object.values(target.views || {})) {
      Promise.resolve(promise).then((view) => {
        if (!view || state.overlays.has(view) || !view.canvas || !view.canvas.after) return;
        const overlay = document.createElement("canvas");
        overlay.className = "avz-picture avz-overlay";
        overlay.style.cssText = "position:absolute;left:0;top:0;z-index:0;display:none;pointer-events:none";
        view.canvas.after(overlay);
        state.overlays.set(view, overlay);
        // the learner works the figure itself (zoom, pan, toolbar, keys): ipympl's canvas is the truth
        const leave = () => { hideOverlays(); dropAll(); hello(); };
        for (const kind of ["pointerdown", "wheel", "keydown"]) (view.el || overlay.parentNode).addEventListener(kind, leave, true);
      }, () => {});
    }
  }

  // A picture the size of ipympl's own (after a resize or a new pixel ratio, the kernel's comes).
  function fits(bitmap) {
    const offscreen = state.target && state.target.offscreen_canvas;
    return !offscreen || (offscreen.width === bitmap.width && offscreen.height === bitmap.height);
  }

  function paintOverlays(bitmap, key, source) {
    findOverlays();
    for (const [view, overlay] of state.overlays) {
      if (!overlay.isConnected) { state.overlays.delete(view); continue; }
      if (overlay.width !== bitmap.width || overlay.height !== bitmap.height) {
        overlay.width = bitmap.width;
        overlay.height = bitmap.height;
      }
      const box = view.canvas.getBoundingClientRect();
      overlay.style.width = (view.canvas.style.width || box.width + "px");
      overlay.style.height = (view.canvas.style.height || box.height + "px");
      overlay.getContext("2d").drawImage(bitmap, 0, 0);
      overlay.dataset.avzKey = key || "";
      overlay.dataset.avzFrom = source || "";
      overlay.style.display = "block";
    }
    state.overlaid = true;
  }

  function hideOverlays() {
    for (const overlay of state.overlays.values()) overlay.style.display = "none";
    state.overlaid = false;
    state.shown = null;
    state.shownEntry = null;
  }

  // ipympl painted a picture: if the kernel has drawn the settings the page shows, that picture
  // is theirs, and the overlay (a picture drawn ahead, the same pixels or an older setting's) goes.
  function caughtUp() {
    if (!state.overlaid || keyString(model.get("key")) !== state.current()) return;
    hideOverlays();
    const readout = model.get("readout");
    if (readout) showReadout({ readout: readout });
  }

  state.findOverlays = findOverlays;

  function watchTarget(target) {
    state.target = target;
    state.views.add(paintOverlays);
    // ipympl paints each picture it receives when its <img> has loaded it
    const image = target.image;
    if (image && image.addEventListener) image.addEventListener("load", () => setTimeout(caughtUp, 0));
    model.on("change:key", () => {
      findOverlays();
      // where ipympl's <img> is not there to listen to (another ipympl), or sent nothing new
      setTimeout(caughtUp, image && image.addEventListener ? 1000 : 150);
    });
    findOverlays();
    setTimeout(findOverlays, 0);
  }

  function onKernelPicture() {
    const value = model.get("value");
    if (!value || !value.byteLength) return;
    const ticket = ++state.latest;
    const key = keyString(model.get("key"));
    const entry = remember(key, asBytes(value), model.get("readout"));
    entry.ready.then(() => {
      if (ticket !== state.latest) return;  // a newer picture came meanwhile
      const now = state.current();
      if (now !== null && now !== key && state.shown === now) return;  // the page already shows a newer setting
      if (state.shown === key && state.shownFrom === "ahead") {  // the same picture is painted already
        state.shownFrom = "kernel";
        return;
      }
      paint(key, entry, "kernel");
    }, () => {});
  }

  function onReadout() {
    // A readout from the kernel that is not the one of the picture shown (the kernel's readout
    // of a step the page has moved beyond): the readout of what is shown stays.
    if (!state.settingReadout && state.shownEntry) showReadout(state.shownEntry);
  }

  model.on("change:value", onKernelPicture);
  model.on("change:readout", () => {
    // a step whose picture came out byte for byte the same sends only its key and readout
    const entry = state.cache.get(keyString(model.get("key")));
    if (entry) entry.readout = model.get("readout");
    if (entry && entry === state.shownEntry) showReadout(entry);
  });
  model.on("msg:custom", (message, buffers) => {
    if (message && message.forget) {
      if (state.overlaid) hideOverlays();
      dropAll();
    } else if (message && message.ahead && buffers && buffers.length) {
      const buffer = buffers[0];
      remember(keyString(message.ahead), new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
               message.readout);
    }
  });
  const ids = model.get("controls") || [];
  const targetRef = model.get("target");
  if (targetRef && manager && manager.get_model) {
    manager.get_model(id(targetRef)).then(watchTarget, () => {});
  }
  if (ids.length && manager && manager.get_model) {
    Promise.all(ids.map((ref) => manager.get_model(id(ref)))).then(async (controls) => {
      state.controls = controls;
      state.kinds = model.get("kinds");
      controls.forEach((control, i) => control.on("change:" + state.kinds[i], onControl));
      const readout = model.get("readout_widget");
      if (readout) {
        state.readout = await manager.get_model(id(readout));
        state.readout.on("change:value", onReadout);
      }
      hello();
    }, () => {});
  }
  onKernelPicture();
  return state;
}

export default {
  initialize({ model }) {
    setup(model);
  },
  render({ model, el }) {
    const state = shared.get(model) || setup(model);
    if (model.get("target")) {  // ipympl: its views are painted over; this view shows nothing
      setTimeout(state.findOverlays, 0);  // ipympl's view is being rendered beside this one
      return;
    }
    const canvas = document.createElement("canvas");
    canvas.className = "avz-picture";
    canvas.width = model.get("width");
    canvas.height = model.get("height");
    canvas.style.cssText = "display:block;max-width:100%;height:auto;width:" + canvas.width + "px";
    el.appendChild(canvas);
    const context = canvas.getContext("2d");
    const view = (image, key, source) => {
      canvas.dataset.avzKey = key || "";
      canvas.dataset.avzFrom = source || "";
      if (canvas.width !== image.width || canvas.height !== image.height) {
        canvas.width = image.width;
        canvas.height = image.height;
        canvas.style.width = image.width + "px";
      }
      context.drawImage(image, 0, 0);
    };
    state.views.add(view);
    const shown = state.shown !== null ? state.cache.get(state.shown) : null;
    if (shown) shown.ready.then((bitmap) => view(bitmap, state.shown, state.shownFrom), () => {});
    return () => state.views.delete(view);
  },
};
"""


@functools.cache
def _picture_class():
    import anywidget
    import ipywidgets
    import traitlets
    from ipywidgets.widgets.trait_types import bytes_serialization
    from ipywidgets.widgets.widget import widget_serialization

    class Picture(anywidget.AnyWidget):
        """An encoded picture (JPEG, PNG or WebP bytes) drawn on a canvas of ``width`` x
        ``height`` pixels; setting :attr:`value` draws the new one."""

        _esm = _PICTURE_ESM
        value = traitlets.Bytes(b"").tag(sync=True, **bytes_serialization)
        format = traitlets.Unicode("jpeg").tag(sync=True)
        width = traitlets.Int(0).tag(sync=True)
        height = traitlets.Int(0).tag(sync=True)
        # Drawing ahead (widgets/_ahead.py): the controls whose settings key the pictures, the
        # attribute each keeps its setting in, the readout widget, the key and readout of
        # `value`, and how many pictures the page keeps.
        controls = traitlets.List(traitlets.Instance(ipywidgets.Widget)).tag(sync=True, **widget_serialization)
        kinds = traitlets.List(traitlets.Unicode()).tag(sync=True)
        readout_widget = traitlets.Instance(ipywidgets.Widget, allow_none=True).tag(sync=True,
                                                                                    **widget_serialization)
        key = traitlets.List().tag(sync=True)
        readout = traitlets.Unicode("").tag(sync=True)
        capacity = traitlets.Int(1).tag(sync=True)
        # ipympl: its canvas widget, whose views the pictures drawn ahead are painted over
        target = traitlets.Instance(ipywidgets.Widget, allow_none=True).tag(sync=True, **widget_serialization)

    return Picture


def picture_widget(value: bytes, *, fmt: str, width: int, height: int, controls: dict | None = None,
                   readout_widget=None, key=(), readout: str = "", target=None):
    """The widget the inline backend shows an explorer's picture in: ``value`` (bytes of format
    ``fmt``, ``"jpeg"``, ``"png"`` or ``"webp"``) drawn on a canvas of ``width`` x ``height``
    pixels, shrunk to fit a narrower output; setting its ``value`` draws the new picture.

    With ``controls`` (name -> control) the page keeps the pictures drawn ahead for it
    (``widgets/_ahead.py``), keyed by those controls' settings; ``key`` and ``readout`` are the
    key and readout text of ``value``, ``readout_widget`` the widget that shows the readout.
    With ``target`` (an ipympl canvas, which shows the kernel's pictures itself) the widget shows
    nothing of its own: the pictures drawn ahead are painted over that canvas's views.

    Example:
        >>> import numpy as np
        >>> picture = picture_widget(encode_image(np.zeros((34, 80, 4), np.uint8), fmt="jpeg"), fmt="jpeg",
        ...                          width=80, height=34)
        >>> bytes(picture.value[:2]).hex(), picture.format, picture.width
        ('ffd8', 'jpeg', 80)
    """
    if fmt not in MIME_TYPES:
        raise ValueError(f"fmt must be one of {', '.join(map(repr, MIME_TYPES))}, got {fmt!r}")
    extra = {}
    if controls:
        from ._ahead import Ahead, control_kind

        extra = dict(controls=list(controls.values()), kinds=[control_kind(c) for c in controls.values()],
                     readout_widget=readout_widget, key=list(key), readout=readout, capacity=Ahead.capacity)
    return _picture_class()(value=value, format=MIME_TYPES[fmt].split("/")[1], width=int(width), height=int(height),
                            target=target, **extra)
