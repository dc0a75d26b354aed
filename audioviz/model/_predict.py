"""Classifying one clip: bring any recording to what the model expects, then predict.

The classifier was trained on one-second mono clips at 16 kHz. :func:`prepare_clip` converts
anything else (stereo, another sample rate, shorter or longer) and records each change as a note
in plain words, so a learner sees what was done to their recording; :func:`predict` then returns
the word, its probability and those notes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch
import torchaudio

from .._validation import as_waveform, check_sample_rate

__all__ = ["Prediction", "predict", "prepare_clip"]


@dataclass
class Prediction:
    """What :func:`predict` returns.

    Attributes:
        word: the predicted word.
        index: its position in ``model.words``.
        probabilities: word -> probability (softmax of the logits), in ``model.words`` order.
        logits: Tensor of shape ``(n_words,)``.
        waveform: the clip the model saw, Tensor of shape ``(1, n_samples)`` at ``sample_rate``.
        sample_rate: in Hz (the model's rate).
        notes: what was done to the input to make it one second at the model's rate.
    """

    word: str
    index: int
    probabilities: dict
    logits: torch.Tensor
    waveform: torch.Tensor
    sample_rate: int
    notes: list = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """Probability of the predicted word."""
        return float(self.probabilities[self.word])

    def __str__(self) -> str:
        probs = ", ".join(f"{w} {p:.1%}" for w, p in self.probabilities.items())
        text = f"{self.word} ({probs})"
        return text + ("".join(f"\n  note: {n}" for n in self.notes))


def prepare_clip(waveform, sample_rate, *, target_rate: int = 16000, n_samples: int | None = None):
    """Bring a recording to a mono clip of exactly ``n_samples`` at ``target_rate``.

    Stereo is averaged to mono; another rate is resampled; a shorter clip is padded with silence
    on both sides (the word stays centred); a longer one is cut to the window with the most
    energy (where the word most likely is).

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``.
        sample_rate: its rate in Hz.
        target_rate: rate wanted, in Hz. Default: ``16000``.
        n_samples: length wanted. Default: ``target_rate`` (one second).

    Returns:
        ``(clip, notes)``: Tensor of shape ``(1, n_samples)`` and a list of strings, one per change
        (empty when the input already fitted).

    Example:
        >>> import torch
        >>> clip, notes = prepare_clip(torch.zeros(2, 8000), 8000)
        >>> clip.shape, notes[0]
        (torch.Size([1, 16000]), 'averaged 2 channels to mono')
    """
    wave = as_waveform(waveform)
    sample_rate = check_sample_rate(sample_rate)
    target_rate = check_sample_rate(target_rate, name="target_rate")
    n_samples = target_rate if n_samples is None else int(n_samples)
    notes = []
    if wave.shape[0] > 1:
        notes.append(f"averaged {wave.shape[0]} channels to mono")
        wave = wave.mean(dim=0, keepdim=True)
    if sample_rate != target_rate:
        notes.append(f"resampled from {sample_rate} Hz to {target_rate} Hz")
        wave = torchaudio.functional.resample(wave, sample_rate, target_rate)
    length = wave.shape[-1]
    seconds = length / target_rate
    want = n_samples / target_rate
    if length < n_samples:
        pad = n_samples - length
        left = pad // 2
        wave = torch.nn.functional.pad(wave, (left, pad - left))
        notes.append(f"padded {seconds:.3f} s with silence to {want:g} s (clip centred)")
    elif length > n_samples:
        start = _loudest_window(wave[0], n_samples)
        wave = wave[:, start : start + n_samples]
        notes.append(
            f"cut {seconds:.3f} s to the loudest {want:g} s "
            f"({start / target_rate:.2f}-{(start + n_samples) / target_rate:.2f} s)"
        )
    return wave.contiguous(), notes


def _loudest_window(signal: torch.Tensor, width: int) -> int:
    """Start index of the ``width``-sample window with the most energy (10 ms steps)."""
    energy = torch.nn.functional.pad(signal.double().pow(2).cumsum(0), (1, 0))
    step = max(1, width // 100)
    starts = torch.arange(0, signal.numel() - width + 1, step)
    sums = energy[starts + width] - energy[starts]
    return int(starts[int(torch.argmax(sums))])


def predict(model, waveform, sample_rate=None) -> Prediction:
    """Classify one recording with a trained :class:`KeywordCNN`.

    Args:
        model: a :class:`KeywordCNN` (e.g. from :func:`load_checkpoint`).
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``, any length, or a
            path to an audio file.
        sample_rate: its rate in Hz (read from the file when ``waveform`` is a path).

    Returns:
        A :class:`Prediction` (word, probabilities, the one-second clip used, notes on what was
        done to the input).

    Example:
        >>> import torch
        >>> from audioviz.model import KeywordCNN
        >>> pred = predict(KeywordCNN().eval(), torch.zeros(24000), 16000)
        >>> pred.word in ("yes", "no"), pred.notes
        (True, ['cut 1.500 s to the loudest 1 s (0.00-1.00 s)'])
    """
    if isinstance(waveform, (str, os.PathLike)):
        from ..io import load_audio

        waveform, file_rate = load_audio(waveform)
        sample_rate = file_rate if sample_rate is None else sample_rate
    if sample_rate is None:
        raise TypeError("sample_rate is required when waveform is a Tensor or array (rate in Hz)")
    frontend = model.config.frontend
    clip, notes = prepare_clip(waveform, sample_rate, target_rate=frontend.sample_rate)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(clip.unsqueeze(0).to(device))[0].cpu()
    model.train(was_training)
    probs = torch.softmax(logits, dim=0)
    index = int(torch.argmax(probs))
    return Prediction(
        word=model.words[index],
        index=index,
        probabilities={w: float(p) for w, p in zip(model.words, probs)},
        logits=logits,
        waveform=clip,
        sample_rate=frontend.sample_rate,
        notes=notes,
    )
