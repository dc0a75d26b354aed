"""Tests for audioviz.features: same numbers as torchaudio, plus the axes each Feature carries."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torchaudio
from torchaudio.functional.functional import _hz_to_mel as ta_hz_to_mel
from torchaudio.functional.functional import _mel_to_hz as ta_mel_to_hz

import audioviz
from audioviz.features import Feature

SR = 16000


def test_spectrogram_matches_torchaudio_and_knows_its_axes(tone):
    spec = audioviz.spectrogram(tone, SR, n_fft=512, hop_length=128)
    expected = torchaudio.transforms.Spectrogram(n_fft=512, hop_length=128)(tone)
    torch.testing.assert_close(spec.data, expected)
    assert spec.kind == "linear" and spec.unit == "power"
    np.testing.assert_allclose(spec.rows.numpy(), np.arange(257) * SR / 512)
    np.testing.assert_allclose(spec.times.numpy(), np.arange(spec.data.shape[-1]) * 128 / SR)
    assert spec.frame_period == 128 / SR and spec.duration == 1.0
    assert spec.time_edges() == pytest.approx((-64 / SR, (spec.data.shape[-1] - 1) * 128 / SR + 64 / SR))
    assert spec.row_edges() == pytest.approx((-SR / 1024, SR / 2 + SR / 1024))
    torch.testing.assert_close(spec.frequencies, spec.rows)
    assert spec.params["n_fft"] == 512 and spec.params["win_length"] == 512


def test_spectrogram_defaults_follow_torchaudio(tone):
    spec = audioviz.spectrogram(tone, SR)
    assert spec.data.shape == (1, 201, 81)  # n_fft=400, hop = win_length // 2 = 200
    assert spec.hop_length == 200
    mag = audioviz.spectrogram(tone, SR, power=1.0)
    assert mag.unit == "magnitude"
    torch.testing.assert_close(mag.data**2, spec.data, rtol=1e-4, atol=1e-6)


def test_uncentred_frames_are_timed_at_their_middle(tone):
    spec = audioviz.spectrogram(tone, SR, n_fft=400, hop_length=100, center=False)
    assert float(spec.times[0]) == pytest.approx(200 / SR)


def test_mel_spectrogram_matches_torchaudio(tone):
    mel = audioviz.mel_spectrogram(tone, SR, n_fft=1024, hop_length=256, n_mels=80, f_min=20.0, f_max=7600.0)
    expected = torchaudio.transforms.MelSpectrogram(SR, n_fft=1024, hop_length=256, n_mels=80, f_min=20.0,
                                                    f_max=7600.0)(tone)
    torch.testing.assert_close(mel.data, expected, rtol=1e-4, atol=1e-5)
    assert mel.kind == "mel" and mel.data.shape[1] == 80
    centres = ta_mel_to_hz(torch.linspace(ta_hz_to_mel(20.0), ta_hz_to_mel(7600.0), 82), "htk")[1:-1]
    np.testing.assert_allclose(mel.frequencies.numpy(), centres.numpy(), rtol=1e-5)
    # rows are evenly spaced in mel, so an image with an extent places them exactly
    assert np.allclose(np.diff(mel.rows.numpy()), np.diff(mel.rows.numpy())[0])


def test_mfcc_matches_torchaudio(tone):
    coeffs = audioviz.mfcc(tone, SR, n_mfcc=13, n_mels=40)
    expected = torchaudio.transforms.MFCC(SR, n_mfcc=13, melkwargs={"n_fft": 400, "n_mels": 40})(tone)
    # torchaudio builds its filters and DCT in float32, ours are float64 cast (audioviz._mel): the
    # coefficients, in dB units, differ by its rounding (9e-5 here), nowhere near a visible change
    torch.testing.assert_close(coeffs.data, expected, rtol=1e-5, atol=1e-3)
    assert coeffs.kind == "mfcc" and coeffs.unit == "coefficient"
    assert coeffs.rows.tolist() == list(range(13))
    assert coeffs.frequencies is None
    assert coeffs.row_edges() == (-0.5, 12.5)


def test_amplitude_to_db_floors_silence_and_respects_top_db(tone):
    wave = torch.cat([tone, torch.zeros(1, 8000)], dim=-1)
    db = audioviz.amplitude_to_db(audioviz.spectrogram(wave, SR), top_db=60.0)
    assert db.unit == "dB" and torch.isfinite(db.data).all()
    assert float(db.data.max() - db.data.min()) == pytest.approx(60.0)
    expected = torchaudio.transforms.AmplitudeToDB("power", top_db=60.0)(audioviz.spectrogram(wave, SR).data)
    torch.testing.assert_close(db.data, expected, rtol=1e-4, atol=1e-3)
    assert db.to_db() is db
    silence = audioviz.spectrogram(torch.zeros(4000), SR).to_db()
    assert torch.isfinite(silence.data).all()


def test_amplitude_to_db_refuses_bad_input(tone):
    with pytest.raises(TypeError, match="feature must be an audioviz Feature, got Tensor"):
        audioviz.amplitude_to_db(tone)
    with pytest.raises(ValueError, match="top_db must be a positive number of dB or None, got -3"):
        audioviz.amplitude_to_db(audioviz.spectrogram(tone, SR), top_db=-3)
    with pytest.raises(ValueError, match="feature.unit must be 'power' or 'magnitude'"):
        audioviz.amplitude_to_db(audioviz.mfcc(tone, SR))


@pytest.mark.parametrize("mel_scale", ["htk", "slaney"])
def test_hz_mel_conversions_match_torchaudio(mel_scale):
    for hz in (0.0, 100.0, 700.0, 1000.0, 4321.0, 8000.0):
        assert audioviz.hz_to_mel(hz, mel_scale=mel_scale) == pytest.approx(ta_hz_to_mel(hz, mel_scale))
        mel = audioviz.hz_to_mel(hz, mel_scale=mel_scale)
        assert audioviz.mel_to_hz(mel, mel_scale=mel_scale) == pytest.approx(hz, abs=1e-6)
    tensor = audioviz.hz_to_mel(torch.tensor([1000.0, 2000.0]), mel_scale=mel_scale)
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float32
    array = audioviz.mel_to_hz(np.array([500.0, 1500.0]), mel_scale=mel_scale)
    assert isinstance(array, np.ndarray)


def test_mel_filterbank_is_torchaudios_and_finds_empty_filters():
    with pytest.warns(UserWarning, match="4 of n_mels=128 mel filters are empty"):
        bank = audioviz.mel_filterbank(SR, n_fft=400, n_mels=128)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, 128, SR, None, "htk")
    # torchaudio rounds its filter edges to float32 (1.2e-5 here; tests/test_mel.py bounds it)
    torch.testing.assert_close(bank.weights, expected, rtol=0, atol=2e-5)
    assert bank.weights.dtype == torch.float32
    assert int(bank.empty.sum()) == 4
    assert bool((expected[:, bank.empty] == 0).all())
    assert bank.n_mels == 128 and bank.frequencies[-1] == 8000.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not audioviz.mel_filterbank(SR, n_fft=400, n_mels=64).empty.any()


def test_feature_replace_keeps_it_frozen(tone):
    spec = audioviz.spectrogram(tone, SR)
    copy = spec.replace(unit="magnitude")
    assert copy.unit == "magnitude" and spec.unit == "power"
    with pytest.raises(Exception):
        spec.unit = "dB"
    assert isinstance(spec.numpy(), np.ndarray) and spec.n_channels == 1


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda t: audioviz.spectrogram(t, 0), ValueError, r"sample_rate must be > 0 .*got 0"),
        (lambda t: audioviz.spectrogram(t, SR, hop_length=401), ValueError, r"hop_length must be <= n_fft \(400\)"),
        (lambda t: audioviz.spectrogram(t, SR, win_length=512), ValueError, r"win_length must be <= n_fft \(400\)"),
        (lambda t: audioviz.spectrogram(t, SR, power=3), ValueError, "power must be 1.0 .* or 2.0 .*got 3"),
        (lambda t: audioviz.spectrogram(t, SR, window="kaiser"), ValueError, "window must be one of"),
        (lambda t: audioviz.spectrogram(t[:, :100], SR), ValueError, "needs more than n_fft // 2 = 200"),
        (lambda t: audioviz.mfcc(t[:, :100], SR), ValueError, "needs more than n_fft // 2 = 200"),
        (lambda t: audioviz.mel_spectrogram(t, SR, f_max=8001.0), ValueError, "f_max must be <= the Nyquist"),
        (lambda t: audioviz.mel_spectrogram(t, SR, f_min=-1.0), ValueError, "f_min must be >= 0 Hz, got -1"),
        (lambda t: audioviz.mel_spectrogram(t, SR, f_min=800.0, f_max=200.0), ValueError, "f_min must be < f_max"),
        (lambda t: audioviz.mel_spectrogram(t, SR, n_mels=0), ValueError, "n_mels must be a positive integer, got 0"),
        (lambda t: audioviz.mel_spectrogram(t, SR, mel_scale="bark"), ValueError, "mel_scale must be one of"),
        (lambda t: audioviz.mel_spectrogram(t, SR, norm="l2"), ValueError, "norm must be one of None, 'slaney'"),
        (lambda t: audioviz.mfcc(t, SR, n_mfcc=65), ValueError, r"n_mfcc must be <= n_mels \(64\), got 65"),
        (lambda t: audioviz.mfcc(t, SR, dct_type=3), ValueError, "dct_type must be one of 2; got 3"),
        (lambda t: audioviz.mfcc(t, SR, norm="l2"), ValueError, "norm must be one of 'ortho', None; got 'l2'"),
        (lambda t: audioviz.spectrogram(t.unsqueeze(0), SR), ValueError, r"got shape \(1, 1, 16000\)"),
        (lambda t: audioviz.hz_to_mel(100.0, mel_scale="mel"), ValueError, "mel_scale must be one of"),
    ],
)
def test_bad_feature_arguments(call, error, pattern, tone):
    with pytest.raises(error, match=pattern):
        call(tone)


def test_feature_is_documented_dataclass():
    assert {"data", "times", "rows", "kind", "unit", "sample_rate", "hop_length", "params"} <= set(
        Feature.__dataclass_fields__
    )


@pytest.mark.parametrize("stft", [{}, {"n_fft": 1024, "hop_length": 256, "power": 1.0, "window": "hamming"},
                                  {"win_length": 300, "center": False}])
def test_mel_spectrogram_reuses_a_spectrogram_feature(stft):
    wave = torch.randn(2, 16000, generator=torch.Generator().manual_seed(3))
    mel = dict(n_mels=40, f_min=50.0, norm="slaney", mel_scale="slaney")
    direct = audioviz.mel_spectrogram(wave, 16000, **stft, **mel)
    reused = audioviz.mel_spectrogram(audioviz.spectrogram(wave, 16000, **stft), **mel)
    assert torch.equal(reused.data, direct.data) and torch.equal(reused.times, direct.times)
    assert reused.params == direct.params and reused.unit == direct.unit and reused.kind == "mel"


def test_mel_spectrogram_refuses_features_it_cannot_reuse():
    wave = torch.randn(16000, generator=torch.Generator().manual_seed(4))
    spec = audioviz.spectrogram(wave, 16000)
    with pytest.raises(ValueError, match="power or magnitude Feature from audioviz.spectrogram.*'dB'"):
        audioviz.mel_spectrogram(spec.to_db())
    with pytest.raises(ValueError, match="kind 'mel'"):
        audioviz.mel_spectrogram(audioviz.mel_spectrogram(wave, 16000))
    with pytest.raises(ValueError, match="pooled 3 frames per column"):
        from audioviz._reduce import reduce_columns
        audioviz.mel_spectrogram(reduce_columns(spec, 30))
    with pytest.raises(ValueError, match="sample_rate must be None or 16000"):
        audioviz.mel_spectrogram(spec, 8000)
    with pytest.raises(TypeError, match="sample_rate is required"):
        audioviz.mel_spectrogram(wave)
