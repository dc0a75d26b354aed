"""Tick locators and formatters for time (seconds) and frequency (Hz, log Hz, mel) axes.

The formatters and :class:`LogHzLocator` are public (re-exported by :mod:`audioviz.display`);
the other locators are helpers that pick "nice" positions in the unit a reader thinks in: 1-2-5 seconds or whole
minutes on a time axis, round Hz values on a log or mel axis even though the axis itself is
measured in mel.
"""
from __future__ import annotations

import math
import re

import numpy as np
from matplotlib import ticker

__all__ = ["HzFormatter", "LogHzLocator", "MelHzFormatter", "MelHzLocator", "MelLocator", "TimeFormatter",
           "TimeLocator", "thin_to_fit"]

# Tick spacings a reader can count in, in seconds: 1-2-5 below a minute, then whole minutes/hours.
_SUB_MINUTE_MANTISSAS = (1.0, 2.0, 5.0)
_LONG_STEPS = (10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0,
               7200.0, 10800.0, 21600.0, 43200.0, 86400.0)


def _nice_time_step(raw_step: float) -> float:
    """Smallest readable time step (seconds) that is at least ``raw_step``."""
    if raw_step <= 0 or not math.isfinite(raw_step):
        return 1.0
    if raw_step > 5.0:
        for step in _LONG_STEPS:
            if step >= raw_step:
                return step
        return 86400.0 * math.ceil(raw_step / 86400.0)
    exponent = math.floor(math.log10(raw_step))
    for mantissa in _SUB_MINUTE_MANTISSAS + (10.0,):
        step = mantissa * 10.0**exponent
        if step >= raw_step * (1 - 1e-9):
            return step
    return 10.0 ** (exponent + 1)


class _ViewLocator(ticker.Locator):
    """A locator whose ticks depend only on the axis' view interval (see ``tick_values``)."""

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)


# Room between two tick labels, in multiples of the label font size.
_LABEL_GAP_EM = 0.8


def _label_size_px(axis) -> float:
    """Font size of ``axis``' tick labels in display pixels."""
    ticks = axis.majorTicks  # a lazy list: reading it never calls the locator
    size = ticks[0].label1.get_fontsize() if len(ticks) else 10.0
    return float(size) * axis.figure.dpi / 72.0


def thin_to_fit(axis, values, labels, priority) -> np.ndarray:
    """The ``values`` whose ``labels`` fit on ``axis`` without touching, most important first.

    Labels are placed in order of ``priority`` (lower first; e.g. 0 and powers of ten before
    fives before twos) and one is dropped when it would come closer than a small gap to a label
    already kept, measured in display pixels through the axis' own transform, so it holds on
    any scale (linear, log, symlog, a secondary mel axis). Without an axis attached to a figure
    (a locator called on its own) every value is kept.
    """
    values = np.asarray(values, dtype=float)
    if axis is None or getattr(axis, "figure", None) is None or values.size < 2:
        return values
    name = getattr(axis, "axis_name", "x")
    column = 0 if name == "x" else 1
    points = np.zeros((values.size, 2))
    points[:, column] = values
    with np.errstate(all="ignore"):
        pixels = axis.axes.transData.transform(points)[:, column]
    em = _label_size_px(axis)
    if name == "x":  # labels side by side: their widths count (about 0.6 em per character)
        half = np.array([0.3 * em * max(1, len(text)) for text in labels])
    else:  # labels stacked: their heights
        half = np.full(values.size, 0.6 * em)
    kept: list[int] = []
    for index in np.argsort(np.asarray(priority), kind="stable"):
        if not np.isfinite(pixels[index]):
            continue
        if all(abs(pixels[index] - pixels[k]) >= half[index] + half[k] + _LABEL_GAP_EM * em for k in kept):
            kept.append(index)
    return values[np.sort(np.array(kept, dtype=int))]


def _roundness(hz: np.ndarray) -> np.ndarray:
    """Priority of round frequencies: 0 and powers of ten first, then 5, 2 and 3 times them."""
    hz = np.asarray(hz, dtype=float)
    mantissa = np.round(hz / 10.0 ** np.floor(np.log10(np.maximum(hz, 1e-300))), 6)
    rank = np.select([hz == 0, mantissa == 1, mantissa == 5, mantissa == 2], [0, 0, 1, 2], default=3)
    # among equals, lower frequencies first
    return rank * 1e6 + np.argsort(np.argsort(hz))


class TimeLocator(_ViewLocator):
    """Ticks at readable times: 1-2-5 steps below ten seconds, then 10 s, 15 s, 30 s, 1 min,
    2 min, 5 min, ..., 1 h."""

    def __init__(self, nbins: int = 8):
        self.nbins = nbins

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((float(vmin), float(vmax)))
        if vmax - vmin <= 0:
            return np.array([vmin])
        step = _nice_time_step((vmax - vmin) / self.nbins)
        first = math.ceil(vmin / step - 1e-9) * step
        ticks = np.arange(first, vmax + step * 1e-9, step)
        return np.round(ticks / step) * step


class TimeFormatter(ticker.Formatter):
    """Format seconds as ``ms``, ``s``, ``m:ss`` or ``h:mm:ss``, whichever suits the axis.

    With ``unit=None`` the unit follows the largest time shown: milliseconds below one second,
    seconds below a minute, ``m:ss`` below an hour and ``h:mm:ss`` above; decimals follow the
    tick spacing. The unit named in brackets in the axis label, whatever its wording
    (``"Time (s)"``, ``"time (s)"``, ``"elapsed [ms]"``), is kept up to date, e.g. ``"Time (m:ss)"``.
    A label that names no unit is left alone, and then the ticks keep to seconds (``unit="s"``)
    unless the label is empty, so a label is never left saying something the ticks contradict.

    Args:
        unit: ``None`` (automatic), ``"ms"``, ``"s"``, ``"m:ss"`` or ``"h:mm:ss"``.

    Example:
        >>> TimeFormatter(unit="m:ss")(75.0), TimeFormatter(unit="ms")(0.25)
        ('1:15', '250')
    """

    UNITS = ("ms", "s", "m:ss", "h:mm:ss")

    def __init__(self, unit: str | None = None):
        if unit is not None and unit not in self.UNITS:
            raise ValueError(f"unit must be None or one of {', '.join(map(repr, self.UNITS))}; got {unit!r}")
        self.unit = unit
        self._auto_unit = "s"
        self._decimals = None

    # -- choosing unit and precision -------------------------------------------------------
    @staticmethod
    def unit_for(largest: float) -> str:
        """The automatic unit for an axis whose largest absolute time is ``largest`` seconds."""
        if largest >= 3600:
            return "h:mm:ss"
        if largest >= 60:
            return "m:ss"
        if largest >= 1 or largest == 0:
            return "s"
        return "ms"

    def set_locs(self, locs):
        self.locs = locs
        locs = np.asarray(locs, dtype=float)
        if self.axis is not None:
            vmin, vmax = self.axis.get_view_interval()
            largest = max(abs(vmin), abs(vmax))
        else:
            largest = float(np.max(np.abs(locs))) if locs.size else 0.0
        self._auto_unit = self.unit or self._unit_the_labels_allow(self.unit_for(largest))
        step = float(np.min(np.diff(np.sort(locs)))) if locs.size > 1 else 0.0
        self._decimals = self._decimals_for(step, self._auto_unit)
        self._relabel_axis()

    @staticmethod
    def _decimals_for(step: float, unit: str) -> int:
        if step <= 0:
            return 0
        if unit == "ms":
            step = step * 1000
        elif unit in ("m:ss", "h:mm:ss"):
            if step >= 1:
                return 0
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        # a step of 0.25 needs two decimals, not one
        while decimals < 9 and abs(round(step, decimals) - step) > 1e-9 * max(1.0, step):
            decimals += 1
        return decimals

    # a time unit in round or square brackets, as the label's last word: "(s)", "[ms]", "(m:ss)"
    _UNIT_IN_LABEL = re.compile(r"([(\[])\s*(ms|s|sec|seconds|m:ss|h:mm:ss)\s*([)\]])\s*$", re.IGNORECASE)

    def _relabel_axis(self):
        axis = self.axis
        if axis is None:
            return
        # Axes that share this axis share this formatter too, but only one of them is
        # ``self.axis``: relabel every sibling, since the visible label is often on another.
        for sibling in self._shared_axes(axis):
            label = sibling.get_label_text()
            found = self._UNIT_IN_LABEL.search(label)
            if found and self._SAME_UNIT.get(found.group(2).lower(), found.group(2)) != self._auto_unit:
                sibling.set_label_text(f"{label[:found.start()]}{found.group(1)}{self._auto_unit}{found.group(3)}")

    _SAME_UNIT = {"sec": "s", "seconds": "s"}

    def _unit_the_labels_allow(self, unit: str) -> str:
        """``unit``, or seconds when a label of the user's names no unit that can be updated
        (seconds being what a time axis is taken to be in)."""
        if self.axis is None:
            return unit
        labels = [sibling.get_label_text() for sibling in self._shared_axes(self.axis)]
        if any(label and not self._UNIT_IN_LABEL.search(label) for label in labels):
            return "s"
        return unit

    @staticmethod
    def _shared_axes(axis):
        axes = getattr(axis, "axes", None)
        name = getattr(axis, "axis_name", None)
        if axes is None or name not in ("x", "y"):
            return [axis]
        group = axes.get_shared_x_axes() if name == "x" else axes.get_shared_y_axes()
        return [getattr(a, f"{name}axis") for a in group.get_siblings(axes)]

    # -- formatting ------------------------------------------------------------------------
    def __call__(self, x, pos=None):
        unit = self.unit or (self._auto_unit if self.locs is not None and len(self.locs) else self.unit_for(abs(x)))
        decimals = self._decimals if self._decimals is not None else self._decimals_of(x, unit)
        return self.format_seconds(x, unit, decimals)

    @staticmethod
    def _decimals_of(x: float, unit: str) -> int:
        """Fewest decimals (at most 3) that write ``x`` exactly, for a call outside an axis."""
        value = abs(x) * (1000 if unit == "ms" else 1)
        for decimals in range(4):
            if abs(round(value, decimals) - value) < 1e-9:
                return decimals
        return 3

    locs = None

    @staticmethod
    def format_seconds(x: float, unit: str, decimals: int = 0) -> str:
        """``x`` seconds written in ``unit`` with ``decimals`` digits after the point."""
        sign = "-" if x < -1e-12 else ""
        x = abs(x)
        if unit == "ms":
            return f"{sign}{x * 1000:.{decimals}f}"
        if unit == "s":
            return f"{sign}{x:.{decimals}f}"
        x = round(x, decimals)
        hours, rest = divmod(x, 3600)
        minutes, seconds = divmod(rest, 60)
        width = 2 + (decimals + 1 if decimals else 0)
        sec = f"{seconds:0{width}.{decimals}f}"
        if unit == "m:ss":
            return f"{sign}{int(hours * 60 + minutes)}:{sec}"
        return f"{sign}{int(hours)}:{int(minutes):02d}:{sec}"


class HzFormatter(ticker.Formatter):
    """Format a frequency in Hz compactly: ``"0"``, ``"500"``, ``"1k"``, ``"2.5k"``.

    Example:
        >>> HzFormatter()(2500.0), HzFormatter()(440.0)
        ('2.5k', '440')
    """

    @staticmethod
    def format_hz(hz: float) -> str:
        hz = float(hz)
        if hz == 0:
            return "0"
        if abs(hz) < 1000:
            return f"{float(f'{hz:.3g}'):g}"
        return f"{round(hz / 1000, 3):g}k"

    def __call__(self, x, pos=None):
        return self.format_hz(x)


class MelHzFormatter(HzFormatter):
    """Label a mel-scale axis with the frequency in Hz of each tick position.

    The axis itself is measured in mel (so rows of a mel spectrogram are evenly spaced, as the
    filters are); the labels say which frequency in Hz sits there.

    Args:
        mel_scale: ``"htk"`` (torchaudio's default) or ``"slaney"``.

    Example:
        >>> MelHzFormatter()(1000.0)  # 1000 mel on the HTK scale is 1000 Hz
        '1k'
    """

    def __init__(self, mel_scale: str = "htk"):
        from ._mel import MEL_SCALES  # not .features: tick labels must not import torch

        if mel_scale not in MEL_SCALES:
            raise ValueError(f"mel_scale must be one of {', '.join(map(repr, MEL_SCALES))}; got {mel_scale!r}")
        self.mel_scale = mel_scale

    _decimals = None  # set by set_locs when the usual labels would not tell the ticks apart

    def set_locs(self, locs):
        from ._mel import mel_to_hz

        super().set_locs(locs)
        self._decimals = None
        hz = np.sort(np.asarray(mel_to_hz(np.asarray(locs, dtype=float), mel_scale=self.mel_scale), dtype=float))
        if hz.size > 1 and len({self._round_label(v) for v in hz}) < hz.size:
            # a narrow axis (e.g. 7990-8000 Hz): plain Hz with as many decimals as the tick step needs
            step = float(np.min(np.diff(hz)))
            self._decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0

    def _round_label(self, hz: float) -> str:
        # ticks placed by MelHzLocator are round numbers of Hz; undo float noise from the round trip
        return self.format_hz(float(f"{hz:.4g}"))

    def __call__(self, x, pos=None):
        from ._mel import mel_to_hz

        hz = float(mel_to_hz(float(x), mel_scale=self.mel_scale))
        if self._decimals is not None:
            return f"{hz:.{self._decimals}f}"
        return self._round_label(hz)


def _nice_hz_candidates(lo_hz: float, hi_hz: float, mantissas) -> np.ndarray:
    lo_exp = math.floor(math.log10(max(lo_hz, 1.0)))
    hi_exp = math.ceil(math.log10(max(hi_hz, 10.0)))
    values = [m * 10.0**e for e in range(lo_exp, hi_exp + 1) for m in mantissas]
    values = np.array(sorted(set([0.0] + values)))
    return values[(values >= lo_hz - 1e-9) & (values <= hi_hz + 1e-9)]


def _spread(positions: np.ndarray, min_gap: float) -> np.ndarray:
    """Keep positions (ascending) at least ``min_gap`` apart, greedily from the lowest."""
    kept = []
    for index, pos in enumerate(positions):
        if not kept or pos - positions[kept[-1]] >= min_gap:
            kept.append(index)
    return np.array(kept, dtype=int)


class MelHzLocator(_ViewLocator):
    """Ticks at round frequencies in Hz (1, 2, 3, 5 x 10^k) placed at their mel positions,
    spaced so that about ``nbins`` fit on the axis and no two labels touch."""

    def __init__(self, mel_scale: str = "htk", nbins: int = 7):
        self.mel_scale = mel_scale
        self.nbins = nbins

    def tick_values(self, vmin, vmax):
        from ._mel import hz_to_mel, mel_to_hz

        vmin, vmax = sorted((float(vmin), float(vmax)))
        lo_hz = float(mel_to_hz(max(vmin, 0.0), mel_scale=self.mel_scale))
        hi_hz = float(mel_to_hz(max(vmax, 0.0), mel_scale=self.mel_scale))
        hz = _nice_hz_candidates(lo_hz, hi_hz, (1.0, 2.0, 3.0, 5.0))
        # below 100 Hz the mel rows are a few Hz apart: 0 is the only tick worth reading there
        hz = hz[(hz == 0) | (hz >= 100)]
        if hz.size < 2 and hi_hz > lo_hz:
            # a narrow axis (e.g. 7990-8000 Hz) holds at most one round frequency: evenly spaced Hz
            # instead (mel is close to linear in Hz over a narrow range)
            hz = ticker.MaxNLocator(nbins=self.nbins, steps=[1, 2, 5, 10]).tick_values(lo_hz, hi_hz)
            hz = hz[(hz >= lo_hz - 1e-9 * hi_hz) & (hz <= hi_hz * (1 + 1e-9))]
        if hz.size == 0:
            return np.array([])
        mels = np.asarray(hz_to_mel(hz, mel_scale=self.mel_scale), dtype=float)
        keep = _spread(mels, 0.75 * (vmax - vmin) / self.nbins)
        mels, hz = mels[keep], hz[keep]
        return thin_to_fit(self.axis, mels, [HzFormatter.format_hz(v) for v in hz], _roundness(hz))


class MelLocator(_ViewLocator):
    """Ticks at round mel values (1, 2, 5 x 10^k mel) on an axis measured in mel, e.g. the mel
    axis along the top of :func:`audioviz.plot_mel_filterbank`, thinned so no two labels touch
    even where the axis is drawn on a Hz scale (mel crowds together at high frequencies)."""

    def __init__(self, nbins: int = 8):
        self.nbins = nbins

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((float(vmin), float(vmax)))
        if not vmax > vmin:
            return np.array([vmin])
        step = ticker.MaxNLocator(nbins=self.nbins, steps=[1, 2, 5, 10]).tick_values(vmin, vmax)
        values = step[(step >= vmin - 1e-9) & (step <= vmax + 1e-9)]
        return thin_to_fit(self.axis, values, [f"{v:g}" for v in values], _roundness(np.abs(values)))


class LogHzLocator(_ViewLocator):
    """Ticks at round frequencies (1, 2, 5 x 10^k Hz) for a log or symmetric-log Hz axis.

    Labels are kept, most round first (powers of ten, then fives, then twos), as long as they
    do not touch, so a tall axis reads 100, 200, 500, 1k, 2k, 5k and a short one 100, 1k. 0 Hz
    gets no tick: a log axis has no zero (on a symmetric-log axis it is the bottom edge).

    Args:
        nbins: the most ticks. Default: ``9``.
        linthresh: the symmetric-log threshold in Hz. Ticks start at 100 Hz, or at
            ``1.5 * linthresh`` when that is lower. Default: ``64``.

    It is what ``plot_spectrogram(..., y_axis="log")`` uses; give it to an axis of your own
    (with :class:`HzFormatter`) to get the same readable ticks, e.g. on a symlog axis::

        ax.set_xscale("symlog", linthresh=1000)
        ax.xaxis.set_major_locator(audioviz.display.LogHzLocator(linthresh=1000))
        ax.xaxis.set_major_formatter(audioviz.HzFormatter())

    Example:
        >>> LogHzLocator(linthresh=64).tick_values(0, 8000)
        array([ 100.,  200.,  500., 1000., 2000., 5000.])
    """

    def __init__(self, nbins: int = 9, linthresh: float = 64.0):
        self.nbins = nbins
        self.linthresh = linthresh

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((float(vmin), float(vmax)))
        # from 100 Hz, or from 1.5 x a smaller threshold: below it the linear part is squeezed
        hz = _nice_hz_candidates(max(vmin, min(1.5 * self.linthresh, 100.0), 1e-3), vmax, (1.0, 2.0, 5.0))
        hz = hz[hz > 0]
        priority = _roundness(hz)
        if hz.size > self.nbins:
            hz = np.sort(hz[np.argsort(priority, kind="stable")[: self.nbins]])
            priority = _roundness(hz)
        return thin_to_fit(self.axis, hz, [HzFormatter.format_hz(v) for v in hz], priority)
