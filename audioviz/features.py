"""Spectral features that carry their own axes.

Thin helpers over torchaudio's transforms, with torchaudio's parameter names and defaults: the
STFT is its ``Spectrogram``; the mel spectrogram, MFCC and dB follow ``MelSpectrogram``, ``MFCC``
and ``AmplitudeToDB`` step by step, on the mel filterbank and DCT of :mod:`audioviz._mel` (the one
definition, which ``audioviz show`` of a file uses too). Each returns a :class:`Feature`: the
values plus the time of every column in seconds, the coordinate of every row (Hz, mel or
coefficient index) and the unit of the values, so a plot never needs ``sample_rate`` or
``hop_length`` passed a second time.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import torch
import torchaudio

from ._mel import (  # noqa: F401  (the mel scale and filterbank are public from here)
    DEFAULT_N_MELS,
    MEL_SCALES,
    MelFilterbank,
    dct_matrix,
    hz_to_mel,
    mel_filterbank,
    mel_to_hz,
)
from ._validation import (
    MAX_N_MELS,
    as_waveform,
    check_choice,
    check_freq_range,
    check_positive_int,
    check_power,
    check_sample_rate,
    check_stft_params,
    check_top_db,
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

#: Window functions by name, each ``f(win_length) -> Tensor``; "rectangular" is no window at all.
WINDOWS = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "rectangular": lambda n, **kw: torch.ones(n, **kw),
}
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


def window_name(window) -> str:
    """How a Feature records its window: the name, or a callable's ``__name__``."""
    return window if isinstance(window, str) else getattr(window, "__name__", "custom")


def frames_feature(data: torch.Tensor, *, kind: str, unit: str, sample_rate: int, hop_length: int, n_fft: int,
                   n_samples: int, center: bool = True, group: int = 1, bank: "MelFilterbank | None" = None,
                   **params) -> Feature:
    """The one way the package makes a :class:`Feature` from STFT frames.

    Args:
        data: Tensor ``(channel, n_rows, n_columns)``; a column is one frame, or ``group``
            consecutive frames pooled.
        kind, unit: as in :class:`Feature`. The rows follow from ``kind``: the FFT bin
            frequencies (``"linear"``), ``bank``'s filter centres in mel (``"mel"``, whose
            settings join ``params``) or the coefficient index (``"mfcc"``).
        sample_rate, hop_length, n_fft: in Hz and samples; ``hop_length`` is the frames' hop.
        n_samples: length of the waveform the frames came from.
        center: frames centred on ``t * hop_length`` (torchaudio's default), else half a window later.
        group: frames pooled into each column (its centre is the column's time).
        **params: further settings to record (``win_length``, ``window``, ``power``, ...).

    Example:
        >>> spec = frames_feature(torch.zeros(1, 201, 10), kind="linear", unit="power", sample_rate=16000,
        ...                       hop_length=200, n_fft=400, n_samples=1800)
        >>> float(spec.times[1]), float(spec.rows[-1])
        (0.0125, 8000.0)
    """
    offset = 0.0 if center else n_fft / 2
    columns = torch.arange(data.shape[-1], dtype=torch.float64)
    times = ((columns * group + (group - 1) / 2) * hop_length + offset) / sample_rate
    if kind == "linear":
        rows = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64)
    elif kind == "mel":
        rows = bank.centers_mel
    else:
        rows = torch.arange(data.shape[-2], dtype=torch.float64)
    recorded = dict(n_fft=n_fft, **params, center=center, n_samples=n_samples)
    if group > 1:
        recorded["frames_per_column"] = group
    if bank is not None:
        recorded.update(bank.mel_params())
    return Feature(data=data, times=times, rows=rows, kind=kind, unit=unit, sample_rate=sample_rate,
                   hop_length=hop_length * group, params=recorded)


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
    return frames_feature(transform(wave), kind="linear", unit="power" if power == 2.0 else "magnitude",
                          sample_rate=sample_rate, hop_length=hop_length, n_fft=n_fft, n_samples=wave.shape[-1],
                          center=center, win_length=win_length, window=window_name(window), power=power)


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

    The mel settings that torchaudio takes in ``melkwargs`` are plain keywords here. The mel
    filters and the DCT matrix are the package's (torchaudio's formulas in float64, see
    :func:`mel_filterbank`), so the values equal torchaudio's up to float32 rounding.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``.
        sample_rate: samples per second, in Hz.
        n_mfcc: number of coefficients kept. Default: ``40``.
        dct_type, norm, log_mels: as in :class:`torchaudio.transforms.MFCC`: ``dct_type=2`` (the
            only one), ``norm="ortho"`` or ``None``, ``log_mels=False`` (dB with an 80 dB floor)
            or ``True`` (``log(mel + 1e-6)``).
        n_fft, win_length, hop_length, f_min, f_max, n_mels, mel_scale: the mel spectrogram's
            settings (see :func:`mel_spectrogram`).

    Raises:
        ValueError: ``n_mfcc > n_mels``, ``dct_type`` other than 2, ``norm`` other than
            ``"ortho"`` or ``None``, and every error of :func:`mel_spectrogram`.

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
    n_mels = check_positive_int(n_mels, name="n_mels", maximum=MAX_N_MELS)
    if n_mfcc > n_mels:
        raise ValueError(f"n_mfcc must be <= n_mels ({n_mels}), got {n_mfcc}")
    check_choice(dct_type, (2,), name="dct_type")  # torchaudio's MFCC has the DCT-II only
    check_choice(norm, ("ortho", None), name="norm")
    f_min, f_max = check_freq_range(f_min, f_max, sample_rate)
    check_choice(mel_scale, MEL_SCALES, name="mel_scale")
    if wave.shape[-1] <= n_fft // 2:
        raise ValueError(
            f"waveform has {wave.shape[-1]} samples; torchaudio's reflect padding needs more than "
            f"n_fft // 2 = {n_fft // 2}. Use a smaller n_fft"
        )
    # torchaudio's MFCC step by step, on the package's one filterbank and DCT (audioviz._mel), so
    # that these coefficients are those audioviz show draws of a file
    mel = mel_spectrogram(wave, sample_rate, n_fft=n_fft, win_length=win_length, hop_length=hop_length,
                          f_min=f_min, f_max=f_max, n_mels=n_mels, mel_scale=mel_scale).data
    if log_mels:
        log_mel = torch.log(mel + 1e-6)
    else:  # AmplitudeToDB("power", top_db=80), as torchaudio's MFCC has it
        log_mel = torchaudio.functional.amplitude_to_DB(mel, 10.0, 1e-10, 0.0, 80.0)
    dct = torch.from_numpy(dct_matrix(n_mfcc, n_mels, norm)).to(log_mel.dtype)
    data = torch.matmul(log_mel.transpose(-1, -2), dct).transpose(-1, -2)
    return frames_feature(data, kind="mfcc", unit="coefficient", sample_rate=sample_rate,
                          hop_length=hop_length, n_fft=n_fft, n_samples=wave.shape[-1], win_length=win_length,
                          n_mels=n_mels, n_mfcc=n_mfcc, f_min=f_min, f_max=f_max, mel_scale=mel_scale,
                          log_mels=log_mels)
