"""Plot helpers with true units on every axis: seconds, Hz, mel, dB.

Each helper takes the data first (a Tensor or array of shape ``(time,)`` or ``(channel, time)``,
or a :class:`~audioviz.features.Feature` that already knows its axes), keyword-only options named
as in torchaudio, ``ax=None`` for the current Axes, and returns its main artist. Axis kinds
(time, Hz, log Hz, mel, MFCC index) are drawn through one table in :mod:`audioviz._axes`; tick
formatters (:class:`TimeFormatter`, :class:`HzFormatter`, :class:`MelHzFormatter`) are public.
The house look lives in ``audioviz.mplstyle``, applied only inside ``with audioviz.style():``.
"""
from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

import numpy as np
import torch

from . import features as F
from ._axes import apply_axis
from ._ticks import HzFormatter, MelHzFormatter, TimeFormatter
from ._validation import (
    as_waveform,
    check_all_finite,
    check_axes,
    check_choice,
    check_sample_rate,
    check_stft_params,
)
from ._reduce import one_thread, pooled_mfcc, pooled_spectrogram, reduce_columns
from ._waveform import AdaptiveWaveform
from ._feature_image import (  # noqa: F401  (re-exported: defined there, public here)
    DEFAULT_CMAPS,
    _check_feature,
    _resolve_max_columns,
    plot_feature,
    update_feature_image,
)

__all__ = [
    "HzFormatter",
    "MelHzFormatter",
    "TimeFormatter",
    "plot_feature",
    "plot_mel_filterbank",
    "plot_mel_scale",
    "plot_mel_spectrogram",
    "plot_mfcc",
    "plot_spectrogram",
    "plot_stft_anatomy",
    "plot_waveform",
    "show",
    "style",
    "update_feature_image",
]

#: The package style sheet used by :func:`style`.
STYLE_PATH = Path(__file__).with_name("audioviz.mplstyle")


@contextlib.contextmanager
def style():
    """Apply the audioviz look (``audioviz.mplstyle``) inside a ``with`` block.

    Importing audioviz never changes matplotlib's global settings; this context manager changes
    them only until the block ends.

    Example:
        >>> import audioviz, torch
        >>> with audioviz.style():
        ...     image = audioviz.plot_spectrogram(torch.randn(16000), 16000)
    """
    import matplotlib.pyplot as plt

    with plt.style.context(str(STYLE_PATH)):
        yield


# ----------------------------------------------------------------------------------------------
# helpers shared by the image plots
# ----------------------------------------------------------------------------------------------
def _feature_or_compute(source, sample_rate, compute):
    """Return ``source`` if it is a Feature, else ``compute(waveform, sample_rate)``."""
    if isinstance(source, F.Feature):
        if sample_rate is not None and check_sample_rate(sample_rate) != source.sample_rate:
            raise ValueError(f"sample_rate must be None or {source.sample_rate} when a Feature is passed "
                             f"(the Feature carries its own), got {sample_rate!r}")
        return source
    if sample_rate is None:
        raise TypeError("sample_rate is required when a waveform (not a Feature) is passed; "
                        "got sample_rate=None")
    return compute(source, sample_rate)


def _energy_feature(source, sample_rate, columns: int, stft: dict, *, mel: dict | None = None, db: bool,
                   top_db):
    """The spectrogram (``mel`` holds the mel keywords: the mel spectrogram) of ``source``, a
    waveform or a Feature, pooled to ``columns`` and in dB when ``db`` is set."""

    def compute(wave, rate):
        # a long waveform is pooled while its STFT is computed, chunk by chunk
        pooled = pooled_spectrogram(wave, rate, max_columns=columns, **stft, mel=mel)
        if pooled is not None:
            return pooled
        return F.spectrogram(wave, rate, **stft) if mel is None else F.mel_spectrogram(wave, rate, **stft, **mel)

    with one_thread():
        feature = _check_feature(_feature_or_compute(source, sample_rate, compute))
        # pool before the dB conversion: the max of powers is the power of the max in dB, and cheaper
        feature = reduce_columns(feature, columns)
        if db and feature.unit in ("power", "magnitude"):
            feature = F.amplitude_to_db(feature, top_db=top_db)
    return feature


# ----------------------------------------------------------------------------------------------
# public plot helpers
# ----------------------------------------------------------------------------------------------
def plot_waveform(waveform, sample_rate, *, ax=None, color=None, max_points: int | None = None, **kwargs):
    """Plot a waveform against time in seconds, one row per channel.

    Signals with more samples than about three per pixel are drawn as their exact per-pixel
    min/max envelope (every peak kept), so a one-hour recording at 16 kHz draws in a blink and
    looks right. Zooming in (e.g. with ``ax.set_xlim`` or the ipympl toolbar) recomputes the
    envelope for the visible range, down to the individual samples.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``; float in
            [-1, 1] or integer PCM (scaled by its type's range).
        sample_rate: samples per second, in Hz.
        ax: the Axes to draw in. Default: the current Axes. A multi-channel waveform splits it
            into one row per channel sharing the time axis.
        color: line colour. Default: the next colour of the Axes.
        max_points: width of the envelope in bins. Default: the Axes width in pixels.
        **kwargs: passed to the Line2D (short signals) or PolyCollection (envelope).

    Returns:
        The artist showing channel 0: a :class:`~matplotlib.lines.Line2D` of the samples or a
        :class:`~matplotlib.collections.PolyCollection` envelope. For several channels, a list
        with one artist per channel.

    Raises:
        TypeError: non-numeric input or ``ax`` that is not an Axes.
        ValueError: empty, 3-D or non-finite input, or ``sample_rate <= 0``.

    Example:
        >>> import torch, audioviz
        >>> line = audioviz.plot_waveform(torch.randn(16000), 16000)
        >>> [float(x) for x in line.axes.get_xlim()]
        [0.0, 1.0]
    """
    # NaN/Inf are caught by the envelope below (they survive min and max) instead of a separate pass
    wave = as_waveform(waveform, check_finite=False)
    sample_rate = check_sample_rate(sample_rate)
    ax = check_axes(ax)
    if wave.shape[-1] <= 1_000_000:
        check_all_finite(wave)
    if max_points is not None:
        max_points = _resolve_max_columns(ax, max_points)
    n_channels, n_samples = wave.shape
    axes = [ax] if n_channels == 1 else _split_axes(ax, n_channels)
    duration = n_samples / sample_rate
    artists = []
    for index, (channel_ax, samples) in enumerate(zip(axes, wave)):
        channel_ax.set_xlim(0.0, duration)
        drawer = AdaptiveWaveform(channel_ax, samples, sample_rate, color=color, max_points=max_points, **kwargs)
        peak = drawer.peak
        if not math.isfinite(peak):
            check_all_finite(wave)
        limit = 1.05 * peak if peak > 0 else 1.0
        channel_ax.set_ylim(-limit, limit)
        channel_ax._audioviz_waveform = drawer  # keep the zoom callback's owner alive
        apply_axis(channel_ax, "x", "time", label=index == n_channels - 1)
        apply_axis(channel_ax, "y", "amplitude")
        if n_channels > 1:
            channel_ax.set_ylabel(f"Channel {index}")
            if index < n_channels - 1:
                channel_ax.tick_params(labelbottom=False)
        artists.append(drawer.artist)
    return artists[0] if n_channels == 1 else artists


def _split_axes(ax, n_rows: int):
    """Replace ``ax`` by ``n_rows`` Axes stacked in its place, sharing the time axis."""
    figure = ax.figure
    spec = ax.get_subplotspec()
    if spec is not None:
        grid = spec.subgridspec(n_rows, 1, hspace=0.1)
        slots = [grid[i] for i in range(n_rows)]
        ax.remove()
        axes = []
        for slot in slots:
            axes.append(figure.add_subplot(slot, sharex=axes[0] if axes else None))
        return axes
    x0, y0, width, height = ax.get_position().bounds
    ax.remove()
    row_height = height / n_rows
    axes = []
    for i in range(n_rows):
        rect = (x0, y0 + (n_rows - 1 - i) * row_height, width, row_height * 0.9)
        axes.append(figure.add_axes(rect, sharex=axes[0] if axes else None))
    return axes


def plot_spectrogram(waveform, sample_rate=None, *, n_fft: int = 400, hop_length: int | None = None,
                     win_length: int | None = None, window="hann", power: float = 2.0, y_axis: str = "linear",
                     db: bool = True, top_db: float | None = 80.0, ax=None, cmap=None, colorbar=True,
                     max_columns: int | None = None, **kwargs):
    """Spectrogram of a waveform with time in seconds, frequency in Hz and a dB colorbar.

    Computes :func:`audioviz.spectrogram` (torchaudio's ``Spectrogram``), pools long inputs to
    the pixels the Axes shows (maximum per column, so short events stay visible), converts to dB
    with a floor ``top_db`` below the peak (silence gives the floor, never ``-inf`` or NaN) and
    draws it with :func:`plot_feature`.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``, or a Feature from
            :func:`audioviz.spectrogram` (then the STFT settings are ignored).
        sample_rate: in Hz; needed for a waveform, not for a Feature.
        n_fft: FFT size; gives ``n_fft // 2 + 1`` frequency rows. Default: ``400``.
        hop_length: samples between frames. Default: ``win_length // 2``.
        win_length: window size in samples. Default: ``n_fft``.
        window: ``"hann"``, ``"hamming"``, ``"blackman"`` or ``"rectangular"``. Default: ``"hann"``.
        power: ``2.0`` for power, ``1.0`` for magnitude. Default: ``2.0``.
        y_axis: ``"linear"`` or ``"log"`` frequency axis (see :func:`plot_feature`).
        db: show decibels. Default: ``True``.
        top_db: dynamic range in dB below the peak. Default: ``80``.
        ax, cmap, colorbar, max_columns: as in :func:`plot_feature`.
        **kwargs: passed to :meth:`matplotlib.axes.Axes.imshow`.

    Returns:
        matplotlib.image.AxesImage: the image (``image.colorbar`` is its colorbar).

    Raises:
        ValueError: bad STFT settings (``hop_length`` or ``win_length`` > ``n_fft``, ...), bad
            input signal, ``sample_rate <= 0`` or unknown ``y_axis``.
        TypeError: ``ax`` is not an Axes.

    Example:
        >>> import torch, audioviz
        >>> image = audioviz.plot_spectrogram(torch.randn(16000), 16000, n_fft=512, y_axis="log")
        >>> image.get_array().shape
        (257, 63)
    """
    check_choice(y_axis, ("linear", "log"), name="y_axis")
    ax = check_axes(ax)

    stft = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, power=power)
    feature = _energy_feature(waveform, sample_rate, _resolve_max_columns(ax, max_columns, colorbar), stft,
                              db=db, top_db=top_db)
    return plot_feature(feature, ax=ax, y_axis=y_axis if feature.kind == "linear" else None, cmap=cmap,
                        colorbar=colorbar, max_columns=max_columns, **kwargs)


def plot_mel_spectrogram(waveform, sample_rate=None, *, n_fft: int = 400, win_length: int | None = None,
                         hop_length: int | None = None, f_min: float = 0.0, f_max: float | None = None,
                         n_mels: int = F.DEFAULT_N_MELS, window="hann", power: float = 2.0, norm: str | None = None,
                         mel_scale: str = "htk", db: bool = True, top_db: float | None = 80.0, ax=None, cmap=None,
                         colorbar=True, max_columns: int | None = None, **kwargs):
    """Mel spectrogram with rows at their true mel positions and tick labels in Hz.

    The y axis is measured in mel: each row sits at the centre of its triangular filter exactly
    as torchaudio's ``melscale_fbanks`` places it, rows are evenly spaced, and the ticks are
    round frequencies in Hz put at their mel positions (:class:`MelHzFormatter`).

    Args:
        waveform: Tensor or array ``(time,)`` / ``(channel, time)``, or a Feature from
            :func:`audioviz.mel_spectrogram`.
        sample_rate: in Hz; needed for a waveform, not for a Feature.
        n_fft, win_length, hop_length, window, power: STFT settings as in :func:`plot_spectrogram`.
        f_min: lowest filter edge in Hz. Default: ``0``.
        f_max: highest filter edge in Hz. Default: ``sample_rate / 2``.
        n_mels: number of mel filters. Default: ``64`` (see :data:`audioviz.features.DEFAULT_N_MELS`).
        norm: ``None`` or ``"slaney"``. mel_scale: ``"htk"`` (default) or ``"slaney"``.
        db, top_db, ax, cmap, colorbar, max_columns: as in :func:`plot_spectrogram`.
        **kwargs: passed to :meth:`matplotlib.axes.Axes.imshow`.

    Returns:
        matplotlib.image.AxesImage: the image, of shape ``(n_mels, columns)``.

    Example:
        >>> import torch, audioviz
        >>> image = audioviz.plot_mel_spectrogram(torch.randn(16000), 16000, n_mels=40)
        >>> image.get_array().shape[0]
        40
    """
    ax = check_axes(ax)

    stft = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, power=power)
    mel = dict(n_mels=n_mels, f_min=f_min, f_max=f_max, norm=norm, mel_scale=mel_scale)
    feature = _energy_feature(waveform, sample_rate, _resolve_max_columns(ax, max_columns, colorbar), stft, mel=mel,
                              db=db, top_db=top_db)
    return plot_feature(feature, ax=ax, cmap=cmap, colorbar=colorbar, max_columns=max_columns, **kwargs)


def plot_mfcc(waveform, sample_rate=None, *, n_mfcc: int = 40, n_fft: int = 400, win_length: int | None = None,
              hop_length: int | None = None, f_min: float = 0.0, f_max: float | None = None,
              n_mels: int = F.DEFAULT_N_MELS, mel_scale: str = "htk", log_mels: bool = False, ax=None, cmap=None,
              vmin=None, vmax=None, colorbar=True, max_columns: int | None = None, **kwargs):
    """MFCC against time in seconds and coefficient index, on a diverging colormap centred at 0.

    MFCCs are signed (a cosine transform of log-mel energies), so they are shown as they are, with
    no log or dB applied, blue for negative and red for positive. The colour limits are set by
    coefficients 1 and up; coefficient 0 (overall loudness, usually much larger) may saturate,
    which the colorbar's arrows show. Pass ``vmin``/``vmax`` to choose them yourself.

    Args:
        waveform: Tensor or array ``(time,)`` / ``(channel, time)``, or a Feature from
            :func:`audioviz.mfcc`.
        sample_rate: in Hz; needed for a waveform, not for a Feature.
        n_mfcc: number of coefficients. Default: ``40`` (torchaudio's).
        n_fft, win_length, hop_length, f_min, f_max, n_mels, mel_scale, log_mels: as in
            :func:`audioviz.mfcc`.
        ax, cmap, vmin, vmax, colorbar, max_columns: as in :func:`plot_feature`.
        **kwargs: passed to :meth:`matplotlib.axes.Axes.imshow`.

    Returns:
        matplotlib.image.AxesImage: the image of shape ``(n_mfcc, columns)``.

    Example:
        >>> import torch, audioviz
        >>> image = audioviz.plot_mfcc(torch.randn(16000), 16000, n_mfcc=13)
        >>> lo, hi = image.get_clim(); lo == -hi
        True
    """
    ax = check_axes(ax)

    columns = _resolve_max_columns(ax, max_columns, colorbar)
    settings = dict(n_mfcc=n_mfcc, n_fft=n_fft, win_length=win_length, hop_length=hop_length, f_min=f_min,
                    f_max=f_max, n_mels=n_mels, mel_scale=mel_scale, log_mels=log_mels)

    def compute(wave, rate):
        # a long waveform: computed in chunks and averaged to the pixels shown
        pooled = pooled_mfcc(wave, rate, max_columns=columns, **settings)
        return pooled if pooled is not None else F.mfcc(wave, rate, **settings)

    with one_thread():
        feature = _check_feature(_feature_or_compute(waveform, sample_rate, compute))
    return plot_feature(feature, ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, colorbar=colorbar,
                        max_columns=max_columns, **kwargs)


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


def plot_stft_anatomy(waveform, sample_rate, *, time: float | None = None, n_fft: int = 400,
                      hop_length: int | None = None, win_length: int | None = None, window="hann", figure=None):
    """One figure that explains the short-time Fourier transform, step by step.

    1. the waveform, with the frame of ``n_fft`` samples around ``time`` marked;
    2. that frame and the window;
    3. the windowed frame (what the FFT sees);
    4. its FFT power in dB against frequency in Hz, drawn upright beside
    5. the spectrogram, where that column is outlined at ``time``.

    The frame is cut exactly as torchaudio does (``center=True``, reflect padding, window
    centred in ``n_fft``), so panel 4 is the spectrogram's column.

    Args:
        waveform: Tensor or array ``(time,)`` or ``(channel, time)`` (channel 0 is used).
        sample_rate: in Hz.
        time: the moment to dissect, in seconds. Default: the loudest frame.
        n_fft, hop_length, win_length, window: STFT settings as in :func:`plot_spectrogram`.
        figure: a Figure to draw into. Default: a new figure.

    Returns:
        matplotlib.figure.Figure: the figure; ``figure.axes`` holds the waveform, frame, windowed
        frame, spectrogram and FFT Axes in that order, then the colorbar.

    Example:
        >>> import torch, audioviz
        >>> fig = audioviz.plot_stft_anatomy(torch.randn(16000), 16000, time=0.5)
        >>> len(fig.axes) >= 5
        True
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    wave = as_waveform(waveform)[0]
    sample_rate = check_sample_rate(sample_rate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, win_length, hop_length)
    spec = F.spectrogram(wave, sample_rate, n_fft=n_fft, win_length=win_length, hop_length=hop_length,
                         window=window, power=2.0)
    n_frames = spec.data.shape[-1]
    if time is None:
        frame = int(spec.data[0].sum(dim=0).argmax())
    else:
        if isinstance(time, bool) or not isinstance(time, (int, float)) or not math.isfinite(time):
            raise TypeError(f"time must be a number of seconds, got {time!r}")
        duration = wave.shape[-1] / sample_rate
        if not 0 <= time <= duration:
            raise ValueError(f"time must be within the signal, 0 to {duration:g} s, got {time!r}")
        frame = int(min(n_frames - 1, round(time * sample_rate / hop_length)))

    # cut the frame as torch.stft does: reflect-pad n_fft // 2, window zero-padded to n_fft
    pad = n_fft // 2
    padded = torch.nn.functional.pad(wave.view(1, 1, -1), (pad, pad), mode="reflect").view(-1) \
        if wave.shape[-1] > pad else torch.nn.functional.pad(wave, (pad, pad))
    segment = padded[frame * hop_length: frame * hop_length + n_fft].double()
    window_values = torch.zeros(n_fft, dtype=torch.float64)
    left = (n_fft - win_length) // 2
    window_values[left:left + win_length] = F._window_fn(window)(win_length, dtype=torch.float64)
    windowed = segment * window_values
    power = torch.fft.rfft(windowed).abs() ** 2
    db = 10 * torch.log10(torch.clamp(power, min=1e-10))
    db = torch.maximum(db, db.max() - 80)
    freqs = spec.rows.numpy()
    centre = frame * hop_length / sample_rate
    t = (frame * hop_length - pad + np.arange(n_fft)) / sample_rate

    fig = figure if figure is not None else plt.figure(figsize=(11, 8), layout="constrained")
    rows = fig.add_gridspec(3, 1, height_ratios=[1.0, 1.0, 1.6])
    middle = rows[1].subgridspec(1, 2, width_ratios=[3.0, 1.2])
    bottom = rows[2].subgridspec(1, 2, width_ratios=[1.0, 3.2])
    ax_wave = fig.add_subplot(rows[0])
    ax_frame = fig.add_subplot(middle[0])
    ax_windowed = fig.add_subplot(middle[1], sharey=ax_frame)
    ax_spec = fig.add_subplot(bottom[1])
    ax_fft = fig.add_subplot(bottom[0], sharey=ax_spec)
    titled = dict(loc="left", fontsize="medium")

    plot_waveform(wave, sample_rate, ax=ax_wave, color="0.35")
    ax_wave.axvspan(t[0], t[-1], color="tab:orange", alpha=0.35, linewidth=0)
    ax_wave.set_title(f"1. A frame of n_fft = {n_fft} samples ({1000 * n_fft / sample_rate:g} ms) "
                      f"centred at {centre:.3f} s", **titled)

    peak = float(segment.abs().max()) or 1.0
    ax_frame.plot(t, segment.numpy(), color="0.35", linewidth=0.9, label="frame")
    ax_frame.plot(t, peak * window_values.numpy(), color="tab:orange", linewidth=1.5, label=f"{window} window")
    ax_frame.set_xlim(t[0], t[-1])
    ax_frame.set_ylim(-1.15 * peak, 1.6 * peak)  # room for the legend above the signal
    apply_axis(ax_frame, "x", "time")
    ax_frame.set_ylabel("Amplitude")
    ax_frame.legend(loc="upper right", ncol=2, fontsize="small")
    ax_frame.set_title("2. The frame, and the window (drawn at the frame's height)", **titled)

    ax_windowed.plot(t, windowed.numpy(), color="tab:orange", linewidth=0.9)
    ax_windowed.set_xlim(t[0], t[-1])
    apply_axis(ax_windowed, "x", "time")
    ax_windowed.tick_params(labelleft=False)
    ax_windowed.set_title("3. Frame x window", **titled)

    # the FFT of the windowed frame, upright so its frequencies line up with the spectrogram's
    ax_fft.plot(db.numpy(), freqs, color="tab:blue", linewidth=1.0)
    ax_fft.set_xlim(float(db.max()) - 85, float(db.max()) + 5)
    ax_fft.set_xlabel("Power (dB)")
    ax_fft.set_title("4. |FFT|\u00b2 of it", **titled)

    image = plot_spectrogram(spec, ax=ax_spec, colorbar=True)
    apply_axis(ax_fft, "y", "hz")
    ax_spec.set_ylabel("")
    ax_spec.tick_params(labelleft=False)
    half = hop_length / sample_rate / 2
    ax_spec.add_patch(Rectangle((centre - half, 0), 2 * half, sample_rate / 2, fill=False, edgecolor="cyan",
                                linewidth=1.5))
    ax_spec.set_title(f"5. ... is the column at {centre:.3f} s of the spectrogram "
                      f"(one column every hop_length = {hop_length} samples)", **titled)
    return fig


def _load_source(source, sample_rate):
    from .io import load_audio

    if isinstance(source, (str, os.PathLike)):
        wave, rate = load_audio(source, sample_rate=sample_rate, mono=True)
        return wave, rate, Path(source).name
    if sample_rate is None:
        raise TypeError("sample_rate is required when source is a waveform, not a path; got sample_rate=None")
    wave = as_waveform(source, name="source")
    if wave.shape[0] > 1:
        wave = wave.mean(dim=0, keepdim=True)
    return wave, check_sample_rate(sample_rate), None


def show(source, sample_rate=None, *, n_fft: int = 400, hop_length: int | None = None,
         n_mels: int = F.DEFAULT_N_MELS, n_mfcc: int = 20, mel_scale: str = "htk", title: str | None = None,
         figsize=(10, 8.5)):
    """Overview of a sound: waveform, spectrogram, mel spectrogram and MFCC sharing one time axis.

    Args:
        source: a path to an audio file (WAV, FLAC, OGG), or a Tensor/array ``(time,)`` or
            ``(channel, time)``. Several channels are averaged into one.
        sample_rate: in Hz; required for a waveform. For a file, resample to this rate.
        n_fft, hop_length: STFT settings shared by the three lower panels. Default: ``400``,
            ``n_fft // 2``.
        n_mels: mel filters. Default: ``64``. n_mfcc: coefficients. Default: ``20``.
        mel_scale: ``"htk"`` or ``"slaney"``.
        title: figure title. Default: the file name (for a path), duration and sample rate.
        figsize: figure size in inches.

    Returns:
        matplotlib.figure.Figure: four rows of Axes (``figure.axes[:4]``) sharing x, plus colorbars.

    Example:
        >>> import torch, audioviz
        >>> fig = audioviz.show(torch.randn(16000), 16000)
        >>> [ax.get_ylabel() for ax in fig.axes[:4]]  # doctest: +NORMALIZE_WHITESPACE
        ['Amplitude', 'Frequency (Hz)', 'Frequency (Hz, mel scale)', 'MFCC coefficient']
    """
    import matplotlib.pyplot as plt

    wave, rate, name = _load_source(source, sample_rate)
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(4, 2, width_ratios=[50, 1], height_ratios=[1.0, 1.3, 1.3, 1.0])
    ax_wave = fig.add_subplot(grid[0, 0])
    axes = [ax_wave] + [fig.add_subplot(grid[i, 0], sharex=ax_wave) for i in (1, 2, 3)]
    caxes = [fig.add_subplot(grid[i, 1]) for i in (1, 2, 3)]
    plot_waveform(wave, rate, ax=ax_wave)
    plot_spectrogram(wave, rate, n_fft=n_fft, hop_length=hop_length, ax=axes[1], colorbar=caxes[0])
    plot_mel_spectrogram(wave, rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, mel_scale=mel_scale,
                         ax=axes[2], colorbar=caxes[1])
    plot_mfcc(wave, rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, n_mfcc=min(n_mfcc, n_mels),
              mel_scale=mel_scale, ax=axes[3], colorbar=caxes[2])
    duration = wave.shape[-1] / rate
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
    axes[-1].set_xlim(0.0, duration)
    if title is None:
        what = f"{name}: " if name else ""
        length = f"{duration:.2f} s" if duration < 60 else \
            TimeFormatter.format_seconds(duration, TimeFormatter.unit_for(duration), 0)
        title = f"{what}{length} at {rate} Hz"
    fig.suptitle(title)
    return fig
