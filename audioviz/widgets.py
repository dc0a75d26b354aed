"""Slider explorers: change a parameter and see at once what it does.

:class:`SpectrogramExplorer` and :class:`MelExplorer` are live ipywidgets explorers for notebooks.
Both build their figure once and, on a control change, recompute only what changed and update the
drawn artists in place. :class:`Explorer` is the base they share, meant for subclassing (the
classifier's feature-map explorer is one). :meth:`Explorer.static` freezes any explorer into a
:class:`StaticSliders` page whose sliders keep working where no Python runs: a saved HTML file,
the tutorial site, a notebook opened without a kernel.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from pathlib import Path

import numpy as np

from . import _explorer, _static

__all__ = ["Explorer", "StaticSliders"]


class Explorer:
    """Base class of the slider explorers: controls, one figure, in-place updates.

    An explorer owns a dict of ipywidgets controls, one matplotlib figure drawn once, and the
    artists on it. When a control changes, the explorer calls :meth:`_update` with the names of the
    controls that changed; the subclass recomputes only what depends on them and updates its
    artists in place (``set_data``, ``set_extent``, ``set_clim``, ...). The base then calls
    ``figure.canvas.draw_idle()`` and, with the inline backend, sends the new picture to the
    notebook as a PNG. An exception in that path never vanishes into a log: it is shown in red in
    the widget's status line, its traceback goes to :attr:`output`, and :attr:`error` holds it.

    Subclassing contract:
        1. ``_make_controls(self) -> dict``: return the controls, ``{parameter name: ipywidgets
           ValueWidget}`` (sliders, dropdowns, ...). Called once by ``__init__``; the keys become
           :attr:`controls` and the names :meth:`static` and :meth:`set` accept.
        2. ``_draw(self, figure)``: draw the first picture for :attr:`params` on ``figure``
           (through :mod:`audioviz.display`), keep handles to the artists and set
           :attr:`image` to the main one.
        3. ``_update(self, changed: frozenset[str])``: recompute what depends on ``changed`` and
           update the artists in place. Never create a new figure; do not call ``draw``.
        4. Optional ``_coerce(self, changed) -> None``: keep controls consistent with each other
           (for example lower ``win_length`` when ``n_fft`` falls below it). Runs before
           ``_update``; any control it changes is added to ``changed``.
        5. Optional ``_readout(self) -> str``: HTML shown under the controls (for example the
           resolution the settings give); refreshed after every update.
        6. Optional ``_extra_widgets(self) -> list``: more widgets for the side panel (an audio
           player). Optional class attribute ``figsize``.

        Call ``super().__init__()`` at the end of the subclass's ``__init__``, once the data the
        drawing needs is stored.

    Attributes:
        controls: dict of the control widgets by parameter name. Setting
            ``explorer.controls["n_fft"].value = 1024`` updates the figure (no browser needed).
        figure: the :class:`matplotlib.figure.Figure`, built once.
        image: the main artist (usually an :class:`~matplotlib.image.AxesImage`).
        output: an :class:`ipywidgets.Output` holding the traceback of the last callback error.
        status: an :class:`ipywidgets.HTML` line with the last error or note, empty when all is
            well.
        error: the last callback exception, or ``None`` after a successful update.

    Example:
        >>> import torch, audioviz
        >>> explorer = audioviz.SpectrogramExplorer(torch.randn(16000), 16000)
        >>> explorer.controls["n_fft"].value = 1024
        >>> explorer.image.get_array().shape
        (513, 126)
    """

    figsize = (8.0, 3.6)

    def __init__(self):
        import ipywidgets

        self._hold_depth = 0
        self._pending: set[str] = set()
        self._ready = False
        self._view = None
        self._picture = None
        self.error: BaseException | None = None
        self.output = ipywidgets.Output(layout={"max_height": "12em", "overflow": "auto"})
        self.status = ipywidgets.HTML(value="")
        self.controls = dict(self._make_controls())
        if not self.controls:
            raise ValueError(f"{type(self).__name__}._make_controls() returned no controls")
        self.figure = _explorer.new_figure(self.figsize)
        self.image = None
        self._draw(self.figure)
        self.readout = ipywidgets.HTML(value=self._readout())
        # The handler needs to know which parameter a widget stands for.
        self._names = {id(control): name for name, control in self.controls.items()}
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._ready = True

    # ------------------------------------------------------------------ subclass hooks
    def _make_controls(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self, figure) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, changed: frozenset) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _coerce(self, changed: frozenset) -> None:
        """Keep the controls consistent with each other. Default: nothing to do."""

    def _readout(self) -> str:
        return ""

    def _extra_widgets(self) -> list:
        return []

    # ------------------------------------------------------------------ state
    @property
    def params(self) -> dict:
        """The current value of every control, by parameter name."""
        return {name: control.value for name, control in self.controls.items()}

    @contextlib.contextmanager
    def hold(self):
        """Change several controls and update the figure once, on leaving the block.

        Example:
            >>> with explorer.hold():  # doctest: +SKIP
            ...     explorer.controls["n_fft"].value = 2048
            ...     explorer.controls["hop_length"].value = 256
        """
        self._hold_depth += 1
        try:
            yield self
        finally:
            self._hold_depth -= 1
            if self._hold_depth == 0 and self._pending:
                self._flush()

    def set(self, **params) -> "Explorer":
        """Set several controls from code and update the figure once.

        A number outside a slider's range is clamped into it (the status line says so); a value a
        dropdown does not offer, or an unknown parameter name, is a ValueError, also shown in the
        widget.

        Returns:
            ``self``, so calls can be chained.

        Raises:
            ValueError: unknown parameter name or a value the control does not offer.
        """
        notes = []
        try:
            checked = {}
            for name, value in params.items():
                control = self._control(name)
                checked[name], note = _explorer.coerce_value(name, control, value)
                if note:
                    notes.append(note)
        except (TypeError, ValueError) as exc:
            self._show_error(exc)
            raise
        with self.hold():
            for name, value in checked.items():
                self.controls[name].value = value
        if notes and self.error is None:
            self.status.value = _explorer.note_html("; ".join(notes))
        return self

    def _control(self, name):
        if name not in self.controls:
            raise ValueError(
                f"unknown parameter {name!r} for {type(self).__name__}; expected one of {', '.join(self.controls)}"
            )
        return self.controls[name]

    # ------------------------------------------------------------------ the update path
    def _on_change(self, change) -> None:
        if not self._ready:
            return
        self._pending.add(self._names[id(change["owner"])])
        if self._hold_depth == 0:
            self._flush()

    def _flush(self) -> None:
        self._hold_depth += 1
        try:
            # Controls that _coerce adjusts land in _pending through _on_change.
            self._coerce(frozenset(self._pending))
            changed = frozenset(self._pending)
            self._pending.clear()
            self._update(changed)
            self.readout.value = self._readout()
            self.refresh()
        except Exception as exc:  # shown to the learner, see _show_error
            self._pending.clear()
            self._show_error(exc)
        else:
            self.error = None
            self.status.value = ""
        finally:
            self._hold_depth -= 1

    def refresh(self) -> None:
        """Redraw the canvas (``draw_idle``) and, with the inline backend, send the new picture."""
        self.figure.canvas.draw_idle()
        if self._picture is not None:
            self._picture.value = self.to_png()

    def _show_error(self, exc: BaseException) -> None:
        self.error = exc
        self.status.value = _explorer.error_html(exc)
        self.output.outputs = ()
        self.output.append_stderr(_explorer.format_traceback(exc))

    # ------------------------------------------------------------------ pictures
    def to_rgba(self) -> np.ndarray:
        """The current picture as a ``(height, width, 4)`` uint8 array (drawn on the Agg canvas)."""
        return _explorer.rendered_rgba(self.figure)

    def to_png(self) -> bytes:
        """The current picture as PNG bytes."""
        if _explorer.canvas_is_widget(self.figure):
            import io

            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png")
            return buffer.getvalue()
        return _explorer.encode_image(self.to_rgba(), fmt="png")

    def static(self, *, fmt: str = "auto", dpi: float | None = None, **grid) -> "StaticSliders":
        """Freeze the explorer into slider pages that work without Python.

        Every combination of the given values is drawn once, by this explorer's own update path,
        and stored in a :class:`StaticSliders`; its sliders swap the pre-rendered frames with a
        few lines of plain JavaScript. The explorer's controls are restored afterwards. The
        controls' own rules still apply to each frame (for example ``win_length`` is kept
        ``<= n_fft``).

        Args:
            fmt: picture format: ``"png"`` (lossless), ``"png8"`` (256 colours), ``"webp"``,
                ``"jpeg"`` or ``"auto"`` (``"webp"``: the smallest that keeps text legible).
            dpi: resolution of the frames. Default: the figure's own.
            **grid: parameter name -> list of values, in slider order. Any control of this
                explorer may appear, e.g. ``n_fft=[256, 512, 1024], hop_length=[64, 128]``.

        Returns:
            A :class:`StaticSliders` with ``prod(len(values))`` cells.

        Raises:
            ValueError: empty grid, unknown parameter, empty list of values or a value the
                control does not offer.
        """
        fmt = "webp" if fmt == "auto" else fmt
        if fmt not in _explorer.MIME_TYPES:
            raise ValueError(f"fmt must be 'auto', 'png', 'png8', 'webp' or 'jpeg'; got {fmt!r}")
        if not grid:
            raise ValueError(
                f"static() needs at least one parameter with a list of values, e.g. "
                f"static({next(iter(self.controls))}=[...]); known parameters: {', '.join(self.controls)}"
            )
        names = list(grid)
        values = []
        for name, vals in grid.items():
            control = self._control(name)
            if isinstance(vals, (str, bytes)) or not hasattr(vals, "__iter__"):
                raise ValueError(f"{name} must be a list of values for the slider, got {vals!r}")
            vals = list(vals)
            if not vals:
                raise ValueError(f"{name} has an empty list of values; give at least one")
            checked = []
            for value in vals:
                value, note = _explorer.coerce_value(name, control, value)
                if note:
                    raise ValueError(note.replace("clamped to", "expected a value inside that range, not"))
                checked.append(value)
            values.append(checked)

        saved = self.params
        old_dpi = self.figure.dpi
        frames: list[bytes] = []
        seen: dict[bytes, int] = {}
        index: list[int] = []
        try:
            if dpi is not None:
                self.figure.set_dpi(dpi)
            for combo in itertools.product(*values):
                with self.hold():
                    for name, value in zip(names, combo):
                        self.controls[name].value = value
                    # A cell equal to the current state would not fire; draw it anyway.
                    self._pending.update(names)
                if self.error is not None:
                    raise RuntimeError(
                        f"drawing the frame {dict(zip(names, combo))} failed: {self.error}"
                    ) from self.error
                self.figure.canvas.draw()
                picture = _explorer.encode_image(np.asarray(self.figure.canvas.buffer_rgba()), fmt=fmt)
                if picture not in seen:
                    seen[picture] = len(frames)
                    frames.append(picture)
                index.append(seen[picture])
        finally:
            self.figure.set_dpi(old_dpi)
            with self.hold():
                for name, value in saved.items():
                    self.controls[name].value = value
                self._pending.update(names)
        start = []
        for name, vals in zip(names, values):
            start.append(vals.index(saved[name]) if saved[name] in vals else 0)
        return StaticSliders(
            names=names,
            values=values,
            frames=frames,
            index=index,
            mime=_explorer.MIME_TYPES[fmt],
            title=type(self).__name__,
            start=start,
        )

    # ------------------------------------------------------------------ notebook display
    def _layout(self):
        """The whole widget: controls beside the figure, then status and error output."""
        import ipywidgets

        if _explorer.canvas_is_widget(self.figure):
            canvas = self.figure.canvas
            canvas.header_visible = False
            canvas.toolbar_visible = "fade-in-fade-out"
            picture = canvas
        else:
            self._picture = ipywidgets.Image(value=self.to_png(), format="png", layout={"max_width": "100%"})
            picture = self._picture
        panel = ipywidgets.VBox(
            list(self.controls.values()) + [self.readout] + list(self._extra_widgets()),
            layout={"min_width": "20em", "max_width": "26em"},
        )
        return ipywidgets.VBox(
            [ipywidgets.HBox([panel, picture], layout={"flex_flow": "row wrap"}), self.status, self.output]
        )

    @property
    def widget(self):
        """The ipywidgets box to display in a notebook (built on first use)."""
        if self._view is None:
            self._view = self._layout()
        return self._view

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _repr_html_(self) -> str:
        # Where no widget manager runs (a static page, nbviewer), show the current picture and
        # say how to get live controls.
        import base64
        import html

        png = base64.b64encode(self.to_png()).decode("ascii")
        settings = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return (
            f'<figure class="audioviz-explorer-snapshot"><img style="max-width:100%" '
            f'alt="{html.escape(type(self).__name__)}" src="data:image/png;base64,{png}">'
            f"<figcaption><small>{html.escape(type(self).__name__)} ({html.escape(settings)}). The "
            f"sliders are live in a running notebook; use <code>.static(...)</code> for sliders "
            f"on a static page.</small></figcaption></figure>"
        )

    def close(self) -> None:
        """Close the widgets and release the figure."""
        for control in self.controls.values():
            control.close()
        if self._view is not None:
            self._view.close()
        if _explorer.ipympl_active():
            import matplotlib.pyplot as plt

            plt.close(self.figure)


class StaticSliders:
    """Pre-rendered frames of an explorer with sliders that swap them: no kernel, no CDN.

    Made by :meth:`Explorer.static`. Its HTML (``_repr_html_``, :meth:`to_html`) is one
    self-contained ``<div>``: a range input per parameter, every frame as a ``data:`` URI and a
    few lines of plain JavaScript, so it works as a notebook output, in a sphinx-gallery page (as a
    cell's last expression) and as a file written by :meth:`save`. Identical frames are stored
    once.

    Attributes:
        names: parameter names, one slider each, in order.
        values: the values of each slider.
        frames: the distinct encoded pictures (bytes).
        index: frame number of every grid cell, in C order (last parameter fastest).
        mime: MIME type of the frames (``"image/webp"``, ``"image/png"``, ...).

    Example:
        >>> import torch, audioviz
        >>> explorer = audioviz.SpectrogramExplorer(torch.randn(16000), 16000)
        >>> page = explorer.static(n_fft=[256, 1024], hop_length=[64, 128])
        >>> len(page), page.shape
        (4, (2, 2))
        >>> path = page.save("explorer.html")  # doctest: +SKIP
    """

    def __init__(self, *, names, values, frames, index, mime, title="audioviz", start=None):
        self.names = list(names)
        self.values = [list(v) for v in values]
        self.frames = list(frames)
        self.index = list(index)
        self.mime = mime
        self.title = title
        self.start = list(start) if start is not None else [0] * len(self.names)
        if len(self.index) != int(np.prod(self.shape)):
            raise ValueError(f"index has {len(self.index)} cells, expected {int(np.prod(self.shape))} for shape {self.shape}")

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
        """The self-contained HTML fragment (one ``<div>``)."""
        return _static.render_fragment(
            title=self.title,
            names=self.names,
            values=self.values,
            frames=self.frames,
            index=self.index,
            mime=self.mime,
            start=self.start,
            width=width,
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path) -> Path:
        """Write a complete HTML page to ``path`` (atomically) and return the path."""
        path = Path(path)
        text = _static.render_page(self.to_html(), title=f"{self.title}: {', '.join(self.names)}")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return path

    def __repr__(self) -> str:
        grid = ", ".join(f"{n}={v}" for n, v in zip(self.names, self.values))
        return f"<StaticSliders {self.title}: {grid} ({len(self)} cells, {len(self.frames)} distinct frames)>"
