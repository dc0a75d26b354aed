"""Mel-axis ticks (MelHzLocator / MelHzFormatter in audioviz/_ticks.py): every mel axis, however
narrow its frequency range, gets at least two labelled ticks in Hz, each saying the frequency
that sits at its position."""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import audioviz
from audioviz.features import mel_to_hz

SR = 16000


def labelled_ticks(ax):
    """``(frequency in Hz at each tick position, its label)`` for the y ticks shown."""
    ax.figure.canvas.draw()
    lo, hi = sorted(ax.get_ylim())
    ticks = [(t.get_loc(), t.label1.get_text()) for t in ax.yaxis.get_major_ticks()
             if lo <= t.get_loc() <= hi and t.label1.get_visible() and t.label1.get_text()]
    return [(float(mel_to_hz(loc)), text) for loc, text in ticks]


def read_hz(text: str) -> float:
    return float(text[:-1]) * 1000 if text.endswith("k") else float(text)


def assert_readable(ticks, f_min, f_max):
    assert len(ticks) >= 2, ticks
    labels = [text for _, text in ticks]
    assert len(set(labels)) == len(labels), labels  # no two ticks read the same
    values = [read_hz(text) for text in labels]
    step = min(np.diff(sorted(values)))
    for (hz, _), value in zip(ticks, values):
        assert f_min - step <= value <= f_max + step
        assert value == pytest.approx(hz, abs=step / 4)  # the label says the frequency at its position


NARROW = [(7990.0, 8000.0, 256), (7990.0, 8000.0, 16), (7999.5, 8000.0, 8), (3000.0, 3100.0, 32),
          (100.0, 130.0, 8), (0.0, 20.0, 4), (1000.0, 1001.0, 4)]


@pytest.mark.parametrize("f_min, f_max, n_mels", NARROW)
def test_plot_mel_spectrogram_of_a_narrow_range_has_hz_ticks(f_min, f_max, n_mels):
    fig, ax = plt.subplots(figsize=(6, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty filters
        audioviz.plot_mel_spectrogram(torch.randn(SR), SR, f_min=f_min, f_max=f_max, n_mels=n_mels, ax=ax)
    assert_readable(labelled_ticks(ax), f_min, f_max)


@pytest.mark.parametrize("f_min, f_max, n_mels", NARROW[:3])
def test_plot_feature_of_a_narrow_mel_spectrogram_has_hz_ticks(f_min, f_max, n_mels):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mel = audioviz.mel_spectrogram(torch.randn(SR), SR, f_min=f_min, f_max=f_max, n_mels=n_mels).to_db()
    image = audioviz.plot_feature(mel)
    assert_readable(labelled_ticks(image.axes), f_min, f_max)


def test_spectrogram_explorer_on_a_narrow_mel_axis_has_hz_ticks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explorer = audioviz.SpectrogramExplorer(torch.randn(SR), SR, y_axis="mel", f_min=7990.0, f_max=8000.0,
                                                n_mels=256)
    assert_readable(labelled_ticks(explorer.ax), 7990.0, 8000.0)


def test_a_wide_mel_axis_keeps_its_round_frequencies():
    fig, ax = plt.subplots(figsize=(6, 3))
    audioviz.plot_mel_spectrogram(torch.randn(SR), SR, n_mels=64, ax=ax)
    ticks = labelled_ticks(ax)
    assert len(ticks) >= 4
    values = np.array([read_hz(text) for _, text in ticks])
    mantissas = np.round(values / 10 ** np.floor(np.log10(values)), 6)
    assert set(mantissas) <= {1.0, 2.0, 3.0, 5.0}  # 1-2-3-5 Hz values, as before

