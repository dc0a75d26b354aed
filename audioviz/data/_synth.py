"""The synthetic speech-commands generator: a folder laid out exactly like Google's Speech
Commands v0.02, made offline from eSpeak NG voices and a simulated recording chain.

:func:`synthesize_speech_commands` plans a population of synthetic speakers (an English accent,
a voice variant, a speaking rate, a pitch, an intonation range and a vocal-tract warp each), has
every speaker say every keyword one to five times, hands the "neither" words (near misses, other
words, cut-off and nonsense words, see ``_vocabulary.py``) and the one-second ``_silence_`` clips
to speakers of the same population, passes each utterance through a room, a microphone and
background noise (``_augment.py``), and writes ``<word>/<speaker>_nohash_<n>.wav`` files (16 kHz,
mono, 16-bit, one second). Speakers, not clips, are split into training, validation and testing,
so no voice is heard in two splits, whatever the category. The tree is built inside the root and
moved into place after its manifest is written (``_tree.py``); an interrupted run resumes where it
stopped, and a complete tree is verified against its manifest and returned at once.
:func:`ensure_synthetic_dataset` keeps one such tree per parameter set in the audioviz cache.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import signal
import wave
from pathlib import Path

import numpy as np

from .._fileio import write_bytes_atomic
from . import _tree
from ._augment import (
    CLIP_SAMPLES,
    SAMPLE_RATE,
    SynthesisConfig,
    background_noises,
    render_clip,
    render_silence,
    to_pcm16,
    trim_silence,
)
from ._espeak import ESPEAK_SAMPLE_RATE, ESpeak
from ._plan import (
    _BYTES_PER_CLIP,
    _CHUNK_CLIPS,
    MAX_CLIPS,
    MAX_KEYWORDS,
    MAX_PER_WORD,
    MAX_PROCESSES,
    MAX_SILENCE,
    SILENCE_FOLDER,
    _check_config,
    _check_count,
    _check_seed,
    _check_unknown,
    _chunks,
    _clips_of,
    _plan,
    _plan_speakers,
    _voice_of,
)
from ._vocabulary import SPEECH_COMMANDS_WORDS, check_words

__all__ = [
    "SPEECH_COMMANDS_WORDS",
    "default_data_root",
    "ensure_synthetic_dataset",
    "synthesize_speech_commands",
    "synthesize_word",
    "verify_synthetic_dataset",
]

#: Bumped whenever the generator would write different audio for the same parameters.
GENERATOR_VERSION = 4
#: Clips per keyword written by default.
DEFAULT_PER_WORD = 2000
MANIFEST_NAME = _tree.MANIFEST_NAME
NOISE_FOLDER = "_background_noise_"
# alternative pronunciations, in eSpeak phoneme mnemonics
_PHONEME_VARIANTS = {
    "yes": ("[[j'Es]]", "[[j'E:s]]", "[[j'es]]", "[[j'Es:]]"),
    "no": ("[[n'oU]]", "[[n'@U]]", "[[n'o:]]", "[[n'0u]]"),
}
_PUNCTUATION = ("", "", ".", "!", "?", ",")


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


def _cut_off(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Only the end of a word (35 to 65 % of it), faded in over 5 ms: a word heard cut off."""
    word = trim_silence(samples.astype(np.float64))
    keep = max(int(len(word) * rng.uniform(0.35, 0.65)), 1)
    part = word[-keep:].copy()
    fade = min(len(part), int(0.005 * ESPEAK_SAMPLE_RATE))
    part[:fade] *= np.linspace(0.0, 1.0, fade)
    return part


def _wav_bytes(pcm: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.astype("<i2").tobytes())
    return buffer.getvalue()


@functools.lru_cache(maxsize=2)
def _backgrounds(seed: int) -> dict:
    return background_noises(seed)


def _render(engine: ESpeak, clip: dict, config: SynthesisConfig, seed: int) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence(clip["seed"]))
    if clip["kind"] == "silence":
        return render_silence(rng, config, _backgrounds(seed))
    samples, warp = _say(engine, clip, rng, config)
    speech = _cut_off(samples, rng) if clip.get("cut") else samples.astype(np.float64) / 32768.0
    return render_clip(speech, ESPEAK_SAMPLE_RATE, rng, config, warp=warp)


def _render_chunk(job) -> tuple[int, int]:
    """Render one batch of clips into ``out_dir`` and record their checksums in a state file."""
    index, clips, config_dict, seed, out_dir = job
    out_dir = Path(out_dir)
    config = SynthesisConfig.from_dict(config_dict)
    checksums = {}
    for folder in {Path(clip["path"]).parent for clip in clips}:
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    with ESpeak() as engine:
        for clip in clips:
            data = _wav_bytes(to_pcm16(_render(engine, clip, config, seed)))
            write_bytes_atomic(out_dir / clip["path"], data)
            checksums[clip["path"]] = hashlib.sha256(data).hexdigest()
    write_bytes_atomic(out_dir / _tree.STATE_DIR / f"chunk_{index:05d}.json", json.dumps(checksums).encode())
    return index, len(clips)


def synthesize_word(word: str = "yes", *, seed: int = 0, augment: bool = True,
                    config: SynthesisConfig | None = None):
    """One synthetic utterance of ``word`` by a random synthetic speaker, as the generator makes it.

    With ``augment=False`` you hear the synthesiser alone (centred, no room, microphone or
    noise); with ``augment=True`` the same utterance after the simulated recording chain.

    Parameters
    ----------
    word : str
        Any lower-case English word (eSpeak NG reads it as English).
    seed : int
        Picks the speaker and every random choice; same seed, same samples.
    augment : bool
        Apply the room, microphone, noise and level of :class:`SynthesisConfig`.
    config : SynthesisConfig, optional
        The ranges to draw from. Default: ``SynthesisConfig()``.

    Returns
    -------
    tuple
        ``(waveform, sample_rate, speaker)``: float32 Tensor of shape ``(1, 16000)``, 16000 Hz,
        and a dict describing the synthetic speaker (voice, rate, pitch, pitch range, warp).

    Examples
    --------
    >>> waveform, sample_rate, speaker = synthesize_word("no", seed=3)
    >>> tuple(waveform.shape), sample_rate
    ((1, 16000), 16000)
    """
    import torch

    (word,) = check_words((word,), name="word")
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
    return waveform, SAMPLE_RATE, _voice_of(speaker)


# ----------------------------------------------------------------------------------------------
# the tree: manifest, lists, resumption


def _complete(folder: Path, parameters: dict) -> bool:
    """True if ``folder`` holds a finished, intact tree made with ``parameters``; raises if it
    holds another or a damaged one."""
    if not (folder / MANIFEST_NAME).is_file():
        return False
    manifest = _tree.read_manifest(folder)
    theirs = manifest["parameters"]
    if theirs != parameters:
        changed = sorted(k for k in set(theirs) | set(parameters) if theirs.get(k) != parameters.get(k))
        raise ValueError(f"{folder} already holds a synthetic dataset made with different {', '.join(changed)}; "
                         "choose another root or delete that folder")
    check = _tree.verify(folder, manifest)
    if check.missing or check.changed:
        first = (check.missing + check.changed)[0]
        raise ValueError(f"the synthetic dataset {folder} is damaged: {len(check.missing)} files listed in its "
                         f"manifest are missing and {len(check.changed)} differ from their SHA-256 (first: {first}); "
                         f"`audioviz data check {folder}` lists them; delete the folder and synthesise again")
    return True


def _processes(requested, n_jobs: int) -> int:
    if requested is None:
        try:
            requested = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - macOS, Windows
            requested = os.cpu_count() or 1
    return max(1, min(requested, n_jobs))


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the pool, the workers stay quiet.
    # A forked worker inherits the parent's SIGTERM handler (the command line's raises), but the
    # pool stops its workers with SIGTERM: there it must simply end the process, quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_jobs(jobs, processes: int, progress: bool, total: int, done: int) -> None:
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=done, unit="clip", desc="synthesising", disable=not progress, leave=False)
    try:
        if processes == 1:
            for job in jobs:
                bar.update(_render_chunk(job)[1])
            return
        import multiprocessing

        # fork where it exists: workers need no re-import of the caller's script; each batch
        # loads a fresh eSpeak engine and seeds every random state it uses, so what a worker did
        # before never changes the audio
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        pool = multiprocessing.get_context(method).Pool(processes, initializer=_ignore_interrupts)
        try:
            for _, n in pool.imap_unordered(_render_chunk, jobs):
                bar.update(n)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    finally:
        bar.close()


_README = """# Synthetic Speech Commands (made by audioviz)

A synthetic stand-in for Google's Speech Commands v0.02, in the same layout:
`<word>/<speaker>_nohash_<n>.wav` (16 kHz, mono, 16-bit PCM, exactly one second),
`validation_list.txt` and `testing_list.txt` (split by speaker: no speaker is in two splits),
and `_background_noise_/` (generated noise). Every "speaker" is an eSpeak NG voice (an English
accent and a voice variant) with its own rate, pitch, intonation range and vocal-tract warp; every
clip went through a simulated room, microphone, background noise and recording level.

Keywords: {words}. Clips per keyword: {per_word}. Other ("unknown") words: {n_unknown}, {unknown_clips}
clips. `_silence_` clips (no word: silence, room tone, noise, hum): {silence}. Speakers: {speakers}.
Seed: {seed}. Made with audioviz {version} (generator version {generator}); `manifest.json` lists
the parameters and a SHA-256 checksum of every file (`audioviz data check DIR` verifies them).
"""


def _write_tree_files(build: Path, parameters: dict, speakers, clips) -> dict:
    """Lists, noise files, README and the manifest, written into the finished build."""
    from audioviz import __version__

    state = build / _tree.STATE_DIR
    checksums = {}
    for path in sorted(state.glob("chunk_*.json")):
        checksums.update(json.loads(path.read_text()))
    split_of = {s["id"]: s["split"] for s in speakers}
    for subset in ("validation", "testing"):
        lines = sorted(p for p in checksums if split_of[Path(p).name.split("_nohash_")[0]] == subset)
        write_bytes_atomic(build / f"{subset}_list.txt", "".join(f"{line}\n" for line in lines).encode())
    for name, noise in background_noises(parameters["seed"]).items():
        write_bytes_atomic(build / NOISE_FOLDER / name, _wav_bytes(to_pcm16(noise)))
    unknown = sorted({c["word"] for c in clips if c["kind"] == "word"} - set(parameters["words"]))
    per_category: dict = {}
    for clip in clips:
        folder = clip["path"].split("/")[0]
        per_category[folder] = per_category.get(folder, 0) + 1
    write_bytes_atomic(build / "README.md", _README.format(
        words=", ".join(parameters["words"]), per_word=parameters["per_word"], n_unknown=len(unknown),
        unknown_clips=sum(per_category[w] for w in unknown), silence=per_category.get(SILENCE_FOLDER, 0),
        speakers=len(speakers), seed=parameters["seed"], version=__version__, generator=GENERATOR_VERSION).encode())
    files = {}
    for dirpath, dirnames, filenames in os.walk(build):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(build).as_posix()
            if not name.startswith(".") and rel != MANIFEST_NAME:
                files[rel] = checksums.get(rel) or hashlib.sha256(path.read_bytes()).hexdigest()
    counts = {}
    for subset in ("training", "validation", "testing"):
        ids = {s["id"] for s in speakers if s["split"] == subset}
        counts[subset] = sum(1 for c in clips if c["path"].split("/")[1].split("_nohash_")[0] in ids)
    return {
        "format": "speech_commands_v0.02",
        "generator": "audioviz synthetic speech commands (eSpeak NG)",
        "audioviz_version": __version__,
        "parameters": parameters,
        "categories": {"keywords": parameters["words"], "unknown": unknown, "silence": SILENCE_FOLDER},
        "clips_per_category": dict(sorted(per_category.items())),
        "sample_rate": SAMPLE_RATE,
        "clip_samples": CLIP_SAMPLES,
        "speakers": len(speakers),
        "clips_per_split": counts,
        "files": dict(sorted(files.items())),
    }


def synthesize_speech_commands(root, *, words=("yes", "no"), per_word: int = DEFAULT_PER_WORD, unknown_words=None,
                               unknown_per_word: int | None = None, silence: int | None = None, seed: int = 0,
                               config: SynthesisConfig | None = None, processes: int | None = None,
                               progress: bool = True) -> Path:
    """Write a synthetic speech-commands dataset in the exact layout of Speech Commands v0.02.

    ``root`` becomes the dataset folder itself (what the real archive unpacks to):
    ``root/<word>/<speaker>_nohash_<n>.wav`` (16 kHz, mono, 16-bit PCM, exactly 16000 samples)
    for every keyword and every "neither" word, ``root/_silence_/`` (one-second clips with no
    word), ``root/_background_noise_/`` (ten-second noise files), ``root/validation_list.txt``
    and ``root/testing_list.txt`` (about 10 % of the speakers each; no speaker in two splits,
    whatever the category), a ``README.md``, and ``root/manifest.json`` with the parameters, the
    categories (``{"keywords": [...], "unknown": [...], "silence": "_silence_"}``) and a SHA-256
    of every file. :class:`audioviz.data.SpeechCommands` reads it.

    Everything is checked before anything is synthesised: the arguments, that ``root`` is new,
    empty or an earlier run's result, that it is writable and that its disk has room. The tree is
    built in a hidden ``.audioviz-build-<random>`` folder inside ``root`` and moved into place
    after its manifest is written, so an interrupted run never leaves a tree that looks complete;
    running again resumes it (finished batches are kept). ``root`` may be a mount point, a
    symlink to a folder, or ``.``. One process at a time writes a root (others wait). On a
    complete tree made with the same parameters the call verifies every file's SHA-256 and
    returns at once. Same parameters, same bytes, whatever the number of processes.

    Parameters
    ----------
    root : str or path
        The dataset folder (new, empty, or an earlier run's result).
    words : sequence of str
        The keywords: any lower-case English words. Default: ``("yes", "no")``.
    per_word : int
        Clips per keyword, 1 to 100000. Default: 2000.
    unknown_words : sequence of str, optional
        The "neither" words, each in its own folder. Default (None): the automatic vocabulary of
        :func:`audioviz.data.neither_vocabulary` (near misses of the keywords, the other Speech
        Commands words, several hundred everyday words, some of them cut off, and nonsense
        words; homophones of a keyword left out). ``()``: none (a closed-set tree).
    unknown_per_word : int, optional
        Clips of each unknown word, 0 to 10000 (with the automatic vocabulary: near misses get 3
        times as many, the other Speech Commands words twice). Default: about 1.5 ``per_word``
        unknown clips in all.
    silence : int, optional
        Number of one-second ``_silence_`` clips, 0 to 200000: digital silence, dither, room
        tone, loud coloured noise, mains hum, cuts of the background files, breaths and clicks,
        at many levels. Default: ``per_word`` (0 for a closed-set tree, ``unknown_words=()``).
    seed : int
        Seed of every random choice (speakers, split, voices, room, noise), 0 to 2**32 - 1.
    config : SynthesisConfig, optional
        The random ranges. Default: ``SynthesisConfig()``.
    processes : int, optional
        Worker processes, 1 to 256. Default: one per available CPU core.
    progress : bool
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        ``root``.

    Raises
    ------
    ValueError, TypeError
        A bad argument (named, with its range), or ``root`` holds other files, a dataset made
        with other parameters, or a damaged one.
    OSError
        ``root`` is a file, a symlink loop, not writable, or its disk is too small.

    Examples
    --------
    >>> from audioviz.data import synthesize_speech_commands, SpeechCommands
    >>> root = synthesize_speech_commands("/tmp/yes_no", per_word=20, progress=False)  # doctest: +SKIP
    """
    words = check_words(words, max_count=MAX_KEYWORDS)
    per_word = _check_count(per_word, name="per_word", low=1, high=MAX_PER_WORD)
    seed = _check_seed(seed)
    config = _check_config(config)
    closed = unknown_words is not None and len(check_words(unknown_words, name="unknown_words", allow_empty=True)) == 0
    unknown = _check_unknown(words, unknown_words, unknown_per_word, per_word, seed)
    silence = _check_count((0 if closed else per_word) if silence is None else silence, name="silence", low=0,
                           high=MAX_SILENCE)
    if processes is not None:
        processes = _check_count(processes, name="processes", low=1, high=MAX_PROCESSES)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    n_clips = per_word * len(words) + sum(count for count, _ in unknown.values()) + silence
    if n_clips > MAX_CLIPS:
        raise ValueError(f"this dataset would hold {n_clips:,} clips, more than the {MAX_CLIPS:,} allowed; "
                         "ask for fewer clips per word or fewer words")
    parameters = {"words": list(words), "per_word": per_word, "unknown": {w: c for w, (c, _) in unknown.items()},
                  "silence": silence, "seed": seed, "config": config.to_dict(), "generator_version": GENERATOR_VERSION}

    folder = _tree.dataset_folder(root)
    if _complete(folder, parameters):
        return Path(root).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    with _tree.hold(folder, progress=progress):
        if _complete(folder, parameters):  # another process finished it while we waited
            return Path(root).expanduser()
        foreign = _tree.foreign_entries(folder)
        if foreign:
            raise ValueError(f"root {folder} is not an empty folder (it holds {', '.join(foreign[:3])}"
                             f"{', ...' if len(foreign) > 3 else ''}) and holds no synthetic dataset; "
                             "give a new or empty folder")
        _tree.check_writable(folder)
        # room for what is still to be written, checked before anything is (a resumed build
        # already holds its finished batches)
        finished = _tree.finished_batches(folder, parameters)
        _tree.check_free_space(folder, max(n_clips - finished * _CHUNK_CLIPS, 0) * _BYTES_PER_CLIP + 8_000_000)
        build = _tree.open_build(folder, parameters)
        state = build / _tree.STATE_DIR
        speakers, clips = _plan(words, per_word, unknown, silence, seed, config)
        chunks = _chunks(clips)
        config_dict = config.to_dict()
        jobs, done = [], 0
        for i, batch in enumerate(chunks):
            if (state / f"chunk_{i:05d}.json").is_file():
                done += len(batch)
            else:
                jobs.append((i, batch, config_dict, seed, str(build)))
        _run_jobs(jobs, _processes(processes, len(jobs) or 1), progress, len(clips), done)
        _tree.remove_stray_temporaries(build)
        manifest = _write_tree_files(build, parameters, speakers, clips)
        # the manifest is written last and moved last: a tree without it is never complete
        write_bytes_atomic(build / MANIFEST_NAME, (json.dumps(manifest, indent=1) + "\n").encode())
        _tree.place(build, folder)
    return Path(root).expanduser()


def verify_synthetic_dataset(root) -> _tree.DatasetCheck:
    """Check a synthetic tree against its manifest: every listed file present with its SHA-256,
    nothing unlisted (hidden files aside).

    Parameters
    ----------
    root : str or path
        The dataset folder (holding ``manifest.json``).

    Returns
    -------
    DatasetCheck
        ``.ok``, and the ``.missing``, ``.changed`` and ``.unexpected`` relative paths.

    Raises
    ------
    ValueError
        ``root`` has no readable manifest.

    Examples
    --------
    >>> from audioviz.data import verify_synthetic_dataset
    >>> verify_synthetic_dataset("/tmp/yes_no").ok  # doctest: +SKIP
    True
    """
    folder = _tree.dataset_folder(root)
    if not folder.is_dir():
        raise FileNotFoundError(f"no dataset folder at {root}")
    return _tree.verify(folder)


# ----------------------------------------------------------------------------------------------
# the cache


def default_data_root() -> Path:
    """The audioviz cache folder (:func:`audioviz._cache.cache_root`): ``$AUDIOVIZ_CACHE`` if
    set, else ``~/.cache/audioviz``. Synthetic datasets live in its ``speech_commands/`` folder.

    Examples
    --------
    >>> from audioviz.data import default_data_root
    >>> default_data_root().is_absolute()
    True
    """
    from .._cache import cache_root

    return cache_root(create=False)


def _cache_name(parameters: dict) -> str:
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()[:10]
    words = "-".join(parameters["words"])
    if len(words) > 40:
        words = words[:40] + f"+{len(parameters['words'])}"
    return f"synthetic_{words}_{parameters['per_word']}_seed{parameters['seed']}_g{GENERATOR_VERSION}_{digest}"


def ensure_synthetic_dataset(root=None, *, words=("yes", "no"), per_word: int = DEFAULT_PER_WORD, unknown_words=None,
                             unknown_per_word: int | None = None, silence: int | None = None, seed: int = 0,
                             config: SynthesisConfig | None = None, processes: int | None = None,
                             progress: bool = True) -> Path:
    """A complete synthetic dataset folder, synthesised on first use and reused afterwards.

    Parameters
    ----------
    root : str or path, optional
        The dataset folder. Default: a folder under ``<cache>/speech_commands/`` named after the
        parameters (``synthetic_yes-no_2000_seed0_g4_<hash>``), so each parameter set is made once.
    words, per_word, unknown_words, unknown_per_word, silence, seed, config, processes, progress
        As in :func:`synthesize_speech_commands`.

    Returns
    -------
    pathlib.Path
        The dataset folder, ready for :class:`audioviz.data.SpeechCommands`.

    Examples
    --------
    >>> from audioviz.data import SpeechCommands, ensure_synthetic_dataset
    >>> root = ensure_synthetic_dataset(words=("up", "down"))  # doctest: +SKIP
    """
    if root is None:
        words = check_words(words, max_count=MAX_KEYWORDS)
        per_word = _check_count(per_word, name="per_word", low=1, high=MAX_PER_WORD)
        seed = _check_seed(seed)
        config = _check_config(config)
        unknown = _check_unknown(words, unknown_words, unknown_per_word, per_word, seed)
        key = {"words": list(words), "per_word": per_word, "unknown": {w: c for w, (c, _) in unknown.items()},
               "silence": silence, "seed": seed, "config": config.to_dict()}
        from .._cache import cache_root

        root = cache_root() / "speech_commands" / _cache_name(key)
    return synthesize_speech_commands(root, words=words, per_word=per_word, unknown_words=unknown_words,
                                      unknown_per_word=unknown_per_word, silence=silence, seed=seed, config=config,
                                      processes=processes, progress=progress)

