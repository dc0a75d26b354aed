"""Tests of the listening timeline (audioviz/explain/_timeline.py): windows, detections, false alarms.

A stand-in classifier with a known answer (a tone detector) makes every detection predictable, so
the sliding window, smoothing, suppression and scoring are checked exactly; the synthetic
recording is checked against the word positions it reports.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from audioviz.explain import ListeningTimelineDisplay, synthesize_recording
from audioviz.explain._timeline import detect
from audioviz.model import KeywordCNN, ModelConfig


class _ToneListener(KeywordCNN):
    """A stand-in classifier with a known answer: "yes" for 500 Hz, "no" for 1500 Hz heard in the
    middle half of the window, "_unknown_" for any other sound, "_silence_" for none."""

    def forward(self, waveform):
        centre = waveform[:, 0, 4000:12000]
        spectrum = torch.fft.rfft(centre).abs() / centre.shape[-1]  # 2 Hz bins
        level = spectrum.sum(dim=-1)
        yes, no = spectrum[:, 240:261].sum(dim=-1), spectrum[:, 740:761].sum(dim=-1)
        other = level - yes - no
        return torch.stack([yes, no, other, torch.full_like(level, 0.02)], dim=1) * 200


def _tones(plan, rate=16000):
    """Silence and tone bursts: plan of (seconds, Hz or None); returns waveform and events."""
    pieces, events, t = [], [], 0.0
    names = {500: "yes", 1500: "no"}
    for seconds, hz in plan:
        n = int(seconds * rate)
        time = torch.arange(n) / rate
        pieces.append(0.3 * torch.sin(2 * torch.pi * hz * time) if hz else torch.zeros(n))
        if hz:
            events.append((names.get(hz, "go"), t, t + seconds))
        t += seconds
    return torch.cat(pieces).unsqueeze(0), events


def test_timeline_detects_each_word_once_where_it_was_said():
    listener = _ToneListener(ModelConfig(channels=(4, 6, 8, 8))).eval()
    wave, events = _tones([(0.8, None), (0.4, 500), (1.2, None), (0.4, 1500), (1.0, None), (0.4, 3000), (1.0, None)])
    timeline = ListeningTimelineDisplay.from_model(listener, wave, 16000, events=events, hop=0.05)
    assert timeline.duration == pytest.approx(5.2)
    assert timeline.times[1] - timeline.times[0] == pytest.approx(0.05)
    assert timeline.times[0] == 0.0 and timeline.times[-1] == pytest.approx(5.2)
    assert timeline.probabilities.shape == (len(timeline.times), 4)
    np.testing.assert_allclose(timeline.probabilities.sum(axis=1), 1.0)
    assert set(timeline.answers) == {"yes", "no", "neither"}
    assert [d["word"] for d in timeline.detections] == ["yes", "no"]  # "go" is neither: no detection
    for d, (word, start, end) in zip(timeline.detections, events):
        assert d["hit"] and start - 0.1 <= d["time"] <= end + 0.1  # the peak sits on the word
    assert timeline.false_alarms == 0 and timeline.misses == 0 and timeline.false_alarms_per_minute == 0
    assert "2 of 2 keywords detected, 0 missed, 0 false alarms" in timeline.summary()

    # the same detections scored against wrong word positions: false alarms, and misses
    wrong = [("no", s, e) if w == "yes" else (w, s + 3.0, e + 3.0) for w, s, e in events]
    scored = ListeningTimelineDisplay.from_model(listener, wave, 16000, events=wrong, hop=0.05)
    assert scored.false_alarms == 2 and scored.misses == 2
    assert scored.false_alarms_per_minute == pytest.approx(2 / (5.2 / 60))

    timeline.plot(wave, sample_rate=16000)
    top, bottom = timeline.axes_
    assert set(timeline.lines_) == {"yes", "no", "neither"}
    np.testing.assert_allclose(timeline.lines_["no"].get_ydata(), timeline.answers["no"])
    assert len(timeline.markers_) == 2 and len(timeline.spans_) == 3
    assert [t.get_text() for t in top.texts] == ["yes", "no", "go"]
    assert bottom.get_xlabel() == "Time (s)" and bottom.get_xlim() == pytest.approx((0, 5.2))
    assert timeline.figure_.get_figwidth() <= 8.5


def test_timeline_suppression_and_arguments():
    times = np.arange(10) * 0.1
    scores = np.array([[0.1, 0.6, 0.9, 0.6, 0.2, 0.7, 0.3, 0.1, 0.8, 0.1]]).T
    kept = detect(times, scores, ["yes"], threshold=0.5, suppress=0.5)
    assert [(d["time"], d["score"]) for d in kept] == [(pytest.approx(0.2), 0.9), (pytest.approx(0.8), 0.8)]
    assert len(detect(times, scores, ["yes"], threshold=0.5, suppress=0.0)) == 3
    listener = _ToneListener(ModelConfig(channels=(4, 6, 8, 8))).eval()
    for name, value in (("hop", 0), ("threshold", 1.5), ("smoothing", -1), ("batch_size", 0)):
        with pytest.raises(ValueError, match=name):
            ListeningTimelineDisplay.from_model(listener, torch.zeros(16000), **{name: value})


def test_synthesize_recording_knows_where_its_words_are():
    rec = synthesize_recording(["yes", "go", "no"], seed=3)
    again = synthesize_recording(["yes", "go", "no"], seed=3)
    torch.testing.assert_close(rec.waveform, again.waveform)
    assert [w for w, *_ in rec.events] == ["yes", "go", "no"]
    ends = [0.0] + [e for *_, e in rec.events]
    starts = [s for _, s, _ in rec.events] + [rec.duration]
    assert all(a + 0.59 <= b for a, b in zip(ends, starts))  # pauses of at least 0.6 s between words
    wave = rec.waveform[0]
    inside = torch.cat([wave[int(s * 16000):int(e * 16000)] for _, s, e in rec.events])
    outside = wave[: int(rec.events[0][1] * 16000)]
    assert 20 * torch.log10(inside.pow(2).mean().sqrt() / outside.pow(2).mean().sqrt()) > 20
    with pytest.raises(ValueError, match="pause"):
        synthesize_recording(["yes"], pause=(2, 1))
