"""The one-figure overview of a sound (:func:`show`, public through :mod:`audioviz.display`):
waveform, spectrogram, mel spectrogram and MFCC on one time axis."""
from __future__ import annotations

import os
from pathlib import Path

from . import features as F
from ._ticks import TimeFormatter
from ._validation import as_mono, check_sample_rate, plain_text

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

    from .display import plot_mel_spectrogram, plot_mfcc, plot_spectrogram, plot_waveform

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
    fig.suptitle(plain_text(title))  # a file name or title with "$" is not math markup
    return fig
