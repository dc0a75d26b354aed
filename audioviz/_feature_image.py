"""One plotted Feature: the image, its colorbar, its row-axis kind and its empty-row markers.

:class:`FeatureImage` owns one drawn :class:`~audioviz.features.Feature`; its
:meth:`~FeatureImage.update` puts another Feature into the same image in place and says what
changed (:class:`ImageChanges`), so a slider explorer knows whether the figure must be laid out
again. :func:`plot_feature` draws through it and returns the
:class:`~matplotlib.image.AxesImage` (librosa style); :meth:`FeatureImage.of` finds the object
again from that image. No bookkeeping is stored on matplotlib objects: a module-level
:class:`weakref.WeakKeyDictionary` maps each image to its FeatureImage, and the FeatureImage
holds the image and its markers only weakly, so a closed figure is freed as usual.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import torch

from . import features as F
from ._axes import apply_axis, feature_axis_kind
from ._validation import check_axes, check_choice
from ._reduce import reduce_columns
from ._waveform import axes_width_pixels

__all__ = ["FeatureImage", "ImageChanges", "plot_feature", "update_feature_image"]

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


# image -> its FeatureImage. Weak keys: the entry goes with the image. The FeatureImage refers to
# the image and its markers weakly, or the entry would keep its own key alive.
_DRAWN: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ImageChanges:
    """What :meth:`FeatureImage.update` changed besides the pixels.

    Attributes:
        extent: the image's extent (time or row edges) moved.
        axis: the row-axis kind changed (Hz, log Hz, mel, MFCC index, or the mel scale): the y
            axis got a new scale, ticks and label.
        limits: the view limits moved to show the whole new image (they follow only while they
            still show the whole previous one; limits zoomed or set by hand stay).
        unit: the unit changed, and with it the colorbar label.
    """

    extent: bool = False
    axis: bool = False
    limits: bool = False
    unit: bool = False

    @property
    def layout(self) -> bool:
        """True when label texts changed kind, so a figure laid out once should be laid out again."""
        return self.axis or self.unit


class FeatureImage:
    """One Feature drawn as an image with true axes, updatable in place.

    Time runs along x in seconds (the Feature's own frame times, no ``sample_rate`` or
    ``hop_length`` asked again). The rows go along y with low frequencies at the bottom:

    - linear spectrogram: Hz; with ``y_axis="log"`` the axis is symmetric-log in Hz (linear
      below 64 Hz so 0 Hz fits, logarithmic above) and matplotlib resamples the image onto it;
    - mel spectrogram: the axis is measured in mel, so the evenly spaced mel rows are drawn
      exactly, and the tick labels give the frequency in Hz of torchaudio's filter centres;
      rows of empty filters (no FFT bin inside them) get a red arrow at the right edge;
    - MFCC: coefficient index, with a diverging colormap centred on 0.

    The image is drawn with ``imshow`` and an ``extent`` in axis units (seconds; Hz, mel or
    index). :func:`plot_feature` is the same drawing returning the image alone. Drawn on the
    current Axes (``ax=None``), the image becomes pyplot's current image, so a bare
    ``plt.colorbar()`` afterwards works.

    Args:
        feature: a Feature with data of shape ``(channel, n_rows, n_frames)``.
        ax: the Axes to draw in. Default: the current Axes.
        y_axis: ``None`` (follow the Feature), or ``"linear"`` / ``"log"`` for a linear spectrogram.
        cmap: colormap. Default: ``"magma"`` for power, magnitude and dB; ``"coolwarm"`` for MFCC.
        vmin, vmax: colour limits. Default: the data range; for MFCC symmetric around 0 and set
            by coefficients 1 and up (coefficient 0, the overall loudness, may saturate).
        colorbar: draw a colorbar labelled with the unit (``"dB"``, ``"power"``, ...); pass an
            Axes to draw it there.
        max_columns: frames are pooled (max for energy, mean for MFCC) into at most this many
            columns before drawing. Default: the Axes width in pixels.
        channel: which channel to draw. Default: ``0``.
        **kwargs: passed to :meth:`matplotlib.axes.Axes.imshow`. Defaults: ``origin="lower"``,
            ``aspect="auto"``, ``interpolation="nearest"``, ``interpolation_stage="data"``.

    Attributes:
        image: the :class:`~matplotlib.image.AxesImage`.
        ax: its Axes.
        colorbar: its :class:`~matplotlib.colorbar.Colorbar`, or ``None``.
        feature: the Feature shown now, pooled to the columns drawn.
        axis_kind: the row-axis kind (``"hz"``, ``"log"``, ``"mel"``, ``"mfcc"``).
        markers: the empty-mel-row markers drawn now (a list of Line2D, often empty).

    Raises:
        TypeError: ``feature`` is not a Feature, or ``ax`` is not an Axes.
        ValueError: bad ``y_axis``, ``channel`` or ``max_columns``.

    Example:
        >>> import torch, audioviz
        >>> wave = torch.randn(16000)
        >>> drawn = audioviz.FeatureImage(audioviz.spectrogram(wave, 16000, n_fft=256).to_db())
        >>> changes = drawn.update(audioviz.mel_spectrogram(wave, 16000, n_mels=40).to_db())
        >>> changes.axis, drawn.axis_kind, drawn.image.get_array().shape[0]
        (True, 'mel', 40)
        >>> audioviz.FeatureImage.of(drawn.image) is drawn
        True
    """

    Changes = ImageChanges

    def __init__(self, feature, *, ax=None, y_axis: str | None = None, cmap=None, vmin=None, vmax=None,
                 colorbar=True, max_columns: int | None = None, channel: int = 0, **kwargs):
        _check_feature(feature)
        current = ax is None
        ax = check_axes(ax)
        feature, data = _image_data(feature, ax, y_axis, channel, _resolve_max_columns(ax, max_columns, colorbar))
        if cmap is None:
            cmap = DEFAULT_CMAPS.get(feature.unit, "magma")
        vmin, vmax, extend = _color_limits(feature, data, vmin, vmax)
        kwargs.setdefault("origin", "lower")
        kwargs.setdefault("aspect", "auto")
        kwargs.setdefault("interpolation", "nearest")
        # with nearest sampling, sampling the data before colouring gives the same pixels as
        # colouring every cell first (tested), and is faster
        kwargs.setdefault("interpolation_stage", "data")
        image = ax.imshow(data, extent=_extent(feature), cmap=cmap, vmin=vmin, vmax=vmax, **kwargs)
        self._image = weakref.ref(image)
        self._markers: list = []
        self.feature = feature
        apply_axis(ax, "x", "time")
        self._set_row_axis(feature, y_axis)
        ax.set_xlim(*_time_limits(feature))
        self._xlim = ax.get_xlim()
        if colorbar is not False and colorbar is not None:
            if colorbar is True:
                cbar = ax.figure.colorbar(image, ax=ax, pad=_COLORBAR_PAD, extend=extend)
            else:
                cbar = ax.figure.colorbar(image, cax=check_axes(colorbar), extend=extend)
            cbar.set_label(_colorbar_label(feature.unit))
        _DRAWN[image] = self
        if current:
            # drawn on pyplot's current Axes: the current image too, so plt.colorbar() works
            import matplotlib.pyplot as plt

            plt.sci(image)

    @classmethod
    def of(cls, image) -> "FeatureImage":
        """The FeatureImage that drew ``image`` (an AxesImage from :func:`plot_feature` or the
        ``plot_*`` image helpers).

        Raises:
            TypeError: ``image`` was not drawn by audioviz.
        """
        try:
            found = _DRAWN.get(image)
        except TypeError:  # unhashable: certainly not ours
            found = None
        if found is None:
            raise TypeError(f"image must be an AxesImage returned by audioviz.plot_feature, got {type(image).__name__}")
        return found

    @property
    def image(self):
        image = self._image()
        if image is None:
            raise RuntimeError("the image of this FeatureImage no longer exists")
        return image

    @property
    def ax(self):
        return self.image.axes

    @property
    def colorbar(self):
        # matplotlib keeps a mappable's colorbar on the mappable itself
        return self.image.colorbar

    @property
    def markers(self) -> list:
        return [mark for mark in (ref() for ref in self._markers) if mark is not None]

    def update(self, feature, *, y_axis: str | None = None, vmin=None, vmax=None, max_columns: int | None = None,
               channel: int = 0) -> ImageChanges:
        """Show ``feature`` in the same image, in place; return what changed besides the pixels.

        For sliders and animations: recomputing a spectrogram and calling this costs far less
        than drawing a new image. The new Feature's frames are pooled to the Axes width as the
        first drawing pooled them, and the image's data, ``extent`` and colour limits (so its
        colorbar too) follow. When the kind of row axis changes the y axis gets the new scale,
        ticks and label. Limits that still show the whole previous image move to show the whole
        new one; limits zoomed or set by hand stay.

        Args:
            feature: the Feature to show, data of shape ``(channel, n_rows, n_frames)``.
            y_axis, channel: as for the constructor.
            vmin, vmax: colour limits. Default: the data range (for MFCC symmetric around 0).
            max_columns: at most this many columns. Default: the Axes width in pixels.

        Returns:
            ImageChanges: which of extent, axis kind, view limits and unit changed.

        Raises:
            TypeError: ``feature`` is not a Feature.
            ValueError: bad ``y_axis``, ``channel`` or ``max_columns``.
        """
        _check_feature(feature)
        image = self.image
        ax = image.axes
        feature, data = _image_data(feature, ax, y_axis, channel, _resolve_max_columns(ax, max_columns))
        vmin, vmax, _ = _color_limits(feature, data, vmin, vmax)
        extent = _extent(feature)
        old_extent = tuple(image.get_extent())
        image.set_data(data)
        image.set_extent(extent)
        image.set_clim(float(data.min()) if vmin is None else vmin, float(data.max()) if vmax is None else vmax)
        limits = (ax.get_xlim(), ax.get_ylim())
        axis = _axis_key(feature, y_axis) != _axis_key(self.feature, self._y_axis)
        if axis:
            self._set_row_axis(feature, y_axis)
        else:
            low = 0.0 if self.axis_kind == "log" else extent[2]
            self._ylim = _follow_limits(ax.get_ylim, ax.set_ylim, self._ylim, (low, extent[3]))
            self._mark_empty_rows(feature)
        self._xlim = _follow_limits(ax.get_xlim, ax.set_xlim, self._xlim, _time_limits(feature))
        unit = feature.unit != self.feature.unit
        if unit and self.colorbar is not None:
            self.colorbar.set_label(_colorbar_label(feature.unit))
        self.feature = feature
        return ImageChanges(extent=tuple(extent) != old_extent, axis=axis,
                            limits=(ax.get_xlim(), ax.get_ylim()) != limits, unit=unit)

    def _set_row_axis(self, feature, y_axis):
        """Give the y axis the scale, ticks and label of the Feature's rows, with limits that show
        every row, and mark the rows of empty mel filters."""
        ax = self.ax
        self._y_axis = y_axis
        self.axis_kind = feature_axis_kind(feature, y_axis)
        apply_axis(ax, "y", self.axis_kind, mel_scale=feature.params.get("mel_scale", "htk"))
        r_lo, r_hi = feature.row_edges()
        # symmetric-log axis: from 0 Hz (the lowest row's edge lies below it)
        ax.set_ylim(0.0 if self.axis_kind == "log" else r_lo, r_hi)
        self._ylim = ax.get_ylim()
        self._mark_empty_rows(feature)

    def _mark_empty_rows(self, feature):
        """Red arrows at the right edge beside the rows of empty mel filters (always at the
        floor); the arrows of the Feature shown before are removed."""
        for mark in self.markers:
            mark.remove()
        self._markers = []
        if feature.kind != "mel" or not feature.params.get("empty_rows"):
            return
        ax = self.ax
        lo, hi = feature.row_edges()
        n_rows = feature.data.shape[1]
        rows = np.asarray(feature.params["empty_rows"], dtype=float)
        centres = lo + (rows + 0.5) * (hi - lo) / n_rows
        marks = ax.plot(np.ones_like(centres), centres, transform=ax.get_yaxis_transform(), linestyle="none",
                        marker="<", color="red", markersize=5, clip_on=False, label="empty filters", zorder=4)
        self._markers = [weakref.ref(mark) for mark in marks]


def plot_feature(feature, *, ax=None, y_axis: str | None = None, cmap=None, vmin=None, vmax=None, colorbar=True,
                 max_columns: int | None = None, channel: int = 0, **kwargs):
    """Draw any audioviz :class:`~audioviz.features.Feature` as an image with true axes.

    The drawing is :class:`FeatureImage`'s (see there for the axes of each kind of Feature);
    this returns the image, librosa style, and :meth:`FeatureImage.of` finds the FeatureImage
    from it. With ``ax=None`` the image becomes pyplot's current image, so a bare
    ``plt.colorbar()`` afterwards works.

    Args:
        feature: a Feature with data of shape ``(channel, n_rows, n_frames)``.
        ax, y_axis, cmap, vmin, vmax, colorbar, max_columns, channel, **kwargs: as in
            :class:`FeatureImage`.

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
    return FeatureImage(feature, ax=ax, y_axis=y_axis, cmap=cmap, vmin=vmin, vmax=vmax, colorbar=colorbar,
                        max_columns=max_columns, channel=channel, **kwargs).image


def update_feature_image(image, feature, *, y_axis: str | None = None, vmin=None, vmax=None,
                         max_columns: int | None = None, channel: int = 0):
    """Show a new Feature in an image drawn by :func:`plot_feature`, in place.

    A thin wrapper: ``FeatureImage.of(image).update(feature, ...)`` (see
    :meth:`FeatureImage.update`, which also says what changed).

    Args:
        image: a :class:`~matplotlib.image.AxesImage` returned by :func:`plot_feature` (or the
            ``plot_*`` helpers that draw through it).
        feature: the Feature to show, data of shape ``(channel, n_rows, n_frames)``.
        y_axis, vmin, vmax, max_columns, channel: as in :meth:`FeatureImage.update`.

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
    FeatureImage.of(image).update(feature, y_axis=y_axis, vmin=vmin, vmax=vmax, max_columns=max_columns,
                                  channel=channel)
    return image


def _extent(feature) -> tuple[float, float, float, float]:
    t_lo, t_hi = feature.time_edges()
    r_lo, r_hi = feature.row_edges()
    return (t_lo, t_hi, r_lo, r_hi)


def _axis_key(feature, y_axis) -> tuple:
    return feature_axis_kind(feature, y_axis), feature.params.get("mel_scale", "htk")


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


def _follow_limits(get, set_, drawn, new):
    """Set ``new`` limits where the Axes still shows the ones the image set last (not zoomed or
    set by hand); return the limits the image stands for now: the ones it set, or, under a zoom,
    still the ones it set before. A zoom is thus kept through any number of updates (remembering
    the zoomed view as the image's own gave it up at the second update), and the home view
    (the limits it set) follows the image again."""
    if drawn is None:
        return get()
    if get() != drawn:
        return drawn
    if tuple(new) != tuple(drawn):
        set_(*new)  # (setting equal limits again would only cost: shared Axes and callbacks follow)
    return get()
