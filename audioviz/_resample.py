"""torchaudio's ``resample``, in numpy and block by block, for :func:`audioviz.show` of a file
drawn at another rate: the whole signal is never held, and torch is never imported.

:class:`Resampler` applies the same windowed-sinc polyphase filter as
``torchaudio.functional.resample`` (Hann window, 6 zero crossings, roll-off 0.99) to each run of
whole input periods as the blocks arrive, leaving out the taps where the window is zero; the
output equals torchaudio's up to float rounding (``tests/test_show.py`` compares them). Rates
whose polyphase table would be large take one bounded per-output path, :class:`_DirectWeights`,
both in memory (:func:`resample_direct`, used by :func:`resample_waveform`) and block by block
(:class:`Resampler`), with the same results. Which of the two a pair of rates takes is decided in
one place, :func:`_polyphase_fits`.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["Resampler", "resample_direct", "resample_waveform", "resampled", "resampled_length"]

#: Largest polyphase table (phases x taps) built for ``torchaudio.functional.resample``. Rates
#: whose ratio reduces to large numbers (8000 -> 96001 Hz: 96001 phases of 8014 taps, 13 GB and
#: 40 s for a 0.2 s clip) are resampled by :func:`resample_direct` instead, at the same values.
MAX_TABLE = 1 << 22
#: Largest resampled signal (samples, all channels) made: 4 GiB of float32.
MAX_OUTPUT = 1 << 30
#: Largest upsampling factor: beyond it no analysis gains anything, and a typo (``44100000``)
#: would only cost minutes and gigabytes.
MAX_UPSAMPLING = 256

# Output phases per block of the banded polyphase product (see Resampler).
_PHASE_BLOCK = 16


def resampled_length(n_samples: int, orig_freq: int, new_freq: int) -> int:
    """Samples torchaudio's ``resample`` gives for ``n_samples`` at ``orig_freq``.

    Example:
        >>> resampled_length(44100, 44100, 16000), resampled_length(1001, 16000, 8000)
        (16000, 501)
    """
    gcd = math.gcd(orig_freq, new_freq)
    return math.ceil((new_freq // gcd) * n_samples / (orig_freq // gcd))


def _sinc_hann(t, lowpass_filter_width: int, scale):
    """torchaudio's resampling weights at offsets ``t`` (in zero crossings, already clipped to
    ``+-lowpass_filter_width``): Hann-windowed sinc times ``scale``, in ``t``'s dtype."""
    window = np.cos(t * t.dtype.type(math.pi / lowpass_filter_width / 2)) ** 2
    t = t * t.dtype.type(math.pi)
    with np.errstate(invalid="ignore", divide="ignore"):
        kernel = np.where(t == 0, t.dtype.type(1.0), np.sin(t) / t)
    return kernel * window * t.dtype.type(scale)


def _table_size(orig_freq: int, new_freq: int, lowpass_filter_width: int = 6, rolloff: float = 0.99) -> int:
    """Weights in torchaudio's polyphase table for these rates (phases x taps)."""
    gcd = math.gcd(orig_freq, new_freq)
    orig, new = orig_freq // gcd, new_freq // gcd
    width = math.ceil(lowpass_filter_width * orig / (min(orig, new) * rolloff))
    return new * (2 * width + orig)


def _polyphase_fits(orig_freq: int, new_freq: int, lowpass_filter_width: int = 6, rolloff: float = 0.99) -> bool:
    """Whether these rates are resampled through torchaudio's polyphase table (at most
    :data:`MAX_TABLE` weights) rather than output by output (:class:`_DirectWeights`): the one
    choice of method, for :func:`resample_waveform` in memory and :class:`Resampler` by blocks,
    so a file looks the same through either.

    Example:
        >>> _polyphase_fits(44100, 16000), _polyphase_fits(8001, 16000)
        (True, False)
    """
    return _table_size(orig_freq, new_freq, lowpass_filter_width, rolloff) <= MAX_TABLE


class _DirectWeights:
    """torchaudio's resampling weights for chosen outputs, computed from each output's own offset:
    the one per-output mechanism behind :func:`resample_direct` and :class:`_DirectResampler` when
    a polyphase table would be large.

    Output ``n`` lies at input time ``n * orig_freq / new_freq``; it is the sum of the inputs
    ``i`` within ``lowpass_filter_width`` zero crossings of it, weighted by the Hann-windowed sinc
    of ``(i / orig_freq - n / new_freq) * min(orig_freq, new_freq) * rolloff``: the very weights
    of torchaudio's table, with only the ``n_taps`` (``2 * half + 2``) that can be inside the
    window. The weights repeat with the output phase (``n`` modulo the reduced ``new_freq``), so
    they are tabled per phase when that table is small (8001 -> 16000 Hz: 16000 phases of 16 taps
    instead of torchaudio's 8015), else computed per output.
    """

    def __init__(self, orig_freq: int, new_freq: int, lowpass_filter_width: int = 6, rolloff: float = 0.99):
        self.orig_freq, self.new_freq, self.lowpass_filter_width = orig_freq, new_freq, lowpass_filter_width
        self.base = min(orig_freq, new_freq) * rolloff
        self.half = math.ceil(lowpass_filter_width * orig_freq / self.base)
        self.offsets = np.arange(-self.half, self.half + 2)
        self.n_taps = self.offsets.size
        gcd = math.gcd(orig_freq, new_freq)
        self.phases = new_freq // gcd
        self.table = None
        if self.phases * self.n_taps <= MAX_TABLE:  # computed a few phases at a time: few temporaries
            self.firsts = np.empty(self.phases, dtype=np.int64)
            self.table = np.empty((self.phases, self.n_taps), dtype=np.float64)
            step = self.outputs_per_call()
            for start in range(0, self.phases, step):
                stop = min(self.phases, start + step)
                self.firsts[start:stop], self.table[start:stop] = self._compute(np.arange(start, stop, dtype=np.int64))
            self.period = orig_freq // gcd  # inputs per period of outputs

    def _compute(self, n: np.ndarray):
        first = (n * self.orig_freq) // self.new_freq  # the input just before output n
        taps = first[:, None] + self.offsets[None, :]
        # exact integers, then one division: (i / orig - n / new) * base
        t = (taps * self.new_freq - n[:, None] * self.orig_freq) * (self.base / (self.orig_freq * self.new_freq))
        t = np.clip(t, -self.lowpass_filter_width, self.lowpass_filter_width)
        return first, _sinc_hann(t, self.lowpass_filter_width, self.base / self.orig_freq)

    def __call__(self, n: np.ndarray):
        """``(first, weights)`` of outputs ``n`` (int64): output ``n[k]`` is the sum of
        ``weights[k] * x[first[k] - half : first[k] + half + 2]`` (``x`` zero outside the signal)."""
        if self.table is None:
            return self._compute(n)
        periods, phases = np.divmod(n, self.phases)
        return periods * self.period + self.firsts[phases], self.table[phases]

    def outputs_per_call(self) -> int:
        """Outputs per call that keep its arrays near 2 MB each, however many taps."""
        return max(1, (1 << 18) // self.n_taps)

    def fill(self, padded: np.ndarray, start: int, first_output: int, out: np.ndarray) -> None:
        """Outputs ``first_output`` onwards into ``out`` (``(..., count)``) from ``padded``
        (``(..., samples)``): the signal with ``half`` zeros before it (and ``half + 2`` after),
        from its sample ``start`` on; :meth:`outputs_per_call` outputs at a time."""
        count, step = out.shape[-1], self.outputs_per_call()
        for begin in range(0, count, step):
            n = np.arange(first_output + begin, first_output + min(count, begin + step), dtype=np.int64)
            first, weights = self(n)
            gathered = padded[..., first[:, None] + self.offsets[None, :] + (self.half - start)]
            out[..., begin:begin + n.size] = (gathered * weights).sum(-1)


def resample_direct(x: np.ndarray, orig_freq: int, new_freq: int, *, lowpass_filter_width: int = 6,
                    rolloff: float = 0.99) -> np.ndarray:
    """torchaudio's windowed-sinc resampling of ``x`` (``(..., time)``), one output at a time,
    with the weights of :class:`_DirectWeights`: no ratio of rates costs more than
    ``2 * lowpass_filter_width`` taps an output (plus two).

    Example:
        >>> y = resample_direct(np.ones(800, np.float32), 8000, 8001)
        >>> y.shape, bool(abs(y[400] - 1) < 1e-3)
        ((801,), True)
    """
    x = np.asarray(x, dtype=np.float32)
    n_in = x.shape[-1]
    n_out = resampled_length(n_in, orig_freq, new_freq)
    weights = _DirectWeights(orig_freq, new_freq, lowpass_filter_width, rolloff)
    half = weights.half
    flat = x.reshape(-1, n_in)
    padded = np.zeros((flat.shape[0], n_in + 2 * half + 2), np.float64)
    padded[:, half : half + n_in] = flat  # the zeros of the padding stand for samples outside
    out = np.empty((flat.shape[0], n_out), np.float32)
    weights.fill(padded, 0, 0, out)
    return out.reshape(*x.shape[:-1], n_out)


def resample_waveform(waveform, orig_freq: int, new_freq: int, *, name: str = "sample_rate"):
    """``torchaudio.functional.resample(waveform, orig_freq, new_freq)``, at a bounded cost for any
    pair of rates: through :func:`resample_direct` when torchaudio's table would be large. Upsampling
    beyond :data:`MAX_UPSAMPLING` times, or a result of more than :data:`MAX_OUTPUT` samples, is a
    ValueError naming ``name``."""
    if new_freq > MAX_UPSAMPLING * orig_freq:
        raise ValueError(f"{name}={new_freq} would upsample {orig_freq} Hz audio {new_freq / orig_freq:.0f} times; "
                         f"expected at most {MAX_UPSAMPLING} times ({MAX_UPSAMPLING * orig_freq} Hz)")
    n_out = resampled_length(int(waveform.shape[-1]), orig_freq, new_freq)
    total = n_out * math.prod(waveform.shape[:-1])
    if total > MAX_OUTPUT:
        raise ValueError(f"{name}={new_freq} would turn {waveform.shape[-1]} samples at {orig_freq} Hz into {total} "
                         f"samples ({total * 4 / 2**30:.0f} GiB); expected a rate that keeps it under {MAX_OUTPUT}")
    import torch
    import torchaudio

    if _polyphase_fits(orig_freq, new_freq):
        return torchaudio.functional.resample(waveform, orig_freq, new_freq)
    out = resample_direct(waveform.detach().cpu().float().numpy(), orig_freq, new_freq)
    return torch.from_numpy(out).to(dtype=waveform.dtype if waveform.is_floating_point() else torch.float32)


class Resampler:
    """torchaudio's ``resample`` (windowed sinc, Hann, 6 zero crossings, roll-off 0.99), fed block
    by block: ``Resampler(orig_freq, new_freq, n_samples)`` gives the block path that
    :func:`_polyphase_fits` picks for the rates, the one choice :func:`resample_waveform` makes
    too: :class:`_PolyphaseResampler` (torchaudio's table) or :class:`_DirectResampler` (each
    output from its own taps). Both take blocks of any length through :meth:`feed` and
    :meth:`finish`, and buffer the input the same way; they differ only in how the outputs whose
    inputs have arrived are computed (``_run``) and in the zeros that complete the signal (``_tail``).
    """

    def __new__(cls, orig_freq: int, new_freq: int, n_samples: int, *, block_samples: int = 1 << 20,
                lowpass_filter_width: int = 6, rolloff: float = 0.99):
        # The callers construct Resampler and need not know the two paths; a subclass named
        # directly is built as asked.
        if cls is Resampler:
            cls = _PolyphaseResampler if _polyphase_fits(orig_freq, new_freq, lowpass_filter_width, rolloff) \
                else _DirectResampler
        return super().__new__(cls)

    def __init__(self, orig_freq: int, new_freq: int, n_samples: int, *, block_samples: int = 1 << 20,
                 lowpass_filter_width: int = 6, rolloff: float = 0.99):
        self.block_samples = block_samples
        gcd = math.gcd(orig_freq, new_freq)
        self.orig, self.new = orig_freq // gcd, new_freq // gcd
        self.remaining = resampled_length(n_samples, orig_freq, new_freq)

    def _run(self) -> np.ndarray:
        """The outputs the buffered input completes; the input no later output needs is dropped."""
        raise NotImplementedError

    def _tail(self) -> int:
        """Zeros after the signal that complete its last outputs."""
        raise NotImplementedError

    def _intake(self) -> int:
        """Input samples taken at a time, so that the output of each stays about ``block_samples``."""
        if self.new > self.orig:
            return max(1, self.block_samples * self.orig // self.new)
        return self.block_samples

    def feed(self, block: np.ndarray):
        """Yield the output samples ``block`` completes (blocks of any length), at most about
        ``block_samples`` at a time however large the upsampling factor."""
        step = self._intake()
        for start in range(0, block.size, step):
            piece = block[start:start + step]
            self.buffer[self.fill:self.fill + piece.size] = piece
            self.fill += piece.size
            yield self._run()

    def finish(self):
        """Yield the last output samples (the zeros after the signal complete its last periods)."""
        tail = self._tail()
        self.buffer[self.fill:self.fill + tail] = 0.0
        self.fill += tail
        yield self._run()


class _PolyphaseResampler(Resampler):
    """The block path of torchaudio's own polyphase table: output ``j`` of period ``k`` is
    ``kernel[j] @ padded[k * orig : k * orig + len(kernel[j])]``, where ``padded`` is the signal
    with ``width`` zeros before and ``width + orig`` after, applied to each run of whole input
    periods as they arrive.
    """

    def __init__(self, orig_freq: int, new_freq: int, n_samples: int, *, block_samples: int = 1 << 20,
                 lowpass_filter_width: int = 6, rolloff: float = 0.99):
        super().__init__(orig_freq, new_freq, n_samples, block_samples=block_samples)
        base = min(self.orig, self.new) * rolloff
        self.width = math.ceil(lowpass_filter_width * self.orig / base)
        # computed in float32, as torchaudio computes it for a float32 waveform
        idx = np.arange(-self.width, self.width + self.orig, dtype=np.float32)[None, :] / np.float32(self.orig)
        t = np.arange(0, -self.new, -1, dtype=np.float32)[:, None] / np.float32(self.new) + idx
        t = np.clip(t * np.float32(base), -lowpass_filter_width, lowpass_filter_width).astype(np.float32)
        inside = np.abs(t) < lowpass_filter_width  # outside, the window's zeros (1e-15 in float32)
        kernel = _sinc_hann(t, lowpass_filter_width, base / self.orig)
        self.kernel_t = np.ascontiguousarray(kernel.astype(np.float32).T)
        self.size = self.kernel_t.shape[0]
        # Each output phase's filter spans 2 * lowpass_filter_width zero crossings, a small part of
        # the period's window (44.1 -> 16 kHz: 33-34 of 475 taps), so phases are taken _PHASE_BLOCK
        # at a time over the taps where their filters are inside the window (75 taps for 16 phases;
        # an hour at 44.1 kHz: 1.4 s of CPU before, 0.6-0.7 s so, at load 3.8)
        self.blocks = []
        for first in range(0, self.new, _PHASE_BLOCK):
            phases = slice(first, min(self.new, first + _PHASE_BLOCK))
            taps = np.flatnonzero(inside[phases].any(axis=0))
            lo, hi = int(taps[0]), int(taps[-1]) + 1
            self.blocks.append((phases, lo, hi, np.ascontiguousarray(self.kernel_t[lo:hi, phases])))
        capacity = block_samples + 2 * (self.size + self.orig)
        self.buffer = np.zeros(capacity, dtype=np.float32)
        self.fill = self.width  # the zeros before the signal

    def _run(self) -> np.ndarray:
        n_periods = (self.fill - self.size) // self.orig + 1 if self.fill >= self.size else 0
        if n_periods <= 0:
            return self.buffer[:0]
        windows = sliding_window_view(self.buffer[:self.fill], self.size)[:: self.orig][:n_periods]
        periods = np.empty((n_periods, self.new), dtype=np.float32)
        for phases, lo, hi, kernel in self.blocks:
            taps = windows[:, lo:hi]
            if hi - lo > self.orig:  # rows that overlap are no matrix BLAS takes: copied first
                taps = np.ascontiguousarray(taps)
            periods[:, phases] = taps @ kernel
        out = periods.reshape(-1)[: self.remaining]
        self.remaining -= out.size
        used = n_periods * self.orig
        self.buffer[: self.fill - used] = self.buffer[used:self.fill].copy()
        self.fill -= used
        return out

    def _tail(self) -> int:
        return self.width + self.orig


class _DirectResampler(Resampler):
    """The block path for rates whose polyphase table would be larger than :data:`MAX_TABLE` (a
    ratio that does not reduce, 8001 -> 16000 Hz: 128 M weights, 2.8 GB of peak memory): each
    output is computed from its own taps by the same :class:`_DirectWeights` as
    :func:`resample_direct`, block by block all the same.
    """

    def __init__(self, orig_freq: int, new_freq: int, n_samples: int, *, block_samples: int = 1 << 20,
                 lowpass_filter_width: int = 6, rolloff: float = 0.99):
        super().__init__(orig_freq, new_freq, n_samples, block_samples=block_samples)
        self.weights = _DirectWeights(orig_freq, new_freq, lowpass_filter_width, rolloff)
        self.done = 0  # outputs given
        self.start = 0  # the padded sample at buffer[0]
        self.buffer = np.zeros(block_samples + 2 * self.weights.n_taps, dtype=np.float32)
        self.fill = self.weights.half  # the zeros before the signal

    def _run(self) -> np.ndarray:
        """The outputs whose taps have all arrived, each from its own weights."""
        weights = self.weights
        # output n needs padded samples first(n) .. first(n) + n_taps - 1, first(n) = n * orig // new
        last_first = self.start + self.fill - weights.n_taps
        stop = 0 if last_first < 0 else min(self.done + self.remaining, (last_first + 1) * self.new // self.orig
                                            + (((last_first + 1) * self.new) % self.orig > 0))
        count = max(0, stop - self.done)
        out = np.empty(count, dtype=np.float32)
        weights.fill(self.buffer, self.start, self.done, out)
        self.done += count
        self.remaining -= count
        keep = self.done * self.orig // self.new  # the first padded sample the next output needs
        drop = min(self.fill, keep - self.start)
        if drop > 0:
            self.buffer[: self.fill - drop] = self.buffer[drop:self.fill].copy()
            self.fill -= drop
            self.start += drop
        return out

    def _tail(self) -> int:
        return self.weights.half + 2


def resampled(blocks, resampler: Resampler):
    for block in blocks:
        yield from resampler.feed(block)
    yield from resampler.finish()
