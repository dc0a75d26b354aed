"""Small hand-made speech-commands folders for the model and dataset tests: a tone per word
(learnable in one epoch) instead of eSpeak speech, so the tests take seconds and do not depend
on the synthesiser."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

RATE = 16000
#: Tone frequency (Hz) of each word's clips; any other word gets 3000 Hz.
TONES = {"yes": 500.0, "no": 1200.0}


def _clip(word: str, rng: np.random.Generator, length: int = RATE) -> np.ndarray:
    t = np.arange(length) / RATE
    tone = 0.3 * np.sin(2 * np.pi * TONES.get(word, 3000.0) * (1 + 0.02 * rng.standard_normal()) * t)
    return (tone + 0.01 * rng.standard_normal(length)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE, subtype: str = "PCM_16") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, samples, rate, subtype=subtype)
    return path


def make_tree(root: Path, words=("yes", "no", "go", "up"), speakers: int = 10, seed: int = 0) -> Path:
    """A v0.02-layout tree: ``speakers`` speakers say every word once; speaker 0 is the
    validation split and speaker 1 the test split; ``_background_noise_`` holds one noise file."""
    rng = np.random.default_rng(seed)
    lists = {"validation": [], "testing": []}
    for s in range(speakers):
        speaker = f"{s:08x}"
        for word in words:
            rel = f"{word}/{speaker}_nohash_0.wav"
            write_wav(root / rel, _clip(word, rng))
            if s in (0, 1):
                lists["validation" if s == 0 else "testing"].append(rel)
    for name, lines in lists.items():
        (root / f"{name}_list.txt").write_text("".join(f"{line}\n" for line in lines))
    write_wav(root / "_background_noise_" / "white_noise.wav", (0.1 * rng.standard_normal(5 * RATE)).astype(np.float32))
    return root


def make_test_layout(root: Path, words=("yes", "no", "go"), per_word: int = 3, seed: int = 0) -> Path:
    """Google's canonical test layout: one folder per category, ``_unknown_/<word>_<speaker>_...``,
    ``_silence_/<n>.wav``, no split lists."""
    rng = np.random.default_rng(seed)
    for word in words:
        for n in range(per_word):
            write_wav(root / word / f"{n:08x}_nohash_0.wav", _clip(word, rng))
    for n, word in enumerate(("eight", "sheila")):
        write_wav(root / "_unknown_" / f"{word}_{n:08x}_nohash_1.wav", _clip(word, rng))
    for n in range(2):
        write_wav(root / "_silence_" / f"{n}.wav", (0.001 * rng.standard_normal(RATE)).astype(np.float32))
    return root
