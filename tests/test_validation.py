"""Tests for audioviz._validation: every check names the parameter, the value and what was expected."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from audioviz._validation import (
    as_waveform,
    check_axes,
    check_choice,
    check_freq_range,
    check_positive_int,
    check_sample_rate,
    check_stft_params,
)


def test_as_waveform_shapes_and_dtype():
    out = as_waveform(np.zeros(10, dtype=np.float64))
    assert out.shape == (1, 10) and out.dtype == torch.float32 and out.is_contiguous()
    assert as_waveform(torch.ones(2, 5)).shape == (2, 5)
    assert as_waveform([0.0, 0.5]).tolist() == [[0.0, 0.5]]


@pytest.mark.parametrize(
    "dtype, value, expected",
    [(np.int16, -32768, -1.0), (np.int16, 16384, 0.5), (np.int32, 2**30, 0.5), (np.int8, 64, 0.5),
     (np.uint8, 128, 0.0), (np.uint8, 0, -1.0)],
)
def test_integer_pcm_is_scaled_by_its_range(dtype, value, expected):
    assert float(as_waveform(np.array([value], dtype=dtype))[0, 0]) == pytest.approx(expected)


def test_int16_tensor_is_scaled_too():
    assert float(as_waveform(torch.tensor([-16384], dtype=torch.int16))[0, 0]) == -0.5


@pytest.mark.parametrize(
    "bad, error, pattern",
    [
        (np.zeros(0), ValueError, r"waveform is empty \(shape \(1, 0\)\)"),
        (np.zeros((0, 10)), ValueError, "waveform is empty"),
        (np.zeros((2, 3, 4)), ValueError, r"shape \(time,\) or \(channel, time\), got shape \(2, 3, 4\)"),
        (np.float32(1.0), ValueError, r"got shape \(\)"),
        (np.array([1.0, np.nan, np.inf]), ValueError, "waveform contains 2 NaN or Inf samples out of 3"),
        (np.full(5, np.nan), ValueError, "5 NaN or Inf samples out of 5"),
        (np.array([True, False]), TypeError, "waveform must hold numbers"),
        (np.array(["x"]), TypeError, "waveform must hold numbers .* dtype <U1"),
        (np.zeros(4, dtype=np.uint16), TypeError, "unsigned dtype uint16"),
        (torch.zeros(3, dtype=torch.complex64), TypeError, "waveform must be real, got complex"),
        (torch.tensor([True]), TypeError, "boolean"),
    ],
)
def test_as_waveform_refuses_bad_signals(bad, error, pattern):
    with pytest.raises(error, match=pattern):
        as_waveform(bad)


def test_as_waveform_names_the_parameter():
    with pytest.raises(ValueError, match="^source is empty"):
        as_waveform([], name="source")


def test_huge_finite_values_pass_the_fast_finite_check():
    # the sum overflows to inf, but every sample is finite: the full check must say so
    big = torch.full((10,), 3e38)
    assert torch.equal(as_waveform(big)[0], big)


@pytest.mark.parametrize("value, error, pattern", [
    (0, ValueError, "sample_rate must be > 0 .*got 0"),
    (-1, ValueError, "got -1"),
    (44100.5, ValueError, "whole number .*44100.5"),
    (float("inf"), ValueError, "got inf"),
    ("16000", TypeError, "got '16000'"),
    (True, TypeError, "got True"),
    (None, TypeError, "got None"),
])
def test_check_sample_rate(value, error, pattern):
    with pytest.raises(error, match=pattern):
        check_sample_rate(value)


def test_check_sample_rate_accepts_whole_floats_and_numpy_ints():
    assert check_sample_rate(22050.0) == 22050
    assert check_sample_rate(np.int64(8000)) == 8000


def test_check_stft_params_resolves_torchaudio_defaults():
    assert check_stft_params(400, None, None) == (400, 400, 200)
    assert check_stft_params(512, 256, None) == (512, 256, 128)
    assert check_stft_params(1, None, None) == (1, 1, 1)


@pytest.mark.parametrize("args, error, pattern", [
    ((400, 500, None), ValueError, r"win_length must be <= n_fft \(400\), got 500"),
    ((400, None, 401), ValueError, r"hop_length must be <= n_fft \(400\), got 401"),
    ((0, None, None), ValueError, "n_fft must be a positive integer, got 0"),
    ((400.0, None, None), TypeError, "n_fft must be a positive integer, got 400.0"),
    ((400, None, -2), ValueError, "hop_length must be a positive integer, got -2"),
])
def test_check_stft_params_refuses(args, error, pattern):
    with pytest.raises(error, match=pattern):
        check_stft_params(*args)


def test_check_freq_range():
    assert check_freq_range(None, None, 16000) == (0.0, 8000.0)
    assert check_freq_range(20, 4000, 16000) == (20.0, 4000.0)
    with pytest.raises(ValueError, match=r"f_max must be <= the Nyquist frequency sample_rate / 2 = 8000 Hz, got 9000"):
        check_freq_range(0, 9000, 16000)
    with pytest.raises(ValueError, match="f_min must be < f_max, got f_min=100 Hz and f_max=100 Hz"):
        check_freq_range(100, 100, 16000)
    with pytest.raises(ValueError, match="f_min must be >= 0 Hz"):
        check_freq_range(-5, None, 16000)
    with pytest.raises(TypeError, match="f_max must be a finite frequency in Hz, got nan"):
        check_freq_range(0, float("nan"), 16000)


def test_check_choice_and_positive_int():
    assert check_choice("htk", ("htk", "slaney"), name="mel_scale") == "htk"
    with pytest.raises(ValueError, match="mel_scale must be one of 'htk', 'slaney'; got 'bark'"):
        check_choice("bark", ("htk", "slaney"), name="mel_scale")
    assert check_positive_int(np.int32(3), name="n_mels") == 3
    with pytest.raises(TypeError, match="n_mels must be a positive integer, got True"):
        check_positive_int(True, name="n_mels")


def test_check_axes():
    fig, ax = plt.subplots()
    assert check_axes(ax) is ax
    assert check_axes(None) is plt.gca()
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got ndarray"):
        check_axes(np.array([ax]))
