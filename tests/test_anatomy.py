"""Tests for audioviz._anatomy (plot_stft_anatomy) beyond those in tests/test_display.py: the
degenerate frame the fuzz test found."""
from __future__ import annotations

import warnings

import pytest
import torch

import audioviz

SR = 8000


def test_a_frame_of_one_sample_spans_its_sample_period_and_is_drawn():
    """n_fft=1 (legal for torch.stft) made the frame panels' time axes zero wide: matplotlib
    warned "identical low and high xlims" and the frame, a line through one point, drew nothing."""
    wave = torch.sin(torch.arange(1600) / 3.0) * 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = audioviz.plot_stft_anatomy(wave, SR, n_fft=1, time=0.1)
    ax_wave, ax_frame, ax_windowed = fig.axes[:3]
    (sample_time,) = ax_frame.lines[0].get_xdata()
    for ax in (ax_frame, ax_windowed):
        lo, hi = ax.get_xlim()
        assert hi - lo == pytest.approx(1 / SR)  # one sample period, the sample in the middle
        assert (lo + hi) / 2 == pytest.approx(sample_time)
    assert all(line.get_marker() not in (None, "None", "") for line in ax_frame.lines + ax_windowed.lines)
    (span,) = ax_wave.patches  # the frame marked on the waveform has the same width
    assert span.get_width() == pytest.approx(1 / SR)
