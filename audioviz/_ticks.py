"""Tick locators and formatters for time (seconds) and frequency (Hz, log Hz, mel) axes.

The formatters are public (re-exported by :mod:`audioviz.display`); the locators are private
helpers that pick "nice" positions in the unit a reader thinks in: 1-2-5 seconds or whole
minutes on a time axis, round Hz values on a log or mel axis even though the axis itself is
measured in mel.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib import ticker

__all__ = ["HzFormatter", "LogHzLocator", "MelHzFormatter", "MelHzLocator", "TimeFormatter", "TimeLocator"]

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
    tick spacing. When the axis label starts with ``"Time"`` it is updated to name the unit,
    e.g. ``"Time (m:ss)"``.

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
        self._auto_unit = self.unit or self.unit_for(largest)
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

    def _relabel_axis(self):
        axis = self.axis
        if axis is None:
            return
        # Axes that share this axis share this formatter too, but only one of them is
        # ``self.axis``: relabel every sibling, since the visible label is often on another.
        wanted = f"Time ({self._auto_unit})"
        for sibling in self._shared_axes(axis):
            label = sibling.get_label_text()
            if label.startswith("Time") and label != wanted:
                sibling.set_label_text(wanted)

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
        if abs(hz) < 0.5:
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
        from .features import MEL_SCALES

        if mel_scale not in MEL_SCALES:
            raise ValueError(f"mel_scale must be one of {', '.join(map(repr, MEL_SCALES))}; got {mel_scale!r}")
        self.mel_scale = mel_scale

    def __call__(self, x, pos=None):
        from .features import mel_to_hz

        hz = float(mel_to_hz(float(x), mel_scale=self.mel_scale))
        # ticks placed by MelHzLocator are round numbers of Hz; undo float noise from the round trip
        return self.format_hz(float(f"{hz:.4g}"))


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
    spaced so that about ``nbins`` fit on the axis."""

    def __init__(self, mel_scale: str = "htk", nbins: int = 7):
        self.mel_scale = mel_scale
        self.nbins = nbins

    def tick_values(self, vmin, vmax):
        from .features import hz_to_mel, mel_to_hz

        vmin, vmax = sorted((float(vmin), float(vmax)))
        lo_hz = float(mel_to_hz(max(vmin, 0.0), mel_scale=self.mel_scale))
        hi_hz = float(mel_to_hz(max(vmax, 0.0), mel_scale=self.mel_scale))
        hz = _nice_hz_candidates(lo_hz, hi_hz, (1.0, 2.0, 3.0, 5.0))
        # below 100 Hz the mel rows are a few Hz apart: 0 is the only tick worth reading there
        hz = hz[(hz == 0) | (hz >= 100)]
        if hz.size == 0:
            return np.array([])
        mels = np.asarray(hz_to_mel(hz, mel_scale=self.mel_scale), dtype=float)
        keep = _spread(mels, 0.75 * (vmax - vmin) / self.nbins)
        return mels[keep]


class LogHzLocator(_ViewLocator):
    """Ticks at 0 Hz and round frequencies (1, 2, 5 x 10^k Hz) for a symmetric-log Hz axis."""

    def __init__(self, nbins: int = 9, linthresh: float = 64.0):
        self.nbins = nbins
        self.linthresh = linthresh

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((float(vmin), float(vmax)))
        # 0 Hz, then 1-2-5 steps from the top of the linear part (where the log part starts)
        hz = _nice_hz_candidates(max(vmin, 0.0), vmax, (1.0, 2.0, 5.0))
        hz = hz[(hz == 0) | (hz >= 1.5 * self.linthresh)]
        if hz.size > self.nbins:
            hz = hz[(hz == 0) | np.isin(np.round(hz / 10.0 ** np.floor(np.log10(np.maximum(hz, 1)))), (1.0, 5.0))]
        if hz.size > self.nbins:
            hz = hz[(hz == 0) | (np.log10(np.maximum(hz, 1)) % 1 == 0)]
        return hz
