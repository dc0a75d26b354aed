"""The STFT taken apart in one figure: a frame, its window, its FFT, and the spectrogram column
it becomes (:func:`plot_stft_anatomy`, public through :mod:`audioviz.display`)."""
from __future__ import annotations

import math

import numpy as np
import torch

from . import features as F
from ._axes import apply_axis
from ._validation import as_mono, check_sample_rate, check_stft_params, plain_text

__all__ = ["plot_stft_anatomy"]


def plot_stft_anatomy(waveform, sample_rate, *, time: float | None = None, n_fft: int = 400,
                      win_length: int | None = None, hop_length: int | None = None, window="hann", figure=None):
    """One figure that explains the short-time Fourier transform, step by step.

    1. the waveform, with the frame of ``n_fft`` samples around ``time`` marked;
    2. that frame and the window;
    3. the windowed frame (what the FFT sees);
    4. its FFT power in dB against frequency in Hz, drawn upright beside
    5. the spectrogram, where that column is outlined at ``time``.

    The frame is cut exactly as torchaudio does (``center=True``, reflect padding, window
    centred in ``n_fft``), so panel 4 is the spectrogram's column.

    Args:
        waveform: Tensor or array ``(time,)`` or ``(channel, time)`` (several channels are
            mixed to mono, as everywhere in audioviz).
        sample_rate: in Hz.
        time: the moment to dissect, in seconds. Default: the loudest frame.
        n_fft, win_length, hop_length, window: STFT settings as in :func:`plot_spectrogram`.
        figure: a Figure to draw into. Default: a new figure.

    Returns:
        matplotlib.figure.Figure: the figure; ``figure.axes`` holds the waveform, frame, windowed
        frame, spectrogram and FFT Axes in that order, then the colorbar.

    Example:
        >>> import torch, audioviz
        >>> fig = audioviz.plot_stft_anatomy(torch.randn(16000), 16000, time=0.5)
        >>> len(fig.axes) >= 5
        True
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from ._reduce import reflect_padded
    from .display import plot_spectrogram, plot_waveform

    wave = as_mono(waveform)[0]
    sample_rate = check_sample_rate(sample_rate)
    n_fft, win_length, hop_length = check_stft_params(n_fft, win_length, hop_length)
    spec = F.spectrogram(wave, sample_rate, n_fft=n_fft, win_length=win_length, hop_length=hop_length,
                         window=window, power=2.0)
    n_frames = spec.data.shape[-1]
    if time is None:
        frame = int(spec.data[0].sum(dim=0).argmax())
    else:
        if isinstance(time, bool) or not isinstance(time, (int, float)) or not math.isfinite(time):
            raise TypeError(f"time must be a number of seconds, got {time!r}")
        duration = wave.shape[-1] / sample_rate
        if not 0 <= time <= duration:
            raise ValueError(f"time must be within the signal, 0 to {duration:g} s, got {time!r}")
        frame = int(min(n_frames - 1, round(time * sample_rate / hop_length)))

    # cut the frame as torch.stft does (the same reflect padding as the pooled spectrogram), the
    # window zero-padded to n_fft, and floor the dB as amplitude_to_db does
    pad = n_fft // 2
    start = frame * hop_length - pad
    segment = reflect_padded(wave.unsqueeze(0), start, start + n_fft)[0].double()
    window_values = torch.zeros(n_fft, dtype=torch.float64)
    left = (n_fft - win_length) // 2
    window_values[left:left + win_length] = F.window_function(window)(win_length, dtype=torch.float64)
    windowed = segment * window_values
    power = torch.fft.rfft(windowed).abs() ** 2
    db = F.power_to_db(power, top_db=80.0)
    freqs = spec.rows.numpy()
    centre = frame * hop_length / sample_rate
    t = (frame * hop_length - pad + np.arange(n_fft)) / sample_rate
    # A frame of one sample (n_fft=1, legal for torch.stft) has no width from its first sample to
    # its last: its panels span the one sample period it stands for, and each curve of a single
    # point is drawn as a dot, since a line through one point draws nothing.
    if n_fft > 1:
        frame_span, dot = (t[0], t[-1]), {}
    else:
        frame_span, dot = (t[0] - 0.5 / sample_rate, t[0] + 0.5 / sample_rate), dict(marker="o")

    fig = figure if figure is not None else plt.figure(figsize=(11, 8), layout="constrained")
    rows = fig.add_gridspec(3, 1, height_ratios=[1.0, 1.0, 1.6])
    middle = rows[1].subgridspec(1, 2, width_ratios=[3.0, 1.2])
    bottom = rows[2].subgridspec(1, 2, width_ratios=[1.0, 3.2])
    ax_wave = fig.add_subplot(rows[0])
    ax_frame = fig.add_subplot(middle[0])
    ax_windowed = fig.add_subplot(middle[1], sharey=ax_frame)
    ax_spec = fig.add_subplot(bottom[1])
    ax_fft = fig.add_subplot(bottom[0], sharey=ax_spec)
    titled = dict(loc="left", fontsize="medium")

    plot_waveform(wave, sample_rate, ax=ax_wave, color="0.35")
    ax_wave.axvspan(*frame_span, color="tab:orange", alpha=0.35, linewidth=0)
    ax_wave.set_title(f"1. A frame of n_fft = {n_fft} samples ({1000 * n_fft / sample_rate:g} ms) "
                      f"centred at {centre:.3f} s", **titled)

    peak = float(segment.abs().max()) or 1.0
    ax_frame.plot(t, segment.numpy(), color="0.35", linewidth=0.9, label="frame", **dot)
    window_name = window if isinstance(window, str) else getattr(window, "__name__", "custom")
    ax_frame.plot(t, peak * window_values.numpy(), color="tab:orange", linewidth=1.5,
                  label=plain_text(f"{window_name} window"), **dot)
    ax_frame.set_xlim(*frame_span)
    ax_frame.set_ylim(-1.15 * peak, 1.6 * peak)  # room for the legend above the signal
    apply_axis(ax_frame, "x", "time")
    ax_frame.set_ylabel("Amplitude")
    ax_frame.legend(loc="upper right", ncol=2, fontsize="small")
    ax_frame.set_title("2. The frame, and the window (drawn at the frame's height)", **titled)

    ax_windowed.plot(t, windowed.numpy(), color="tab:orange", linewidth=0.9, **dot)
    ax_windowed.set_xlim(*frame_span)
    apply_axis(ax_windowed, "x", "time")
    ax_windowed.tick_params(labelleft=False)
    ax_windowed.set_title("3. Frame x window", **titled)

    # the FFT of the windowed frame, upright so its frequencies line up with the spectrogram's
    ax_fft.plot(db.numpy(), freqs, color="tab:blue", linewidth=1.0, **dot)
    ax_fft.set_xlim(float(db.max()) - 85, float(db.max()) + 5)
    ax_fft.set_xlabel("Power (dB)")
    ax_fft.set_title("4. |FFT|\u00b2 of it", **titled)

    plot_spectrogram(spec, ax=ax_spec, colorbar=True)
    apply_axis(ax_fft, "y", "hz")
    ax_spec.set_ylabel("")
    ax_spec.tick_params(labelleft=False)
    half = hop_length / sample_rate / 2
    ax_spec.add_patch(Rectangle((centre - half, 0), 2 * half, sample_rate / 2, fill=False, edgecolor="cyan",
                                linewidth=1.5))
    ax_spec.set_title(f"5. ... is the column at {centre:.3f} s of the spectrogram "
                      f"(one column every hop_length = {hop_length} samples)", **titled)
    return fig
