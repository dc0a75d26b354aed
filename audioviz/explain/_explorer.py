"""A widget to walk through the feature maps of the keyword CNN, layer by layer, channel by channel.

:class:`FeatureMapExplorer` is an :class:`audioviz.widgets.Explorer`: the clip goes through the
model once, every layer's maps are kept, and the layer and channel controls only swap the data,
extent and colour limits of one image in place.
"""
from __future__ import annotations

import html

import numpy as np

from .._feature_image import FeatureImage
from ..widgets import Explorer
from ._common import draw_feature
from ._inference import Inference, describe_probabilities

__all__ = ["FeatureMapExplorer"]


class FeatureMapExplorer(Explorer):
    """Slide through the feature maps of every convolution layer for one clip.

    Controls (``explorer.controls[name]``): ``layer`` (a dropdown of the convolution blocks,
    labelled with their map count and size) and ``channel`` (which map of that layer; its range
    follows the layer). The top panel is the log-mel image the network sees; the bottom one the
    chosen map, on the same time axis (the whole clip, in seconds, whatever the layer) and with
    the layer's own, coarser, true mel rows. The colour scale is fixed per layer (0 to the layer's largest activation on this clip), so two
    channels of a layer compare by brightness. The readout says how coarse the layer is and how
    active the channel is compared with its neighbours.

    Args:
        model: a :class:`~audioviz.model.KeywordCNN`.
        waveform: Tensor or array ``(time,)`` or ``(channel, time)``; brought to one second at the
            model's rate (with a warning) if needed.
        sample_rate: its rate in Hz. Default: the model's.
        layer: the block shown first. Default: ``0``.
        channel: the map shown first. Default: the most active one of ``layer``.

    Attributes:
        logmel: the input Feature ``(1, n_mels, frames)``.
        maps: one Feature ``(channels, rows, frames)`` per layer.
        image: the AxesImage of the chosen map (updated in place); drawn: its
            :class:`~audioviz.FeatureImage`.
        input_image: the AxesImage of the input log-mel.
        colorbar: the colorbar of the map.
        controls: the ``layer`` and ``channel`` widgets (see :class:`~audioviz.widgets.Explorer`).

    Example:
        >>> import torch
        >>> from audioviz.model import KeywordCNN
        >>> explorer = FeatureMapExplorer(KeywordCNN(), torch.randn(16000) * 0.1)
        >>> explorer.controls["layer"].value = 2
        >>> explorer.image.get_array().shape
        (10, 25)
    """

    figsize = (8.0, 5.2)

    def __init__(self, model, waveform, *, sample_rate: int | None = None, layer: int = 0,
                 channel: int | None = None):
        inference = Inference.from_model(model, waveform, sample_rate)  # the clip prepared and run once
        self._set_clip(inference.waveform, inference.sample_rate)
        self.logmel, self.maps = inference.logmel, inference.maps
        self._rankings: dict = {}
        n = len(self.maps)
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < n:
            raise ValueError(f"layer must be an int from 0 to {n - 1}, got {layer!r}")
        n_channels = self.maps[layer].data.shape[0]
        if channel is None:
            channel = self._ranking(layer)[0]
        if isinstance(channel, bool) or not isinstance(channel, int) or not 0 <= channel < n_channels:
            raise ValueError(f"channel must be an int from 0 to {n_channels - 1} for layer {layer}, got {channel!r}")
        self._initial = dict(layer=layer, channel=channel)
        self.probabilities = inference.probabilities  # over model.labels (contract 2)
        self._words = inference.words
        super().__init__()

    # -- data
    def _ranking(self, layer: int) -> list[int]:
        """The channels of ``layer`` from most to least active (mean activation); computed once
        per layer, the maps never change."""
        if layer not in self._rankings:
            data = self.maps[layer].data
            means = data.reshape(data.shape[0], -1).mean(dim=1)
            self._rankings[layer] = [int(i) for i in np.argsort(-means.numpy(), kind="stable")]
        return self._rankings[layer]

    def _layer_label(self, i: int) -> str:
        fmap = self.maps[i]
        c, r, f = fmap.data.shape
        return f"conv {i + 1}: {c} maps of {r} x {f}"

    # -- controls
    def _make_controls(self):
        import ipywidgets

        layer = self._initial["layer"]
        return {
            "layer": ipywidgets.Dropdown(options=[(self._layer_label(i), i) for i in range(len(self.maps))],
                                         value=layer, description="layer"),
            "channel": ipywidgets.IntSlider(value=self._initial["channel"], min=0,
                                            max=self.maps[layer].data.shape[0] - 1, description="channel",
                                            continuous_update=True),
        }

    def _coerce(self, changed):
        if "layer" in changed:
            slider = self.controls["channel"]
            top = self.maps[self.controls["layer"].value].data.shape[0] - 1
            if slider.value > top:
                slider.value = top
            slider.max = top

    # -- drawing
    def _draw(self, figure):
        grid = figure.add_gridspec(2, 2, width_ratios=(40, 1), height_ratios=(1, 1))
        self.input_ax = figure.add_subplot(grid[0, 0])
        self.ax = figure.add_subplot(grid[1, 0], sharex=self.input_ax)
        self._input_cax = figure.add_subplot(grid[0, 1])
        self._cax = figure.add_subplot(grid[1, 1])
        self.input_image = draw_feature(self.input_ax, self.logmel, cmap="viridis", label_x=False)
        figure.colorbar(self.input_image, cax=self._input_cax, label="normalised\nlog power")
        self.input_ax.set_title(f"input log-mel; the model {describe_probabilities(self.probabilities, self._words)}",
                                loc="left", fontsize="medium")
        layer, channel = self.params["layer"], self.params["channel"]
        fmap = self.maps[layer]
        self.image = draw_feature(self.ax, fmap, channel=channel, cmap="magma", vmin=0.0,
                                  vmax=self._vmax(layer))
        self.drawn = FeatureImage.of(self.image)
        self.colorbar = figure.colorbar(self.image, cax=self._cax, label="activation")
        # The time axis is the clip's whatever the layer: a coarse layer's frames end earlier
        # and would otherwise pull the shared axis (and the input panel) in with them.
        self.ax.set_xlim(0.0, self.waveform.shape[-1] / self.sample_rate)
        # Inside the frame, so the fast redraw of the Axes also redraws the label.
        self._label = self.ax.text(0.01, 0.97, "", transform=self.ax.transAxes, va="top", ha="left", color="white",
                                   fontsize="small", bbox=dict(boxstyle="round", fc="black", alpha=0.5, lw=0))
        self._set_label()

    def _vmax(self, layer: int) -> float:
        return float(self.maps[layer].data.max()) or 1.0

    def _set_label(self):
        layer, channel = self.params["layer"], self.params["channel"]
        self._label.set_text(f"conv {layer + 1}, channel {channel}")

    def _update(self, changed):
        layer, channel = self.params["layer"], self.params["channel"]
        fmap = self.maps[layer]
        # every frame drawn, as draw_feature does; the time axis stays the clip's (shared)
        if self.drawn.update(fmap, channel=channel, vmin=0.0, vmax=self._vmax(layer),
                             max_columns=fmap.data.shape[-1]).layout:
            self.mark_layout_stale()
        clip = (0.0, self.waveform.shape[-1] / self.sample_rate)
        if tuple(self.ax.get_xlim()) != clip:
            self.ax.set_xlim(*clip)
        self._set_label()
        # The colour scale is the layer's: another channel of the same layer leaves the colorbar.
        self.mark_stale(self.ax, *([self._cax] if "layer" in changed else []))

    def _readout(self):
        layer, channel = self.params["layer"], self.params["channel"]
        fmap = self.maps[layer]
        c, rows, frames = fmap.data.shape
        stride_f, stride_t = fmap.params["stride"]
        rank = self._ranking(layer).index(channel) + 1
        mean = float(fmap.data[channel].mean())
        cell = (f"each cell pools {stride_f} x {stride_t} input cells ({1000 * fmap.frame_period:.0f} ms)"
                if stride_f > 1 else f"one cell per input cell ({1000 * fmap.frame_period:.0f} ms)")
        return (f"<b>{html.escape(self._layer_label(layer))}</b><br>{cell}<br>"
                f"channel {channel}: mean activation {mean:.3f}, the {_ordinal(rank)} most active of {c}")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
