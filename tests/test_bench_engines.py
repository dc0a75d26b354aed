"""The other-synthesiser test set of benchmarks/bench_other_engines.py: its plan, and (where Flite is
installed) that what it writes is Google's test layout that evaluate scores."""
from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_other_engines as engines  # noqa: E402


def test_the_plan_is_fixed_and_holds_what_the_real_test_set_holds():
    voices = ("kal16", "fest_kal")
    clips = engines.plan(voices)
    assert clips == engines.plan(voices)
    folders = Counter(c["folder"] for c in clips)
    variants = len(engines.STRETCH) * len(engines.WARP)
    assert folders["yes"] == folders["no"] == 2 * variants
    assert set(folders) == {"yes", "no", "_unknown_", *engines.OTHER_KEYWORDS}
    assert {c["word"] for c in clips if c["folder"] == "_unknown_"} == set(engines.UNKNOWN_WORDS)
    # one "speaker" is one voice at one rate and one vocal-tract length
    speakers = {(c["voice"], c["stretch"], c["warp"]): c["speaker"] for c in clips}
    assert len(set(speakers.values())) == len(speakers)


@pytest.mark.skipif(shutil.which("flite") is None, reason="needs the flite synthesiser (apt install flite)")
def test_a_small_set_is_written_in_the_test_layout_and_scored(tmp_path, monkeypatch):
    from audioviz.data import SpeechCommands

    plan = engines.plan
    monkeypatch.setattr(engines, "plan", lambda voices: [c for c in plan(voices) if c["folder"] == "yes"][::10] + [c for c in plan(voices) if c["folder"] == "go"][:2])
    counts = engines.build(tmp_path, ("kal16",))
    assert counts["yes"] >= 1 and counts["go"] >= 1 and counts["_silence_"] == 25
    wav, rate = soundfile.read(next((tmp_path / "yes").glob("*.wav")))
    assert rate == 16000 and wav.shape == (16000,) and 0.01 < abs(wav).max() <= 1
    dataset = SpeechCommands(tmp_path, "testing", ("yes", "no"), neither=True)
    assert len(dataset) == sum(counts.values())
