"""Tests for audioviz.io: reading WAV/FLAC/OGG through soundfile, resampling, atomic writes."""
from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import soundfile
import torch

import audioviz
import audioviz.model
from audioviz.io import to_wav_bytes

SR = 16000


@pytest.mark.parametrize("suffix, atol", [(".wav", 1e-4), (".flac", 1e-4), (".ogg", 0.05)])
def test_round_trip_through_each_format(tmp_path, tone, suffix, atol):
    path = audioviz.save_audio(tmp_path / f"tone{suffix}", tone, SR)
    wave, rate = audioviz.load_audio(path)
    assert rate == SR and wave.dtype == torch.float32 and wave.shape[0] == 1
    n = min(wave.shape[-1], tone.shape[-1])
    assert abs(wave.shape[-1] - tone.shape[-1]) <= 2048  # ogg may pad a little
    assert float((wave[0, 1000:n - 1000] - tone[0, 1000:n - 1000]).abs().max()) < atol


def test_load_accepts_str_path_and_file_object(tmp_path, tone):
    path = audioviz.save_audio(tmp_path / "a.wav", tone, SR)
    from_str, _ = audioviz.load_audio(str(path))
    with open(path, "rb") as handle:
        from_file, rate = audioviz.load_audio(handle)
    assert rate == SR and torch.equal(from_str, from_file)


def test_int16_file_is_scaled_to_unit_range(tmp_path):
    pcm = np.array([0, 16384, -32768, 32767], dtype=np.int16)
    soundfile.write(tmp_path / "pcm.wav", pcm, 8000, subtype="PCM_16")
    wave, _ = audioviz.load_audio(tmp_path / "pcm.wav")
    np.testing.assert_allclose(wave[0].numpy(), pcm / 32768.0)


def test_resample_and_mono(tmp_path, tone):
    stereo = torch.cat([tone, 0.5 * tone])
    path = audioviz.save_audio(tmp_path / "stereo.wav", stereo, SR)
    wave, rate = audioviz.load_audio(path, sample_rate=8000, mono=True)
    assert rate == 8000 and wave.shape == (1, 8000)
    spec = audioviz.spectrogram(wave, rate, n_fft=800)
    assert float(spec.rows[spec.data[0].mean(-1).argmax()]) == 440.0
    both, _ = audioviz.load_audio(path)
    assert both.shape == (2, SR)


def test_missing_directory_garbage_and_empty_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="audio file not found: .*nope.wav"):
        audioviz.load_audio(tmp_path / "nope.wav")
    with pytest.raises(IsADirectoryError, match="expected an audio file, got the folder"):
        audioviz.load_audio(tmp_path)
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(ValueError, match="cannot decode audio file .*garbage.wav"):
        audioviz.load_audio(garbage)
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros(0, dtype=np.float32), SR)
    with pytest.raises(ValueError, match="audio file .*empty.wav holds no samples"):
        audioviz.load_audio(empty)
    with pytest.raises(ValueError, match="sample_rate must be > 0"):
        audioviz.load_audio(garbage, sample_rate=0)


def test_save_is_atomic_and_checks_its_input(tmp_path, tone, monkeypatch):
    with pytest.raises(ValueError, match=r"path must end in .wav, .flac or .ogg, got 'x.mp3'"):
        audioviz.save_audio(tmp_path / "x.mp3", tone, SR)
    with pytest.raises(ValueError, match="waveform contains"):
        audioviz.save_audio(tmp_path / "x.wav", torch.full((10,), float("nan")), SR)

    def broken_write(*args, **kwargs):
        raise RuntimeError("disk full")

    target = tmp_path / "sub" / "clip.wav"
    monkeypatch.setattr(soundfile, "write", broken_write)
    with pytest.raises(RuntimeError, match="disk full"):
        audioviz.save_audio(target, tone, SR)
    assert not target.parent.exists()  # encoded before anything is made on disk

    target.parent.mkdir()
    monkeypatch.undo()
    monkeypatch.setattr(type(target), "write_bytes", lambda self, data: broken_write())
    with pytest.raises(RuntimeError, match="disk full"):
        audioviz.save_audio(target, tone, SR)
    assert list(target.parent.iterdir()) == []  # no half-written file, no temp file left


def test_wav_bytes_decode_back(tone):
    data = to_wav_bytes(tone, SR)
    assert data[:4] == b"RIFF"
    wave, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    assert rate == SR and np.abs(wave - tone[0].numpy()).max() < 1e-4


def test_saved_files_get_the_permissions_a_plain_open_would_give(tmp_path):
    # the atomic write goes through mkstemp (0600); the result must not stay private
    import os

    umask = os.umask(0o022)
    try:
        path = audioviz.save_audio(tmp_path / "a.wav", torch.zeros(1, 160), 16000)
    finally:
        os.umask(umask)
    assert (path.stat().st_mode & 0o777) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]  # no temporary file left behind


def _float_wav(path, samples, rate=16000):
    soundfile.write(path, np.asarray(samples, dtype=np.float32), rate, subtype="FLOAT")
    return path


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_float_wav_with_non_finite_samples_is_refused_by_name(tmp_path, bad):
    samples = np.zeros(1600)
    samples[[3, 700]] = bad
    path = _float_wav(tmp_path / "broken.wav", samples)
    with pytest.raises(ValueError, match=r"broken\.wav holds 2 NaN or Inf samples out of 1600"):
        audioviz.load_audio(path)


def test_float_samples_beyond_one_are_kept_with_a_warning(tmp_path):
    path = _float_wav(tmp_path / "loud.wav", np.r_[np.zeros(10), 3.0, -2.0])
    with pytest.warns(UserWarning, match=r"loud\.wav holds FLOAT samples up to 3 in magnitude, beyond \[-1, 1\]"):
        wave, _ = audioviz.load_audio(path)
    assert float(wave.max()) == 3.0 and float(wave.min()) == -2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # in range: no warning
        audioviz.load_audio(_float_wav(tmp_path / "quiet.wav", np.full(10, 0.5)))


def test_a_wav_cut_short_warns_and_returns_what_is_there(tmp_path):
    full = audioviz.save_audio(tmp_path / "full.wav", np.zeros(16000), 16000)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(full.read_bytes()[:44 + 2 * 478])
    with pytest.warns(UserWarning, match="cut.wav is cut short: its data chunk declares 16000 samples per channel "
                                         "but holds 478"):
        wave, _ = audioviz.load_audio(cut)
    assert wave.shape == (1, 478)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        audioviz.load_audio(full)


def test_save_audio_of_a_time_by_channel_array_says_transpose(tmp_path):
    with pytest.raises(ValueError, match=r"shape \(16000, 2\), which reads as 16000 channels .*pass waveform\.T"):
        audioviz.save_audio(tmp_path / "o.wav", np.zeros((16000, 2)), 16000)
    assert list(tmp_path.iterdir()) == []
    audioviz.save_audio(tmp_path / "o.wav", np.zeros((16000, 2)).T, 16000)
    assert soundfile.info(str(tmp_path / "o.wav")).channels == 2


def test_mono_must_be_a_flag(tmp_path):
    path = audioviz.save_audio(tmp_path / "o.wav", np.zeros(100), 16000)
    with pytest.raises(TypeError, match="mono must be True or False, got 'yes'"):
        audioviz.load_audio(path, mono="yes")


@pytest.mark.parametrize("rate", [4001, 8001, 44101, 96001])
def test_resampling_to_a_rate_of_no_common_factor_is_cheap_and_matches_torchaudio(tmp_path, rate):
    """8000 -> 96001 Hz made torchaudio build a 96001-phase table (13 GB, 40 s for 0.2 s of audio;
    the fuzz test's random rates got the test run killed for memory). Now each output is computed
    from its own 14 taps, with torchaudio's weights."""
    import torchaudio

    from audioviz._resample import _table_size, resample_direct

    wave = torch.sin(torch.arange(1600) / 3.0) * 0.5
    path = audioviz.save_audio(tmp_path / "clip.wav", wave, 8000)
    loaded, got_rate = audioviz.load_audio(path, sample_rate=rate)
    assert got_rate == rate and loaded.shape[-1] == -(-rate * 1600 // 8000)
    if _table_size(8000, rate) < 1 << 26:  # small enough (about 1 GB) to compare with torchaudio here
        file_wave, _ = audioviz.load_audio(path)
        expected = torchaudio.functional.resample(file_wave, 8000, rate)
        assert torch.allclose(loaded, expected, atol=2e-4)
    ramp = np.linspace(-1, 1, 3000, dtype=np.float32)
    assert np.allclose(resample_direct(ramp, 8000, 16000), torchaudio.functional.resample(
        torch.from_numpy(ramp), 8000, 16000).numpy(), atol=1e-5)


def test_upsampling_beyond_256_times_is_refused_by_name(tmp_path):
    path = audioviz.save_audio(tmp_path / "clip.wav", torch.zeros(800), 8000)
    with pytest.raises(ValueError, match="sample_rate=999999999 would upsample 8000 Hz audio"):
        audioviz.load_audio(path, sample_rate=999_999_999)
    with pytest.raises(ValueError, match="target_rate"):
        audioviz.model.prepare_clip(torch.zeros(800), 8000, target_rate=10_000_000)


@pytest.mark.parametrize("orig, new", [(8000, 8001), (44101, 16000)])
def test_the_per_phase_weights_are_the_per_output_ones(monkeypatch, orig, new):
    """resample_direct tables its weights per output phase when that table is small (16 taps a
    phase, not torchaudio's thousands); computed per output instead, the result is the same."""
    from audioviz import _resample

    signal = np.random.default_rng(7).uniform(-1, 1, 2 * orig // 10).astype(np.float32)
    tabled = _resample.resample_direct(signal, orig, new)
    assert _resample._DirectWeights(orig, new).table is not None
    monkeypatch.setattr(_resample, "MAX_TABLE", 0)
    assert _resample._DirectWeights(orig, new).table is None
    np.testing.assert_allclose(tabled, _resample.resample_direct(signal, orig, new), rtol=0, atol=1e-6)


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_a_failing_write_is_one_clear_error_and_leaves_nothing(tmp_path, suffix):
    """A write that the system refuses (here: over the file-size limit, as a full disk refuses)
    raises one OSError naming the file, prints nothing, and leaves no file behind. libsndfile
    writing through a Python file printed 'Exception ignored from cffi callback' tracebacks."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        f"""
        import resource, signal, sys
        import numpy as np
        import audioviz
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        noise = np.random.default_rng(0).uniform(-1, 1, 16000).astype(np.float32)
        try:
            audioviz.save_audio({str(tmp_path / ("clip" + suffix))!r}, noise, 16000)
        except OSError as exc:
            print(type(exc).__name__, exc.errno, exc.filename)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    import errno
    assert result.stdout.split() == ["OSError", str(errno.EFBIG), str(tmp_path / ("clip" + suffix))]
    assert list(tmp_path.iterdir()) == []


def test_files_written_as_one_result_replace_nothing_when_one_fails(tmp_path, monkeypatch, full_disk_for):
    """write_all_atomic: when the third of three files cannot be written, the first two keep
    their old contents (or stay absent) and no temporary file is left; when all succeed, all are
    replaced."""
    from audioviz._fileio import write_all_atomic

    (tmp_path / "a.bin").write_bytes(b"old a")
    targets = {tmp_path / "a.bin": b"new a", tmp_path / "b.bin": b"new b", tmp_path / "sub" / "c.bin": b"new c"}
    full_disk_for("c.bin")
    with pytest.raises(OSError, match="No space left") as caught:
        write_all_atomic(targets)
    assert caught.value.filename == str(tmp_path / "sub" / "c.bin")  # the file asked for, not the temporary one
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.bin"]  # nor the folder made for c
    assert (tmp_path / "a.bin").read_bytes() == b"old a"
    monkeypatch.undo()
    assert write_all_atomic(targets) == list(targets)
    assert {p: p.read_bytes() for p in targets} == targets
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.bin", "b.bin", "c.bin", "sub"]
    with pytest.raises(ValueError, match="same path twice"):
        write_all_atomic({tmp_path / "a.bin": b"1", str(tmp_path / "a.bin"): b"2"})
