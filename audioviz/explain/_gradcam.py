"""Grad-CAM: where in the log-mel image the evidence for each word was.

Grad-CAM (Selvaraju et al., 2017) takes one convolution layer's maps ``A_k``, weighs each channel
by how much the word's score rises when that channel rises (the gradient averaged over the map,
``alpha_k``), and keeps the positive part of ``sum_k alpha_k A_k``. We compute it with captum's
:class:`~captum.attr.LayerGradCam` on the output of a convolution block (after its ReLU), then
upsample the coarse map onto the input log-mel grid so it can be laid over the spectrogram with
true seconds and Hz.
"""
from __future__ import annotations

import numpy as np
import torch

from ._common import (
    check_model,
    draw_feature,
    eval_mode,
    logmel_feature,
    model_input,
    model_clip,
    pooled_feature,
    resolve_axes,
    upsample_to,
)
from ._feature_maps import _capture_module

__all__ = ["GradCAMDisplay", "grad_cam"]


def _layer_index(model, layer) -> int:
    n = len(model.blocks)
    if isinstance(layer, bool) or not isinstance(layer, int) or not -n <= layer < n:
        raise ValueError(f"layer must be a block index between {-n} and {n - 1}, got {layer!r}")
    return layer % n


def _word_index(model, word) -> int:
    if isinstance(word, str):
        if word not in model.words:
            raise ValueError(f"word must be one of {', '.join(map(repr, model.words))}; got {word!r}")
        return model.words.index(word)
    if isinstance(word, int) and not isinstance(word, bool) and 0 <= word < len(model.words):
        return word
    raise ValueError(f"word must be one of {', '.join(map(repr, model.words))} or its index; got {word!r}")


def grad_cam(model, waveform, word=None, *, sample_rate: int | None = None, layer: int = -1):
    """Grad-CAM map of ``word`` for one clip, on the input log-mel grid.

    Args:
        model: a :class:`~audioviz.model.KeywordCNN`.
        waveform: Tensor or array ``(time,)`` or ``(channel, time)``; brought to one second at the
            model's rate (with a warning) if needed.
        word: the word (or its index) whose evidence to map. Default: the predicted word.
        sample_rate: rate of ``waveform`` in Hz. Default: the model's.
        layer: index of the convolution block whose maps are weighed. Default: ``-1``, the last
            (coarsest, most word-specific) one.

    Returns:
        Feature ``(1, n_mels, frames)`` of kind ``"mel"``, unit ``"relevance"``: non-negative,
        in the units of the word's logit per unit of activation, on the log-mel's time and mel axes.

    Example:
        >>> import torch
        >>> from audioviz.model import KeywordCNN
        >>> cam = grad_cam(KeywordCNN(), torch.randn(16000) * 0.1, "yes")
        >>> tuple(cam.data.shape), cam.unit
        ((1, 40, 101), 'relevance')
    """
    check_model(model)
    clip = model_clip(model, waveform, sample_rate)
    result = _compute(model, clip, [word], layer)
    return result["cams"][result["words"][0]]


def _compute(model, clip, words, layer):
    """Log-mel, logits and (fine and coarse) Grad-CAM maps of ``words`` for one fitted clip."""
    from captum.attr import LayerGradCam

    layer = _layer_index(model, layer)
    with eval_mode(model):
        with torch.no_grad():
            logmel = model.features(model_input(model, clip))
            logits = model.forward_features(logmel)[0].cpu()
        predicted = int(torch.argmax(logits))
        indices = [predicted if w is None else _word_index(model, w) for w in words]
        base = logmel_feature(model, logmel[0])
        gradcam = LayerGradCam(model.forward_features, _capture_module(model.blocks[layer]))
        cams, coarse = {}, {}
        for index in indices:
            attribution = gradcam.attribute(logmel.clone().requires_grad_(True), target=index,
                                            relu_attributions=True)
            attribution = attribution.detach()[0, 0].cpu()
            coarse[model.words[index]] = pooled_feature(base, attribution.unsqueeze(0), unit="relevance")
            fine = upsample_to(base, attribution).clamp_min(0.0)
            cams[model.words[index]] = base.replace(data=fine.unsqueeze(0), unit="relevance")
    return dict(logmel=base, logits=logits, words=[model.words[i] for i in indices], cams=cams, coarse=coarse,
                layer=layer, predicted=model.words[predicted])


def _fading(cmap: str, alpha: float):
    """``cmap`` whose opacity rises with the value: no evidence leaves the spectrogram visible."""
    import matplotlib
    from matplotlib.colors import ListedColormap

    colors = matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, 256))
    colors[:, 3] = alpha * np.linspace(0.0, 1.0, 256) ** 0.5
    return ListedColormap(colors, name=f"{cmap}_fading")


class GradCAMDisplay:
    """Grad-CAM over the input log-mel, for the predicted word and for the other word(s).

    Compute with :meth:`from_model`, draw with :meth:`plot`.

    Attributes:
        waveform: the clip, Tensor ``(1, n_samples)``.
        logmel: the input Feature ``(1, n_mels, frames)``.
        words: the words mapped, predicted first.
        predicted: the predicted word.
        probabilities: dict word -> probability.
        cams: dict word -> Feature ``(1, n_mels, frames)`` upsampled onto the log-mel grid.
        coarse_cams: dict word -> Feature at the layer's own (pooled) resolution.
        layer: the block index used.
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: list of the Axes drawn.
        input_image_: AxesImage of the plain log-mel (``None`` without ``show_input``).
        overlay_images_: dict word -> AxesImage of its Grad-CAM.
        colorbar_: the shared Grad-CAM colorbar.
    """

    def __init__(self, *, waveform, logmel, cams, coarse_cams, probabilities, predicted, layer):
        self.waveform = waveform
        self.logmel = logmel
        self.cams = dict(cams)
        self.coarse_cams = dict(coarse_cams)
        self.words = tuple(self.cams)
        self.probabilities = dict(probabilities)
        self.predicted = predicted
        self.layer = layer

    @classmethod
    def from_model(cls, model, waveform, *, sample_rate: int | None = None, words=None,
                   layer: int = -1) -> "GradCAMDisplay":
        """Compute Grad-CAM of ``words`` for one clip.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            waveform: Tensor or array ``(time,)`` or ``(channel, time)``.
            sample_rate: its rate in Hz. Default: the model's.
            words: words (or indices) to map. Default: the predicted word, then every other word.
            layer: convolution block index. Default: ``-1`` (the last).

        Example:
            >>> import torch
            >>> from audioviz.model import KeywordCNN
            >>> disp = GradCAMDisplay.from_model(KeywordCNN(), torch.randn(16000) * 0.1)
            >>> sorted(disp.cams) == sorted(disp.words) == ["no", "yes"]
            True
        """
        check_model(model)
        clip = model_clip(model, waveform, sample_rate)
        if words is None:
            with eval_mode(model), torch.no_grad():
                predicted = int(torch.argmax(model(model_input(model, clip))[0]))
            words = [predicted] + [i for i in range(len(model.words)) if i != predicted]
        elif isinstance(words, (str, int)):
            words = [words]
        result = _compute(model, clip, list(words), layer)
        probs = torch.softmax(result["logits"], dim=-1)
        return cls(waveform=clip, logmel=result["logmel"], cams=result["cams"], coarse_cams=result["coarse"],
                   probabilities={w: float(p) for w, p in zip(model.words, probs)},
                   predicted=result["predicted"], layer=result["layer"])

    def plot(self, *, ax=None, alpha: float = 0.65, cmap: str = "inferno", show_input: bool = True,
             coarse: bool = False) -> "GradCAMDisplay":
        """Draw the input log-mel and, for each word, its Grad-CAM laid over it.

        All words share one colour scale, so a pale map means little evidence, not just a
        different normalisation.

        Args:
            ax: ``None`` (new figure) or as many Axes as panels (``len(words)``, plus one when
                ``show_input``).
            alpha: opacity of the Grad-CAM overlay where the relevance is highest (it fades to
                transparent where there is none).
            cmap: colormap of the overlay.
            show_input: draw the plain log-mel in the first panel.
            coarse: draw the map at the layer's own resolution instead of upsampled.

        Returns:
            ``self``.
        """
        n = len(self.words) + bool(show_input)
        overlay_cmap = _fading(cmap, alpha)
        fig, axes = resolve_axes(ax, n, figsize=(4.2 * n, 3.2))
        cams = self.coarse_cams if coarse else self.cams
        vmax = max(float(c.data.max()) for c in cams.values()) or 1.0
        panels = iter(axes)
        self.input_image_ = None
        if show_input:
            first = next(panels)
            self.input_image_ = draw_feature(first, self.logmel, cmap="gray_r")
            first.set_title("input log-mel")
        self.overlay_images_ = {}
        for i, word in enumerate(self.words):
            panel = next(panels)
            draw_feature(panel, self.logmel, cmap="gray_r", label_y=(i == 0 and not show_input))
            self.overlay_images_[word] = draw_feature(
                panel, cams[word], cmap=overlay_cmap, vmin=0.0, vmax=vmax,
                interpolation="nearest" if coarse else "bilinear", label_y=(i == 0 and not show_input))
            role = "predicted" if word == self.predicted else "not predicted"
            panel.set_title(f"evidence for '{word}' ({role}, p = {self.probabilities[word]:.2f})")
        self.colorbar_ = fig.colorbar(self.overlay_images_[self.words[-1]], ax=axes[-1],
                                      label="Grad-CAM relevance")
        self.figure_, self.axes_ = fig, axes
        return self
