"""One plotted Feature: the image, its colorbar, its row-axis kind and its empty-row markers.

:func:`plot_feature` draws any :class:`~audioviz.features.Feature` as an image with true axes and
returns the :class:`~matplotlib.image.AxesImage` (librosa style); :func:`update_feature_image`
puts another Feature into that image in place, for sliders and animations. The display helpers
(:mod:`audioviz.display`) and the explorers (:mod:`audioviz.widgets`) draw through these two.
"""
from __future__ import annotations

import numpy as np
import torch

from . import features as F
from ._axes import apply_axis, feature_axis_kind
from ._validation import check_axes, check_choice
from ._reduce import reduce_columns
from ._waveform import axes_width_pixels

#: Default colormap per unit: sequential for energy, diverging (centred on 0) for MFCC.
DEFAULT_CMAPS = {"dB": "magma", "power": "magma", "magnitude": "magma", "coefficient": "coolwarm"}

def _check_feature(feature, name: str = "feature"):
    if not isinstance(feature, F.Feature):
        raise TypeError(f"{name} must be an audioviz Feature (from audioviz.spectrogram, mel_spectrogram or "
                        f"mfcc), got {type(feature).__name__}")
    return feature


# Share of the Axes width a colorbar takes (matplotlib's ``fraction=0.15`` plus our ``pad``).
_COLORBAR_PAD = 0.02
_COLORBAR_SHARE = 0.15 + _COLORBAR_PAD


def _resolve_max_columns(ax, max_columns, colorbar=False):
    if max_columns is None:
        # a colorbar beside the image (not in its own Axes) will take part of the width
        share = _COLORBAR_SHARE if colorbar is True else 0.0
        return max(1, int(axes_width_pixels(ax) * (1.0 - share)))
    if isinstance(max_columns, bool) or not isinstance(max_columns, (int, np.integer)) or max_columns <= 0:
        raise ValueError(f"max_columns must be a positive int or None (the Axes width in pixels), got {max_columns!r}")
    return int(max_columns)


def _colorbar_label(unit: str) -> str:
    return {"coefficient": "MFCC value"}.get(unit, unit)


def _time_limits(feature) -> tuple[float, float]:
    lo, hi = feature.time_edges()
    duration = feature.duration
    if duration > 0 and float(feature.times[0]) >= 0:
        lo, hi = max(lo, 0.0), min(hi, duration) if hi > duration else hi
    return lo, hi


def plot_feature(feature, *, ax=None, y_axis: str | None = None, cmap=None, vmin=None, vmax=None, colorbar=True,
                 max_columns: int | None = None, channel: int = 0, **kwargs):
    """Draw any audioviz :class:`~audioviz.features.Feature` as an image with true axes.

    Time runs along x in seconds (the Feature's own frame times, no ``sample_rate`` or
    ``hop_length`` asked again). The rows go along y with low frequencies at the bottom:

    - linear spectrogram: Hz; with ``y_axis="log"`` the axis is symmetric-log in Hz (linear
      below 64 Hz so 0 Hz fits, logarithmic above) and matplotlib resamples the image onto it;
    - mel spectrogram: the axis is measured in mel, so the evenly spaced mel rows are drawn
      exactly, and the tick labels give the frequency in Hz of torchaudio's filter centres;
      rows of empty filters (no FFT bin inside them) get a red arrow at the right edge;
    - MFCC: coefficient index, with a diverging colormap centred on 0.

    The image is drawn with ``imshow`` and an ``extent`` in axis units (seconds; Hz, mel or
    index). :func:`update_feature_image` puts another Feature into it in place (for sliders).

    Args:
        feature: a Feature with data of shape ``(channel, n_rows, n_frames)``.
        ax: the Axes to draw in. Default: the current Axes.
        y_axis: ``None`` (follow the Feature), or ``"linear"`` / ``"log"`` for a linear spectrogram.
        cmap: colormap. Default: ``"magma"`` for power, magnitude and dB; ``"coolwarm"`` for MFCC.
        vmin, vmax: colour limits. Default: the data range; for MFCC symmetric around 0 and set
            by coefficients 1 and up (coefficient 0, the overall loudness, may saturate).
        colorbar: draw a colorbar labelled with the unit (``"dB"``, ``"power"``, ...); pass an
            Axes to draw it there. It is reachable as ``image.colorbar``.
        max_columns: frames are pooled (max for energy, mean for MFCC) into at most this many
            columns before drawing. Default: the Axes width in pixels.
        channel: which channel to draw. Default: ``0``.
        **kwargs: passed to :meth:`matplotlib.axes.Axes.imshow`. Defaults: ``origin="lower"``,
            ``aspect="auto"``, ``interpolation="nearest"``, ``interpolation_stage="data"``.

    Returns:
        matplotlib.image.AxesImage: the image; ``image.colorbar`` is its colorbar (or ``None``).

    Raises:
        TypeError: ``feature`` is not a Feature, or ``ax`` is not an Axes.
        ValueError: bad ``y_axis``, ``channel`` or ``max_columns``.

    Example:
        >>> import torch, audioviz
        >>> spec = audioviz.spectrogram(torch.randn(16000), 16000).to_db()
        >>> image = audioviz.plot_feature(spec)
        >>> list(image.get_extent()[2:]), image.colorbar.ax.get_ylabel()
        ([-20.0, 8020.0], 'dB')
    """
    _check_feature(feature)
    ax = check_axes(ax)
    feature, data = _image_data(feature, ax, y_axis, channel, _resolve_max_columns(ax, max_columns, colorbar))
    if cmap is None:
        cmap = DEFAULT_CMAPS.get(feature.unit, "magma")
    vmin, vmax, extend = _color_limits(feature, data, vmin, vmax)

    t_lo, t_hi = feature.time_edges()
    r_lo, r_hi = feature.row_edges()
    kwargs.setdefault("origin", "lower")
    kwargs.setdefault("aspect", "auto")
    kwargs.setdefault("interpolation", "nearest")
    # with nearest sampling, sampling the data before colouring gives the same pixels as colouring
    # every cell first (tested), and is faster
    kwargs.setdefault("interpolation_stage", "data")
    image = ax.imshow(data, extent=(t_lo, t_hi, r_lo, r_hi), cmap=cmap, vmin=vmin, vmax=vmax, **kwargs)
    image._audioviz_state = _ImageState()
    apply_axis(ax, "x", "time")
    _set_row_axis(image, feature, y_axis)
    ax.set_xlim(*_time_limits(feature))
    image._audioviz_state.xlim = ax.get_xlim()
    image.colorbar = None
    if colorbar is not False and colorbar is not None:
        figure = ax.figure
        if colorbar is True:
            cbar = figure.colorbar(image, ax=ax, pad=_COLORBAR_PAD, extend=extend)
        else:
            cbar = figure.colorbar(image, cax=check_axes(colorbar), extend=extend)
        cbar.set_label(_colorbar_label(feature.unit))
    image._audioviz_state.unit = feature.unit
    return image


class _ImageState:
    """What plot_feature drew around an image, so update_feature_image can tell what changed."""

    def __init__(self):
        self.axis = None  # (row-axis kind, mel_scale)
        self.unit = None
        self.xlim = self.ylim = None  # the limits plot_feature / update_feature_image last set
        self.marks = []  # the empty-mel-row markers


def _image_data(feature, ax, y_axis, channel, max_columns):
    """Check ``y_axis`` and ``channel``; return the Feature pooled to ``max_columns`` and the
    float32 array of its ``channel``, shape ``(n_rows, columns)``."""
    if y_axis is not None:
        check_choice(y_axis, ("linear", "log"), name="y_axis")
        if y_axis == "log" and feature.kind != "linear":
            raise ValueError(f"y_axis='log' needs a linear-frequency Feature, got kind {feature.kind!r}")
    if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)) or not 0 <= channel < feature.n_channels:
        raise ValueError(f"channel must be an int in [0, {feature.n_channels - 1}], got {channel!r}")
    feature = reduce_columns(feature, max_columns)
    return feature, feature.data[channel].detach().to("cpu", torch.float32).numpy()


def _color_limits(feature, data, vmin, vmax):
    """``(vmin, vmax, extend)``: the limits given, or for MFCC symmetric limits around 0."""
    extend = "neither"
    if feature.unit == "coefficient" and vmin is None and vmax is None:
        # Centre the diverging colormap on zero. Coefficient 0 (overall loudness) is usually far
        # larger than the rest and would wash them out, so the limits come from the others and
        # coefficient 0 saturates (the colorbar then shows arrows).
        rest = data[1:] if data.shape[0] > 1 else data
        limit = float(np.max(np.abs(rest))) or 1.0
        vmin, vmax = -limit, limit
        if float(np.max(np.abs(data))) > limit:
            extend = "both"
    return vmin, vmax, extend


def _set_row_axis(image, feature, y_axis):
    """Give the image's y axis the scale, ticks and label of the Feature's rows, with limits that
    show every row, and mark the rows of empty mel filters."""
    ax, state = image.axes, image._audioviz_state
    y_kind = feature_axis_kind(feature, y_axis)
    mel_scale = feature.params.get("mel_scale", "htk")
    apply_axis(ax, "y", y_kind, mel_scale=mel_scale)
    r_lo, r_hi = feature.row_edges()
    # symmetric-log axis: from 0 Hz (the lowest row's edge lies below it)
    ax.set_ylim(0.0 if y_kind == "log" else r_lo, r_hi)
    state.axis, state.ylim = (y_kind, mel_scale), ax.get_ylim()
    _mark_empty_rows(image, feature)


def _follow_limits(get, set_, drawn, new):
    """Set ``new`` limits where the Axes still shows the ones drawn last (not zoomed or set by
    hand); return the limits shown now."""
    if drawn is not None and get() == drawn:
        set_(*new)
    return get()


def update_feature_image(image, feature, *, y_axis: str | None = None, vmin=None, vmax=None,
                         max_columns: int | None = None, channel: int = 0):
    """Show a new Feature in an image drawn by :func:`plot_feature`, in place.

    For sliders and animations: recomputing a spectrogram and calling this costs far less than
    drawing a new image. The new Feature's frames are pooled to the Axes width as
    :func:`plot_feature` pools them, and the image's data, ``extent`` and colour limits (so its
    colorbar too) follow. When the kind of row axis changes (Hz, log Hz, mel, MFCC index, or the
    mel scale) the y axis gets the new scale, ticks and label. Limits that still show the whole
    previous image move to show the whole new one; limits set by hand or zoomed stay.

    Args:
        image: a :class:`~matplotlib.image.AxesImage` returned by :func:`plot_feature` (or the
            ``plot_*`` helpers that draw through it).
        feature: the Feature to show, data of shape ``(channel, n_rows, n_frames)``.
        y_axis: as in :func:`plot_feature`.
        vmin, vmax: colour limits. Default: the data range (for MFCC symmetric around 0).
        max_columns: at most this many columns. Default: the Axes width in pixels.
        channel: which channel to show. Default: ``0``.

    Returns:
        matplotlib.image.AxesImage: ``image``, updated.

    Raises:
        TypeError: ``image`` was not drawn by :func:`plot_feature`, or ``feature`` is not a Feature.
        ValueError: bad ``y_axis``, ``channel`` or ``max_columns``.

    Example:
        >>> import torch, audioviz
        >>> wave = torch.randn(16000)
        >>> image = audioviz.plot_feature(audioviz.spectrogram(wave, 16000, n_fft=256).to_db())
        >>> image = audioviz.update_feature_image(image, audioviz.spectrogram(wave, 16000, n_fft=1024).to_db())
        >>> image.get_array().shape[0]  # n_fft // 2 + 1 rows
        513
    """
    state = getattr(image, "_audioviz_state", None)
    if not isinstance(state, _ImageState):
        raise TypeError(f"image must be an AxesImage returned by audioviz.plot_feature, got {type(image).__name__}")
    _check_feature(feature)
    ax = image.axes
    feature, data = _image_data(feature, ax, y_axis, channel, _resolve_max_columns(ax, max_columns))
    vmin, vmax, _ = _color_limits(feature, data, vmin, vmax)
    t_lo, t_hi = feature.time_edges()
    r_lo, r_hi = feature.row_edges()
    image.set_data(data)
    image.set_extent((t_lo, t_hi, r_lo, r_hi))
    image.set_clim(float(data.min()) if vmin is None else vmin, float(data.max()) if vmax is None else vmax)
    if (feature_axis_kind(feature, y_axis), feature.params.get("mel_scale", "htk")) != state.axis:
        _set_row_axis(image, feature, y_axis)
    else:
        low = 0.0 if state.axis[0] == "log" else r_lo
        state.ylim = _follow_limits(ax.get_ylim, ax.set_ylim, state.ylim, (low, r_hi))
        _mark_empty_rows(image, feature)
    state.xlim = _follow_limits(ax.get_xlim, ax.set_xlim, state.xlim, _time_limits(feature))
    if image.colorbar is not None and feature.unit != state.unit:
        image.colorbar.set_label(_colorbar_label(feature.unit))
    state.unit = feature.unit
    return image


def _mark_empty_rows(image, feature):
    """Red arrows at the right edge beside the rows of empty mel filters (always at the floor);
    the arrows of the Feature shown before are removed."""
    state, ax = image._audioviz_state, image.axes
    for mark in state.marks:
        mark.remove()
    state.marks = []
    if feature.kind != "mel" or not feature.params.get("empty_rows"):
        return
    lo, hi = feature.row_edges()
    n_rows = feature.data.shape[1]
    rows = np.asarray(feature.params["empty_rows"], dtype=float)
    centres = lo + (rows + 0.5) * (hi - lo) / n_rows
    state.marks = ax.plot(np.ones_like(centres), centres, transform=ax.get_yaxis_transform(), linestyle="none",
                          marker="<", color="red", markersize=5, clip_on=False, label="empty filters", zorder=4)


