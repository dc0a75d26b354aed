"""The training data of :func:`audioviz.model.train`: which folder, and its clips in memory.

Without a ``data`` folder, :func:`default_training_data` synthesises what the words need
(:func:`audioviz.data.ensure_synthetic_dataset`, cached). :func:`load_split` reads one split of a
Speech Commands tree through :class:`audioviz.data.SpeechCommands` (the one clip rule, the
``"_unknown_"``/``"_silence_"`` mapping) into one half-precision tensor: a few thousand
one-second clips fit in memory, so batches are cut from it with no data-loader workers and no
per-epoch disk reads.
"""
from __future__ import annotations

from pathlib import Path

import torch

__all__ = ["default_training_data", "load_split"]


def default_training_data(words, *, progress: bool) -> Path:
    """The cached synthetic tree for ``words``, with the other words, near misses and noise the
    "neither" classes learn from, made on first use. A closed-set model trains on the same tree
    (its keyword clips only), so the two models of the tutorial hear the same yes and no."""
    from audioviz.data import ensure_synthetic_dataset

    return Path(ensure_synthetic_dataset(words=tuple(words), progress=progress))


def load_split(root: Path, subset: str, words, *, neither: bool, sample_rate: int):
    """``(waves, labels, counts)`` of one split: waves a float16 Tensor ``(n, 1, sample_rate)``,
    labels a long Tensor ``(n,)`` of indices into ``words (+ "_unknown_", "_silence_")``, counts
    the clips per label. A clip with NaN or infinite samples is a ValueError naming its file."""
    from audioviz.data import SpeechCommands

    dataset = SpeechCommands(root, subset=subset, words=tuple(words), neither=neither, sample_rate=sample_rate)
    waves = torch.zeros(len(dataset), 1, sample_rate, dtype=torch.float16)
    for i in range(len(dataset)):
        waves[i] = dataset[i][0].to(torch.float16)
        if not bool(torch.isfinite(waves[i]).all()):  # float WAVs may hold samples far beyond [-1, 1]
            raise ValueError(f"{dataset.files[i]} holds samples too large to train on (beyond 65504); "
                             "expected audio in [-1, 1]")
    return waves, torch.tensor(dataset.labels, dtype=torch.long), dataset.counts()
