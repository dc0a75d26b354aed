"""The one-figure overview of a sound (:func:`show`, public through :mod:`audioviz.display`):
waveform, spectrogram, mel spectrogram and MFCC on one time axis."""
from __future__ import annotations

import os
from pathlib import Path

from . import features as F
from ._ticks import TimeFormatter
from ._stream import STREAM_MIN_SAMPLES, stream_overview
from ._validation import as_mono, check_sample_rate, warn_user

__all__ = ["show"]


def _load_source(source, sample_rate):
    from .io import load_audio

    if isinstance(source, (str, os.PathLike)):
        wave, rate = load_audio(source, sample_rate=sample_rate, mono=True)
        return wave, rate, Path(source).name
    if sample_rate is None:
        raise TypeError("sample_rate is required when source is a waveform, not a path; got sample_rate=None")
    wave = as_mono(source, name="source")
    return wave, check_sample_rate(sample_rate), None


def _long_file(source, sample_rate):
    """``source`` as a Path when it is a file long enough to stream (and needs no resampling)."""
    if not isinstance(source, (str, os.PathLike)):
        return None
    import soundfile

    path = Path(source)
    if not path.is_file():
        return None  # load_audio says what is wrong
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError):
        return None
    if info.frames <= STREAM_MIN_SAMPLES or (sample_rate is not None and sample_rate != info.samplerate):
        return None
    return path


def _stream(path, axes, **settings):
    from ._waveform import BINS_PER_PIXEL, axes_width_pixels
    from .io import declared_wav_frames

    name = str(path)
    declared = declared_wav_frames(path)
    overview = stream_overview(path, name=name, n_bins=BINS_PER_PIXEL * axes_width_pixels(axes[0]),
                               max_columns=axes_width_pixels(axes[1]), **settings)
    if declared is not None and declared > overview.n_samples:
        warn_user(f"audio file {name} is cut short: its data chunk declares {declared} samples per channel but "
                  f"holds {overview.n_samples}; the {overview.n_samples} samples present are shown")
    return overview, path.name


def _draw_envelope(ax, envelope, duration):
    from ._axes import apply_axis
    from ._waveform import draw_envelope

    edges, lows, highs = envelope
    draw_envelope(ax, edges, lows, highs)
    peak = float(max(-lows.min(), highs.max()))
    limit = 1.05 * peak if peak > 0 else 1.0
    ax.set_xlim(0.0, duration)
    ax.set_ylim(-limit, limit)
    apply_axis(ax, "x", "time")
    apply_axis(ax, "y", "amplitude")


def show(source, sample_rate=None, *, n_fft: int = 400, hop_length: int | None = None,
         n_mels: int = F.DEFAULT_N_MELS, n_mfcc: int = 20, mel_scale: str = "htk", title: str | None = None,
         figsize=(10, 8.5)):
    """Overview of a sound: waveform, spectrogram, mel spectrogram and MFCC sharing one time axis.

    A file longer than :data:`audioviz._stream.STREAM_MIN_SAMPLES` samples (about 8.7 minutes
    at 16 kHz) is read block by block and never held whole, so memory stays bounded however long
    the recording (its waveform panel is then a fixed envelope that does not refine on zoom).

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

    from .display import plot_mel_spectrogram, plot_mfcc, plot_spectrogram, plot_waveform

    streamed = _long_file(source, sample_rate)
    if streamed is None:
        wave, rate, name = _load_source(source, sample_rate)
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(4, 2, width_ratios=[50, 1], height_ratios=[1.0, 1.3, 1.3, 1.0])
    ax_wave = fig.add_subplot(grid[0, 0])
    axes = [ax_wave] + [fig.add_subplot(grid[i, 0], sharex=ax_wave) for i in (1, 2, 3)]
    caxes = [fig.add_subplot(grid[i, 1]) for i in (1, 2, 3)]
    if streamed is not None:
        overview, name = _stream(streamed, axes, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                 n_mfcc=min(n_mfcc, n_mels), mel_scale=mel_scale)
        rate, n_samples = overview.sample_rate, overview.n_samples
        _draw_envelope(ax_wave, overview.envelope, n_samples / rate)
        sources = (overview.spectrogram, overview.mel, overview.mfcc)
        kwargs = [{}, {}, {}]
    else:
        n_samples = wave.shape[-1]
        plot_waveform(wave, rate, ax=ax_wave)
        sources = (wave, wave, wave)
        stft = dict(n_fft=n_fft, hop_length=hop_length)
        mel = dict(stft, n_mels=n_mels, mel_scale=mel_scale)
        kwargs = [stft, mel, dict(mel, n_mfcc=min(n_mfcc, n_mels))]
    computed = rate if streamed is None else None
    plot_spectrogram(sources[0], computed, ax=axes[1], colorbar=caxes[0], **kwargs[0])
    plot_mel_spectrogram(sources[1], computed, ax=axes[2], colorbar=caxes[1], **kwargs[1])
    plot_mfcc(sources[2], computed, ax=axes[3], colorbar=caxes[2], **kwargs[2])
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
