"""A trained classifier for the tutorials, made once and cached.

The training tutorial and the explanation tutorial both need a model trained with the default
settings. :func:`tutorial_checkpoint` trains it on first use and afterwards returns the cached
file at once, so the documentation trains only once. With the environment variable
``AUDIOVIZ_TUTORIAL_QUICK=1`` (set when the test suite runs the tutorials as notebooks) it trains
a tiny model on a tiny synthetic set instead, in a separate cache folder, in seconds.
"""
from __future__ import annotations

import os
from pathlib import Path

from .._fileio import exclusive_lock

__all__ = ["tutorial_checkpoint"]

#: Bump when the default training recipe changes, so stale cached models are not reused.
RECIPE_VERSION = "v2"
QUICK_ENV = "AUDIOVIZ_TUTORIAL_QUICK"
QUICK_PER_WORD = 40
QUICK_EPOCHS = 2


def quick_mode() -> bool:
    """True when ``AUDIOVIZ_TUTORIAL_QUICK`` is set to something other than ``""``/``0``."""
    return os.environ.get(QUICK_ENV, "").strip() not in ("", "0", "false", "no")


def cache_root() -> Path:
    """The audioviz cache folder (``audioviz.data.default_data_root()``)."""
    from audioviz.data import default_data_root

    return Path(default_data_root())


def tutorial_checkpoint(*, progress: bool = True) -> Path:
    """Path of a trained yes/no checkpoint with the default settings, training it if missing.

    The model lives under the audioviz cache folder
    (``<cache>/models/yes_no_<version>/model.pt``); a finished training run there is reused.
    With ``AUDIOVIZ_TUTORIAL_QUICK=1`` a tiny model (2 epochs on 40 clips per word) is trained
    into ``<cache>/models/yes_no_quick_<version>`` instead: good for checking that the tutorials
    run, useless as a classifier.

    Args:
        progress: show progress bars while training.

    Returns:
        Path of ``model.pt``, readable with :func:`audioviz.model.load_checkpoint`.

    Example:
        >>> from audioviz.model import load_checkpoint, tutorial_checkpoint
        >>> model, info = load_checkpoint(tutorial_checkpoint())  # doctest: +SKIP
    """
    from ._train import train

    quick = quick_mode()
    root = cache_root()
    name = f"yes_no_quick_{RECIPE_VERSION}" if quick else f"yes_no_{RECIPE_VERSION}"
    out_dir = root / "models" / name
    checkpoint = out_dir / "model.pt"
    if checkpoint.exists() and _finished(out_dir):
        return checkpoint
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Two tutorials run at once (parallel docs builds) must not train into one folder together.
    with exclusive_lock(out_dir.parent / f".{name}.lock"):
        if checkpoint.exists() and _finished(out_dir):
            return checkpoint
        if quick:
            from audioviz.data import synthesize_speech_commands

            data = synthesize_speech_commands(root / "speech_commands" / f"synthetic_quick_{RECIPE_VERSION}",
                                              words=("yes", "no"), per_word=QUICK_PER_WORD, seed=0,
                                              progress=progress)
            train(out_dir, data=data, epochs=QUICK_EPOCHS, resume=True, progress=progress)
        else:
            train(out_dir, resume=True, progress=progress)
    return checkpoint


def _finished(out_dir: Path) -> bool:
    import json

    try:
        metrics = json.loads((out_dir / "metrics.json").read_text())
    except (OSError, ValueError):
        return False
    return "test" in metrics
