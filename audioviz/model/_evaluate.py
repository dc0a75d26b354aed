"""Measuring a classifier on a dataset: accuracy, recall per answer, false accepts, confusion.

:func:`evaluate` takes any dataset whose items look like :class:`audioviz.data.SpeechCommands`
items, ``(waveform, sample_rate, label, word, speaker)``, so the same call scores the synthetic
test split and real Speech Commands recordings in any of their layouts. Clips are matched by
name, not by label index. Every clip whose word the model does not name (``"_unknown_"``,
``"_silence_"``, or any other word) has ``"neither"`` as its right answer: a closed-set model,
which cannot say "neither", gets all of those wrong, which is exactly what a listener in the real
world would do with it.
"""
from __future__ import annotations

import torch

from ..data._dataset import SILENCE, UNKNOWN, prepare_clip
from ._network import NEITHER
from ._predict import answer_of

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
        if int(sample_rate) != target_rate or waveform.dim() != 2 or tuple(waveform.shape) != (1, target_rate):
            waveform, _ = prepare_clip(waveform, int(sample_rate), target_rate=target_rate)
        waves.append(waveform.float())
        words.append(str(word))
        speakers.append(str(speaker))
        if len(waves) == batch_size:
            yield torch.stack(waves), words, speakers
            waves, words, speakers = [], [], []
    if waves:
        yield torch.stack(waves), words, speakers


def _true_label(word: str, labels: tuple) -> str:
    """The class a clip of ``word`` should get: itself if the model has it, else ``_unknown_``
    (``_silence_`` stays ``_silence_``)."""
    if word in labels:
        return word
    return SILENCE if word == SILENCE else UNKNOWN


def _share(count: int, total: int):
    return count / total if total else None


def evaluate(model, dataset, *, batch_size: int = 128, device=None, details: bool = False, progress: bool = False) -> dict:
    """Score a classifier on every clip of a dataset.

    Parameters
    ----------
    model : KeywordCNN
        Open-set (its ``labels`` end with ``"_unknown_"``, ``"_silence_"``) or closed-set.
    dataset : Dataset
        Items ``(waveform (1, time), sample_rate, label, word, speaker)``, e.g.
        ``audioviz.data.SpeechCommands(root, "testing", words=model.words, neither=True)``. A
        ``word`` that is not one of ``model.words`` (``"_unknown_"``, ``"_silence_"``, ``"go"``,
        ...) counts as a clip whose right answer is ``"neither"``.
    batch_size : int, optional
        Clips per forward pass. Default: ``128``.
    device : str or torch.device, optional
        Where to run. Default: the model's device.
    details : bool, optional
        Also return one record per clip under ``"predictions"``.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    dict
        ``accuracy``: fraction of clips answered right (a keyword, or "neither" for every clip of
        something else). ``per_class``: answer -> recall (the fraction of its clips answered
        right), for each model word with clips and for ``"neither"``. ``false_accept``: ``words``
        = share of the clips of other words (``"_unknown_"`` included) answered as one of the
        model's words, ``silence`` = the same for ``"_silence_"`` clips (``None`` when the data
        has no such clips). ``label_accuracy``: fraction whose raw class is exactly right
        (Speech Commands' 12-category accuracy for the ten-keyword model; other words count as
        ``"_unknown_"``). ``confusion``: list of lists, row = true answer, column = answer given,
        in ``words`` order; ``words``: the model's words, then ``"neither"`` when the model or the
        data has it. ``n``: number of clips. With ``details=True`` also ``predictions``: per clip
        ``index``, ``word`` and ``predicted`` (answers), ``category`` (the dataset's word),
        ``label`` (raw predicted class), ``confidence`` (its probability), ``probabilities``
        (over ``model.labels``) and ``speaker``.

    Raises
    ------
    ValueError
        An empty dataset, or a model with NaN or infinite weights.

    Examples
    --------
    >>> from audioviz.data import SpeechCommands  # doctest: +SKIP
    >>> result = evaluate(model, SpeechCommands(root, "testing", neither=True))  # doctest: +SKIP
    >>> result["per_class"], result["false_accept"]  # doctest: +SKIP
    ({'yes': 0.99, 'no': 0.98, 'neither': 0.97}, {'words': 0.03, 'silence': 0.0})
    """
    if len(dataset) == 0:
        raise ValueError("dataset is empty; expected at least one clip to evaluate")
    broken = [name for name, p in model.named_parameters() if not bool(torch.isfinite(p).all())]
    if broken:
        raise ValueError(f"the model has NaN or infinite weights (in {', '.join(broken[:3])}); it cannot be "
                         "evaluated: train it again")
    words = tuple(model.words)
    labels = tuple(getattr(model, "labels", words))
    target_rate = int(model.config.frontend.sample_rate)
    if device is None:
        device = next(model.parameters()).device
    true_answers, given_answers, exact, kinds = [], [], [], []
    records = []
    was_training = model.training
    model.eval()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(dataset), desc="evaluate", unit="clip")
    try:
        with torch.no_grad():
            for waves, batch_words, speakers in _batches(dataset, batch_size, target_rate):
                probs = torch.softmax(model(waves.to(device)).float().cpu(), dim=1)
                predicted = probs.argmax(dim=1)
                for j, word in enumerate(batch_words):
                    label = labels[int(predicted[j])]
                    truth, answer = answer_of(word, words), answer_of(label, words)
                    true_answers.append(truth)
                    given_answers.append(answer)
                    exact.append(label == _true_label(word, labels))
                    kinds.append("word" if truth != NEITHER else ("silence" if word == SILENCE else "other"))
                    if details:
                        records.append({
                            "index": len(true_answers) - 1,
                            "word": truth,
                            "predicted": answer,
                            "category": word,
                            "label": label,
                            "confidence": float(probs[j, predicted[j]]),
                            "probabilities": {w: float(p) for w, p in zip(labels, probs[j])},
                            "speaker": speakers[j],
                        })
                if bar is not None:
                    bar.update(len(batch_words))
    finally:
        model.train(was_training)
        if bar is not None:
            bar.close()
    n = len(true_answers)
    answers = list(words)
    if NEITHER in true_answers or len(labels) > len(words):
        answers.append(NEITHER)
    position = {a: i for i, a in enumerate(answers)}
    confusion = [[0] * len(answers) for _ in answers]
    for truth, answer in zip(true_answers, given_answers):
        confusion[position[truth]][position[answer]] += 1
    per_class = {}
    for i, answer in enumerate(answers):
        total = sum(confusion[i])
        if total:  # an answer with no clips has no recall; NaN would break JSON, so omit it
            per_class[answer] = confusion[i][i] / total
    accepted = {"other": 0, "silence": 0}
    totals = {"other": 0, "silence": 0}
    for kind, answer in zip(kinds, given_answers):
        if kind in totals:
            totals[kind] += 1
            accepted[kind] += answer != NEITHER
    result = {
        "accuracy": sum(t == a for t, a in zip(true_answers, given_answers)) / n,
        "per_class": per_class,
        "false_accept": {"words": _share(accepted["other"], totals["other"]),
                         "silence": _share(accepted["silence"], totals["silence"])},
        "label_accuracy": sum(exact) / n,
        "confusion": confusion,
        "n": n,
        "words": answers,
        "labels": list(labels),
    }
    if details:
        result["predictions"] = records
    return result
