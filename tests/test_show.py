"""Tests for audioviz.show of a file: drawn in numpy, without torch, the same pictures as the
torch plot helpers draw of the same samples (audioviz/_show.py, audioviz/_stream.py,
audioviz/_spectra.py)."""
from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import soundfile
import torch
import torchaudio

import audioviz
import audioviz._resample as resample
import audioviz._spectra as spectra
import audioviz._stream as stream
from audioviz.cli import main

SR = 16000


def speechlike(seconds: float, rate: int = SR, seed: int = 0) -> np.ndarray:
    """Noise under a loudness that changes every quarter second, with a near-silent stretch."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    loudness = np.repeat(rng.uniform(0.0, 0.15, n // (rate // 4) + 1), rate // 4)[:n]  # peaks below 1
    loudness[n // 3: n // 3 + rate // 2] = 1e-4
    return (loudness * rng.standard_normal(n)).astype(np.float32)


def write(path, signal, rate=SR, subtype="FLOAT"):
    soundfile.write(path, np.asarray(signal).T, rate, subtype=subtype)
    return path


def tick_labels(ax):
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.get_yticklabels()]


def assert_same_pictures(ours, theirs, *, rtol=1e-4, atol=2e-3):
    """The three images, their axes, colour scales and colorbars agree, and so does the waveform."""
    for index in (1, 2, 3):
        ax, ref = ours.axes[index], theirs.axes[index]
        image, expected = ax.images[0], ref.images[0]
        np.testing.assert_allclose(image.get_array(), expected.get_array(), rtol=rtol, atol=atol)
        assert image.get_extent() == pytest.approx(expected.get_extent(), rel=1e-9)
        assert image.get_clim() == pytest.approx(expected.get_clim(), rel=1e-4, abs=1e-3)
        assert image.get_cmap().name == expected.get_cmap().name
        assert ax.get_ylim() == pytest.approx(ref.get_ylim()) and ax.get_ylabel() == ref.get_ylabel()
        assert tick_labels(ax) == tick_labels(ref)
        assert image.colorbar.ax.get_ylabel() == expected.colorbar.ax.get_ylabel()
        assert image.colorbar.extend == expected.colorbar.extend
        assert len(ax.lines) == len(ref.lines)  # the empty-filter markers
    assert ours.axes[0].get_ylim() == pytest.approx(theirs.axes[0].get_ylim(), rel=1e-5)
    assert ours.axes[3].get_xlim() == pytest.approx(theirs.axes[3].get_xlim())
    assert [ax.get_ylabel() for ax in ours.axes[:4]] == [ax.get_ylabel() for ax in theirs.axes[:4]]


def in_memory(path, **settings):
    """show() of the file's samples, loaded whole, through the torch plot helpers."""
    wave, rate = audioviz.load_audio(path, mono=True, sample_rate=settings.pop("sample_rate", None))
    return audioviz.show(wave, rate, **settings)


# ----------------------------------------------------------------------------------------------
# the same pictures as the torch path
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("subtype, channels", [("FLOAT", 2), ("PCM_16", 2), ("PCM_24", 2), ("PCM_16", 1)])
def test_a_short_file_draws_what_the_torch_helpers_draw(tmp_path, subtype, channels):
    signal = speechlike(3.0)
    stereo = np.stack([signal, -0.5 * signal])  # mixed to mono
    path = write(tmp_path / "short.wav", stereo if channels == 2 else signal, subtype=subtype)
    ours = audioviz.show(path)
    assert_same_pictures(ours, in_memory(path))
    # the samples were kept: zooming in shows them as a line, as plot_waveform does
    ours.axes[0].set_xlim(1.0, 1.01)
    assert len(ours.axes[0].lines[0].get_xdata()) > 100
    assert ours.get_suptitle() == "short.wav: 3.00 s at 16000 Hz"


@pytest.mark.parametrize("settings", [dict(), dict(n_fft=512, hop_length=128, n_mels=40, n_mfcc=13),
                                      dict(n_fft=256, n_mels=96, mel_scale="slaney")])
def test_a_long_file_read_in_odd_blocks_is_pooled_like_the_torch_path(tmp_path, monkeypatch, settings):
    path = write(tmp_path / "long.wav", speechlike(40.0, seed=1))
    # blocks that split frames, frame groups and envelope bins; the envelope instead of the samples
    monkeypatch.setattr(stream, "BLOCK_SAMPLES", 7001)
    monkeypatch.setattr(stream, "STREAM_MIN_SAMPLES", 1000)
    with warnings.catch_warnings(record=True) as ours_warnings:
        warnings.simplefilter("always")
        ours = audioviz.show(path, **settings)
    with warnings.catch_warnings(record=True) as their_warnings:
        warnings.simplefilter("always")
        theirs = in_memory(path, **settings)
    # the same warnings (empty filters), once per figure on both paths
    assert [str(w.message) for w in ours_warnings] == [str(w.message) for w in their_warnings]
    assert ours.axes[2].images[0].get_array().shape[1] < 40 * SR // (settings.get("hop_length") or 200)  # pooled
    assert_same_pictures(ours, theirs)
    # the fixed envelope holds the bins the in-memory waveform draws
    (envelope,) = ours.axes[0].collections
    (reference,) = [c for c in theirs.axes[0].collections if getattr(c, "bins", None) is not None]
    for got, expected in zip(envelope.bins, reference.bins):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def count_readings(monkeypatch):
    """The readings of the file by show (each a list of the samples it yielded, per block)."""
    readings = []
    real = stream._mono_blocks

    def counted(*args, **kwargs):
        readings.append([])
        for block in real(*args, **kwargs):
            readings[-1].append(block.size)
            yield block

    monkeypatch.setattr(stream, "_mono_blocks", counted)
    return readings


# (one worker: the jobs end in file order, so the floor known to each is the same every run)
@pytest.mark.parametrize("kept, per_job, workers, n_readings", [(1 << 20, 1 << 20, 1, 1), (1 << 20, 1 << 20, 2, 1),
                                                             (0, 1 << 20, 1, 2), (1 << 20, 16, 1, 2)])
def test_one_reading_gives_the_mfcc_with_the_files_floor(tmp_path, monkeypatch, kept, per_job, workers, n_readings):
    # the loudest stretch comes last (3.5 dB louder), so the MFCC's floor rises after most columns
    # were computed, and a fade-out through the floor has values between the two floors: those
    # kept one by one settle its columns (kept=0: none kept, or 16 a job: too few; they are read again)
    signal = speechlike(30.0, seed=4)
    fade = np.logspace(-3.0, -6.0, 3 * SR, dtype=np.float32)  # -60 to -120 dB
    signal[SR:4 * SR] = fade * np.random.default_rng(1).standard_normal(3 * SR)
    signal[-2 * SR:] = np.clip(1.5 * signal[-2 * SR:], -1.0, 1.0)
    path = write(tmp_path / "long.wav", signal)
    monkeypatch.setattr(stream, "BLOCK_SAMPLES", 9999)
    monkeypatch.setattr(spectra, "_MFCC_KEPT", kept)
    monkeypatch.setattr(spectra, "_MFCC_KEPT_PER_JOB", per_job)
    monkeypatch.setattr(stream, "_MAX_WORKERS", workers)
    readings = count_readings(monkeypatch)
    ours = audioviz.show(path)
    assert len(readings) == n_readings and sum(readings[0]) == signal.size
    assert_same_pictures(ours, in_memory(path))


@pytest.mark.parametrize("kept, workers", [(1 << 20, 1), (0, 1), (1 << 20, 2)])
def test_a_fade_in_is_read_again_only_up_to_its_last_unsettled_column(tmp_path, monkeypatch, kept, workers):
    # quiet for 20 s, then 60 dB louder: the quiet part's values lie between the floor known while
    # it was read and the file's floor, further apart than the margin; kept=0: none kept one by one
    rng = np.random.default_rng(5)
    signal = (rng.standard_normal(40 * SR) * np.repeat([1e-4, 0.1], 20 * SR)).astype(np.float32)
    signal[: 10 * SR] *= np.linspace(1e-4, 1.0, 10 * SR, dtype=np.float32)  # a fade-in of the quiet part
    path = write(tmp_path / "fade.wav", signal)
    monkeypatch.setattr(stream, "BLOCK_SAMPLES", 9999)
    monkeypatch.setattr(stream, "_CHUNK_FRAMES", 256)  # jobs of 3 s: the quiet half's floor is its own
    monkeypatch.setattr(spectra, "_MFCC_KEPT", kept)
    monkeypatch.setattr(stream, "_MAX_WORKERS", workers)
    readings = count_readings(monkeypatch)
    ours = audioviz.show(path)
    assert sum(readings[0]) == signal.size
    if workers == 1:  # (two: the loud half's job may end first, and then the quiet half is settled)
        assert len(readings) == 2
        assert sum(readings[1]) < 0.75 * signal.size  # the loud half is settled: not read again
    assert_same_pictures(ours, in_memory(path))


@pytest.mark.parametrize("per_job", [0, 5, 4096])
def test_mfcc_columns_are_the_means_of_the_floored_db_however_the_floor_rose(monkeypatch, per_job):
    monkeypatch.setattr(spectra, "_MFCC_KEPT_PER_JOB", per_job)
    rng = np.random.default_rng(6)
    group, n_mels, n_frames = 7, 5, 200
    db = rng.normal(-60.0, 15.0, size=(n_frames, n_mels)).astype(np.float32)
    db[:3 * group] += 60.0  # a first job with nothing near the floor it knows
    maxima = np.sort(rng.uniform(1e-3, 1.0, size=n_frames))  # the loudest energy so far rises
    floor = spectra.mfcc_floor(maxima[-1])
    expected = np.stack([np.maximum(db[i:i + group], floor).mean(axis=0, dtype=np.float64)
                         for i in range(0, n_frames, group)])  # the last group is short
    columns = spectra.MfccColumns(math.ceil(n_frames / group), n_mels, n_frames, group)
    for first in range(0, n_frames, 3 * group):  # jobs of three groups, in any order
        columns.feed(first // group, db[first:first + 3 * group].copy(), float(maxima[first]))
    unsettled = columns.finish(floor)
    settled = np.setdiff1d(np.arange(expected.shape[0]), unsettled)
    assert 0 < unsettled.size < expected.shape[0]  # both kinds occur here
    np.testing.assert_allclose(columns.means[settled], expected[settled], rtol=1e-6)
    for first in range(0, n_frames, 3 * group):
        columns.recompute(first // group, db[first:first + 3 * group].copy())
    np.testing.assert_allclose(columns.means, expected, rtol=1e-6)


def test_empty_mel_filters_warn_and_are_marked_as_on_the_torch_path(tmp_path):
    path = write(tmp_path / "tone.wav", speechlike(2.0))
    with pytest.warns(UserWarning, match="of n_mels=128 mel filters are empty") as record:
        ours = audioviz.show(path, n_mels=128)
    assert len(record) == 1
    with pytest.warns(UserWarning, match="of n_mels=128 mel filters are empty") as their_record:
        theirs = in_memory(path, n_mels=128)
    # once for the figure, though its mel and MFCC panels each build the filterbank
    assert [str(w.message) for w in their_record] == [str(w.message) for w in record]
    (markers,) = ours.axes[2].lines
    assert markers.get_ydata() == pytest.approx(theirs.axes[2].lines[0].get_ydata())
    assert_same_pictures(ours, theirs)
    # the MFCC panel's silence ends with the figure: plot_mfcc alone still says it
    with pytest.warns(UserWarning, match="of n_mels=128 mel filters are empty"):
        audioviz.plot_mfcc(torch.from_numpy(speechlike(1.0)), SR, n_mels=128, ax=plt.figure().add_subplot())


# The settings where show of a file (then a float32 numpy copy of the filterbank) and of its
# samples (then torchaudio's) disagreed about one empty filter: the last, whose upper edge is the
# Nyquist bin, so its one weight is zero or a rounding (e.g. "193" against "194" of 256).
EMPTY_FILTERS_DISAGREED = [(8000, 64, 200, "slaney"), (8000, 64, 256, "slaney"), (8000, 64, 512, "slaney"),
                           (8000, 128, 512, "slaney"), (44100, 64, 256, "htk"), (44100, 64, 512, "htk"),
                           (44100, 128, 512, "htk"), (48000, 64, 512, "slaney")]


def empty_filter_warnings(call):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        figure = call()
    return figure, [str(w.message) for w in record if "mel filters are empty" in str(w.message)]


@pytest.mark.parametrize("rate, n_fft, n_mels, mel_scale", EMPTY_FILTERS_DISAGREED)
def test_a_file_and_its_samples_report_and_mark_the_same_empty_filters(tmp_path, rate, n_fft, n_mels, mel_scale):
    path = write(tmp_path / "noise.wav", speechlike(0.5, rate=rate), rate=rate)
    settings = dict(n_fft=n_fft, n_mels=n_mels, mel_scale=mel_scale)
    ours, ours_said = empty_filter_warnings(lambda: audioviz.show(path, **settings))
    theirs, their_said = empty_filter_warnings(lambda: in_memory(path, **settings))
    assert len(ours_said) == 1 and their_said == ours_said
    n_empty = int(audioviz.mel_filterbank(rate, **settings, warn_empty=False).empty.sum())
    assert ours_said[0].startswith(f"{n_empty} of n_mels={n_mels} mel filters are empty")
    markers, their_markers = (figure.axes[2].lines[0].get_ydata() for figure in (ours, theirs))
    assert len(markers) == n_empty
    np.testing.assert_allclose(markers, their_markers, rtol=1e-12)


@pytest.mark.parametrize("mel_scale, norm", [("htk", None), ("slaney", None), ("slaney", "slaney"), ("htk", "slaney")])
def test_both_paths_multiply_the_same_mel_filters(mel_scale, norm):
    for rate in (8000, 8001, 16000, 22050, 44100, 48000):
        bands = [(0.0, rate / 2), (50.0, rate / 2 - 500), (rate / 2 - 10, rate / 2)]
        for n_fft, n_mels, (f_min, f_max) in itertools.product((64, 400, 2048), (16, 64, 256), bands):
            bank = audioviz.mel_filterbank(rate, n_fft=n_fft, n_mels=n_mels, f_min=f_min, f_max=f_max, norm=norm,
                                           mel_scale=mel_scale, warn_empty=False)
            weights = stream.mel_weights(rate, n_fft, n_mels, f_min, f_max, mel_scale, norm)  # the file path's
            assert np.array_equal(bank.weights.numpy(), weights), (rate, n_fft, n_mels, f_min, f_max)
            assert np.array_equal(bank.empty.numpy(), weights.max(axis=0) <= 0)  # as _stream finds them


def test_the_in_memory_mfcc_is_the_file_paths_dct_of_the_mel_db():
    wave = torch.from_numpy(speechlike(1.0))
    coeffs = audioviz.mfcc(wave, SR, n_mfcc=20, n_mels=64)
    db = torchaudio.functional.amplitude_to_DB(audioviz.mel_spectrogram(wave, SR, n_mels=64).data, 10.0, 1e-10, 0.0,
                                               80.0)
    dct = torch.from_numpy(stream.dct_matrix(20, 64))  # what the file path projects its mel dB on
    assert torch.equal(coeffs.data, torch.matmul(db.transpose(-1, -2), dct).transpose(-1, -2))


def test_a_resampled_file_is_resampled_block_by_block_like_torchaudio(tmp_path, monkeypatch):
    path = write(tmp_path / "cd.wav", speechlike(6.0, rate=44100, seed=2), rate=44100)
    monkeypatch.setattr(stream, "BLOCK_SAMPLES", 5003)
    ours = audioviz.show(path, sample_rate=SR)
    theirs = in_memory(path, sample_rate=SR)
    assert ours.get_suptitle() == "cd.wav: 6.00 s at 16000 Hz"
    assert_same_pictures(ours, theirs)


@pytest.mark.parametrize("orig, new", [(44100, 16000), (16000, 8000), (8000, 22050), (48000, 16000), (8000, 96000)])
def test_the_block_resampler_equals_torchaudio_resample(orig, new):
    signal = speechlike(1.3, rate=orig, seed=3)
    resampler = resample.Resampler(orig, new, signal.size, block_samples=5000)
    pieces = [signal[i:i + 1234] for i in range(0, signal.size, 1234)]  # blocks of any length
    outputs = [out for piece in pieces for out in resampler.feed(piece)] + list(resampler.finish())
    assert max(out.size for out in outputs) <= 5000 + new  # bounded output, even upsampling 12x
    ours = np.concatenate(outputs)
    theirs = torchaudio.functional.resample(torch.from_numpy(signal), orig, new).numpy()
    assert ours.shape == theirs.shape == (resample.resampled_length(signal.size, orig, new),)
    np.testing.assert_allclose(ours, theirs, atol=2e-6)


def feed_in_pieces(resampler, signal, piece=1234):
    pieces = [signal[i:i + piece] for i in range(0, signal.size, piece)]  # blocks of any length
    return [out for p in pieces for out in resampler.feed(p)] + list(resampler.finish())


@pytest.mark.parametrize("orig, new", [(8001, 16000), (16000, 8001), (8000, 96001), (44101, 16000)])
def test_the_block_resampler_of_a_ratio_that_does_not_reduce_is_bounded_and_equals_resample_direct(orig, new):
    """8001 -> 16000 Hz does not reduce: a polyphase table of 16000 phases x 8015 taps (128 M
    weights, 2.8 GB of peak memory for show of a one-minute file). The streaming resampler takes
    the per-output weights of resample_direct instead, and stays block by block."""
    import tracemalloc

    signal = speechlike(0.7, rate=orig, seed=4)
    tracemalloc.start()
    try:
        resampler = resample.Resampler(orig, new, signal.size, block_samples=5000)
        outputs = feed_in_pieces(resampler, signal)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert resample._table_size(orig, new) > resample.MAX_TABLE  # the case in question
    assert peak < 64 << 20, f"{peak / 2**20:.0f} MB allocated"  # the old table alone: 512 MB and more
    assert max(out.size for out in outputs) <= 5000 + new // math.gcd(orig, new)
    ours = np.concatenate(outputs)
    expected = resample.resample_direct(signal, orig, new)
    assert ours.shape == expected.shape == (resample.resampled_length(signal.size, orig, new),)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)


def test_the_per_output_block_resampler_equals_torchaudio(monkeypatch):
    """The same per-output path, taken for a ratio torchaudio can table here (the limit lowered)."""
    monkeypatch.setattr(resample, "MAX_TABLE", 1000)
    signal = speechlike(1.1, rate=44100, seed=5)
    resampler = resample.Resampler(44100, 16000, signal.size, block_samples=3001)
    assert not hasattr(resampler, "kernel_t") or resampler.kernel_t.size <= 1000
    ours = np.concatenate(feed_in_pieces(resampler, signal, piece=777))
    theirs = torchaudio.functional.resample(torch.from_numpy(signal), 44100, 16000).numpy()
    np.testing.assert_allclose(ours, theirs, atol=2e-6)


def test_a_file_at_a_rate_that_does_not_reduce_is_shown_like_load_audio_resamples_it(tmp_path, monkeypatch):
    path = write(tmp_path / "odd.wav", speechlike(3.0, rate=8001, seed=6), rate=8001)
    monkeypatch.setattr(stream, "BLOCK_SAMPLES", 4099)
    ours = audioviz.show(path, sample_rate=SR)
    assert_same_pictures(ours, in_memory(path, sample_rate=SR))


def test_the_values_kept_for_the_mfcc_floor_are_those_nearest_it(monkeypatch):
    # each job holds values spread over the 6 dB above the floor it knows, three of them under the
    # final floor (0.01 dB higher): kept, those three settle every column
    monkeypatch.setattr(spectra, "_MFCC_KEPT_PER_JOB", 8)
    group, n_mels, n_frames = 4, 8, 64
    known = spectra.mfcc_floor(1.0)
    final = spectra.mfcc_floor(10 ** 0.001)  # 0.01 dB louder, found at the very end
    columns = spectra.MfccColumns(n_frames // group, n_mels, n_frames, group)
    rng = np.random.default_rng(8)
    for first in range(0, n_frames, 2 * group):
        db = known + np.linspace(0.0001, 5.9, 2 * group * n_mels, dtype=np.float32)
        db[[0, 1, 2]] = known + np.float32(0.004)  # under the final floor
        columns.feed(first // group, rng.permutation(db).reshape(2 * group, n_mels), 1.0)
    assert columns.finish(final).size == 0


@pytest.mark.parametrize("n_fft, n_mels, f_min, mel_scale", [(400, 64, 0.0, "htk"), (400, 256, 0.0, "htk"),
                                                            (512, 40, 300.0, "slaney"), (400, 16, 7990.0, "htk")])
def test_the_banded_mel_projection_is_the_full_product(n_fft, n_mels, f_min, mel_scale):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = spectra.mel_weights(SR, n_fft, n_mels, f_min, SR / 2, mel_scale)
    power = np.random.default_rng(7).exponential(size=(300, n_fft // 2 + 1)).astype(np.float32)
    ours = spectra.MelProjection(weights)(power, np.full((300, n_mels), np.nan, dtype=np.float32))
    np.testing.assert_allclose(ours, power @ weights, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------------------------
# no torch
# ----------------------------------------------------------------------------------------------
_NO_TORCH = r"""
import sys, json
import matplotlib
matplotlib.use("Agg")
{call}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchaudio", "audioviz")
                        or m == "matplotlib.pyplot")))
"""


@pytest.mark.parametrize("call", [
    "from audioviz.cli import main; assert main(['show', {wav!r}, '--out', {png!r}]) == 0",
    "import audioviz; audioviz.show({wav!r}).savefig({png!r})",
    "from audioviz.cli import main; assert main(['show', {wav!r}, '--out', {png!r}, '--sample-rate', '8000']) == 0",
])
def test_show_of_a_file_never_imports_torch(tmp_path, call):
    wav, png = str(write(tmp_path / "a.wav", speechlike(2.0))), str(tmp_path / "a.png")
    code = _NO_TORCH.format(call=call.format(wav=wav, png=png))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    assert "audioviz._stream" in modules
    assert not [m for m in modules if m.split(".")[0] in ("torch", "torchaudio")]
    if "main(" in call:  # the command draws on a bare Agg canvas (importing pyplot costs a fifth of it)
        assert "matplotlib.pyplot" not in modules
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("settings, error, message", [
    (dict(n_fft=0), ValueError, "n_fft must be a positive integer, got 0"),
    (dict(n_fft=400, hop_length=401), ValueError, r"hop_length must be <= n_fft \(400\), got 401"),
    (dict(n_mels=0), ValueError, "n_mels must be a positive integer, got 0"),
    (dict(mel_scale="bark"), ValueError, "mel_scale must be one of 'htk', 'slaney'; got 'bark'"),
    (dict(sample_rate=0), ValueError, "sample_rate must be > 0"),
    (dict(sample_rate="fast"), TypeError, "sample_rate must be a positive number"),
    (dict(n_fft=1 << 17), ValueError, "has 16000 samples, too few for n_fft=131072"),
])
def test_bad_settings_name_the_parameter_and_leave_no_figure(tmp_path, settings, error, message):
    path = write(tmp_path / "a.wav", speechlike(1.0))
    with pytest.raises(error, match=message):
        audioviz.show(path, **settings)
    assert plt.get_fignums() == []


def test_bad_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="audio file not found"):
        audioviz.show(tmp_path / "missing.wav")
    with pytest.raises(IsADirectoryError, match="expected an audio file, got the folder"):
        audioviz.show(tmp_path)
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(ValueError, match="cannot decode audio file .*text.wav"):
        audioviz.show(tmp_path / "text.wav")
    with pytest.raises(ValueError, match="empty.wav holds no samples"):
        audioviz.show(write(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32)))
    signal = speechlike(1.0)
    signal[5000] = np.inf
    with pytest.raises(ValueError, match="inf.wav holds NaN or Inf samples"):
        audioviz.show(write(tmp_path / "inf.wav", signal))
    assert plt.get_fignums() == []  # no figure left by the failures
    loud = np.zeros(SR, dtype=np.float32)
    loud[7] = 2.0
    with pytest.warns(UserWarning, match="loud.wav holds samples up to 2 in magnitude"):
        audioviz.show(write(tmp_path / "loud.wav", np.stack([loud, -loud])))  # every channel is checked, not the mix


def test_a_full_scale_file_resampled_gives_no_warning_about_its_overshoot(tmp_path):
    square = np.sign(np.sin(2 * np.pi * 440 * np.arange(2 * 44100) / 44100)).astype(np.float32)
    path = write(tmp_path / "square.wav", square, rate=44100)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the file's samples are within [-1, 1]; the resampled ones are not
        fig = audioviz.show(path, sample_rate=SR)
    assert fig.axes[0].get_ylim()[1] > 1.05  # the overshoot is drawn, as load_audio + plot_waveform draw it
    assert_same_pictures(fig, in_memory(path, sample_rate=SR))


def test_a_cut_short_wav_is_shown_with_a_warning(tmp_path):
    path = audioviz.save_audio(tmp_path / "cut.wav", torch.from_numpy(speechlike(2.0)), SR)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 8000])  # the data chunk still declares 2 s
    with pytest.warns(UserWarning, match="cut.wav is cut short: its data chunk declares 32000 samples"):
        fig = audioviz.show(path)
    assert fig.axes[3].get_xlim()[1] == pytest.approx(28000 / SR)


def test_cli_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "text.wav").write_text("not audio")
    assert main(["show", str(tmp_path / "text.wav"), "--out", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("audioviz: error: cannot decode audio file") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_cli_warnings_are_one_line_in_its_voice(tmp_path, capsys):
    loud = np.zeros(SR, dtype=np.float32)
    loud[7] = 2.0
    assert main(["show", str(write(tmp_path / "loud.wav", loud)), "--out", str(tmp_path / "x.png")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("audioviz: warning: audio file") and "holds samples up to 2" in err
    assert "UserWarning" not in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "x.png").exists()


@pytest.mark.parametrize("wrong_by", [5000, -5000])
def test_a_file_whose_length_differs_from_its_header_is_refused_by_name(tmp_path, monkeypatch, wrong_by):
    from types import SimpleNamespace

    path = write(tmp_path / "odd.wav", speechlike(2.0))
    real = soundfile.info

    def wrong_info(file):
        info = real(file)
        return SimpleNamespace(frames=info.frames + wrong_by, samplerate=info.samplerate, channels=info.channels)

    monkeypatch.setattr(soundfile, "info", wrong_info)
    with pytest.raises(ValueError, match="odd.wav holds .* header"):
        audioviz.show(path)
    assert plt.get_fignums() == []
