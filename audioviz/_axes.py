"""The axis-kind table: how each kind of plot axis is scaled, ticked and labelled.

Every plot helper in :mod:`audioviz.display` describes its axes by kind (``"time"``, ``"hz"``,
``"log"``, ``"mel"``, ``"mfcc"``, ``"amplitude"``) and applies them through :func:`apply_axis`,
so scale, tick locator, tick formatter and label are decided in one place, not by ``if`` chains
spread through every function. :func:`feature_axis_kind` gives the kind of a
:class:`~audioviz.features.Feature`'s rows (their coordinates come from ``Feature.row_edges``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from matplotlib import ticker

from ._ticks import HzFormatter, LogHzLocator, MelHzFormatter, MelHzLocator, TimeFormatter, TimeLocator

#: Hz below which a "log" frequency axis is linear (the symmetric-log threshold), so 0 Hz fits.
LOG_LINTHRESH_HZ = 64.0


@dataclass(frozen=True)
class AxisKind:
    """How to draw one kind of axis.

    Attributes:
        label: axis label (the unit in brackets).
        scale: ``(name, keywords)`` passed to ``Axes.set_xscale`` / ``set_yscale``.
        locator: ``f(mel_scale) -> Locator``.
        formatter: ``f(mel_scale) -> Formatter``.
    """

    label: str
    scale: tuple
    locator: Callable
    formatter: Callable


AXIS_KINDS = {
    "time": AxisKind("Time (s)", ("linear", {}), lambda m: TimeLocator(), lambda m: TimeFormatter()),
    "hz": AxisKind("Frequency (Hz)", ("linear", {}), lambda m: ticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]),
                   lambda m: HzFormatter()),
    "log": AxisKind("Frequency (Hz)", ("symlog", {"base": 2, "linthresh": LOG_LINTHRESH_HZ, "linscale": 0.5}),
                    lambda m: LogHzLocator(linthresh=LOG_LINTHRESH_HZ), lambda m: HzFormatter()),
    "mel": AxisKind("Frequency (Hz, mel scale)", ("linear", {}), lambda m: MelHzLocator(m), lambda m: MelHzFormatter(m)),
    "mfcc": AxisKind("MFCC coefficient", ("linear", {}), lambda m: ticker.MaxNLocator(nbins=6, integer=True),
                     lambda m: ticker.ScalarFormatter()),
    "amplitude": AxisKind("Amplitude", ("linear", {}), lambda m: ticker.MaxNLocator(nbins=5, symmetric=True),
                          lambda m: ticker.ScalarFormatter()),
}


def apply_axis(ax, which: str, kind: str, *, mel_scale: str = "htk", label: bool = True) -> None:
    """Give ``ax``'s ``which`` (``"x"`` or ``"y"``) axis the scale, ticks and label of ``kind``."""
    spec = AXIS_KINDS[kind]
    axis = ax.xaxis if which == "x" else ax.yaxis
    scale_name, scale_kwargs = spec.scale
    (ax.set_xscale if which == "x" else ax.set_yscale)(scale_name, **scale_kwargs)
    axis.set_major_locator(spec.locator(mel_scale))
    axis.set_major_formatter(spec.formatter(mel_scale))
    if kind in ("log",):
        axis.set_minor_locator(ticker.NullLocator())
    if label:
        axis.set_label_text(spec.label)


def feature_axis_kind(feature, y_axis: str | None = None) -> str:
    """The row-axis kind of a Feature: ``"hz"`` or ``"log"`` (linear Hz rows), ``"mel"``, ``"mfcc"``."""
    if feature.kind == "linear":
        return "log" if y_axis == "log" else "hz"
    return feature.kind

