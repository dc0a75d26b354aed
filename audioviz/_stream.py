"""The overview of a long audio file, computed while the file is read block by block.

:func:`audioviz.show` of a path longer than :data:`STREAM_MIN_SAMPLES` never holds the whole
signal: :func:`stream_overview` reads the file in blocks of :data:`BLOCK_SAMPLES` (mixed to mono
as they arrive), and from each block updates the waveform's min/max envelope and runs the STFT of
the frames it completes, pooling the power and mel power into the columns that will be shown.
Memory is bounded by the block size and the picture size, not the recording's length: a ten-hour
file is drawn like a one-hour one. The results equal the in-memory path's
(:func:`audioviz._reduce.pooled_spectrogram`, :func:`~audioviz._reduce.pooled_mfcc` and
:func:`audioviz._waveform.minmax_envelope`) up to float rounding.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import soundfile
import torch
import torchaudio

from . import features as F
from ._reduce import group_times, n_stft_frames, one_thread, pool_frames
from ._validation import check_stft_params, warn_user

__all__ = ["BLOCK_SAMPLES", "STREAM_MIN_SAMPLES", "Overview", "stream_overview"]

#: Files with more samples than this (about 8.7 minutes at 16 kHz) are streamed by ``show``.
STREAM_MIN_SAMPLES = 1 << 23
#: Samples read at a time (4 MB of float32 per channel).
BLOCK_SAMPLES = 1 << 20
# Per-frame mel energies are kept for the MFCC pass when they fit in this many bytes; beyond it
# (about two hours at the default settings) the file is read a second time instead.
_MEL_FRAMES_BUDGET = 128 << 20
# Frames per STFT call (whole groups): small enough to stay in the CPU cache.
_CHUNK_FRAMES = 2048


@dataclass
class Overview:
    """What :func:`audioviz.show` draws of a long file.

    Attributes:
        sample_rate: the file's rate in Hz. n_samples: its length in samples (per channel).
        envelope: ``(edges, lows, highs)``: bin edges in seconds (one more than bins) and each
            bin's minimum and maximum sample, as :func:`~audioviz._waveform.minmax_envelope`.
        spectrogram, mel, mfcc: pooled Features (power, mel power, MFCC) with their axes.
    """

    sample_rate: int
    n_samples: int
    envelope: tuple
    spectrogram: F.Feature
    mel: F.Feature
    mfcc: F.Feature


def _mono_blocks(path):
    """The file's samples as float32 mono Tensors of :data:`BLOCK_SAMPLES`."""
    with soundfile.SoundFile(path) as handle:
        for block in handle.blocks(blocksize=BLOCK_SAMPLES, dtype="float32", always_2d=True):
            yield torch.from_numpy(block.mean(axis=1, dtype=np.float32) if block.shape[1] > 1 else block[:, 0])


class _Envelope:
    """Min/max of consecutive bins of ``size`` samples, fed block by block.

    It sees every sample's minimum and maximum, so it also checks the values: NaN and Inf
    survive min and max, and the peak is the largest magnitude.
    """

    def __init__(self, n_samples: int, n_bins: int):
        self.size = max(1, math.ceil(n_samples / max(1, n_bins)))
        self.n_samples = n_samples
        self.lows, self.highs, self.firsts = [], [], []
        self.pending = np.empty(0, dtype=np.float32)

    def feed(self, block: torch.Tensor) -> None:
        values = block.numpy()
        if self.pending.size:
            values = np.concatenate([self.pending, values])
        n_full = values.size // self.size
        bins = values[: n_full * self.size].reshape(n_full, self.size)
        if n_full:
            self.lows.append(bins.min(axis=1))
            self.highs.append(bins.max(axis=1))
            self.firsts.append(bins[:, 0].copy())
        self.pending = values[n_full * self.size:].copy()

    def result(self, sample_rate: int, name: str):
        if self.pending.size:
            self.lows.append(self.pending.min(keepdims=True))
            self.highs.append(self.pending.max(keepdims=True))
            self.firsts.append(self.pending[:1])
        lows, highs, firsts = (np.concatenate(parts) for parts in (self.lows, self.highs, self.firsts))
        low, high = float(lows.min()), float(highs.max())
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"audio file {name} holds NaN or Inf samples; it is damaged or was written from "
                             f"a broken computation: rewrite it with finite samples")
        if max(-low, high) > 1.0:
            warn_user(f"audio file {name} holds samples up to {max(-low, high):.3g} in magnitude, beyond [-1, 1]; "
                      f"they are shown unchanged")
        # a line through the samples reaches the first sample of the next bin from inside this one
        np.minimum(lows[:-1], firsts[1:], out=lows[:-1])
        np.maximum(highs[:-1], firsts[1:], out=highs[:-1])
        edges = np.append(np.arange(lows.size, dtype=np.float64) * self.size, self.n_samples) / sample_rate
        return edges, lows, highs


def _frame_chunks(blocks, *, n_samples: int, n_fft: int, hop_length: int, group: int, on_block=None):
    """Yield ``(first_frame, padded_samples)`` for consecutive runs of whole frame groups.

    The signal is reflect-padded by ``n_fft // 2`` at both ends, as ``torch.stft(center=True)``
    pads it; each yielded segment holds exactly the samples of its frames (``center=False``).
    """
    pad = n_fft // 2
    n_frames = n_stft_frames(n_samples, n_fft, hop_length)
    chunk = group * max(1, _CHUNK_FRAMES // group)
    buffer, buffer_start, next_frame = torch.empty(0), 0, 0
    tail = torch.empty(0)

    def ready(final: bool):
        nonlocal buffer, buffer_start, next_frame
        available = min(n_frames, (buffer_start + buffer.numel() - n_fft) // hop_length + 1)
        if not final:
            available = next_frame + (available - next_frame) // chunk * chunk
        while next_frame < available:
            stop = min(available, next_frame + chunk)
            start_sample = next_frame * hop_length - buffer_start
            yield next_frame, buffer[start_sample:(stop - 1) * hop_length + n_fft - buffer_start]
            next_frame = stop
        drop = next_frame * hop_length - buffer_start
        if drop > 0:  # a view: the next block's cat copies what is left
            buffer, buffer_start = buffer[drop:], buffer_start + drop

    first = True
    for block in blocks:
        if on_block is not None:
            on_block(block)
        if first:
            block = torch.cat([block[1:pad + 1].flip(0), block])
            first = False
        buffer = torch.cat([buffer, block]) if buffer.numel() else block
        tail = block[-(pad + 1):] if block.numel() > pad else torch.cat([tail, block])[-(pad + 1):]
        yield from ready(final=False)
    buffer = torch.cat([buffer, tail[:-1].flip(0)[:pad]])
    yield from ready(final=True)


def _power(segment, n_fft, hop_length, win_length, window):
    """Power STFT of a padded segment as ``(frame, freq)`` (contiguous rows for the pooling)."""
    stft = torch.stft(segment, n_fft, hop_length, win_length, window, center=False, return_complex=True)
    parts = torch.view_as_real(stft.transpose(-1, -2))
    return parts[..., 0].square() + parts[..., 1].square()


def stream_overview(path, *, name: str, n_bins: int, max_columns: int, n_fft: int = 400,
                    hop_length: int | None = None, n_mels: int = F.DEFAULT_N_MELS, n_mfcc: int = 20,
                    mel_scale: str = "htk") -> Overview:
    """Read ``path`` block by block into the envelope, spectrogram, mel spectrogram and MFCC that
    :func:`audioviz.show` draws, pooled to ``n_bins`` envelope bins and ``max_columns`` columns."""
    info = soundfile.info(str(path))
    n_samples, rate = int(info.frames), int(info.samplerate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, None, hop_length)
    if n_samples <= n_fft // 2:
        raise ValueError(f"audio file {name} has {n_samples} samples, too few for n_fft={n_fft}")
    bank = F.mel_filterbank(rate, n_fft=n_fft, n_mels=n_mels, mel_scale=mel_scale)
    weights = bank.weights.float()
    window = F.window_function("hann")(win_length, dtype=torch.float32)
    n_frames = n_stft_frames(n_samples, n_fft, hop_length)
    group = math.ceil(n_frames / max_columns)
    keep_mel = n_frames * n_mels * 4 <= _MEL_FRAMES_BUDGET
    envelope = _Envelope(n_samples, n_bins)
    linear_columns, mel_columns, mel_frames = [], [], []
    with one_thread():
        chunks = _frame_chunks(_mono_blocks(path), n_samples=n_samples, n_fft=n_fft, hop_length=hop_length,
                               group=group, on_block=envelope.feed)
        for _, segment in chunks:
            power = _power(segment, n_fft, hop_length, win_length, window)
            mel = power @ weights
            linear_columns.append(pool_frames(power, group, dim=0))
            mel_columns.append(pool_frames(mel, group, dim=0))
            if keep_mel:
                mel_frames.append(mel)
        linear = torch.cat(linear_columns).T.unsqueeze(0).contiguous()
        mel_power = torch.cat(mel_columns).T.unsqueeze(0).contiguous()
        # torchaudio's MFCC: dB with an 80 dB floor below the loudest mel energy of the whole file
        floor = 10.0 * math.log10(max(float(mel_power.max()), 1e-10)) - 80.0
        dct = torchaudio.functional.create_dct(n_mfcc, n_mels, "ortho")
        if not keep_mel:  # too long to keep every frame: read the file again for the MFCC
            mel_frames = (_power(segment, n_fft, hop_length, win_length, window) @ weights for _, segment in
                          _frame_chunks(_mono_blocks(path), n_samples=n_samples, n_fft=n_fft,
                                        hop_length=hop_length, group=group))
        coefficients = [pool_frames(F.power_to_db(mel, top_db=None).clamp(min=floor) @ dct, group, how="mean", dim=0)
                        for mel in mel_frames]
        mfcc = torch.cat(coefficients).T.unsqueeze(0).contiguous()
    n_groups = linear.shape[-1]
    times = group_times(0.0, hop_length / rate, n_groups, group)
    stft_params = dict(n_fft=n_fft, win_length=win_length, window="hann", power=2.0, center=True,
                       n_samples=n_samples, frames_per_column=group)
    spectrogram = F.Feature(data=linear, times=times, rows=torch.linspace(0, rate / 2, n_fft // 2 + 1,
                                                                          dtype=torch.float64),
                            kind="linear", unit="power", sample_rate=rate, hop_length=hop_length * group,
                            params=stft_params)
    mel = spectrogram.replace(data=mel_power, rows=bank.centers_mel, kind="mel",
                              params={**stft_params, **bank.mel_params()})
    mfcc_feature = spectrogram.replace(
        data=mfcc, rows=torch.arange(n_mfcc, dtype=torch.float64), kind="mfcc", unit="coefficient",
        params=dict(n_fft=n_fft, win_length=win_length, n_mels=n_mels, n_mfcc=n_mfcc, f_min=bank.f_min,
                    f_max=bank.f_max, mel_scale=mel_scale, log_mels=False, n_samples=n_samples,
                    frames_per_column=group))
    return Overview(rate, n_samples, envelope.result(rate, name), spectrogram, mel, mfcc_feature)
