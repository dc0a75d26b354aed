"""The mel scale: Hz-to-mel conversions and the triangular filterbank, as torchaudio computes them.

:func:`hz_to_mel` / :func:`mel_to_hz` follow torchaudio's ``"htk"`` and ``"slaney"`` formulas;
:func:`mel_filterbank` wraps ``melscale_fbanks`` and says which filters are empty. Public through
:mod:`audioviz.features` and the package.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
import sys
import warnings
from dataclasses import dataclass

import numpy as np

from ._validation import (
    MAX_N_FFT,
    MAX_N_MELS,
    check_choice,
    check_freq_range,
    check_positive_int,
    check_sample_rate,
    warn_user,
)

__all__ = ["DEFAULT_N_MELS", "MEL_SCALES", "MelFilterbank", "hz_to_mel", "mel_filterbank", "mel_to_hz"]

MEL_SCALES = ("htk", "slaney")

#: audioviz's default number of mel bands. torchaudio's default of 128 leaves empty filters
#: when ``n_fft=400`` (the 201 FFT bins are too few), so we start at 64.
DEFAULT_N_MELS = 64


def _torch_if_tensor(value):
    """torch, when ``value`` is a Tensor; else ``None``. The conversions serve tick labels, which
    must not import torch (``audioviz show`` runs without it), and a Tensor implies torch is loaded."""
    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(value, torch.Tensor) else None


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
    torch = _torch_if_tensor(freq)
    is_tensor = torch is not None
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
    torch = _torch_if_tensor(mels)
    is_tensor = torch is not None
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
        warn_empty_filters(int(self.empty.sum()), self.n_mels, self.n_fft, self.sample_rate)

    @property
    def n_mels(self) -> int:
        return self.weights.shape[1]


# True while a figure draws another panel on filters whose emptiness it has already reported.
_EMPTY_FILTERS_SAID = contextvars.ContextVar("audioviz_empty_filters_said", default=False)


@contextlib.contextmanager
def empty_filters_said():
    """Inside the block :func:`warn_empty_filters` stays silent: for a figure's second panel on the
    same filters (:func:`audioviz.show`'s MFCC under its mel spectrogram), so a figure says it once.
    A context variable, not a warnings filter: other threads and other warnings are untouched."""
    token = _EMPTY_FILTERS_SAID.set(True)
    try:
        yield
    finally:
        _EMPTY_FILTERS_SAID.reset(token)


def warn_empty_filters(n_empty: int, n_mels: int, n_fft: int, sample_rate: int) -> None:
    """The one warning about empty filters (also given by ``audioviz show``'s torch-free path)."""
    if n_empty and not _EMPTY_FILTERS_SAID.get():
        warn_user(
            f"{n_empty} of n_mels={n_mels} mel filters are empty: with n_fft={n_fft} the FFT bins are "
            f"{sample_rate / n_fft:g} Hz apart, wider than the narrowest filters. Use fewer mels or "
            f"a larger n_fft."
        )


def _mel_edges(f_min: float, f_max: float, n_mels: int, mel_scale: str) -> torch.Tensor:
    """The ``n_mels + 2`` filter edges, evenly spaced in mel between ``f_min`` and ``f_max``."""
    import torch

    m_min = float(hz_to_mel(torch.tensor(f_min, dtype=torch.float64), mel_scale=mel_scale))
    m_max = float(hz_to_mel(torch.tensor(f_max, dtype=torch.float64), mel_scale=mel_scale))
    return torch.linspace(m_min, m_max, n_mels + 2, dtype=torch.float64)


def _check_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm):
    sample_rate = check_sample_rate(sample_rate)
    n_fft = check_positive_int(n_fft, name="n_fft", maximum=MAX_N_FFT)
    n_mels = check_positive_int(n_mels, name="n_mels", maximum=MAX_N_MELS)
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
    import torch
    import torchaudio

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
