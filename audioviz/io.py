"""Reading and writing audio files.

Decoding goes through soundfile (libsndfile: WAV, FLAC, OGG/Vorbis, ...), which needs no FFmpeg;
resampling through torchaudio. Writes are atomic: a file appears complete or not at all.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import soundfile

from ._fileio import atomic_path
from ._validation import as_waveform, check_flag, check_sample_rate, warn_user

__all__ = ["load_audio", "save_audio"]


def _describe(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return getattr(source, "name", None) or f"<{type(source).__name__}>"


def declared_wav_frames(path: Path) -> int | None:
    """Frames the ``data`` chunk of a RIFF/WAVE file says it holds, or ``None`` (not a plain
    WAV, or a size left open by a streaming writer)."""
    with open(path, "rb") as handle:
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return None
        block_align = None
        while True:
            chunk = handle.read(8)
            if len(chunk) < 8:
                return None
            kind, size = chunk[:4], int.from_bytes(chunk[4:], "little")
            if kind == b"fmt ":
                fmt = handle.read(size)
                block_align = int.from_bytes(fmt[12:14], "little") if len(fmt) >= 14 else None
                size = max(0, size - len(fmt))
            elif kind == b"data":
                if not block_align or size in (0, 0xFFFFFFFF):
                    return None
                return size // block_align
            handle.seek(size + (size & 1), os.SEEK_CUR)  # chunks are padded to an even size


def check_audio_path(source) -> Path:
    """``source`` as a Path, or the error :func:`load_audio` gives for a missing file or a folder."""
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"audio file not found: {path}")
    if path.is_dir():
        raise IsADirectoryError(f"expected an audio file, got the folder {path}; give the path of a WAV, "
                                f"FLAC or OGG file")
    return path


def _check_samples(data: np.ndarray, name: str, subtype: str | None) -> None:
    """Refuse non-finite samples; say when float samples leave [-1, 1]."""
    low, high = float(data.min()), float(data.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        n_bad = int((~np.isfinite(data)).sum())
        raise ValueError(f"audio file {name} holds {n_bad} NaN or Inf samples out of {data.size}; "
                         f"it is damaged or was written from a broken computation: rewrite it with finite samples")
    peak = max(-low, high)
    if peak > 1.0:
        warn_user(f"audio file {name} holds {subtype or 'float'} samples up to {peak:.3g} in magnitude, beyond "
                  f"[-1, 1]; they are returned unchanged (divide by the peak to normalise, or clamp to clip)")


def load_audio(source, *, sample_rate: int | None = None, mono: bool = False) -> tuple[torch.Tensor, int]:
    """Read an audio file into a float32 Tensor.

    Integer PCM files (16-, 24-, 32-bit) come back in [-1, 1). Float files (``FLOAT``, ``DOUBLE``)
    come back as stored: samples beyond [-1, 1] are kept, with a :class:`UserWarning`, so nothing
    is clipped behind your back; NaN or Inf samples are refused.

    Args:
        source: a path (str or :class:`pathlib.Path`) or a binary file object.
        sample_rate: resample to this rate in Hz. Default: keep the file's rate.
        mono: average the channels into one.

    Returns:
        ``(waveform, sample_rate)``: Tensor of shape ``(channel, time)``, and the rate in Hz.

    Raises:
        FileNotFoundError: the path does not exist.
        IsADirectoryError: the path is a folder.
        ValueError: the file cannot be decoded, holds no samples, or holds NaN or Inf samples.

    Warns:
        UserWarning: float samples beyond [-1, 1]; a WAV whose data chunk is cut short (the
            samples that are there are returned).

    Example:
        >>> import tempfile, torch
        >>> path = save_audio(tempfile.mkdtemp() + "/tone.wav", torch.zeros(1600), 16000)
        >>> waveform, sr = load_audio(path)
        >>> tuple(waveform.shape), sr
        ((1, 1600), 16000)
    """
    name = _describe(source)
    if sample_rate is not None:
        sample_rate = check_sample_rate(sample_rate)
    mono = check_flag(mono, name="mono")
    declared = None
    if isinstance(source, (str, os.PathLike)):
        path = check_audio_path(source)
        declared = declared_wav_frames(path)
    try:
        info = soundfile.info(source) if declared is not None else None
        if hasattr(source, "seek"):
            source.seek(0)
        data, file_rate = soundfile.read(source, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise ValueError(f"cannot decode audio file {name}: {exc}") from exc
    if data.size == 0:
        raise ValueError(f"audio file {name} holds no samples")
    if declared is not None and declared > data.shape[0]:
        warn_user(f"audio file {name} is cut short: its data chunk declares {declared} samples per channel but "
                  f"holds {data.shape[0]}; the {data.shape[0]} samples present are returned")
    _check_samples(data, name, None if info is None else info.subtype)
    import torch  # here, not at the top: audioviz show reads files through this module without torch

    waveform = torch.from_numpy(np.ascontiguousarray(data.T))
    if mono and waveform.shape[0] > 1:
        waveform = waveform.mean(dim=0, keepdim=True)
    if sample_rate is not None and sample_rate != file_rate:
        from ._resample import resample_waveform

        waveform = resample_waveform(waveform, file_rate, sample_rate)
        file_rate = sample_rate
    return waveform, int(file_rate)


def save_audio(path, waveform, sample_rate: int, *, subtype: str = "PCM_16") -> Path:
    """Write ``waveform`` to ``path``, atomically.

    The format follows the suffix (``.wav``, ``.flac``, ``.ogg``). The file is written to a temporary
    name in the same folder and renamed into place, so an interrupted write never leaves a
    truncated file.

    Args:
        path: the file to write (``.wav``, ``.flac`` or ``.ogg``); its folder is created.
        waveform: Tensor or array of shape ``(channel, time)`` or ``(time,)``; floats in [-1, 1]
            (beyond is clipped) or integer PCM.
        sample_rate: in Hz.
        subtype: libsndfile subtype for WAV and FLAC, e.g. ``"PCM_16"`` (default), ``"PCM_24"``,
            ``"FLOAT"``. OGG is always Vorbis.

    Returns:
        pathlib.Path: ``path``.

    Raises:
        ValueError: a bad waveform (a ``(time, channel)`` array gets a hint to transpose it),
            ``sample_rate`` or suffix.

    Example:
        >>> import tempfile, torch
        >>> save_audio(tempfile.mkdtemp() + "/tone.wav", torch.zeros(2, 800), 8000).suffix
        '.wav'
    """
    path = Path(path)
    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    fmt = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"path must end in .wav, .flac or .ogg, got {path.name!r}")
    if fmt == "OGG":
        subtype = "VORBIS"
    # Encoded in memory (at most the waveform's own size), then written as plain bytes: libsndfile
    # writing into a Python file calls back into Python, and an error there (a full disk) is only
    # printed as "Exception ignored" tracebacks, then reported as a different error.
    buffer = io.BytesIO()
    soundfile.write(buffer, wave.clamp(-1, 1).T.numpy(), sample_rate, subtype=subtype, format=fmt)
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(buffer.getbuffer())
    return path


def to_wav_bytes(waveform, sample_rate: int) -> bytes:
    """16-bit WAV bytes of ``waveform`` (as in :func:`save_audio`), for audio players in notebooks
    and HTML pages.

    Example:
        >>> to_wav_bytes([0.0, 0.5], 8000)[:4]
        b'RIFF'
    """
    wave = as_waveform(waveform)
    buffer = io.BytesIO()
    soundfile.write(buffer, wave.clamp(-1, 1).T.numpy(), check_sample_rate(sample_rate), subtype="PCM_16", format="WAV")
    return buffer.getvalue()
