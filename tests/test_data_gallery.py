"""audioviz.data gallery: example clips per word drawn as waveform + spectrogram, with players."""
from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
import soundfile
import torch

from audioviz.data import SpeechCommands, SpeechExamplesDisplay, plot_speech_examples, synthesize_speech_commands


@pytest.fixture(scope="module")
def train_set(tmp_path_factory):
    root = synthesize_speech_commands(tmp_path_factory.mktemp("gallery") / "yes_no", per_word=10, seed=1,
                                      progress=False)
    return SpeechCommands(root, subset=None)


def test_grid_of_waveforms_and_spectrograms(train_set):
    gallery = plot_speech_examples(train_set, n_per_word=3, seed=0)
    assert gallery.axes_.shape == (2, 3, 2) and gallery.images_.shape == (2, 3)
    for r, word in enumerate(("yes", "no")):
        for c in range(3):
            wave_ax, spec_ax = gallery.axes_[r, c]
            assert wave_ax.get_title().startswith(f"\u201c{word}\u201d")
            assert wave_ax.get_xlim() == pytest.approx((0.0, 1.0))
            image = gallery.images_[r, c]
            assert image.get_extent()[0] == pytest.approx(0.0, abs=0.02)
            assert image.get_extent()[3] == pytest.approx(8000, rel=0.01)  # Hz up to Nyquist
    assert gallery.figure_ is gallery.axes_[0, 0, 0].figure


def test_clips_come_from_distinct_speakers_and_the_right_word(train_set):
    gallery = SpeechExamplesDisplay.from_dataset(train_set, n_per_word=3, seed=2)
    for word in ("yes", "no"):
        clips = [c for c in gallery.clips if c["word"] == word]
        assert len(clips) == 3 and len({c["speaker"] for c in clips}) == 3
    again = SpeechExamplesDisplay.from_dataset(train_set, n_per_word=3, seed=2)
    assert [c["speaker"] for c in again.clips] == [c["speaker"] for c in gallery.clips]


def test_players_decode_to_the_clips(train_set):
    gallery = SpeechExamplesDisplay.from_dataset(train_set, n_per_word=2, seed=0)
    page = gallery._repr_html_()
    sources = re.findall(r'src="data:audio/wav;base64,([^"]+)"', page)
    assert len(sources) == 4 and page.count("<tr>") == 2
    decoded, rate = soundfile.read(io.BytesIO(base64.b64decode(sources[0])), dtype="float32")
    assert rate == 16000
    np.testing.assert_allclose(decoded, gallery.clips[0]["waveform"][0].numpy(), atol=1 / 32767)


def test_bad_input(train_set):
    with pytest.raises(ValueError, match="n_per_word"):
        SpeechExamplesDisplay.from_dataset(train_set, n_per_word=0)
    with pytest.raises(ValueError, match="empty"):
        SpeechExamplesDisplay([])
    with pytest.raises(ValueError, match="speaker"):
        SpeechExamplesDisplay([{"waveform": torch.zeros(1, 10), "sample_rate": 16000, "word": "yes"}])
