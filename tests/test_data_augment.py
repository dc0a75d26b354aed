"""audioviz.data._augment: the simulated recording chain behind the synthetic clips."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from audioviz.data import SynthesisConfig
from audioviz.data import _augment as A


def _peak_hz(x, rate):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spectrum) * rate / len(x)


@pytest.mark.parametrize("warp", [0.9, 1.0, 1.1])
def test_warp_resample_scales_frequencies_and_duration(warp):
    t = np.arange(22050) / 22050
    tone = np.sin(2 * np.pi * 500 * t)
    out = A.warp_resample(tone, 22050, warp)
    # the warp is rounded down by at most a few percent so that the FFT lengths stay fast
    effective = 16000 / len(out)
    assert warp * 0.96 <= effective <= warp * 1.001
    assert _peak_hz(out, 16000) == pytest.approx(500 * effective, rel=0.01)


def test_warp_resample_removes_what_would_alias():
    t = np.arange(22050) / 22050
    high = np.sin(2 * np.pi * 10000 * t) * np.hanning(len(t))  # above the new Nyquist frequency of 8 kHz
    assert np.abs(A.warp_resample(high, 22050)).max() < 0.05


def test_trim_and_place():
    x = np.concatenate([np.zeros(1000), np.ones(500), np.zeros(1000)])
    trimmed = A.trim_silence(x)
    assert 500 <= len(trimmed) <= 500 + 2 * 110 and trimmed.max() == 1
    window = A.place(np.ones(100), 15950)
    assert window.shape == (16000,) and window.sum() == 50  # cut at the right edge
    assert A.place(np.ones(100), -30).sum() == 70  # cut at the left edge


def test_room_impulse_response_decays_at_rt60():
    rng = np.random.default_rng(0)
    ir = A.room_impulse_response(rng, rt60=0.4, drr_db=0.0)
    assert ir[0] == 1.0
    tail = ir[1:]
    assert np.sum(tail**2) == pytest.approx(1.0, rel=1e-6)  # drr 0 dB: tail energy = direct energy
    early = np.mean(tail[800:1600] ** 2)
    late = np.mean(tail[800 + 3200:1600 + 3200] ** 2)  # 0.2 s later: about 30 dB quieter
    assert 10 * np.log10(early / late) == pytest.approx(30, abs=6)


@pytest.mark.parametrize("slope", [0.0, -1.0, -2.0])
def test_coloured_noise_has_the_asked_slope(slope):
    noise = A.coloured_noise(np.random.default_rng(1), 160000, slope)
    assert np.std(noise) == pytest.approx(1.0)
    power = np.abs(np.fft.rfft(noise)) ** 2
    freqs = np.fft.rfftfreq(len(noise), 1 / 16000)
    low = power[(freqs > 200) & (freqs < 400)].mean()
    high = power[(freqs > 3200) & (freqs < 6400)].mean()
    measured = np.log2(high / low) / np.log2(3200 / 200)  # bands an equal number of octaves apart
    assert measured == pytest.approx(slope, abs=0.15)


def test_microphone_response_band_limits():
    config = dataclasses.replace(SynthesisConfig(), lowpass_prob=1.0, lowpass_hz=(3000.0, 3000.0),
                                 highpass_hz=(200.0, 200.0), eq_bands=0, tilt_db=(0.0, 0.0))
    response = A.microphone_response(np.random.default_rng(0), config)
    h = response(np.array([20.0, 1000.0, 7000.0]))
    assert h[1] == pytest.approx(1.0, abs=0.05) and h[0] < 0.2 and h[2] < 0.2  # at least -14 dB


def test_render_clip_level_and_determinism():
    t = np.arange(8000) / 22050
    speech = np.sin(2 * np.pi * 150 * t) * np.hanning(len(t))
    config = SynthesisConfig()
    a = A.render_clip(speech, 22050, np.random.default_rng(5), config)
    b = A.render_clip(speech, 22050, np.random.default_rng(5), config)
    assert a.shape == (16000,) and np.array_equal(a, b)
    peak_db = 20 * np.log10(np.abs(a).max())
    assert config.peak_dbfs[0] - 0.01 <= peak_db <= config.peak_dbfs[1] + 0.01
    clean = A.render_clip(speech, 22050, np.random.default_rng(5), config, augment=False)
    assert np.abs(clean[:4000]).max() == 0  # centred, silent around
    pcm = A.to_pcm16(np.array([1.5, -1.5, 0.5]))
    assert pcm.tolist() == [32767, -32768, 16384]


def test_no_clip_is_digitally_silent():
    t = np.arange(6000) / 22050
    speech = np.sin(2 * np.pi * 200 * t)
    config = dataclasses.replace(SynthesisConfig(), noise_prob=0.0)
    clip = A.render_clip(speech, 22050, np.random.default_rng(2), config)
    assert np.all(clip != 0)  # even without background noise there is a faint floor
