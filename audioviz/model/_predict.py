"""Classifying one clip: bring any recording to what the model expects, then predict.

The classifier was trained on one-second mono clips at its sample rate. :func:`prepare_clip` (the
one clip rule, shared with training data in :class:`audioviz.data.SpeechCommands`) converts
anything else (stereo, another sample rate, shorter or longer) and records each change as a note
in plain words, so a learner sees what was done to their recording; :func:`predict` then returns
the answer (a keyword or ``"neither"``), the raw class, the probabilities and those notes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch

from ..data._dataset import prepare_clip
from ._network import NEITHER

__all__ = ["Prediction", "answer_of", "predict", "prepare_clip"]


def answer_of(label: str, words) -> str:
    """The answer a raw class stands for: the keyword itself, or ``"neither"`` for anything else
    (``"_unknown_"``, ``"_silence_"``, or a word that is not one of ``words``).

    Examples
    --------
    >>> answer_of("_silence_", ("yes", "no")), answer_of("no", ("yes", "no"))
    ('neither', 'no')
    """
    return label if label in tuple(words) else NEITHER


@dataclass
class Prediction:
    """What :func:`predict` returns.

    Attributes
    ----------
    word : str
        The answer: one of ``model.words``, or ``"neither"`` when the model heard another word or
        no speech (its class is ``"_unknown_"`` or ``"_silence_"``).
    label : str
        The raw predicted class, one of ``model.labels``.
    index : int
        Position of ``label`` in ``model.labels`` (the logit index).
    probabilities : dict
        Label -> probability (softmax of the logits) over every class of ``model.labels``, in
        that order; sums to 1.
    logits : Tensor
        Shape ``(n_labels,)``.
    waveform : Tensor
        The clip the model saw, shape ``(1, n_samples)`` at ``sample_rate``.
    sample_rate : int
        In Hz (the model's rate).
    notes : list of str
        What was done to the input to make it one second at the model's rate.
    """

    word: str
    label: str
    index: int
    probabilities: dict
    logits: torch.Tensor
    waveform: torch.Tensor
    sample_rate: int
    notes: list = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """Probability of the predicted class :attr:`label`."""
        return float(self.probabilities[self.label])

    def __str__(self) -> str:
        probs = ", ".join(f"{w} {p:.1%}" for w, p in self.probabilities.items())
        head = self.word if self.word == self.label else f"{self.word} [{self.label}]"
        return f"{head} ({probs})" + "".join(f"\n  note: {n}" for n in self.notes)


def predict(model, waveform, sample_rate=None) -> Prediction:
    """Classify one recording with a trained :class:`KeywordCNN`.

    Parameters
    ----------
    model : KeywordCNN
        E.g. from :func:`load_checkpoint`.
    waveform : Tensor, array, str or Path
        Shape ``(time,)`` or ``(channel, time)``, any length, or a path to an audio file.
    sample_rate : int, optional
        Its rate in Hz (read from the file when ``waveform`` is a path).

    Returns
    -------
    Prediction
        The answer (keyword or ``"neither"``), the raw class, probabilities over ``model.labels``,
        the one-second clip used and notes on what was done to the input.

    Examples
    --------
    >>> import torch
    >>> from audioviz.model import KeywordCNN
    >>> pred = predict(KeywordCNN().eval(), torch.zeros(24000), 16000)
    >>> pred.word in ("yes", "no", "neither"), round(sum(pred.probabilities.values()), 6), pred.notes
    (True, 1.0, ['cut 1.500 s to the loudest 1 s (0.00-1.00 s)'])
    """
    if isinstance(waveform, (str, os.PathLike)):
        from ..io import load_audio

        waveform, file_rate = load_audio(waveform)
        sample_rate = file_rate if sample_rate is None else sample_rate
    if sample_rate is None:
        raise TypeError("sample_rate is required when waveform is a Tensor or array (rate in Hz)")
    rate = model.sample_rate
    clip, notes = prepare_clip(waveform, sample_rate, target_rate=rate)
    if not bool(torch.isfinite(clip).all()):
        raise ValueError("waveform holds NaN or infinite samples; expected finite samples in [-1, 1]")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits = model(clip.unsqueeze(0).to(device))[0].cpu()
    finally:
        model.train(was_training)
    probs = torch.softmax(logits, dim=0)
    index = int(torch.argmax(probs))
    labels = tuple(getattr(model, "labels", model.words))
    return Prediction(
        word=answer_of(labels[index], model.words),
        label=labels[index],
        index=index,
        probabilities={w: float(p) for w, p in zip(labels, probs)},
        logits=logits,
        waveform=clip,
        sample_rate=rate,
        notes=notes,
    )
