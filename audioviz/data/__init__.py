"""Speech to learn from, offline: synthetic speech commands and the real Speech Commands.

* :func:`synthesize_speech_commands` writes a synthetic dataset in the exact Speech Commands
  v0.02 layout for any English keywords, with a "neither" side (near misses, other words, cut-off
  and nonsense words in their own folders, and ``_silence_`` clips of silence and noise), made
  from eSpeak NG voices passed through a simulated room, microphone and background noise
  (:class:`SynthesisConfig` holds every range); :func:`ensure_synthetic_dataset` keeps one in the
  cache folder :func:`default_data_root`; :func:`verify_synthetic_dataset` checks a tree against
  its manifest; :func:`synthesize_word` says one word, with or without the simulated recording.
* :func:`neither_vocabulary`, :func:`near_misses` and :data:`VOCABULARY` are the words a keyword
  model must learn to call "neither"; :func:`check_words` is the rule for a word list.
* :class:`SpeechCommands` reads a synthetic or a real Speech Commands v0.02 folder as a torch
  Dataset; :func:`real_speech_commands_root` finds real recordings on this machine
  (``AUDIOVIZ_SPEECH_COMMANDS``, or what :func:`download_speech_commands_test_set` fetched).
* :func:`plot_speech_examples` (:class:`SpeechExamplesDisplay`) draws a gallery of clips per word
  (waveform and spectrogram) with audio players.
"""
from ._augment import SynthesisConfig
from ._dataset import SpeechCommands
from ._gallery import SpeechExamplesDisplay, plot_speech_examples
from ._real import download_speech_commands_test_set, real_speech_commands_root
from ._synth import (
    default_data_root,
    ensure_synthetic_dataset,
    synthesize_speech_commands,
    synthesize_word,
    verify_synthetic_dataset,
)
from ._tree import DatasetCheck
from ._vocabulary import (
    SPEECH_COMMANDS_KEYWORDS,
    SPEECH_COMMANDS_WORDS,
    VOCABULARY,
    check_words,
    near_misses,
    neither_vocabulary,
)

__all__ = [
    "SPEECH_COMMANDS_KEYWORDS",
    "SPEECH_COMMANDS_WORDS",
    "VOCABULARY",
    "DatasetCheck",
    "SpeechCommands",
    "SpeechExamplesDisplay",
    "SynthesisConfig",
    "check_words",
    "default_data_root",
    "download_speech_commands_test_set",
    "ensure_synthetic_dataset",
    "near_misses",
    "neither_vocabulary",
    "plot_speech_examples",
    "real_speech_commands_root",
    "synthesize_speech_commands",
    "synthesize_word",
    "verify_synthetic_dataset",
]
