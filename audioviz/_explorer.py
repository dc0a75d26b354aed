"""Private helpers for the slider explorers of :mod:`audioviz.widgets`.

How a figure is made so that it works with both notebook backends (ipympl's ``widget`` backend and
the default inline one), how the picture on an Agg canvas becomes image bytes without drawing it a
second time, how control values set from code are checked, and how a callback error becomes text
a learner can read in the widget.
"""
from __future__ import annotations

import html
import io
import numbers
import traceback

import matplotlib
import numpy as np

#: Backend names under which the figure's canvas is itself a widget (ipympl).
_WIDGET_BACKENDS = ("module://ipympl.backend_nbagg", "widget", "ipympl")


def ipympl_active() -> bool:
    """True when matplotlib's backend is ipympl, whose canvas is an ipywidget."""
    return str(matplotlib.get_backend()).lower() in _WIDGET_BACKENDS


def new_figure(figsize, *, layout: str | None = "constrained"):
    """A figure for an explorer, never shown by pyplot on its own.

    With ipympl the figure must come from pyplot (its canvas is the widget), made inside
    ``plt.ioff()`` so it does not appear a second time. With any other backend the figure gets a
    plain Agg canvas and is not registered with pyplot: the inline backend would otherwise paste
    a stale copy under the cell, and tests would leak figures.
    """
    if ipympl_active():
        import matplotlib.pyplot as plt

        with plt.ioff():
            figure = plt.figure(figsize=figsize, layout=layout)
        return figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def canvas_is_widget(figure) -> bool:
    """True when the figure's canvas can be placed in an ipywidgets layout (ipympl)."""
    import ipywidgets

    return isinstance(figure.canvas, ipywidgets.DOMWidget)


def rendered_rgba(figure) -> np.ndarray:
    """The picture the figure's Agg canvas holds now, as a ``(height, width, 4)`` uint8 array.

    Draws only if the canvas has never been drawn; after ``draw_idle`` on Agg the buffer is
    already the new picture.
    """
    canvas = figure.canvas
    if getattr(canvas, "renderer", None) is None or not hasattr(canvas, "buffer_rgba"):
        canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def encode_image(rgba: np.ndarray, *, fmt: str = "png", quality: int = 80) -> bytes:
    """Encode an RGBA picture as PNG (lossless, fast settings), WebP or JPEG bytes."""
    from PIL import Image

    picture = Image.fromarray(np.ascontiguousarray(rgba), mode="RGBA")
    buffer = io.BytesIO()
    if fmt == "png":
        picture.save(buffer, format="PNG", compress_level=1)
    elif fmt == "png8":
        # 256-colour palette: text stays sharp and a spectrogram loses little.
        picture.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            buffer, format="PNG", optimize=True
        )
    elif fmt == "webp":
        picture.convert("RGB").save(buffer, format="WEBP", quality=quality, method=4)
    elif fmt == "jpeg":
        picture.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True)
    else:  # pragma: no cover - callers check the name first
        raise ValueError(f"fmt must be 'png', 'png8', 'webp' or 'jpeg', got {fmt!r}")
    return buffer.getvalue()


MIME_TYPES = {"png": "image/png", "png8": "image/png", "webp": "image/webp", "jpeg": "image/jpeg"}


def describe_options(control) -> str:
    """The values a control accepts, in words (for error messages)."""
    options = getattr(control, "options", None)
    if options is not None:
        return "one of " + ", ".join(repr(_option_value(o)) for o in options)
    return f"a number from {control.min} to {control.max}"


def _option_value(option):
    # ipywidgets options are either values or (label, value) pairs.
    if isinstance(option, tuple) and len(option) == 2:
        return option[1]
    return option


def option_values(control) -> list:
    return [_option_value(o) for o in control.options]


def coerce_value(name: str, control, value):
    """Check ``value`` for ``control`` named ``name``.

    Returns ``(value, note)``: a number outside a slider's range is clamped into it and ``note``
    says so; a value a selection control does not offer is a ValueError naming the parameter.
    """
    if hasattr(control, "options"):
        values = option_values(control)
        if value in values:
            return value, None
        # 1024.0 for an option 1024 is the same choice.
        for candidate in values:
            if isinstance(value, numbers.Number) and isinstance(candidate, numbers.Number) and value == candidate:
                return candidate, None
        raise ValueError(f"{name} must be {describe_options(control)}; got {value!r}")
    if hasattr(control, "min") and hasattr(control, "max"):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise TypeError(f"{name} must be a number from {control.min} to {control.max}; got {value!r}")
        clamped = min(max(value, control.min), control.max)
        note = None
        if clamped != value:
            note = f"{name}={value!r} is outside {control.min}..{control.max}; clamped to {clamped!r}"
        return clamped, note
    return value, None


def error_html(exc: BaseException) -> str:
    """One readable line for the status area of a widget."""
    return (
        '<span style="color:#b00020"><b>Error:</b> '
        f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>"
    )


def note_html(text: str) -> str:
    return f'<span style="color:#8a5a00">{html.escape(text)}</span>'


def format_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))



def can_blit(figure) -> bool:
    """True for a plain Agg canvas (inline backend, tests, static pages): its buffer can be patched."""
    canvas = figure.canvas
    return not canvas_is_widget(figure) and hasattr(canvas, "copy_from_bbox") and hasattr(canvas, "restore_region") \
        and hasattr(canvas, "buffer_rgba")


def content_artists(ax) -> list:
    """What an Axes shows inside its frame (images, collections, lines, patches, texts), in
    drawing order. Ticks, labels, title and spines are its decoration."""
    artists = [*ax.images, *ax.collections, *ax.lines, *ax.patches, *ax.texts]
    return sorted((a for a in artists if a.get_visible()), key=lambda a: a.get_zorder())


def _ticks(axis) -> tuple:
    locations = tuple(float(v) for v in axis.get_majorticklocs())
    return locations, tuple(axis.major.formatter.format_ticks(list(locations)))


def decoration_signature(ax) -> tuple:
    """Everything that decides how an Axes' frame, ticks and labels look (box in pixels, limits,
    scales, tick positions and texts, labels, title). While it stays the same only the content
    inside the frame needs drawing again."""
    return (
        tuple(ax.bbox.bounds), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
        _ticks(ax.xaxis), _ticks(ax.yaxis), ax.get_xlabel(), ax.get_ylabel(), ax.get_title(),
        ax.get_title("left"), ax.get_title("right"), len(ax.child_axes), ax.get_visible(),
    )


def _frame_box(ax):
    """The Axes box grown to whole pixels plus a margin: it holds the spines' antialiased edges
    and markers drawn just outside the frame. Whole pixels matter: a region copied or restored
    with fractional edges would leave a column drawn twice at every step."""
    from matplotlib.transforms import Bbox

    box = ax.bbox
    margin = 6
    return Bbox.from_extents(np.floor(box.x0) - margin, np.floor(box.y0) - margin,
                             np.ceil(box.x1) + margin, np.ceil(box.y1) + margin)


def _draw_content(ax, renderer) -> None:
    for artist in content_artists(ax):
        artist.draw(renderer)
    for spine in ax.spines.values():
        if spine.get_visible():
            spine.draw(renderer)


class Blitter:
    """Redraws only the inside of chosen Axes on an Agg canvas, when their decoration holds.

    A full draw renders the figure without the content of the tracked Axes, keeps a copy of each
    one's frame region (the background: face colour, spines, nothing inside), then draws the
    content on top. A later step restores the background, draws the content and spines again and
    blits the region: the same operations in the same order, so every step gives exactly the
    picture a full draw of the explorer gives, at the cost of the images alone. (Only the
    antialiased edge pixels of the spines, drawn twice, differ from a plain ``canvas.draw()``.)
    """

    def __init__(self, figure):
        self.figure = figure
        self.axes: list = []
        self._backgrounds: dict = {}

    def track(self, axes) -> None:
        for ax in axes:
            if ax not in self.axes:
                self.axes.append(ax)

    def can_step(self, axes) -> bool:
        # Every tracked Axes must hold its decoration: a neighbour may be redrawn with ``axes``.
        return all(ax in self._backgrounds for ax in axes) and all(
            self._backgrounds[ax][0] == decoration_signature(ax) for ax in self.axes if ax in self._backgrounds)

    def full_draw(self) -> None:
        canvas = self.figure.canvas
        hidden = [a for ax in self.axes for a in content_artists(ax) if not a.get_animated()]
        for artist in hidden:
            artist.set_animated(True)
        try:
            canvas.draw()
        finally:
            for artist in hidden:
                artist.set_animated(False)
        renderer = canvas.get_renderer()
        # Every background first, then every content: regions may overlap.
        self._backgrounds = {ax: (decoration_signature(ax), canvas.copy_from_bbox(_frame_box(ax))) for ax in self.axes}
        for ax in self.axes:
            _draw_content(ax, renderer)

    def step(self, axes) -> None:
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        # Restoring one region must not erase the content of a neighbour whose region overlaps it
        # (a colorbar next to its image): such neighbours are redrawn too.
        todo = [ax for ax in self.axes if ax in axes]
        grown = True
        while grown:
            grown = False
            for ax in self.axes:
                if ax not in todo and any(_frame_box(ax).overlaps(_frame_box(other)) for other in todo):
                    todo.append(ax)
                    grown = True
        todo = [ax for ax in self.axes if ax in todo]
        for ax in todo:
            canvas.restore_region(self._backgrounds[ax][1])
        for ax in todo:
            _draw_content(ax, renderer)
        for ax in todo:
            canvas.blit(_frame_box(ax))
