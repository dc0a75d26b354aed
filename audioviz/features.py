"""Spectral features that carry their own axes.

Thin helpers over torchaudio's transforms (``Spectrogram``, ``MelSpectrogram``, ``MFCC``,
``AmplitudeToDB``, ``melscale_fbanks``) with torchaudio's parameter names and defaults. Each returns
a :class:`Feature`: the values plus the time of every column in seconds, the coordinate of every
row (Hz, mel or coefficient index) and the unit of the values, so a plot never needs
``sample_rate`` or ``hop_length`` passed a second time.
"""
from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
import torchaudio

from ._validation import (
    as_waveform,
    check_choice,
    check_freq_range,
    check_positive_int,
    check_power,
    check_sample_rate,
    check_stft_params,
    check_top_db,
    warn_user,
)

__all__ = [
    "Feature",
    "MelFilterbank",
    "WINDOWS",
    "amplitude_to_db",
    "hz_to_mel",
    "mel_filterbank",
    "mel_spectrogram",
    "mel_to_hz",
    "mfcc",
    "spectrogram",
]

MEL_SCALES = ("htk", "slaney")
#: Window functions by name, each ``f(win_length) -> Tensor``; "rectangular" is no window at all.
WINDOWS = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "rectangular": lambda n, **kw: torch.ones(n, **kw),
}
#: audioviz's default number of mel bands. torchaudio's default of 128 leaves empty filters
#: when ``n_fft=400`` (the 201 FFT bins are too few), so we start at 64.
DEFAULT_N_MELS = 64


@dataclass(frozen=True, eq=False)
class Feature:
    """A time-frequency representation that knows its own axes.

    Attributes:
        data: Tensor of shape ``(channel, n_rows, n_frames)``.
        times: Tensor of shape ``(n_frames,)``: the centre of each frame, in seconds.
        rows: Tensor of shape ``(n_rows,)``: the coordinate of each row on the axis named by
            ``kind``: Hz for ``"linear"``, mel for ``"mel"`` (filter centres), coefficient index
            for ``"mfcc"``.
        kind: ``"linear"``, ``"mel"`` or ``"mfcc"``.
        unit: ``"power"``, ``"magnitude"``, ``"dB"`` or ``"coefficient"``.
        sample_rate: sample rate of the waveform it came from, in Hz.
        hop_length: samples between frames.
        params: the settings it was computed with (``n_fft``, ``win_length``, ``mel_scale``, ...).

    Example:
        >>> import torch, audioviz
        >>> spec = audioviz.spectrogram(torch.randn(16000), 16000)
        >>> spec.data.shape, spec.unit, round(float(spec.times[1]), 4)
        (torch.Size([1, 201, 81]), 'power', 0.0125)
    """

    data: torch.Tensor
    times: torch.Tensor
    rows: torch.Tensor
    kind: str
    unit: str
    sample_rate: int
    hop_length: int
    params: dict = field(default_factory=dict)

    @property
    def n_channels(self) -> int:
        return self.data.shape[0]

    @property
    def frame_period(self) -> float:
        """Seconds between two columns (``hop_length / sample_rate``)."""
        return self.hop_length / self.sample_rate

    @property
    def duration(self) -> float:
        """Length of the waveform it came from, in seconds."""
        return self.params.get("n_samples", 0) / self.sample_rate

    @property
    def frequencies(self) -> torch.Tensor | None:
        """Centre frequency of each row in Hz (``None`` for MFCC)."""
        if self.kind == "linear":
            return self.rows
        if self.kind == "mel":
            return mel_to_hz(self.rows, mel_scale=self.params.get("mel_scale", "htk"))
        return None

    def time_edges(self) -> tuple[float, float]:
        """Left edge of the first column and right edge of the last, in seconds."""
        half = 0.5 * self.frame_period
        return float(self.times[0]) - half, float(self.times[-1]) + half

    def row_edges(self) -> tuple[float, float]:
        """Lower edge of the first row and upper edge of the last, in axis units."""
        rows = self.rows.double()
        if rows.numel() == 1:
            return float(rows[0]) - 0.5, float(rows[0]) + 0.5
        lo = float(rows[0] - (rows[1] - rows[0]) / 2)
        hi = float(rows[-1] + (rows[-1] - rows[-2]) / 2)
        return lo, hi

    def replace(self, **changes) -> "Feature":
        """A copy with some fields changed (like :func:`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)

    def to_db(self, *, top_db: float | None = 80.0) -> "Feature":
        """This feature in decibels (see :func:`amplitude_to_db`)."""
        return amplitude_to_db(self, top_db=top_db)

    def numpy(self) -> np.ndarray:
        return self.data.detach().cpu().numpy()


def hz_to_mel(freq, *, mel_scale: str = "htk"):
    """Convert frequencies in Hz to mel, as torchaudio does.

    ``"htk"``: ``2595 * log10(1 + f / 700)``. ``"slaney"``: linear below 1 kHz
    (``3 f / 200``), logarithmic above. Accepts a number, numpy array or Tensor; returns the same kind.

    Args:
        freq: frequency in Hz (number, array or Tensor).
        mel_scale: ``"htk"`` or ``"slaney"``. Default: ``"htk"``.

    Returns:
        The same frequencies in mel, as a float, array or Tensor.

    Example:
        >>> round(float(hz_to_mel(1000.0))), round(float(hz_to_mel(1000.0, mel_scale="slaney")))
        (1000, 15)
    """
    check_choice(mel_scale, MEL_SCALES, name="mel_scale")
    is_tensor = isinstance(freq, torch.Tensor)
    f = freq.double() if is_tensor else np.asarray(freq, dtype=np.float64)
    lib = torch if is_tensor else np
    if mel_scale == "htk":
        mels = 2595.0 * lib.log10(1.0 + f / 700.0)
    else:
        f_sp, min_log_hz = 200.0 / 3, 1000.0
        min_log_mel = min_log_hz / f_sp
        logstep = math.log(6.4) / 27.0
        linear = f / f_sp
        log_part = min_log_mel + lib.log(lib.clip(f, min_log_hz, None) / min_log_hz) / logstep
        mels = lib.where(f >= min_log_hz, log_part, linear)
    if is_tensor:
        return mels.to(freq.dtype if freq.is_floating_point() else torch.float64)
    return float(mels) if np.ndim(mels) == 0 else mels


def mel_to_hz(mels, *, mel_scale: str = "htk"):
    """Convert mel to Hz: the inverse of :func:`hz_to_mel`.

    Example:
        >>> round(float(mel_to_hz(1000.0)))
        1000
    """
    check_choice(mel_scale, MEL_SCALES, name="mel_scale")
    is_tensor = isinstance(mels, torch.Tensor)
    m = mels.double() if is_tensor else np.asarray(mels, dtype=np.float64)
    lib = torch if is_tensor else np
    if mel_scale == "htk":
        freqs = 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    else:
        f_sp, min_log_hz = 200.0 / 3, 1000.0
        min_log_mel = min_log_hz / f_sp
        logstep = math.log(6.4) / 27.0
        freqs = lib.where(m >= min_log_mel, min_log_hz * lib.exp(logstep * (m - min_log_mel)), f_sp * m)
    if is_tensor:
        return freqs.to(mels.dtype if mels.is_floating_point() else torch.float64)
    return float(freqs) if np.ndim(freqs) == 0 else freqs


def _frame_times(n_frames: int, *, n_samples: int, sample_rate: int, hop_length: int, n_fft: int, center: bool):
    # With center=True (torchaudio's default) frame t is centred on sample t * hop_length;
    # without padding its centre is half a window later.
    offset = 0.0 if center else n_fft / 2
    return (torch.arange(n_frames, dtype=torch.float64) * hop_length + offset) / sample_rate


def window_function(window):
    """The torch window function for ``window``: a name from :data:`WINDOWS` or a callable
    ``f(win_length, **tensor_kwargs) -> Tensor`` (returned as is). Shared by every STFT in the
    package, so a name means the same window everywhere."""
    if callable(window):
        return window
    check_choice(window, tuple(WINDOWS), name="window")
    return WINDOWS[window]


def spectrogram(
    waveform,
    sample_rate: int,
    *,
    n_fft: int = 400,
    win_length: int | None = None,
    hop_length: int | None = None,
    window="hann",
    power: float | None = 2.0,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
) -> Feature:
    """Short-time Fourier transform magnitude of ``waveform``, with its axes.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``.
        sample_rate: samples per second of ``waveform``, in Hz.
        n_fft: FFT size; gives ``n_fft // 2 + 1`` frequency rows. Default: ``400``.
        win_length: window size in samples. Default: ``n_fft``.
        hop_length: samples between frames. Default: ``win_length // 2``.
        window: ``"hann"``, ``"hamming"``, ``"blackman"``, ``"rectangular"`` or a torch window
            function. Default: ``"hann"``.
        power: exponent of the magnitude: ``2.0`` for power, ``1.0`` for magnitude.
        center: pad so that frame ``t`` is centred at ``t * hop_length``. Default: ``True``.

    Returns:
        Feature of kind ``"linear"`` with data of shape ``(channel, n_fft // 2 + 1, n_frames)``,
        rows in Hz and unit ``"power"`` (``power=2``) or ``"magnitude"`` (``power=1``).

    Example:
        >>> import torch, audioviz
        >>> tone = torch.sin(2 * torch.pi * 440 * torch.arange(16000) / 16000)
        >>> spec = audioviz.spectrogram(tone, 16000, n_fft=400)
        >>> float(spec.rows[spec.data[0].mean(-1).argmax()])
        440.0
    """
    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, win_length, hop_length)
    power = check_power(power)
    transform = torchaudio.transforms.Spectrogram(
        n_fft=n_fft,
        win_length=win_length,
        hop_length=hop_length,
        window_fn=window_function(window),
        power=float(power),
        center=center,
        pad_mode=pad_mode,
        normalized=normalized,
    )
    if not center and wave.shape[-1] < n_fft:
        raise ValueError(f"waveform has {wave.shape[-1]} samples, fewer than n_fft={n_fft} with center=False")
    if center and pad_mode == "reflect" and wave.shape[-1] <= n_fft // 2:
        raise ValueError(
            f"waveform has {wave.shape[-1]} samples; with center=True and pad_mode='reflect' it needs more than "
            f"n_fft // 2 = {n_fft // 2}. Use a smaller n_fft or pad_mode='constant'"
        )
    data = transform(wave)
    times = _frame_times(data.shape[-1], n_samples=wave.shape[-1], sample_rate=sample_rate,
                         hop_length=hop_length, n_fft=n_fft, center=center)
    rows = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64)
    return Feature(
        data=data,
        times=times,
        rows=rows,
        kind="linear",
        unit="power" if float(power) == 2.0 else "magnitude",
        sample_rate=sample_rate,
        hop_length=hop_length,
        params=dict(n_fft=n_fft, win_length=win_length, window=window if isinstance(window, str) else getattr(window, "__name__", "custom"),
                    power=float(power), center=center, n_samples=wave.shape[-1]),
    )


@dataclass(frozen=True, eq=False)
class MelFilterbank:
    """Triangular mel filters over the FFT bins, as torchaudio builds them.

    Attributes:
        weights: Tensor of shape ``(n_freqs, n_mels)`` (torchaudio's ``melscale_fbanks`` layout).
        frequencies: Tensor ``(n_freqs,)``: the FFT bin frequencies in Hz.
        centers_mel: Tensor ``(n_mels,)``: the peak of each filter in mel.
        centers_hz: Tensor ``(n_mels,)``: the same in Hz.
        empty: bool Tensor ``(n_mels,)``: filters that no FFT bin falls into (all-zero weights).
        mel_scale, sample_rate, n_fft, f_min, f_max, norm: the settings.
    """

    weights: torch.Tensor
    frequencies: torch.Tensor
    centers_mel: torch.Tensor
    centers_hz: torch.Tensor
    empty: torch.Tensor
    mel_scale: str
    sample_rate: int
    n_fft: int
    f_min: float
    f_max: float
    norm: str | None = None

    @property
    def edges_hz(self) -> torch.Tensor:
        """Tensor ``(n_mels + 2,)``: filter ``j`` rises from ``edges_hz[j]`` to its peak at
        ``edges_hz[j + 1]`` and falls to zero at ``edges_hz[j + 2]`` (evenly spaced in mel)."""
        return mel_to_hz(_mel_edges(self.f_min, self.f_max, self.n_mels, self.mel_scale), mel_scale=self.mel_scale)

    def mel_params(self) -> dict:
        """The settings a mel :class:`Feature` made with this bank records in its ``params``."""
        return {"n_mels": self.n_mels, "f_min": self.f_min, "f_max": self.f_max, "mel_scale": self.mel_scale,
                "norm": self.norm, "empty_filters": int(self.empty.sum()),
                "empty_rows": self.empty.nonzero().flatten().tolist()}

    def warn_if_empty(self) -> None:
        """Warn (at the learner's line) when some filters catch no FFT bin, naming the cause."""
        n_empty = int(self.empty.sum())
        if n_empty:
            warn_user(
                f"{n_empty} of n_mels={self.n_mels} mel filters are empty: with n_fft={self.n_fft} the FFT bins are "
                f"{self.sample_rate / self.n_fft:g} Hz apart, wider than the narrowest filters. Use fewer mels or "
                f"a larger n_fft."
            )

    @property
    def n_mels(self) -> int:
        return self.weights.shape[1]


def _mel_edges(f_min: float, f_max: float, n_mels: int, mel_scale: str) -> torch.Tensor:
    """The ``n_mels + 2`` filter edges, evenly spaced in mel between ``f_min`` and ``f_max``."""
    m_min = float(hz_to_mel(torch.tensor(f_min, dtype=torch.float64), mel_scale=mel_scale))
    m_max = float(hz_to_mel(torch.tensor(f_max, dtype=torch.float64), mel_scale=mel_scale))
    return torch.linspace(m_min, m_max, n_mels + 2, dtype=torch.float64)


def _check_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm):
    sample_rate = check_sample_rate(sample_rate)
    n_fft = check_positive_int(n_fft, name="n_fft")
    n_mels = check_positive_int(n_mels, name="n_mels")
    f_min, f_max = check_freq_range(f_min, f_max, sample_rate)
    check_choice(mel_scale, MEL_SCALES, name="mel_scale")
    check_choice(norm, (None, "slaney"), name="norm")
    return sample_rate, n_fft, n_mels, f_min, f_max


def mel_filterbank(
    sample_rate: int,
    *,
    n_fft: int = 400,
    n_mels: int = DEFAULT_N_MELS,
    f_min: float = 0.0,
    f_max: float | None = None,
    norm: str | None = None,
    mel_scale: str = "htk",
    warn_empty: bool = True,
) -> MelFilterbank:
    """The mel filterbank torchaudio's ``MelSpectrogram`` uses, with each filter's centre.

    Args:
        sample_rate: in Hz.
        n_fft: FFT size; the filters act on ``n_fft // 2 + 1`` bins. Default: ``400``.
        n_mels: number of filters. Default: ``64``.
        f_min, f_max: frequency range in Hz. Default: ``0`` and ``sample_rate / 2``.
        norm: ``None`` or ``"slaney"`` (area normalisation).
        mel_scale: ``"htk"`` (torchaudio's default) or ``"slaney"``.
        warn_empty: warn when some filters are empty.

    Example:
        >>> fb = mel_filterbank(16000, n_fft=400, n_mels=128, warn_empty=False)
        >>> int(fb.empty.sum())
        4
    """
    sample_rate, n_fft, n_mels, f_min, f_max = _check_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm)
    n_freqs = n_fft // 2 + 1
    with warnings.catch_warnings():
        # We report empty filters ourselves, naming the settings that cause them.
        warnings.simplefilter("ignore", UserWarning)
        weights = torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm, mel_scale)
    centers_mel = _mel_edges(f_min, f_max, n_mels, mel_scale)[1:-1]
    bank = MelFilterbank(
        weights=weights,
        frequencies=torch.linspace(0, sample_rate / 2, n_freqs, dtype=torch.float64),
        centers_mel=centers_mel,
        centers_hz=mel_to_hz(centers_mel, mel_scale=mel_scale),
        empty=weights.max(dim=0).values <= 0,
        mel_scale=mel_scale,
        sample_rate=sample_rate,
        n_fft=n_fft,
        f_min=f_min,
        f_max=f_max,
        norm=norm,
    )
    if warn_empty:
        bank.warn_if_empty()
    return bank


def mel_spectrogram(
    waveform,
    sample_rate: int | None = None,
    *,
    n_fft: int = 400,
    win_length: int | None = None,
    hop_length: int | None = None,
    f_min: float = 0.0,
    f_max: float | None = None,
    n_mels: int = DEFAULT_N_MELS,
    window="hann",
    power: float = 2.0,
    center: bool = True,
    norm: str | None = None,
    mel_scale: str = "htk",
) -> Feature:
    """Mel spectrogram with rows at the true mel position of each filter's centre.

    Parameters are those of :class:`torchaudio.transforms.MelSpectrogram`, except ``n_mels``,
    which defaults to ``64`` (see :data:`DEFAULT_N_MELS`).

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``; or a power or
            magnitude Feature from :func:`spectrogram`, whose STFT is then reused (its settings
            replace ``n_fft, win_length, hop_length, window, power, center``): several mel
            settings of one signal cost one STFT.
        sample_rate: samples per second of ``waveform``, in Hz; for a Feature ``None`` or its own.
        n_fft, win_length, hop_length, window, power, center: as in :func:`spectrogram`.
        f_min: lower edge of the first filter, in Hz. Default: ``0``.
        f_max: upper edge of the last filter, in Hz. Default: ``sample_rate / 2``.
        n_mels: number of mel filters (rows). Default: ``64``.
        norm: ``None`` (filters peak at 1) or ``"slaney"`` (equal area).
        mel_scale: ``"htk"`` (torchaudio's default) or ``"slaney"``.

    Returns:
        Feature of kind ``"mel"``, data of shape ``(channel, n_mels, n_frames)``, rows in mel
        (``feature.frequencies`` gives them in Hz).

    Raises:
        ValueError: bad STFT sizes, ``f_max`` above Nyquist, ``f_min >= f_max``, unknown
            ``mel_scale`` or ``norm``, or a bad waveform (see :func:`spectrogram`); a Feature
            that is not a linear power or magnitude spectrogram of every frame, or whose
            sample rate differs from ``sample_rate``.
        TypeError: a waveform without ``sample_rate``.

    Warns:
        UserWarning: when some filters are empty (too many mels for ``n_fft``).

    Example:
        >>> import torch, audioviz
        >>> mel = audioviz.mel_spectrogram(torch.randn(16000), 16000, n_mels=40)
        >>> mel.data.shape
        torch.Size([1, 40, 81])
        >>> spec = audioviz.spectrogram(torch.randn(16000), 16000)
        >>> audioviz.mel_spectrogram(spec, n_mels=40).data.shape  # the same STFT, reused
        torch.Size([1, 40, 81])
    """
    if isinstance(waveform, Feature):
        spec = _check_linear_spectrogram(waveform, sample_rate)
    elif sample_rate is None:
        raise TypeError("sample_rate is required when a waveform (not a spectrogram Feature) is passed; "
                        "got sample_rate=None")
    else:
        spec = spectrogram(waveform, sample_rate, n_fft=n_fft, win_length=win_length, hop_length=hop_length,
                           window=window, power=power, center=center)
    bank = mel_filterbank(spec.sample_rate, n_fft=spec.params["n_fft"], n_mels=n_mels, f_min=f_min, f_max=f_max,
                          norm=norm, mel_scale=mel_scale)
    # Same product as torchaudio's MelScale: (..., freq, time) -> (..., n_mels, time).
    data = torch.matmul(spec.data.transpose(-1, -2), bank.weights.to(spec.data.dtype)).transpose(-1, -2)
    return spec.replace(
        data=data,
        rows=bank.centers_mel,
        kind="mel",
        params={**spec.params, **bank.mel_params()},
    )


def _check_linear_spectrogram(feature, sample_rate):
    """``feature`` if it is what :func:`spectrogram` returns (power or magnitude, every frame)."""
    if feature.kind != "linear" or feature.unit not in ("power", "magnitude") or "n_fft" not in feature.params \
            or feature.data.shape[-2] != feature.params["n_fft"] // 2 + 1:
        raise ValueError(f"waveform must be a waveform or a power or magnitude Feature from audioviz.spectrogram, "
                         f"got a Feature of kind {feature.kind!r} in {feature.unit!r}")
    if feature.params.get("frames_per_column", 1) != 1:
        raise ValueError(f"waveform must be a spectrogram of every frame, got one pooled "
                         f"{feature.params['frames_per_column']} frames per column (the mel of a pooled "
                         f"spectrogram is not the pooled mel spectrogram)")
    if sample_rate is not None and sample_rate != feature.sample_rate:
        raise ValueError(f"sample_rate must be None or {feature.sample_rate} for this Feature (it carries its "
                         f"own), got {sample_rate!r}")
    return feature


def power_to_db(values: torch.Tensor, *, multiplier: float = 10.0, amin: float = 1e-10,
                top_db: float | None = 80.0) -> torch.Tensor:
    """``multiplier * log10(max(values, amin))``, floored ``top_db`` below its maximum: the one dB
    conversion of the package (:func:`amplitude_to_db`, the STFT anatomy, ...).

    Example:
        >>> power_to_db(torch.tensor([1.0, 0.1, 0.0]), top_db=50.0).tolist()
        [0.0, -10.0, -50.0]
    """
    db = multiplier * torch.log10(torch.clamp(values, min=amin))
    if top_db is not None:
        db = torch.maximum(db, db.amax() - top_db)
    return db


def amplitude_to_db(feature, *, top_db: float | None = 80.0, amin: float = 1e-10) -> Feature:
    """Convert a power or magnitude :class:`Feature` to decibels.

    ``10 * log10(max(x, amin))`` for power, ``20 * log10(...)`` for magnitude, then everything more
    than ``top_db`` below the loudest value is raised to that floor (torchaudio's
    ``AmplitudeToDB``). Silence gives the floor, never ``-inf`` or NaN.

    Note that the default differs from torchaudio's: ``torchaudio.transforms.AmplitudeToDB`` has
    ``top_db=None`` (no floor), we use ``top_db=80`` so that silence and near-silence do not
    stretch the colour scale down to -100 dB. Pass ``top_db=None`` for torchaudio's result.

    Args:
        feature: a Feature in ``"power"`` or ``"magnitude"`` (one already in ``"dB"`` is
            returned as is).
        top_db: dynamic range kept below the maximum, in dB, or ``None`` for no floor.
            Default: ``80`` (torchaudio's is ``None``).
        amin: smallest value before the logarithm. Default: ``1e-10``.

    Returns:
        Feature: the same axes, values in dB, ``unit="dB"``.

    Example:
        >>> import torch, audioviz
        >>> db = audioviz.amplitude_to_db(audioviz.spectrogram(torch.zeros(1000), 8000))
        >>> db.unit, bool(torch.isfinite(db.data).all())
        ('dB', True)
    """
    if not isinstance(feature, Feature):
        raise TypeError(f"feature must be an audioviz Feature, got {type(feature).__name__}")
    if feature.unit == "dB":
        return feature
    if feature.unit not in ("power", "magnitude"):
        raise ValueError(f"feature.unit must be 'power' or 'magnitude' to convert to dB, got {feature.unit!r}")
    top_db = check_top_db(top_db)
    db = power_to_db(feature.data, multiplier=10.0 if feature.unit == "power" else 20.0, amin=amin, top_db=top_db)
    return feature.replace(data=db, unit="dB", params={**feature.params, "top_db": top_db, "from_unit": feature.unit})


def mfcc(
    waveform,
    sample_rate: int,
    *,
    n_mfcc: int = 40,
    dct_type: int = 2,
    norm: str = "ortho",
    log_mels: bool = False,
    n_fft: int = 400,
    win_length: int | None = None,
    hop_length: int | None = None,
    f_min: float = 0.0,
    f_max: float | None = None,
    n_mels: int = DEFAULT_N_MELS,
    mel_scale: str = "htk",
) -> Feature:
    """Mel-frequency cepstral coefficients, as :class:`torchaudio.transforms.MFCC` computes them.

    The mel settings that torchaudio takes in ``melkwargs`` are plain keywords here.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``.
        sample_rate: samples per second, in Hz.
        n_mfcc: number of coefficients kept. Default: ``40``.
        dct_type, norm, log_mels: as in :class:`torchaudio.transforms.MFCC`.
        n_fft, win_length, hop_length, f_min, f_max, n_mels, mel_scale: the mel spectrogram's
            settings (see :func:`mel_spectrogram`).

    Raises:
        ValueError: ``n_mfcc > n_mels`` and every error of :func:`mel_spectrogram`.

    Returns:
        Feature of kind ``"mfcc"``, data of shape ``(channel, n_mfcc, n_frames)``, rows are the
        coefficient index ``0 .. n_mfcc - 1``, unit ``"coefficient"``.

    Example:
        >>> import torch, audioviz
        >>> audioviz.mfcc(torch.randn(16000), 16000, n_mfcc=13).data.shape
        torch.Size([1, 13, 81])
    """
    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, win_length, hop_length)
    n_mfcc = check_positive_int(n_mfcc, name="n_mfcc")
    n_mels = check_positive_int(n_mels, name="n_mels")
    if n_mfcc > n_mels:
        raise ValueError(f"n_mfcc must be <= n_mels ({n_mels}), got {n_mfcc}")
    f_min, f_max = check_freq_range(f_min, f_max, sample_rate)
    check_choice(mel_scale, MEL_SCALES, name="mel_scale")
    if wave.shape[-1] <= n_fft // 2:
        raise ValueError(
            f"waveform has {wave.shape[-1]} samples; torchaudio's reflect padding needs more than "
            f"n_fft // 2 = {n_fft // 2}. Use a smaller n_fft"
        )
    # name the settings that leave empty filters (torchaudio's own warning does not)
    mel_filterbank(sample_rate, n_fft=n_fft, n_mels=n_mels, f_min=f_min, f_max=f_max, mel_scale=mel_scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        transform = torchaudio.transforms.MFCC(
            sample_rate=sample_rate,
            n_mfcc=n_mfcc,
            dct_type=dct_type,
            norm=norm,
            log_mels=log_mels,
            melkwargs=dict(n_fft=n_fft, win_length=win_length, hop_length=hop_length, f_min=f_min, f_max=f_max,
                           n_mels=n_mels, mel_scale=mel_scale),
        )
    data = transform(wave)
    times = _frame_times(data.shape[-1], n_samples=wave.shape[-1], sample_rate=sample_rate,
                         hop_length=hop_length, n_fft=n_fft, center=True)
    return Feature(
        data=data,
        times=times,
        rows=torch.arange(n_mfcc, dtype=torch.float64),
        kind="mfcc",
        unit="coefficient",
        sample_rate=sample_rate,
        hop_length=hop_length,
        params=dict(n_fft=n_fft, win_length=win_length, n_mels=n_mels, n_mfcc=n_mfcc, f_min=f_min, f_max=f_max,
                    mel_scale=mel_scale, log_mels=log_mels, n_samples=wave.shape[-1]),
    )
