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
from ._reduce import n_stft_frames, one_thread, pool_frames
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
    """The file's samples as float32 mono Tensors of at most :data:`BLOCK_SAMPLES`.

    Every block is read into the same two arrays (each yielded block is a view of them, valid
    until the next one): a long file then makes no new large allocation per block, which keeps
    the heap from fragmenting and the memory flat however long the file is.
    """
    with soundfile.SoundFile(path) as handle:
        frames = np.empty((BLOCK_SAMPLES, handle.channels), dtype=np.float32)
        mono = np.empty(BLOCK_SAMPLES, dtype=np.float32)
        for block in handle.blocks(dtype="float32", always_2d=True, out=frames):
            if block.shape[1] == 1:
                mono[: block.shape[0]] = block[:, 0]
            else:
                block.mean(axis=1, dtype=np.float32, out=mono[: block.shape[0]])
            yield torch.from_numpy(mono[: block.shape[0]])


class _Envelope:
    """Min/max of consecutive bins of ``size`` samples, fed block by block (into arrays made once).

    It sees every sample's minimum and maximum, so it also checks the values: NaN and Inf
    survive min and max, and the peak is the largest magnitude.
    """

    def __init__(self, n_samples: int, n_bins: int):
        self.size = max(1, math.ceil(n_samples / max(1, n_bins)))
        self.n_samples = n_samples
        n_out = math.ceil(n_samples / self.size)
        self.lows, self.highs, self.firsts = (np.empty(n_out, dtype=np.float32) for _ in range(3))
        self.done = 0  # bins filled
        self.pending = np.empty(self.size, dtype=np.float32)
        self.n_pending = 0

    def feed(self, block: torch.Tensor) -> None:
        values = block.numpy()
        if self.n_pending:  # complete the bin left open by the last block
            take = min(self.size - self.n_pending, values.size)
            self.pending[self.n_pending:self.n_pending + take] = values[:take]
            self.n_pending += take
            values = values[take:]
            if self.n_pending < self.size:
                return
            self._store(self.pending.reshape(1, -1))
            self.n_pending = 0
        n_full = values.size // self.size
        if n_full:
            self._store(values[: n_full * self.size].reshape(n_full, self.size))
        rest = values[n_full * self.size:]
        self.pending[: rest.size] = rest
        self.n_pending = rest.size

    def _store(self, bins: np.ndarray) -> None:
        stop = self.done + bins.shape[0]
        np.min(bins, axis=1, out=self.lows[self.done:stop])
        np.max(bins, axis=1, out=self.highs[self.done:stop])
        self.firsts[self.done:stop] = bins[:, 0]
        self.done = stop

    def result(self, sample_rate: int, name: str):
        if self.n_pending:
            self._store(self.pending[: self.n_pending].reshape(1, -1))
        lows, highs, firsts = self.lows[: self.done], self.highs[: self.done], self.firsts[: self.done]
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
    pads it; each yielded segment holds exactly the samples of its frames (``center=False``) and
    is a view of one buffer made once (valid until the next segment).
    """
    pad = n_fft // 2
    n_frames = n_stft_frames(n_samples, n_fft, hop_length)
    chunk = group * max(1, _CHUNK_FRAMES // group)
    capacity = BLOCK_SAMPLES + 2 * pad + chunk * hop_length + n_fft
    buffer, scratch = torch.empty(capacity), torch.empty(capacity)
    tail = torch.empty(pad + 1)  # the last pad + 1 samples seen, for the right-hand reflection
    n_tail = 0
    fill, buffer_start, next_frame = 0, 0, 0

    def append(values: torch.Tensor) -> None:
        nonlocal fill
        buffer[fill:fill + values.numel()] = values
        fill += values.numel()

    def ready(final: bool):
        nonlocal fill, buffer_start, next_frame
        available = min(n_frames, (buffer_start + fill - n_fft) // hop_length + 1)
        if not final:
            available = next_frame + (available - next_frame) // chunk * chunk
        while next_frame < available:
            stop = min(available, next_frame + chunk)
            start_sample = next_frame * hop_length - buffer_start
            yield next_frame, buffer[start_sample:(stop - 1) * hop_length + n_fft - buffer_start]
            next_frame = stop
        drop = min(fill, next_frame * hop_length - buffer_start)
        if drop > 0:  # move what is left to the front (through scratch: the ranges may overlap)
            left = fill - drop
            scratch[:left] = buffer[drop:fill]
            buffer[:left] = scratch[:left]
            fill, buffer_start = left, buffer_start + drop

    first = True
    for block in blocks:
        if on_block is not None:
            on_block(block)
        if first:
            append(block[1:pad + 1].flip(0))
            first = False
        append(block)
        if block.numel() > pad:
            tail[:] = block[-(pad + 1):]
            n_tail = pad + 1
        else:
            joined = torch.cat([tail[:n_tail], block])[-(pad + 1):]
            tail[: joined.numel()] = joined
            n_tail = joined.numel()
        yield from ready(final=False)
    append(tail[: n_tail - 1].flip(0)[:pad])
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
    n_groups = math.ceil(n_frames / group)
    # every result is written into arrays made once (see _mono_blocks on why)
    linear_columns = torch.empty(n_groups, n_fft // 2 + 1)
    mel_columns = torch.empty(n_groups, n_mels)
    mel_frames = torch.empty(n_frames if keep_mel else 0, n_mels)
    mfcc_columns = torch.empty(n_groups, n_mfcc)
    with one_thread():
        chunks = _frame_chunks(_mono_blocks(path), n_samples=n_samples, n_fft=n_fft, hop_length=hop_length,
                               group=group, on_block=envelope.feed)
        for first, segment in chunks:
            power = _power(segment, n_fft, hop_length, win_length, window)
            mel = power @ weights
            columns = slice(first // group, first // group + math.ceil(power.shape[0] / group))
            linear_columns[columns] = pool_frames(power, group, dim=0)
            mel_columns[columns] = pool_frames(mel, group, dim=0)
            if keep_mel:
                mel_frames[first:first + mel.shape[0]] = mel
        linear = linear_columns.T.unsqueeze(0).contiguous()
        mel_power = mel_columns.T.unsqueeze(0).contiguous()
        # torchaudio's MFCC: dB with an 80 dB floor below the loudest mel energy of the whole file
        floor = 10.0 * math.log10(max(float(mel_power.max()), 1e-10)) - 80.0
        dct = torchaudio.functional.create_dct(n_mfcc, n_mels, "ortho")
        chunk = group * max(1, _CHUNK_FRAMES // group)
        if keep_mel:
            mel_chunks = ((first, mel_frames[first:first + chunk]) for first in range(0, n_frames, chunk))
        else:  # too long to keep every frame: read the file again for the MFCC
            mel_chunks = ((first, _power(segment, n_fft, hop_length, win_length, window) @ weights)
                          for first, segment in _frame_chunks(_mono_blocks(path), n_samples=n_samples, n_fft=n_fft,
                                                              hop_length=hop_length, group=group))
        for first, mel in mel_chunks:
            columns = slice(first // group, first // group + math.ceil(mel.shape[0] / group))
            db = F.power_to_db(mel, top_db=None).clamp(min=floor)
            mfcc_columns[columns] = pool_frames(db @ dct, group, how="mean", dim=0)
        mfcc = mfcc_columns.T.unsqueeze(0).contiguous()
    common = dict(sample_rate=rate, hop_length=hop_length, n_fft=n_fft, n_samples=n_samples, group=group,
                  win_length=win_length)
    spectrogram = F.frames_feature(linear, kind="linear", unit="power", window="hann", power=2.0, **common)
    mel = F.frames_feature(mel_power, kind="mel", unit="power", bank=bank, window="hann", power=2.0, **common)
    mfcc_feature = F.frames_feature(mfcc, kind="mfcc", unit="coefficient", n_mels=n_mels, n_mfcc=n_mfcc,
                                    f_min=bank.f_min, f_max=bank.f_max, mel_scale=mel_scale, log_mels=False, **common)
    return Overview(rate, n_samples, envelope.result(rate, name), spectrogram, mel, mfcc_feature)
