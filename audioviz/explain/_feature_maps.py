"""What every convolution layer of the keyword CNN responds to in one clip: the feature maps.

:class:`FeatureMapDisplay` runs the clip through the model once, keeps the output of every
convolution block (after batch norm and ReLU, before pooling: what the layer passes on) as a
:class:`~audioviz.features.Feature` on true time and mel axes, and draws them as a grid, one row
per layer, with the input log-mel on top.
"""
from __future__ import annotations

import numpy as np
import torch

from ._common import draw_feature
from ._inference import Inference, describe_probabilities

__all__ = ["FeatureMapDisplay", "layer_outputs"]


def layer_outputs(model, waveform, sample_rate: int | None = None):
    """Run one clip through ``model`` and return its input image, every block's maps and the logits.

    A shortcut for the three main fields of :class:`Inference` (use it directly to keep the clip,
    the prediction and Grad-CAM's gradients too).

    Args:
        model: a :class:`~audioviz.model.KeywordCNN`.
        waveform: Tensor or array ``(time,)`` or ``(channel, time)``; brought to one second at the
            model's rate (with a warning saying what was done) if it is not already.
        sample_rate: rate of ``waveform`` in Hz. Default: the model's (16000).

    Returns:
        ``(logmel, maps, logits)``: the normalised log-mel Feature ``(1, n_mels, frames)``, a list
        with one Feature ``(channels, rows, frames)`` per convolution block (rows and frames
        coarsened by the pooling before it, axes still in seconds and mel), and the logits
        Tensor ``(n_labels,)``.

    Example:
        >>> import torch
        >>> from audioviz.model import KeywordCNN
        >>> logmel, maps, logits = layer_outputs(KeywordCNN(), torch.zeros(16000))
        >>> [tuple(m.data.shape) for m in maps]
        [(12, 40, 101), (24, 20, 50), (48, 10, 25), (64, 5, 12)]
    """
    inference = Inference.from_model(model, waveform, sample_rate)
    return inference.logmel, inference.maps, inference.logits


class FeatureMapDisplay:
    """Feature maps of every convolution layer for one clip.

    Compute with :meth:`from_model` (or :meth:`from_inference` to reuse a clip already run through
    the model), draw with :meth:`plot`.

    Args:
        inference: the :class:`Inference` of the clip.

    Attributes:
        inference: that record; the attributes below are its fields.
        waveform: the clip the model saw, Tensor ``(1, n_samples)``.
        logmel: the input image, Feature ``(1, n_mels, frames)`` in seconds and mel.
        maps: one Feature ``(channels, rows, frames)`` per convolution block.
        layer_names: a short name for each block, with its grid size.
        words: the model's keywords; labels: its output classes (``model.labels``).
        probabilities: dict label -> probability, over every output class.
        predicted: the predicted label (one of ``labels``); word: the answer it means (a keyword,
            or ``"neither"``).
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: 2-D array of Axes, ``None`` where a cell of the grid is unused.
        input_image_: the AxesImage of the input log-mel.
        images_: one list of AxesImage per layer drawn.
        channels_: the channel indices drawn, one list per layer.
    """

    def __init__(self, inference: Inference):
        if not isinstance(inference, Inference):
            raise TypeError(f"inference must be an audioviz.explain.Inference, got {type(inference).__name__}")
        self.inference = inference
        self.waveform = inference.waveform
        self.logmel = inference.logmel
        self.maps = inference.maps
        self.words = inference.words
        self.labels = inference.labels
        self.probabilities = inference.probabilities
        self.predicted = inference.label
        self.word = inference.word
        self.layer_names = [f"{name} ({m.data.shape[-2]} x {m.data.shape[-1]})"
                            for name, m in zip(inference.layer_names, inference.maps)]

    @classmethod
    def from_inference(cls, inference: Inference) -> "FeatureMapDisplay":
        """The feature maps of a clip already run through the model (no second pass)."""
        return cls(inference)

    @classmethod
    def from_model(cls, model, waveform, *, sample_rate: int | None = None) -> "FeatureMapDisplay":
        """Run ``waveform`` through ``model`` once (an :class:`Inference`) and keep every layer's maps.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            waveform: Tensor or array ``(time,)`` or ``(channel, time)``.
            sample_rate: its rate in Hz. Default: the model's.

        Example:
            >>> import torch
            >>> from audioviz.model import KeywordCNN
            >>> disp = FeatureMapDisplay.from_model(KeywordCNN(), torch.randn(16000) * 0.1)
            >>> len(disp.maps), disp.maps[0].data.shape[0]
            (4, 12)
        """
        return cls(Inference.from_model(model, waveform, sample_rate))

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
            ax: ``None`` (a new figure, as every multi-panel display of :mod:`audioviz.explain`
                does) or one Axes whose area is divided into the grid.
            cmap: colormap of the maps; ``input_cmap``: of the log-mel.

        Returns:
            ``self``, with ``figure_``, ``axes_``, ``input_image_``, ``images_`` and ``channels_`` set.
        """
        import matplotlib.pyplot as plt
        from matplotlib.axes import Axes
        from matplotlib.ticker import MaxNLocator

        layers = list(range(len(self.maps))) if layers is None else [int(i) for i in layers]
        for i in layers:
            if not -len(self.maps) <= i < len(self.maps):
                raise ValueError(f"layers must hold indices between 0 and {len(self.maps) - 1}, got {i}")
        if isinstance(n_channels, bool) or not isinstance(n_channels, (int, np.integer)) or n_channels < 1:
            raise ValueError(f"n_channels must be a positive integer, got {n_channels!r}")
        n_cols = min(int(n_channels), max(self.maps[i].data.shape[0] for i in layers))
        n_rows = 1 + len(layers)
        if ax is None:
            # At most 8.4 in wide: a tutorial page shows it near its natural size (no shrinking).
            fig = plt.figure(figsize=(min(8.4, 1.3 * n_cols + 1.2), 1.3 * n_rows + 1.2), layout="constrained")
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
        top.set_title(f"Input: the normalised log-mel image the network sees\n"
                      f"{describe_probabilities(self.probabilities, self.words)}", loc="left")
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
                                     label_x=(r == n_rows - 1 and c == 0), label_y=False)
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
        if first is not None:
            # Small cells: three time ticks (0, 0.5, 1 s) keep the labels from running together.
            first.xaxis.set_major_locator(MaxNLocator(nbins=2))
        self.figure_, self.axes_ = fig, axes
        return self
