"""Speech to learn from, offline: synthetic speech commands and the real Speech Commands.

* :func:`synthesize_speech_commands` writes a synthetic yes/no (or any Speech Commands words)
  dataset in the exact Speech Commands v0.02 layout, made from eSpeak NG voices passed through a
  simulated room, microphone and background noise (:class:`SynthesisConfig` holds every range);
  :func:`ensure_synthetic_dataset` keeps one in the cache folder :func:`default_data_root`;
  :func:`synthesize_word` says one word, with or without the simulated recording.
* :class:`SpeechCommands` reads that folder or a real Speech Commands v0.02 folder as a torch
  Dataset; :func:`real_speech_commands_root` finds the real sample shipped beside the repository.
* :func:`plot_speech_examples` (:class:`SpeechExamplesDisplay`) draws a gallery of clips per word
  (waveform and spectrogram) with audio players.
"""
from ._augment import SynthesisConfig
from ._dataset import SpeechCommands, real_speech_commands_root
from ._gallery import SpeechExamplesDisplay, plot_speech_examples
from ._synth import (
    SPEECH_COMMANDS_WORDS,
    default_data_root,
    ensure_synthetic_dataset,
    synthesize_speech_commands,
    synthesize_word,
)

__all__ = [
    "SPEECH_COMMANDS_WORDS",
    "SpeechCommands",
    "SpeechExamplesDisplay",
    "SynthesisConfig",
    "default_data_root",
    "ensure_synthetic_dataset",
    "plot_speech_examples",
    "real_speech_commands_root",
    "synthesize_speech_commands",
    "synthesize_word",
]
