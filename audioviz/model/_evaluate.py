"""Measuring a classifier on a dataset: accuracy, recall per word and the confusion matrix.

:func:`evaluate` takes any dataset whose items look like :class:`audioviz.data.SpeechCommands`
items, ``(waveform, sample_rate, label, word, speaker)``, so the same call scores the synthetic
test split and real Speech Commands recordings. Words are matched by name, not by label index, so
a dataset whose word order differs from the model's is still scored correctly.
"""
from __future__ import annotations

import torch

from ._predict import prepare_clip

__all__ = ["evaluate"]


def _batches(dataset, batch_size: int, target_rate: int):
    waves, words, speakers = [], [], []
    for i in range(len(dataset)):
        item = dataset[i]
        if not isinstance(item, (tuple, list)) or len(item) < 4:
            raise TypeError(
                "dataset items must be (waveform, sample_rate, label, word, speaker) tuples like "
                f"audioviz.data.SpeechCommands items; item {i} is {type(item).__name__}"
            )
        waveform, sample_rate, _, word = item[:4]
        speaker = item[4] if len(item) > 4 else ""
        waveform = torch.as_tensor(waveform)
        if int(sample_rate) != target_rate or waveform.shape[-1] != target_rate or waveform.dim() != 2 or waveform.shape[0] != 1:
            waveform, _ = prepare_clip(waveform, int(sample_rate), target_rate=target_rate)
        waves.append(waveform.float())
        words.append(str(word))
        speakers.append(str(speaker))
        if len(waves) == batch_size:
            yield torch.stack(waves), words, speakers
            waves, words, speakers = [], [], []
    if waves:
        yield torch.stack(waves), words, speakers


def evaluate(model, dataset, *, batch_size: int = 128, device=None, details: bool = False, progress: bool = False) -> dict:
    """Score a classifier on every clip of a dataset.

    Args:
        model: a :class:`KeywordCNN`.
        dataset: items ``(waveform (1, time), sample_rate, label, word, speaker)``, e.g.
            ``audioviz.data.SpeechCommands(root, "testing")``. Every word must be one of
            ``model.words``.
        batch_size: clips per forward pass. Default: ``128``.
        device: where to run. Default: the model's device.
        details: also return one record per clip under ``"predictions"``.
        progress: show a progress bar.

    Returns:
        dict with ``accuracy`` (fraction correct, 0-1), ``per_class`` (word -> recall: the
        fraction of that word's clips classified correctly), ``confusion`` (list of lists: row =
        true word, column = predicted word, in ``words`` order), ``n`` (number of clips) and
        ``words``. With ``details=True`` also ``predictions``: per clip ``index``, ``word``,
        ``predicted``, ``confidence`` (probability of the predicted word), ``probabilities``
        and ``speaker``.

    Raises:
        ValueError: an empty dataset, or a word the model does not know.

    Example:
        >>> from audioviz.data import SpeechCommands  # doctest: +SKIP
        >>> result = evaluate(model, SpeechCommands(root, "testing"))  # doctest: +SKIP
        >>> result["accuracy"], result["per_class"]  # doctest: +SKIP
        (0.99, {'yes': 0.99, 'no': 0.99})
    """
    if len(dataset) == 0:
        raise ValueError("dataset is empty; expected at least one clip to evaluate")
    words = list(model.words)
    index = {w: i for i, w in enumerate(words)}
    target_rate = int(model.config.frontend.sample_rate)
    if device is None:
        device = next(model.parameters()).device
    confusion = torch.zeros(len(words), len(words), dtype=torch.long)
    records = []
    was_training = model.training
    model.eval()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(dataset), desc="evaluate", unit="clip")
    n_seen = 0
    try:
        with torch.no_grad():
            for waves, batch_words, speakers in _batches(dataset, batch_size, target_rate):
                unknown = sorted(set(batch_words) - set(index))
                if unknown:
                    raise ValueError(f"dataset has words {unknown} the model does not know; model words: {words}")
                probs = torch.softmax(model(waves.to(device)).cpu(), dim=1)
                predicted = probs.argmax(dim=1)
                for j, word in enumerate(batch_words):
                    confusion[index[word], int(predicted[j])] += 1
                    if details:
                        records.append({
                            "index": n_seen + j,
                            "word": word,
                            "predicted": words[int(predicted[j])],
                            "confidence": float(probs[j, predicted[j]]),
                            "probabilities": {w: float(p) for w, p in zip(words, probs[j])},
                            "speaker": speakers[j],
                        })
                n_seen += len(batch_words)
                if bar is not None:
                    bar.update(len(batch_words))
    finally:
        model.train(was_training)
        if bar is not None:
            bar.close()
    n = int(confusion.sum())
    per_class = {}
    for i, w in enumerate(words):
        total = int(confusion[i].sum())
        # A word with no clips in this dataset has no recall; NaN would break JSON, so omit it.
        if total:
            per_class[w] = float(confusion[i, i]) / total
    result = {
        "accuracy": float(confusion.diag().sum()) / n,
        "per_class": per_class,
        "confusion": confusion.tolist(),
        "n": n,
        "words": words,
    }
    if details:
        result["predictions"] = records
    return result
