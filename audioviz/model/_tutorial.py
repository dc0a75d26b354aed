"""Trained classifiers for the tutorials, made once and cached.

The training tutorial and the explanation tutorial need a model trained with the default settings
(yes, no or neither), and the training tutorial also the closed-set two-word model whose failure
it shows. :func:`tutorial_checkpoint` trains each on first use and afterwards returns the cached
file at once, so the documentation trains only once. With the environment variable
``AUDIOVIZ_TUTORIAL_QUICK=1`` (set when the test suite runs the tutorials as notebooks) it trains
a tiny model on a tiny synthetic set instead, in a separate cache folder, in seconds.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .._cache import cache_root
from .._fileio import exclusive_lock

__all__ = ["RECIPE_VERSION", "tutorial_quick_mode", "tutorial_checkpoint"]

#: Bump when the default training recipe (or the clip rule) changes, so stale cached models are
#: not reused. v3: "neither" classes, one clip rule (centred padding, loudest second). v4: eSpeak
#: speaking rates 90-250 words per minute, mixup, mel and time warps. v5: label smoothing 0.15.
#: v6: speaking rates 90-320 words per minute.
RECIPE_VERSION = "v6"
QUICK_ENV = "AUDIOVIZ_TUTORIAL_QUICK"
QUICK_PER_WORD = 40
QUICK_EPOCHS = 2
#: The tiny "neither" side of the quick data: a near miss, a few other words, some silence.
QUICK_UNKNOWN_WORDS = ("go", "nose", "up", "left", "stop")
QUICK_UNKNOWN_PER_WORD = 16
QUICK_SILENCE = 40


def tutorial_quick_mode() -> bool:
    """True when ``AUDIOVIZ_TUTORIAL_QUICK`` is set to something other than ``""``/``0``/``false``/``no``.

    Examples
    --------
    >>> isinstance(tutorial_quick_mode(), bool)
    True
    """
    return os.environ.get(QUICK_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _quick_data(root: Path, progress: bool) -> Path:
    from audioviz.data import synthesize_speech_commands

    return synthesize_speech_commands(
        root / "speech_commands" / f"synthetic_quick_{RECIPE_VERSION}", words=("yes", "no"),
        per_word=QUICK_PER_WORD, unknown_words=QUICK_UNKNOWN_WORDS, unknown_per_word=QUICK_UNKNOWN_PER_WORD,
        silence=QUICK_SILENCE, seed=0, progress=progress)


def tutorial_checkpoint(*, neither: bool = True, progress: bool = True) -> Path:
    """Path of a trained yes/no checkpoint with the default settings, training it if missing.

    The model lives under the audioviz cache folder
    (``<cache>/models/yes_no_<version>/model.pt``; the closed-set one in
    ``yes_no_closed_<version>``); a finished training run there is reused. With
    ``AUDIOVIZ_TUTORIAL_QUICK=1`` a tiny model (2 epochs on 40 clips per word) is trained into
    ``<cache>/models/yes_no_quick_<version>`` instead: good for checking that the tutorials run,
    useless as a classifier.

    Parameters
    ----------
    neither : bool, optional
        The default open-set model (yes, no or neither); ``False``: the closed-set two-word model
        (``train(neither=False)``), which must call everything "yes" or "no". Default: ``True``.
    progress : bool, optional
        Show progress bars while training.

    Returns
    -------
    Path
        Of ``model.pt``, readable with :func:`audioviz.model.load_checkpoint`.

    Examples
    --------
    >>> from audioviz.model import load_checkpoint, tutorial_checkpoint
    >>> model, info = load_checkpoint(tutorial_checkpoint())  # doctest: +SKIP
    """
    from ._train import train

    quick = tutorial_quick_mode()
    root = cache_root()
    name = "yes_no" + ("" if neither else "_closed") + ("_quick" if quick else "") + f"_{RECIPE_VERSION}"
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
            train(out_dir, data=_quick_data(root, progress), neither=neither, epochs=QUICK_EPOCHS, resume=True,
                  progress=progress)
        else:
            train(out_dir, neither=neither, resume=True, progress=progress)
    return checkpoint


def _finished(out_dir: Path) -> bool:
    try:
        metrics = json.loads((out_dir / "metrics.json").read_text())
    except (OSError, ValueError):
        return False
    return "test" in metrics
