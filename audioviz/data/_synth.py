"""The synthetic speech-commands generator: a folder laid out exactly like Google's Speech
Commands v0.02, made offline from eSpeak NG voices and a simulated recording chain.

:func:`synthesize_speech_commands` plans a population of synthetic speakers (an English accent,
a voice variant, a speaking rate, a pitch, an intonation range and a vocal-tract warp each), has
every speaker say every word one to five times, passes each utterance through a room, a
microphone and background noise (``_augment.py``), and writes ``<word>/<speaker>_nohash_<n>.wav``
files (16 kHz, mono, 16-bit, one second). Speakers, not clips, are split into training,
validation and testing, so no voice is heard in two splits. The tree is built in a temporary
folder beside the target and moved into place after its manifest is written; an interrupted run
resumes where it stopped, and a complete tree is recognised from its manifest and returned at once.
:func:`ensure_synthetic_dataset` keeps one such tree per parameter set in the audioviz cache.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import numbers
import os
import shutil
import wave
from pathlib import Path

import numpy as np

from .._fileio import exclusive_lock, write_bytes_atomic
from .._validation import check_positive_int
from ._augment import CLIP_SAMPLES, SAMPLE_RATE, SynthesisConfig, coloured_noise, mains_hum, render_clip, to_pcm16
from ._espeak import ENGLISH_ACCENTS, ESPEAK_SAMPLE_RATE, ESpeak, voice_variants

__all__ = [
    "SPEECH_COMMANDS_WORDS",
    "default_data_root",
    "ensure_synthetic_dataset",
    "synthesize_speech_commands",
    "synthesize_word",
]

#: The 35 words of Speech Commands v0.02.
SPEECH_COMMANDS_WORDS = (
    "backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four",
    "go", "happy", "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right",
    "seven", "sheila", "six", "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero",
)

#: Bumped whenever the generator would write different audio for the same parameters.
GENERATOR_VERSION = 3
#: Clips per word written by default: about 20 s of synthesis on two cores.
DEFAULT_PER_WORD = 2000
MANIFEST_NAME = "manifest.json"
_STATE_DIR = ".audioviz_build"
_CHUNK_CLIPS = 40
_VALIDATION_FRACTION = 0.1
_TESTING_FRACTION = 0.1
# how many times a speaker says each word, and how often
_REPEATS = (1, 2, 3, 4, 5)
_REPEAT_WEIGHTS = (0.35, 0.25, 0.2, 0.12, 0.08)
# alternative pronunciations, in eSpeak phoneme mnemonics
_PHONEME_VARIANTS = {
    "yes": ("[[j'Es]]", "[[j'E:s]]", "[[j'es]]", "[[j'Es:]]"),
    "no": ("[[n'oU]]", "[[n'@U]]", "[[n'o:]]", "[[n'0u]]"),
}
_PUNCTUATION = ("", "", ".", "!", "?", ",")


# ----------------------------------------------------------------------------------------------
# argument checks


def _check_words(words) -> tuple[str, ...]:
    if isinstance(words, str):
        words = tuple(w.strip() for w in words.split(",") if w.strip())
    try:
        words = tuple(words)
    except TypeError:
        raise TypeError(f"words must be a sequence of strings such as ('yes', 'no'), got {words!r}") from None
    if not words:
        raise ValueError("words must name at least one word, got an empty sequence")
    for w in words:
        if not isinstance(w, str):
            raise TypeError(f"words must be strings, got {w!r} of type {type(w).__name__}")
        if w not in SPEECH_COMMANDS_WORDS:
            raise ValueError(
                f"unknown word {w!r} in words; the synthetic set speaks the Speech Commands v0.02 words: "
                f"{', '.join(SPEECH_COMMANDS_WORDS)}"
            )
    if len(set(words)) != len(words):
        raise ValueError(f"words must not repeat, got {words!r}")
    return words


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _check_config(config) -> SynthesisConfig:
    if config is None:
        return SynthesisConfig()
    if not isinstance(config, SynthesisConfig):
        raise TypeError(f"config must be a SynthesisConfig or None, got {type(config).__name__}")
    return config


# ----------------------------------------------------------------------------------------------
# the plan: speakers, their clips and the split


def _plan_speakers(words, per_word: int, seed: int, config: SynthesisConfig) -> list[dict]:
    """Synthetic speakers until every word has ``per_word`` clips; each speaker says each word
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
    n_held = max(1, round(_VALIDATION_FRACTION * len(speakers))) if len(speakers) >= 3 else 0
    for rank, i in enumerate(order):
        speakers[i]["split"] = "validation" if rank < n_held else "testing" if rank < 2 * n_held else "training"
    return speakers


def _clips_of(speaker: dict, words, seed: int) -> list[dict]:
    return [
        {"word": word, "path": f"{word}/{speaker['id']}_nohash_{n}.wav", "voice": speaker["voice"],
         "rate": speaker["rate"], "pitch": speaker["pitch"], "pitch_range": speaker["pitch_range"],
         "warp": speaker["warp"], "seed": [seed, speaker["index"], w, n]}
        for w, word in enumerate(words) for n in range(speaker["repeats"])
    ]


def _chunks(speakers, words, seed: int) -> list[list[dict]]:
    """Consecutive speakers grouped into batches of at least ``_CHUNK_CLIPS`` clips. A batch is the
    unit of work, of resumption and of determinism (one fresh eSpeak engine per batch)."""
    chunks, current = [], []
    for speaker in speakers:
        current.extend(_clips_of(speaker, words, seed))
        if len(current) >= _CHUNK_CLIPS:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


# ----------------------------------------------------------------------------------------------
# rendering (runs in worker processes: numpy and eSpeak only, no torch)


def _say(engine: ESpeak, clip: dict, rng: np.random.Generator, config: SynthesisConfig) -> tuple[np.ndarray, float]:
    """Raw eSpeak samples of one utterance, with this utterance's small changes of voice."""
    word = clip["word"]
    variants = _PHONEME_VARIANTS.get(word)
    if variants and rng.random() < config.phoneme_variant_prob:
        text = variants[int(rng.integers(len(variants)))]
    else:
        text = word
    text += _PUNCTUATION[int(rng.integers(len(_PUNCTUATION)))]
    rate = clip["rate"] * (1 + rng.uniform(-1, 1) * config.rate_jitter)
    pitch = np.clip(clip["pitch"] + rng.uniform(-1, 1) * config.pitch_jitter, 0, 100)
    warp = clip["warp"] * (1 + rng.uniform(-1, 1) * config.warp_jitter)
    samples = engine.say(text, voice=clip["voice"], rate=int(round(np.clip(rate, 80, 450))), pitch=int(round(pitch)),
                         pitch_range=int(round(clip["pitch_range"])), seed=int(rng.integers(0, 2**31)))
    if samples.size == 0 or not np.any(samples):
        raise RuntimeError(f"eSpeak NG produced no sound for {text!r} with voice {clip['voice']!r} ({clip['path']})")
    return samples, warp


def _wav_bytes(pcm: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.astype("<i2").tobytes())
    return buffer.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    write_bytes_atomic(path, data)


def _render_chunk(job) -> tuple[int, int]:
    """Render one batch of clips into ``out_dir`` and record their checksums in a marker file."""
    index, clips, config_dict, out_dir = job
    out_dir = Path(out_dir)
    config = SynthesisConfig.from_dict(config_dict)
    checksums = {}
    for folder in {Path(clip["path"]).parent for clip in clips}:
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    with ESpeak() as engine:
        for clip in clips:
            rng = np.random.default_rng(np.random.SeedSequence(clip["seed"]))
            samples, warp = _say(engine, clip, rng, config)
            audio = render_clip(samples.astype(np.float64) / 32768.0, ESPEAK_SAMPLE_RATE, rng, config, warp=warp)
            data = _wav_bytes(to_pcm16(audio))
            # the temporary folder is ours alone (locked), so a fixed ".part" name is enough
            target = out_dir / clip["path"]
            part = target.with_name(target.name + ".part")
            part.write_bytes(data)
            os.replace(part, target)
            checksums[clip["path"]] = hashlib.sha256(data).hexdigest()
    _write_atomic(out_dir / _STATE_DIR / f"chunk_{index:05d}.json", json.dumps(checksums).encode())
    return index, len(clips)


def synthesize_word(word: str = "yes", *, seed: int = 0, augment: bool = True,
                    config: SynthesisConfig | None = None):
    """One synthetic utterance of ``word`` by a random synthetic speaker, as the generator makes it.

    With ``augment=False`` you hear the synthesiser alone (centred, no room, microphone or
    noise); with ``augment=True`` the same utterance after the simulated recording chain.

    Args:
        word: one of :data:`SPEECH_COMMANDS_WORDS`.
        seed: picks the speaker and every random choice; same seed, same samples.
        augment: apply the room, microphone, noise and level of :class:`SynthesisConfig`.
        config: the ranges to draw from. Default: ``SynthesisConfig()``.

    Returns:
        ``(waveform, sample_rate, speaker)``: float32 Tensor of shape ``(1, 16000)``, 16000 Hz,
        and a dict describing the synthetic speaker (voice, rate, pitch, pitch range, warp).

    Example:
        >>> waveform, sample_rate, speaker = synthesize_word("no", seed=3)
        >>> tuple(waveform.shape), sample_rate
        ((1, 16000), 16000)
    """
    import torch

    (word,) = _check_words((word,))
    seed = _check_seed(seed)
    config = _check_config(config)
    speaker = _plan_speakers((word,), 1, seed, config)[0]
    clip = _clips_of(speaker, (word,), seed)[0]
    rng = np.random.default_rng(np.random.SeedSequence(clip["seed"]))
    with ESpeak() as engine:
        samples, warp = _say(engine, clip, rng, config)
    audio = render_clip(samples.astype(np.float64) / 32768.0, ESPEAK_SAMPLE_RATE, rng, config, warp=warp,
                        augment=augment)
    waveform = torch.from_numpy(to_pcm16(audio).astype(np.float32) / 32768.0).unsqueeze(0)
    info = {k: speaker[k] for k in ("voice", "rate", "pitch", "pitch_range", "warp")}
    return waveform, SAMPLE_RATE, info


# ----------------------------------------------------------------------------------------------
# the tree: manifest, lists, resumption


def _parameters(words, per_word, seed, config) -> dict:
    return {"words": list(words), "per_word": per_word, "seed": seed, "config": config.to_dict(),
            "generator_version": GENERATOR_VERSION}


def _read_manifest(root: Path) -> dict:
    path = root / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text())
        manifest["parameters"], manifest["files"]  # noqa: B018 - both keys must exist
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"cannot read the dataset manifest {path}: {exc}; delete the folder and synthesise again") from exc
    return manifest


def _missing_files(root: Path, manifest: dict) -> list[str]:
    return [rel for rel in manifest["files"] if not (root / rel).is_file()]


def _complete(root: Path, parameters: dict) -> bool:
    """True if ``root`` holds a finished tree made with ``parameters``; raises if it holds another."""
    if not (root / MANIFEST_NAME).is_file():
        return False
    manifest = _read_manifest(root)
    if manifest["parameters"] != parameters:
        theirs = manifest["parameters"]
        changed = sorted(k for k in set(theirs) | set(parameters) if theirs.get(k) != parameters.get(k))
        raise ValueError(
            f"{root} already holds a synthetic dataset made with different {', '.join(changed)}; "
            "choose another root or delete that folder"
        )
    missing = _missing_files(root, manifest)
    if missing:
        raise ValueError(
            f"the synthetic dataset {root} is damaged: {len(missing)} files listed in its manifest are missing "
            f"(first: {missing[0]}); delete the folder and synthesise again"
        )
    return True


def _processes(requested, n_jobs: int) -> int:
    if requested is None:
        try:
            available = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - macOS, Windows
            available = os.cpu_count() or 1
        requested = available
    requested = check_positive_int(requested, name="processes")
    return max(1, min(requested, n_jobs))


def _run_jobs(jobs, processes: int, progress: bool, total: int, done: int) -> None:
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=done, unit="clip", desc="synthesising", disable=not progress, leave=False)
    try:
        if processes == 1:
            for job in jobs:
                bar.update(_render_chunk(job)[1])
            return
        import multiprocessing

        # fork where it exists: workers need no re-import of the caller's script, and each batch
        # loads a fresh eSpeak engine, so the parent's state never leaks into the audio
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with multiprocessing.get_context(method).Pool(processes) as pool:
            for _, n in pool.imap_unordered(_render_chunk, jobs):
                bar.update(n)
    finally:
        bar.close()


def _write_background_noise(folder: Path, seed: int) -> None:
    """Ten seconds each of white, pink and brown noise and of mains hum, like the real set's
    ``_background_noise_`` folder (which holds recordings and generated noise)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xB6]))
    length = 10 * SAMPLE_RATE
    noises = {
        "white_noise.wav": coloured_noise(rng, length, 0.0),
        "pink_noise.wav": coloured_noise(rng, length, -1.0),
        "brown_noise.wav": coloured_noise(rng, length, -2.0),
        "mains_hum.wav": mains_hum(rng, length) + 0.05 * coloured_noise(rng, length, -1.0),
    }
    for name, noise in noises.items():
        noise = noise / np.abs(noise).max() * 10 ** (-6 / 20)
        _write_atomic(folder / name, _wav_bytes(to_pcm16(noise)))


_README = """# Synthetic Speech Commands (made by audioviz)

A synthetic stand-in for Google's Speech Commands v0.02, in the same layout:
`<word>/<speaker>_nohash_<n>.wav` (16 kHz, mono, 16-bit PCM, exactly one second),
`validation_list.txt` and `testing_list.txt` (split by speaker: no speaker is in two splits),
and `_background_noise_/` (generated noise). Every "speaker" is an eSpeak NG voice (an English
accent and a voice variant) with its own rate, pitch, intonation range and vocal-tract warp; every
clip went through a simulated room, microphone, background noise and recording level.

Words: {words}. Clips per word: {per_word}. Speakers: {speakers}. Seed: {seed}.
Made with audioviz {version} (generator version {generator}); `manifest.json` lists the parameters
and a SHA-256 checksum of every file. Rebuild it with:

    audioviz data synth --root DIR --words {words_csv} --per-word {per_word} --seed {seed}
"""


def synthesize_speech_commands(root, *, words=("yes", "no"), per_word: int = DEFAULT_PER_WORD, seed: int = 0,
                               config: SynthesisConfig | None = None, processes: int | None = None,
                               progress: bool = True) -> Path:
    """Write a synthetic speech-commands dataset in the exact layout of Speech Commands v0.02.

    ``root`` becomes the dataset folder itself (what the real archive unpacks to):
    ``root/<word>/<speaker>_nohash_<n>.wav`` (16 kHz, mono, 16-bit PCM, exactly 16000 samples),
    ``root/validation_list.txt`` and ``root/testing_list.txt`` (about 10 % of the speakers each;
    no speaker in two splits), ``root/_background_noise_/``, a ``README.md``, and
    ``root/manifest.json`` with the parameters, the seed, the audioviz version and a SHA-256 of
    every file. :class:`audioviz.data.SpeechCommands` reads it (pass ``root``).

    The tree is built in ``.<name>.partial`` beside ``root`` and moved into place after its
    manifest is written, so an interrupted run never leaves a tree that looks complete; running
    again resumes it (finished batches are kept). On a complete tree made with the same parameters
    the call checks the manifest and returns at once. Same parameters, same bytes, whatever the
    number of processes.

    Args:
        root: the dataset folder to create (must be new, empty, or an earlier run's result).
        words: words to speak, from :data:`SPEECH_COMMANDS_WORDS`. Default: ``("yes", "no")``.
        per_word: clips per word. Default: 2000.
        seed: seed of every random choice (speakers, split, voices, room, noise).
        config: the random ranges (:class:`SynthesisConfig`). Default: ``SynthesisConfig()``.
        processes: worker processes. Default: one per available CPU core.
        progress: show a progress bar.

    Returns:
        ``root`` as a :class:`pathlib.Path`.

    Raises:
        ValueError: unknown word, bad ``per_word``/``seed``, or ``root`` holds other files or a
            dataset made with other parameters.

    Example:
        >>> from audioviz.data import synthesize_speech_commands, SpeechCommands
        >>> root = synthesize_speech_commands("/tmp/yes_no", per_word=20, progress=False)  # doctest: +SKIP
        >>> len(SpeechCommands(root, subset="training"))  # doctest: +SKIP
        32
    """
    from audioviz import __version__

    root = Path(root).expanduser()
    words = _check_words(words)
    per_word = check_positive_int(per_word, name="per_word")
    seed = _check_seed(seed)
    config = _check_config(config)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    parameters = _parameters(words, per_word, seed, config)
    if _complete(root, parameters):
        return root
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValueError(
            f"root {root} already exists and is not an empty folder (and holds no synthetic dataset); "
            "give a new or empty folder"
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    partial = root.parent / f".{root.name}.partial"
    lock = root.parent / f".{root.name}.lock"
    with exclusive_lock(lock):
        if _complete(root, parameters):  # another process finished it while we waited
            return root
        state = partial / _STATE_DIR
        plan_file = state / "parameters.json"
        if partial.exists():
            try:
                same = json.loads(plan_file.read_text()) == parameters
            except (OSError, ValueError):
                same = False
            if not same:
                shutil.rmtree(partial)
        state.mkdir(parents=True, exist_ok=True)
        _write_atomic(plan_file, json.dumps(parameters).encode())

        speakers = _plan_speakers(words, per_word, seed, config)
        chunks = _chunks(speakers, words, seed)
        config_dict = config.to_dict()
        jobs, done = [], 0
        for i, clips in enumerate(chunks):
            if (state / f"chunk_{i:05d}.json").is_file():
                done += len(clips)
            else:
                jobs.append((i, clips, config_dict, str(partial)))
        _run_jobs(jobs, _processes(processes, len(jobs) or 1), progress, per_word * len(words), done)

        checksums = {}
        for i in range(len(chunks)):
            checksums.update(json.loads((state / f"chunk_{i:05d}.json").read_text()))
        split_of = {s["id"]: s["split"] for s in speakers}
        for subset in ("validation", "testing"):
            lines = sorted(p for p in checksums if split_of[Path(p).name.split("_nohash_")[0]] == subset)
            _write_atomic(partial / f"{subset}_list.txt", "".join(f"{line}\n" for line in lines).encode())
        _write_background_noise(partial / "_background_noise_", seed)
        _write_atomic(partial / "README.md", _README.format(
            words=", ".join(words), words_csv=",".join(words), per_word=per_word, speakers=len(speakers), seed=seed,
            version=__version__, generator=GENERATOR_VERSION).encode())
        files = {}
        for path in sorted(partial.rglob("*")):
            rel = path.relative_to(partial).as_posix()
            if path.is_file() and not rel.startswith(_STATE_DIR) and "/." not in f"/{rel}":
                files[rel] = checksums.get(rel) or hashlib.sha256(path.read_bytes()).hexdigest()
        counts = {s: sum(sp["repeats"] for sp in speakers if sp["split"] == s) * len(words)
                  for s in ("training", "validation", "testing")}
        manifest = {
            "format": "speech_commands_v0.02",
            "generator": "audioviz synthetic speech commands (eSpeak NG)",
            "audioviz_version": __version__,
            "parameters": parameters,
            "sample_rate": SAMPLE_RATE,
            "clip_samples": CLIP_SAMPLES,
            "speakers": len(speakers),
            "clips_per_split": counts,
            "files": files,
        }
        # the manifest is written last: a tree without it is never taken as complete
        _write_atomic(partial / MANIFEST_NAME, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
        if root.exists():
            root.rmdir()
        os.replace(partial, root)
        shutil.rmtree(root / _STATE_DIR, ignore_errors=True)
        # safe while locked: a process waiting on this lock finds the tree complete and returns
        lock.unlink(missing_ok=True)
    return root


# ----------------------------------------------------------------------------------------------
# the cache


def default_data_root() -> Path:
    """The audioviz cache folder: ``$AUDIOVIZ_CACHE`` if set, else ``~/.cache/audioviz``.

    Synthetic datasets (and the tutorials' trained models) live under it.

    Example:
        >>> from audioviz.data import default_data_root
        >>> default_data_root().name  # doctest: +SKIP
        'audioviz'
    """
    env = os.environ.get("AUDIOVIZ_CACHE", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "audioviz"


def _cache_name(words, per_word: int, seed: int, config: SynthesisConfig) -> str:
    digest = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
    return f"synthetic_{'-'.join(words)}_{per_word}_seed{seed}_g{GENERATOR_VERSION}_{digest}"


def ensure_synthetic_dataset(root=None, *, words=("yes", "no"), per_word: int = DEFAULT_PER_WORD, seed: int = 0,
                             config: SynthesisConfig | None = None, progress: bool = True) -> Path:
    """A complete synthetic dataset folder, synthesised on first use and reused afterwards.

    Args:
        root: the dataset folder. Default: a folder under :func:`default_data_root` named after
            the parameters (``speech_commands/synthetic_yes-no_2000_seed0_g3_<config hash>``), so
            each parameter set is made once.
        words, per_word, seed, config, progress: as in :func:`synthesize_speech_commands`.

    Returns:
        The dataset folder, ready for :class:`audioviz.data.SpeechCommands`.

    Example:
        >>> from audioviz.data import SpeechCommands, ensure_synthetic_dataset
        >>> train_set = SpeechCommands(ensure_synthetic_dataset(), subset="training")  # doctest: +SKIP
    """
    words = _check_words(words)
    per_word = check_positive_int(per_word, name="per_word")
    seed = _check_seed(seed)
    config = _check_config(config)
    if root is None:
        root = default_data_root() / "speech_commands" / _cache_name(words, per_word, seed, config)
    return synthesize_speech_commands(root, words=words, per_word=per_word, seed=seed, config=config,
                                      progress=progress)
