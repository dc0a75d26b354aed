"""Grad-CAM: where in the log-mel image the evidence for each class was.

Grad-CAM (Selvaraju et al., 2017) takes one convolution layer's maps ``A_k``, weighs each channel
by how much the class's score rises when that channel rises (the gradient averaged over the map,
``alpha_k``), and keeps the positive part of ``sum_k alpha_k A_k``. The maps and the gradients come
from the clip's one :class:`~audioviz.explain.Inference` (the numbers captum's
:class:`~captum.attr.LayerGradCam` gives on a block's ReLU, without running the clip again); the
coarse map is then upsampled onto the input log-mel grid so it can be laid over the spectrogram
with true seconds and Hz.

For the last block of :class:`~audioviz.model.KeywordCNN`, followed only by global average
pooling and one linear layer, ``alpha_k`` is the linear weight ``w_ck`` divided by the number of
cells, so Grad-CAM there *is* the class activation map (CAM, Zhou et al., 2016) up to that
constant factor.
"""
from __future__ import annotations

import numpy as np

from ._common import draw_feature, resolve_axes
from ._inference import Inference, describe_probabilities, label_name

__all__ = ["GradCAMDisplay", "grad_cam"]


def grad_cam(model, waveform, word=None, *, sample_rate: int | None = None, layer: int = -1):
    """Grad-CAM map of ``word`` for one clip, on the input log-mel grid.

    Args:
        model: a :class:`~audioviz.model.KeywordCNN`.
        waveform: Tensor or array ``(time,)`` or ``(channel, time)``; brought to one second at the
            model's rate (with a warning) if needed.
        word: the class whose evidence to map: one of ``model.labels``, ``"neither"`` (the more
            probable of the non-keyword classes) or a label index. Default: the predicted class.
        sample_rate: rate of ``waveform`` in Hz. Default: the model's.
        layer: index of the convolution block whose maps are weighed. Default: ``-1``, the last
            (coarsest, most class-specific) one.

    Returns:
        Feature ``(1, n_mels, frames)`` of kind ``"mel"``, unit ``"relevance"``: non-negative,
        in the units of the class's logit per unit of activation, on the log-mel's time and mel
        axes. ``params["label"]`` names the class.

    Example:
        >>> import torch
        >>> from audioviz.model import KeywordCNN
        >>> cam = grad_cam(KeywordCNN(), torch.randn(16000) * 0.1, "yes")
        >>> tuple(cam.data.shape), cam.unit
        ((1, 40, 101), 'relevance')
    """
    inference = Inference.from_model(model, waveform, sample_rate)
    return inference.upsample(inference.grad_cam(word, layer=layer))


def _fading(cmap: str, alpha: float, *, signed: bool = False):
    """``cmap`` whose opacity rises with the value (with its distance from the middle when
    ``signed``): no evidence leaves the spectrogram visible."""
    import matplotlib
    from matplotlib.colors import ListedColormap

    colors = matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, 256))
    ramp = np.abs(np.linspace(-1.0, 1.0, 256)) if signed else np.linspace(0.0, 1.0, 256)
    colors[:, 3] = alpha * ramp ** 0.5
    return ListedColormap(colors, name=f"{cmap}_fading")


def _default_labels(inference: Inference) -> list:
    """The predicted class first, then every keyword it is not."""
    return [inference.label] + [w for w in inference.words if w != inference.label]


class GradCAMDisplay:
    """Grad-CAM over the input log-mel, for the predicted class and for the other keywords.

    Compute with :meth:`from_model` (or :meth:`from_inference`), draw with :meth:`plot`.

    Args:
        inference: the :class:`Inference` of the clip.
        words: classes to map (labels, ``"neither"`` or indices). Default: the predicted class,
            then every other keyword.
        layer: convolution block index. Default: ``-1`` (the last).
        relu: keep only the positive evidence (Grad-CAM's definition); ``False`` keeps the signed
            weighted sum, so evidence *against* a class shows too.

    Attributes:
        inference: the clip's record.
        waveform: the clip, Tensor ``(1, n_samples)``.
        logmel: the input Feature ``(1, n_mels, frames)``.
        words: the labels mapped, in panel order.
        predicted: the predicted label (the key of its map); word: the answer it means (a keyword
            or ``"neither"``).
        probabilities: dict label -> probability over every output class.
        cams: dict label -> Feature ``(1, n_mels, frames)`` upsampled onto the log-mel grid.
        coarse_cams: dict label -> Feature at the layer's own (pooled) resolution.
        layer: the block index used (``0 .. n_blocks - 1``).
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: list of the Axes drawn.
        input_image_: AxesImage of the plain log-mel (``None`` without ``show_input``).
        overlay_images_: dict label -> AxesImage of its Grad-CAM.
        notes_: dict label -> Text written on a panel whose map is empty (no positive evidence).
        colorbar_: the shared Grad-CAM colorbar.
    """

    def __init__(self, inference: Inference, *, words=None, layer: int = -1, relu: bool = True):
        if not isinstance(inference, Inference):
            raise TypeError(f"inference must be an audioviz.explain.Inference, got {type(inference).__name__}")
        if isinstance(words, (str, int)):
            words = [words]
        wanted = _default_labels(inference) if words is None else list(words)
        labels = list(dict.fromkeys(inference.labels[inference.label_index(w)] for w in wanted))
        self.inference = inference
        self.waveform = inference.waveform
        self.logmel = inference.logmel
        self.layer = inference.layer_index(layer)
        self.relu = bool(relu)
        self.coarse_cams = {label: inference.grad_cam(label, layer=self.layer, relu=self.relu) for label in labels}
        self.cams = {label: inference.upsample(cam) for label, cam in self.coarse_cams.items()}
        self.words = tuple(labels)
        self.probabilities = inference.probabilities
        self.predicted = inference.label
        self.word = inference.word

    @classmethod
    def from_inference(cls, inference: Inference, *, words=None, layer: int = -1,
                       relu: bool = True) -> "GradCAMDisplay":
        """Grad-CAM of a clip already run through the model (no second pass); arguments as above."""
        return cls(inference, words=words, layer=layer, relu=relu)

    @classmethod
    def from_model(cls, model, waveform, *, sample_rate: int | None = None, words=None, layer: int = -1,
                   relu: bool = True) -> "GradCAMDisplay":
        """Run one clip through ``model`` (one :class:`Inference`) and compute Grad-CAM of ``words``.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            waveform: Tensor or array ``(time,)`` or ``(channel, time)``.
            sample_rate: its rate in Hz. Default: the model's.
            words, layer, relu: as in the class description.

        Example:
            >>> import torch
            >>> from audioviz.model import KeywordCNN
            >>> disp = GradCAMDisplay.from_model(KeywordCNN(), torch.randn(16000) * 0.1)
            >>> disp.words[0] == disp.predicted, {"yes", "no"} <= set(disp.cams)
            (True, True)
        """
        return cls(Inference.from_model(model, waveform, sample_rate), words=words, layer=layer, relu=relu)

    def plot(self, *, ax=None, alpha: float = 0.65, cmap: str | None = None, show_input: bool = True,
             coarse: bool = False, ncols: int | None = None) -> "GradCAMDisplay":
        """Draw the input log-mel and, for each class, its Grad-CAM laid over it.

        The log-mel underneath is drawn in inverted grey (loud = dark) so that the coloured map,
        which fades to transparent where there is no evidence, stands out on it. All classes
        share one colour scale, so a pale map means little evidence, not just a different
        normalisation. A panel whose map is zero everywhere says so in words: at that layer the
        weighted sum of the maps is negative everywhere (evidence against, cut by the ReLU).

        Args:
            ax: ``None`` (a new figure, as every multi-panel display of :mod:`audioviz.explain`
                does) or as many Axes as panels (``len(words)``, plus one with ``show_input``).
            alpha: opacity of the overlay where the relevance is highest.
            cmap: colormap of the overlay. Default: ``"inferno"``; ``"RdBu_r"`` (red for, blue
                against, on a scale symmetric about 0) for signed maps (``relu=False``).
            show_input: draw the plain log-mel in the first panel.
            coarse: draw the map at the layer's own resolution instead of upsampled.
            ncols: panels per row of a new figure. Default: all in one row up to three, else
                two or three per row.

        Returns:
            ``self``.
        """
        n = len(self.words) + bool(show_input)
        if ncols is None:
            ncols = n if n <= 3 else (2 if n == 4 else 3)
        signed = not self.relu
        overlay_cmap = _fading(cmap or ("RdBu_r" if signed else "inferno"), alpha, signed=signed)
        fig, axes = resolve_axes(ax, n, ncols=ncols)
        cams = self.coarse_cams if coarse else self.cams
        vmax = max(float(c.data.abs().max()) for c in cams.values()) or 1.0
        vmin = -vmax if signed else 0.0
        panels = iter(axes)
        self.input_image_ = None
        if show_input:
            first = next(panels)
            self.input_image_ = draw_feature(first, self.logmel, cmap="gray_r")
            first.set_title("input log-mel\n(grey: dark = loud)", fontsize="medium")
        self.overlay_images_, self.notes_ = {}, {}
        for i, label in enumerate(self.words):
            panel = next(panels)
            keep_y = (i == 0 and not show_input) or (i + show_input) % ncols == 0
            draw_feature(panel, self.logmel, cmap="gray_r", label_y=keep_y)
            self.overlay_images_[label] = draw_feature(
                panel, cams[label], cmap=overlay_cmap, vmin=vmin, vmax=vmax,
                interpolation="nearest" if coarse else "bilinear", label_y=keep_y)
            role = "predicted" if label == self.predicted else "not predicted"
            panel.set_title(f"evidence for '{label_name(label, self.inference.words)}'\n"
                            f"({role}, p = {self.probabilities[label]:.2f})", fontsize="medium")
            if not signed and float(cams[label].data.max()) == 0.0:
                self.notes_[label] = panel.text(
                    0.5, 0.5, "no positive evidence\nat this layer", transform=panel.transAxes, ha="center",
                    va="center", fontsize="small", bbox=dict(boxstyle="round", fc="white", alpha=0.8, lw=0))
        self.colorbar_ = fig.colorbar(self.overlay_images_[self.words[-1]], ax=axes[-1],
                                      label="Grad-CAM relevance" + (" (signed)" if signed else ""))
        if ax is None:
            fig.suptitle(f"Grad-CAM at {self.inference.layer_names[self.layer]}. The model "
                         f"{describe_probabilities(self.probabilities, self.inference.words)}",
                         fontsize="medium", wrap=True)
        self.figure_, self.axes_ = fig, axes
        return self
