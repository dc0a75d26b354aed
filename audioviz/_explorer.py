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
