"""Plot helpers with true units on every axis: seconds, Hz, mel, dB.

Each helper takes the data first (a Tensor or array of shape ``(time,)`` or ``(channel, time)``,
or a :class:`~audioviz.features.Feature` that already knows its axes), keyword-only options named
as in torchaudio, ``ax=None`` for the current Axes, and returns its main artist. (The Display
objects of :mod:`audioviz.explain` draw several panels, so there ``ax=None`` means a new figure, as
in scikit-learn.) Axis kinds
(time, Hz, log Hz, mel, MFCC index) are drawn through one table in :mod:`audioviz._axes`; tick
formatters (:class:`TimeFormatter`, :class:`HzFormatter`, :class:`MelHzFormatter`) are public.
The house look lives in ``audioviz.mplstyle``, applied only inside ``with audioviz.style():``.
"""
from __future__ import annotations

import contextlib
import math
import warnings
from pathlib import Path

from . import features as F
from ._axes import apply_axis
from ._ticks import HzFormatter, LogHzLocator, MelHzFormatter, TimeFormatter
from ._validation import (
    MAX_ABS_SAMPLE,
    as_mono,
    check_axes,
    check_choice,
    check_sample_rate,
    check_values,
)
from ._reduce import one_thread, pooled_mfcc, pooled_spectrogram, reduce_columns
from ._waveform import AdaptiveWaveform
from ._anatomy import plot_stft_anatomy  # noqa: F401  (public here; one module per figure kind)
from ._mel_plots import plot_mel_filterbank, plot_mel_scale  # noqa: F401
from ._show import show  # noqa: F401
from ._feature_image import (  # noqa: F401  (re-exported: defined there, public here)
    _check_feature,
    _resolve_max_columns,
    plot_feature,
    update_feature_image,
)

__all__ = [
    "HzFormatter",
    "LogHzLocator",
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
    # several channels: mixed to mono before anything is computed, the package's one rule
    return compute(as_mono(source), check_sample_rate(sample_rate))


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
def plot_waveform(waveform, sample_rate, *, ax=None, color=None, max_columns: int | None = None,
                  max_points: int | None = None, **kwargs):
    """Plot a waveform against time in seconds.

    Signals with more samples than about three per pixel are drawn as their exact per-pixel
    min/max envelope (every peak kept), so a one-hour recording at 16 kHz draws in a blink and
    looks right. Zooming in (e.g. with ``ax.set_xlim`` or the ipympl toolbar) recomputes the
    envelope for the visible range, down to the individual samples.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``; float in
            [-1, 1] or integer PCM (scaled by its type's range). Several channels are mixed to
            mono (see "Several channels" on the API page); pass ``waveform[c]`` for channel ``c``.
        sample_rate: samples per second, in Hz.
        ax: the Axes to draw in. Default: the current Axes (``plt.gca()``); it is never removed
            or replaced.
        color: line colour. Default: the next colour of the Axes' property cycle.
        max_columns: width of the envelope in bins. Default: twice the Axes width in pixels.
        max_points: the former name of ``max_columns`` (deprecated).
        **kwargs: passed to the Line2D (short signals) or PolyCollection (envelope).

    Returns:
        The one artist showing the signal: a :class:`~matplotlib.lines.Line2D` of the samples or
        a :class:`~matplotlib.collections.PolyCollection` envelope, whatever the channel count.

    Raises:
        TypeError: non-numeric input or ``ax`` that is not an Axes.
        ValueError: empty, 3-D or non-finite input, a ``(time, channel)`` array, or
            ``sample_rate <= 0``.

    Example:
        >>> import torch, audioviz
        >>> line = audioviz.plot_waveform(torch.randn(2, 16000), 16000)  # stereo: mixed to mono
        >>> [float(x) for x in line.axes.get_xlim()]
        [0.0, 1.0]
    """
    if max_points is not None:
        warnings.warn("plot_waveform(max_points=...) is now max_columns=..., the name every plot helper uses",
                      DeprecationWarning, stacklevel=2)
        max_columns = max_points if max_columns is None else max_columns
    # NaN/Inf are caught by the envelope below (they survive min and max) instead of a separate pass
    wave = as_mono(waveform, check_finite=False)
    sample_rate = check_sample_rate(sample_rate)
    ax = check_axes(ax)
    if wave.shape[-1] <= 1_000_000:
        check_values(wave)
    if max_columns is not None:
        max_columns = _resolve_max_columns(ax, max_columns)
    duration = wave.shape[-1] / sample_rate
    ax.set_xlim(0.0, duration)
    drawer = AdaptiveWaveform(ax, wave[0], sample_rate, color=color, max_points=max_columns, **kwargs)
    peak = drawer.peak
    if not math.isfinite(peak) or peak > MAX_ABS_SAMPLE:
        check_values(wave)
    limit = 1.05 * peak if peak > 0 else 1.0
    ax.set_ylim(-limit, limit)
    apply_axis(ax, "x", "time")
    apply_axis(ax, "y", "amplitude")
    return drawer.artist


# Every feature setting some helper takes, and the helper that takes it: a setting passed to
# the wrong helper is a TypeError naming it, not matplotlib's "AxesImage.set() got an unexpected
# keyword argument" from deep inside imshow.
_FEATURE_SETTINGS = {
    "n_fft": "plot_spectrogram", "win_length": "plot_spectrogram", "hop_length": "plot_spectrogram",
    "window": "plot_spectrogram", "power": "plot_spectrogram", "center": "audioviz.spectrogram",
    "pad_mode": "audioviz.spectrogram", "normalized": "audioviz.spectrogram", "db": "plot_spectrogram",
    "top_db": "plot_spectrogram", "n_mels": "plot_mel_spectrogram", "f_min": "plot_mel_spectrogram",
    "f_max": "plot_mel_spectrogram", "norm": "plot_mel_spectrogram", "mel_scale": "plot_mel_spectrogram",
    "n_mfcc": "plot_mfcc", "dct_type": "audioviz.mfcc", "log_mels": "plot_mfcc", "sample_rate": "plot_spectrogram",
    "sr": "plot_spectrogram (as sample_rate)", "fmin": "plot_mel_spectrogram (as f_min)",
    "fmax": "plot_mel_spectrogram (as f_max)",
}


def _refuse_feature_settings(function: str, kwargs: dict) -> None:
    """Raise a TypeError for a feature setting in ``kwargs`` (those left for matplotlib)."""
    for name in kwargs:
        if name in _FEATURE_SETTINGS:
            raise TypeError(f"{function}() got an unexpected keyword argument {name!r}: it is a setting of "
                            f"{_FEATURE_SETTINGS[name]}, not of {function}")


def plot_spectrogram(waveform, sample_rate=None, *, n_fft: int = 400, win_length: int | None = None,
                     hop_length: int | None = None, window="hann", power: float = 2.0, y_axis: str = "linear",
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
        win_length: window size in samples. Default: ``n_fft``.
        hop_length: samples between frames. Default: ``win_length // 2``.
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
        >>> image.get_array().shape[0]  # n_fft // 2 + 1 rows; columns pooled to the Axes' width
        257
    """
    _refuse_feature_settings("plot_spectrogram", kwargs)
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
    _refuse_feature_settings("plot_mel_spectrogram", kwargs)
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
    _refuse_feature_settings("plot_mfcc", kwargs)
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
