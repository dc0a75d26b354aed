"""The :class:`Explorer` base: controls, one figure drawn once, in-place updates, partial redraw.

Everything a slider explorer needs whatever it shows lives here once: the update path (coalesce
the changed controls, let the subclass update its artists, redraw only what changed, send the
picture), errors shown in the widget, ``set``/``hold`` from code, the notebook view with a
picture kept for a saved notebook, freezing into static sliders, and the pieces every audio
explorer shares: mono mixing, decibels relative to the loudest cell, a consistent frequency range
and the audio player.
"""
from __future__ import annotations

import contextlib
import functools
import html
import math
import time

import numpy as np
import torch

from . import _ahead, _backend, _controls
from ._blit import Blitter, axes_limits

__all__ = ["Explorer"]

#: Colorbar label of the explorers' pictures: decibels relative to the loudest cell.
RELATIVE_DB_LABEL = "dB (0 = loudest)"

# Seconds without a step after which the picture kept for a saved notebook is brought up to date.
_SNAPSHOT_DELAY = 1.0

# The picture kept beside the live widget (for a saved notebook reopened without a kernel) hides
# itself while the output just before it holds a live widget view. Chromium, Firefox and Safari
# know :has(); elsewhere the picture shows under the live widget, which is harmless.
_SNAPSHOT_STYLE = (
    "<style>.jp-OutputArea-child:has(.widget-box) + .jp-OutputArea-child .avz-snapshot,"
    ".output_area:has(.widget-box) + .output_area .avz-snapshot {display: none}</style>"
)


@functools.cache
def _house_rc() -> dict:
    """The settings of ``audioviz.mplstyle``, read once. ``audioviz.style()`` reads and checks
    the file on every use (about 9 ms, a step's budget); a step applies the same settings with
    ``rc_context`` (well under 1 ms)."""
    import matplotlib

    from ..display import STYLE_PATH

    return dict(matplotlib.rc_params_from_file(str(STYLE_PATH), use_default_template=False))


@contextlib.contextmanager
def _house_style():
    """The house settings for the block, and the previous values of those settings back after
    it. Unlike ``rc_context`` it saves only the keys it sets (about 20, not all 300)."""
    import matplotlib

    house = _house_rc()
    params = matplotlib.rcParams
    saved = {key: params[key] for key in house}
    params.update(house)
    try:
        yield
    finally:
        params.update(saved)


@contextlib.contextmanager
def _no_auto_draw():
    """Matplotlib's interactive mode off for the block: pyplot would answer every artist the
    update touches with ``draw_idle``, and ipympl with a whole-figure redraw on the next round
    trip; the explorer draws what changed itself."""
    import matplotlib

    was = matplotlib.is_interactive()
    matplotlib.interactive(False)
    try:
        yield
    finally:
        matplotlib.interactive(was)


class Explorer:
    """Base class of the slider explorers: controls, one figure, in-place updates.

    An explorer owns a dict of ipywidgets controls, one matplotlib figure drawn once, and the
    artists on it. When controls change, the explorer calls ``_update`` once with the names of
    all that changed; the subclass recomputes only what depends on them and updates its artists
    in place (``set_data``, ``set_extent``, ``set_clim``, ...). The base then redraws only the
    Axes that changed (:meth:`refresh`) and sends the picture. An exception in that path never
    vanishes into a log: it is shown in red in the widget's status line, its traceback goes to
    :attr:`output`, and :attr:`error` holds it, until the next step that succeeds clears all three.

    Subclassing contract (the developer page "How the explorers work" walks through one):
        1. ``_make_controls(self) -> dict``: return the controls, ``{parameter name: ipywidgets
           ValueWidget}``. Called once by ``__init__``; the keys become :attr:`controls` and the
           names :meth:`static` and :meth:`set` accept.
        2. ``_draw(self, figure)``: draw the first picture for :attr:`params` on ``figure``, keep
           handles to the artists and set :attr:`image` to the main one.
        3. ``_update(self, changed: frozenset[str])``: recompute what depends on ``changed`` and
           update the artists in place. Never create a new figure; do not call ``draw``. Call
           ``self.mark_stale(ax, ...)`` with the Axes that changed: only those are drawn again
           (only inside their frame while their ticks and labels hold); call
           ``self.mark_layout_stale()`` when label sizes may change (an axis of another kind,
           see :class:`~audioviz.FeatureImage`'s ``update``). Without either call the whole
           figure is redrawn, which is always correct.
        4. Optional ``_coerce(self, changed) -> None``: keep controls consistent with each other.
           Runs before ``_update``; any control it changes is added to ``changed``.
        5. Optional ``_readout(self) -> str``: HTML shown under the controls, written by the
           explorer (escape any text that is not); refreshed after every update.
        6. Optional ``_extra_widgets(self) -> list``: more widgets for the side panel. Default:
           a player of :attr:`waveform` when the explorer has one (see :meth:`_set_clip`).
           Optional class attribute ``figsize``.

        Call ``super().__init__()`` at the end of the subclass's ``__init__``, once the data the
        drawing needs is stored.

    Backends:
        With the default inline backend the figure has a plain Agg canvas; a step redraws what
        changed and the picture goes to the notebook as a JPEG (quality 85, about 80 KB, encoded
        in 1-2 ms), drawn on a canvas by a small anywidget that decodes it where it arrives
        (``widgets/_backend.py``: ``picture_widget``). With ipympl (``%matplotlib widget``,
        ``pip install audioviz[widget]``) the same partial redraw happens on ipympl's Agg canvas
        and its ``blit`` sends the changed pixels, as a PNG written for speed (no row filter,
        zlib level 1); it adds zoom and pan, and a zoom stays through the steps that do not ask
        for a new range (:meth:`_keep_zoom`). What a step changes in other controls (a maximum,
        a value that follows) is sent after the picture. Either way the layout is computed once
        and frozen. Values that arrive while a step is drawing are not queued:
        ipywidgets keeps one message in flight per control and sends only the latest value
        after it, so a burst of key presses costs one more step, not one per key.
        With either backend the explorer also draws the settings one arrow key away while the
        kernel is idle, on a copy of itself that is never shown, and the page paints such a
        picture at once when a key asks for it (:attr:`draw_ahead`, ``widgets/_ahead.py``); with
        ipympl it is painted over ipympl's canvas until ipympl paints the kernel's own picture,
        and drawing ahead pauses while the figure is zoomed or panned.
        ``benchmarks/bench_jupyterlab.py`` measures key press to painted picture in JupyterLab.

    Attributes:
        controls: dict of the control widgets by parameter name. Setting
            ``explorer.controls["n_fft"].value = 1024`` updates the figure (no browser needed).
        figure: the :class:`matplotlib.figure.Figure`, built once.
        image: the main artist (usually an :class:`~matplotlib.image.AxesImage`).
        readout: an :class:`ipywidgets.HTML` with the subclass's readout.
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
    #: Format of the picture the inline backend sends on each step.
    picture_format = "jpeg"
    _draw_ahead = True
    waveform = None
    sample_rate = None

    def __new__(cls, *args, **kwargs):
        explorer = super().__new__(cls)
        # What the explorer was made from: the pictures drawn ahead are drawn on a second one.
        explorer._init_args = (args, kwargs)
        return explorer

    def __init__(self):
        import ipywidgets

        from .._reduce import one_thread

        self._hold_depth = 0
        self._pending: set[str] = set()
        self._ready = False
        self._view = None
        self._picture = None
        self._snapshot = None
        self._snapshot_timer = None
        self._stale_axes: list | None = None
        self._layout_stale = False
        self._blitter = None
        self._ahead = None
        self.error: BaseException | None = None
        self.output = ipywidgets.Output(layout={"max_height": "12em", "overflow": "auto"})
        self.status = ipywidgets.HTML(value="")
        self.controls = dict(self._make_controls())
        if not self.controls:
            raise ValueError(f"{type(self).__name__}._make_controls() returned no controls")
        with _house_style(), one_thread():
            self.figure = _backend.new_figure(self.figsize)
            self._layout_engine = self.figure.get_layout_engine()
            self.image = None
            self._draw(self.figure)
        if _backend.can_blit(self.figure):
            self._blitter = Blitter(self.figure)
            self._blitter.track(self.figure.axes)
        self._full_draw(relayout=True)
        self.readout = ipywidgets.HTML(value=self._readout())
        # The handler needs to know which parameter a widget stands for.
        self._names = {id(control): name for name, control in self.controls.items()}
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._stepped = self.params  # the settings of the last step, to tell which way a control moved
        self._asked = axes_limits(self.figure)  # the view each Axes was given by the explorer itself
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
        return [] if self.waveform is None else [self.audio_player()]

    # ------------------------------------------------------------------ pieces audio explorers share
    def _set_clip(self, waveform, sample_rate) -> None:
        """Keep ``waveform`` mixed to mono (the explorers show one picture: channels are
        averaged) as :attr:`waveform`, shape ``(1, time)``, and the checked rate in Hz."""
        from .._validation import as_waveform, check_sample_rate

        wave = as_waveform(waveform)
        self.waveform = wave.mean(dim=0, keepdim=True) if wave.shape[0] > 1 else wave
        self.sample_rate = check_sample_rate(sample_rate)

    @staticmethod
    def relative_db(power, top_db: float):
        """A power Feature in dB relative to its loudest cell (librosa's ``ref=np.max``), floored
        at ``-top_db``: the colour scale stays ``-top_db .. 0`` whatever n_fft or the window does
        to the absolute power. A picture with nothing above the floor (silence, or rows of empty
        mel filters only) is drawn at ``-top_db``, the bottom of the scale."""
        return Explorer.floor_db(Explorer.relative_levels(power), top_db)

    @staticmethod
    def relative_levels(power):
        """A power Feature in dB relative to its loudest cell, with no floor (silence: ``-inf``
        everywhere). :meth:`floor_db` makes the picture for a ``top_db`` from it, so a ``top_db``
        step costs no logarithm."""
        from ..features import amplitude_to_db

        db = amplitude_to_db(power, top_db=None)
        silent = float(power.data.max()) <= 1e-10  # nothing above amplitude_to_db's floor (amin)
        data = torch.full_like(db.data, -math.inf) if silent else db.data - db.data.amax()
        return db.replace(data=data, params={**db.params, "ref": "max"})

    @staticmethod
    def floor_db(levels, top_db: float):
        """Levels from :meth:`relative_levels` floored at ``-top_db`` dB."""
        top_db = float(top_db)
        return levels.replace(data=levels.data.clamp(min=-top_db), params={**levels.params, "top_db": top_db})

    def _keep_frequency_range(self, changed) -> None:
        """Keep the ``f_min`` and ``f_max`` controls one step apart, moving the one not touched."""
        c = self.controls
        f_min, f_max = c["f_min"], c["f_max"]
        if "f_min" in changed and f_min.value >= f_max.value:
            f_max.value = min(f_max.max, f_min.value + f_min.step)
            f_min.value = min(f_min.value, f_max.value - f_min.step)
        if "f_max" in changed and f_max.value <= f_min.value:
            f_min.value = max(0.0, f_max.value - f_max.step)
            f_max.value = max(f_max.value, f_min.value + f_max.step)

    def audio_player(self):
        """An :class:`ipywidgets.Audio` player of :attr:`waveform` (WAV, no autoplay)."""
        import ipywidgets

        from ..io import to_wav_bytes

        return ipywidgets.Audio(value=to_wav_bytes(self.waveform, self.sample_rate), format="wav", autoplay=False,
                                loop=False, layout={"width": "24em"})

    # ------------------------------------------------------------------ state
    @property
    def draw_ahead(self) -> bool:
        """Draw the settings one arrow key away while the kernel is idle and keep them in the
        page, which paints them at once when a key asks (inline and ipympl backends; see
        ``widgets/_ahead.py``). Default ``True``; set ``False`` and every step waits for the
        kernel again (what the page holds is forgotten)."""
        return self._draw_ahead

    @draw_ahead.setter
    def draw_ahead(self, on: bool) -> None:
        if not isinstance(on, bool):
            raise TypeError(f"draw_ahead must be True or False, got {on!r}")
        if self._draw_ahead and not on and self._ahead is not None:
            self._ahead.forget()
        self._draw_ahead = on

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

    def set(self, **params) -> None:
        """Set several controls from code and update the figure once.

        A number outside a slider's range is clamped into it (the status line says so); a value a
        dropdown does not offer, or an unknown parameter name, is a ValueError, also shown in the
        widget.

        Returns ``None``, like setting a widget's ``value``: ``explorer.set(...)`` as a cell's last
        line changes the explorer already shown above and displays nothing more. Show the
        explorer again with ``explorer`` on a line of its own.

        Raises:
            ValueError: unknown parameter name or a value the control does not offer.
            TypeError: a slider given something that is not a number.
        """
        notes = []
        try:
            checked = {}
            for name, value in params.items():
                checked[name], note = _controls.coerce_value(name, self._control(name), value)
                if note:
                    notes.append(note)
        except (TypeError, ValueError) as exc:
            self._show_error(exc)
            raise
        self._apply(checked)
        if notes and self.error is None:
            self.status.value = _controls.note_html("; ".join(notes))

    def _apply(self, values: dict, *, force: bool = False) -> None:
        """Set controls (values already checked) and update once; ``force`` draws even when no
        value changes (a static frame equal to the current state)."""
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value
            if force:
                self._pending.update(values)

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
        from .._reduce import one_thread

        started = time.thread_time()
        before = self._stepped  # the controls already hold their new values
        if self._ahead is not None:
            self._ahead.cancel()  # a real step first; what is drawn ahead waits for the next idle moment
        self._hold_depth += 1
        held = contextlib.ExitStack()
        moved = {}
        try:
            # What _coerce changes in other controls (a maximum, a value that follows) reaches
            # the page after the new picture, in one message per control: the page is then not
            # busy redrawing sliders while the picture is drawn and sent.
            for control in self.controls.values():
                held.enter_context(control.hold_sync())
            # Which way the learner moved each control (for what to draw ahead first).
            for name in self._pending:
                moved[name] = _ahead.direction(self.controls[name], before[name], self.controls[name].value)
            # Controls that _coerce adjusts land in _pending through _on_change.
            self._coerce(frozenset(self._pending))
            changed = frozenset(self._pending)
            self._pending.clear()
            with _house_style(), one_thread(), _no_auto_draw():
                shown = axes_limits(self.figure)
                self._update(changed)
                self._keep_zoom(shown)
                self.refresh()
            self.readout.value = self._readout()
        except Exception as exc:  # shown to the learner, see _show_error
            self._pending.clear()
            self._show_error(exc)
        else:
            if self.error is not None:
                self.error = None
                self.output.outputs = ()
            self.status.value = ""
        finally:
            self._hold_depth -= 1
            held.close()
            self._stepped = self.params
        if self._ahead is not None and self.draw_ahead and self.error is None:
            self._ahead.after_step(moved, time.thread_time() - started)

    def _keep_zoom(self, shown: dict) -> None:
        """Put back a view the learner chose (ipympl's zoom and pan, limits set from code) that
        the update just replaced by the explorer's own again: a zoom into a word's formants
        stays while n_fft or hop_length move. Where the update asked for a new range (f_max, the
        mel axis), that range is shown. ``shown``: each Axes' limits before the update."""
        asked = self._asked
        for ax, (x_now, y_now) in axes_limits(self.figure).items():
            before, wanted = shown.get(ax), asked.get(ax)
            if before is None or wanted is None:
                asked[ax] = (x_now, y_now)
                continue
            kept = []
            for now, was, own, setter in ((x_now, before[0], wanted[0], ax.set_xlim),
                                          (y_now, before[1], wanted[1], ax.set_ylim)):
                if was != own and now in (own, was):  # zoomed, and no new range asked
                    if now != was:
                        setter(*was)
                    kept.append(own)
                else:
                    kept.append(now)
            asked[ax] = tuple(kept)

    def mark_stale(self, *axes) -> None:
        """Say which Axes an update changed, so only they are redrawn (see the class docstring)."""
        if self._stale_axes is None:
            self._stale_axes = []
        self._stale_axes.extend(ax for ax in axes if ax not in self._stale_axes)

    def mark_layout_stale(self) -> None:
        """Say that label sizes may have changed: lay the figure out again on the next draw."""
        self._layout_stale = True

    def _full_draw(self, *, relayout: bool) -> None:
        """Draw the whole figure into the canvas (laid out again when ``relayout``)."""
        figure = self.figure
        if relayout and self._layout_engine is not None:
            figure.set_layout_engine(self._layout_engine)
        if self._blitter is None:
            figure.canvas.draw_idle()
        else:
            self._blitter.full_draw()
        if self._layout_engine is not None:
            # Freeze the positions found: a slider step then costs no layout pass.
            figure.set_layout_engine("none")

    def redraw(self) -> None:
        """Lay the figure out again and draw all of it (after changing its size or dpi)."""
        if self._ahead is not None:
            self._ahead.forget()  # the pictures drawn ahead have the old size
        self._full_draw(relayout=True)
        self._send_picture()

    def refresh(self) -> None:
        """Redraw what changed, then send the new picture to the notebook.

        When the update marked the Axes it changed (:meth:`mark_stale`) and the layout still
        holds, only those Axes are redrawn and blitted; otherwise the whole figure is drawn.
        With the inline backend the picture then goes to the notebook as a JPEG; ipympl's
        canvas sends the changed pixels itself.
        """
        stale, relayout = self._stale_axes, self._layout_stale
        self._stale_axes, self._layout_stale = None, False
        if self._blitter is not None and stale:
            self._blitter.track(stale)
        if self._blitter is None or stale is None or relayout or not self._blitter.step(stale):
            self._full_draw(relayout=relayout)
        if self._blitter is not None:
            # The canvas holds the new picture: nothing left for pyplot's after-cell draw_all
            # (which ipympl answers with a whole-figure redraw) to do.
            self.figure.stale = False
        self._send_picture()

    def _send_picture(self) -> None:
        canvas = self.figure.canvas
        if self._blitter is not None and _backend.canvas_is_widget(self.figure):
            # ipympl: send the changed pixels now, once its page is listening (before that it
            # asks for a full draw itself; an image sent earlier would arrive broken)
            if not getattr(canvas, "syncing_data_url", True):
                canvas.blit()
        if self._picture is not None and self._picture.target is not None:
            # ipympl sent the picture itself; the page learns which settings it shows (it then
            # stops painting what was drawn ahead over ipympl's canvas)
            with self._picture.hold_sync():
                self._picture.key = self._ahead.key(self.params) if self.draw_ahead else []
                self._picture.readout = self._readout()
        elif self._picture is not None:
            picture = _backend.encode_image(self.to_rgba(), fmt=self.picture_format, quality=85)
            if self._ahead is None:
                self._picture.value = picture
            else:
                # The page keeps this picture too, under the settings it shows, with its readout.
                key = self._ahead.key(self.params) if self.draw_ahead else []
                new = bytes(self._picture.value) != picture  # the same bytes again are not sent
                with self._picture.hold_sync():
                    self._picture.key, self._picture.readout = key, self._readout()
                    self._picture.value = picture
                if new:
                    self._ahead.sent(key)
        if self._snapshot is not None:
            self._schedule_snapshot()

    def _show_error(self, exc: BaseException) -> None:
        self.error = exc
        self.status.value = _controls.error_html(exc)
        self.output.outputs = ()
        self.output.append_stderr(_controls.format_traceback(exc))

    # ------------------------------------------------------------------ pictures
    def to_rgba(self) -> np.ndarray:
        """The current picture as a ``(height, width, 4)`` uint8 array (drawn on the Agg canvas)."""
        if self._blitter is None:
            self.figure.canvas.draw()
        return _backend.rendered_rgba(self.figure)

    def to_png(self) -> bytes:
        """The current picture as PNG bytes."""
        if not _backend.can_blit(self.figure):
            return _backend.savefig_bytes(self.figure, "png")
        return _backend.encode_image(self.to_rgba(), fmt="png")

    def static(self, *, fmt: str = "auto", dpi: float | None = 80, quality: int = 70, **grid):
        """Freeze the explorer into slider pages that work without Python.

        Every combination of the given values is drawn once, by this explorer's own update path,
        and stored in a :class:`StaticSliders` with the readout of each (as plain text); its
        sliders swap the pre-rendered frames with a few lines of plain JavaScript. The
        explorer's controls are restored afterwards. The controls' own rules still apply to each
        frame (for example ``win_length`` is kept ``<= n_fft``).

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
        from ._static import freeze

        return freeze(self, fmt=fmt, dpi=dpi, quality=quality, grid=grid)

    # ------------------------------------------------------------------ notebook display
    def _layout(self):
        """The whole widget: controls beside the figure, then status and error output."""
        import ipywidgets

        extra = []
        if _backend.canvas_is_widget(self.figure):
            canvas = self.figure.canvas
            canvas.header_visible = False
            canvas.toolbar_visible = "fade-in-fade-out"
            picture = canvas
            if self.draw_ahead and self._ahead is None:
                # ipympl shows the kernel's pictures; this widget paints what is drawn ahead over them
                self._picture = _backend.picture_widget(
                    b"", fmt="png", width=0, height=0, controls=self.controls, readout_widget=self.readout,
                    key=_ahead.state_key(self.controls, self.params), readout=self._readout(), target=canvas)
                self._picture.layout.display = "none"
                self._ahead = _ahead.Ahead(self, self._picture)
                extra = [self._picture]
        else:
            width, height = self.figure.canvas.get_width_height()
            ahead = self.draw_ahead and self._ahead is None
            self._picture = _backend.picture_widget(
                _backend.encode_image(self.to_rgba(), fmt=self.picture_format, quality=85),
                fmt=self.picture_format, width=width, height=height,
                **(dict(controls=self.controls, readout_widget=self.readout, key=_ahead.state_key(self.controls, self.params),
                       readout=self._readout()) if ahead else {}))
            if ahead:
                self._ahead = _ahead.Ahead(self, self._picture)
                self._ahead.sent(self._picture.key)
            picture = self._picture
        panel = ipywidgets.VBox(
            list(self.controls.values()) + [self.readout] + list(self._extra_widgets()),
            layout={"min_width": "20em", "max_width": "26em"},
        )
        return ipywidgets.VBox(
            [ipywidgets.HBox([panel, picture, *extra], layout={"flex_flow": "row wrap"}), self.status, self.output]
        )

    @property
    def widget(self):
        """The ipywidgets box to display in a notebook (built on first use)."""
        if self._view is None:
            self._view = self._layout()
        return self._view

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        """In IPython: the live widget, then the current picture for a saved notebook.

        A notebook saved and opened again has no kernel and no widget state; JupyterLab then
        shows "model not found" where the widget was. The second output keeps the last picture
        with a line saying to run the cell again; it hides itself beside a live widget and is
        brought up to date a moment after the last step.
        """
        from IPython.display import HTML, display

        display(self.widget)
        self._snapshot = display(HTML(self._snapshot_html()), display_id=True)

    def _schedule_snapshot(self) -> None:
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script, a test): bring it up to date now
            self._update_snapshot()
            return
        if self._snapshot_timer is not None:
            self._snapshot_timer.cancel()
        self._snapshot_timer = loop.call_later(_SNAPSHOT_DELAY, self._update_snapshot)

    def _update_snapshot(self) -> None:
        from IPython.display import HTML

        self._snapshot_timer = None
        if self._snapshot is not None:
            self._snapshot.update(HTML(self._snapshot_html()))

    def _snapshot_html(self, *, note: str = "Run the cell again for live sliders.") -> str:
        import base64

        jpeg = base64.b64encode(_backend.encode_image(self.to_rgba(), fmt="jpeg", quality=85)).decode("ascii")
        name = html.escape(type(self).__name__)
        settings = html.escape(", ".join(f"{key}={value!r}" for key, value in self.params.items()))
        return (
            f'{_SNAPSHOT_STYLE}<figure class="audioviz-explorer-snapshot avz-snapshot" style="margin:0">'
            f'<img style="max-width:100%" alt="{name} ({settings})" src="data:image/jpeg;base64,{jpeg}">'
            f"<figcaption><small>{name} ({settings}). {html.escape(note)}</small></figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        # Where no widget manager runs (a static page, nbviewer), show the current picture and
        # say how to get live controls.
        return self._snapshot_html(note="The sliders are live in a running notebook; use .static(...) for "
                                        "sliders on a static page.")

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"<{type(self).__name__} {settings}>"

    def close(self) -> None:
        """Close the widgets and release the figure."""
        for control in self.controls.values():
            control.close()
        if self._view is not None:
            self._view.close()
        if self._snapshot_timer is not None:
            self._snapshot_timer.cancel()
        if self._ahead is not None:
            self._ahead.close()
        if _backend.ipympl_active():
            import matplotlib.pyplot as plt

            plt.close(self.figure)
