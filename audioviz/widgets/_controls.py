"""The controls of the explorers: how they are made, how a value set from code is checked, and
how a callback error or a note becomes a line a learner can read in the widget."""
from __future__ import annotations

import html
import numbers
import traceback

import numpy as np

_DESCRIPTION_STYLE = {"description_width": "7em"}
_CONTROL_LAYOUT = {"width": "24em"}


def slider(kind: str, description: str, **kwargs):
    """An ipywidgets slider (``"IntSlider"``, ``"FloatSlider"``, ``"SelectionSlider"``) in the
    explorers' look. It reports a value when released (or per arrow key), not while dragged."""
    import ipywidgets

    return getattr(ipywidgets, kind)(description=description, style=dict(_DESCRIPTION_STYLE),
                                     layout=dict(_CONTROL_LAYOUT), continuous_update=False, **kwargs)


def dropdown(description: str, options, value):
    """An ipywidgets Dropdown in the explorers' look."""
    import ipywidgets

    return ipywidgets.Dropdown(description=description, options=list(options), value=value,
                               style=dict(_DESCRIPTION_STYLE), layout=dict(_CONTROL_LAYOUT))


def _option_value(option):
    # ipywidgets options are either values or (label, value) pairs.
    if isinstance(option, tuple) and len(option) == 2:
        return option[1]
    return option


def option_values(control) -> list:
    """The values a selection control offers."""
    return [_option_value(o) for o in control.options]


def describe_options(control) -> str:
    """The values a control accepts, in words (for error messages)."""
    if getattr(control, "options", None) is not None:
        return "one of " + ", ".join(repr(v) for v in option_values(control))
    return f"a number from {control.min} to {control.max}"


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
    """A note (not an error) for the status area, escaped."""
    return f'<span style="color:#8a5a00">{html.escape(text)}</span>'


def format_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
