"""Tests for audioviz.display: assert on the artists (extent, ticks, labels, colorbar, data)."""
from __future__ import annotations

import math
import subprocess
import sys
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torchaudio
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from torchaudio.functional.functional import _hz_to_mel as ta_hz_to_mel
from torchaudio.functional.functional import _mel_to_hz as ta_mel_to_hz

import audioviz
from audioviz import HzFormatter, MelHzFormatter, TimeFormatter

SR = 16000


def _ticklabels(axis):
    axis.axes.figure.canvas.draw()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def _visible_ticks(axis):
    """(position, label) of the ticks inside the view."""
    axis.axes.figure.canvas.draw()
    lo, hi = sorted(axis.get_view_interval())
    pairs = []
    for tick in axis.get_major_ticks():
        pos = tick.get_loc()
        if lo - 1e-9 <= pos <= hi + 1e-9 and tick.label1.get_text():
            pairs.append((pos, tick.label1.get_text()))
    return pairs


def _parse_hz(text: str) -> float:
    text = text.replace("\N{MINUS SIGN}", "-")
    return float(text[:-1]) * 1000 if text.endswith("k") else float(text)


def _noise(seconds, sample_rate=SR, seed=0, scale=0.1):
    gen = torch.Generator().manual_seed(seed)
    return scale * torch.randn(int(seconds * sample_rate), generator=gen)


# ----------------------------------------------------------------------------------------------
# formatters
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "unit, seconds, expected",
    [("ms", 0.25, "250"), ("s", 1.5, "1.5"), ("m:ss", 75.0, "1:15"), ("h:mm:ss", 3725.0, "1:02:05"),
     ("m:ss", 600.0, "10:00"), ("h:mm:ss", 59.0, "0:00:59"), ("m:ss", 61.25, "1:01.25"), ("ms", 0.0125, "12.5")],
)
def test_time_formatter_units(unit, seconds, expected):
    assert TimeFormatter(unit=unit)(seconds) == expected


def test_time_formatter_decimals_follow_the_step():
    fmt = TimeFormatter(unit="s")
    fmt.set_locs([0.0, 0.25, 0.5])
    assert [fmt(x) for x in (0.0, 0.25, 0.5)] == ["0.00", "0.25", "0.50"]
    fmt = TimeFormatter(unit="m:ss")
    fmt.set_locs([60.0, 60.5, 61.0])
    assert fmt(60.5) == "1:00.5"


def test_time_formatter_rejects_unknown_unit():
    with pytest.raises(ValueError, match="unit"):
        TimeFormatter(unit="minutes")


@pytest.mark.parametrize(
    "duration, sample_rate, unit, expected_label",
    [(0.5, 16000, "ms", "200"), (10.0, 16000, "s", "4"), (300.0, 100, "m:ss", "2:00"),
     (3600.0, 10, "h:mm:ss", "0:30:00")],
)
def test_waveform_time_axis_is_readable_from_ms_to_hours(duration, sample_rate, unit, expected_label):
    fig, ax = plt.subplots(figsize=(8, 2.5))
    audioviz.plot_waveform(_noise(duration, sample_rate), sample_rate, ax=ax)
    labels = _ticklabels(ax.xaxis)
    assert expected_label in labels
    assert ax.get_xlabel() == f"Time ({unit})"
    # ticks are readable: few of them, at regular spacing
    assert 3 <= len(labels) <= 12


def test_hz_formatters():
    assert [HzFormatter()(x) for x in (0.0, 440.0, 1000.0, 2500.0, 8000.0)] == ["0", "440", "1k", "2.5k", "8k"]
    assert MelHzFormatter("htk")(float(ta_hz_to_mel(2000.0, "htk"))) == "2k"
    assert MelHzFormatter("slaney")(float(ta_hz_to_mel(3000.0, "slaney"))) == "3k"
    with pytest.raises(ValueError, match="mel_scale"):
        MelHzFormatter("bark")


# ----------------------------------------------------------------------------------------------
# waveform
# ----------------------------------------------------------------------------------------------
def test_short_waveform_draws_every_sample_in_seconds(tone):
    fig, ax = plt.subplots(figsize=(8, 2.5))
    short = tone[:, :800]
    line = audioviz.plot_waveform(short, SR, ax=ax)
    assert isinstance(line, Line2D)
    x, y = line.get_data()
    np.testing.assert_allclose(x, np.arange(800) / SR)
    np.testing.assert_allclose(y, short[0].numpy())
    assert ax.get_xlim() == (0.0, 800 / SR)
    assert ax.get_ylabel() == "Amplitude"


def test_long_waveform_envelope_is_exact_per_bin():
    wave = _noise(60.0)
    wave[123_457] = 0.9  # a single-sample click must survive
    wave[700_001] = -0.8
    fig, ax = plt.subplots(figsize=(8, 2.5), dpi=100)
    env = audioviz.plot_waveform(wave, SR, ax=ax)
    assert isinstance(env, PolyCollection)
    verts = env.get_paths()[0].vertices
    n_top = 2 * (len(verts) // 4)  # 2 vertices per bin on top, 2 below, maybe a closing one
    top, bottom = verts[:n_top], verts[n_top:2 * n_top][::-1]
    edges = top[::2, 0]
    highs, lows = top[::2, 1], bottom[::2, 1]
    # bins are no wider than a screen pixel, and cover the whole signal
    width_px = ax.get_window_extent().width
    assert np.max(np.diff(edges)) <= 60.0 / width_px
    assert edges[0] == 0.0 and math.isclose(top[-1, 0], 60.0)
    samples = wave.numpy()
    starts = np.round(edges * SR).astype(int)
    for k in (0, 1, len(starts) // 2, len(starts) - 2):
        chunk = samples[starts[k]: starts[k + 1] + 1]  # the bin and the first sample of the next
        assert highs[k] == pytest.approx(chunk.max())
        assert lows[k] == pytest.approx(chunk.min())
    assert highs.max() == pytest.approx(0.9)
    assert lows.min() == pytest.approx(-0.8)
    k_click = np.searchsorted(edges, 123_457 / SR, side="right") - 1
    assert highs[k_click] == pytest.approx(0.9)
    assert ax.get_ylim()[1] >= 0.9


def test_zooming_redraws_the_visible_samples():
    wave = _noise(30.0)
    fig, ax = plt.subplots(figsize=(8, 2.5))
    env = audioviz.plot_waveform(wave, SR, ax=ax)
    assert isinstance(env, PolyCollection)
    ax.set_xlim(10.0, 10.01)  # 160 samples: drawn one by one
    line = next(line for line in ax.lines if len(line.get_xdata()))
    x, y = line.get_data()
    assert x[0] <= 10.0 and x[-1] >= 10.01
    np.testing.assert_allclose(y, wave.numpy()[np.round(x * SR).astype(int)])
    assert len(env.get_paths()) == 0


def test_several_channels_are_mixed_to_mono_in_the_callers_axes(tone):
    stereo = torch.cat([tone, -0.5 * tone])
    fig, ax = plt.subplots()
    line = audioviz.plot_waveform(stereo[:, :400], SR, ax=ax)
    assert line.axes is ax and fig.axes == [ax]  # the caller's Axes, not replaced
    np.testing.assert_allclose(line.get_ydata(), 0.25 * tone[0, :400].numpy(), atol=1e-6)
    image = audioviz.plot_spectrogram(stereo, SR, ax=plt.figure().gca())
    mono = audioviz.plot_spectrogram(stereo.mean(dim=0), SR, ax=plt.figure().gca())
    np.testing.assert_allclose(image.get_array(), mono.get_array())


@pytest.mark.parametrize("plot, name", [(audioviz.plot_spectrogram, "f_min"), (audioviz.plot_spectrogram, "f_max"),
                                        (audioviz.plot_spectrogram, "n_mels"), (audioviz.plot_mfcc, "top_db"),
                                        (audioviz.plot_mfcc, "window"), (audioviz.plot_mel_spectrogram, "n_mfcc")])
def test_a_setting_for_another_helper_is_a_type_error_naming_it(tone, plot, name):
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{name}': it is a setting of"):
        plot(tone, SR, **{name: 100})


def test_int16_waveform_is_scaled_to_unit_range():
    pcm = (np.sin(np.linspace(0, 20, 1000)) * 16384).astype(np.int16)
    line = audioviz.plot_waveform(pcm, 8000)
    np.testing.assert_allclose(line.get_ydata(), pcm / 32768.0, atol=1e-6)


# ----------------------------------------------------------------------------------------------
# spectrogram
# ----------------------------------------------------------------------------------------------
def test_spectrogram_axes_colorbar_and_shape(tone):
    fig, ax = plt.subplots()
    image = audioviz.plot_spectrogram(tone, SR, n_fft=400, hop_length=160, ax=ax)
    assert isinstance(image, AxesImage)
    assert image.get_array().shape == (201, 101)
    left, right, bottom, top = image.get_extent()
    assert (left, right) == pytest.approx((-80 / SR, 100 * 160 / SR + 80 / SR))
    assert (bottom, top) == pytest.approx((-20.0, 8020.0))
    assert image.origin == "lower"  # low frequencies at the bottom
    assert ax.get_xlim() == pytest.approx((0.0, 1.0))
    assert ax.get_ylabel() == "Frequency (Hz)"
    assert image.colorbar is not None and image.colorbar.ax.get_ylabel() == "dB"
    vmin, vmax = image.get_clim()
    assert vmax - vmin <= 80.0 + 1e-4
    data = image.get_array()
    peak_row = int(np.argmax(data[:, 50]))
    assert peak_row * SR / 400 == 440.0
    assert "4k" in _ticklabels(ax.yaxis)


def test_silence_has_a_floor_not_minus_infinity():
    image = audioviz.plot_spectrogram(torch.zeros(8000), 8000)
    data = np.asarray(image.get_array())
    assert np.isfinite(data).all()
    assert np.isfinite(image.get_clim()).all()


def test_long_spectrogram_is_pooled_to_the_pixels_shown():
    wave = _noise(120.0, scale=0.01)
    click = int(77.777 * SR)
    wave[click: click + 40] = 1.0
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    image = audioviz.plot_spectrogram(wave, SR, ax=ax)
    n_rows, n_cols = image.get_array().shape
    assert n_rows == 201
    fig.canvas.draw()
    assert n_cols <= ax.get_window_extent().width + 1
    left, right = image.get_extent()[:2]
    assert left == pytest.approx(-100 / SR) and right >= 120.0
    assert ax.get_xlim() == pytest.approx((0.0, 120.0))
    # the click is still the loudest column, at its true time
    loudest = int(np.argmax(np.asarray(image.get_array()).mean(axis=0)))
    column_width = (right - left) / n_cols
    assert left + loudest * column_width <= 77.777 + column_width
    assert left + (loudest + 1) * column_width >= 77.777
    assert "1:00" in _ticklabels(ax.xaxis) and ax.get_xlabel() == "Time (m:ss)"


def test_log_frequency_axis(tone):
    fig, ax = plt.subplots()
    image = audioviz.plot_spectrogram(tone, SR, y_axis="log", ax=ax)
    assert ax.get_yscale() == "symlog"
    assert ax.get_ylim()[0] == 0.0
    fig.canvas.draw()
    labels = _ticklabels(ax.yaxis)
    # round frequencies down to 100 Hz, so 2440 Hz can be placed; no "0" on a log axis
    assert {"100", "200", "500", "1k", "2k", "5k"} <= set(labels) and "0" not in labels
    assert image.get_extent()[3] == pytest.approx(8020.0)


def test_crowded_frequency_ticks_are_thinned_never_overlapping():
    fig, ax = plt.subplots(figsize=(6, 1.2))
    audioviz.plot_spectrogram(torch.randn(16000), SR, y_axis="log", ax=ax)
    fig.canvas.draw()
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    assert 2 <= len(labels) < 6
    boxes = [t.get_window_extent() for t in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@pytest.mark.parametrize("width", [3, 5, 8])
def test_mel_filterbank_top_labels_do_not_collide(width):
    fig, ax = plt.subplots(figsize=(width, 3))
    audioviz.plot_mel_filterbank(SR, n_mels=40, ax=ax)
    fig.canvas.draw()
    (top,) = [c for c in ax.get_children() if type(c).__name__ == "SecondaryAxis"]
    labels = [t for t in top.xaxis.get_ticklabels() if t.get_visible() and t.get_text()]
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.x0)
    assert len(boxes) >= 3
    assert all(b.x0 - a.x1 > 2 for a, b in zip(boxes, boxes[1:]))


@pytest.mark.parametrize("label, expected", [("Time (s)", "Time (ms)"), ("time (s)", "time (ms)"),
                                             ("elapsed [s]", "elapsed [ms]")])
def test_time_unit_in_any_label_follows_the_ticks(label, expected):
    fig, ax = plt.subplots()
    audioviz.plot_waveform(torch.randn(48), SR, ax=ax)  # 3 ms
    ax.set_xlabel(label)
    fig.canvas.draw()
    assert ax.get_xlabel() == expected
    assert _ticklabels(ax.xaxis)[-1] in ("2.5", "3.0")


def test_a_label_without_a_unit_is_kept_and_ticks_stay_in_seconds():
    fig, ax = plt.subplots()
    audioviz.plot_waveform(torch.randn(48), SR, ax=ax)
    ax.set_xlabel("my clip")
    fig.canvas.draw()
    assert ax.get_xlabel() == "my clip"
    assert float(_ticklabels(ax.xaxis)[-1]) < 0.01


def test_spectrogram_accepts_a_feature_and_matches_the_waveform_path(tone):
    feature = audioviz.spectrogram(tone, SR, n_fft=256)
    from_feature = audioviz.plot_spectrogram(feature)
    from_wave = audioviz.plot_spectrogram(tone, SR, n_fft=256)
    np.testing.assert_allclose(from_feature.get_array(), from_wave.get_array())
    assert from_feature.get_extent() == pytest.approx(from_wave.get_extent())
    with pytest.raises(ValueError, match="sample_rate"):
        audioviz.plot_spectrogram(feature, 8000)
    with pytest.raises(TypeError, match="sample_rate"):
        audioviz.plot_spectrogram(tone)


def test_magnitude_without_db_is_labelled_magnitude(tone):
    image = audioviz.plot_spectrogram(tone, SR, power=1.0, db=False)
    assert image.colorbar.ax.get_ylabel() == "magnitude"
    assert np.asarray(image.get_array()).min() >= 0


def test_update_feature_image_puts_a_new_feature_in_place(tone):
    fig, ax = plt.subplots()
    image = audioviz.plot_feature(audioviz.spectrogram(tone, SR).to_db(), ax=ax)
    other = audioviz.spectrogram(tone, SR, n_fft=512, hop_length=64).to_db()
    assert audioviz.update_feature_image(image, other, max_columns=40) is image
    assert list(ax.images) == [image]
    pooled = audioviz.display.reduce_columns(other, 40)
    np.testing.assert_array_equal(image.get_array(), pooled.data[0].numpy())
    assert image.get_extent() == [*pooled.time_edges(), *pooled.row_edges()]
    assert ax.get_ylim() == pooled.row_edges()  # it showed every row before: it still does
    assert image.get_clim() == (float(pooled.data.min()), float(pooled.data.max()))
    assert image.colorbar.vmin == image.get_clim()[0]  # the colorbar follows
    audioviz.update_feature_image(image, other, vmin=-40, vmax=0)
    assert image.get_clim() == (-40, 0)
    # pooled to the Axes width by default, as plot_feature pools
    width = audioviz.display._resolve_max_columns(ax, None)
    assert image.get_array().shape == (257, min(width, other.data.shape[-1]))


def test_update_feature_image_changes_the_axis_kind_and_keeps_limits_set_by_hand(tone):
    fig, ax = plt.subplots()
    image = audioviz.plot_feature(audioviz.spectrogram(tone, SR).to_db(), ax=ax, y_axis="log")
    assert ax.get_yscale() == "symlog"
    ax.set_xlim(0.1, 0.5)
    mel = audioviz.mel_spectrogram(tone, SR, n_mels=40).to_db()
    audioviz.update_feature_image(image, mel)
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == "Frequency (Hz, mel scale)"
    assert isinstance(ax.yaxis.get_major_formatter(), MelHzFormatter)
    assert ax.get_ylim() == mel.row_edges()
    assert ax.get_xlim() == (0.1, 0.5)  # set by hand: kept
    mfcc = audioviz.mfcc(tone, SR, n_mfcc=13)
    audioviz.update_feature_image(image, mfcc)
    assert ax.get_ylabel() == "MFCC coefficient" and image.colorbar.ax.get_ylabel() == "MFCC value"
    low, high = image.get_clim()
    assert low == -high  # MFCC: symmetric, as plot_feature draws it


def test_update_feature_image_moves_the_empty_row_arrows():
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        image = audioviz.plot_mel_spectrogram(_noise(1.0), SR, n_mels=128, ax=ax)
        fewer = audioviz.mel_spectrogram(_noise(1.0), SR, n_mels=40).to_db()
    assert [line.get_label() for line in ax.lines] == ["empty filters"]
    audioviz.update_feature_image(image, fewer)
    assert len(ax.lines) == 0  # no empty filter any more: the arrows went with them


def test_update_feature_image_refuses_other_images(tone):
    fig, ax = plt.subplots()
    foreign = ax.imshow(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="image must be an AxesImage returned by audioviz.plot_feature"):
        audioviz.update_feature_image(foreign, audioviz.spectrogram(tone, SR))
    image = audioviz.plot_feature(audioviz.spectrogram(tone, SR), ax=ax)
    with pytest.raises(TypeError, match="feature must be an audioviz Feature"):
        audioviz.update_feature_image(image, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="channel must be an int in"):
        audioviz.update_feature_image(image, audioviz.spectrogram(tone, SR), channel=1)


def test_colorbar_can_go_into_a_given_axes(tone):
    fig, (ax, cax) = plt.subplots(1, 2)
    image = audioviz.plot_spectrogram(tone, SR, ax=ax, colorbar=cax)
    assert image.colorbar.ax is cax


# ----------------------------------------------------------------------------------------------
# mel
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mel_scale", ["htk", "slaney"])
def test_mel_rows_sit_at_torchaudio_filter_centres(tone, mel_scale):
    n_mels, f_min, f_max = 40, 50.0, 7000.0
    fig, ax = plt.subplots()
    image = audioviz.plot_mel_spectrogram(tone, SR, n_mels=n_mels, f_min=f_min, f_max=f_max, mel_scale=mel_scale,
                                          ax=ax)
    assert image.get_array().shape[0] == n_mels
    bottom, top = image.get_extent()[2:]
    row_mels = bottom + (np.arange(n_mels) + 0.5) * (top - bottom) / n_mels
    # torchaudio.functional.melscale_fbanks puts the filter peaks at these frequencies
    m_min, m_max = ta_hz_to_mel(f_min, mel_scale), ta_hz_to_mel(f_max, mel_scale)
    m_pts = torch.linspace(m_min, m_max, n_mels + 2)
    ta_centres_hz = ta_mel_to_hz(m_pts, mel_scale)[1:-1].numpy()
    row_hz = [float(ta_mel_to_hz(torch.tensor(m, dtype=torch.float64), mel_scale)) for m in row_mels]
    np.testing.assert_allclose(row_hz, ta_centres_hz, rtol=1e-4)
    # and each torchaudio filter peaks (on a fine FFT grid) at its row's frequency
    fine = torchaudio.functional.melscale_fbanks(8193, f_min, f_max, n_mels, SR, None, mel_scale)
    peak_hz = fine.argmax(dim=0).numpy() * (SR / 2) / 8192
    np.testing.assert_allclose(peak_hz, row_hz, atol=SR / 2 / 8192)
    # tick labels name the frequency in Hz that sits at the tick's mel position
    ticks = _visible_ticks(ax.yaxis)
    assert len(ticks) >= 4
    for position, label in ticks:
        assert float(ta_hz_to_mel(_parse_hz(label), mel_scale)) == pytest.approx(position, abs=0.5)
    assert ax.get_ylabel() == "Frequency (Hz, mel scale)"


def test_mel_tone_lands_in_the_row_of_its_frequency(tone):
    image = audioviz.plot_mel_spectrogram(tone, SR, n_mels=64)
    bottom, top = image.get_extent()[2:]
    row = int(np.argmax(np.asarray(image.get_array())[:, 40]))
    row_mel = bottom + (row + 0.5) * (top - bottom) / 64
    spacing = (top - bottom) / 64
    assert abs(row_mel - float(ta_hz_to_mel(440.0, "htk"))) <= spacing


def test_mfcc_uses_a_diverging_colormap_centred_on_zero(tone):
    fig, ax = plt.subplots()
    image = audioviz.plot_mfcc(tone, SR, n_mfcc=13, ax=ax)
    data = np.asarray(image.get_array())
    assert data.shape[0] == 13 and np.isfinite(data).all()
    assert data.min() < 0 < data.max()  # negative values are drawn as they are, no log
    vmin, vmax = image.get_clim()
    # limits from coefficients 1.. so that coefficient 0 (loudness) does not wash the others out
    assert vmin == -vmax and vmax == pytest.approx(np.abs(data[1:]).max())
    assert np.abs(data[0]).max() > vmax and image.colorbar.extend == "both"
    image = audioviz.plot_mfcc(tone, SR, n_mfcc=13, vmin=-500, vmax=500)
    assert image.get_clim() == (-500, 500) and image.colorbar.extend == "neither"
    assert image.get_cmap().name == "coolwarm"
    assert image.get_extent()[2:] == pytest.approx((-0.5, 12.5))
    assert ax.get_ylabel() == "MFCC coefficient"
    assert image.colorbar.ax.get_ylabel() == "MFCC value"


def test_mel_filterbank_draws_every_filter_and_marks_empty_ones():
    fig, ax = plt.subplots()
    with pytest.warns(UserWarning, match=r"4 of n_mels=128 mel filters are empty"):
        lines = audioviz.plot_mel_filterbank(16000, n_fft=400, n_mels=128, ax=ax)
    assert isinstance(lines, LineCollection) and len(lines.get_segments()) == 128
    marked = [line for line in ax.lines if line.get_label() == "empty filters"]
    assert len(marked) == 1
    bank = audioviz.mel_filterbank(16000, n_fft=400, n_mels=128, warn_empty=False)
    np.testing.assert_allclose(marked[0].get_xdata(), bank.centers_hz[bank.empty].numpy())
    assert ax.get_xlim() == (0.0, 8000.0)


def test_mel_filterbank_without_empty_filters_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lines = audioviz.plot_mel_filterbank(16000, n_fft=400, n_mels=40)
    segment = lines.get_segments()[10]
    bank = audioviz.mel_filterbank(16000, n_fft=400, n_mels=40)
    np.testing.assert_allclose(segment[:, 1], bank.weights[:, 10].numpy(), rtol=1e-6)


def test_mel_scale_curves_match_torchaudio():
    fig, ax = plt.subplots()
    lines = audioviz.plot_mel_scale(f_max=8000.0, ax=ax)
    assert [line.get_label() for line in lines] == ["htk", "slaney"]
    # units differ ~67x, so slaney gets its own y axis sharing the Hz axis
    assert lines[0].axes is ax and lines[1].axes is not ax
    assert lines[1].axes.get_shared_x_axes().joined(ax, lines[1].axes)
    assert ax.get_ylabel() == "mel ('htk' scale)" and lines[1].axes.get_ylabel() == "mel ('slaney' scale)"
    with pytest.raises(ValueError, match="one or two scales"):
        audioviz.plot_mel_scale(mel_scale=("htk", "slaney", "htk"))
    single = audioviz.plot_mel_scale(mel_scale="slaney", f_min=100.0, f_max=4000.0)
    assert len(single) == 1 and single[0].get_xdata()[0] == 100.0
    for line in lines:
        hz, mel = line.get_data()
        expected = [ta_hz_to_mel(float(f), line.get_label()) for f in hz[::64]]
        np.testing.assert_allclose(mel[::64], expected, rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# anatomy and overview
# ----------------------------------------------------------------------------------------------
def test_stft_anatomy_fft_panel_is_the_spectrogram_column():
    wave = _noise(1.0, seed=3) + 0.3 * torch.sin(2 * torch.pi * 1000 * torch.arange(SR) / SR)
    fig = audioviz.plot_stft_anatomy(wave, SR, time=0.5, n_fft=512, hop_length=128)
    ax_wave, ax_frame, ax_windowed, ax_spec, ax_fft = fig.axes[:5]
    column = round(0.5 * SR / 128)
    spec = audioviz.spectrogram(wave, SR, n_fft=512, hop_length=128)
    expected = 10 * torch.log10(spec.data[0, :, column].double().clamp(min=1e-10))
    db, hz = ax_fft.lines[0].get_data()
    np.testing.assert_allclose(hz, spec.rows.numpy())
    floor = expected.max() - 80
    np.testing.assert_allclose(db, torch.maximum(expected, floor).numpy(), atol=1e-3)
    assert spec.rows[int(np.argmax(db))] == pytest.approx(1000.0, abs=SR / 512)
    outline = ax_spec.patches[0]
    assert outline.get_x() + outline.get_width() / 2 == pytest.approx(column * 128 / SR)
    frame_x = ax_frame.lines[0].get_xdata()
    assert len(frame_x) == 512 and frame_x[0] == pytest.approx((column * 128 - 256) / SR)


def test_stft_anatomy_defaults_to_the_loudest_frame():
    wave = torch.zeros(SR)
    wave[12000:12400] = torch.sin(torch.arange(400) * 0.3)
    fig = audioviz.plot_stft_anatomy(wave, SR)
    outline = fig.axes[3].patches[0]
    centre = outline.get_x() + outline.get_width() / 2
    assert 12000 / SR <= centre <= 12400 / SR
    with pytest.raises(ValueError, match="time"):
        audioviz.plot_stft_anatomy(wave, SR, time=2.0)


def test_show_overview_shares_one_time_axis(tmp_path, tone):
    path = audioviz.save_audio(tmp_path / "tone.wav", tone, SR)
    fig = audioviz.show(path)
    axes = fig.axes[:4]
    assert [ax.get_ylabel() for ax in axes] == ["Amplitude", "Frequency (Hz)", "Frequency (Hz, mel scale)",
                                                "MFCC coefficient"]
    for ax in axes[1:]:
        assert axes[0].get_shared_x_axes().joined(axes[0], ax)
    assert axes[0].get_xlim() == pytest.approx((0.0, 1.0))
    assert "tone.wav" in fig._suptitle.get_text()
    axes[0].set_xlim(0.2, 0.4)
    assert axes[3].get_xlim() == pytest.approx((0.2, 0.4))
    fig.canvas.draw()
    # the three images stay aligned in x with the waveform (same left and right pixel)
    boxes = [ax.get_window_extent() for ax in axes]
    assert max(b.x0 for b in boxes) - min(b.x0 for b in boxes) < 1
    assert max(b.x1 for b in boxes) - min(b.x1 for b in boxes) < 1


def test_show_needs_a_sample_rate_for_a_waveform(tone):
    with pytest.raises(TypeError, match="sample_rate"):
        audioviz.show(tone)
    fig = audioviz.show(torch.cat([tone, tone]), SR, n_mfcc=13)
    assert np.asarray(fig.axes[3].images[0].get_array()).shape[0] == 13


# ----------------------------------------------------------------------------------------------
# style
# ----------------------------------------------------------------------------------------------
def test_style_applies_only_inside_the_block():
    before = matplotlib.rcParams["axes.spines.top"]
    with audioviz.style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["image.cmap"] == "magma"
    assert matplotlib.rcParams["axes.spines.top"] == before


def test_importing_audioviz_leaves_rcparams_alone():
    code = (
        "import matplotlib, copy\n"
        "before = copy.deepcopy(dict(matplotlib.rcParams))\n"
        "import audioviz, audioviz.display, audioviz.features\n"
        "after = dict(matplotlib.rcParams)\n"
        "changed = [k for k in before if before[k] != after[k]]\n"
        "assert not changed, changed\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------------------------
# bad input: ValueError / TypeError naming the parameter, the value and what was expected
# ----------------------------------------------------------------------------------------------
PLOTTERS = {
    "plot_waveform": lambda w, **kw: audioviz.plot_waveform(w, SR, **kw),
    "plot_spectrogram": lambda w, **kw: audioviz.plot_spectrogram(w, SR, **kw),
    "plot_mel_spectrogram": lambda w, **kw: audioviz.plot_mel_spectrogram(w, SR, **kw),
    "plot_mfcc": lambda w, **kw: audioviz.plot_mfcc(w, SR, **kw),
    "plot_stft_anatomy": lambda w, **kw: audioviz.plot_stft_anatomy(w, SR, **kw),
    "show": lambda w, **kw: audioviz.show(w, SR, **kw),
}


@pytest.mark.parametrize("name", sorted(PLOTTERS))
@pytest.mark.parametrize(
    "bad, error, pattern",
    [
        (torch.zeros(0), ValueError, r"empty .*shape \(1, 0\)"),
        (torch.full((1000,), float("nan")), ValueError, "1000 NaN or Inf samples"),
        (torch.tensor([0.0, float("inf"), 0.5] * 300), ValueError, "300 NaN or Inf"),
        (torch.zeros(2, 2, 1000), ValueError, r"shape \(time,\) or \(channel, time\), got shape \(2, 2, 1000\)"),
        (np.array(["a", "b"]), TypeError, "dtype"),
        (np.zeros(1000, dtype=np.uint16), TypeError, "uint16"),
    ],
)
def test_bad_signals_are_refused_clearly(name, bad, error, pattern):
    with pytest.raises(error, match=f"(waveform|source).*{pattern}"):
        PLOTTERS[name](bad)


@pytest.mark.parametrize("name", ["plot_waveform", "plot_spectrogram", "plot_mel_spectrogram", "plot_mfcc",
                                  "plot_stft_anatomy", "show"])
@pytest.mark.parametrize("rate, error", [(0, ValueError), (-16000, ValueError), (16000.5, ValueError),
                                         ("16k", TypeError)])
def test_bad_sample_rate(name, rate, error, tone):
    func = getattr(audioviz, name)
    with pytest.raises(error, match=rf"sample_rate .*{rate!r}"):
        func(tone, rate)


@pytest.mark.parametrize("name", ["plot_spectrogram", "plot_mel_spectrogram", "plot_mfcc", "plot_stft_anatomy"])
@pytest.mark.parametrize(
    "kwargs, pattern",
    [({"hop_length": 500}, r"hop_length must be <= n_fft \(400\), got 500"),
     ({"win_length": 401}, r"win_length must be <= n_fft \(400\), got 401"),
     ({"n_fft": 0}, "n_fft must be a positive integer, got 0")],
)
def test_bad_stft_settings(name, kwargs, pattern, tone):
    with pytest.raises(ValueError, match=pattern):
        getattr(audioviz, name)(tone, SR, **kwargs)


@pytest.mark.parametrize("call", [
    lambda t: audioviz.plot_mel_spectrogram(t, SR, f_max=9000.0),
    lambda t: audioviz.plot_mfcc(t, SR, f_max=9000.0),
    lambda t: audioviz.plot_mel_filterbank(SR, f_max=9000.0),
])
def test_f_max_above_nyquist(call, tone):
    with pytest.raises(ValueError, match=r"f_max must be <= the Nyquist frequency .* 8000 Hz, got 9000"):
        call(tone)


@pytest.mark.parametrize("call", [
    lambda t: audioviz.plot_mel_spectrogram(t, SR, f_min=4000.0, f_max=4000.0),
    lambda t: audioviz.plot_mfcc(t, SR, f_min=5000.0, f_max=1000.0),
    lambda t: audioviz.plot_mel_filterbank(SR, f_min=3000.0, f_max=2000.0),
    lambda t: audioviz.plot_mel_scale(f_min=3000.0, f_max=2000.0),
])
def test_f_min_not_below_f_max(call, tone):
    with pytest.raises(ValueError, match=r"f_min must be < f_max, got f_min=\d+ Hz and f_max=\d+ Hz"):
        call(tone)


@pytest.mark.parametrize("call", [
    lambda t, ax: audioviz.plot_waveform(t, SR, ax=ax),
    lambda t, ax: audioviz.plot_spectrogram(t, SR, ax=ax),
    lambda t, ax: audioviz.plot_mel_spectrogram(t, SR, ax=ax),
    lambda t, ax: audioviz.plot_mfcc(t, SR, ax=ax),
    lambda t, ax: audioviz.plot_feature(audioviz.spectrogram(t, SR), ax=ax),
    lambda t, ax: audioviz.plot_mel_filterbank(SR, ax=ax),
    lambda t, ax: audioviz.plot_mel_scale(ax=ax),
])
@pytest.mark.parametrize("bad_ax", ["ax", 3, object()])
def test_non_axes_ax_is_a_type_error(call, bad_ax, tone):
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes or None, got (str|int|object)"):
        call(tone, bad_ax)
    fig = plt.figure()
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got Figure"):
        call(tone, fig)


def test_other_bad_options(tone):
    with pytest.raises(ValueError, match=r"y_axis must be one of 'linear', 'log'; got 'mel'"):
        audioviz.plot_spectrogram(tone, SR, y_axis="mel")
    with pytest.raises(TypeError, match=r"feature must be an audioviz Feature .*got Tensor"):
        audioviz.plot_feature(tone)
    with pytest.raises(ValueError, match=r"channel must be an int in \[0, 0\], got 1"):
        audioviz.plot_feature(audioviz.spectrogram(tone, SR), channel=1)
    with pytest.raises(ValueError, match="max_columns must be a positive int"):
        audioviz.plot_spectrogram(tone, SR, max_columns=0)
    with pytest.raises(ValueError, match="y_axis='log' needs a linear-frequency Feature, got kind 'mel'"):
        audioviz.plot_feature(audioviz.mel_spectrogram(tone, SR), y_axis="log")
    with pytest.raises(ValueError, match="mel_scale must be one of 'htk', 'slaney'; got 'bark'"):
        audioviz.plot_mel_scale(mel_scale="bark")
    with pytest.raises(ValueError, match=r"n_mfcc must be <= n_mels \(64\), got 80"):
        audioviz.plot_mfcc(tone, SR, n_mfcc=80)
    with pytest.raises(ValueError, match="more than n_fft // 2 = 200"):
        audioviz.plot_spectrogram(tone[:, :150], SR)


def test_long_waveform_with_nan_is_refused_naming_the_count():
    wave = _noise(100.0)
    wave[1_500_000] = float("nan")
    wave[12] = float("inf")
    with pytest.raises(ValueError, match="waveform contains 2 NaN or Inf samples out of 1600000"):
        audioviz.plot_waveform(wave, SR)


@pytest.mark.parametrize("mel", [None, dict(n_mels=40, f_min=30.0, f_max=7000.0, norm="slaney", mel_scale="slaney")])
@pytest.mark.parametrize("power, win_length", [(2.0, None), (1.0, 300)])
def test_chunked_pooled_spectrogram_equals_pooling_the_full_one(mel, power, win_length):
    from audioviz._reduce import _CHUNK_FRAMES, pooled_spectrogram, reduce_columns

    wave = torch.stack([_noise(40.0, seed=1), _noise(40.0, seed=2)])
    columns = 333  # groups that do not divide the chunk or the frame count
    kwargs = dict(n_fft=400, hop_length=160, win_length=win_length, power=power)
    pooled = pooled_spectrogram(wave, SR, max_columns=columns, mel=mel, **kwargs)
    if mel is None:
        full = audioviz.spectrogram(wave, SR, **kwargs)
    else:
        full = audioviz.mel_spectrogram(wave, SR, **kwargs, **mel)
    assert full.data.shape[-1] > _CHUNK_FRAMES  # several chunks were needed
    expected = reduce_columns(full, columns)
    assert pooled.data.shape == expected.data.shape and pooled.data.shape[-1] <= columns
    torch.testing.assert_close(pooled.data, expected.data, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(pooled.times, expected.times)
    torch.testing.assert_close(pooled.rows, expected.rows)
    assert (pooled.kind, pooled.unit, pooled.hop_length) == (expected.kind, expected.unit, expected.hop_length)
    assert pooled.time_edges() == pytest.approx(expected.time_edges())
    assert pooled.params["frames_per_column"] == expected.params["frames_per_column"]
    assert pooled_spectrogram(wave, SR, max_columns=10**6, **kwargs) is None


def test_reduce_columns_pools_max_for_energy_and_mean_for_mfcc(tone):
    from audioviz._reduce import reduce_columns

    spec = audioviz.spectrogram(tone, SR, hop_length=100)  # 161 frames
    pooled = reduce_columns(spec, 50)
    group = pooled.params["frames_per_column"]
    assert group == 4 and pooled.data.shape[-1] == 41
    torch.testing.assert_close(pooled.data[..., 3], spec.data[..., 12:16].amax(-1))
    torch.testing.assert_close(pooled.data[..., -1], spec.data[..., 160:].amax(-1))
    coeffs = audioviz.mfcc(tone, SR, hop_length=100)
    pooled = reduce_columns(coeffs, 50)
    torch.testing.assert_close(pooled.data[..., 3], coeffs.data[..., 12:16].mean(-1))
    assert reduce_columns(spec, None) is spec


@pytest.mark.parametrize("seconds", [1.0, 30.0])  # computed directly, and pooled while computed
def test_empty_mel_rows_are_marked_on_the_image(seconds):
    fig, ax = plt.subplots()
    with pytest.warns(UserWarning, match="4 of n_mels=128 mel filters are empty") as record:
        image = audioviz.plot_mel_spectrogram(_noise(seconds), SR, n_mels=128, ax=ax)
    assert record[0].filename == __file__  # the warning points at the caller's line
    marks = [line for line in ax.lines if line.get_label() == "empty filters"]
    assert len(marks) == 1
    bank = audioviz.mel_filterbank(SR, n_fft=400, n_mels=128, warn_empty=False)
    bottom, top = image.get_extent()[2:]
    expected = bottom + (np.flatnonzero(bank.empty.numpy()) + 0.5) * (top - bottom) / 128
    np.testing.assert_allclose(marks[0].get_ydata(), expected)
    # those rows hold nothing but the dB floor
    data = np.asarray(image.get_array())
    assert np.all(data[bank.empty.numpy()] == data.min())


@pytest.mark.parametrize("log_mels", [False, True])
def test_chunked_pooled_mfcc_equals_averaging_the_full_one(log_mels):
    from audioviz._reduce import pooled_mfcc, reduce_columns

    wave = torch.stack([_noise(30.0, seed=4), _noise(30.0, seed=5, scale=0.01)])
    settings = dict(n_mfcc=13, n_mels=40, hop_length=160, f_min=20.0, log_mels=log_mels)
    pooled = pooled_mfcc(wave, SR, max_columns=250, **settings)
    expected = reduce_columns(audioviz.mfcc(wave, SR, **settings), 250)
    assert pooled.data.shape == expected.data.shape == (2, 13, pooled.data.shape[-1])
    torch.testing.assert_close(pooled.data, expected.data, rtol=1e-3, atol=2e-3)
    torch.testing.assert_close(pooled.times, expected.times)
    assert pooled.hop_length == expected.hop_length and pooled.kind == "mfcc"
    image = audioviz.plot_mfcc(wave[0], SR, max_columns=250, **settings)
    np.testing.assert_allclose(image.get_array(), expected.data[0].numpy(), rtol=1e-3, atol=2e-3)


def test_time_label_names_the_unit_on_every_axes_that_share_time():
    # Shared axes share one formatter; the label must follow the unit on all of them,
    # including the bottom one that shows the tick labels.
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True)
    signal = torch.randn(8000)
    audioviz.plot_waveform(signal, 16000, ax=top)
    audioviz.plot_spectrogram(signal, 16000, ax=bottom)
    fig.canvas.draw()
    assert top.get_xlabel() == bottom.get_xlabel() == "Time (ms)"


def test_one_thread_changes_the_calling_thread_only():
    import threading

    from audioviz._reduce import one_thread

    before = torch.get_num_threads()
    if before < 2:
        pytest.skip("torch runs on one thread here: nothing to tell apart")
    seen = {}
    inside, release = threading.Event(), threading.Event()

    def worker():
        with one_thread():
            seen["inside"] = torch.get_num_threads()
            inside.set()
            release.wait(10)
        seen["after"] = torch.get_num_threads()

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(10)
    seen["other thread meanwhile"] = torch.get_num_threads()
    # a thread whose first torch call falls inside the block adopts no setting from it
    started = threading.Thread(target=lambda: seen.__setitem__("thread started meanwhile", torch.get_num_threads()))
    started.start()
    started.join()
    release.set()
    thread.join()
    assert seen["inside"] == 1
    assert seen["other thread meanwhile"] == before
    assert seen["thread started meanwhile"] == seen["after"] == torch.get_num_threads() == before


@pytest.mark.parametrize("kind, y_axis", [("linear", None), ("linear", "log"), ("mel", None), ("mfcc", None)])
def test_sampling_the_data_first_gives_the_same_pixels(tone, kind, y_axis):
    feature = {"linear": lambda: audioviz.spectrogram(tone, SR, n_fft=1024).to_db(),
               "mel": lambda: audioviz.mel_spectrogram(tone, SR).to_db(),
               "mfcc": lambda: audioviz.mfcc(tone, SR, n_mfcc=13)}[kind]()
    pictures = []
    for stage in ("rgba", None):  # None: plot_feature's default
        fig, ax = plt.subplots(figsize=(4, 2.5), dpi=80)
        kwargs = {} if stage is None else {"interpolation_stage": stage}
        image = audioviz.plot_feature(feature, ax=ax, y_axis=y_axis, **kwargs)
        assert image.get_interpolation_stage() == (stage or "data")
        fig.canvas.draw()
        pictures.append(np.asarray(fig.canvas.buffer_rgba()).copy())
        plt.close(fig)
    np.testing.assert_array_equal(pictures[0], pictures[1])


def test_envelope_of_a_long_signal_is_exact_when_computed_by_several_threads():
    from audioviz import _waveform

    rng = np.random.default_rng(1)
    samples = rng.standard_normal(_waveform._PARALLEL_SAMPLES + 12345).astype(np.float32)
    starts, lows, highs = _waveform.minmax_envelope(samples, 1999)
    size = int(starts[1])
    for k in (0, len(starts) // 2, len(starts) - 2):
        chunk = samples[starts[k]: starts[k] + size + 1]  # bin k plus the first sample of bin k + 1
        assert lows[k] == chunk.min() and highs[k] == chunk.max()
    assert lows[-1] == samples[starts[-1]:].min() and highs[-1] == samples[starts[-1]:].max()
    # the whole signal's extremes are kept
    assert lows.min() == samples.min() and highs.max() == samples.max()


def test_silent_stretches_of_an_envelope_stay_visible_as_a_one_pixel_line():
    wave = _noise(60.0)
    wave[20 * SR: 40 * SR] = 0.0  # twenty seconds of digital silence
    fig, ax = plt.subplots(figsize=(8, 2.5), dpi=100)
    env = audioviz.plot_waveform(wave, SR, ax=ax)
    edges, lows, highs = env.bins
    silent = (edges[:-1] > 21) & (edges[1:] < 39)
    assert silent.any() and np.all(lows[silent] == 0) and np.all(highs[silent] == 0)  # exact bins kept
    fig.canvas.draw()
    drawn = env.get_paths()[0].vertices
    in_silence = (drawn[:, 0] > 21) & (drawn[:, 0] < 39)
    heights_px = np.ptp(ax.transData.transform(drawn[in_silence])[:, 1])
    assert 0.9 <= heights_px <= 1.5  # a thin line of about one pixel, centred on zero
    np.testing.assert_allclose(drawn[in_silence, 1].mean(), 0.0, atol=1e-9)


def test_a_streamed_file_with_nan_samples_is_refused_by_name(tmp_path, monkeypatch):
    import soundfile

    import audioviz._stream

    signal = np.zeros(4 * SR, dtype=np.float32)
    signal[SR] = np.nan
    soundfile.write(tmp_path / "bad.wav", signal, SR, subtype="FLOAT")
    monkeypatch.setattr(audioviz._stream, "BLOCK_SAMPLES", 7001)
    with pytest.raises(ValueError, match="bad.wav holds NaN or Inf samples"):
        audioviz.show(tmp_path / "bad.wav")


@pytest.mark.parametrize("title", [r"cost $\frac$ 5", "price $x^2$ now", "a_$x$.wav"])
def test_user_text_is_drawn_as_typed_never_as_math(title, tmp_path):
    fig = audioviz.show(torch.randn(4000), SR, title=title)
    fig.canvas.draw()  # an unbalanced "$\frac$" used to raise a parse error here
    assert fig.get_suptitle() == title
    assert not fig._suptitle._preprocess_math(fig._suptitle.get_text())[1]
    path = audioviz.save_audio(tmp_path / "a_$x$.wav", torch.randn(4000) * 0.1, SR)
    named = audioviz.show(path)
    named.canvas.draw()
    assert named.get_suptitle().startswith("a_$x$.wav")
    assert not named._suptitle._preprocess_math(named._suptitle.get_text())[1]
