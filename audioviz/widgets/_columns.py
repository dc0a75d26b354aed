"""Compute only what an explorer shows: the STFT frames that decide each column of the picture.

A picture is a few hundred columns wide; a ten-second clip at hop 16 has 10,000 frames, a
one-hour recording at hop 128 some 450,000. :class:`ColumnFrames` computes, for each column, only
frames enough to see every sample of the column's span: consecutive chosen frames are at most
half a window apart (a Hann window has fallen to half its height there), so at n_fft 4096 one
frame per column covers it. A column is then the maximum of its frames, as
:func:`audioviz.plot_spectrogram` pools. When even that would take more than
:data:`FRAMES_PER_COLUMN` frames (a long recording with a short window), that many frames spread
evenly over the column are used and the Feature says so (``params["frames_sampled"]``): a step
then costs the same for one hour as for ten seconds.
"""
from __future__ import annotations

import math

import torch

#: Most frames computed per picture column.
FRAMES_PER_COLUMN = 16


class ColumnFrames:
    """The power of the frames chosen for each column of a picture, pooled on demand.

    Args:
        waveform: Tensor ``(1, time)``.
        sample_rate: in Hz.
        columns: width of the picture in columns.
        n_fft, win_length, hop_length, window: the STFT settings (``window`` a name in
            :data:`audioviz.features.WINDOWS`).

    Attributes:
        power: Tensor ``(1, n_fft // 2 + 1, n_columns, per_column)``: the chosen frames' power.
    """

    def __init__(self, waveform, sample_rate: int, columns: int, *, n_fft: int, win_length: int, hop_length: int,
                 window: str):
        from .. import features

        n_samples = waveform.shape[-1]
        n_frames = 1 + n_samples // hop_length
        group = max(1, math.ceil(n_frames / columns))
        n_groups = math.ceil(n_frames / group)
        # frames half a window apart see every sample of the column; more would add nothing
        needed = max(1, math.ceil(group * hop_length / max(1, win_length // 2)))
        per_column = min(group, needed, FRAMES_PER_COLUMN)
        self.sampled = needed > per_column and per_column < group
        offsets = torch.linspace(0, group - 1, per_column).round().long()
        index = (torch.arange(n_groups)[:, None] * group + offsets[None, :]).clamp(max=n_frames - 1)
        frames = _frames(waveform, index.flatten(), n_fft, hop_length)
        window_values = features.WINDOWS[window](win_length, dtype=waveform.dtype)
        left = (n_fft - win_length) // 2
        window_values = torch.nn.functional.pad(window_values, (left, n_fft - win_length - left))
        spectrum = torch.fft.rfft(frames.mul_(window_values), dim=-1)  # frames is a copy: windowed in place
        power = spectrum.real.square() + spectrum.imag.square()
        self.power = power.transpose(-1, -2).unflatten(-1, (n_groups, per_column))
        self.sample_rate, self.n_samples = sample_rate, n_samples
        self.stft = dict(n_fft=n_fft, win_length=win_length, window=window)
        self.hop_length, self.group, self.per_column = hop_length, group, per_column

    def feature(self, *, mel: dict | None = None):
        """The (mel: with those keywords, the mel) power spectrogram Feature, one column each."""
        from .. import features

        power = self.power
        params = dict(**self.stft, power=2.0, center=True, n_samples=self.n_samples, frames_per_column=self.group)
        if self.sampled:
            params["frames_sampled"] = self.per_column
        rows = torch.linspace(0, self.sample_rate / 2, self.stft["n_fft"] // 2 + 1, dtype=torch.float64)
        kind = "linear"
        if mel is not None:
            bank = features.mel_filterbank(self.sample_rate, n_fft=self.stft["n_fft"], warn_empty=False, **mel)
            power = torch.einsum("cfgk,fm->cmgk", power, bank.weights.to(power.dtype))
            rows, kind = bank.centers_mel, "mel"
            params.update(bank.mel_params())
        step = self.group * self.hop_length / self.sample_rate
        times = (torch.arange(power.shape[-2], dtype=torch.float64) + 0.5) * step - 0.5 * self.hop_length / \
            self.sample_rate
        return features.Feature(data=power.amax(dim=-1), times=times, rows=rows, kind=kind, unit="power",
                                sample_rate=self.sample_rate, hop_length=self.hop_length * self.group, params=params)


def _frames(waveform, index, n_fft: int, hop_length: int):
    """Frames ``index`` of ``torch.stft(waveform, center=True)`` (reflect padding), shape
    ``(1, len(index), n_fft)``, copying only those frames: the waveform itself is never padded
    (an hour of audio is 230 MB), only its first and last ``n_fft + 1`` samples are."""
    n = waveform.shape[-1]
    pad = n_fft // 2
    if n <= 2 * n_fft + 2:
        padded = torch.nn.functional.pad(waveform[None], (pad, pad), mode="reflect")[0]
        return padded.unfold(-1, n_fft, hop_length)[:, index]
    # frame i is samples i * hop - pad ... + n_fft of the waveform: those inside it are views of
    # one unfold (their starts are all -pad modulo hop), the few at the ends come from short
    # padded pieces
    offset = (-pad) % hop_length
    inside = waveform[:, offset:].unfold(-1, n_fft, hop_length)
    head = torch.nn.functional.pad(waveform[None, :, : n_fft + 1], (pad, 0), mode="reflect")[0]
    tail = torch.nn.functional.pad(waveform[None, :, n - n_fft - 1:], (0, pad), mode="reflect")[0]
    tail_start = n + pad - (n_fft + 1)  # where the tail begins, in padded samples
    out = torch.empty(waveform.shape[0], len(index), n_fft, dtype=waveform.dtype)
    starts = index * hop_length - pad
    middle = (starts >= 0) & (starts + n_fft <= n)
    inner = torch.nonzero(middle).flatten()
    if len(inner) and int(inner[-1] - inner[0]) + 1 == len(inner):
        # the frames inside are one run (index rises): a slice, not a masked assignment
        first, last = int(inner[0]), int(inner[-1]) + 1
        out[:, first:last] = inside[:, (starts[first:last] - offset) // hop_length]
    else:
        out[:, middle] = inside[:, (starts[middle] - offset) // hop_length]
    for k in torch.nonzero(~middle).flatten().tolist():
        p = int(index[k]) * hop_length  # in padded samples
        out[:, k] = head[:, p:p + n_fft] if starts[k] < 0 else tail[:, p - tail_start:p - tail_start + n_fft]
    return out
