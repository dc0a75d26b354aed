"""The one-figure overview of a sound (:func:`show`, public through :mod:`audioviz.display`):
waveform, spectrogram, mel spectrogram and MFCC on one time axis.

A file is drawn without torch: :mod:`audioviz._stream` reads it block by block and computes the
three images in numpy, and they are drawn here with the axes, colour scales and colorbars that
:class:`~audioviz.FeatureImage` gives the same Features (``tests/test_show.py`` compares the two).
So ``audioviz show`` on a one-hour recording needs no 600 MB for torch. A waveform given as a
Tensor or array goes through the torch plot helpers of :mod:`audioviz.display`.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._mel import DEFAULT_N_MELS
from ._ticks import TimeFormatter
from ._stream import file_info, stream_overview
from ._validation import as_mono, check_sample_rate, warn_user

__all__ = ["show"]

# What FeatureImage draws each unit with (colormap, colorbar label), for the images drawn here.
_CMAPS = {"dB": "magma", "coefficient": "coolwarm"}
_COLORBAR_LABELS = {"dB": "dB", "coefficient": "MFCC value"}


def _waveform_source(source, sample_rate):
    if sample_rate is None:
        raise TypeError("sample_rate is required when source is a waveform, not a path; got sample_rate=None")
    wave = as_mono(source, name="source")
    return wave, check_sample_rate(sample_rate)


def _read_file(path, axes, sample_rate, **settings):
    """The :class:`~audioviz._stream.Overview` of the file at ``path``, sized to ``axes``."""
    from ._waveform import BINS_PER_PIXEL, axes_width_pixels
    from .io import declared_wav_frames

    name = str(path)
    overview = stream_overview(path, name=name, n_bins=BINS_PER_PIXEL * axes_width_pixels(axes[0]),
                               max_columns=axes_width_pixels(axes[1]), sample_rate=sample_rate, **settings)
    declared = declared_wav_frames(path)
    present = file_info(path, name).frames
    if declared is not None and declared > present:
        warn_user(f"audio file {name} is cut short: its data chunk declares {declared} samples per channel but "
                  f"holds {present}; the {present} samples present are shown")
    return overview


def _draw_waveform(ax, overview):
    """The samples (refined on zoom) when they were kept, else the envelope read from the file."""
    from ._axes import apply_axis
    from ._waveform import AdaptiveWaveform, draw_envelope

    duration = overview.n_samples / overview.sample_rate
    ax.set_xlim(0.0, duration)
    if overview.samples is not None:
        peak = AdaptiveWaveform(ax, overview.samples, overview.sample_rate).peak
    else:
        edges, lows, highs = overview.envelope
        draw_envelope(ax, edges, lows, highs)
        peak = float(max(-lows.min(), highs.max()))
    limit = 1.05 * peak if peak > 0 else 1.0
    ax.set_ylim(-limit, limit)
    apply_axis(ax, "x", "time")
    apply_axis(ax, "y", "amplitude")


def _draw_image(ax, cax, image, duration: float):
    """One :class:`~audioviz._stream.Image` as :class:`~audioviz.FeatureImage` draws a Feature:
    extent in seconds and axis units, the row axis of its kind, a colorbar in ``cax``, MFCC on
    limits symmetric around 0 set by coefficients 1 and up, red arrows beside empty mel rows."""
    from ._axes import apply_axis

    data = image.data
    vmin = vmax = None
    extend = "neither"
    if image.unit == "coefficient":
        rest = data[1:] if data.shape[0] > 1 else data
        limit = float(np.max(np.abs(rest))) or 1.0
        vmin, vmax = -limit, limit
        if float(np.max(np.abs(data))) > limit:
            extend = "both"
    artist = ax.imshow(data, extent=(*image.time_edges, *image.row_edges), cmap=_CMAPS[image.unit], vmin=vmin,
                       vmax=vmax, origin="lower", aspect="auto", interpolation="nearest",
                       interpolation_stage="data")
    apply_axis(ax, "x", "time")
    apply_axis(ax, "y", image.kind, mel_scale=image.mel_scale)
    ax.set_ylim(*image.row_edges)
    t_lo, t_hi = image.time_edges
    ax.set_xlim(max(t_lo, 0.0), min(t_hi, duration))
    colorbar = ax.figure.colorbar(artist, cax=cax, extend=extend)
    colorbar.set_label(_COLORBAR_LABELS[image.unit])
    if image.empty_rows:
        lo, hi = image.row_edges
        centres = lo + (np.asarray(image.empty_rows, dtype=float) + 0.5) * (hi - lo) / data.shape[0]
        ax.plot(np.ones_like(centres), centres, transform=ax.get_yaxis_transform(), linestyle="none", marker="<",
                color="red", markersize=5, clip_on=False, label="empty filters", zorder=4)
    return artist


def show(source, sample_rate=None, *, n_fft: int = 400, hop_length: int | None = None,
         n_mels: int = DEFAULT_N_MELS, n_mfcc: int = 20, mel_scale: str = "htk", title: str | None = None,
         figsize=(10, 8.5)):
    """Overview of a sound: waveform, spectrogram, mel spectrogram and MFCC sharing one time axis.

    A file is read block by block (resampled block by block too, when ``sample_rate`` differs
    from the file's) and never held whole, so memory stays bounded however long the recording,
    and it is drawn without importing torch: ``audioviz show`` of a one-hour file stays well
    under half a gigabyte. A file longer than :data:`audioviz._stream.STREAM_MIN_SAMPLES`
    samples (about 8.7 minutes at 16 kHz) gets a fixed waveform envelope that does not refine
    on zoom; a shorter one keeps its samples and shows them when zoomed in.

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

    path = Path(source) if isinstance(source, (str, os.PathLike)) else None
    if path is None:
        wave, rate = _waveform_source(source, sample_rate)
    else:
        if sample_rate is not None:
            sample_rate = check_sample_rate(sample_rate)
        file_info(path, str(path))  # a missing or unreadable file is said before a figure is made
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(4, 2, width_ratios=[50, 1], height_ratios=[1.0, 1.3, 1.3, 1.0])
    ax_wave = fig.add_subplot(grid[0, 0])
    axes = [ax_wave] + [fig.add_subplot(grid[i, 0], sharex=ax_wave) for i in (1, 2, 3)]
    caxes = [fig.add_subplot(grid[i, 1]) for i in (1, 2, 3)]
    try:
        if path is not None:
            overview = _read_file(path, axes, sample_rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                  n_mfcc=min(n_mfcc, n_mels), mel_scale=mel_scale)
            rate, n_samples, name = overview.sample_rate, overview.n_samples, path.name
            _draw_waveform(ax_wave, overview)
            for ax, cax, image in zip(axes[1:], caxes, (overview.spectrogram, overview.mel, overview.mfcc)):
                _draw_image(ax, cax, image, n_samples / rate)
        else:
            _draw_in_memory(axes, caxes, wave, rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                 n_mfcc=n_mfcc, mel_scale=mel_scale)
            n_samples, name = wave.shape[-1], None
    except BaseException:
        plt.close(fig)  # no half-drawn figure left behind in pyplot
        raise
    duration = n_samples / rate
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
    axes[-1].set_xlim(0.0, duration)
    if title is None:
        what = f"{name}: " if name else ""
        length = f"{duration:.2f} s" if duration < 60 else \
            TimeFormatter.format_seconds(duration, TimeFormatter.unit_for(duration), 0)
        title = f"{what}{length} at {rate} Hz"
    fig.suptitle(title, parse_math=False)  # a file name or title with "$" is not math markup
    return fig


def _draw_in_memory(axes, caxes, wave, rate, *, n_fft, hop_length, n_mels, n_mfcc, mel_scale):
    """The four panels of a waveform given in memory, through the torch plot helpers."""
    from .display import plot_mel_spectrogram, plot_mfcc, plot_spectrogram, plot_waveform

    plot_waveform(wave, rate, ax=axes[0])
    stft = dict(n_fft=n_fft, hop_length=hop_length)
    mel = dict(stft, n_mels=n_mels, mel_scale=mel_scale)
    plot_spectrogram(wave, rate, ax=axes[1], colorbar=caxes[0], **stft)
    plot_mel_spectrogram(wave, rate, ax=axes[2], colorbar=caxes[1], **mel)
    plot_mfcc(wave, rate, ax=axes[3], colorbar=caxes[2], **mel, n_mfcc=min(n_mfcc, n_mels))
