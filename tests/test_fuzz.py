"""Property-based tests (hypothesis): any exception that leaves a public plot, feature or io
function because of a bad argument is a ValueError or TypeError whose message names that
argument. Each example takes a call that works and replaces one argument by an odd value."""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import audioviz

SR = 8000
WAVE = torch.sin(torch.arange(1600) / 3.0) * 0.5

odd_values = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6), st.complex_numbers(max_magnitude=10),
    st.lists(st.integers(-3, 3), max_size=3), st.just(np.zeros((2, 2))), st.just(object()),
    st.sampled_from([0, 1, 2, 3, 7, 64, 400, 4001, -1, 0.5, 1e300, "hann", "log", "htk", "slaney"]),
)

# function -> (call that works, the arguments that audioviz checks itself). Pass-through
# arguments (colours, colormaps, matplotlib keywords) are matplotlib's to judge and left out.
FEATURE_ARGS = dict(n_fft=256, win_length=None, hop_length=None)
MEL_ARGS = dict(FEATURE_ARGS, n_mels=16, f_min=0.0, f_max=None, mel_scale="htk")
CASES = {
    "spectrogram": (audioviz.spectrogram, dict(FEATURE_ARGS, window="hann", power=2.0)),
    "mel_spectrogram": (audioviz.mel_spectrogram, dict(MEL_ARGS, norm=None, power=2.0)),
    "mfcc": (audioviz.mfcc, dict(MEL_ARGS, n_mfcc=8)),
    "plot_waveform": (audioviz.plot_waveform, dict(max_columns=None)),
    "plot_spectrogram": (audioviz.plot_spectrogram, dict(FEATURE_ARGS, y_axis="linear", top_db=80.0,
                                                         max_columns=None, power=2.0)),
    "plot_mel_spectrogram": (audioviz.plot_mel_spectrogram, dict(MEL_ARGS, top_db=80.0, max_columns=None)),
    "plot_mfcc": (audioviz.plot_mfcc, dict(MEL_ARGS, n_mfcc=8, max_columns=None)),
    "plot_stft_anatomy": (audioviz.plot_stft_anatomy, dict(FEATURE_ARGS, time=None)),
}
POSITIONAL = ("waveform", "sample_rate")


def _names_the_argument(exc: BaseException, name: str) -> bool:
    return name in str(exc)


def _call(function, name, value, base):
    args = {"waveform": WAVE, "sample_rate": SR}
    kwargs = dict(base)
    if name in args:
        args[name] = value
    else:
        kwargs[name] = value
    try:
        with warnings.catch_warnings():
            # an axis of zero width (n_fft=1 in plot_stft_anatomy did it) is a figure drawn wrong
            warnings.filterwarnings("error", message="Attempting to set identical low and high")
            result = function(args["waveform"], args["sample_rate"], **kwargs)
    except (ValueError, TypeError) as exc:
        assert _names_the_argument(exc, name), f"{function.__name__}({name}={value!r}) raised {exc!r}"
        return
    except Exception as exc:  # anything else is a failure of the promise
        pytest.fail(f"{function.__name__}({name}={value!r}) raised {type(exc).__name__}: {exc}")
    finally:
        plt.close("all")
    return result


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_odd_argument_is_a_clear_error_or_works(case, data):
    function, base = CASES[case]
    name = data.draw(st.sampled_from(POSITIONAL + tuple(base)), label="argument")
    value = data.draw(odd_values, label="value")
    _call(function, name, value, base)


@settings(max_examples=60, deadline=None)
@given(value=odd_values)
def test_amplitude_to_db_top_db(value):
    spec = audioviz.spectrogram(WAVE, SR, n_fft=64)
    try:
        db = audioviz.amplitude_to_db(spec, top_db=value)
    except (ValueError, TypeError) as exc:
        assert "top_db" in str(exc)
    else:
        assert torch.isfinite(db.data).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=odd_values, which=st.sampled_from(["sample_rate", "mono"]))
def test_load_audio_arguments(tmp_path_factory, value, which):
    path = tmp_path_factory.mktemp("fuzz") / "clip.wav"
    audioviz.save_audio(path, WAVE, SR)
    try:
        wave, rate = audioviz.load_audio(path, **{which: value})
    except (ValueError, TypeError) as exc:
        assert which in str(exc), repr(exc)
    else:
        assert wave.dim() == 2 and rate > 0


@settings(max_examples=40, deadline=None)
@given(samples=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=300),
       channels=st.integers(1, 3))
def test_any_signal_is_drawn_or_refused_by_name(samples, channels):
    wave = np.tile(np.asarray(samples, dtype=np.float32), (channels, 1))
    try:
        audioviz.plot_waveform(wave, SR)
    except ValueError as exc:
        assert "waveform" in str(exc)
        finite = np.isfinite(wave).all() and np.abs(wave).max() <= 1e12
        assert not finite, f"finite signal refused: {exc}"
    finally:
        plt.close("all")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.tuples(st.integers(1, 20000), st.integers(1, 8)))
def test_time_by_channel_arrays_get_the_transpose_hint(tmp_path_factory, shape):
    n_time, n_channels = shape
    array = np.zeros((n_time, n_channels), dtype=np.float32)
    try:
        audioviz.save_audio(tmp_path_factory.mktemp("fuzz") / "out.wav", array, SR)
    except ValueError as exc:
        assert "waveform" in str(exc)
        if n_time > 64 and n_channels < n_time:
            assert "pass waveform.T" in str(exc)
    else:
        assert n_time <= 64  # read as up to 64 channels: a legal (channel, time) array
