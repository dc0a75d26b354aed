"""Tests for audioviz.data.SpeechCommands and the one clip rule (prepare_clip): every layout, the
"neither" mapping, cut silence, and damaged files named."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _trees import make_test_layout, make_tree, write_wav

from audioviz.data import SpeechCommands
from audioviz.model import prepare_clip


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("tree") / "data")


# --- the clip rule ---------------------------------------------------------------------------

def test_prepare_clip_notes_every_change():
    clip, notes = prepare_clip(torch.zeros(2, 8000), 8000)
    assert clip.shape == (1, 16000) and clip.dtype == torch.float32
    assert notes[0] == "averaged 2 channels to mono"
    assert "resampled from 8000 Hz to 16000 Hz" in notes[1]
    clip, notes = prepare_clip(torch.ones(16000), 16000)
    assert notes == [] and clip.shape == (1, 16000)


def test_prepare_clip_pads_centred_and_cuts_to_the_loudest_second():
    clip, notes = prepare_clip(torch.ones(8000), 16000)
    assert "padded" in notes[0]
    assert clip[0, :4000].abs().sum() == 0 and clip[0, 4000:12000].eq(1).all()
    long = torch.zeros(48000)
    long[30000:32000] = 1.0  # a click at 1.875-2.0 s
    clip, notes = prepare_clip(long, 16000)
    assert clip.abs().sum() == 2000  # the whole click is inside the chosen second
    assert notes[0].startswith("cut 3.000 s to the loudest 1 s")


def test_prepare_clip_bad_input():
    with pytest.raises(ValueError, match="sample_rate"):
        prepare_clip(torch.zeros(100), 0)
    with pytest.raises(ValueError, match="waveform"):
        prepare_clip(torch.zeros(1, 1, 100), 16000)
    with pytest.raises(ValueError, match="n_samples"):
        prepare_clip(torch.zeros(100), 16000, n_samples=0)


def test_dataset_clips_follow_the_clip_rule(tmp_path):
    """A short clip in a tree is centred, a long one cut to its loudest second: as in predict."""
    root = make_tree(tmp_path / "d", words=("yes", "no"), speakers=3)
    short = np.full(8000, 0.5, dtype=np.float32)
    write_wav(root / "yes" / "aaaaaaaa_nohash_0.wav", short)
    long = np.zeros(40000, dtype=np.float32)
    long[30000:31000] = 0.5
    write_wav(root / "no" / "aaaaaaaa_nohash_0.wav", long, rate=32000)  # 1.25 s at 32 kHz
    data = SpeechCommands(root, subset="training")
    for path, expected_source in ((root / "yes" / "aaaaaaaa_nohash_0.wav", (short, 16000)),
                                  (root / "no" / "aaaaaaaa_nohash_0.wav", (long, 32000))):
        clip = data[data.files.index(path)][0]
        expected, _ = prepare_clip(torch.from_numpy(expected_source[0]), expected_source[1])
        torch.testing.assert_close(clip, expected, atol=1e-4, rtol=0)


# --- layouts and labels -------------------------------------------------------------------------

def test_v002_tree_splits_and_keywords_only_by_default(tree):
    train, val, test = (SpeechCommands(tree, subset=s) for s in ("training", "validation", "testing"))
    assert train.counts() == {"yes": 8, "no": 8} and val.counts() == {"yes": 1, "no": 1}
    assert not set(train.speakers) & set(test.speakers)
    waveform, rate, label, word, speaker = train[0]
    assert waveform.shape == (1, 16000) and rate == 16000 and word == train.classes[label]
    with pytest.raises(ValueError, match="valid words there are: go, no, up, yes"):
        SpeechCommands(tree, words=("yes", "stop"))


def test_neither_maps_other_words_to_unknown_and_cuts_silence(tree):
    data = SpeechCommands(tree, subset="training", neither=True)
    assert data.classes == ("yes", "no", "_unknown_", "_silence_")
    assert data.counts() == {"yes": 8, "no": 8, "_unknown_": 16, "_silence_": 8}
    unknown = [i for i, label in enumerate(data.labels) if data.classes[label] == "_unknown_"]
    assert {data.categories[i] for i in unknown} == {"go", "up"}
    silence = [i for i, label in enumerate(data.labels) if data.classes[label] == "_silence_"]
    clips = torch.stack([data[i][0] for i in silence])
    levels = 20 * torch.log10(clips.pow(2).mean(dim=(1, 2)).sqrt())
    assert levels.min() > -80 and levels.max() < -10 and levels.std() > 3  # many levels
    again = SpeechCommands(tree, subset="training", neither=True)
    assert torch.equal(again[silence[0]][0], clips[0])  # the same cuts every time
    assert SpeechCommands(tree, subset="training", neither=True, silence=3).counts()["_silence_"] == 3
    # a keyword the folder lacks is no error in neither mode: it has no clips
    assert SpeechCommands(tree, subset="testing", words=("yes", "stop"), neither=True).counts()["stop"] == 0


def test_google_test_layout(tmp_path):
    root = make_test_layout(tmp_path / "test_set")
    data = SpeechCommands(root, subset="testing", neither=True)
    assert data.counts() == {"yes": 3, "no": 3, "_unknown_": 5, "_silence_": 2}
    assert {data.categories[i] for i in range(len(data)) if data.classes[data.labels[i]] == "_unknown_"} == {
        "go", "eight", "sheila"}
    assert "00000001" in data.speakers  # parsed from _unknown_/sheila_00000001_nohash_1.wav
    assert len(SpeechCommands(root, subset=None, words=("go",))) == 3
    assert len(SpeechCommands(root, subset="testing", words=("eight",))) == 1
    with pytest.raises(ValueError, match="test layout.*subset='testing'"):
        SpeechCommands(root, subset="training")


def test_real_canonical_test_set_reads():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech_commands_v0.02_test"
    if not root.is_dir():
        pytest.skip("the shared canonical test set is not on this machine")
    data = SpeechCommands(root, subset="testing", neither=True)
    counts = data.counts()
    assert counts["yes"] == 202 and counts["no"] == 203 and counts["_silence_"] == 189
    assert counts["_unknown_"] == 2332 - 202 - 203 - 189


def test_missing_and_damaged_data_are_named(tmp_path, tree):
    with pytest.raises(FileNotFoundError, match="no speech-commands dataset"):
        SpeechCommands(tmp_path)
    root = make_tree(tmp_path / "bad", words=("yes", "no"), speakers=3)
    nan = np.full(16000, 0.1, dtype=np.float32)
    nan[100] = np.nan
    bad = write_wav(root / "yes" / "bbbbbbbb_nohash_0.wav", nan, subtype="FLOAT")
    data = SpeechCommands(root, subset="training")
    with pytest.raises(ValueError, match="bbbbbbbb_nohash_0.wav.*NaN"):
        data[data.files.index(bad)]
    (root / "testing_list.txt").write_text("yes/gone_nohash_0.wav\n")
    with pytest.raises(FileNotFoundError, match="gone_nohash_0.wav"):
        SpeechCommands(root, subset="testing")
    with pytest.raises(ValueError, match="silence"):
        SpeechCommands(tree, neither=True, silence=-1)
