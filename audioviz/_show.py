"""The one-figure overview of a sound (:func:`show`, public through :mod:`audioviz.display`):
waveform, spectrogram, mel spectrogram and MFCC on one time axis.

A file is drawn without torch: :mod:`audioviz._stream` reads it block by block and computes the
three images in numpy, and they are drawn here with the axes, colour scales and colorbars that
:class:`~audioviz.FeatureImage` gives the same Features (``tests/test_show.py`` compares the two).
So ``audioviz show`` on a one-hour recording needs no 600 MB for torch. A waveform given as a
Tensor or array goes through the torch plot helpers of :mod:`audioviz.display`.

``audioviz show`` draws with :func:`file_figure` instead: no pyplot, and a layout computed once
from the measured tick labels (constrained layout and a tight bounding box measured every label
at each drawing and drew the figure twice: saving an hour's overview took 0.8-0.9 s, now
0.35-0.5 s at load 3), and the file computed in a forked child process while this one imports
matplotlib (:mod:`audioviz._child`). Importing this module imports no matplotlib.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from ._child import ChildCall
from ._mel import DEFAULT_N_MELS, empty_filters_said
from ._stream import file_info, stream_overview
from ._validation import as_mono, check_sample_rate, warn_user

__all__ = ["show"]

# What FeatureImage draws each unit with (colormap, colorbar label), for the images drawn here.
_CMAPS = {"dB": "magma", "coefficient": "coolwarm"}
_COLORBAR_LABELS = {"dB": "dB", "coefficient": "MFCC value"}
_HEIGHT_RATIOS = (1.0, 1.3, 1.3, 1.0)
#: Envelope bins per pixel of the waveform's width (``audioviz._waveform.BINS_PER_PIXEL``, which
#: imports matplotlib; a test checks they agree).
_BINS_PER_PIXEL = 2


def _waveform_source(source, sample_rate):
    if sample_rate is None:
        raise TypeError("sample_rate is required when source is a waveform, not a path; got sample_rate=None")
    wave = as_mono(source, name="source")
    return wave, check_sample_rate(sample_rate)


def _read_file(path, widths, sample_rate, **settings):
    """The :class:`~audioviz._stream.Overview` of the file at ``path``, for Axes ``widths``
    pixels wide (the waveform's, the images')."""
    from .io import declared_wav_frames

    name = str(path)
    overview = stream_overview(path, name=name, n_bins=_BINS_PER_PIXEL * widths[0], max_columns=widths[1],
                               sample_rate=sample_rate, **settings)
    declared = declared_wav_frames(path)
    present = file_info(path, name).frames
    if declared is not None and declared > present:
        warn_user(f"audio file {name} is cut short: its data chunk declares {declared} samples per channel but "
                  f"holds {present}; the {present} samples present are shown")
    return overview


def _draw_waveform(ax, overview):
    """The samples (refined on zoom) when they were kept, else the envelope read from the file."""
    from ._axes import apply_axis
    from ._waveform import AdaptiveWaveform, draw_envelope

    duration = overview.n_samples / overview.sample_rate
    ax.set_xlim(0.0, duration)
    if overview.samples is not None:
        peak = AdaptiveWaveform(ax, overview.samples, overview.sample_rate).peak
    else:
        edges, lows, highs = overview.envelope
        draw_envelope(ax, edges, lows, highs)
        peak = float(max(-lows.min(), highs.max()))
    limit = 1.05 * peak if peak > 0 else 1.0
    ax.set_ylim(-limit, limit)
    apply_axis(ax, "x", "time")
    apply_axis(ax, "y", "amplitude")


def _draw_image(ax, cax, image, duration: float):
    """One :class:`~audioviz._stream.Image` as :class:`~audioviz.FeatureImage` draws a Feature:
    extent in seconds and axis units, the row axis of its kind, a colorbar in ``cax``, MFCC on
    limits symmetric around 0 set by coefficients 1 and up, red arrows beside empty mel rows."""
    from ._axes import apply_axis

    data = image.data
    vmin = vmax = None
    extend = "neither"
    if image.unit == "coefficient":
        rest = data[1:] if data.shape[0] > 1 else data
        limit = float(np.max(np.abs(rest))) or 1.0
        vmin, vmax = -limit, limit
        if float(np.max(np.abs(data))) > limit:
            extend = "both"
    artist = ax.imshow(data, extent=(*image.time_edges, *image.row_edges), cmap=_CMAPS[image.unit], vmin=vmin,
                       vmax=vmax, origin="lower", aspect="auto", interpolation="nearest",
                       interpolation_stage="data")
    apply_axis(ax, "x", "time")
    apply_axis(ax, "y", image.kind, mel_scale=image.mel_scale)
    ax.set_ylim(*image.row_edges)
    t_lo, t_hi = image.time_edges
    ax.set_xlim(max(t_lo, 0.0), min(t_hi, duration))
    colorbar = ax.figure.colorbar(artist, cax=cax, extend=extend)
    colorbar.set_label(_COLORBAR_LABELS[image.unit])
    if image.empty_rows:
        lo, hi = image.row_edges
        centres = lo + (np.asarray(image.empty_rows, dtype=float) + 0.5) * (hi - lo) / data.shape[0]
        ax.plot(np.ones_like(centres), centres, transform=ax.get_yaxis_transform(), linestyle="none", marker="<",
                color="red", markersize=5, clip_on=False, label="empty filters", zorder=4)
    return artist


def show(source, sample_rate=None, *, n_fft: int = 400, hop_length: int | None = None,
         n_mels: int = DEFAULT_N_MELS, n_mfcc: int = 20, mel_scale: str = "htk", title: str | None = None,
         figsize=(10, 8.5)):
    """Overview of a sound: waveform, spectrogram, mel spectrogram and MFCC sharing one time axis.

    A file is read block by block (resampled block by block too, when ``sample_rate`` differs
    from the file's) and never held whole, so memory stays bounded however long the recording,
    and it is drawn without importing torch: ``audioviz show`` of a one-hour file stays well
    under half a gigabyte. A file longer than :data:`audioviz._stream.STREAM_MIN_SAMPLES`
    samples (about 8.7 minutes at 16 kHz) gets a fixed waveform envelope that does not refine
    on zoom; a shorter one keeps its samples and shows them when zoomed in.

    Args:
        source: a path to an audio file (WAV, FLAC, OGG), or a Tensor/array ``(time,)`` or
            ``(channel, time)``. Several channels are averaged into one.
        sample_rate: in Hz; required for a waveform. For a file, resample to this rate.
        n_fft, hop_length: STFT settings shared by the three lower panels. Default: ``400``,
            ``n_fft // 2``.
        n_mels: mel filters. Default: ``64``. n_mfcc: coefficients. Default: ``20``.
        mel_scale: ``"htk"`` or ``"slaney"``.
        title: figure title. Default: the file name (for a path), duration and sample rate.
        figsize: figure size in inches.

    Returns:
        matplotlib.figure.Figure: four rows of Axes (``figure.axes[:4]``) sharing x, plus colorbars.

    Example:
        >>> import torch, audioviz
        >>> fig = audioviz.show(torch.randn(16000), 16000)
        >>> [ax.get_ylabel() for ax in fig.axes[:4]]  # doctest: +NORMALIZE_WHITESPACE
        ['Amplitude', 'Frequency (Hz)', 'Frequency (Hz, mel scale)', 'MFCC coefficient']
    """
    import matplotlib.pyplot as plt

    path = Path(source) if isinstance(source, (str, os.PathLike)) else None
    if path is None:
        wave, rate = _waveform_source(source, sample_rate)
    else:
        sample_rate = _check_file(path, sample_rate)
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(4, 2, width_ratios=[50, 1], height_ratios=_HEIGHT_RATIOS)
    ax_wave = fig.add_subplot(grid[0, 0])
    axes = [ax_wave] + [fig.add_subplot(grid[i, 0], sharex=ax_wave) for i in (1, 2, 3)]
    caxes = [fig.add_subplot(grid[i, 1]) for i in (1, 2, 3)]
    try:
        if path is not None:
            from ._waveform import axes_width_pixels

            widths = (axes_width_pixels(axes[0]), axes_width_pixels(axes[1]))
            overview = _read_file(path, widths, sample_rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                  n_mfcc=min(n_mfcc, n_mels), mel_scale=mel_scale)
            rate, n_samples, name = overview.sample_rate, overview.n_samples, path.name
            _draw_overview(axes, caxes, overview)
        else:
            _draw_in_memory(axes, caxes, wave, rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                 n_mfcc=n_mfcc, mel_scale=mel_scale)
            n_samples, name = wave.shape[-1], None
    except BaseException:
        plt.close(fig)  # no half-drawn figure left behind in pyplot
        raise
    _share_time_axis(axes, n_samples / rate)
    fig.suptitle(_title(title, name, n_samples / rate, rate), parse_math=False)  # "$" in a name is no math
    return fig


def _check_file(path, sample_rate):
    """``sample_rate`` checked; a missing or unreadable file is said before a figure is made."""
    if sample_rate is not None:
        sample_rate = check_sample_rate(sample_rate)
    file_info(path, str(path))
    return sample_rate


def _draw_overview(axes, caxes, overview):
    _draw_waveform(axes[0], overview)
    for ax, cax, image in zip(axes[1:], caxes, (overview.spectrogram, overview.mel, overview.mfcc)):
        _draw_image(ax, cax, image, overview.n_samples / overview.sample_rate)


def _share_time_axis(axes, duration: float) -> None:
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
    axes[-1].set_xlim(0.0, duration)


def _title(title, name, duration: float, rate: int) -> str:
    from ._ticks import TimeFormatter

    if title is not None:
        return title
    what = f"{name}: " if name else ""
    length = f"{duration:.2f} s" if duration < 60 else \
        TimeFormatter.format_seconds(duration, TimeFormatter.unit_for(duration), 0)
    return f"{what}{length} at {rate} Hz"


# ----------------------------------------------------------------------------------------------
# the command's figure: no pyplot, a layout computed once, matplotlib imported during the reading
# ----------------------------------------------------------------------------------------------
#: The figure's dpi while drawing (``audioviz.mplstyle``'s): Axes widths in pixels at this dpi
#: are the columns and envelope bins computed, as :func:`show` computes them.
_FIGURE_DPI = 100
# Margins and gaps in inches. The tick-label widths are the room kept before the labels are known
# (the Axes' widths, hence the columns computed, follow from them); labels that turn out wider
# move the Axes in (see _place), so nothing overlaps whatever the numbers.
_EDGE = 0.1
_Y_TICKS_WIDTH = 0.4  # "-0.5", "5.5k", "−20"
_COLORBAR_TICKS_WIDTH = 0.3
_COLORBAR_GAP, _COLORBAR_WIDTH = 0.25, 0.16  # room for the red markers of empty mel filters
_ROW_GAP = 0.14


def _points(value: float) -> float:
    return value / 72.0


class _Layout:
    """Where the panels go in a figure of ``figsize`` inches, from the sizes of its texts."""

    def __init__(self, figsize, sizes: dict, *, y_ticks=_Y_TICKS_WIDTH, colorbar_ticks=_COLORBAR_TICKS_WIDTH,
                 title_lines=1):
        self.width, self.height = (float(v) for v in figsize)
        label = _points(sizes["label"] * 1.2)  # a line of label text
        ticklabel = _points(sizes["ticklabel"] * 1.2)
        tick = _points(sizes["tick"])  # tick length and pad
        pad = _points(sizes["labelpad"])
        self.tick, self.pad, self.y_ticks, self.colorbar_ticks = tick, pad, y_ticks, colorbar_ticks
        self.left = _EDGE + label + pad + y_ticks + tick
        self.right = self.width - (_EDGE + label + pad + colorbar_ticks + tick + _COLORBAR_WIDTH + _COLORBAR_GAP)
        self.top = self.height - (_EDGE + title_lines * _points(sizes["title"] * 1.25) + 0.12)
        self.bottom = _EDGE + label + pad + ticklabel + tick
        self.x_label = -(tick + ticklabel + pad)  # inches below the bottom Axes

    def rows(self):
        """``(bottom, height)`` of the four rows, top first, in inches."""
        free = self.top - self.bottom - 3 * _ROW_GAP
        heights = [free * r / sum(_HEIGHT_RATIOS) for r in _HEIGHT_RATIOS]
        rows, top = [], self.top
        for h in heights:
            rows.append((top - h, h))
            top -= h + _ROW_GAP
        return rows

    def axes_pixels(self) -> int:
        return max(1, math.ceil((self.right - self.left) * _FIGURE_DPI))

    def rects(self):
        """Figure fractions of the four panels and the three colorbars."""
        w, h = self.width, self.height
        panels = [(self.left / w, b / h, (self.right - self.left) / w, hh / h) for b, hh in self.rows()]
        x = self.right + _COLORBAR_GAP
        bars = [(x / w, b / h, _COLORBAR_WIDTH / w, hh / h) for b, hh in self.rows()[1:]]
        return panels, bars


#: Font sizes, tick length plus pad, and label pad, in points, as ``audioviz.mplstyle`` sets them:
#: the layout the columns are computed for, before matplotlib is imported (see _rc_sizes).
_STYLE_SIZES = {"label": 10.0, "ticklabel": 9.0, "title": 12.0, "tick": 7.0, "labelpad": 4.0}


def _rc_sizes() -> dict:
    """:data:`_STYLE_SIZES` as the current rcParams give them."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    rc = matplotlib.rcParams

    def size(key):
        return FontProperties(size=rc[key]).get_size_in_points()

    return {"label": size("axes.labelsize"), "ticklabel": size("ytick.labelsize"), "title": size("figure.titlesize"),
            "tick": max(rc["ytick.major.size"] + rc["ytick.major.pad"], rc["xtick.major.size"] + rc["xtick.major.pad"]),
            "labelpad": rc["axes.labelpad"]}


def _new_figure(figsize, layout: _Layout):
    """A Figure on an Agg canvas (no pyplot) with the four panels and three colorbar Axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=_FIGURE_DPI, layout="none")
    FigureCanvasAgg(fig)
    panels, bars = layout.rects()
    first = fig.add_axes(panels[0])
    axes = [first] + [fig.add_axes(rect, sharex=first) for rect in panels[1:]]
    caxes = [fig.add_axes(rect) for rect in bars]
    return fig, axes, caxes


def _text_widths(renderer, strings, size_points: float) -> float:
    """The widest of ``strings`` in inches at ``size_points``."""
    from matplotlib.cbook import is_math_text
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=size_points)
    widths = [renderer.get_text_width_height_descent(text, prop, ismath=is_math_text(text))[0]
              for text in strings if text]
    return max(widths, default=0.0) / renderer.dpi


def _tick_labels(axis) -> list:
    low, high = sorted(axis.get_view_interval())
    margin = 1e-9 * max(abs(low), abs(high), 1.0)
    locs = [loc for loc in axis.get_majorticklocs() if low - margin <= loc <= high + margin]
    return axis.get_major_formatter().format_ticks(locs)


def _fit_title(fig, text: str, size_points: float):
    """The title's lines and font size: shrunk to fit the figure's width, down to 7 points,
    then broken into lines."""
    import textwrap

    renderer = fig.canvas.get_renderer()
    room = fig.get_figwidth() - 2 * _EDGE
    width = _text_widths(renderer, [text], size_points)
    if width <= room:
        return text, size_points, 1
    size = max(7.0, size_points * room / width * 0.98)
    width = _text_widths(renderer, [text], size)
    if width <= room:
        return text, size, 1
    per_line = max(10, int(len(text) * room / width * 0.95))
    lines = textwrap.wrap(text, per_line, break_long_words=True, break_on_hyphens=False) or [text]
    return "\n".join(lines), size, len(lines)


def _place(fig, axes, caxes, figsize, title: str) -> None:
    """Measure the tick labels and the title, then put every Axes and label at its final place."""
    renderer = fig.canvas.get_renderer()
    sizes = _rc_sizes()
    tick_size = sizes["ticklabel"]
    y_ticks = max(_Y_TICKS_WIDTH, max(_text_widths(renderer, _tick_labels(ax.yaxis), tick_size) for ax in axes))
    bar_labels = max(_text_widths(renderer, _tick_labels(cax.yaxis), tick_size) for cax in caxes)
    bar_ticks = max(_COLORBAR_TICKS_WIDTH, bar_labels)
    text, size, lines = _fit_title(fig, title, sizes["title"])
    layout = _Layout(figsize, sizes, y_ticks=y_ticks, colorbar_ticks=bar_ticks, title_lines=lines)
    panels, bars = layout.rects()
    for ax, rect in zip(axes, panels):
        ax.set_position(rect)
    for cax, rect in zip(caxes, bars):
        cax.set_position(rect)
    # every label at a place computed here: matplotlib would otherwise measure the tick labels of
    # all four shared time axes for each of them, at every draw; aligned, too
    panel_width = layout.right - layout.left
    for ax, (_, height) in zip(axes, layout.rows()):
        ax.yaxis.set_label_coords(-(layout.y_ticks + layout.tick + layout.pad) / panel_width, 0.5)
        ax.xaxis.set_label_coords(0.5, layout.x_label / height)
    for cax in caxes:  # beside the widest tick label of the three
        cax.yaxis.set_label_coords(1.0 + (bar_labels + layout.tick + layout.pad) / _COLORBAR_WIDTH, 0.5)
    fig.suptitle(text, fontsize=size, parse_math=False, y=1.0 - _EDGE / layout.height, va="top")


def file_figure(path, sample_rate=None, *, style=None, n_fft: int = 400, hop_length: int | None = None,
                n_mels: int = DEFAULT_N_MELS, n_mfcc: int = 20, mel_scale: str = "htk", title: str | None = None,
                figsize=(10, 8.5)):
    """:func:`show` of the file at ``path`` as ``audioviz show`` draws it: the same panels, on a
    Figure with an Agg canvas (no pyplot) laid out once, with the matplotlib style file ``style``
    (or the current rcParams).

    The file is read and computed in a forked child process (:class:`~audioviz._child.ChildCall`)
    while this process imports matplotlib and makes the empty figure: the two take about as long,
    and on two cores they overlap. (Importing matplotlib on a thread instead saved nothing: the
    import holds the GIL the numpy threads keep taking back.) Where fork is not available the
    file is computed first, then matplotlib imported.

    Returns:
        matplotlib.figure.Figure, not known to pyplot. Save it with ``bbox_inches=None`` under
        the same style: its layout already fits its texts.
    """
    path = Path(path)
    sample_rate = _check_file(path, sample_rate)
    width = _Layout(figsize, _STYLE_SIZES).axes_pixels()
    # the child starts first; _style then imports matplotlib while it computes
    with ChildCall(_read_file, path, (width, width), sample_rate, n_fft=n_fft, hop_length=hop_length,
                   n_mels=n_mels, n_mfcc=min(n_mfcc, n_mels), mel_scale=mel_scale) as reading, _style(style):
        fig, axes, caxes = _new_figure(figsize, _Layout(figsize, _rc_sizes()))
        overview = reading.result()
        duration = overview.n_samples / overview.sample_rate
        _draw_overview(axes, caxes, overview)
        _share_time_axis(axes, duration)
        _place(fig, axes, caxes, figsize, _title(title, path.name, duration, overview.sample_rate))
    return fig


def _style(style):
    """``style`` (a matplotlib style file) applied over the current rcParams for the block, as
    ``plt.style.context`` applies it, or nothing when it is None."""
    import contextlib

    import matplotlib.style

    return matplotlib.style.context(str(style)) if style is not None else contextlib.nullcontext()


def _draw_in_memory(axes, caxes, wave, rate, *, n_fft, hop_length, n_mels, n_mfcc, mel_scale):
    """The four panels of a waveform given in memory, through the torch plot helpers."""
    from .display import plot_mel_spectrogram, plot_mfcc, plot_spectrogram, plot_waveform

    plot_waveform(wave, rate, ax=axes[0])
    stft = dict(n_fft=n_fft, hop_length=hop_length)
    mel = dict(stft, n_mels=n_mels, mel_scale=mel_scale)
    plot_spectrogram(wave, rate, ax=axes[1], colorbar=caxes[0], **stft)
    plot_mel_spectrogram(wave, rate, ax=axes[2], colorbar=caxes[1], **mel)
    with empty_filters_said():  # the mel panel has said which filters are empty, once, as a file's figure does
        plot_mfcc(wave, rate, ax=axes[3], colorbar=caxes[2], **mel, n_mfcc=min(n_mfcc, n_mels))
