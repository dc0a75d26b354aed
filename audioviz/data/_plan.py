"""Who says what in a synthetic tree: the argument checks, the synthetic speakers, every clip's
word, voice, file name and seed, and the split by speaker.

The plan is drawn from generators seeded by the dataset's seed only, so the same parameters give
the same plan (and, with ``_synth.py``'s rendering, the same bytes) on any machine and with any
number of processes. Keywords are said by every speaker one to five times; the "neither" words
and the ``_silence_`` clips are handed to random speakers of the same population, so the split
by speaker holds for every category.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._augment import SynthesisConfig
from ._espeak import ENGLISH_ACCENTS, voice_variants
from ._vocabulary import check_words, neither_vocabulary

SILENCE_FOLDER = "_silence_"

# bounds of every count, so that a typo cannot fill a disk or the memory
MAX_PER_WORD = 100_000
MAX_UNKNOWN_PER_WORD = 10_000
MAX_SILENCE = 200_000
MAX_CLIPS = 1_000_000
MAX_KEYWORDS = 100
MAX_PROCESSES = 256
_BYTES_PER_CLIP = 32_044 + 200  # WAV file plus lists and manifest
_CHUNK_CLIPS = 40
# share of speakers held out for validation, and again for testing
_HELD_OUT_FRACTION = 0.1
# how many times a speaker says each keyword, and how often
_REPEATS = (1, 2, 3, 4, 5)
_REPEAT_WEIGHTS = (0.35, 0.25, 0.2, 0.12, 0.08)
# automatic "neither" side: clips of each word, relative to unknown_per_word, by source
_SOURCE_WEIGHTS = {"near_misses": 3, "speech_commands": 2, "general": 1, "nonsense": 1}
# share of the general words' clips that are cut off (only the end of the word is heard)
_CUT_FRACTION = 0.15


# ----------------------------------------------------------------------------------------------
# argument checks


def _check_count(value, *, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer from {low} to {high:,}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high:,}, got {value:,}")
    return int(value)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer from 0 to {2**32 - 1:,}, got {seed!r}")
    return int(seed)


def _check_config(config) -> SynthesisConfig:
    if config is None:
        return SynthesisConfig()
    if not isinstance(config, SynthesisConfig):
        raise TypeError(f"config must be a SynthesisConfig or None, got {type(config).__name__}")
    return config


def _check_unknown(words, unknown_words, unknown_per_word, per_word: int, seed: int) -> dict:
    """``{word: number of clips}`` of the "neither" words, and whether each may be cut off."""
    if unknown_words is None:
        groups = neither_vocabulary(words, seed=seed)
        weighted = [(w, _SOURCE_WEIGHTS[k], k in ("general", "nonsense")) for k, g in groups.items() for w in g]
        if unknown_per_word is not None:
            per = _check_count(unknown_per_word, name="unknown_per_word", low=0, high=MAX_UNKNOWN_PER_WORD)
            return {w: (weight * per, cuttable) for w, weight, cuttable in weighted if per}
        # about 1.5 keywords' worth of clips, shared by weight; a word's fractional share becomes
        # one clip by chance, so a small tree speaks a random part of the vocabulary
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x0C0]))
        scale = 1.5 * per_word / sum(weight for _, weight, _ in weighted)
        counts = {}
        for w, weight, cuttable in weighted:
            share = scale * weight
            count = int(share) + int(rng.random() < share - int(share))
            if count:
                counts[w] = (count, cuttable)
        return counts
    unknown_words = check_words(unknown_words, name="unknown_words", allow_empty=True)
    clash = sorted(set(unknown_words) & set(words))
    if clash:
        raise ValueError(f"unknown_words must not contain the keywords, got {', '.join(map(repr, clash))} in both")
    if unknown_per_word is None:
        unknown_per_word = max(1, round(1.5 * per_word / max(len(unknown_words), 1)))
    unknown_per_word = _check_count(unknown_per_word, name="unknown_per_word", low=0, high=MAX_UNKNOWN_PER_WORD)
    return {w: (unknown_per_word, False) for w in unknown_words}


# ----------------------------------------------------------------------------------------------
# the plan: speakers, their clips and the split


def _plan_speakers(words, per_word: int, seed: int, config: SynthesisConfig) -> list[dict]:
    """Synthetic speakers until every keyword has ``per_word`` clips; each speaker says each word
    ``repeats`` times. Everything here is drawn from one generator seeded by ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    variants = ("",) + voice_variants()
    speakers, ids, total = [], set(), 0
    while total < per_word:
        repeats = int(min(rng.choice(_REPEATS, p=_REPEAT_WEIGHTS), per_word - total))
        speaker_id = f"{int(rng.integers(0, 2**32)):08x}"
        while speaker_id in ids:
            speaker_id = f"{int(rng.integers(0, 2**32)):08x}"
        ids.add(speaker_id)
        accent = ENGLISH_ACCENTS[int(rng.integers(len(ENGLISH_ACCENTS)))]
        variant = variants[int(rng.integers(len(variants)))]
        speakers.append({
            "id": speaker_id,
            "index": len(speakers),
            "voice": f"{accent}+{variant}" if variant else accent,
            "rate": float(rng.uniform(*config.rate_wpm)),
            "pitch": float(rng.uniform(*config.pitch)),
            "pitch_range": float(rng.uniform(*config.pitch_range)),
            "warp": float(rng.uniform(*config.warp)),
            "repeats": repeats,
        })
        total += repeats
    order = rng.permutation(len(speakers))
    n_held = max(1, round(_HELD_OUT_FRACTION * len(speakers))) if len(speakers) >= 3 else 0
    for rank, i in enumerate(order):
        speakers[i]["split"] = "validation" if rank < n_held else "testing" if rank < 2 * n_held else "training"
    return speakers


def _voice_of(speaker: dict) -> dict:
    return {k: speaker[k] for k in ("voice", "rate", "pitch", "pitch_range", "warp")}


def _clips_of(speaker: dict, words, seed: int) -> list[dict]:
    return [{"kind": "word", "word": word, "path": f"{word}/{speaker['id']}_nohash_{n}.wav", **_voice_of(speaker),
             "seed": [seed, speaker["index"], w, n]}
            for w, word in enumerate(words) for n in range(speaker["repeats"])]


def _other_clips(speakers, unknown: dict, silence: int, seed: int) -> list[dict]:
    """The "neither" clips: each unknown word and each silence handed to random speakers."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xA55]))
    counters: dict = {}
    clips = []

    def take(folder: str) -> tuple[dict, str]:
        speaker = speakers[int(rng.integers(len(speakers)))]
        n = counters.get((folder, speaker["id"]), 0)
        counters[(folder, speaker["id"])] = n + 1
        return speaker, f"{folder}/{speaker['id']}_nohash_{n}.wav"

    for w, (word, (count, cuttable)) in enumerate(unknown.items()):
        for i in range(count):
            speaker, path = take(word)
            clips.append({"kind": "word", "word": word, "path": path, **_voice_of(speaker),
                          "cut": bool(cuttable and rng.random() < _CUT_FRACTION), "seed": [seed, 1 << 20, w, i]})
    for i in range(silence):
        speaker, path = take(SILENCE_FOLDER)
        clips.append({"kind": "silence", "path": path, "seed": [seed, 1 << 21, i]})
    return clips


def _chunks(clips) -> list[list[dict]]:
    """Consecutive clips in batches of ``_CHUNK_CLIPS``. A batch is the unit of work, of
    resumption and of determinism (one fresh eSpeak engine per batch)."""
    return [clips[i:i + _CHUNK_CLIPS] for i in range(0, len(clips), _CHUNK_CLIPS)]


def _plan(words, per_word, unknown, silence, seed, config):
    speakers = _plan_speakers(words, per_word, seed, config)
    clips = [clip for speaker in speakers for clip in _clips_of(speaker, words, seed)]
    clips += _other_clips(speakers, unknown, silence, seed)
    return speakers, clips
