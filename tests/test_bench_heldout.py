"""The held-out-accent split of benchmarks/bench_heldout_accents.py (the training is not run here)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_heldout_accents import accent_of_speakers, held_out_accent_tree  # noqa: E402

from audioviz.data import SpeechCommands, synthesize_speech_commands


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    synthesize_speech_commands(root, words=("yes", "no"), per_word=40, unknown_words=("go",), unknown_per_word=6,
                               silence=6, seed=3, processes=1, progress=False)
    return root


def _speakers(dataset):
    """The speakers of a split's clips (cuts of _background_noise_ have none)."""
    names = (Path(dataset.get_metadata(i)[0]).name for i in range(len(dataset)))
    return {name.split("_nohash_")[0] for name in names if "_nohash_" in name}


def test_held_out_accents_are_only_in_testing_and_all_of_them_are(tree, tmp_path):
    speakers = accent_of_speakers(tree)
    accents = sorted({accent for accent, _ in speakers.values()})
    assert len(accents) >= 3
    held = tuple(accents[:2])
    counts = held_out_accent_tree(tree, tmp_path, held)
    splits = {split: SpeechCommands(tmp_path, split, ("yes", "no"), neither=True)
              for split in ("training", "validation", "testing")}
    assert sum(counts.values()) == len(list(tmp_path.glob("*/*_nohash_*.wav"))) and min(counts.values()) > 0
    tested = _speakers(splits["testing"])
    assert tested == {sid for sid, (accent, _) in speakers.items() if accent in held and
                      any(tree.glob(f"*/{sid}_nohash_*.wav"))}
    for split in ("training", "validation"):
        assert all(speakers[sid][0] not in held and speakers[sid][1] == split for sid in _speakers(splits[split]))
    # the original test speakers of the other accents are left out, so no split has them
    assert not any(speakers[sid][1] == "testing" and speakers[sid][0] not in held for sid in tested)


def test_an_accent_no_speaker_has_is_an_error(tree, tmp_path):
    with pytest.raises(ValueError, match="held_out"):
        held_out_accent_tree(tree, tmp_path, ("en-xx",))
