"""Reading speech-commands folders, synthetic or real, as one torch Dataset, and the one rule that
turns any recording into the model's one-second clip.

:class:`SpeechCommands` accepts three layouts of ``root``:

* a dataset folder holding ``<word>/<speaker>_nohash_<n>.wav``, ``validation_list.txt`` and
  ``testing_list.txt`` (what the v0.02 archive unpacks to, and what
  :func:`audioviz.data.synthesize_speech_commands` writes), with ``_background_noise_/``;
* a folder holding ``SpeechCommands/speech_commands_v0.02/`` (torchaudio's layout, e.g. the real
  sample in ``shared/data/speech_commands_yes_no``, or where ``download=True`` puts the full set);
* Google's canonical test archive: one folder per category (``yes/ ... go/``, ``_unknown_/``
  holding ``<word>_<speaker>_nohash_<n>.wav`` and ``_silence_/`` holding ``<n>.wav``) and no split
  lists: every clip is a test clip.

With ``neither=True`` every clip of another word is labelled ``"_unknown_"`` and silence clips
``"_silence_"`` (from a ``_silence_/`` folder, or cut from ``_background_noise_/`` at random
levels), Speech Commands' 12-category convention. Decoding goes through soundfile
(:func:`audioviz.io.load_audio`), so no FFmpeg is needed; every clip then goes through
:func:`prepare_clip`, the same rule :func:`audioviz.model.predict` applies.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torchaudio

from .._validation import as_waveform, check_choice, check_sample_rate
from .._resample import resample_waveform
from ..io import load_audio

__all__ = ["SILENCE", "UNKNOWN", "SpeechCommands", "prepare_clip", "real_speech_commands_root"]

SAMPLE_RATE = 16000
UNKNOWN = "_unknown_"
SILENCE = "_silence_"
_SUBSETS = ("training", "validation", "testing")
_VERSIONS = ("speech_commands_v0.02", "speech_commands_v0.01")
_NOT_A_WORD = "_background_noise_"
_LISTS = {"validation": "validation_list.txt", "testing": "testing_list.txt"}
#: RMS level range of the silence clips cut from ``_background_noise_``, in dB re full scale:
#: from a quiet room through a cheap microphone's hiss to a noisy kitchen.
SILENCE_LEVELS_DB = (-75.0, -15.0)


# ----------------------------------------------------------------------------------------------
# the clip rule


def prepare_clip(waveform, sample_rate, *, target_rate: int = SAMPLE_RATE, n_samples: int | None = None):
    """Bring a recording to a mono clip of exactly ``n_samples`` at ``target_rate``.

    The one rule for every clip the classifier sees, in training (:class:`SpeechCommands`),
    prediction, evaluation and explanation: several channels are averaged to mono; another rate
    is resampled; a shorter clip is padded with silence on both sides (the word stays centred); a
    longer one is cut to the window with the most energy (where the word most likely is).

    Parameters
    ----------
    waveform : Tensor or array
        Shape ``(time,)`` or ``(channel, time)``.
    sample_rate : int
        Its rate in Hz.
    target_rate : int, optional
        Rate wanted, in Hz. Default: ``16000``.
    n_samples : int, optional
        Length wanted, in samples. Default: ``target_rate`` (one second).

    Returns
    -------
    clip : Tensor
        Shape ``(1, n_samples)``, float32.
    notes : list of str
        One plain-words note per change (empty when the input already fitted).

    Examples
    --------
    >>> import torch
    >>> clip, notes = prepare_clip(torch.zeros(2, 8000), 8000)
    >>> clip.shape, notes[0]
    (torch.Size([1, 16000]), 'averaged 2 channels to mono')
    """
    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    target_rate = check_sample_rate(target_rate, name="target_rate")
    if n_samples is None:
        n_samples = target_rate
    elif isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive number of samples, got {n_samples!r}")
    n_samples = int(n_samples)
    notes = []
    if wave.shape[0] > 1:
        notes.append(f"averaged {wave.shape[0]} channels to mono")
        wave = wave.mean(dim=0, keepdim=True)
    if sample_rate != target_rate:
        notes.append(f"resampled from {sample_rate} Hz to {target_rate} Hz")
        wave = resample_waveform(wave, sample_rate, target_rate, name="target_rate")
    length = wave.shape[-1]
    seconds, want = length / target_rate, n_samples / target_rate
    if length < n_samples:
        pad = n_samples - length
        wave = torch.nn.functional.pad(wave, (pad // 2, pad - pad // 2))
        notes.append(f"padded {seconds:.3f} s with silence to {want:g} s (clip centred)")
    elif length > n_samples:
        start = _loudest_window(wave[0], n_samples)
        wave = wave[:, start : start + n_samples]
        notes.append(f"cut {seconds:.3f} s to the loudest {want:g} s "
                     f"({start / target_rate:.2f}-{(start + n_samples) / target_rate:.2f} s)")
    return wave.to(torch.float32).contiguous(), notes


def _loudest_window(signal: torch.Tensor, width: int) -> int:
    """Start index of the ``width``-sample window with the most energy (steps of 1 % of it)."""
    energy = torch.nn.functional.pad(signal.double().pow(2).cumsum(0), (1, 0))
    step = max(1, width // 100)
    starts = torch.arange(0, signal.numel() - width + 1, step)
    sums = energy[starts + width] - energy[starts]
    return int(starts[int(torch.argmax(sums))])


# ----------------------------------------------------------------------------------------------
# finding and listing a tree


def _category_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name != _NOT_A_WORD and not p.name.startswith("."))


def _is_tree(folder: Path) -> bool:
    """A speech-commands folder: split lists, word folders of ``*_nohash_*.wav`` files, or the
    canonical test layout's ``_unknown_``/``_silence_`` folders."""
    if not folder.is_dir():
        return False
    if any((folder / name).is_file() for name in _LISTS.values()):
        return True
    if (folder / UNKNOWN).is_dir() or (folder / SILENCE).is_dir():
        return True
    return any(folder.glob("*/*_nohash_*.wav"))


def _locate(root: Path) -> Path | None:
    """The dataset folder inside ``root`` (torchaudio's layout) or ``root`` itself."""
    for version in _VERSIONS:
        tree = root / "SpeechCommands" / version
        if _is_tree(tree):
            return tree
    return root if _is_tree(root) else None


def _parse_name(category: str, stem: str) -> tuple[str, str, int]:
    """``(spoken word, speaker, utterance)`` from a file name such as ``0a7c2a8d_nohash_1`` in
    ``yes/``, ``eight_0a7c2a8d_nohash_1`` in ``_unknown_/`` or ``1024`` in ``_silence_/``."""
    head, sep, tail = stem.partition("_nohash_")
    utterance = int(tail) if tail.isdigit() else 0
    if not sep:
        return category, "", utterance
    if category == UNKNOWN and "_" in head:
        word, speaker = head.split("_", 1)
        return word, speaker, utterance
    return category, head, utterance


def _read_list(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines() if line.strip()}


def _missing_root_message(root: Path) -> str:
    return (
        f"no speech-commands dataset at {root} (expected <word>/<speaker>_nohash_<n>.wav files with "
        "validation_list.txt and testing_list.txt, Google's test layout with _unknown_/ and _silence_/ "
        "folders, or SpeechCommands/speech_commands_v0.02/ inside). "
        "Make a synthetic one with audioviz.data.ensure_synthetic_dataset() or "
        "`audioviz data synth --root DIR`, or download the real set (2.3 GB) with "
        "SpeechCommands(root, download=True)"
    )


def _list_clips(tree: Path, subset: str | None) -> list[tuple[str, Path, str, str, int]]:
    """Every clip of ``subset`` as ``(category folder, path, word, speaker, utterance)``."""
    lists = {name: tree / filename for name, filename in _LISTS.items()}
    has_lists = any(p.is_file() for p in lists.values())
    canonical_test = not has_lists and ((tree / UNKNOWN).is_dir() or (tree / SILENCE).is_dir())
    if subset is not None and not canonical_test:
        for path in lists.values():
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing: without it the {subset!r} split is unknown")
    if canonical_test and subset not in (None, "testing"):
        raise ValueError(
            f"subset={subset!r}, but {tree} has Google's test layout (one folder per category, no split "
            "lists): every clip in it is a test clip; use subset='testing' or None"
        )
    chosen = None
    if subset in _LISTS and not canonical_test:
        chosen = _read_list(lists[subset])
    excluded = set()
    if subset == "training":
        excluded = _read_list(lists["validation"]) | _read_list(lists["testing"])
    clips = []
    for folder in _category_folders(tree):
        for path in sorted(folder.glob("*.wav")):
            rel = f"{folder.name}/{path.name}"
            if (chosen is not None and rel not in chosen) or rel in excluded:
                continue
            clips.append((folder.name, path, *_parse_name(folder.name, path.stem)))
    if chosen is not None:
        listed = {c[0] + "/" + c[1].name for c in clips}
        absent = sorted(chosen - listed)
        if absent:
            raise FileNotFoundError(f"{tree / absent[0]} is listed in the {subset} list of {tree} but does not exist")
    return clips


# ----------------------------------------------------------------------------------------------
# the dataset


class SpeechCommands(torch.utils.data.Dataset):
    """Speech Commands clips of chosen words, from a synthetic or a real folder.

    Items are ``(waveform, sample_rate, label_index, label, speaker)``: a float32 Tensor of shape
    ``(1, sample_rate)`` (one second, in [-1, 1]), the rate in Hz, the index of ``label`` in
    :attr:`classes`, the label (a keyword, or with ``neither=True`` also ``"_unknown_"`` or
    ``"_silence_"``), and the speaker id (the file-name part before ``_nohash_``; ``""`` for
    silence). Every clip goes through :func:`prepare_clip` (mono, resampled, centred or cut to its
    loudest second), the rule prediction uses too. A file that cannot be decoded, holds no samples
    or holds NaN or infinite samples raises a ValueError naming it.

    Parameters
    ----------
    root : str or Path
        The dataset folder, a folder holding ``SpeechCommands/speech_commands_v0.02``, or Google's
        canonical test folder (see the module notes above).
    subset : {"training", "validation", "testing"} or None, optional
        The split (from the folder's lists; training is every clip in neither list; in the
        canonical test layout every clip is a test clip), or None for every clip.
        Default: ``"training"``.
    words : sequence of str, optional
        The keywords, in label order. Default: ``("yes", "no")``.
    neither : bool, optional
        Keep every clip: other words become ``"_unknown_"`` and silence ``"_silence_"`` (the two
        last classes). A keyword the folder does not have then simply has no clips. With ``False``
        (the default) only the keywords' clips are kept, and a keyword the folder lacks is an
        error.
    silence : int, optional
        With ``neither=True`` and no ``_silence_`` folder: how many one-second silence clips to
        cut from ``_background_noise_/``, each at a random level in :data:`SILENCE_LEVELS_DB`
        (the same cuts for the same folder, subset and ``silence``). Default: as many as the
        average keyword has clips.
    sample_rate : int, optional
        Rate of the returned clips, in Hz. Default: ``16000``.
    download : bool, optional
        Download the real Speech Commands v0.02 (2.3 GB) into ``root/SpeechCommands/`` with
        torchaudio if ``root`` holds no dataset. Default: False.

    Attributes
    ----------
    root : Path
        The dataset folder.
    classes : tuple of str
        The label of each label index: ``words`` (then ``"_unknown_"``, ``"_silence_"``).
    files : list of Path
        The file of each clip (for cut silence: the noise file it is cut from).
    labels : list of int
        Label index of each clip.
    categories : list of str
        What each clip holds: the spoken word (also for ``"_unknown_"`` clips) or ``"_silence_"``.
    speakers : list of str
        Speaker id of each clip.

    Raises
    ------
    FileNotFoundError
        ``root`` holds no dataset (the message says how to make one), or a split list is missing.
    ValueError
        Unknown ``subset``, or (with ``neither=False``) a word the folder does not have (the valid
        ones are listed).

    Examples
    --------
    >>> from audioviz.data import SpeechCommands, ensure_synthetic_dataset
    >>> train_set = SpeechCommands(ensure_synthetic_dataset(), subset="training")  # doctest: +SKIP
    >>> waveform, sample_rate, label, word, speaker = train_set[0]  # doctest: +SKIP
    >>> tuple(waveform.shape), sample_rate  # doctest: +SKIP
    ((1, 16000), 16000)
    """

    def __init__(self, root, subset: str | None = "training", words=("yes", "no"), *, neither: bool = False,
                 silence: int | None = None, sample_rate: int = SAMPLE_RATE, download: bool = False):
        if subset is not None:
            check_choice(subset, _SUBSETS, name="subset")
        if isinstance(words, str):
            words = (words,)
        words = tuple(words)
        if not words or not all(isinstance(w, str) for w in words):
            raise TypeError(f"words must be a non-empty sequence of strings, got {words!r}")
        if len(set(words)) != len(words):
            raise ValueError(f"words must not repeat, got {words!r}")
        if not isinstance(neither, bool):
            raise TypeError(f"neither must be True or False, got {neither!r}")
        if neither and set(words) & {UNKNOWN, SILENCE}:
            raise ValueError(f"with neither=True, words must not name {UNKNOWN!r} or {SILENCE!r}: they are added")
        if silence is not None and (isinstance(silence, bool) or not isinstance(silence, (int, np.integer))
                                    or silence < 0):
            raise ValueError(f"silence must be a non-negative number of clips or None, got {silence!r}")
        self.sample_rate = check_sample_rate(sample_rate)
        root = Path(root).expanduser().resolve()
        tree = _locate(root)
        if tree is None and download:
            from torchaudio.datasets import SPEECHCOMMANDS

            SPEECHCOMMANDS(root, download=True)
            tree = _locate(root)
        if tree is None:
            raise FileNotFoundError(_missing_root_message(root))

        clips = _list_clips(tree, subset)
        available = sorted({c[2] for c in clips} | {p.name for p in _category_folders(tree) if p.name != UNKNOWN})
        unknown = [w for w in words if w not in available]
        if unknown and not neither:
            raise ValueError(
                f"words {unknown} are not in the dataset at {tree}; valid words there are: {', '.join(available)}"
            )
        self.root = tree
        self.subset = subset
        self.words = words
        self.neither = neither
        self.classes = words + ((UNKNOWN, SILENCE) if neither else ())
        index = {w: i for i, w in enumerate(self.classes)}
        self.files: list[Path] = []
        self.labels: list[int] = []
        self.categories: list[str] = []
        self.speakers: list[str] = []
        self._utterances: list[int] = []
        self._cuts: list[tuple[float, float] | None] = []
        for folder, path, word, speaker, utterance in clips:
            if folder == SILENCE:
                word = SILENCE
            if word in words:
                label = word
            elif neither:
                label = SILENCE if word == SILENCE else UNKNOWN
            else:
                continue
            self._append(path, index[label], word, speaker, utterance, None)
        if neither and SILENCE not in self.categories:
            self._add_cut_silence(tree, subset, silence, index[SILENCE])
        self._noise_cache: dict[Path, torch.Tensor] = {}

    def _append(self, path, label, category, speaker, utterance, cut):
        self.files.append(path)
        self.labels.append(label)
        self.categories.append(category)
        self.speakers.append(speaker)
        self._utterances.append(utterance)
        self._cuts.append(cut)

    def _add_cut_silence(self, tree: Path, subset, count, label: int) -> None:
        noises = sorted((tree / _NOT_A_WORD).glob("*.wav")) if (tree / _NOT_A_WORD).is_dir() else []
        if not noises:
            return
        if count is None:
            keyword_clips = sum(1 for c in self.categories if c in self.words)
            count = round(keyword_clips / len(self.words))
        # The cuts depend on the subset, so validation silence is not the training silence.
        rng = np.random.default_rng([0x51, _SUBSETS.index(subset) + 1 if subset else 0, int(count)])
        for n in range(int(count)):
            noise = noises[int(rng.integers(len(noises)))]
            position, level = float(rng.random()), float(rng.uniform(*SILENCE_LEVELS_DB))
            self._append(noise, label, SILENCE, "", n, (position, level))

    def __len__(self) -> int:
        return len(self.files)

    def get_metadata(self, n: int) -> tuple[Path, int, str, str, int]:
        """``(path, sample_rate, label, speaker, utterance_number)`` of item ``n`` without decoding it."""
        return self.files[n], self.sample_rate, self.classes[self.labels[n]], self.speakers[n], self._utterances[n]

    def _cut_silence(self, n: int) -> torch.Tensor:
        path = self.files[n]
        if path not in self._noise_cache:
            self._noise_cache[path] = self._load(path, whole=True)
        noise = self._noise_cache[path]
        position, level_db = self._cuts[n]
        start = int(position * max(0, noise.shape[-1] - self.sample_rate))
        clip = noise[:, start : start + self.sample_rate]
        rms = float(clip.pow(2).mean().sqrt())
        gain = 10 ** (level_db / 20) / rms if rms > 0 else 0.0
        clip, _ = prepare_clip(clip * gain, self.sample_rate, target_rate=self.sample_rate)
        return clip

    def _load(self, path: Path, whole: bool = False) -> torch.Tensor:
        waveform, rate = load_audio(path)
        if not bool(torch.isfinite(waveform).all()):
            raise ValueError(f"{path} holds NaN or infinite samples; remove the file or record it again")
        if whole:
            return prepare_clip(waveform, rate, target_rate=self.sample_rate,
                                n_samples=max(1, round(waveform.shape[-1] * self.sample_rate / rate)))[0]
        return prepare_clip(waveform, rate, target_rate=self.sample_rate)[0]

    def __getitem__(self, n: int) -> tuple[torch.Tensor, int, int, str, str]:
        if not isinstance(n, int):
            n = int(n)
        waveform = self._cut_silence(n) if self._cuts[n] is not None else self._load(self.files[n])
        label = self.labels[n]
        return waveform, self.sample_rate, label, self.classes[label], self.speakers[n]

    def counts(self) -> dict[str, int]:
        """Number of clips per label, in :attr:`classes` order."""
        return {w: self.labels.count(i) for i, w in enumerate(self.classes)}

    def __repr__(self) -> str:
        counts = ", ".join(f"{w}: {c}" for w, c in self.counts().items())
        return (f"SpeechCommands(root={str(self.root)!r}, subset={self.subset!r}, {len(self)} clips "
                f"({counts}), {len(set(self.speakers) - {''})} speakers)")


# moved to _real.py (DATA); re-exported so that callers keep working
from ._real import real_speech_commands_root  # noqa: E402
