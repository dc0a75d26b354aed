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
    margin = 4
    return Bbox.from_extents(np.floor(box.x0) - margin, np.floor(box.y0) - margin,
                             np.ceil(box.x1) + margin, np.ceil(box.y1) + margin)


def _draw_content(ax, renderer) -> None:
    for artist in content_artists(ax):
        artist.draw(renderer)
    for spine in ax.spines.values():
        if spine.get_visible():
            spine.draw(renderer)


def _whole_pixels(box, margin: float):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(np.floor(box.x0) - margin, np.floor(box.y0) - margin,
                             np.ceil(box.x1) + margin, np.ceil(box.y1) + margin)


def _decorated_region(ax, renderer):
    """Everything an Axes draws (frame, ticks, labels, title, colorbar label), in whole pixels."""
    from matplotlib.transforms import Bbox

    return Bbox.union([_whole_pixels(ax.get_tightbbox(renderer), 1), _frame_box(ax)])


class Blitter:
    """Redraws only the Axes that changed on an Agg canvas, and inside them only what changed.

    A full draw renders the figure without the content of the tracked Axes, keeps a copy of each
    one's frame region (the background: face colour, spines, nothing inside), then draws the
    content on top. A later step restores the background, draws the content and spines again and
    blits the region: the same operations in the same order, so every step gives exactly the
    picture a full draw of the explorer gives, at the cost of the images alone. (Only the
    antialiased edge pixels of the spines, drawn twice, differ from a plain ``canvas.draw()``.)

    When the ticks or labels of an Axes change too (a colorbar's range) but its box does not, and
    its decorated region overlaps no other Axes, that region is painted with the figure colour
    and the Axes drawn again there, the way the full draw would; anything else is a full draw.
    """

    def __init__(self, figure):
        self.figure = figure
        self.axes: list = []
        self._backgrounds: dict = {}
        self._regions: dict = {}

    def track(self, axes) -> None:
        for ax in axes:
            if ax not in self.axes:
                self.axes.append(ax)

    def _hidden_content(self, axes):
        hidden = [a for ax in axes for a in content_artists(ax) if not a.get_animated()]
        for artist in hidden:
            artist.set_animated(True)
        return hidden

    def full_draw(self) -> None:
        canvas = self.figure.canvas
        hidden = self._hidden_content(self.axes)
        try:
            canvas.draw()
        finally:
            for artist in hidden:
                artist.set_animated(False)
        renderer = canvas.get_renderer()
        # Every background first, then every content: regions may overlap.
        self._backgrounds = {ax: (decoration_signature(ax), canvas.copy_from_bbox(_frame_box(ax))) for ax in self.axes}
        self._regions = {ax: _decorated_region(ax, renderer) for ax in self.axes}
        for ax in self.axes:
            _draw_content(ax, renderer)

    def _redecorable(self, axes) -> dict | None:
        """The Axes whose decoration changed, with the region each draws in now, if each can be
        redrawn alone; else None."""
        from matplotlib.transforms import Bbox

        if not all(ax in self._backgrounds for ax in axes) or set(self.figure.axes) - set(self.axes):
            return None
        changed = [ax for ax in self.axes if self._backgrounds[ax][0] != decoration_signature(ax)]
        if not changed:
            return {}
        figure = self.figure
        if figure.texts or figure.legends or getattr(figure, "_suptitle", None) is not None \
                or getattr(figure, "_supxlabel", None) is not None or getattr(figure, "_supylabel", None) is not None:
            return None
        renderer = figure.canvas.get_renderer()
        regions = {}
        for ax in changed:
            if ax not in axes or self._backgrounds[ax][0][0] != tuple(ax.bbox.bounds):
                return None  # not marked stale, or moved: draw everything
            regions[ax] = _decorated_region(ax, renderer)
            region = Bbox.union([regions[ax], self._regions[ax]])
            inside = figure.bbox
            if region.x0 < 0 or region.y0 < 0 or region.x1 > inside.width or region.y1 > inside.height:
                return None
            for other in self.axes:
                if other is not ax and (region.overlaps(self._regions[other]) or region.overlaps(_frame_box(other))):
                    return None
        return regions

    def step(self, axes) -> bool:
        """Redraw ``axes`` without a full draw; False when only a full draw can be right."""
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import Bbox, IdentityTransform

        changed = self._redecorable(axes)
        if changed is None:
            return False
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        painted = []
        for ax, now in changed.items():
            # Paint the old and new extent of this Axes, draw its frame, ticks and labels as the
            # full draw does (content hidden), keep that as its new background.
            region = Bbox.union([now, self._regions[ax]])
            patch = Rectangle((region.x0, region.y0), region.width, region.height, transform=IdentityTransform(),
                              facecolor=self.figure.get_facecolor(), edgecolor="none", linewidth=0,
                              antialiased=False)
            patch.set_figure(self.figure)
            patch.draw(renderer)
            hidden = self._hidden_content([ax])
            try:
                ax.draw(renderer)
            finally:
                for artist in hidden:
                    artist.set_animated(False)
            self._backgrounds[ax] = (decoration_signature(ax), canvas.copy_from_bbox(_frame_box(ax)))
            self._regions[ax] = now
            painted.append(region)
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
        for box in painted + [_frame_box(ax) for ax in todo]:
            canvas.blit(box)
        return True
