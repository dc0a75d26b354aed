"""A tiny ctypes binding to eSpeak NG, the formant speech synthesiser shipped in the
``espeakng-loader`` wheel (library and voice data, no system install needed).

Only what the dataset generator needs lives here: the English accents and voice variants found in
the wheel's data folder, and :class:`ESpeak`, which says one word with a given voice, rate, pitch
and pitch range and returns 16-bit samples at eSpeak's own rate (22050 Hz).

eSpeak keeps state between utterances (a pitch-flutter phase, an automatic gain, a random-number
state), so the same call can give slightly different samples depending on what was said before.
:class:`ESpeak` is therefore a context manager that loads the library on entry and unloads it
(``dlclose``) on exit: every ``with ESpeak() as engine:`` block starts from the library's pristine
state, so a batch of clips said in a fixed order gives the same samples in any process. Only one
engine can be open per process at a time (a lock enforces it); the library is never loaded at
import time.

One more state lives outside the library: the breathy Klatt voices (``caleb``, ``Reed``: ``breath``
with ``voicing 0``) draw their noise from the C library's ``rand()``, which
``espeak_ng_SetRandSeed`` does not seed and ``dlclose`` does not reset. Its state depended on
what the process had rendered before, so the same clip came out differently in a worker process
that had rendered other batches (the cause of ``--processes 2`` not being reproducible).
:meth:`ESpeak.say` therefore seeds ``srand`` too, before every utterance.
"""
from __future__ import annotations

import ctypes
import sys
import threading
from pathlib import Path

import numpy as np

#: eSpeak NG's output rate in Hz (fixed by the library).
ESPEAK_SAMPLE_RATE = 22050

#: English accents of eSpeak NG (voice names understood by ``espeak_SetVoiceByName``).
ENGLISH_ACCENTS = (
    "en",  # Great Britain
    "en-us",
    "en-us-nyc",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",  # Lancaster
    "en-gb-x-gbcwmd",  # West Midlands
    "en-029",  # Caribbean
)

# Voice variants that sound like robots or effects rather than people: a model that learns from
# them learns nothing about human speech.
_UNHUMAN_VARIANTS = ("robo", "robot", "demonic", "croak", "klatt6")

# espeak_AUDIO_OUTPUT, espeak_PARAMETER and option constants from speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_ESPEAK_RATE, _ESPEAK_PITCH, _ESPEAK_RANGE = 1, 3, 4
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PHONEMES = 0x100

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


def _loader():
    try:
        import espeakng_loader
    except ImportError as exc:  # pragma: no cover - it is a dependency of audioviz
        raise ImportError(
            "the synthetic speech generator needs eSpeak NG from the 'espeakng-loader' package: "
            "pip install espeakng-loader"
        ) from exc
    return espeakng_loader


def voice_variants() -> tuple[str, ...]:
    """Names of eSpeak NG's voice variants (``m1``, ``f3``, ``klatt2``, ...) that sound human."""
    data = Path(_loader().get_data_path()) / "voices" / "!v"
    names = sorted(p.name for p in data.iterdir() if p.is_file() and " " not in p.name)
    return tuple(n for n in names if not any(bad in n.lower() for bad in _UNHUMAN_VARIANTS))


_ENGINE_LOCK = threading.Lock()


def _libc_srand():
    """The C library's ``srand`` (the one eSpeak NG's ``rand()`` calls use), or None."""
    try:
        libc = ctypes.CDLL(None) if sys.platform != "win32" else ctypes.cdll.msvcrt
        srand = libc.srand
    except (OSError, AttributeError):  # pragma: no cover - exotic platforms
        return None
    srand.argtypes = [ctypes.c_uint]
    srand.restype = None
    return srand


def _unload(lib) -> None:
    import _ctypes

    close = getattr(_ctypes, "dlclose", None) or getattr(_ctypes, "FreeLibrary", None)
    if close is not None:
        close(lib._handle)


class ESpeak:
    """The eSpeak NG engine of this process, producing int16 samples at 22050 Hz.

    Use it as a context manager: the library is loaded fresh on entry and unloaded on exit, so
    every block starts from the same state (same calls in the same order, same samples).

    Examples
    --------
    >>> with ESpeak() as engine:  # doctest: +SKIP
    ...     samples = engine.say("yes", voice="en-us+f2", rate=160, pitch=55, pitch_range=60)
    """

    def __init__(self):
        self._lib = None

    def __enter__(self) -> "ESpeak":
        _ENGINE_LOCK.acquire()
        try:
            self._load()
        except BaseException:
            _ENGINE_LOCK.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            lib, self._lib = self._lib, None
            if lib is not None:
                lib.espeak_Terminate()
                _unload(lib)
        finally:
            _ENGINE_LOCK.release()

    def _load(self) -> None:
        loader = _loader()
        lib = ctypes.CDLL(loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        self._srand = _libc_srand()
        self._phoneme_voice = None
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, loader.get_data_path().encode(), _INITIALIZE_DONT_EXIT)
        if rate != ESPEAK_SAMPLE_RATE:
            raise RuntimeError(f"eSpeak NG failed to start (espeak_Initialize returned {rate})")
        self._lib = lib
        self._chunks: list[np.ndarray] = []
        # keep a reference: ctypes callbacks must outlive their use by C code
        self._callback = _CALLBACK(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, n_samples, events):
        if wav and n_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n_samples,)).copy())
        return 0

    def say(self, text: str, *, voice: str = "en-us", rate: int = 175, pitch: int = 50,
            pitch_range: int = 50, seed: int = 0) -> np.ndarray:
        """Speak ``text`` and return int16 samples of shape ``(time,)`` at 22050 Hz.

        Parameters
        ----------
        text
            the words, or eSpeak phoneme mnemonics inside ``[[...]]``.
        voice
            ``"<accent>"`` or ``"<accent>+<variant>"``, e.g. ``"en-gb-scotland+m3"``.
        rate
            speaking rate in words per minute (80 to 450).
        pitch
            base pitch, 0 to 100 (50 is the voice's normal pitch).
        pitch_range
            pitch range, 0 (monotone) to 100.
        seed
            seed of eSpeak's internal random numbers (breath and Klatt noise).
        """
        if self._lib is None:
            raise RuntimeError("use the engine inside a `with ESpeak() as engine:` block")
        self._phoneme_voice = None
        status = self._lib.espeak_SetVoiceByName(voice.encode())
        if status != 0:
            raise ValueError(f"voice {voice!r} is unknown to eSpeak NG (status {status})")
        self._lib.espeak_SetParameter(_ESPEAK_RATE, int(rate), 0)
        self._lib.espeak_SetParameter(_ESPEAK_PITCH, int(pitch), 0)
        self._lib.espeak_SetParameter(_ESPEAK_RANGE, int(pitch_range), 0)
        self._lib.espeak_ng_SetRandSeed(int(seed) & 0x7FFFFFFF)
        if self._srand is not None:
            self._srand(int(seed) & 0x7FFFFFFF)
        self._chunks.clear()
        buffer = text.encode("utf-8") + b"\0"
        flags = _CHARS_UTF8 | _PHONEMES
        status = self._lib.espeak_Synth(buffer, len(buffer), 0, _POS_CHARACTER, 0, flags, None, None)
        if status != 0:
            raise RuntimeError(f"eSpeak NG could not say {text!r} (status {status})")
        self._lib.espeak_Synchronize()
        samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        self._chunks.clear()
        return samples.astype(np.int16, copy=False)

    def phonemes(self, text: str, *, voice: str = "en-us") -> str:
        """eSpeak's phoneme mnemonics for ``text`` (stress marks included), e.g. ``"n'oU"`` for "no".

        Two words with the same phonemes sound the same ("no" and "know"); the vocabulary uses
        this to keep homophones of a keyword out of the "neither" words.
        """
        if self._lib is None:
            raise RuntimeError("use the engine inside a `with ESpeak() as engine:` block")
        if voice != self._phoneme_voice:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"voice {voice!r} is unknown to eSpeak NG")
            self._phoneme_voice = voice
        buffer = ctypes.c_char_p(text.encode("utf-8"))
        parts = []
        while buffer.value:
            out = self._lib.espeak_TextToPhonemes(ctypes.byref(buffer), _CHARS_UTF8, 0)
            if out:
                parts.append(out.decode("utf-8", "replace").strip())
        return " ".join(p for p in parts if p)
