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
from pathlib import Path

import numpy as np

from . import _explorer, _static
from ._fileio import write_text_atomic

__all__ = ["Explorer", "MelExplorer", "SpectrogramExplorer", "StaticSliders"]


def _house_style():
    from . import display

    return display.style()


def _one_thread():
    # A step's tensors are small; see audioviz._reduce.one_thread.
    from ._reduce import one_thread

    return one_thread()


class Explorer:
    """Base class of the slider explorers: controls, one figure, in-place updates.

    An explorer owns a dict of ipywidgets controls, one matplotlib figure drawn once, and the
    artists on it. When a control changes, the explorer calls ``_update`` with the names of the
    controls that changed; the subclass recomputes only what depends on them and updates its
    artists in place (``set_data``, ``set_extent``, ``set_clim``, ...). The base then redraws
    (:meth:`refresh`: on an Agg canvas only the Axes that changed, with ipympl ``draw_idle``)
    and, with the inline backend, sends the new picture to the notebook as a PNG. An exception in that path never vanishes into a log: it is shown in red in
    the widget's status line, its traceback goes to :attr:`output`, and :attr:`error` holds it.

    Subclassing contract:
        1. ``_make_controls(self) -> dict``: return the controls, ``{parameter name: ipywidgets
           ValueWidget}`` (sliders, dropdowns, ...). Called once by ``__init__``; the keys become
           :attr:`controls` and the names :meth:`static` and :meth:`set` accept.
        2. ``_draw(self, figure)``: draw the first picture for :attr:`params` on ``figure``
           (through :mod:`audioviz.display`), keep handles to the artists and set
           :attr:`image` to the main one.
        3. ``_update(self, changed: frozenset[str])``: recompute what depends on ``changed`` and
           update the artists in place. Never create a new figure; do not call ``draw``. To be
           fast, call ``self.mark_stale(ax, ...)`` with the Axes that changed: on an Agg canvas
           only those are drawn again and blitted (only what is inside their frame while their
           ticks and labels hold); call ``self.mark_layout_stale()`` when label
           sizes may change (an axis of another kind). Without either call the whole figure is
           redrawn, which is always correct.
        4. Optional ``_coerce(self, changed) -> None``: keep controls consistent with each other
           (for example lower ``win_length`` when ``n_fft`` falls below it). Runs before
           ``_update``; any control it changes is added to ``changed``.
        5. Optional ``_readout(self) -> str``: HTML shown under the controls (for example the
           resolution the settings give); refreshed after every update.
        6. Optional ``_extra_widgets(self) -> list``: more widgets for the side panel (an audio
           player). Optional class attribute ``figsize``.

        Call ``super().__init__()`` at the end of the subclass's ``__init__``, once the data the
        drawing needs is stored.

    Backends:
        With the default inline backend the figure has a plain Agg canvas: a step redraws only
        what changed and the picture goes to the notebook as a PNG in an
        :class:`ipywidgets.Image` (the PNG costs about as much again as the step). With ipympl
        (``%matplotlib widget``, ``pip install audioviz[widget]``) the canvas is the widget:
        ``draw_idle`` lets the browser ask for a whole-figure redraw, which costs more per step
        but gives zoom and pan. ``benchmarks/bench_widgets.py`` measures both (see the
        Performance page).

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
        self._stale_axes: list | None = None
        self._layout_stale = False
        self._blitter = None
        self.error: BaseException | None = None
        self.output = ipywidgets.Output(layout={"max_height": "12em", "overflow": "auto"})
        self.status = ipywidgets.HTML(value="")
        self.controls = dict(self._make_controls())
        if not self.controls:
            raise ValueError(f"{type(self).__name__}._make_controls() returned no controls")
        with _house_style(), _one_thread():
            self.figure = _explorer.new_figure(self.figsize)
            self._layout_engine = self.figure.get_layout_engine()
            self.image = None
            self._draw(self.figure)
        if _explorer.can_blit(self.figure):
            self._blitter = _explorer.Blitter(self.figure)
            self._blitter.track(self.figure.axes)
        self._full_draw(relayout=True)
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
            with _house_style(), _one_thread():
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

    def mark_stale(self, *axes) -> None:
        """Say which Axes an update changed, so only they are redrawn (see the class docstring)."""
        if self._stale_axes is None:
            self._stale_axes = []
        self._stale_axes.extend(ax for ax in axes if ax not in self._stale_axes)

    def mark_layout_stale(self) -> None:
        """Say that label sizes may have changed: lay the figure out again on the next draw."""
        self._layout_stale = True

    def _full_draw(self, *, relayout: bool) -> None:
        figure = self.figure
        if self._blitter is None:
            figure.canvas.draw_idle()
            return
        if relayout and self._layout_engine is not None:
            figure.set_layout_engine(self._layout_engine)
        self._blitter.full_draw()
        if self._layout_engine is not None:
            # Freeze the positions found: a slider step then costs no layout pass.
            figure.set_layout_engine("none")

    def refresh(self) -> None:
        """Redraw what changed, then send the new picture to the notebook.

        On an Agg canvas, when the update marked the Axes it changed (:meth:`mark_stale`) and the
        layout still holds, only those Axes are redrawn and blitted; otherwise the whole figure
        is drawn with ``draw_idle``. With the inline backend the picture then goes to the
        notebook as a PNG; with ipympl the canvas widget sends it itself.
        """
        stale, relayout = self._stale_axes, self._layout_stale
        self._stale_axes, self._layout_stale = None, False
        if self._blitter is not None and stale:
            self._blitter.track(stale)
        if self._blitter is None or stale is None or relayout or not self._blitter.step(stale):
            self._full_draw(relayout=relayout)
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
        if self._blitter is None:
            # ipympl draws when the browser asks; draw now (its canvas is an Agg canvas too).
            self.figure.canvas.draw()
        return _explorer.rendered_rgba(self.figure)

    def to_png(self) -> bytes:
        """The current picture as PNG bytes."""
        if _explorer.canvas_is_widget(self.figure):
            import io

            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png")
            return buffer.getvalue()
        return _explorer.encode_image(self.to_rgba(), fmt="png")

    def static(self, *, fmt: str = "auto", dpi: float | None = 80, quality: int = 70, **grid) -> "StaticSliders":
        """Freeze the explorer into slider pages that work without Python.

        Every combination of the given values is drawn once, by this explorer's own update path,
        and stored in a :class:`StaticSliders` with the readout of each (the resolution, for the
        spectrogram explorer); its sliders swap the pre-rendered frames with a few lines of plain
        JavaScript. The explorer's controls are restored afterwards. The
        controls' own rules still apply to each frame (for example ``win_length`` is kept
        ``<= n_fft``).

        Args:
            fmt: picture format: ``"png"`` (lossless), ``"png8"`` (256 colours), ``"webp"``,
                ``"jpeg"`` or ``"auto"`` (``"webp"``: the smallest that keeps text legible).
            dpi: resolution of the frames. Default: ``80`` (640 pixels wide for the spectrogram
                explorer); ``None`` keeps the figure's own.
            quality: 1 to 100, for the lossy formats. Default: ``70`` (a 30-frame spectrogram grid
                stays well under 1.5 MB with sharp text).
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
        if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
            raise ValueError(f"quality must be an int from 1 to 100, got {quality!r}")
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
        captions: list[str] = []
        caption_index: list[int] = []
        try:
            if dpi is not None:
                self.figure.set_dpi(dpi)
                self._full_draw(relayout=True)
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
                picture = _explorer.encode_image(self.to_rgba(), fmt=fmt, quality=quality)
                if picture not in seen:
                    seen[picture] = len(frames)
                    frames.append(picture)
                index.append(seen[picture])
                if self.readout.value:
                    if self.readout.value not in captions:
                        captions.append(self.readout.value)
                    caption_index.append(captions.index(self.readout.value))
        finally:
            if dpi is not None:
                self.figure.set_dpi(old_dpi)
                self._full_draw(relayout=True)
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
            captions=captions if len(caption_index) == len(index) else (),
            caption_index=caption_index if len(caption_index) == len(index) else (),
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
        captions: the explorer's readout (HTML) for the cells, each stored once, shown under the
            picture; caption_index: the caption number of every cell. Empty when the explorer
            has no readout.

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
        self.names = list(names)
        self.captions = list(captions)
        self.caption_index = list(caption_index)
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
            captions=self.captions,
            caption_index=self.caption_index,
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path) -> Path:
        """Write a complete HTML page to ``path`` (atomically) and return the path."""
        path = Path(path)
        text = _static.render_page(self.to_html(), title=f"{self.title}: {', '.join(self.names)}")
        return write_text_atomic(path, text)

    def __repr__(self) -> str:
        grid = ", ".join(f"{n}={v}" for n, v in zip(self.names, self.values))
        return f"<StaticSliders {self.title}: {grid} ({len(self)} cells, {len(self.frames)} distinct frames)>"


# ---------------------------------------------------------------------------------------------
# spectrogram and mel explorers
# ---------------------------------------------------------------------------------------------
#: FFT sizes offered by the n_fft slider.
N_FFT_CHOICES = (64, 128, 256, 512, 1024, 2048, 4096)
#: Colormaps offered by the cmap dropdown (perceptually uniform, plus grey for print).
CMAP_CHOICES = ("magma", "viridis", "inferno", "cividis", "gray_r")
#: Frequency axes offered by SpectrogramExplorer's y_axis dropdown.
Y_AXIS_CHOICES = ("linear", "log", "mel")
_STFT_PARAMS = frozenset({"n_fft", "win_length", "hop_length", "window"})
_MEL_PARAMS = frozenset({"n_mels", "f_min", "f_max", "mel_scale"})
_SAMPLE_STEP = 16
_RELATIVE_DB_LABEL = "dB (0 = loudest)"


def _mono(waveform):
    from ._validation import as_waveform

    wave = as_waveform(waveform)
    # The explorers show one picture: several channels are averaged to mono.
    return wave.mean(dim=0, keepdim=True) if wave.shape[0] > 1 else wave


def _slider(kind, description, **kwargs):
    import ipywidgets

    style = {"description_width": "7em"}
    layout = {"width": "24em"}
    return getattr(ipywidgets, kind)(description=description, style=style, layout=layout,
                                     continuous_update=False, **kwargs)


def _dropdown(description, options, value):
    import ipywidgets

    return ipywidgets.Dropdown(description=description, options=list(options), value=value,
                               style={"description_width": "7em"}, layout={"width": "24em"})


def _check_in(value, choices, name):
    from ._validation import check_choice

    return check_choice(value, tuple(choices), name=name)


def _ms(samples, sample_rate):
    return 1000.0 * samples / sample_rate


class _ImagePanel:
    """The main image of an explorer: drawn once by :func:`audioviz.display.plot_feature`, then
    given each new Feature by :func:`audioviz.display.update_feature_image` (in place)."""

    def __init__(self, ax, cax, feature, *, y_axis=None, cmap="magma", clim=(None, None)):
        from . import display

        self.ax, self.cax = ax, cax
        self.image = display.plot_feature(feature, ax=ax, y_axis=y_axis, cmap=cmap, colorbar=cax,
                                          vmin=clim[0], vmax=clim[1])
        self.colorbar = self.image.colorbar
        self.axis_key = self._axis_key(feature, y_axis)

    @staticmethod
    def _axis_key(feature, y_axis):
        return (feature.kind, y_axis if feature.kind == "linear" else None, feature.params.get("mel_scale"))

    def set_feature(self, feature, *, y_axis=None, clim=(None, None)) -> bool:
        """Show ``feature``; return True when the axis kind changed (labels may change size)."""
        from . import display

        display.update_feature_image(self.image, feature, y_axis=y_axis, vmin=clim[0], vmax=clim[1])
        key = self._axis_key(feature, y_axis)
        changed, self.axis_key = key != self.axis_key, key
        return changed


class SpectrogramExplorer(Explorer):
    """A live spectrogram: slide the STFT settings and see the picture change.

    Controls (``explorer.controls[name]``): ``n_fft`` (64 ... 4096), ``win_length`` and
    ``hop_length`` (in samples; both kept ``<= n_fft`` by the sliders themselves), ``window``
    (hann, hamming, blackman, rectangular), ``y_axis`` (linear, log or mel frequency), ``n_mels``,
    ``f_min`` and ``f_max`` in Hz (the mel filterbank's range on the mel axis, the shown range on
    the others), ``top_db`` (dynamic range in dB) and ``cmap``. Beside them: a player for the clip
    and a readout of the resolution the settings give (seconds per column, Hz per row).

    The picture is drawn once by :func:`audioviz.display.plot_feature`; a change recomputes only
    what depends on it (the STFT for ``n_fft``, ``win_length``, ``hop_length``, ``window``; only
    the dB conversion for ``top_db``; nothing but the colormap for ``cmap``) and updates the image
    in place.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``; channels are
            averaged.
        sample_rate: in Hz.
        n_fft: first FFT size, one of ``64, 128, ..., 4096``. Default: ``512``.
        win_length: window size in samples. Default: ``n_fft``.
        hop_length: samples between columns. Default: ``win_length // 4``.
        window: ``"hann"``, ``"hamming"``, ``"blackman"`` or ``"rectangular"``. Default: ``"hann"``.
        y_axis: ``"linear"``, ``"log"`` or ``"mel"``. Default: ``"linear"``.
        n_mels: mel bands on the mel axis. Default: ``64``.
        f_min, f_max: frequency range in Hz. Default: ``0`` and ``sample_rate / 2``.
        top_db: dynamic range shown, in dB below the loudest value. Default: ``80``.
        cmap: colormap name. Default: ``"magma"``.

    Attributes:
        controls, figure, image, output, status, error: see :class:`Explorer`.
        ax: the spectrogram's Axes. colorbar: its colorbar (in dB).
        feature: the dB :class:`~audioviz.features.Feature` shown now.

    Example:
        >>> import torch, audioviz
        >>> t = torch.arange(16000) / 16000
        >>> explorer = audioviz.SpectrogramExplorer(torch.sin(2 * torch.pi * 440 * t), 16000)
        >>> explorer.controls["n_fft"].value = 1024
        >>> explorer.image.get_array().shape[0]   # n_fft // 2 + 1 rows
        513
        >>> explorer  # in a notebook: the live widget  # doctest: +SKIP
    """

    figsize = (8.0, 3.4)

    def __init__(self, waveform, sample_rate: int, *, n_fft: int = 512, win_length: int | None = None,
                 hop_length: int | None = None, window: str = "hann", y_axis: str = "linear",
                 n_mels: int = 64, f_min: float = 0.0, f_max: float | None = None, top_db: float = 80.0,
                 cmap: str = "magma"):
        from ._validation import check_freq_range, check_sample_rate, check_stft_params
        from .features import WINDOWS

        self.waveform = _mono(waveform)
        self.sample_rate = check_sample_rate(sample_rate)
        _check_in(n_fft, N_FFT_CHOICES, "n_fft")
        n_fft, win_length, hop_length = check_stft_params(
            n_fft, win_length, hop_length if hop_length is not None else max((win_length or n_fft) // 4, 1))
        f_min, f_max = check_freq_range(f_min, f_max, self.sample_rate)
        self._initial = dict(
            n_fft=n_fft, win_length=win_length, hop_length=hop_length,
            window=_check_in(window, tuple(WINDOWS), "window"), y_axis=_check_in(y_axis, Y_AXIS_CHOICES, "y_axis"),
            n_mels=n_mels, f_min=f_min, f_max=f_max, top_db=top_db, cmap=cmap,
        )
        if not isinstance(top_db, (int, float)) or not 10 <= top_db <= 120:
            raise ValueError(f"top_db must be a number of dB from 10 to 120, got {top_db!r}")
        if isinstance(n_mels, bool) or not isinstance(n_mels, int) or not 8 <= n_mels <= 256:
            raise ValueError(f"n_mels must be an int from 8 to 256, got {n_mels!r}")
        self._power = self._linear = None
        super().__init__()

    # -- controls
    def _make_controls(self):
        from .features import WINDOWS

        p = self._initial
        nyquist = self.sample_rate / 2
        return {
            "n_fft": _slider("SelectionSlider", "n_fft", options=list(N_FFT_CHOICES), value=p["n_fft"]),
            "win_length": _slider("IntSlider", "win_length", min=min(_SAMPLE_STEP, p["win_length"]), max=p["n_fft"],
                                  step=1, value=p["win_length"]),
            "hop_length": _slider("IntSlider", "hop_length", min=min(_SAMPLE_STEP, p["hop_length"]), max=p["n_fft"],
                                  step=1, value=p["hop_length"]),
            "window": _dropdown("window", tuple(WINDOWS), p["window"]),
            "y_axis": _dropdown("frequency axis", Y_AXIS_CHOICES, p["y_axis"]),
            "n_mels": _slider("IntSlider", "n_mels", min=8, max=256, step=1, value=p["n_mels"],
                              disabled=p["y_axis"] != "mel"),
            "f_min": _slider("FloatSlider", "f_min (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_min"],
                             readout_format=".0f"),
            "f_max": _slider("FloatSlider", "f_max (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_max"],
                             readout_format=".0f"),
            "top_db": _slider("FloatSlider", "top_db (dB)", min=10.0, max=120.0, step=5.0, value=float(p["top_db"]),
                              readout_format=".0f"),
            "cmap": _dropdown("cmap", CMAP_CHOICES if p["cmap"] in CMAP_CHOICES else CMAP_CHOICES + (p["cmap"],),
                              p["cmap"]),
        }

    def _coerce(self, changed):
        c = self.controls
        if "n_fft" in changed:
            n_fft = c["n_fft"].value
            follow = c["win_length"].value == c["win_length"].max
            # Lowering max clamps the value: win_length and hop_length stay <= n_fft.
            c["win_length"].max = n_fft
            c["hop_length"].max = n_fft
            if follow:
                # A window as long as the FFT stays that way when the FFT grows.
                c["win_length"].value = n_fft
        if "f_min" in changed and c["f_min"].value >= c["f_max"].value:
            c["f_max"].value = min(c["f_max"].max, c["f_min"].value + c["f_min"].step)
            c["f_min"].value = min(c["f_min"].value, c["f_max"].value - c["f_min"].step)
        if "f_max" in changed and c["f_max"].value <= c["f_min"].value:
            c["f_min"].value = max(0.0, c["f_max"].value - c["f_max"].step)
            c["f_max"].value = max(c["f_max"].value, c["f_min"].value + c["f_max"].step)
        if "y_axis" in changed:
            c["n_mels"].disabled = c["y_axis"].value != "mel"

    # -- computing
    def _compute_power(self, *, stft_changed=True):
        """The power shown: the STFT's (computed again only when its settings changed), or the
        mel spectrogram made from it."""
        import warnings

        from . import features

        p = self.params
        if stft_changed or self._linear is None:
            self._linear = features.spectrogram(self.waveform, self.sample_rate, n_fft=p["n_fft"],
                                                win_length=p["win_length"], hop_length=p["hop_length"],
                                                window=p["window"])
        if p["y_axis"] == "mel":
            with warnings.catch_warnings():
                # Empty mel filters are reported in the readout, where the learner looks.
                warnings.simplefilter("ignore", UserWarning)
                return features.mel_spectrogram(self._linear, n_mels=p["n_mels"], f_min=p["f_min"], f_max=p["f_max"])
        return self._linear

    def _compute_db(self):
        from . import features

        # Decibels relative to the loudest cell (librosa's ref=np.max): the colour scale stays
        # 0 .. -top_db whatever n_fft or the window does to the absolute power.
        db = features.amplitude_to_db(self._power, top_db=self.params["top_db"])
        return db.replace(data=db.data - db.data.amax(), params={**db.params, "ref": "max"})

    def _clim(self):
        return (-float(self.params["top_db"]), 0.0)

    def _y_axis(self):
        return None if self.params["y_axis"] == "mel" else self.params["y_axis"]

    def _apply_frequency_range(self):
        if self.params["y_axis"] != "mel":
            low = self.params["f_min"] if self.params["y_axis"] == "linear" else max(0.0, self.params["f_min"])
            self.ax.set_ylim(low, self.params["f_max"])

    # -- drawing
    def _draw(self, figure):
        self.ax, self._cax = figure.subplots(1, 2, width_ratios=(40, 1))
        self._power = self._compute_power()
        self.feature = self._compute_db()
        self._panel = _ImagePanel(self.ax, self._cax, self.feature, y_axis=self._y_axis(), cmap=self.params["cmap"],
                                  clim=self._clim())
        self._panel.colorbar.set_label(_RELATIVE_DB_LABEL)
        self.image = self._panel.image
        # The time axis is the clip's, whatever the frames: it never moves under the slider.
        self.ax.set_xlim(0.0, self.waveform.shape[-1] / self.sample_rate)
        self.colorbar = self._panel.colorbar
        self._apply_frequency_range()

    def _update(self, changed):
        p = self.params
        recompute = bool(changed & _STFT_PARAMS) or "y_axis" in changed or (
            p["y_axis"] == "mel" and bool(changed & _MEL_PARAMS))
        if recompute:
            self._power = self._compute_power(stft_changed=bool(changed & _STFT_PARAMS))
        if recompute or "top_db" in changed:
            self.feature = self._compute_db()
            if self._panel.set_feature(self.feature, y_axis=self._y_axis(), clim=self._clim()):
                self.mark_layout_stale()
        if "cmap" in changed:
            self.image.set_cmap(p["cmap"])
        if changed & {"f_min", "f_max", "y_axis"}:
            self._apply_frequency_range()
        # The colorbar shows the colormap from -top_db to 0 dB: it changes only with those two.
        self.mark_stale(self.ax, *([self._cax] if changed & {"cmap", "top_db", "y_axis"} else []))

    # -- around the figure
    def _readout(self):
        p = self.params
        sr = self.sample_rate
        lines = [
            f"<b>Time:</b> one column every {p['hop_length']} samples = {_ms(p['hop_length'], sr):.2f} ms; "
            f"each column sees {p['win_length']} samples = {_ms(p['win_length'], sr):.1f} ms.",
        ]
        if p["y_axis"] == "mel":
            from .features import mel_to_hz, hz_to_mel

            lo, hi = hz_to_mel(p["f_min"]), hz_to_mel(p["f_max"])
            step = (hi - lo) / (p["n_mels"] + 1)
            low_width = mel_to_hz(lo + 2 * step) - mel_to_hz(lo)
            high_width = mel_to_hz(hi) - mel_to_hz(hi - 2 * step)
            lines.append(
                f"<b>Frequency:</b> {p['n_mels']} mel rows from {p['f_min']:.0f} to {p['f_max']:.0f} Hz: a filter "
                f"spans {low_width:.0f} Hz at the bottom, {high_width:.0f} Hz at the top (FFT bins are "
                f"{sr / p['n_fft']:.1f} Hz apart)."
            )
            n_empty = int(self._power.params.get("empty_filters", 0)) if self._power is not None else 0
            if n_empty:
                lines.append(
                    f"<span style='color:#b00020'>{n_empty} of the {p['n_mels']} mel filters are empty</span>: "
                    f"narrower than the FFT bin spacing, their rows stay silent. Use fewer mels or a larger n_fft."
                )
        else:
            lines.append(
                f"<b>Frequency:</b> {sr / p['n_fft']:.2f} Hz per row ({sr} / n_fft), {p['n_fft'] // 2 + 1} rows"
                + (f"; the {p['win_length']}-sample window blurs detail finer than about "
                   f"{sr / p['win_length']:.1f} Hz" if p["win_length"] < p["n_fft"] else "")
                + "."
            )
        return "<div style='font-size:90%;line-height:1.4'>" + "<br>".join(lines) + "</div>"

    def _extra_widgets(self):
        import ipywidgets

        from .io import to_wav_bytes

        return [ipywidgets.Audio(value=to_wav_bytes(self.waveform, self.sample_rate), format="wav", autoplay=False,
                                 loop=False, layout={"width": "24em"})]


class MelExplorer(Explorer):
    """The mel filterbank and the mel spectrogram it makes, side by side, with sliders.

    Controls (``explorer.controls[name]``): ``n_mels`` (8 ... 256), ``f_min`` and ``f_max`` in Hz
    (kept ``f_min < f_max`` by the sliders), ``mel_scale`` (``"htk"``, torchaudio's default, or
    ``"slaney"``). Left: the triangular filters over frequency in Hz, drawn by
    :func:`audioviz.display.plot_mel_filterbank` (filters too narrow to catch an FFT bin are
    marked, and the status line says how many). Right: the mel spectrogram in dB drawn by
    :func:`audioviz.display.plot_feature`, updated in place.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``; channels are
            averaged.
        sample_rate: in Hz.
        n_fft: FFT size (fixed for the explorer). Default: ``1024``.
        hop_length: samples between columns. Default: ``n_fft // 4``.
        n_mels: first number of filters. Default: ``64``.
        f_min, f_max: first frequency range in Hz. Default: ``0`` and ``sample_rate / 2``.
        mel_scale: ``"htk"`` or ``"slaney"``. Default: ``"htk"``.
        top_db: dynamic range shown, in dB. Default: ``80``.

    Attributes:
        controls, figure, image, output, status, error: see :class:`Explorer`.
        ax_filters, ax_mel: the two Axes. filterbank: the :class:`~audioviz.features.MelFilterbank`
        shown. feature: the dB mel :class:`~audioviz.features.Feature` shown.

    Example:
        >>> import torch, audioviz
        >>> explorer = audioviz.MelExplorer(torch.randn(16000), 16000)
        >>> explorer.controls["n_mels"].value = 40
        >>> explorer.image.get_array().shape[0], explorer.filterbank.n_mels
        (40, 40)
    """

    figsize = (10.0, 3.4)

    def __init__(self, waveform, sample_rate: int, *, n_fft: int = 1024, hop_length: int | None = None,
                 n_mels: int = 64, f_min: float = 0.0, f_max: float | None = None, mel_scale: str = "htk",
                 top_db: float = 80.0):
        from ._validation import check_freq_range, check_sample_rate, check_stft_params
        from .features import MEL_SCALES

        self.waveform = _mono(waveform)
        self.sample_rate = check_sample_rate(sample_rate)
        self.n_fft, _, self.hop_length = check_stft_params(n_fft, None, hop_length if hop_length is not None
                                                           else max(n_fft // 4, 1))
        f_min, f_max = check_freq_range(f_min, f_max, self.sample_rate)
        if isinstance(n_mels, bool) or not isinstance(n_mels, int) or not 8 <= n_mels <= 256:
            raise ValueError(f"n_mels must be an int from 8 to 256, got {n_mels!r}")
        if not isinstance(top_db, (int, float)) or top_db <= 0:
            raise ValueError(f"top_db must be a positive number of dB, got {top_db!r}")
        self.top_db = float(top_db)
        self._initial = dict(n_mels=n_mels, f_min=f_min, f_max=f_max,
                             mel_scale=_check_in(mel_scale, MEL_SCALES, "mel_scale"))
        self._notes: list[str] = []
        from .features import spectrogram

        # n_fft and hop_length are fixed: every slider step reuses this one STFT
        self._linear = spectrogram(self.waveform, self.sample_rate, n_fft=self.n_fft, hop_length=self.hop_length)
        super().__init__()

    def _make_controls(self):
        from .features import MEL_SCALES

        p = self._initial
        nyquist = self.sample_rate / 2
        return {
            "n_mels": _slider("IntSlider", "n_mels", min=8, max=256, step=1, value=p["n_mels"]),
            "f_min": _slider("FloatSlider", "f_min (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_min"],
                             readout_format=".0f"),
            "f_max": _slider("FloatSlider", "f_max (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_max"],
                             readout_format=".0f"),
            "mel_scale": _dropdown("mel_scale", MEL_SCALES, p["mel_scale"]),
        }

    _coerce = SpectrogramExplorer._coerce

    def _compute(self):
        import warnings

        from . import features

        p = self.params
        with warnings.catch_warnings():
            # Empty filters are shown in the picture and the readout instead.
            warnings.simplefilter("ignore", UserWarning)
            self.filterbank = features.mel_filterbank(self.sample_rate, n_fft=self.n_fft, n_mels=p["n_mels"],
                                                      f_min=p["f_min"], f_max=p["f_max"], mel_scale=p["mel_scale"],
                                                      warn_empty=False)
            mel = features.mel_spectrogram(self._linear, n_mels=p["n_mels"], f_min=p["f_min"], f_max=p["f_max"],
                                           mel_scale=p["mel_scale"])
        db = features.amplitude_to_db(mel, top_db=self.top_db)
        self.feature = db.replace(data=db.data - db.data.amax(), params={**db.params, "ref": "max"})

    def _draw_filters(self):
        import warnings

        from . import display

        self.ax_filters.cla()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.filter_lines = display.plot_mel_filterbank(self.filterbank, ax=self.ax_filters)

    def _draw(self, figure):
        self.ax_filters, self.ax_mel, cax = figure.subplots(1, 3, width_ratios=(20, 24, 1))
        self._compute()
        self._draw_filters()
        self._panel = _ImagePanel(self.ax_mel, cax, self.feature, clim=(-self.top_db, 0.0))
        self._panel.colorbar.set_label(_RELATIVE_DB_LABEL)
        self.image = self._panel.image
        self.ax_mel.set_xlim(0.0, self.waveform.shape[-1] / self.sample_rate)
        self._cax = cax

    def _update(self, changed):
        title = self.ax_filters.get_title()
        self._compute()
        self._draw_filters()
        if self._panel.set_feature(self.feature, clim=(-self.top_db, 0.0)) or self.ax_filters.get_title() != title:
            self.mark_layout_stale()
        self.mark_stale(self.ax_filters, self.ax_mel, self._cax)

    def _readout(self):
        bank = self.filterbank
        n_empty = int(bank.empty.sum())
        spacing = bank.sample_rate / bank.n_fft
        text = (f"{bank.n_mels} filters from {bank.f_min:.0f} to {bank.f_max:.0f} Hz ({bank.mel_scale}); "
                f"FFT bins every {spacing:.1f} Hz (n_fft={bank.n_fft}).")
        if n_empty:
            text += (f" <span style='color:#b00020'>{n_empty} filter{'s are' if n_empty > 1 else ' is'} empty</span>: narrower than the bin "
                     f"spacing, their mel row is always silent. Use fewer mels or a larger n_fft.")
        return f"<div style='font-size:90%;line-height:1.4'>{text}</div>"

    def _extra_widgets(self):
        return SpectrogramExplorer._extra_widgets(self)
