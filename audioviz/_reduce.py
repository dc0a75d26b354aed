"""Reducing long spectrograms to the pixels that will be shown, before drawing.

A ten-minute recording has 48,000 STFT frames at the default hop; a plot shows about 800 columns.
:func:`reduce_columns` pools the frames of a computed :class:`~audioviz.features.Feature` into
columns (maximum for energy, so no click or onset disappears; mean for MFCC).
:func:`pooled_spectrogram` gives the same result for a long waveform without ever holding the
full spectrogram: it runs the STFT chunk by chunk, each chunk small enough to stay in the CPU
cache, and pools as it goes, which is what makes long spectrograms fast.
"""
from __future__ import annotations

import contextlib
import math

import torch

from . import features as F
from ._validation import as_waveform, check_power, check_sample_rate, check_stft_params

# Frames per STFT chunk in pooled_spectrogram (rounded to whole groups): ~1.6 MB of complex
# values for n_fft=400, which stays in cache between the FFT and the pooling.
_CHUNK_FRAMES = 2048


def group_times(first: float, frame_period: float, n_groups: int, group: int) -> torch.Tensor:
    """Centre of each group of ``group`` frames, in seconds."""
    return first + (torch.arange(n_groups, dtype=torch.float64) * group + (group - 1) / 2) * frame_period


def pool_frames(values: torch.Tensor, group: int, *, how: str = "max", dim: int = -1) -> torch.Tensor:
    """Pool consecutive frames along ``dim`` in groups of ``group`` (the last group may be shorter).

    The one frame-pooling function of the package: ``how="max"`` for energies (power, magnitude,
    dB: no click or onset disappears), ``"mean"`` for signed values (MFCC) and for maps
    averaged onto a coarser grid. The whole groups are reduced through a view, without a copy.

    Example:
        >>> pool_frames(torch.tensor([1.0, 3.0, 2.0, 0.0, 5.0]), 2).tolist()
        [3.0, 2.0, 5.0]
        >>> pool_frames(torch.tensor([1.0, 3.0, 2.0, 0.0, 5.0]), 2, how="mean").tolist()
        [2.0, 1.0, 5.0]
    """
    if how not in ("max", "mean"):
        raise ValueError(f"how must be 'max' or 'mean', got {how!r}")
    dim = dim % values.dim()
    n_frames = values.shape[dim]
    n_full, rest = divmod(n_frames, group)

    def reduce(x, axis, keepdim=False):
        return x.amax(dim=axis, keepdim=keepdim) if how == "max" else x.mean(dim=axis, keepdim=keepdim)

    parts = [reduce(values.narrow(dim, 0, n_full * group).unflatten(dim, (n_full, group)), dim + 1)] if n_full else []
    if rest:
        parts.append(reduce(values.narrow(dim, n_full * group, rest), dim, keepdim=True))
    return torch.cat(parts, dim=dim) if len(parts) > 1 else parts[0]


def reduce_columns(feature, max_columns: int | None):
    """Pool a Feature's frames into at most ``max_columns`` columns.

    Energy (power, magnitude, dB) keeps the maximum of each group of frames, MFCC the mean. The
    returned Feature's ``times`` are the group centres and its ``hop_length`` the group's span,
    so its axes stay exact; ``params["frames_per_column"]`` says how many frames were pooled.
    """
    n_frames = feature.data.shape[-1]
    if max_columns is None or n_frames <= max_columns:
        return feature
    group = math.ceil(n_frames / max_columns)
    pooled = pool_frames(feature.data, group, how="mean" if feature.unit == "coefficient" else "max")
    n_groups = pooled.shape[-1]
    times = group_times(float(feature.times[0]), feature.frame_period, n_groups, group)
    per_column = group * feature.params.get("frames_per_column", 1)
    return feature.replace(data=pooled, times=times, hop_length=feature.hop_length * group,
                           params={**feature.params, "frames_per_column": per_column})


def n_stft_frames(n_samples: int, n_fft: int, hop_length: int) -> int:
    """Frames torch.stft gives with ``center=True``."""
    return 1 + (n_samples + 2 * (n_fft // 2) - n_fft) // hop_length


def pooled_spectrogram(waveform, sample_rate, *, max_columns: int, n_fft: int = 400, win_length=None,
                       hop_length=None, window="hann", power: float = 2.0, mel: dict | None = None):
    """The spectrogram (or mel spectrogram) of a long waveform, pooled to ``max_columns`` columns.

    Equals ``reduce_columns(spectrogram(...), max_columns)`` (or the same for
    ``mel_spectrogram`` when ``mel`` holds its keywords ``n_mels, f_min, f_max, norm, mel_scale``)
    but computes the STFT chunk by chunk, so the full spectrogram is never held in memory.

    Returns:
        A Feature, or ``None`` when there are no more frames than ``max_columns`` (then the
        caller should compute the spectrogram directly).
    """
    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, win_length, hop_length)
    power = check_power(power)
    n_samples = wave.shape[-1]
    n_frames = n_stft_frames(n_samples, n_fft, hop_length)
    if n_frames <= max_columns or n_samples <= n_fft // 2:
        return None
    bank = None
    if mel is not None:
        bank = F.mel_filterbank(sample_rate, n_fft=n_fft, **mel)
    group = math.ceil(n_frames / max_columns)
    pad = n_fft // 2
    window_values = F.window_function(window)(win_length, dtype=wave.dtype)
    weights = None if bank is None else bank.weights.to(wave.dtype)
    chunk = group * max(1, _CHUNK_FRAMES // group)
    with one_thread():
        columns = _pooled_chunks(wave, pad, n_frames, chunk, group, n_fft, hop_length, win_length, window_values,
                                 power, weights)
    data = torch.cat(columns, dim=1).transpose(-1, -2).contiguous()
    return F.frames_feature(data, kind="linear" if bank is None else "mel",
                            unit="power" if power == 2.0 else "magnitude", sample_rate=sample_rate,
                            hop_length=hop_length, n_fft=n_fft, n_samples=n_samples, group=group, bank=bank,
                            win_length=win_length, window=F.window_name(window), power=power)


def _thread_setters():
    """The per-thread thread-count setters of torch's OpenMP and MKL, as ctypes functions.

    ``torch.set_num_threads`` also writes a process-wide default that every thread starting its
    first torch operation adopts, so setting and restoring it around a computation leaks into
    other threads. ``omp_set_num_threads`` and MKL's ``mkl_set_num_threads_local`` change the calling
    thread only (OpenMP's thread-count setting belongs to each thread). Those missing (another
    build of torch) are left out: the computation is then merely slower, never wrong.
    """
    import ctypes
    from pathlib import Path

    setters = {}
    libraries = [ctypes.CDLL(None)]
    with contextlib.suppress(OSError):
        libraries.append(ctypes.CDLL(str(Path(torch.__file__).with_name("lib") / "libtorch_cpu.so")))
    # (MKL's C name: the lower-case one is its Fortran form, which takes a pointer)
    for name, symbol in (("omp_get_max_threads", "omp_get_max_threads"), ("omp_set_num_threads", "omp_set_num_threads"),
                         ("mkl_set_num_threads_local", "MKL_Set_Num_Threads_Local")):
        for library in libraries:
            function = getattr(library, symbol, None)
            if function is not None:
                setters[name] = function
                break
    return setters


_SETTERS = None


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block, in the calling thread only.

    The chunks and the pooled images are small: splitting each operation across threads costs
    more in hand-offs than it gains, and on a busy machine the threads wait for each other
    (measured with the load average at 6 on two cores: the chunked STFT of ten minutes took
    450 ms on two threads and 136 ms on one, CPU time 285 ms and 80 ms). Other threads keep
    their own setting (see :func:`_thread_setters`).
    """
    global _SETTERS
    if _SETTERS is None:
        _SETTERS = _thread_setters()
    omp_get, omp_set = _SETTERS.get("omp_get_max_threads"), _SETTERS.get("omp_set_num_threads")
    mkl_set = _SETTERS.get("mkl_set_num_threads_local")
    # torch sets a thread's count once, on its first parallel operation: let that happen first,
    # or it would overwrite the setting below
    torch.get_num_threads()
    omp_before = omp_get() if omp_get is not None and omp_set is not None else None
    if omp_before is not None:
        omp_set(1)
    mkl_before = mkl_set(1) if mkl_set is not None else None
    try:
        yield
    finally:
        if omp_before is not None:
            omp_set(omp_before)
        if mkl_before is not None:
            mkl_set(mkl_before)


def reflect_padded(wave: torch.Tensor, start: int, stop: int) -> torch.Tensor:
    """Samples ``start:stop`` of ``wave`` padded by reflection on both sides, as torch.stft
    (``center=True``) pads it; negative ``start`` and ``stop`` past the end reach into the padding.
    A view when no padding is involved: only the first and last chunks are ever copied."""
    n = wave.shape[-1]
    left, right = max(0, -start), max(0, stop - n)
    core = wave[:, max(start, 0):min(stop, n)]
    if not left and not right:
        return core
    pieces = [wave[:, 1:left + 1].flip(-1)] if left else []
    pieces.append(core)
    if right:
        pieces.append(wave[:, n - 1 - right:n - 1].flip(-1))
    return torch.cat(pieces, dim=-1)


def _pooled_chunks(wave, pad, n_frames, chunk, group, n_fft, hop_length, win_length, window, power, weights):
    columns = []
    for first in range(0, n_frames, chunk):
        last = min(n_frames, first + chunk)
        segment = reflect_padded(wave, first * hop_length - pad, (last - 1) * hop_length + n_fft - pad)
        stft = torch.stft(segment, n_fft, hop_length, win_length, window, center=False,
                          return_complex=True)
        # work in (channel, frame, freq) order: torch.stft's output is laid out that way in memory,
        # so the pooling below reduces over contiguous rows
        parts = torch.view_as_real(stft.transpose(-1, -2))
        values = parts[..., 0].square() + parts[..., 1].square()
        if float(power) == 1.0:
            values = values.sqrt()
        if weights is not None:
            values = torch.matmul(values, weights)
        columns.append(pool_frames(values, group, dim=1))
    return columns


def pooled_mfcc(waveform, sample_rate, *, max_columns: int, n_mfcc: int = 40, dct_type: int = 2,
                norm: str = "ortho", log_mels: bool = False, n_fft: int = 400, win_length=None, hop_length=None,
                f_min: float = 0.0, f_max=None, n_mels: int = F.DEFAULT_N_MELS, mel_scale: str = "htk"):
    """MFCC of a long waveform, averaged into at most ``max_columns`` columns.

    Equals ``reduce_columns(mfcc(...), max_columns)``: the mel power is computed chunk by chunk
    (one-thread STFT, as in :func:`pooled_spectrogram`), converted to dB with torchaudio's
    ``top_db=80`` floor over the whole signal, projected on :func:`~audioviz.mfcc`'s DCT matrix,
    then each group of frames is averaged.

    Returns:
        A Feature, or ``None`` when there are no more frames than ``max_columns``.
    """
    import torchaudio

    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, win_length, hop_length)
    n_samples = wave.shape[-1]
    n_frames = n_stft_frames(n_samples, n_fft, hop_length)
    if n_frames <= max_columns or n_samples <= n_fft // 2 or n_mfcc > n_mels or dct_type != 2:
        return None  # the direct path computes it (or raises the usual error)
    # the same checks and empty-filter warning as mfcc()
    bank = F.mel_filterbank(sample_rate, n_fft=n_fft, n_mels=n_mels, f_min=f_min, f_max=f_max, mel_scale=mel_scale)
    n_mfcc = int(n_mfcc)
    group = math.ceil(n_frames / max_columns)
    with one_thread():
        window_values = F.window_function("hann")(win_length, dtype=wave.dtype)
        # group=1: every frame kept, (channel, frame, n_mels)
        mel = torch.cat(_pooled_chunks(wave, n_fft // 2, n_frames, _CHUNK_FRAMES, 1, n_fft, hop_length, win_length,
                                       window_values, 2.0, bank.weights.to(wave.dtype)), dim=1)
        mel = mel.transpose(-1, -2)  # (channel, n_mels, frame), as torchaudio's MelSpectrogram gives
        if log_mels:
            mel = torch.log(mel + 1e-6)
        else:
            mel = torchaudio.functional.amplitude_to_DB(mel, 10.0, 1e-10, 0.0, 80.0)
        dct = torch.from_numpy(F.dct_matrix(n_mfcc, n_mels, norm)).to(mel.dtype)  # mfcc()'s, the package's one DCT
        coeffs = torch.matmul(mel.transpose(-1, -2), dct)  # (channel, frame, n_mfcc)
        data = pool_frames(coeffs, group, how="mean", dim=1).transpose(-1, -2).contiguous()
    return F.frames_feature(data, kind="mfcc", unit="coefficient", sample_rate=sample_rate, hop_length=hop_length,
                            n_fft=n_fft, n_samples=n_samples, group=group, win_length=win_length, n_mels=n_mels,
                            n_mfcc=n_mfcc, f_min=bank.f_min, f_max=bank.f_max, mel_scale=mel_scale, log_mels=log_mels)
