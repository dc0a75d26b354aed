"""The overview of an audio file, computed in numpy while the file is read block by block.

:func:`audioviz.show` of a path never imports torch (its import alone costs about 600 MB of
memory) and never holds the whole signal: :func:`stream_overview` reads the file in blocks of
:data:`BLOCK_SAMPLES` (mixed to mono as they arrive, resampled block by block when a rate is
asked for), and from each block updates the waveform's min/max envelope and runs the STFT of the
frames it completes, pooling the power, the mel power and the MFCC's mel dB into the columns
that will be shown, all in that one reading (see :class:`~audioviz._spectra.MfccColumns` for the
MFCC's floor, which is known only at the end). Memory is bounded by the block size and the
picture size, not the recording's length: a ten-hour file is drawn like a one-hour one. Every
step follows torchaudio's definition (``torch.stft`` with ``center=True`` and reflection padding,
``melscale_fbanks``, ``create_dct``, ``resample``; see :mod:`audioviz._spectra`), and the results
equal the torch path's (:func:`audioviz._reduce.pooled_spectrogram`,
:func:`~audioviz._reduce.pooled_mfcc`, :func:`audioviz.load_audio`) up to float rounding.
"""
from __future__ import annotations

import collections
import contextlib
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import soundfile
from threadpoolctl import threadpool_limits

from ._mel import _check_mel_args, hz_to_mel, warn_empty_filters
from ._resample import Resampler, resampled, resampled_length
from ._spectra import (MelProjection, MfccColumns, Stft, dct_matrix, mel_weights, mfcc_floor, n_stft_frames,
                       pool_max, power_to_db)
from ._validation import check_stft_params, warn_user

__all__ = ["BLOCK_SAMPLES", "STREAM_MIN_SAMPLES", "Image", "Overview", "file_info", "stream_overview"]

#: Files with more samples than this (about 8.7 minutes at 16 kHz) are drawn with a fixed
#: envelope; shorter ones keep their samples, so the waveform refines when zoomed.
STREAM_MIN_SAMPLES = 1 << 23
#: Samples read at a time (4 MB of float32 per channel).
BLOCK_SAMPLES = 1 << 20
# Frames per job (rounded to whole column groups).
_CHUNK_FRAMES = 2048
# Threads computing chunks (the machine's cores, at most this many).
_MAX_WORKERS = 2


@dataclass
class Image:
    """One panel of the overview, ready to draw: values in their display unit, with axes.

    Attributes:
        data: float32 array ``(n_rows, n_columns)``: dB (energy) or MFCC values.
        time_edges: left edge of the first column and right edge of the last, in seconds.
        row_edges: lower edge of the first row and upper edge of the last, in axis units (Hz,
            mel or coefficient index), as :meth:`audioviz.Feature.row_edges` gives them.
        kind: the row-axis kind (``"hz"``, ``"mel"``, ``"mfcc"``). unit: ``"dB"`` or ``"coefficient"``.
        mel_scale: the mel scale of the mel axis. empty_rows: rows of empty mel filters.
    """

    data: np.ndarray
    time_edges: tuple
    row_edges: tuple
    kind: str
    unit: str
    mel_scale: str = "htk"
    empty_rows: tuple = ()


@dataclass
class Overview:
    """What :func:`audioviz.show` draws of a file.

    Attributes:
        sample_rate: the rate in Hz (the file's, or the one resampled to). n_samples: the length
            in samples (per channel) at that rate.
        envelope: ``(edges, lows, highs)``: bin edges in seconds (one more than bins) and each
            bin's minimum and maximum sample, as :func:`~audioviz._waveform.minmax_envelope`.
        samples: the mono signal (float32), kept for files of at most :data:`STREAM_MIN_SAMPLES`
            samples, else ``None``.
        spectrogram, mel, mfcc: the three :class:`Image` panels.
    """

    sample_rate: int
    n_samples: int
    envelope: tuple
    samples: np.ndarray | None
    spectrogram: Image
    mel: Image
    mfcc: Image


# ----------------------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------------------
def file_info(path, name: str):
    """soundfile's info of ``path``, with the errors :func:`audioviz.load_audio` gives."""
    from .io import check_audio_path

    path = check_audio_path(path)
    try:
        info = soundfile.info(os.fspath(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise ValueError(f"cannot decode audio file {name}: {exc}") from exc
    if info.frames <= 0:
        raise ValueError(f"audio file {name} holds no samples")
    return info


class _SampleCheck:
    """The checks :func:`audioviz.load_audio` makes of a file's samples (every channel, before
    mixing or resampling), block by block: NaN and Inf are refused before anything is computed
    from them, and a peak beyond [-1, 1] is said once at the end."""

    def __init__(self, name: str):
        self.name = name
        self.peak = 0.0

    def feed(self, block: np.ndarray) -> None:
        low, high = float(block.min()), float(block.max())
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"audio file {self.name} holds NaN or Inf samples; it is damaged or was written "
                             f"from a broken computation: rewrite it with finite samples")
        self.peak = max(self.peak, -low, high)

    def finish(self) -> None:
        if self.peak > 1.0:
            warn_user(f"audio file {self.name} holds samples up to {self.peak:.3g} in magnitude, beyond [-1, 1]; "
                      f"they are shown unchanged")


def _mono_blocks(path, name: str, check: _SampleCheck | None = None):
    """The file's samples as float32 mono arrays of at most :data:`BLOCK_SAMPLES`, each block
    given to ``check`` first.

    Every block is read into the same two arrays (each yielded block is a view of them, valid
    until the next one): a long file then makes no new large allocation per block, which keeps
    the heap from fragmenting and the memory flat however long the file is.
    """
    try:
        handle = soundfile.SoundFile(os.fspath(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise ValueError(f"cannot decode audio file {name}: {exc}") from exc
    with handle:
        frames = np.empty((BLOCK_SAMPLES, handle.channels), dtype=np.float32)
        mono = np.empty(BLOCK_SAMPLES, dtype=np.float32)
        # 16-bit PCM is read as it is stored and scaled here: libsndfile's own conversion to float
        # (the same x / 32768, exact in float32) took 0.23 s of CPU for an hour, this 0.045 s
        pcm16 = handle.subtype == "PCM_16"
        raw = np.empty((BLOCK_SAMPLES, handle.channels), dtype=np.int16) if pcm16 else frames
        for block in handle.blocks(dtype=raw.dtype.name, always_2d=True, out=raw):
            if pcm16 and block.shape[1] == 1:  # scaled straight into the mono buffer
                yield np.multiply(block[:, 0], np.float32(1.0 / 32768.0), out=mono[: block.shape[0]])
                continue
            if pcm16:  # whole numbers below 2**15: no NaN, no peak beyond 1, nothing to check
                block = np.multiply(block, np.float32(1.0 / 32768.0), out=frames[: block.shape[0]])
            elif check is not None:
                check.feed(block)
            if block.shape[1] == 1:
                mono[: block.shape[0]] = block[:, 0]
            else:
                block.mean(axis=1, dtype=np.float32, out=mono[: block.shape[0]])
            yield mono[: block.shape[0]]


def _at_least(blocks, minimum: int):
    """The same samples, the first block holding at least ``minimum`` of them (when there are)."""
    head = []
    n_head = 0
    for block in blocks:
        if head is None:
            yield block
            continue
        head.append(block.copy())
        n_head += block.size
        if n_head >= minimum:
            yield np.concatenate(head)
            head = None
    if head:
        yield np.concatenate(head)


# ----------------------------------------------------------------------------------------------
# the envelope
# ----------------------------------------------------------------------------------------------
class _Envelope:
    """Min/max of consecutive bins of ``size`` samples, fed block by block (into arrays made once)."""

    def __init__(self, n_samples: int, n_bins: int):
        self.size = max(1, math.ceil(n_samples / max(1, n_bins)))
        self.n_samples = n_samples
        n_out = math.ceil(n_samples / self.size)
        self.lows, self.highs, self.firsts = (np.empty(n_out, dtype=np.float32) for _ in range(3))
        self.done = 0  # bins filled
        self.pending = np.empty(self.size, dtype=np.float32)
        self.n_pending = 0

    def feed(self, values: np.ndarray) -> None:
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

    def result(self, sample_rate: int):
        if self.n_pending:
            self._store(self.pending[: self.n_pending].reshape(1, -1))
        lows, highs, firsts = self.lows[: self.done], self.highs[: self.done], self.firsts[: self.done]
        # a line through the samples reaches the first sample of the next bin from inside this one
        np.minimum(lows[:-1], firsts[1:], out=lows[:-1])
        np.maximum(highs[:-1], firsts[1:], out=highs[:-1])
        edges = np.append(np.arange(lows.size, dtype=np.float64) * self.size, self.n_samples) / sample_rate
        return edges, lows, highs


def _frame_chunks(blocks, *, n_samples: int, n_fft: int, hop_length: int, chunk: int, on_block=None):
    """Yield ``(first_frame, padded_samples)`` for consecutive runs of ``chunk`` frames (the last
    run may be shorter).

    The signal is reflect-padded by ``n_fft // 2`` at both ends, as ``torch.stft(center=True)``
    pads it; each yielded segment holds exactly the samples of its frames and is a view of one
    buffer made once (valid until the next segment).
    """
    pad = n_fft // 2
    n_frames = n_stft_frames(n_samples, n_fft, hop_length)
    buffer = np.empty(BLOCK_SAMPLES + 2 * pad + chunk * hop_length + n_fft, dtype=np.float32)
    tail = np.empty(pad + 1, dtype=np.float32)  # the last pad + 1 samples seen, for the right-hand reflection
    n_tail = 0
    fill, buffer_start, next_frame = 0, 0, 0

    def append(values: np.ndarray) -> None:
        nonlocal fill
        buffer[fill:fill + values.size] = values
        fill += values.size

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
        if drop > 0:  # move what is left to the front
            left = fill - drop
            buffer[:left] = buffer[drop:fill].copy()
            fill, buffer_start = left, buffer_start + drop

    first = True
    for block in _at_least(blocks, pad + 1):
        for start in range(0, block.size, BLOCK_SAMPLES):
            piece = block[start:start + BLOCK_SAMPLES]
            if on_block is not None:
                on_block(piece)
            if first:
                append(piece[1:pad + 1][::-1])
                first = False
            append(piece)
            if piece.size > pad:
                tail[:] = piece[-(pad + 1):]
                n_tail = pad + 1
            else:
                joined = np.concatenate([tail[:n_tail], piece])[-(pad + 1):]
                tail[: joined.size] = joined
                n_tail = joined.size
            yield from ready(final=False)
    append(tail[: n_tail - 1][::-1][:pad])
    yield from ready(final=True)


class _Workers:
    """Chunk jobs run on the machine's cores (at most two), a few in flight while the main thread
    reads the next block. Each job writes its own columns, so no two touch the same values; numpy
    releases the GIL inside its FFT, ufuncs and matrix products."""

    def __init__(self):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.n = min(_MAX_WORKERS, cores)
        self.pool = ThreadPoolExecutor(self.n, thread_name_prefix="audioviz-show") if self.n > 1 else None
        self.pending: collections.deque = collections.deque()

    def submit(self, job, *args) -> None:
        if self.pool is None:
            job(*args)
            return
        if len(self.pending) >= 2 * self.n:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(job, *args))

    def wait(self) -> None:
        while self.pending:
            self.pending.popleft().result()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            for future in self.pending:
                future.cancel()
            self.pool.shutdown(wait=True)


def _edges(rows: np.ndarray) -> tuple[float, float]:
    if rows.size == 1:
        return float(rows[0]) - 0.5, float(rows[0]) + 0.5
    return float(rows[0] - (rows[1] - rows[0]) / 2), float(rows[-1] + (rows[-1] - rows[-2]) / 2)


def stream_overview(path, *, name: str, n_bins: int, max_columns: int, n_fft: int = 400,
                    hop_length: int | None = None, n_mels: int = 64, n_mfcc: int = 20, mel_scale: str = "htk",
                    sample_rate: int | None = None, top_db: float = 80.0) -> Overview:
    """Read ``path`` block by block into the envelope, spectrogram, mel spectrogram and MFCC that
    :func:`audioviz.show` draws, pooled to ``n_bins`` envelope bins and ``max_columns`` columns
    (resampled to ``sample_rate`` first, when it is given and differs from the file's).

    The matrix products run on one BLAS thread: they are small (a few hundred kilobytes each),
    and splitting them costs more than it gains (measured on the 2 shared cores with the load
    average at 2: 0.11 s on one thread against 0.83 s on two for an hour of mel projections).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _overview(path, name=name, n_bins=n_bins, max_columns=max_columns, n_fft=n_fft,
                         hop_length=hop_length, n_mels=n_mels, n_mfcc=n_mfcc, mel_scale=mel_scale,
                         sample_rate=sample_rate, top_db=top_db)


def _overview(path, *, name, n_bins, max_columns, n_fft, hop_length, n_mels, n_mfcc, mel_scale, sample_rate,
              top_db) -> Overview:
    info = file_info(path, name)
    file_rate = int(info.samplerate)
    rate = file_rate if sample_rate is None else int(sample_rate)
    n_samples = int(info.frames) if rate == file_rate else resampled_length(int(info.frames), file_rate, rate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, None, hop_length)
    rate, n_fft, n_mels, f_min, f_max = _check_mel_args(rate, n_fft, n_mels, 0.0, None, mel_scale, None)
    if n_samples <= n_fft // 2:
        raise ValueError(f"audio file {name} has {n_samples} samples, too few for n_fft={n_fft}")
    weights = mel_weights(rate, n_fft, n_mels, f_min, f_max, mel_scale)
    empty = np.flatnonzero(weights.max(axis=0) <= 0)
    warn_empty_filters(int(empty.size), n_mels, n_fft, rate)
    n_frames = n_stft_frames(n_samples, n_fft, hop_length)
    group = math.ceil(n_frames / max_columns)
    chunk = group * max(1, _CHUNK_FRAMES // group)
    envelope = _Envelope(n_samples, n_bins)
    check = _SampleCheck(name)
    samples = np.empty(n_samples, dtype=np.float32) if n_samples <= STREAM_MIN_SAMPLES else None
    kept = 0

    def on_block(block):
        nonlocal kept
        if kept + block.size > n_samples:
            raise ValueError(f"audio file {name} holds more samples than its header says ({n_samples}); "
                             f"it changed while being read, or its header is damaged")
        envelope.feed(block)
        if samples is not None:
            samples[kept:kept + block.size] = block
        kept += block.size

    def blocks():
        raw = _mono_blocks(path, name, check)
        if rate == file_rate:
            return raw
        return resampled(raw, Resampler(file_rate, rate, int(info.frames), block_samples=BLOCK_SAMPLES))

    n_groups = math.ceil(n_frames / group)
    # every result is written into arrays made once (see _mono_blocks on why)
    linear_columns = np.empty((n_groups, n_fft // 2 + 1), dtype=np.float32)
    mel_columns = np.empty((n_groups, n_mels), dtype=np.float32)
    mfcc = MfccColumns(n_groups, n_mels, n_frames, group)
    project = MelProjection(weights)
    local = threading.local()

    def mel_db_of(segment):
        """The segment's power ``(frame, freq)``, mel power and mel dB ``(frame, mel)``."""
        if not hasattr(local, "stft"):  # each worker thread has its own buffers
            local.stft = Stft(n_fft, win_length, hop_length, chunk)
            local.mel = np.empty((chunk, n_mels), dtype=np.float32)
        power = local.stft(segment)
        mel = project(power, local.mel[: power.shape[0]])
        return power, mel, power_to_db(mel, top_db=None)

    def first_job(first, segment):
        power, mel, db = mel_db_of(segment)
        columns = slice(first // group, first // group + math.ceil(power.shape[0] / group))
        linear_columns[columns] = pool_max(power, group)
        mel_columns[columns] = pool_max(mel, group)
        mfcc.feed(first // group, db, float(mel_columns[columns].max()))

    def second_job(first, segment):
        mfcc.recompute(first // group, mel_db_of(segment)[2])

    with _Workers() as workers:
        for first, segment in _frame_chunks(blocks(), n_samples=n_samples, n_fft=n_fft, hop_length=hop_length,
                                            chunk=chunk, on_block=on_block):
            workers.submit(first_job, first, segment.copy())  # a copy: the reader moves on meanwhile
        workers.wait()
        if kept < n_samples:  # else columns and bins would be left unfilled
            raise ValueError(f"audio file {name} holds {kept} samples, fewer than the {n_samples} its header "
                             f"says; it changed while being read, or its header is damaged")
        check.finish()
        # torchaudio's MFCC: dB with an 80 dB floor below the loudest mel energy of the whole file
        unsettled = mfcc.finish(mfcc_floor(mel_columns.max()))
        if unsettled.size:  # read again up to the last column whose mean the floor changed
            chunks = set((unsettled * group // chunk).tolist())
            last = max(chunks)
            with contextlib.closing(_frame_chunks(blocks(), n_samples=n_samples, n_fft=n_fft,
                                                  hop_length=hop_length, chunk=chunk)) as again:
                for first, segment in again:
                    if first // chunk in chunks:
                        workers.submit(second_job, first, segment.copy())
                    if first // chunk >= last:
                        break
            workers.wait()
    mfcc_columns = mfcc.means @ dct_matrix(n_mfcc, n_mels)  # the DCT is linear: of the means, the mean

    # each column's time is the centre of its group of frames (as audioviz.Feature.times)
    period = hop_length * group / rate
    first_time = (group - 1) / 2 * hop_length / rate
    time_edges = (first_time - period / 2, first_time + (n_groups - 1) * period + period / 2)
    centers_mel = np.linspace(float(hz_to_mel(f_min, mel_scale=mel_scale)), float(hz_to_mel(f_max, mel_scale=mel_scale)),
                              n_mels + 2)[1:-1]
    spectrogram = Image(np.ascontiguousarray(power_to_db(linear_columns.T, top_db=top_db)), time_edges,
                        _edges(np.linspace(0, rate / 2, n_fft // 2 + 1)), "hz", "dB")
    mel_image = Image(np.ascontiguousarray(power_to_db(mel_columns.T, top_db=top_db)), time_edges, _edges(centers_mel), "mel", "dB",
                      mel_scale=mel_scale, empty_rows=tuple(int(i) for i in empty))
    mfcc_image = Image(np.ascontiguousarray(mfcc_columns.T), time_edges, _edges(np.arange(n_mfcc, dtype=float)),
                       "mfcc", "coefficient")
    return Overview(rate, n_samples, envelope.result(rate), samples, spectrogram, mel_image, mfcc_image)
