"""Reading speech-commands folders, synthetic or real, as one torch Dataset.

:class:`SpeechCommands` accepts either form of ``root``:

* the dataset folder itself, holding ``<word>/<speaker>_nohash_<n>.wav``,
  ``validation_list.txt`` and ``testing_list.txt`` (what the v0.02 archive unpacks to, and what
  :func:`audioviz.data.synthesize_speech_commands` writes);
* a folder holding ``SpeechCommands/speech_commands_v0.02/`` (torchaudio's layout, e.g. the real
  sample in ``shared/data/speech_commands_yes_no``, or where ``download=True`` puts the full set).

The file list and the split come from torchaudio's ``SPEECHCOMMANDS``; decoding goes through
soundfile (:func:`audioviz.io.load_audio`), so no FFmpeg is needed. :func:`real_speech_commands_root`
finds the real sample that ships beside the repository, if there is one.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch

from .._validation import check_choice
from ..io import load_audio

__all__ = ["SpeechCommands", "real_speech_commands_root"]

SAMPLE_RATE = 16000
_SUBSETS = ("training", "validation", "testing")
_VERSIONS = ("speech_commands_v0.02", "speech_commands_v0.01")
_NOT_A_WORD = "_background_noise_"
_REAL_SAMPLE = Path("shared") / "data" / "speech_commands_yes_no"


def _is_tree(folder: Path) -> bool:
    """A speech-commands dataset folder: split lists, or word folders of ``*_nohash_*.wav`` files."""
    if (folder / "testing_list.txt").is_file() or (folder / "validation_list.txt").is_file():
        return True
    return folder.is_dir() and any(folder.glob("*/*_nohash_*.wav"))


def _locate(root: Path) -> tuple[Path, dict] | None:
    """``(dataset folder, torchaudio SPEECHCOMMANDS arguments)`` for either form of ``root``."""
    for version in _VERSIONS:
        tree = root / "SpeechCommands" / version
        if _is_tree(tree):
            return tree, {"root": root, "url": version, "folder_in_archive": "SpeechCommands"}
    if _is_tree(root):
        # torchaudio looks for <root>/<folder_in_archive>/<archive name without .tar.gz>
        return root, {"root": root.parent, "url": f"{root.name}.tar.gz", "folder_in_archive": ""}
    return None


def _missing_root_message(root: Path) -> str:
    return (
        f"no speech-commands dataset at {root} (expected <word>/<speaker>_nohash_<n>.wav files with "
        "validation_list.txt and testing_list.txt, or SpeechCommands/speech_commands_v0.02/ inside). "
        "Make a synthetic one with audioviz.data.ensure_synthetic_dataset() or "
        "`audioviz data synth --root DIR`, or download the real set (2.3 GB) with "
        "SpeechCommands(root, download=True)"
    )


class SpeechCommands(torch.utils.data.Dataset):
    """Speech Commands clips of chosen words, from a synthetic or a real v0.02 folder.

    Items are ``(waveform, sample_rate, label_index, word, speaker)``: a float32 Tensor of shape
    ``(1, 16000)`` (one second at 16 kHz, in [-1, 1]), ``16000``, the index of ``word`` in
    ``words``, the word, and the speaker id (the file-name part before ``_nohash_``). Clips
    shorter than one second are padded with silence at the end, longer ones cut; stereo files are
    averaged to mono; other sample rates are resampled to 16 kHz. A file that cannot be decoded or
    holds no samples raises a ValueError naming it.

    Args:
        root: the dataset folder, or a folder holding ``SpeechCommands/speech_commands_v0.02``
            (see the module notes above).
        subset: ``"training"``, ``"validation"`` or ``"testing"`` (the lists in the folder; training
            is every clip in neither list), or None for every clip. Default: ``"training"``.
        words: the words to keep, in label order. Default: ``("yes", "no")``.
        download: download the real Speech Commands v0.02 (2.3 GB) into
            ``root/SpeechCommands/`` with torchaudio if ``root`` holds no dataset. Default: False.

    Attributes:
        root: the dataset folder.
        files: paths of the clips, in item order.
        labels: label index of each clip.
        speakers: speaker id of each clip.

    Raises:
        FileNotFoundError: ``root`` holds no dataset (the message says how to make one).
        ValueError: unknown ``subset``, or a word the folder does not have (the valid ones are listed).

    Example:
        >>> from audioviz.data import SpeechCommands, ensure_synthetic_dataset
        >>> train_set = SpeechCommands(ensure_synthetic_dataset(), subset="training")  # doctest: +SKIP
        >>> waveform, sample_rate, label, word, speaker = train_set[0]  # doctest: +SKIP
        >>> tuple(waveform.shape), sample_rate  # doctest: +SKIP
        ((1, 16000), 16000)
    """

    def __init__(self, root, subset: str | None = "training", words=("yes", "no"), *, download: bool = False):
        from torchaudio.datasets import SPEECHCOMMANDS

        if subset is not None:
            check_choice(subset, _SUBSETS, name="subset")
        if isinstance(words, str):
            words = (words,)
        words = tuple(words)
        if not words or not all(isinstance(w, str) for w in words):
            raise TypeError(f"words must be a non-empty sequence of strings, got {words!r}")
        if len(set(words)) != len(words):
            raise ValueError(f"words must not repeat, got {words!r}")
        root = Path(root).expanduser().resolve()
        located = _locate(root)
        if located is None and download:
            SPEECHCOMMANDS(root, download=True)
            located = _locate(root)
        if located is None:
            raise FileNotFoundError(_missing_root_message(root))
        tree, arguments = located

        available = sorted(p.name for p in tree.iterdir()
                           if p.is_dir() and p.name != _NOT_A_WORD and not p.name.startswith("."))
        unknown = [w for w in words if w not in available]
        if unknown:
            raise ValueError(
                f"words {unknown} are not in the dataset at {tree}; valid words there are: {', '.join(available)}"
            )
        for name in ("validation_list.txt", "testing_list.txt"):
            if subset is not None and not (tree / name).is_file():
                raise FileNotFoundError(f"{tree / name} is missing: without it the {subset!r} split is unknown")

        listing = SPEECHCOMMANDS(arguments["root"], url=arguments["url"], folder_in_archive=arguments["folder_in_archive"],
                                 subset=subset)
        base = Path(arguments["root"]) / arguments["folder_in_archive"]
        index = {w: i for i, w in enumerate(words)}
        self.root = tree
        self.subset = subset
        self.words = words
        self.files: list[Path] = []
        self.labels: list[int] = []
        self.speakers: list[str] = []
        self._utterances: list[int] = []
        for n in range(len(listing)):
            relpath, _, word, speaker, utterance = listing.get_metadata(n)
            if word not in index:
                continue
            path = base / relpath
            if not path.is_file():
                raise FileNotFoundError(f"{path} is listed in the {subset} list of {tree} but does not exist")
            self.files.append(path)
            self.labels.append(index[word])
            self.speakers.append(speaker)
            self._utterances.append(utterance)

    def __len__(self) -> int:
        return len(self.files)

    def get_metadata(self, n: int) -> tuple[Path, int, str, str, int]:
        """``(path, sample_rate, word, speaker, utterance_number)`` of item ``n`` without decoding it."""
        return self.files[n], SAMPLE_RATE, self.words[self.labels[n]], self.speakers[n], self._utterances[n]

    def __getitem__(self, n: int) -> tuple[torch.Tensor, int, int, str, str]:
        if not isinstance(n, int):
            n = int(n)
        path = self.files[n]
        waveform, _ = load_audio(path, sample_rate=SAMPLE_RATE, mono=True)
        if waveform.shape[-1] < SAMPLE_RATE:
            waveform = torch.nn.functional.pad(waveform, (0, SAMPLE_RATE - waveform.shape[-1]))
        waveform = waveform[:, :SAMPLE_RATE].contiguous()
        label = self.labels[n]
        return waveform, SAMPLE_RATE, label, self.words[label], self.speakers[n]

    def counts(self) -> dict[str, int]:
        """Number of clips per word."""
        return {w: self.labels.count(i) for i, w in enumerate(self.words)}

    def __repr__(self) -> str:
        counts = ", ".join(f"{w}: {c}" for w, c in self.counts().items())
        return (f"SpeechCommands(root={str(self.root)!r}, subset={self.subset!r}, {len(self)} clips "
                f"({counts}), {len(set(self.speakers))} speakers)")


def _search_upwards(start: Path, levels: int = 6) -> Path | None:
    for folder in [start, *list(start.parents)[:levels]]:
        candidate = folder / _REAL_SAMPLE
        if _locate(candidate) is not None:
            return candidate
    return None


def real_speech_commands_root() -> Path | None:
    """The folder of real Speech Commands recordings, if this machine has one, else None.

    Looked for, in order: the environment variable ``AUDIOVIZ_SPEECH_COMMANDS``; then
    ``shared/data/speech_commands_yes_no`` in the current folder or up to six folders above it;
    then the same beside or above the audioviz source checkout (a clone with ``../shared`` next
    to it). The result can be passed to :class:`SpeechCommands` as ``root``.

    Example:
        >>> from audioviz.data import SpeechCommands, real_speech_commands_root
        >>> root = real_speech_commands_root()
        >>> real = SpeechCommands(root, subset="testing") if root else None  # doctest: +SKIP
    """
    env = os.environ.get("AUDIOVIZ_SPEECH_COMMANDS", "").strip()
    if env:
        path = Path(env).expanduser()
        if _locate(path) is not None:
            return path
        warnings.warn(f"AUDIOVIZ_SPEECH_COMMANDS={env!r} holds no speech-commands dataset; ignoring it", stacklevel=2)
    for start in (Path.cwd(), Path(__file__).resolve().parents[2]):
        found = _search_upwards(start)
        if found is not None:
            return found
    return None
