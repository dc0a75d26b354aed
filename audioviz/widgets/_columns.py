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
        padded: the waveform reflect-padded by ``n_fft // 2`` on each side, if already at hand.

    Attributes:
        power: Tensor ``(1, n_fft // 2 + 1, n_columns, per_column)``: the chosen frames' power.
        padded: the padded waveform (reusable while ``n_fft`` stays).
    """

    def __init__(self, waveform, sample_rate: int, columns: int, *, n_fft: int, win_length: int, hop_length: int,
                 window: str, padded=None):
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
        self.padded = padded if padded is not None else torch.nn.functional.pad(
            waveform[None], (n_fft // 2, n_fft // 2), mode="reflect")[0]
        # every frame as a view (no copy), then a copy of only the chosen ones
        frames = self.padded.unfold(-1, n_fft, hop_length)[:, index.flatten()]
        window_values = features.WINDOWS[window](win_length, dtype=waveform.dtype)
        left = (n_fft - win_length) // 2
        window_values = torch.nn.functional.pad(window_values, (left, n_fft - win_length - left))
        spectrum = torch.fft.rfft(frames * window_values, dim=-1)
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
