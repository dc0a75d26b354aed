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
import torch
import torchaudio

from ._fileio import atomic_path
from ._validation import as_waveform, check_sample_rate

__all__ = ["load_audio", "save_audio"]


def _describe(source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return getattr(source, "name", None) or f"<{type(source).__name__}>"


def load_audio(source, *, sample_rate: int | None = None, mono: bool = False) -> tuple[torch.Tensor, int]:
    """Read an audio file into a float32 Tensor.

    Args:
        source: a path (str or :class:`pathlib.Path`) or a binary file object.
        sample_rate: resample to this rate in Hz. Default: keep the file's rate.
        mono: average the channels into one.

    Returns:
        ``(waveform, sample_rate)``: Tensor of shape ``(channel, time)`` in [-1, 1], and the rate in Hz.

    Raises:
        FileNotFoundError: the path does not exist.
        ValueError: the file cannot be decoded or holds no samples.

    Example:
        >>> waveform, sr = load_audio("clip.wav", sample_rate=16000, mono=True)  # doctest: +SKIP
    """
    name = _describe(source)
    if sample_rate is not None:
        sample_rate = check_sample_rate(sample_rate)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"audio file not found: {path}")
        if path.is_dir():
            raise IsADirectoryError(f"expected an audio file, got a directory: {path}")
    try:
        data, file_rate = soundfile.read(source, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise ValueError(f"cannot decode audio file {name}: {exc}") from exc
    if data.size == 0:
        raise ValueError(f"audio file {name} holds no samples")
    waveform = torch.from_numpy(np.ascontiguousarray(data.T))
    if mono and waveform.shape[0] > 1:
        waveform = waveform.mean(dim=0, keepdim=True)
    if sample_rate is not None and sample_rate != file_rate:
        waveform = torchaudio.functional.resample(waveform, file_rate, sample_rate)
        file_rate = sample_rate
    return waveform, int(file_rate)


def save_audio(path, waveform, sample_rate: int, *, subtype: str = "PCM_16") -> Path:
    """Write ``waveform`` (``(channel, time)`` or ``(time,)``, floats in [-1, 1]) to ``path``.

    The format follows the suffix (``.wav``, ``.flac``, ``.ogg``). The file is written to a temporary
    name in the same folder and renamed into place, so an interrupted write never leaves a
    truncated file.
    """
    path = Path(path)
    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    fmt = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"path must end in .wav, .flac or .ogg, got {path.name!r}")
    if fmt == "OGG":
        subtype = "VORBIS"
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        soundfile.write(handle, wave.clamp(-1, 1).T.numpy(), sample_rate, subtype=subtype, format=fmt)
    return path


def to_wav_bytes(waveform, sample_rate: int) -> bytes:
    """16-bit WAV bytes of ``waveform``, for audio players in notebooks and HTML pages."""
    wave = as_waveform(waveform)
    buffer = io.BytesIO()
    soundfile.write(buffer, wave.clamp(-1, 1).T.numpy(), check_sample_rate(sample_rate), subtype="PCM_16", format="WAV")
    return buffer.getvalue()
