"""The mel scale: Hz-to-mel conversions, the triangular filterbank and the MFCC's DCT, as torchaudio
defines them.

:func:`hz_to_mel` / :func:`mel_to_hz` follow torchaudio's ``"htk"`` and ``"slaney"`` formulas.
:func:`mel_weights` (torchaudio's ``melscale_fbanks``) and :func:`dct_matrix` (its ``create_dct``)
are the package's one definition of the filters and of the DCT, computed in numpy float64 and cast
once: the in-memory features (:func:`mel_filterbank`, :func:`audioviz.mfcc`) and the torch-free
overview of a file (:mod:`audioviz._stream`) multiply the same float32 matrices, so they count the
same empty filters and mark the same rows. torchaudio's own float32 arithmetic rounds its filter
edges differently, enough to disagree about an empty filter in a few settings;
``tests/test_mel.py`` holds ours to torchaudio's formulas. :func:`mel_filterbank` says which filters
are empty. Public through :mod:`audioviz.features` and the package.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
import sys
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

__all__ = ["DEFAULT_N_MELS", "MEL_SCALES", "MelFilterbank", "dct_matrix", "hz_to_mel", "mel_filterbank", "mel_to_hz",
           "mel_weights"]

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
        import torch

        return torch.from_numpy(mel_edges_hz(self.f_min, self.f_max, self.n_mels, self.mel_scale))

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


def mel_edges(f_min: float, f_max: float, n_mels: int, mel_scale: str) -> np.ndarray:
    """The ``n_mels + 2`` filter edges in mel, float64, evenly spaced from ``f_min`` to ``f_max``
    (given in Hz): filter ``j`` peaks at edge ``j + 1``."""
    m_min = float(hz_to_mel(f_min, mel_scale=mel_scale))
    m_max = float(hz_to_mel(f_max, mel_scale=mel_scale))
    return np.linspace(m_min, m_max, n_mels + 2)


def mel_edges_hz(f_min: float, f_max: float, n_mels: int, mel_scale: str) -> np.ndarray:
    """:func:`mel_edges` in Hz, float64, the outer two exactly ``f_min`` and ``f_max``.

    The round trip through mel would move ``f_max`` by a rounding (1e-12 Hz at 22050 Hz), and
    the Nyquist bin lies on the last filter's upper edge: it would get a weight of 1e-14 instead
    of 0, and the filter count as not empty by rounding alone (44.1 kHz, ``n_fft=64``,
    ``n_mels=256``). In exact arithmetic the two ends are ``f_min`` and ``f_max``.
    """
    edges = mel_to_hz(mel_edges(f_min, f_max, n_mels, mel_scale), mel_scale=mel_scale)
    edges[0], edges[-1] = f_min, f_max
    return edges


def mel_weights(sample_rate: int, n_fft: int, n_mels: int, f_min: float, f_max: float, mel_scale: str,
                norm: str | None = None, *, dtype=np.float32) -> np.ndarray:
    """The triangular mel filters over the FFT bins, ``(n_fft // 2 + 1, n_mels)``: torchaudio's
    ``melscale_fbanks`` formulas, computed in float64 and cast to ``dtype`` (float32 by default,
    the one array both the in-memory and the file path multiply).

    Filter ``j`` rises linearly from edge ``j`` to 1 at edge ``j + 1`` and falls to 0 at edge
    ``j + 2`` (:func:`mel_edges_hz`); ``norm="slaney"`` divides it by half its width in Hz.

    Example:
        >>> weights = mel_weights(16000, 400, 128, 0.0, 8000.0, "htk")
        >>> weights.shape, weights.dtype, int((weights.max(axis=0) <= 0).sum())  # 4 filters catch no bin
        ((201, 128), dtype('float32'), 4)
    """
    n_freqs = n_fft // 2 + 1
    # torchaudio spaces the bins up to sample_rate // 2, an integer (for an odd rate, half a hertz
    # below the Nyquist frequency): followed, so that its filterbank stays the reference
    bins = np.linspace(0.0, sample_rate // 2, n_freqs)
    edges = mel_edges_hz(f_min, f_max, n_mels, mel_scale)
    widths = np.diff(edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = (bins[:, None] - edges[None, :-2]) / widths[:-1]
        falling = (edges[None, 2:] - bins[:, None]) / widths[1:]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    if norm == "slaney":
        weights *= (2.0 / (edges[2:] - edges[:-2]))[None, :]
    return np.ascontiguousarray(weights, dtype=dtype)


def dct_matrix(n_mfcc: int, n_mels: int, norm: str | None = "ortho", *, dtype=np.float32) -> np.ndarray:
    """The DCT-II of ``n_mels`` log-mel bands kept to ``n_mfcc`` coefficients, ``(n_mels, n_mfcc)``:
    torchaudio's ``create_dct(n_mfcc, n_mels, norm)``, computed in float64 and cast to ``dtype``.

    ``norm="ortho"`` makes the full matrix orthonormal; ``None`` is the unscaled ``2 cos(...)``.

    Example:
        >>> dct = dct_matrix(13, 40)
        >>> dct.shape, round(float((dct.astype("float64") ** 2).sum(axis=0)[0]), 6)  # unit columns
        ((40, 13), 1.0)
    """
    n = np.arange(n_mels, dtype=np.float64)
    k = np.arange(n_mfcc, dtype=np.float64)[:, None]
    dct = np.cos(math.pi / n_mels * (n + 0.5) * k)  # (n_mfcc, n_mels)
    if norm is None:
        dct *= 2.0
    else:
        dct[0] *= 1.0 / math.sqrt(2.0)
        dct *= math.sqrt(2.0 / n_mels)
    return np.ascontiguousarray(dct.T, dtype=dtype)


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
    """The mel filterbank of torchaudio's ``MelSpectrogram``, with each filter's centre.

    Its weights are :func:`mel_weights` (torchaudio's formulas in float64, cast to float32), the
    same array ``audioviz show`` of a file multiplies.

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

    sample_rate, n_fft, n_mels, f_min, f_max = _check_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm)
    weights = mel_weights(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm)
    centers_mel = torch.from_numpy(mel_edges(f_min, f_max, n_mels, mel_scale)[1:-1])
    bank = MelFilterbank(
        weights=torch.from_numpy(weights),
        frequencies=torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64),
        centers_mel=centers_mel,
        centers_hz=mel_to_hz(centers_mel, mel_scale=mel_scale),
        # the test audioviz show of a file makes on the same array (audioviz._stream)
        empty=torch.from_numpy(weights.max(axis=0) <= 0),
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
