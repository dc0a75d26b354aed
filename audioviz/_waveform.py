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
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.path import Path

# Draw the samples themselves when at most this many fall on each pixel column.
SAMPLES_PER_PIXEL_FOR_LINE = 3
# Envelope bins per screen pixel: 2 keeps bins under a pixel when the figure is saved at up to
# twice its screen dpi (savefig at 150-200 dpi, retina screens).
BINS_PER_PIXEL = 2
# Samples per block in minmax_envelope (1 MB of float32: fits in a core's L2 cache).
_CACHE_SAMPLES = 1 << 18
# Above this many samples the envelope is computed by several threads (numpy's reductions release
# the GIL); below it starting them costs more than it saves.
_PARALLEL_SAMPLES = 1 << 23
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="audioviz-envelope")
    return _POOL


def axes_width_pixels(ax) -> int:
    """Width of ``ax`` in display pixels (at the figure's dpi), at least 1."""
    return max(1, int(math.ceil(ax.get_window_extent().width)))


def minmax_envelope(samples, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact minimum and maximum of consecutive sample bins.

    Args:
        samples: Tensor or array of shape ``(time,)``.
        n_bins: the most bins wanted (e.g. twice the width of the plot in pixels).

    Returns:
        ``(starts, lows, highs)``: numpy arrays of shape ``(n,)`` with ``n <= n_bins``. Bin ``k``
        covers samples ``starts[k]`` up to (not including) ``starts[k + 1]`` (the last bin ends at
        ``len(samples)``); every bin holds ``ceil(len(samples) / n_bins)`` samples except perhaps
        the last. ``lows[k]`` and ``highs[k]`` also take in the first sample of bin ``k + 1``,
        because a line through the samples reaches it from inside bin ``k``. NaN propagates.
    """
    values = np.asarray(samples)  # a CPU Tensor too, without a copy (and without importing torch here)
    n = values.shape[-1]
    size = max(1, math.ceil(n / max(1, n_bins)))
    n_full = n // size
    n_out = n_full + (1 if n_full * size < n else 0)
    lows = np.empty(n_out, dtype=values.dtype)
    highs = np.empty(n_out, dtype=values.dtype)
    bins = values[: n_full * size].reshape(n_full, size)
    # a few bins at a time, so the max pass finds the samples the min pass just read in cache
    step = max(1, _CACHE_SAMPLES // size)

    def reduce_bins(first_bin: int, stop_bin: int) -> None:
        for first in range(first_bin, stop_bin, step):
            last = min(first + step, stop_bin)
            block = bins[first:last]
            np.min(block, axis=1, out=lows[first:last])
            np.max(block, axis=1, out=highs[first:last])

    n_workers = _pool()._max_workers if n > _PARALLEL_SAMPLES else 1
    if n_workers > 1 and n_full >= 2 * n_workers:
        # each thread writes its own slice of lows/highs: no two touch the same bins
        bounds = np.linspace(0, n_full, n_workers + 1).astype(int)
        for future in [_pool().submit(reduce_bins, a, b) for a, b in zip(bounds[:-1], bounds[1:])]:
            future.result()
    else:
        reduce_bins(0, n_full)
    if n_full < n_out:
        tail = values[n_full * size:]
        lows[-1], highs[-1] = tail.min(), tail.max()
    if n_out > 1:
        following = values[size::size][: n_out - 1]
        np.minimum(lows[:-1], following, out=lows[:-1])
        np.maximum(highs[:-1], following, out=highs[:-1])
    starts = np.arange(n_out, dtype=np.int64) * size
    return starts, lows, highs


def step_polygon(edges: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Vertices of the filled shape whose top is ``highs`` and bottom ``lows``, flat over each bin.

    ``edges`` has one more entry than ``lows``: bin ``k`` spans ``edges[k]`` to ``edges[k + 1]``.
    """
    x = np.repeat(edges, 2)[1:-1]
    top = np.column_stack([x, np.repeat(highs, 2)])
    bottom = np.column_stack([x, np.repeat(lows, 2)])[::-1]
    return np.concatenate([top, bottom])


class EnvelopeCollection(PolyCollection):
    """The min/max envelope as one filled polygon, at least ``min_height_px`` pixels tall.

    A near-silent stretch (minimum close to maximum) would be a polygon of zero height, which
    draws nothing. Stroking the outline to keep it visible costs several times more than the fill
    on a polygon of thousands of vertices (measured: 8 ms against 1.5 ms for a one-hour envelope),
    so instead every bin flatter than ``min_height_px`` is widened around its middle to that
    height when drawn, at the dpi it is drawn at: silence shows as a thin line, as a plot of the
    samples would show it. The exact bins are kept in :attr:`bins` (edges in seconds, lows, highs).
    """

    def __init__(self, *, min_height_px: float = 1.0, **kwargs):
        super().__init__([], **kwargs)
        self.min_height_px = min_height_px
        self.bins = None

    def set_bins(self, edges: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> None:
        self.bins = (edges, lows, highs)
        self.set_verts([step_polygon(edges, lows, highs)])

    def clear_bins(self) -> None:
        self.bins = None
        self.set_verts([])

    def draw(self, renderer):
        if self.bins is not None and self.axes is not None and self.get_visible():
            edges, lows, highs = self.bins
            (_, y0), (_, y1) = self.axes.transData.transform([(0.0, 0.0), (0.0, 1.0)])
            pixels_per_unit = abs(y1 - y0)
            if pixels_per_unit > 0 and math.isfinite(pixels_per_unit):
                half = 0.5 * self.min_height_px / pixels_per_unit
                middle = 0.5 * (lows + highs)
                xy = step_polygon(edges, np.minimum(lows, middle - half), np.maximum(highs, middle + half))
                # Set the path directly: set_verts would mark the artist stale in the middle of a
                # draw, and interactive canvases would then draw again, forever.
                self._paths = [Path(np.concatenate([xy, xy[:1]]), closed=True)]
        super().draw(renderer)


class AdaptiveWaveform:
    """A waveform on an Axes, drawn as a min/max envelope or as samples depending on the zoom.

    Attributes:
        envelope: the :class:`EnvelopeCollection` (a PolyCollection) of the min/max envelope
            (empty when samples are drawn).
        line: the Line2D of the samples (empty when the envelope is drawn).
    """

    def __init__(self, ax, samples, sample_rate: int, *, color=None, linewidth=None,
                 max_points: int | None = None, **kwargs):
        self.ax = ax
        # a numpy array (a CPU Tensor is viewed as one): audioviz show draws a file's samples with
        # no torch in the process
        self.samples = np.ascontiguousarray(samples)
        self.sample_rate = sample_rate
        self.max_points = max_points
        line_kwargs = dict(kwargs)
        line_kwargs.setdefault("linewidth", 0.8 if linewidth is None else linewidth)
        if color is not None:
            line_kwargs["color"] = color
        # ax.plot takes the next colour of the property cycle when none is given
        (self.line,) = ax.plot([], [], **line_kwargs)
        color = self.line.get_color()
        poly_kwargs = {k: v for k, v in kwargs.items() if k not in ("marker", "markersize", "drawstyle", "linestyle")}
        # No outline unless asked for: EnvelopeCollection keeps near-silent stretches visible by
        # itself. (A zero linewidth is not enough: Agg still strokes the path; no edge colour is.)
        poly_kwargs.setdefault("antialiased", True)
        if linewidth is not None:
            poly_kwargs["linewidth"] = linewidth
        edgecolors = color if linewidth else "none"
        self.envelope = EnvelopeCollection(facecolors=color, edgecolors=edgecolors, **poly_kwargs)
        if "label" in kwargs:
            self.envelope.set_label(kwargs["label"])
        ax.add_collection(self.envelope, autolim=False)
        self._key = None
        self.mode = None
        self.peak = 0.0
        self.update(ax)
        # the first update covers the whole signal (the caller sets the x limits to it)
        self.peak = self._last_peak
        # A plain function, not the bound method: the callback registry holds it strongly, so this
        # object lives exactly as long as its Axes, with nothing stored on the Axes itself.
        self._cid = ax.callbacks.connect("xlim_changed", lambda changed_ax: self.update(changed_ax))

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
            values = visible
            self.line.set_data(times, values)
            self._last_peak = float(np.abs(values).max())
            self.envelope.clear_bins()
            self.mode = "line"
            return
        starts, lows, highs = minmax_envelope(visible, n_pixels)
        edges = np.append(starts, stop - start).astype(np.float64)
        edges = (edges + start) / self.sample_rate
        self.envelope.set_bins(edges, lows, highs)
        self._last_peak = float(np.max(np.abs([lows.min(), highs.max()])))  # NaN propagates
        self.line.set_data([], [])
        self.mode = "envelope"


def draw_envelope(ax, edges: np.ndarray, lows: np.ndarray, highs: np.ndarray, *, color=None,
                  **kwargs) -> EnvelopeCollection:
    """Draw a min/max envelope computed elsewhere (e.g. while a long file was streamed): the
    same artist as :class:`AdaptiveWaveform`'s envelope, but fixed (zooming does not refine it,
    since the samples are no longer in memory). Returns the :class:`EnvelopeCollection`."""
    if color is None:
        (probe,) = ax.plot([], [])  # the next colour of the Axes' cycle, taken the public way
        color = probe.get_color()
        probe.remove()
    kwargs.setdefault("antialiased", True)
    envelope = EnvelopeCollection(facecolors=color, edgecolors="none", **kwargs)
    envelope.set_bins(np.asarray(edges, dtype=np.float64), lows, highs)
    ax.add_collection(envelope, autolim=False)
    return envelope
