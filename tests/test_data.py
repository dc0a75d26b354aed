"""audioviz.data: the synthetic Speech Commands generator and the loader (synthetic and real trees)."""
from __future__ import annotations

import hashlib
import json
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

from audioviz.data import (
    SpeechCommands,
    SynthesisConfig,
    default_data_root,
    ensure_synthetic_dataset,
    real_speech_commands_root,
    synthesize_speech_commands,
    synthesize_word,
)
from audioviz.data import _synth

WORDS = ("yes", "no")


# a small tree: 24 clips per keyword, three "neither" words of 4 clips each, 8 silence clips
SMALL = {"per_word": 24, "unknown_words": ("go", "nose", "sheila"), "unknown_per_word": 4, "silence": 8, "seed": 3}
CATEGORIES = ("yes", "no", "go", "nose", "sheila", "_silence_")


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory) -> Path:
    """A small synthetic tree, made once for the session."""
    return synthesize_speech_commands(tmp_path_factory.mktemp("synth") / "yes_no", **SMALL, processes=1,
                                      progress=False)


def _speaker(rel: str) -> str:
    return Path(rel).name.split("_nohash_")[0]


# ----------------------------------------------------------------------------------------------
# layout


def test_layout_is_speech_commands_v002(synthetic_root):
    root = synthetic_root
    assert sorted(p.name for p in root.iterdir()) == sorted([
        "README.md", "_background_noise_", "manifest.json", "testing_list.txt", "validation_list.txt", *CATEGORIES])
    for word, count in {"yes": 24, "no": 24, "go": 4, "nose": 4, "sheila": 4, "_silence_": 8}.items():
        files = sorted((root / word).iterdir())
        assert len(files) == count
        for path in files:
            speaker, n = path.stem.split("_nohash_")
            assert len(speaker) == 8 and int(speaker, 16) >= 0 and n.isdigit()
    with wave.open(str(files[0])) as clip:
        assert (clip.getnchannels(), clip.getsampwidth(), clip.getframerate(), clip.getnframes()) == (1, 2, 16000, 16000)
    for name in ("white_noise.wav", "pink_noise.wav", "brown_noise.wav", "mains_hum.wav", "room_tone.wav", "fan.wav"):
        info = soundfile.info(str(root / "_background_noise_" / name))
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")


def test_clips_are_real_one_second_16bit_speech(synthetic_root):
    path = next((synthetic_root / "yes").iterdir())
    data, rate = soundfile.read(str(path), dtype="int16")
    assert rate == 16000 and data.shape == (16000,)
    peak = np.abs(data).max()
    # a recording level, not silence and not full-scale noise
    assert 32768 * 10 ** (-30 / 20) < peak <= 32767
    assert np.std(data) > 10


def test_manifest_lists_every_file_with_its_checksum(synthetic_root):
    manifest = json.loads((synthetic_root / "manifest.json").read_text())
    params = manifest["parameters"]
    assert params["words"] == list(WORDS) and params["per_word"] == 24 and params["seed"] == 3
    assert params["unknown"] == {"go": 4, "nose": 4, "sheila": 4} and params["silence"] == 8
    assert params["config"] == SynthesisConfig().to_dict()
    assert manifest["categories"] == {"keywords": ["yes", "no"], "unknown": ["go", "nose", "sheila"],
                                      "silence": "_silence_"}
    assert manifest["audioviz_version"]
    on_disk = {p.relative_to(synthetic_root).as_posix() for p in synthetic_root.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {"manifest.json"}
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((synthetic_root / rel).read_bytes()).hexdigest() == digest, rel
    assert sum(manifest["clips_per_split"].values()) == 48 + 12 + 8
    # no build folder, temporary or lock file left, inside the root or beside it
    assert not [p for p in synthetic_root.rglob(".*")] and sorted(synthetic_root.parent.iterdir()) == [synthetic_root]


def test_splits_are_disjoint_by_speaker(synthetic_root):
    validation = (synthetic_root / "validation_list.txt").read_text().split()
    testing = (synthetic_root / "testing_list.txt").read_text().split()
    assert validation and testing
    all_clips = [p.relative_to(synthetic_root).as_posix() for w in CATEGORIES for p in (synthetic_root / w).iterdir()]
    training = sorted(set(all_clips) - set(validation) - set(testing))
    speakers = [{_speaker(r) for r in split} for split in (training, validation, testing)]
    assert not speakers[0] & speakers[1] and not speakers[0] & speakers[2] and not speakers[1] & speakers[2]
    # each speaker says every keyword; the "neither" clips of held-out speakers are held out too
    for speaker in speakers[1]:
        assert {r.split("/")[0] for r in validation if _speaker(r) == speaker} >= set(WORDS)
    assert {r.split("/")[0] for r in validation + testing} - set(WORDS)


# ----------------------------------------------------------------------------------------------
# determinism, resumption, atomicity


def test_same_seed_same_bytes_whatever_the_processes(tmp_path, synthetic_root):
    again = synthesize_speech_commands(tmp_path / "again", **SMALL, processes=2, progress=False)
    first = json.loads((synthetic_root / "manifest.json").read_text())["files"]
    second = json.loads((again / "manifest.json").read_text())["files"]
    assert first == second
    other = synthesize_speech_commands(tmp_path / "other", **{**SMALL, "seed": 4}, processes=1, progress=False)
    third = json.loads((other / "manifest.json").read_text())["files"]
    assert set(third.values()).isdisjoint(v for k, v in first.items() if k.endswith(".wav") and "_nohash_" in k)


def test_complete_tree_returns_at_once(synthetic_root, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a complete tree must not be synthesised again")

    monkeypatch.setattr(_synth, "_run_jobs", fail)
    assert synthesize_speech_commands(synthetic_root, **SMALL, progress=False) == synthetic_root


def test_resume_after_interruption(tmp_path, monkeypatch, synthetic_root):
    real_render = _synth._render_chunk
    rendered = []

    def render_then_crash(job):
        if len(rendered) == 1:
            raise KeyboardInterrupt("simulated interruption")
        rendered.append(job[0])
        return real_render(job)

    monkeypatch.setattr(_synth, "_render_chunk", render_then_crash)
    root = tmp_path / "yes_no"
    with pytest.raises(KeyboardInterrupt):
        synthesize_speech_commands(root, **SMALL, processes=1, progress=False)
    # nothing that looks like a dataset at root; the partial build waits, hidden, inside it
    (partial,) = root.iterdir()
    assert partial.name.startswith(".audioviz-build-") and not (partial / "manifest.json").exists()
    assert (partial / ".audioviz-build.json").is_file()

    resumed = []

    def render_and_count(job):
        resumed.append(job[0])
        return real_render(job)

    monkeypatch.setattr(_synth, "_render_chunk", render_and_count)
    synthesize_speech_commands(root, **SMALL, processes=1, progress=False)
    assert rendered[0] not in resumed and resumed  # the finished batch was kept
    assert not partial.exists()
    expected = json.loads((synthetic_root / "manifest.json").read_text())["files"]
    assert json.loads((root / "manifest.json").read_text())["files"] == expected


def test_refuses_other_parameters_and_foreign_folders(synthetic_root, tmp_path):
    with pytest.raises(ValueError, match="per_word"):
        synthesize_speech_commands(synthetic_root, **{**SMALL, "per_word": 25}, progress=False)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not an empty folder"):
        synthesize_speech_commands(tmp_path / "busy", per_word=2, progress=False)


def test_damaged_tree_is_reported(tmp_path):
    root = synthesize_speech_commands(tmp_path / "d", per_word=3, unknown_words=(), seed=0, progress=False)
    victim = sorted((root / "yes").iterdir())[0]
    victim.unlink()
    with pytest.raises(ValueError, match=victim.name):
        synthesize_speech_commands(root, per_word=3, unknown_words=(), seed=0, progress=False)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"words": ("yes", "Maybe")}, ValueError, "lower-case.*'Maybe'; write 'maybe'"),
    ({"words": ("yes", "up-down")}, ValueError, "letters a-z.*'up-down'"),
    ({"words": ("a" * 25,)}, ValueError, "1 to 24 characters"),
    ({"words": ()}, ValueError, "at least one"),
    ({"words": ("yes", "yes")}, ValueError, "repeat"),
    ({"words": ("yes", 3)}, TypeError, "words must be strings"),
    ({"unknown_words": ("no", "go")}, ValueError, "unknown_words must not contain the keywords.*'no'"),
    ({"unknown_words": ("_silence_",)}, ValueError, "unknown_words"),
    ({"per_word": 0}, ValueError, "per_word must be from 1 to 100,000, got 0"),
    ({"per_word": 1_000_000_000}, ValueError, "per_word must be from 1 to 100,000"),
    ({"per_word": 2.5}, TypeError, "per_word"),
    ({"unknown_per_word": -1}, ValueError, "unknown_per_word"),
    ({"silence": 10**9}, ValueError, "silence must be from 0 to 200,000"),
    ({"processes": 0}, ValueError, "processes must be from 1 to 256"),
    ({"per_word": 100_000, "words": tuple("abcdefghijk")}, ValueError, "1,000,000 allowed"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 2**32}, ValueError, "seed"),
    ({"config": {"snr_db": (0, 10)}}, TypeError, "SynthesisConfig"),
])
def test_bad_arguments(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        synthesize_speech_commands(tmp_path / "x", **kwargs)
    assert not (tmp_path / "x").exists()  # refused before anything was created


def test_synthesize_word_is_deterministic():
    a, rate, speaker = synthesize_word("yes", seed=5)
    b, _, _ = synthesize_word("yes", seed=5)
    clean, _, _ = synthesize_word("yes", seed=5, augment=False)
    assert rate == 16000 and a.shape == (1, 16000) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert not torch.equal(a, clean)
    assert set(speaker) == {"voice", "rate", "pitch", "pitch_range", "warp"}


def test_config_round_trip_and_unknown_fields():
    config = SynthesisConfig(snr_db=(10.0, 20.0))
    assert SynthesisConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="snr"):
        SynthesisConfig.from_dict({"snr": (1, 2)})


def test_cache_root_and_ensure(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOVIZ_CACHE", str(tmp_path / "cache"))
    assert default_data_root() == tmp_path / "cache"
    root = ensure_synthetic_dataset(words=("up", "down"), per_word=2, seed=1, progress=False)
    assert root.parent == tmp_path / "cache" / "speech_commands"
    manifest = json.loads((root / "manifest.json").read_text())
    # the automatic "neither" side: a few unknown words and silence, even for a tiny tree
    assert manifest["categories"]["keywords"] == ["up", "down"] and manifest["categories"]["unknown"]
    assert manifest["clips_per_category"]["_silence_"] == 2
    assert ensure_synthetic_dataset(words=("up", "down"), per_word=2, seed=1, progress=False) == root
    closed = ensure_synthetic_dataset(words=("up", "down"), per_word=2, seed=1, unknown_words=(), progress=False)
    assert closed != root and sorted(p.name for p in closed.iterdir() if p.is_dir()) == [
        "_background_noise_", "down", "up"]


def test_command_line(tmp_path, capsys):
    from audioviz.cli import main

    cli = str(tmp_path / "cli")
    assert main(["data", "synth", "--root", cli, "--per-word", "2", "--seed", "2", "--unknown-words", "go,nose",
                 "--unknown-per-word", "1", "--silence", "1", "--quiet"]) == 0
    assert (tmp_path / "cli" / "go").is_dir() and (tmp_path / "cli" / "_silence_").is_dir()
    assert main(["data", "info", "--root", cli]) == 0
    assert "training" in capsys.readouterr().out
    assert main(["data", "check", cli]) == 0
    assert "files match" in capsys.readouterr().out
    assert main(["data", "words", "--words", "yes,no"]) == 0
    assert "yesterday" in capsys.readouterr().out
    assert main(["data", "synth", "--root", str(tmp_path / "bad"), "--words", "yes,Maybe"]) == 2
    assert "'Maybe'" in capsys.readouterr().err
    assert main(["data", "synth", "--root", str(tmp_path / "bad"), "--per-word", "1000000000"]) == 2
    assert "--per-word: expected a whole number from 1 to 100000" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


# ----------------------------------------------------------------------------------------------
# the loader


def test_loader_reads_the_synthetic_tree(synthetic_root):
    sizes = {}
    for subset in ("training", "validation", "testing"):
        ds = SpeechCommands(synthetic_root, subset=subset)
        sizes[subset] = len(ds)
        waveform, rate, label, word, speaker = ds[0]
        assert waveform.shape == (1, 16000) and waveform.dtype == torch.float32 and rate == 16000
        assert WORDS[label] == word and speaker == ds.files[0].name.split("_nohash_")[0]
    assert sum(sizes.values()) == 48 and sizes["training"] > sizes["validation"] > 0
    listed = [r for r in (synthetic_root / "validation_list.txt").read_text().split() if r.split("/")[0] in WORDS]
    assert sorted(f"{p.parent.name}/{p.name}" for p in SpeechCommands(synthetic_root, "validation").files) == sorted(listed)
    only_no = SpeechCommands(synthetic_root, "training", words=("no",))
    assert set(only_no.labels) == {0} and len(only_no) == sizes["training"] // 2


def test_loader_reads_torchaudio_layout(tmp_path):
    tree = synthesize_speech_commands(tmp_path / "SpeechCommands" / "speech_commands_v0.02", per_word=3, seed=0,
                                      progress=False)
    via_parent = SpeechCommands(tmp_path, subset=None)
    direct = SpeechCommands(tree, subset=None)
    assert via_parent.files == direct.files and len(direct) == 6


def test_loader_reads_the_real_tree(real_speech_root):
    ds = SpeechCommands(real_speech_root, subset="testing")
    assert ds.counts() == {"yes": 202, "no": 203}
    waveform, rate, label, word, speaker = ds[0]
    assert waveform.shape == (1, 16000) and waveform.dtype == torch.float32 and rate == 16000
    assert word in WORDS and label == WORDS.index(word) and len(speaker) == 8
    assert len(SpeechCommands(real_speech_root, subset="training")) == 0


def test_real_root_discovery(real_speech_root, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOVIZ_SPEECH_COMMANDS", str(real_speech_root))
    monkeypatch.setenv("AUDIOVIZ_CACHE", str(tmp_path / "cache"))
    assert real_speech_commands_root() == real_speech_root
    monkeypatch.delenv("AUDIOVIZ_SPEECH_COMMANDS")
    # no silent lookup of ../shared through the source tree or the current folder
    monkeypatch.chdir(real_speech_root.parents[2])
    assert real_speech_commands_root() is None


def test_real_root_env_pointing_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOVIZ_SPEECH_COMMANDS", str(tmp_path / "nothing"))
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning, match="nothing"):
        real_speech_commands_root()


def _tiny_tree(root: Path) -> Path:
    (root / "yes").mkdir(parents=True)
    (root / "no").mkdir()
    t = np.arange(16000) / 16000
    tone = 0.3 * np.sin(2 * np.pi * 300 * t)
    soundfile.write(str(root / "yes" / "aaaa0000_nohash_0.wav"), tone[:8000], 16000, subtype="PCM_16")  # short
    soundfile.write(str(root / "yes" / "bbbb0000_nohash_0.wav"), np.stack([tone, -tone], 1), 16000)  # stereo
    soundfile.write(str(root / "no" / "cccc0000_nohash_0.wav"), tone[::2], 8000)  # 8 kHz
    (root / "validation_list.txt").write_text("")
    (root / "testing_list.txt").write_text("")
    return root


def test_loader_pads_mixes_down_and_resamples(tmp_path):
    ds = SpeechCommands(_tiny_tree(tmp_path / "tiny"), subset="training")
    assert len(ds) == 3
    for i in range(3):
        waveform, rate, *_ = ds[i]
        assert waveform.shape == (1, 16000) and rate == 16000
    short = ds[ds.speakers.index("aaaa0000")][0]
    # padded with silence to one second (where the clip sits in the window is the loader's choice)
    assert int((short[0] == 0).sum()) >= 7900 and short[0].abs().max() > 0.2
    stereo = ds[ds.speakers.index("bbbb0000")][0]
    assert stereo.abs().max() < 1e-3  # (tone + -tone) / 2
    resampled = ds[ds.speakers.index("cccc0000")][0]
    assert abs(float(resampled.std()) - 0.3 / np.sqrt(2)) < 0.02


def test_loader_names_bad_files(tmp_path):
    root = _tiny_tree(tmp_path / "tiny")
    (root / "no" / "dddd0000_nohash_0.wav").write_bytes(b"RIFF this is not audio")
    soundfile.write(str(root / "no" / "eeee0000_nohash_0.wav"), np.zeros(0), 16000)
    ds = SpeechCommands(root, subset="training")
    with pytest.raises(ValueError, match="dddd0000_nohash_0.wav"):
        ds[ds.speakers.index("dddd0000")]
    with pytest.raises(ValueError, match="eeee0000_nohash_0.wav"):
        ds[ds.speakers.index("eeee0000")]


def test_loader_bad_input(tmp_path, synthetic_root):
    with pytest.raises(FileNotFoundError, match="ensure_synthetic_dataset"):
        SpeechCommands(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="training.*validation.*testing"):
        SpeechCommands(synthetic_root, subset="train")
    with pytest.raises(ValueError, match="up.*valid words there are: .*no, nose, sheila, yes"):
        SpeechCommands(synthetic_root, words=("yes", "up"))
    with pytest.raises(TypeError, match="words"):
        SpeechCommands(synthetic_root, words=(1, 2))
