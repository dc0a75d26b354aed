"""Plots of the mel scale itself: the filterbank torchaudio builds, and the Hz-to-mel curve.

:func:`plot_mel_filterbank` draws every triangular filter at the FFT bins it is sampled at, with
empty filters marked; :func:`plot_mel_scale` draws the ``"htk"`` and ``"slaney"`` curves. Both
are public through :mod:`audioviz.display`.
"""
from __future__ import annotations

import math

import numpy as np

from . import features as F
from ._axes import apply_axis
from ._ticks import MelLocator
from ._validation import check_axes, check_choice

__all__ = ["plot_mel_filterbank", "plot_mel_scale"]


def plot_mel_filterbank(sample_rate=16000, *, n_fft: int = 400, n_mels: int = F.DEFAULT_N_MELS, f_min: float = 0.0,
                        f_max: float | None = None, norm: str | None = None, mel_scale: str = "htk", ax=None,
                        cmap="viridis", **kwargs):
    """Draw every triangular mel filter over frequency in Hz, as torchaudio builds them.

    The filters are sampled at the ``n_fft // 2 + 1`` FFT bins (shown as small ticks on the
    frequency axis), so what you see is what ``MelSpectrogram`` multiplies by. Filters narrower
    than the bin spacing catch no bin at all: they are *empty* (their mel row is always zero).
    They are marked with red crosses at their centre and a :class:`UserWarning` says how many.
    This is the trap of ``n_mels=128`` with ``n_fft=400`` at 16 kHz.

    Args:
        sample_rate: in Hz, or a :class:`~audioviz.features.MelFilterbank` to draw as is.
            Default: ``16000``.
        n_fft: FFT size. Default: ``400``.
        n_mels: number of filters. Default: ``64``.
        f_min, f_max: frequency range in Hz. Default: ``0`` and ``sample_rate / 2``.
        norm: ``None`` (peak 1) or ``"slaney"`` (equal area). mel_scale: ``"htk"`` or ``"slaney"``.
        ax: the Axes. Default: the current Axes.
        cmap: colormap giving each filter its colour, low to high. Default: ``"viridis"``.
        **kwargs: passed to the :class:`~matplotlib.collections.LineCollection`.

    Returns:
        matplotlib.collections.LineCollection: one line per filter (weight against Hz).

    Warns:
        UserWarning: when some filters are empty.

    Example:
        >>> import audioviz
        >>> lines = audioviz.plot_mel_filterbank(16000, n_fft=1024, n_mels=40)
        >>> len(lines.get_segments())
        40
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    ax = check_axes(ax)
    if isinstance(sample_rate, F.MelFilterbank):
        bank = sample_rate
    else:
        bank = F.mel_filterbank(sample_rate, n_fft=n_fft, n_mels=n_mels, f_min=f_min, f_max=f_max, norm=norm,
                                mel_scale=mel_scale, warn_empty=False)
    freqs = bank.frequencies.numpy()
    weights = bank.weights.double().numpy()
    segments = [np.column_stack([freqs, weights[:, j]]) for j in range(bank.n_mels)]
    colors = plt.get_cmap(cmap)(np.linspace(0.0, 0.92, bank.n_mels))
    kwargs.setdefault("linewidths", 1.2)
    lines = LineCollection(segments, colors=colors, **kwargs)
    ax.add_collection(lines)
    top = float(weights.max()) if weights.size else 1.0
    ax.set_xlim(0.0, bank.sample_rate / 2)
    ax.set_ylim(0.0, 1.08 * top if top > 0 else 1.0)
    apply_axis(ax, "x", "hz")
    ax.set_ylabel("Filter weight")
    # the FFT bin frequencies: the only places a filter is ever sampled
    if len(freqs) <= 1025:
        ax.plot(freqs, np.zeros_like(freqs), linestyle="none", marker="|", markersize=4, color="0.45",
                label="FFT bins", clip_on=False)
    empty = bank.empty.numpy()
    if empty.any():
        _mark_empty_filters(ax, bank, empty, top)
    secondary = ax.secondary_xaxis(
        "top",
        functions=(lambda hz: F.hz_to_mel(np.clip(hz, 0, None), mel_scale=bank.mel_scale),
                   lambda mel: F.mel_to_hz(mel, mel_scale=bank.mel_scale)),
    )
    # mel crowds together towards high Hz on this axis: the locator drops labels that would touch
    secondary.xaxis.set_major_locator(MelLocator())
    secondary.set_xlabel(f"mel ({bank.mel_scale})")
    return lines


def _mark_empty_filters(ax, bank, empty, top):
    """Draw each empty filter as the triangle it was meant to be (red, dashed) and warn."""
    hz_edges = bank.edges_hz.numpy()
    for j in np.flatnonzero(empty):
        lo, mid, hi = hz_edges[j:j + 3]
        height = 2.0 / (hi - lo) if bank.norm == "slaney" else 1.0
        ax.plot([lo, mid, hi], [0.0, height, 0.0], color="red", linestyle="--", linewidth=1.0)
    centers = bank.centers_hz.numpy()[empty]
    ax.plot(centers, np.zeros_like(centers), linestyle="none", marker="x", color="red", markersize=7,
            markeredgewidth=1.8, label="empty filters", clip_on=False, zorder=4)
    n_empty = int(empty.sum())
    ax.text(0.99, 0.97, f"{n_empty} of {bank.n_mels} filters are empty (red, dashed):\n"
            f"no FFT bin ({bank.sample_rate / bank.n_fft:g} Hz apart) falls inside them",
            transform=ax.transAxes, ha="right", va="top", color="red", fontsize="small",
            bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor="none", alpha=0.9))
    bank.warn_if_empty()


def plot_mel_scale(*, f_min: float = 0.0, f_max: float = 8000.0, mel_scale=("htk", "slaney"), ax=None, **kwargs):
    """The Hz-to-mel curve of torchaudio's ``"htk"`` and ``"slaney"`` mel scales.

    Both bend the same way: equal steps in mel are small steps in Hz at low frequencies and large
    ones at high frequencies, the way pitch is heard. HTK is ``2595 log10(1 + f / 700)``, which
    puts 1000 Hz at 1000 mel. Slaney is linear below 1 kHz (``3 f / 200``, so 1000 Hz is 15 mel)
    and logarithmic above. Their units differ by a factor of about 67, so with both scales the
    second one gets its own y axis on the right (``lines[1].axes``), in its own colour.

    Args:
        f_min, f_max: frequency range in Hz. Default: ``0`` and ``8000``.
        mel_scale: a scale name or a sequence of one or two names. Default: both.
        ax: the Axes. Default: the current Axes.
        **kwargs: passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns:
        list of matplotlib.lines.Line2D: one curve per scale, in the order given; each curve's
        ``ydata`` is in that scale's mel.

    Raises:
        ValueError: unknown ``mel_scale``, more than two scales, negative or non-finite
            frequencies, or ``f_min >= f_max``.

    Example:
        >>> import audioviz
        >>> [line.get_label() for line in audioviz.plot_mel_scale()]
        ['htk', 'slaney']
    """
    ax = check_axes(ax)
    scales = (mel_scale,) if isinstance(mel_scale, str) else tuple(mel_scale)
    for scale in scales:
        check_choice(scale, F.MEL_SCALES, name="mel_scale")
    if not 1 <= len(scales) <= 2:
        raise ValueError(f"mel_scale must name one or two scales, got {mel_scale!r}")
    for name, value in (("f_min", f_min), ("f_max", f_max)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite frequency >= 0 Hz, got {value!r}")
    if f_min >= f_max:
        raise ValueError(f"f_min must be < f_max, got f_min={f_min:g} Hz and f_max={f_max:g} Hz")
    hz = np.linspace(f_min, f_max, 512)
    lines = []
    for index, scale in enumerate(scales):
        target = ax if index == 0 else ax.twinx()
        color = kwargs.get("color", f"C{index}")
        (line,) = target.plot(hz, F.hz_to_mel(hz, mel_scale=scale), label=scale,
                              **{**kwargs, "color": color})
        target.set_ylabel(f"mel ({scale!r} scale)", color=color)
        target.tick_params(axis="y", colors=color)
        target.set_ylim(bottom=0.0 if f_min == 0 else None)
        lines.append(line)
        if f_min <= 1000.0 <= f_max:
            at_1k = float(F.hz_to_mel(1000.0, mel_scale=scale))
            target.plot([1000.0], [at_1k], marker="o", color=color, linestyle="none", zorder=3)
            target.annotate(f"1000 Hz = {at_1k:.0f} mel", (1000.0, at_1k), xytext=(10, -4 if index else 4),
                            textcoords="offset points", fontsize="small", color=color,
                            va="top" if index else "bottom")
    if len(lines) == 2:
        ax.spines["right"].set_visible(True)
        lines[1].axes.spines["right"].set_visible(True)
    ax.set_xlim(f_min, f_max)
    apply_axis(ax, "x", "hz")
    ax.legend(lines, [line.get_label() for line in lines], title="mel_scale", loc="lower right")
    return lines
