"""One clip through the keyword CNN, once: the inference record every explanation is drawn from.

:class:`Inference` puts a clip into the model the way :func:`audioviz.model.predict` does (with
:func:`audioviz.model.prepare_clip`, the one rule for turning a recording into the model's input),
runs one forward pass, and keeps everything an explanation needs: the clip, the log-mel image,
every convolution block's maps, the logits and the prediction. One backward pass per output class
through that same forward graph gives Grad-CAM's channel weights, so Grad-CAM, the feature maps,
the listening display and the feature-map explorer all read one record and no clip is prepared or
run twice.

Output classes are ``model.labels`` (the network's output order: the keywords, then, for an
open-set model, ``"_unknown_"`` and ``"_silence_"``); either extra class is answered as
``"neither"``. A closed-set model (``labels == words``) works the same way.
"""
from __future__ import annotations

import torch

from ._common import (
    NEITHER,
    check_model,
    eval_mode,
    logmel_feature,
    model_input,
    model_labels,
    pooled_feature,
    prepared_clip,
    upsample_to,
)

__all__ = ["Inference"]


class Inference:
    """What the model computed for one clip: its input, every layer's maps, logits and answer.

    Build it with :meth:`from_model`; every explanation display has a ``from_inference``
    constructor that reads it, so one clip is prepared and run through the network once.

    Attributes:
        waveform: the clip the model saw, Tensor ``(1, n_samples)`` at :attr:`sample_rate`.
        sample_rate: the model's rate, in Hz.
        notes: what :func:`~audioviz.model.prepare_clip` did to the recording (empty if it fitted).
        frontend: the model's :class:`~audioviz.model.FrontendConfig` (STFT and mel settings).
        logmel: the normalised log-mel image the network sees, Feature ``(1, n_mels, frames)``
            in seconds and mel.
        maps: one Feature ``(channels, rows, frames)`` per convolution block (after its ReLU,
            before pooling), on the input's axes coarsened by the pooling before it;
            ``params["stride"]`` is ``(stride_f, stride_t)``.
        layer_names: ``"conv 1"``, ``"conv 2"``, ...
        logits: Tensor ``(n_labels,)``.
        labels: the network's output classes, in logit order (``model.labels``).
        words: the keywords (``model.words``); any other label is answered ``"neither"``.
        probabilities: dict label -> probability (softmax of the logits), in :attr:`labels` order.
        label: the most probable label; word: that label, or ``"neither"`` if it is no keyword.
        channel_gradients: one Tensor ``(n_labels, channels)`` per block: the gradient of each
            label's logit with respect to each map, averaged over the map (Grad-CAM's weights).

    Example:
        >>> import torch
        >>> from audioviz.model import KeywordCNN, ModelConfig
        >>> inference = Inference.from_model(KeywordCNN(ModelConfig(channels=(4, 6, 8, 8))), torch.zeros(16000))
        >>> [tuple(m.data.shape) for m in inference.maps]
        [(4, 40, 101), (6, 20, 50), (8, 10, 25), (8, 5, 12)]
        >>> tuple(inference.grad_cam("yes").data.shape)
        (1, 5, 12)
    """

    def __init__(self, *, waveform, sample_rate, notes, frontend, logmel, maps, logits, labels, words,
                 channel_gradients):
        self.waveform = waveform
        self.sample_rate = int(sample_rate)
        self.notes = tuple(notes)
        self.frontend = frontend
        self.logmel = logmel
        self.maps = list(maps)
        self.layer_names = [f"conv {i + 1}" for i in range(len(self.maps))]
        self.logits = logits
        self.labels = tuple(labels)
        self.words = tuple(words)
        self.channel_gradients = list(channel_gradients)
        probs = torch.softmax(logits.double(), dim=-1)
        self.probabilities = {label: float(p) for label, p in zip(self.labels, probs)}
        self.label = self.labels[int(torch.argmax(logits))]
        self.word = self.label if self.label in self.words else NEITHER

    @classmethod
    def from_model(cls, model, waveform, sample_rate: int | None = None) -> "Inference":
        """Prepare ``waveform`` for ``model``, run it once, and keep what every layer computed.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            waveform: Tensor or array ``(time,)`` or ``(channel, time)``, any length. It is
                brought to one mono second at the model's rate by
                :func:`~audioviz.model.prepare_clip` (as :func:`~audioviz.model.predict` does),
                with a warning saying what was done.
            sample_rate: rate of ``waveform`` in Hz. Default: the model's.

        Returns:
            The :class:`Inference`. The model's train/eval mode is restored afterwards.
        """
        check_model(model)
        clip, notes = prepared_clip(model, waveform, sample_rate)
        captured = []

        def keep(_module, _inputs, output):
            captured.append(output)

        # Each block's ReLU output is its feature map (KeywordCNN documents blocks[i].relu).
        hooks = [block.relu.register_forward_hook(keep) for block in model.blocks]
        try:
            with eval_mode(model), torch.enable_grad():
                with torch.no_grad():
                    logmel = model.features(model_input(model, clip))
                # The graph starts at the log-mel, so the gradients exist even for a frozen model.
                logits = model.forward_features(logmel.requires_grad_(True))[0]
                gradients = [torch.zeros(len(logits), a.shape[1]) for a in captured]
                for k in range(len(logits)):
                    grads = torch.autograd.grad(logits[k], captured, retain_graph=k < len(logits) - 1)
                    for layer, grad in enumerate(grads):
                        gradients[layer][k] = grad[0].mean(dim=(-2, -1)).detach().cpu()
        finally:
            for hook in hooks:
                hook.remove()
        base = logmel_feature(model, logmel.detach()[0])
        maps = [pooled_feature(base, a.detach()[0], unit="activation") for a in captured]
        return cls(waveform=clip, sample_rate=model.config.frontend.sample_rate, notes=notes,
                   frontend=model.config.frontend, logmel=base, maps=maps, logits=logits.detach().cpu(),
                   labels=model_labels(model), words=model.words, channel_gradients=gradients)

    # -- reading the record

    def label_index(self, label=None) -> int:
        """Position in :attr:`labels` of ``label``: a label, ``"neither"`` or an index.

        ``None`` is the predicted label; ``"neither"`` the more probable of the labels that are no
        keyword (``"_unknown_"``, ``"_silence_"``).
        """
        if label is None:
            return self.labels.index(self.label)
        if isinstance(label, str):
            if label in self.labels:
                return self.labels.index(label)
            others = [i for i, name in enumerate(self.labels) if name not in self.words]
            if label == NEITHER and others:
                return max(others, key=lambda i: float(self.logits[i]))
        elif isinstance(label, int) and not isinstance(label, bool) and 0 <= label < len(self.labels):
            return label
        choices = ", ".join(map(repr, self.labels + ((NEITHER,) if len(self.labels) > len(self.words) else ())))
        raise ValueError(f"word must be one of {choices} or a label index; got {label!r}")

    def layer_index(self, layer) -> int:
        """``layer`` (a block index, negative counting from the end) as ``0 .. n_blocks - 1``."""
        n = len(self.maps)
        if isinstance(layer, bool) or not isinstance(layer, int) or not -n <= layer < n:
            raise ValueError(f"layer must be a block index between {-n} and {n - 1}, got {layer!r}")
        return layer % n

    def grad_cam(self, label=None, *, layer: int = -1, relu: bool = True):
        """Grad-CAM of ``label`` at block ``layer``, on that block's own (coarse) grid.

        ``sum_k alpha_k A_k`` over the block's maps ``A_k``, with ``alpha_k`` the map's
        :attr:`channel_gradients` (Selvaraju et al., 2017): the same numbers as captum's
        :class:`~captum.attr.LayerGradCam` on ``blocks[layer].relu``, without a second forward pass.

        Args:
            label: a label, ``"neither"`` or an index (see :meth:`label_index`). Default: the
                predicted label.
            layer: convolution block. Default: ``-1``, the last (coarsest, most class-specific).
            relu: keep only the positive part (the evidence *for* the label), as Grad-CAM does;
                ``False`` keeps the signed sum (negative: evidence against).

        Returns:
            Feature ``(1, rows, frames)`` of unit ``"relevance"`` (the logit's units per unit of
            activation) on the block's time and mel axes.
        """
        index = self.label_index(label)
        fmap = self.maps[self.layer_index(layer)]
        alpha = self.channel_gradients[self.layer_index(layer)][index]
        cam = torch.einsum("c,crf->rf", alpha.to(fmap.data.dtype), fmap.data)
        if relu:
            cam = cam.clamp_min(0.0)
        return fmap.replace(data=cam.unsqueeze(0), unit="relevance",
                            params={**fmap.params, "label": self.labels[index], "relu": bool(relu)})

    def upsample(self, feature):
        """A coarse map (Feature ``(1, rows, frames)`` on a block's grid) on the log-mel grid.

        Bilinear interpolation by the exact pooling factor: each coarse cell's value lands on the
        centre of the block of input cells it covers. Non-negative maps stay non-negative.
        """
        fine = upsample_to(self.logmel, feature.data[0])
        if float(feature.data.min()) >= 0:
            fine = fine.clamp_min(0.0)
        return self.logmel.replace(data=fine.unsqueeze(0), unit=feature.unit,
                                   params={**self.logmel.params, **{k: v for k, v in feature.params.items()
                                                                    if k in ("label", "relu")}})

    def describe(self) -> str:
        """The answer and every class's probability in words, e.g. ``"neither (other word 91%) ..."``."""
        return describe_probabilities(self.probabilities, self.words)

    def __repr__(self) -> str:
        return f"<Inference: {self.describe()}; {len(self.maps)} blocks>"


def label_name(label: str, words) -> str:
    """How a label reads to a learner: a keyword as itself, ``_unknown_`` as ``neither (other word)``."""
    if label in words:
        return label
    return {"_unknown_": "neither (other word)", "_silence_": "neither (silence)"}.get(label, f"neither ({label})")


def describe_probabilities(probabilities: dict, words) -> str:
    """``"heard 'yes': yes 96%, no 1%, neither (other word) 2%, neither (silence) 1%"``."""
    best = max(probabilities, key=probabilities.get)
    answer = best if best in words else NEITHER
    parts = ", ".join(f"{label_name(label, words)} {p:.0%}" for label, p in probabilities.items())
    return f"heard '{answer}': {parts}"
