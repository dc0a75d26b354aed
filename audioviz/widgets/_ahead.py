"""Pictures drawn ahead of the learner: the neighbouring settings, ready in the page before a key asks.

A slider step in JupyterLab costs a round trip to the kernel (25-30 ms here) before any work,
and the step's own drawing after it: a key press cannot be answered in 50 ms that way. But the
next setting a learner asks for is nearly always one step away from the current one, on one
slider. So when a step is done and the kernel is idle, :class:`Ahead` draws those neighbouring
settings, on a second copy of the explorer (its *shadow*, which the learner never sees, so the
figure, artists and controls of the explorer itself are never in another state), and sends each
picture with the controls' values it belongs to. The page keeps them (``_PICTURE_ESM`` in
``widgets/_backend.py``) and, when a key moves a slider to a setting it holds, paints that
picture and its readout at once; the kernel's own picture for the step comes after it and is the
same picture (a test compares the bytes). A setting the page does not hold is answered as before.
With ipympl, whose canvas shows the kernel's pictures itself, the page paints a picture drawn
ahead over that canvas until ipympl has painted the kernel's picture of the same settings; a
view the learner changed (zoom, pan, a new size) forgets what the page holds, and nothing is
drawn ahead while the figure shows another view than the shadow would (:func:`view_of`).

What the page holds is keyed by the values of all the controls as the page sees them (a
selection slider's or dropdown's index, a slider's number to 12 significant digits), so a
picture is only ever shown for the settings it was drawn for. Drawing ahead stops for a setting whose step costs more
than :attr:`Ahead.budget` CPU seconds (there the learner waits for the kernel anyway, and drawing
ahead would only delay the next real step), and for a clip longer than :data:`MAX_SAMPLES`
(the shadow holds a copy of it).
"""
from __future__ import annotations

import collections
import time

#: A shadow copy of the clip is made only up to this many samples (10 minutes at 16 kHz).
MAX_SAMPLES = 10_000_000


def control_kind(control) -> str:
    """The attribute the page's model of ``control`` holds its setting in: ``"index"`` for a
    selection (dropdown, selection slider), ``"value"`` for a number."""
    return "index" if hasattr(control, "options") else "value"


def _position(control, value):
    from ._controls import option_values

    if hasattr(control, "options"):
        values = option_values(control)
        return values.index(value) if value in values else -1
    if isinstance(value, float):
        # To 12 significant digits, as the page rounds it too: a float slider's arrow key gives
        # 45 + 5 = 50.00000000000001 there, and the kernel then steps to that number.
        return float(f"{value:.12g}")
    return value


def direction(control, old, new) -> int:
    """+1 when ``control`` moved up from ``old`` to ``new`` (a larger number, a later option),
    -1 otherwise."""
    try:
        return 1 if _position(control, new) > _position(control, old) else -1
    except TypeError:  # values with no order
        return 1


def state_key(controls: dict, values: dict) -> list:
    """The key of the picture for ``values`` (name -> value), as the page computes it from its
    models: each control's index or number, in the order of ``controls``."""
    return [_position(control, values[name]) for name, control in controls.items()]


def _neighbours(control, value) -> list:
    """The values one arrow key away from ``value`` on a slider (none for a dropdown, which a
    learner opens and picks from, or a disabled control)."""
    from ._controls import option_values

    if getattr(control, "disabled", False) or type(control).__name__ == "Dropdown":
        return []
    if hasattr(control, "options"):
        values = option_values(control)
        if value not in values:
            return []
        i = values.index(value)
        return [values[j] for j in (i + 1, i - 1) if 0 <= j < len(values)]
    step = getattr(control, "step", None)
    if not step:
        return []
    return [v for v in (value + step, value - step) if control.min <= v <= control.max]


def _copy_control(source, target) -> None:
    """Give ``target`` the range, state and value of ``source`` (same kind of control)."""
    if hasattr(source, "max") and hasattr(source, "min"):
        if source.max >= target.min:
            target.max, target.min = source.max, source.min
        else:
            target.min, target.max = source.min, source.max
    if hasattr(source, "options") and list(target.options) != list(source.options):
        target.options = source.options
    if hasattr(source, "disabled"):
        target.disabled = source.disabled
    target.value = source.value


def view_of(explorer) -> tuple:
    """What an explorer's figure shows beyond its controls' settings: its size in pixels, its
    dpi and each Axes' limits. A learner changes them by resizing, zooming or panning an ipympl
    figure; a picture drawn ahead is only right while the shadow's are the explorer's."""
    from ._blit import axes_limits

    figure = explorer.figure
    return (tuple(figure.canvas.get_width_height(physical=True)), figure.dpi,
            tuple(axes_limits(figure).values()))


def _match_layout(shadow, explorer) -> None:
    """Put the shadow's Axes where the explorer's are. Each lays its figure out again only when
    an axis changes kind (a dropdown), with the labels of that moment: the two can differ by a
    few pixels, and a picture drawn ahead must be the explorer's own to the pixel."""
    moved = False
    for mine, theirs in zip(explorer.figure.axes, shadow.figure.axes):
        for which in ("original", "active"):
            box = mine.get_position(original=which == "original")
            if theirs.get_position(original=which == "original").bounds != box.bounds:
                theirs._set_position(box, which=which)
                moved = True
    if moved:
        shadow._full_draw(relayout=False)


class Ahead:
    """Draws an explorer's neighbouring settings on its shadow while the kernel is idle and
    sends them to its picture widget (see the module docstring).

    :meth:`after_step` is called by the explorer after each step it sent; the work starts after
    :attr:`delay` seconds and runs one neighbour at a time, :attr:`gap` seconds apart, so a key
    press that arrives meanwhile waits for at most one neighbour's drawing. :meth:`run` draws
    the whole round at once (for tests and scripts, where no event loop runs).
    """

    #: A step dearer than this (CPU seconds of the kernel's thread: what the machine's other work
    #: makes it wait for a core is not the step's cost) is not drawn ahead.
    budget = 0.06
    #: Pictures the page keeps per explorer (about 1 MB each as decoded pixels).
    capacity = 24
    #: Seconds of quiet after a step before the first neighbour is drawn, and between two: the
    #: kernel takes a slider message in several turns of its event loop, and a neighbour drawn
    #: in each of those turns would hold up the next real step of a burst of keys.
    delay = 0.05
    gap = 0.02
    #: Seconds after the explorer is shown (or drawing ahead is turned on again) before the
    #: shadow is made: a whole explorer drawn once, a few hundred ms of the kernel, best spent
    #: right after the cell, while the page is still rendering the widget and the learner has
    #: not reached a slider yet (made in the middle of a burst of keys it held the burst up).
    quiet = 0.05

    def __init__(self, explorer, picture):
        self.explorer = explorer
        self.picture = picture
        self._shadow = None
        self._shadow_failed = False
        self._shown: dict | None = None  # the settings the shadow's figure shows
        self._queue: list = []
        self._handle = None
        # The keys the page holds, oldest first: the page keeps the same ones in the same order
        # (every picture reaches it through the same comm, in order).
        self._held: collections.OrderedDict = collections.OrderedDict()
        picture.on_msg(self._on_page_message)
        self._making = None  # the pending making of the shadow
        # What is held is forgotten when the figure's view changes outside a step (ipympl's zoom,
        # pan, home and resize; limits set from code).
        self._watched: set = set()
        self._checking = False
        explorer.figure.canvas.mpl_connect("resize_event", self._view_changed)
        self._watch()
        self._make_later()

    def _watch(self) -> None:
        for ax in self.explorer.figure.axes:
            if id(ax) not in self._watched:
                self._watched.add(id(ax))
                ax.callbacks.connect("xlim_changed", self._view_changed)
                ax.callbacks.connect("ylim_changed", self._view_changed)

    def _view_changed(self, *_args) -> None:
        if self.explorer._hold_depth == 0 and not self._checking and (self._held or self._queue):
            self.forget()

    # -- what the page holds
    def key(self, values: dict) -> list:
        return state_key(self.explorer.controls, values)

    def _hold(self, key) -> None:
        token = repr(key)
        self._held.pop(token, None)
        self._held[token] = True
        while len(self._held) > self.capacity:
            self._held.popitem(last=False)

    def holds(self, key) -> bool:
        return repr(key) in self._held

    def sent(self, key) -> None:
        """The explorer sent its own picture for ``key``: the page keeps that one too."""
        self._hold(key)

    def forget(self) -> None:
        """Drop everything drawn ahead, here and in the page (drawing ahead turned off, or the
        figure's size or dpi changed: the shadow takes the explorer's again). The shadow itself
        is kept: making it again costs a few hundred ms of the kernel, which a learner's next
        keys would wait for."""
        self.cancel()
        self._held.clear()
        if self._shadow is not None:
            self._fit(self._shadow)
            self._shown = None  # drawn again in full before the next neighbour
        self.picture.send({"forget": True})

    def _on_page_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("hello"):
            self._held.clear()  # a new page (reloaded): it holds nothing yet

    # -- planning
    def after_step(self, moved: dict, seconds: float) -> None:
        """Plan the neighbours of the settings just shown and start drawing them when the kernel
        is idle. ``moved``: name -> +1 or -1 for the controls the step moved (their neighbour
        in the same direction is drawn first), ``seconds``: what the step cost."""
        self.cancel()
        self._watch()
        # A learner's key that was dear: its neighbours cost as much (n_fft=4096 at a small hop).
        # Settings set from code move several controls at once and cost more than a neighbour.
        if (len(moved) == 1 and seconds > self.budget) or not self._possible():
            return
        if self._shadow is None:
            self._queue = self._plan(moved)  # drawn once the shadow is made
            self._make_later()
        else:
            self._start(self.delay, self._plan(moved))

    def _loop(self):
        import asyncio

        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            return None  # no event loop (a script, a test): nothing idle to use; run() draws on demand

    def _start(self, wait: float, queue: list) -> None:
        self._queue = queue
        loop = self._loop()
        if queue and loop is not None:
            self._handle = loop.call_later(wait, self._next)

    def _make_later(self) -> None:
        """Make the shadow :attr:`quiet` seconds from now. Unlike a round of neighbours a step
        does not put it off: a learner pressing keys every few tenths of a second would
        otherwise never get one."""
        loop = self._loop()
        if self._shadow is None and self._making is None and self._possible() and loop is not None:
            self._making = loop.call_later(self.quiet, self._make)

    def _make(self) -> None:
        self._making = None
        if self.explorer.draw_ahead and self._get_shadow() is not None:
            self._start(self.gap, self._queue or self._plan({}))

    def _possible(self) -> bool:
        waveform = self.explorer.waveform
        return not self._shadow_failed and (waveform is None or waveform.shape[-1] <= MAX_SAMPLES)

    def _plan(self, moved: dict) -> list:
        explorer = self.explorer
        current = explorer.params
        first, rest = [], []
        for name, control in explorer.controls.items():
            for value in _neighbours(control, current[name]):
                candidate = (name, value)
                if name in moved:
                    forward = direction(control, current[name], value) == moved[name]
                    first.insert(0 if forward else len(first), candidate)
                else:
                    rest.append(candidate)
        # first the shadow is brought to the current settings (None), then the neighbours
        return [(current, None, None)] + [(current, name, value) for name, value in first + rest]

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._queue = []

    # -- drawing
    def run(self) -> int:
        """Draw and send every planned neighbour now; returns how many were sent."""
        self.cancel()
        self._queue = self._plan({})
        sent = 0
        while self._queue:
            sent += self._draw_one()
        return sent

    def _next(self) -> None:
        import asyncio

        self._handle = None
        if not self._queue or not self.explorer.draw_ahead:
            self._queue = []
            return
        started = time.thread_time()
        name = self._queue[0][1]
        self._draw_one()
        # Bringing the shadow to the explorer's settings (name None) may cost a full step, and
        # making it more: the budget judges the neighbours' own steps, which follow from there.
        # A neighbour dearer than the budget drops the rest of that control's (f_min moves the
        # ticks of the frequency axis; top_db's neighbours stay cheap).
        if name is not None and time.thread_time() - started > self.budget:
            self._queue = [item for item in self._queue if item[1] != name]
        if self._queue:
            self._handle = asyncio.get_running_loop().call_later(self.gap, self._next)

    def _draw_one(self) -> int:
        current, name, value = self._queue.pop(0)
        explorer = self.explorer
        key = None if name is None else self.key({**current, name: value})
        if key is not None and self.holds(key):
            return 0
        shadow = self._get_shadow()
        if shadow is None:
            self._queue = []
            return 0
        if key is None:  # bring the shadow to the explorer's settings: nothing to send
            try:
                self._render(shadow, explorer, None, None)
            except Exception:  # noqa: BLE001
                self._shown = None
                return 0
            self._checking = True
            try:
                mine, theirs = view_of(shadow), view_of(explorer)
            finally:
                self._checking = False
            if mine != theirs:
                # The learner zoomed or panned (ipympl), or the figure changed size: the shadow at
                # the same settings would not draw what the figure shows. Nothing is drawn ahead
                # until a step finds them alike again (a new size is taken at once).
                self._queue = []
                if mine[:2] != theirs[:2]:
                    self.forget()
            return 0
        try:
            encoded, readout = self._render(shadow, explorer, name, value)
        except Exception:  # noqa: BLE001 - drawing ahead is only ever a shortcut
            self._shown = None
            return 0
        if encoded is None:
            return 0
        self._hold(key)
        self.picture.send({"ahead": key, "readout": readout}, [encoded])
        return 1

    def _render(self, shadow, explorer, name, value):
        """The picture and readout ``explorer`` would show after its control ``name`` moved to
        ``value`` from its current settings, drawn on ``shadow``."""
        from . import _backend

        controls, mirrors = explorer.controls, shadow.controls
        shadow._ready = False  # copying the settings over is not a step
        try:
            for key in controls:
                _copy_control(controls[key], mirrors[key])
        finally:
            shadow._ready = True
        shown = self._shown
        with shadow.hold():
            # what the shadow's figure shows differently from these settings is drawn again too
            shadow._pending.update(key for key in mirrors if shown is None or shown.get(key) != mirrors[key].value)
            if name is not None:
                mirrors[name].value = value
                if not shadow._pending:
                    shadow._pending.add(name)
        if shadow.error is not None:
            self._shown = None
            return None, None
        self._shown = shadow.params
        if name is None:
            return None, None
        _match_layout(shadow, explorer)
        rgba = shadow.to_rgba()
        if self.picture.target is not None:  # painted over ipympl's canvas: its own lossless pixels
            return _backend.fast_png(rgba), shadow.readout.value
        return (_backend.encode_image(rgba, fmt=explorer.picture_format, quality=85), shadow.readout.value)

    def _get_shadow(self):
        from . import _backend

        if self._shadow is None and not self._shadow_failed:
            explorer = self.explorer
            args, kwargs = getattr(explorer, "_init_args", (None, None))
            try:
                if args is None:
                    raise TypeError("no constructor arguments recorded")
                with _backend.plain_figures():  # an Agg figure, even under ipympl
                    shadow = type(explorer)(*args, **kwargs)
                self._fit(shadow, redraw=True)
            except Exception:  # noqa: BLE001 - then there is no drawing ahead for this explorer
                self._shadow_failed = True
                return None
            # It is never shown: its widgets need no comm to the page.
            for widget in (*shadow.controls.values(), shadow.readout, shadow.status, shadow.output):
                widget.close()
            self._shadow, self._shown = shadow, None
        return self._shadow

    def _fit(self, shadow, *, redraw: bool = False) -> None:
        """Give ``shadow`` the explorer's dpi and size, and draw it again when they changed (or
        when ``redraw``)."""
        figure, theirs = shadow.figure, self.explorer.figure
        if redraw or figure.dpi != theirs.dpi or tuple(figure.get_size_inches()) != tuple(theirs.get_size_inches()):
            figure.set_dpi(theirs.dpi)
            figure.set_size_inches(theirs.get_size_inches())
            shadow.redraw()

    def _close_shadow(self) -> None:
        if self._shadow is not None:
            self._shadow.close()
            self._shadow, self._shown = None, None

    def close(self) -> None:
        self.cancel()
        if self._making is not None:
            self._making.cancel()
            self._making = None
        self._close_shadow()
