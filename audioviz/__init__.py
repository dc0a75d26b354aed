"""audioviz: see how machines hear.

Plotting helpers with true units (seconds, Hz, mel, dB) for waveforms, spectrograms, the mel scale
and MFCC; slider explorers; offline speech data; and a small yes/no CNN that is trained and then
explained. Public names are loaded on first use, so ``import audioviz`` stays fast and never
changes global matplotlib settings.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it. Subpackages (``audioviz.data``, ``audioviz.model``,
# ``audioviz.explain``) are imported as ``audioviz.data`` etc.
_EXPORTS = {
    # audio in and out
    "load_audio": "audioviz.io",
    "save_audio": "audioviz.io",
    # features that carry their own axes
    "Feature": "audioviz.features",
    "MelFilterbank": "audioviz.features",
    "spectrogram": "audioviz.features",
    "mel_spectrogram": "audioviz.features",
    "mel_filterbank": "audioviz.features",
    "mfcc": "audioviz.features",
    "amplitude_to_db": "audioviz.features",
    "hz_to_mel": "audioviz.features",
    "mel_to_hz": "audioviz.features",
    # plot helpers
    "plot_waveform": "audioviz.display",
    "plot_spectrogram": "audioviz.display",
    "plot_feature": "audioviz.display",
    "plot_mel_filterbank": "audioviz.display",
    "plot_mel_scale": "audioviz.display",
    "plot_mel_spectrogram": "audioviz.display",
    "plot_mfcc": "audioviz.display",
    "plot_stft_anatomy": "audioviz.display",
    "show": "audioviz._show",  # not display: show of a file never imports torch
    "style": "audioviz.display",
    "update_feature_image": "audioviz.display",
    "FeatureImage": "audioviz._feature_image",
    "TimeFormatter": "audioviz.display",
    "HzFormatter": "audioviz.display",
    "MelHzFormatter": "audioviz.display",
    # widgets
    "Explorer": "audioviz.widgets",
    "SpectrogramExplorer": "audioviz.widgets",
    "MelExplorer": "audioviz.widgets",
    "StaticSliders": "audioviz.widgets",
    "Recorder": "audioviz.recorder",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        try:
            return importlib.import_module(f"audioviz.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"audioviz.{name}":
                raise
            raise AttributeError(f"module 'audioviz' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
