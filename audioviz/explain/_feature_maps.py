"""What every convolution layer of the keyword CNN responds to in one clip: the feature maps.

:class:`FeatureMapDisplay` runs the clip through the model once, keeps the output of every
convolution block (after batch norm and ReLU, before pooling: what the layer passes on) as a
:class:`~audioviz.features.Feature` on true time and mel axes, and draws them as a grid, one row
per layer, with the input log-mel on top.
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
)

__all__ = ["FeatureMapDisplay", "layer_outputs"]


def _capture_module(block):
    """The module whose output is the block's feature map: its ReLU if it has one, else its conv."""
    return getattr(block, "relu", None) or block.conv


def layer_outputs(model, waveform, sample_rate: int | None = None):
    """Run one clip through ``model`` and return its input image, every block's maps and the logits.

    Args:
        model: a :class:`~audioviz.model.KeywordCNN`.
        waveform: Tensor or array ``(time,)`` or ``(channel, time)``; brought to one second at the
            model's rate (with a warning saying what was done) if it is not already.
        sample_rate: rate of ``waveform`` in Hz. Default: the model's (16000).

    Returns:
        ``(logmel, maps, logits)``: the normalised log-mel Feature ``(1, n_mels, frames)``, a list
        with one Feature ``(channels, rows, frames)`` per convolution block (rows and frames
        coarsened by the pooling before it, axes still in seconds and mel), and the logits
        Tensor ``(n_words,)``.

    Example:
        >>> import torch
        >>> from audioviz.model import KeywordCNN
        >>> logmel, maps, logits = layer_outputs(KeywordCNN(), torch.zeros(16000))
        >>> [tuple(m.data.shape) for m in maps]
        [(16, 40, 101), (32, 20, 50), (64, 10, 25), (64, 5, 12)]
    """
    check_model(model)
    clip = model_clip(model, waveform, sample_rate)
    captured = []
    hooks = [_capture_module(block).register_forward_hook(lambda _m, _i, out: captured.append(out.detach()))
             for block in model.blocks]
    try:
        with eval_mode(model), torch.no_grad():
            logmel = model.features(model_input(model, clip))
            logits = model.forward_features(logmel)[0].cpu()
    finally:
        for hook in hooks:
            hook.remove()
    base = logmel_feature(model, logmel[0])
    maps = [pooled_feature(base, out[0], unit="activation") for out in captured]
    return base, maps, logits


class FeatureMapDisplay:
    """Feature maps of every convolution layer for one clip.

    Compute with :meth:`from_model`, draw with :meth:`plot`.

    Attributes:
        waveform: the clip the model saw, Tensor ``(1, n_samples)``.
        logmel: the input image, Feature ``(1, n_mels, frames)`` in seconds and mel.
        maps: one Feature ``(channels, rows, frames)`` per convolution block.
        layer_names: a short name for each block.
        words: the model's words.
        probabilities: dict word -> probability.
        predicted: the predicted word.
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: 2-D array of Axes, ``None`` where a cell of the grid is unused.
        input_image_: the AxesImage of the input log-mel.
        images_: one list of AxesImage per layer drawn.
        channels_: the channel indices drawn, one list per layer.
    """

    def __init__(self, *, waveform, logmel, maps, words, probabilities, layer_names=None):
        self.waveform = waveform
        self.logmel = logmel
        self.maps = list(maps)
        self.words = tuple(words)
        self.probabilities = dict(probabilities)
        self.predicted = max(self.probabilities, key=self.probabilities.get)
        self.layer_names = layer_names or [f"conv {i + 1}" for i in range(len(self.maps))]

    @classmethod
    def from_model(cls, model, waveform, *, sample_rate: int | None = None) -> "FeatureMapDisplay":
        """Run ``waveform`` through ``model`` once and keep every layer's maps.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            waveform: Tensor or array ``(time,)`` or ``(channel, time)``.
            sample_rate: its rate in Hz. Default: the model's.

        Example:
            >>> import torch
            >>> from audioviz.model import KeywordCNN
            >>> disp = FeatureMapDisplay.from_model(KeywordCNN(), torch.randn(16000) * 0.1)
            >>> len(disp.maps), disp.maps[0].data.shape[0]
            (4, 16)
        """
        clip = model_clip(model, waveform, sample_rate)
        logmel, maps, logits = layer_outputs(model, clip)
        probs = torch.softmax(logits, dim=-1)
        names = []
        for i, fmap in enumerate(maps):
            names.append(f"conv {i + 1} ({fmap.data.shape[-2]} x {fmap.data.shape[-1]})")
        return cls(waveform=clip, logmel=logmel, maps=maps, words=model.words,
                   probabilities={w: float(p) for w, p in zip(model.words, probs)}, layer_names=names)

    def strongest_channels(self, layer: int, n: int) -> list[int]:
        """Indices of the ``n`` channels of ``layer`` with the largest mean activation on this clip."""
        data = self.maps[layer].data
        means = data.reshape(data.shape[0], -1).mean(dim=1)
        return [int(i) for i in torch.argsort(means, descending=True)[:n]]

    def plot(self, *, n_channels: int = 6, layers=None, ax=None, cmap: str = "magma",
             input_cmap: str = "viridis") -> "FeatureMapDisplay":
        """Draw the input log-mel on top and, below it, ``n_channels`` maps per layer.

        Each layer shows its most active channels for this clip, on one colour scale per row
        (0 to the row's largest activation) so channels of a layer can be compared.

        Args:
            n_channels: maps per layer (the most active ones). Default: ``6``.
            layers: indices of the layers to show. Default: all.
            ax: ``None`` (new figure) or one Axes whose area is divided into the grid.
            cmap: colormap of the maps; ``input_cmap``: of the log-mel.

        Returns:
            ``self``, with ``figure_``, ``axes_``, ``input_image_``, ``images_`` and ``channels_`` set.
        """
        import matplotlib.pyplot as plt
        from matplotlib.axes import Axes

        layers = list(range(len(self.maps))) if layers is None else [int(i) for i in layers]
        for i in layers:
            if not -len(self.maps) <= i < len(self.maps):
                raise ValueError(f"layers must hold indices between 0 and {len(self.maps) - 1}, got {i}")
        if isinstance(n_channels, bool) or not isinstance(n_channels, (int, np.integer)) or n_channels < 1:
            raise ValueError(f"n_channels must be a positive integer, got {n_channels!r}")
        n_cols = min(int(n_channels), max(self.maps[i].data.shape[0] for i in layers))
        n_rows = 1 + len(layers)
        if ax is None:
            fig = plt.figure(figsize=(1.9 * n_cols + 1.2, 1.55 * n_rows + 1.0), layout="constrained")
            grid = fig.add_gridspec(n_rows, n_cols, height_ratios=[1.6] + [1] * len(layers))
        elif isinstance(ax, Axes):
            fig = ax.figure
            grid = ax.get_subplotspec().subgridspec(n_rows, n_cols, height_ratios=[1.6] + [1] * len(layers))
            ax.remove()
        else:
            raise TypeError(f"ax must be None or one matplotlib Axes to divide, got {type(ax).__name__}")

        axes = np.full((n_rows, n_cols), None, dtype=object)
        top = fig.add_subplot(grid[0, :])
        axes[0, 0] = top
        self.input_image_ = draw_feature(top, self.logmel, cmap=input_cmap)
        probs = ", ".join(f"{w} {p:.0%}" for w, p in self.probabilities.items())
        top.set_title(f"Input: normalised log-mel image the network sees  (prediction: {probs})", loc="left")
        fig.colorbar(self.input_image_, ax=top, label="normalised log power", pad=0.01)

        self.images_, self.channels_ = [], []
        first = None
        for r, layer in enumerate(layers, start=1):
            fmap = self.maps[layer]
            chans = self.strongest_channels(layer, n_cols)
            vmax = float(fmap.data[chans].max()) or 1.0
            row_images = []
            for c, ch in enumerate(chans):
                cell = fig.add_subplot(grid[r, c], sharex=first, sharey=first)
                first = first or cell
                axes[r, c] = cell
                image = draw_feature(cell, fmap, channel=ch, cmap=cmap, vmin=0.0, vmax=vmax,
                                     label_x=(r == n_rows - 1), label_y=False)
                # Pooling drops the last few frames; show every row over the input's full second
                # so the layers line up in time (and all time axes use one unit).
                cell.set_xlim(top.get_xlim())
                cell.set_title(f"ch {ch}", fontsize="small", pad=2)
                if c > 0:
                    cell.tick_params(labelleft=False)
                if r < n_rows - 1:
                    cell.tick_params(labelbottom=False)
                row_images.append(image)
            axes[r, 0].set_ylabel(f"{self.layer_names[layer]}\nHz", fontsize="small")
            fig.colorbar(row_images[-1], ax=list(axes[r, :len(chans)]), pad=0.01, aspect=10,
                         label="activation" if r == 1 else None)
            self.images_.append(row_images)
            self.channels_.append(chans)
        self.figure_, self.axes_ = fig, axes
        return self
