"""torchaudio's STFT, mel filterbank, dB and MFCC, in numpy and frame run by frame run, for the
torch-free overview of a file (:mod:`audioviz._stream`).

Each definition follows torchaudio's (``torch.stft`` with a periodic Hann window,
``amplitude_to_DB``); ``tests/test_show.py`` compares them. The mel filters and the DCT are not
copies: :func:`mel_weights` and :func:`dct_matrix` are :mod:`audioviz._mel`'s, the very arrays the
in-memory features multiply.
:class:`Stft`, :class:`MelProjection` and :class:`MfccColumns` turn one run of frames at a time
into the pooled columns that will be shown, with buffers made once.
"""
from __future__ import annotations

import math
import threading

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._mel import dct_matrix, mel_weights  # noqa: F401  (the one definition, used from here by _stream)

# Bytes of float64 frames per FFT call, so the windowed frames and their spectra stay in a core's
# cache (measured with the load average at 3.3: an hour's window, FFT and power 0.82 s of CPU in
# calls of 2048 frames, 0.58 s in calls of 512 KB, 163 frames of 400)
_FFT_BYTES = 512 << 10
# Mel filters per block of the banded mel projection (see MelProjection).
_MEL_BLOCK = 8
# The MFCC's mel dB less than this far above the floor known so far are kept one by one (8 bytes
# each), so that the final floor settles them without a second reading: at most this many of a
# job's (those nearest the floor), and this many in all.
_MFCC_MARGIN = 6.0
_MFCC_KEPT_PER_JOB = 1024
_MFCC_KEPT = 1 << 20


def n_stft_frames(n_samples: int, n_fft: int, hop_length: int) -> int:
    """Frames torch.stft gives with ``center=True``."""
    return 1 + (n_samples + 2 * (n_fft // 2) - n_fft) // hop_length


def hann_window(win_length: int, n_fft: int) -> np.ndarray:
    """torch's periodic Hann window of ``win_length``, zero-padded on both sides to ``n_fft``
    (as ``torch.stft`` centres a shorter window), in float64."""
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(win_length) / win_length)
    left = (n_fft - win_length) // 2
    return np.pad(window, (left, n_fft - win_length - left))


def power_to_db(values: np.ndarray, *, top_db: float | None = 80.0) -> np.ndarray:
    """``10 * log10(max(values, 1e-10))``, floored ``top_db`` below its maximum (as
    :func:`audioviz.features.power_to_db`)."""
    # natural log, scaled: numpy's float32 log is vectorised, its log10 is not (4x slower)
    db = np.log(np.maximum(values, np.float32(1e-10)))
    db *= np.float32(10.0 / math.log(10.0))
    if top_db is not None:
        np.maximum(db, db.max() - np.float32(top_db), out=db)
    return db


def pool_max(values: np.ndarray, group: int) -> np.ndarray:
    """Maximum of consecutive groups of ``group`` rows (the last may be shorter)."""
    return _pool(values, group, np.max)


def pool_min(values: np.ndarray, group: int) -> np.ndarray:
    """Minimum of consecutive groups of ``group`` rows (the last may be shorter)."""
    return _pool(values, group, np.min)


def pool_sum(values: np.ndarray, group: int) -> np.ndarray:
    """Sum of consecutive groups of ``group`` rows (the last may be shorter), in float64."""
    return _pool(values, group, lambda part, **keywords: np.sum(part, dtype=np.float64, **keywords))


def _pool(values, group, reduce):
    n_full, rest = divmod(values.shape[0], group)
    parts = []
    if n_full:
        parts.append(reduce(values[: n_full * group].reshape(n_full, group, -1), axis=1))
    if rest:
        parts.append(reduce(values[n_full * group:], axis=0, keepdims=True))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


class Stft:
    """Power spectra of frame runs: window, real FFT and squared magnitude, ``(frame, freq)``,
    the FFT done a few frames at a time (:data:`_FFT_BYTES`) into one float32 result."""

    def __init__(self, n_fft: int, win_length: int, hop_length: int, chunk: int):
        self.n_fft, self.hop_length = n_fft, hop_length
        self.window = hann_window(win_length, n_fft)
        self.step = max(1, _FFT_BYTES // (8 * n_fft))
        # float64 frames: numpy's float64 FFT is faster than its float32 one (measured 0.54 s
        # against 1.76 s for an hour of 400-point frames)
        self.frames = np.empty((min(chunk, self.step), n_fft), dtype=np.float64)
        self.power = np.empty((chunk, n_fft // 2 + 1), dtype=np.float32)

    def __call__(self, segment: np.ndarray) -> np.ndarray:
        views = sliding_window_view(segment, self.n_fft)[:: self.hop_length]
        n = views.shape[0]
        for start in range(0, n, self.step):
            stop = min(n, start + self.step)
            frames = self.frames[: stop - start]
            np.multiply(views[start:stop], self.window, out=frames)
            parts = np.fft.rfft(frames, axis=1).view(np.float64)  # real, imaginary, real, ...
            np.square(parts, out=parts)
            np.add(parts[:, 0::2], parts[:, 1::2], out=self.power[start:stop], casting="same_kind")
        return self.power[:n]


class MelProjection:
    """``power @ weights`` for mel filterbank weights, block by block of :data:`_MEL_BLOCK`
    filters over the FFT bins where those filters are not zero.

    A triangular filter covers a few neighbouring bins, so each block multiplies a narrow band of
    the spectrum instead of all of it (64 filters over 201 bins: 1752 products per frame instead
    of 12864; an hour's projection took 0.16 s of CPU, 0.09 s in blocks, at load 3.3). The terms
    left out have zero weights, so the sums are the same ones.
    """

    def __init__(self, weights: np.ndarray):
        self.n_mels = weights.shape[1]
        self.blocks = []
        for first in range(0, self.n_mels, _MEL_BLOCK):
            columns = slice(first, min(self.n_mels, first + _MEL_BLOCK))
            rows = np.flatnonzero((weights[:, columns] != 0).any(axis=1))
            if rows.size:  # a block of empty filters stays zero
                lo, hi = int(rows[0]), int(rows[-1]) + 1
                self.blocks.append((columns, lo, hi, np.ascontiguousarray(weights[lo:hi, columns])))

    def __call__(self, power: np.ndarray, out: np.ndarray) -> np.ndarray:
        out[:] = 0.0
        for columns, lo, hi, block in self.blocks:
            out[:, columns] = power[:, lo:hi] @ block
        return out


def mfcc_floor(max_power: float) -> np.float32:
    """torchaudio's MFCC floor: 80 dB below the loudest mel energy, in dB."""
    return np.float32(10.0 * math.log10(max(float(max_power), 1e-10)) - 80.0)


class MfccColumns:
    """Column means of the MFCC's mel dB, ``max(db, floor)``, in the same reading as the rest,
    though ``floor`` (:func:`mfcc_floor` of the loudest mel energy of the whole file) is known
    only at the end.

    A floor from the loudest energy seen so far is never above the final one, so a value under it
    will certainly be raised to the final floor: each column-band counts those and sums the others
    (in float64). The final floor is usually within a few dB of an early one, and later ones
    closer still, so the values less than :data:`_MFCC_MARGIN` dB above it are also kept one by
    one (of a job's, at most :data:`_MFCC_KEPT_PER_JOB`, those nearest the floor), to be raised at
    the end if they fall below the final floor. The least value not kept says whether a
    column-band is settled: when it is at or above the final floor, the column's mean is exact.
    The others (values between floors further apart than the values kept reach: a quiet stretch
    before a much louder part, a fade-in) are named by :meth:`finish` and taken again from their
    frames by :meth:`recompute` (the caller reads the file a second time, up to the last of them).
    """

    def __init__(self, n_groups: int, n_mels: int, n_frames: int, group: int):
        self.group, self.n_mels = group, n_mels
        self.sums = np.zeros((n_groups, n_mels), dtype=np.float64)
        self.n_low = np.zeros((n_groups, n_mels), dtype=np.float64)
        self.least = np.full((n_groups, n_mels), np.inf, dtype=np.float32)
        self.counts = np.full(n_groups, group, dtype=np.float64)
        self.counts[-1] = n_frames - (n_groups - 1) * group
        self.loudest = 0.0  # the loudest mel energy seen so far (any one seen is a lower bound)
        self.near: list = []  # (column * n_mels + band, value) of the values kept one by one
        self.n_near = 0
        self.lock = threading.Lock()

    def feed(self, first_column: int, db: np.ndarray, mel_max: float) -> None:
        """Frames ``(frame, mel)`` of whole column groups from ``first_column`` on (the last
        group may be short), and their loudest mel energy."""
        with self.lock:
            self.loudest = max(self.loudest, mel_max)
            floor = mfcc_floor(self.loudest)
        columns = slice(first_column, first_column + math.ceil(db.shape[0] / self.group))
        least = pool_min(db, self.group)
        self.sums[columns], self.least[columns] = pool_sum(db, self.group), least
        # the bands with a value near the floor (usual: the few lowest mel filters, which catch
        # almost no energy) are taken again one by one; the others' sums and least values stand
        near = np.flatnonzero(least.min(axis=0) < floor + np.float32(_MFCC_MARGIN))
        if not near.size:
            return
        part = db[:, near]
        low = part < floor
        rest = np.where(low, np.float32(0.0), part)
        self.sums[columns, near] = pool_sum(rest, self.group)
        self.n_low[columns, near] = pool_sum(low, self.group)
        frames, bands = np.nonzero(~low & (part < floor + np.float32(_MFCC_MARGIN)))
        values = part[frames, bands]
        with self.lock:
            room = min(_MFCC_KEPT_PER_JOB, _MFCC_KEPT - self.n_near)
            if values.size > room:  # keep those nearest the floor, the likeliest to fall below the final one
                nearest = np.argpartition(values, room)[:room] if room > 0 else np.zeros(0, dtype=np.intp)
                frames, bands, values = frames[nearest], bands[nearest], values[nearest]
            self.n_near += values.size
        if values.size:
            index = (first_column + frames // self.group) * self.n_mels + near[bands]
            self.near.append((index.astype(np.int32), values))
            low[frames, bands] = True
        np.copyto(rest, np.float32(np.inf), where=low)
        self.least[columns, near] = pool_min(rest, self.group)

    def finish(self, floor: np.float32) -> np.ndarray:
        """The indices of the columns not settled; the means of the others are computed."""
        self.floor = floor
        sums = self.sums + self.n_low * np.float64(floor)
        for index, values in self.near:
            below = values < floor
            np.add.at(sums.reshape(-1), index[below], np.float64(floor) - values[below])
        self.means = (sums / self.counts[:, None]).astype(np.float32)
        return np.flatnonzero((self.least < floor).any(axis=1))

    def recompute(self, first_column: int, db: np.ndarray) -> None:
        """The exact means of the columns of ``db`` (frames as :meth:`feed` takes them, read again)."""
        np.maximum(db, self.floor, out=db)
        columns = slice(first_column, first_column + math.ceil(db.shape[0] / self.group))
        self.means[columns] = pool_sum(db, self.group) / self.counts[columns, None]
