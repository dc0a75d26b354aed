"""Drawing long waveforms fast and exactly: the per-pixel min/max envelope.

A one-hour recording at 16 kHz has 57.6 million samples but a plot is about a thousand pixels
wide. :func:`minmax_envelope` splits the samples into consecutive bins no wider than one pixel
and keeps each bin's exact minimum and maximum, so the drawing has every peak a full-resolution
plot would have, at a tiny fraction of the cost. :class:`AdaptiveWaveform` keeps the drawing
right when the user zooms: it recomputes the envelope for the visible range, and switches to the
individual samples once there are few enough of them.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D

# Draw the samples themselves when at most this many fall on each pixel column.
SAMPLES_PER_PIXEL_FOR_LINE = 3
# Envelope bins per screen pixel: 2 keeps bins under a pixel when the figure is saved at up to
# twice its screen dpi (savefig at 150-200 dpi, retina screens).
BINS_PER_PIXEL = 2


def axes_width_pixels(ax) -> int:
    """Width of ``ax`` in display pixels (at the figure's dpi), at least 1."""
    return max(1, int(math.ceil(ax.get_window_extent().width)))


def minmax_envelope(samples: torch.Tensor, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact minimum and maximum of consecutive sample bins.

    Args:
        samples: Tensor of shape ``(time,)``.
        n_bins: the most bins wanted (e.g. the width of the plot in pixels).

    Returns:
        ``(starts, lows, highs)``: numpy arrays of shape ``(n,)`` with ``n <= n_bins``. Bin ``k``
        covers samples ``starts[k]`` up to (not including) ``starts[k + 1]`` (the last bin ends at
        ``len(samples)``); every bin holds ``ceil(len(samples) / n_bins)`` samples except perhaps
        the last.
    """
    n = samples.shape[-1]
    size = max(1, math.ceil(n / max(1, n_bins)))
    n_full = n // size
    lows, highs = [], []
    if n_full:
        # amin and amax separately: much faster than aminmax along a dimension on CPU
        bins = samples[: n_full * size].reshape(n_full, size)
        lows.append(bins.amin(dim=1))
        highs.append(bins.amax(dim=1))
    if n_full * size < n:
        tail = samples[n_full * size:]
        lows.append(tail.amin().reshape(1))
        highs.append(tail.amax().reshape(1))
    n_out = n_full + (1 if n_full * size < n else 0)
    starts = np.arange(n_out, dtype=np.int64) * size
    lows, highs = torch.cat(lows), torch.cat(highs)
    if n_out > 1:
        # A line through the samples crosses from the last sample of one bin to the first of the
        # next inside the first bin's pixel, so that pixel also covers the next bin's first sample.
        following = samples[size::size][: n_out - 1]
        lows[:-1] = torch.minimum(lows[:-1], following)
        highs[:-1] = torch.maximum(highs[:-1], following)
    return starts, lows.numpy(), highs.numpy()


def step_polygon(edges: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Vertices of the filled shape whose top is ``highs`` and bottom ``lows``, flat over each bin.

    ``edges`` has one more entry than ``lows``: bin ``k`` spans ``edges[k]`` to ``edges[k + 1]``.
    """
    x = np.repeat(edges, 2)[1:-1]
    top = np.column_stack([x, np.repeat(highs, 2)])
    bottom = np.column_stack([x, np.repeat(lows, 2)])[::-1]
    return np.concatenate([top, bottom])


class AdaptiveWaveform:
    """A waveform on an Axes, drawn as a min/max envelope or as samples depending on the zoom.

    Attributes:
        envelope: the PolyCollection of the min/max envelope (empty when samples are drawn).
        line: the Line2D of the samples (empty when the envelope is drawn).
    """

    def __init__(self, ax, samples: torch.Tensor, sample_rate: int, *, color=None, linewidth=None,
                 max_points: int | None = None, **kwargs):
        self.ax = ax
        self.samples = samples.contiguous()
        self.sample_rate = sample_rate
        self.max_points = max_points
        color = color if color is not None else ax._get_lines.get_next_color()
        line_kwargs = dict(kwargs)
        line_kwargs.setdefault("linewidth", 0.8 if linewidth is None else linewidth)
        self.line = Line2D([], [], color=color, **line_kwargs)
        poly_kwargs = {k: v for k, v in kwargs.items() if k not in ("marker", "markersize", "drawstyle", "linestyle")}
        # a thin edge keeps near-silent stretches (min == max) visible as a line, as a plot of samples would
        poly_kwargs.setdefault("linewidth", 0.6 if linewidth is None else linewidth)
        poly_kwargs.setdefault("antialiased", True)
        self.envelope = PolyCollection([], facecolors=color, edgecolors=color, **poly_kwargs)
        if "label" in kwargs:
            self.envelope.set_label(kwargs["label"])
        ax.add_line(self.line)
        ax.add_collection(self.envelope, autolim=False)
        self._key = None
        self.mode = None
        self.peak = 0.0
        self.update(ax)
        # the first update covers the whole signal (the caller sets the x limits to it)
        self.peak = self._last_peak
        self._cid = ax.callbacks.connect("xlim_changed", self.update)

    @property
    def artist(self):
        """The artist currently showing the signal."""
        return self.envelope if self.mode == "envelope" else self.line

    def _visible_range(self) -> tuple[int, int]:
        n = self.samples.shape[-1]
        lo, hi = sorted(self.ax.get_xlim())
        start = int(np.clip(math.floor(lo * self.sample_rate), 0, n - 1))
        stop = int(np.clip(math.ceil(hi * self.sample_rate) + 1, start + 1, n))
        return start, stop

    def update(self, ax=None) -> None:
        """Recompute what is drawn for the current x limits (called on every zoom)."""
        n_pixels = self.max_points or BINS_PER_PIXEL * axes_width_pixels(self.ax)
        start, stop = self._visible_range()
        key = (start, stop, n_pixels)
        if key == self._key:
            return
        self._key = key
        visible = self.samples[start:stop]
        if visible.shape[-1] <= SAMPLES_PER_PIXEL_FOR_LINE * n_pixels / BINS_PER_PIXEL:
            times = (np.arange(start, stop) / self.sample_rate)
            values = visible.numpy()
            self.line.set_data(times, values)
            self._last_peak = float(np.abs(values).max())
            self.envelope.set_verts([])
            self.mode = "line"
            return
        starts, lows, highs = minmax_envelope(visible, n_pixels)
        edges = np.append(starts, stop - start).astype(np.float64)
        edges = (edges + start) / self.sample_rate
        self.envelope.set_verts([step_polygon(edges, lows, highs)])
        self._last_peak = float(max(abs(lows.min()), abs(highs.max())))
        self.line.set_data([], [])
        self.mode = "envelope"
