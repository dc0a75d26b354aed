"""Bad input to the public functions: every error names the parameter, the value and what was
expected. Tested through the functions a learner calls (``spectrogram``, ``plot_*``,
``save_audio``), not through ``audioviz._validation``."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import audioviz

SR = 16000


@pytest.mark.parametrize("signal", [np.zeros(800, dtype=np.float64), torch.zeros(1, 800), [0.0] * 800])
def test_signals_of_any_array_kind_are_accepted(signal):
    assert audioviz.spectrogram(signal, SR).data.shape[0] == 1


@pytest.mark.parametrize(
    "dtype, value, expected",
    [(np.int16, -32768, -1.0), (np.int16, 16384, 0.5), (np.int32, 2**30, 0.5), (np.int8, 64, 0.5),
     (np.uint8, 128, 0.0), (np.uint8, 0, -1.0)],
)
def test_integer_pcm_is_scaled_by_its_range(tmp_path, dtype, value, expected):
    path = audioviz.save_audio(tmp_path / "pcm.wav", np.full(8, value, dtype=dtype), 8000, subtype="FLOAT")
    assert float(audioviz.load_audio(path)[0][0, 0]) == pytest.approx(expected)


def test_int16_tensor_is_scaled_too():
    line = audioviz.plot_waveform(torch.full((8,), -16384, dtype=torch.int16), 8000)
    assert line.get_ydata().min() == -0.5


@pytest.mark.parametrize(
    "bad, error, pattern",
    [
        (np.zeros(0), ValueError, r"waveform is empty \(shape \(1, 0\)\)"),
        (np.zeros((0, 10)), ValueError, "waveform is empty"),
        (np.zeros((2, 3, 4)), ValueError, r"shape \(time,\) or \(channel, time\), got shape \(2, 3, 4\)"),
        (np.float32(1.0), ValueError, r"got shape \(\)"),
        (np.r_[np.zeros(800), np.nan, np.inf], ValueError, "waveform contains 2 NaN or Inf samples out of 802"),
        (np.full(900, np.nan), ValueError, "900 NaN or Inf samples out of 900"),
        (np.full(900, 1e20), ValueError, "waveform has samples as large as 1e[+]20; expected audio amplitudes"),
        (np.zeros((16000, 2)), ValueError, r"shape \(16000, 2\), which reads as 16000 channels .* pass waveform.T"),
        (np.zeros((200, 900)), ValueError, "200 channels, more than the 64"),
        (np.array([True, False]), TypeError, "waveform must hold numbers"),
        (np.array(["x"]), TypeError, "waveform must hold numbers .* dtype <U1"),
        (np.zeros(4, dtype=np.uint16), TypeError, "unsigned dtype uint16"),
        (torch.zeros(3, dtype=torch.complex64), TypeError, "waveform must be real, got complex"),
        (torch.tensor([True]), TypeError, "boolean"),
    ],
)
@pytest.mark.parametrize("function", [audioviz.spectrogram, audioviz.plot_spectrogram, audioviz.plot_waveform,
                                      lambda w, sr: audioviz.save_audio("/tmp/never-written.wav", w, sr)])
def test_bad_signals_are_refused_by_every_entry_point(function, bad, error, pattern):
    with pytest.raises(error, match=pattern):
        function(bad, SR)


def test_show_names_its_source_parameter():
    with pytest.raises(ValueError, match="^source is empty"):
        audioviz.show([], SR)


def test_large_but_plausible_samples_pass():
    # unscaled 32-bit PCM read as floats: far beyond [-1, 1] but a real recording
    image = audioviz.plot_spectrogram(np.full(1600, 2.0**31), SR)
    assert np.isfinite(image.get_array()).all()


@pytest.mark.parametrize("value, error, pattern", [
    (0, ValueError, "sample_rate must be > 0 .*got 0"),
    (-1, ValueError, "got -1"),
    (44100.5, ValueError, "whole number .*44100.5"),
    (float("inf"), ValueError, "got inf"),
    ("16000", TypeError, "got '16000'"),
    (True, TypeError, "got True"),
])
def test_bad_sample_rates(value, error, pattern):
    with pytest.raises(error, match=pattern):
        audioviz.spectrogram(np.zeros(800), value)


def test_sample_rates_as_whole_floats_and_numpy_ints():
    assert audioviz.spectrogram(np.zeros(800), 22050.0).sample_rate == 22050
    assert audioviz.spectrogram(np.zeros(800), np.int64(8000)).sample_rate == 8000


def test_stft_sizes_take_torchaudio_defaults():
    spec = audioviz.spectrogram(np.zeros(4000), SR, n_fft=512, win_length=256)
    assert (spec.params["n_fft"], spec.params["win_length"], spec.hop_length) == (512, 256, 128)
    assert audioviz.spectrogram(np.zeros(4000), SR).hop_length == 200


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(n_fft=400, win_length=500), ValueError, r"win_length must be <= n_fft \(400\), got 500"),
    (dict(n_fft=400, hop_length=401), ValueError, r"hop_length must be <= n_fft \(400\), got 401"),
    (dict(n_fft=0), ValueError, "n_fft must be a positive integer, got 0"),
    (dict(n_fft=400.0), TypeError, "n_fft must be a positive integer, got 400.0"),
    (dict(hop_length=-2), ValueError, "hop_length must be a positive integer, got -2"),
])
def test_bad_stft_sizes(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        audioviz.spectrogram(np.zeros(4000), SR, **kwargs)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(f_max=9000), ValueError, r"f_max must be <= the Nyquist frequency sample_rate / 2 = 8000 Hz, got 9000"),
    (dict(f_min=100, f_max=100), ValueError, "f_min must be < f_max, got f_min=100 Hz and f_max=100 Hz"),
    (dict(f_min=-5), ValueError, "f_min must be >= 0 Hz"),
    (dict(f_max=float("nan")), TypeError, "f_max must be a finite frequency in Hz, got nan"),
    (dict(mel_scale="bark"), ValueError, "mel_scale must be one of 'htk', 'slaney'; got 'bark'"),
    (dict(n_mels=True), TypeError, "n_mels must be a positive integer, got True"),
])
def test_bad_mel_settings(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        audioviz.mel_spectrogram(np.zeros(4000), SR, **kwargs)


def test_mel_frequency_range_defaults_to_nyquist():
    mel = audioviz.mel_spectrogram(np.zeros(4000), SR, n_mels=8)
    assert (mel.params["f_min"], mel.params["f_max"]) == (0.0, 8000.0)


def test_ax_must_be_an_axes():
    fig, ax = plt.subplots()
    assert audioviz.plot_waveform(np.zeros(100), SR, ax=ax).axes is ax
    assert audioviz.plot_waveform(np.zeros(100), SR).axes is plt.gca()
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got ndarray"):
        audioviz.plot_waveform(np.zeros(100), SR, ax=np.array([ax]))


@pytest.mark.parametrize("function", ["spectrogram", "mel_spectrogram", "plot_spectrogram", "plot_stft_anatomy"])
@pytest.mark.parametrize("n_fft", [10**9, 2**40, 2**70])
def test_huge_n_fft_is_refused_before_anything_is_allocated(function, n_fft):
    # found by the fuzz tests in a clean CI run: n_fft=1e9 allocated until the kernel killed pytest
    with pytest.raises(ValueError, match="n_fft must be at most"):
        getattr(audioviz, function)(torch.zeros(1600), 8000, n_fft=n_fft)


@pytest.mark.parametrize("function", ["mel_spectrogram", "mfcc", "plot_mfcc", "mel_filterbank"])
def test_huge_n_mels_is_refused(function):
    call = getattr(audioviz, function)
    with pytest.raises(ValueError, match="n_mels must be at most"):
        if function == "mel_filterbank":
            call(8000, n_fft=256, n_mels=10**7)
        else:
            call(torch.zeros(1600), 8000, n_fft=256, n_mels=10**7)


@pytest.mark.parametrize("name", ["f_min", "f_max"])
def test_frequency_beyond_float_range_names_its_parameter(name):
    with pytest.raises((ValueError, TypeError), match=name):
        audioviz.mel_spectrogram(torch.zeros(1600), 8000, n_fft=256, **{name: 2**1100})


def test_a_frequency_range_narrower_than_a_millihertz_is_a_clear_error():
    """The fuzzer's f_max=3.8e-149 Hz (f_min 0) drew a mel axis with identical limits; a range
    below a millihertz is refused and names f_max (the explorers check the same way)."""
    wave = torch.randn(16000)
    with pytest.raises(ValueError, match="f_max must be at least 0.001 Hz above f_min"):
        audioviz.plot_mel_spectrogram(wave, 16000, n_fft=256, n_mels=16, f_max=3.8324765346739678e-149)
    with pytest.raises(ValueError, match="f_max must be at least 0.001 Hz above f_min"):
        audioviz.SpectrogramExplorer(wave, 16000, f_min=100.0, f_max=100.0005)
    plt.close("all")
