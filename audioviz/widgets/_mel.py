""":class:`MelExplorer`: the mel filterbank and the mel spectrogram it makes, with sliders."""
from __future__ import annotations

import warnings

import numpy as np
import torch

from ._base import RELATIVE_DB_LABEL, Explorer
from ._controls import dropdown, slider

__all__ = ["MelExplorer"]


def _filter_line(freqs, weights):
    """The points of one filter's line over frequency: its triangle, and the zero runs on either
    side as one straight piece each. Agg strokes the same line either way (measured: at most 2 of
    255 levels apart, on about a hundred antialiased pixels of the panel), but a 64-filter bank
    at n_fft 1024 is then about 1,300 points instead of 33,000, drawn in under half the time
    (10 -> 4.5 ms at load 5)."""
    inside = np.flatnonzero(weights != 0)
    last = len(weights) - 1
    if len(inside) == 0:
        keep = [0, last]
    else:
        low, high = max(int(inside[0]) - 1, 0), min(int(inside[-1]) + 1, last)
        keep = sorted({0, *range(low, high + 1), last})
    return np.column_stack([freqs[keep], weights[keep]])


class _FilterPanel:
    """The filterbank Axes, drawn once by :func:`audioviz.plot_mel_filterbank` and then updated
    in place: the filter lines get new segments and colours, the empty filters' dashed triangles,
    crosses and note new data; the ticks, the FFT-bin marks and the top (mel) axis stay."""

    def __init__(self, ax, bank):
        from matplotlib.collections import LineCollection
        from matplotlib.ticker import MaxNLocator

        from .. import display

        self.ax = ax
        before = set(ax.get_children())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.lines = display.plot_mel_filterbank(bank, ax=ax)
        # plot_mel_filterbank marks the empty filters of this first bank; the panel keeps its own
        # marks, which every step updates in place
        kept = before | {self.lines} | set(ax.child_axes) | {a for a in ax.lines if a.get_label() == "FFT bins"}
        for artist in [a for a in ax.get_children() if a not in kept]:
            artist.remove()
        for secondary in ax.child_axes:
            # a narrow panel: few mel ticks, so their labels never run into each other
            secondary.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        self.triangles = ax.add_collection(LineCollection([], colors="red", linestyles="--", linewidths=1.0),
                                           autolim=False)
        (self.crosses,) = ax.plot([], [], linestyle="none", marker="x", color="red", markersize=7,
                                  markeredgewidth=1.8, label="empty filters", clip_on=False, zorder=4)
        self.note = ax.text(0.99, 0.97, "", transform=ax.transAxes, ha="right", va="top", color="red",
                            fontsize="small", visible=False,
                            bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor="none", alpha=0.9))
        self.update(bank)

    def update(self, bank) -> None:
        import matplotlib.pyplot as plt

        freqs = bank.frequencies.numpy()
        weights = bank.weights.double().numpy()
        self.lines.set_segments([_filter_line(freqs, weights[:, j]) for j in range(bank.n_mels)])
        self.lines.set_colors(plt.get_cmap("viridis")(np.linspace(0.0, 0.92, bank.n_mels)))
        empty = np.flatnonzero(bank.empty.numpy())
        edges = bank.edges_hz.numpy()
        # each empty filter as the triangle it was meant to be
        heights = [2.0 / (edges[j + 2] - edges[j]) if bank.norm == "slaney" else 1.0 for j in empty]
        self.triangles.set_segments([[(edges[j], 0.0), (edges[j + 1], h), (edges[j + 2], 0.0)]
                                     for j, h in zip(empty, heights)])
        centers = bank.centers_hz.numpy()[empty]
        self.crosses.set_data(centers, np.zeros_like(centers))
        self.note.set_visible(len(empty) > 0)
        self.note.set_text(f"{len(empty)} of {bank.n_mels} filters are empty (red, dashed):\n"
                           f"no FFT bin ({bank.sample_rate / bank.n_fft:g} Hz apart) falls inside them")


class MelExplorer(Explorer):
    """The mel filterbank and the mel spectrogram it makes, side by side, with sliders.

    Controls (``explorer.controls[name]``): ``n_mels`` (8 ... 256), ``f_min`` and ``f_max`` in Hz
    (kept ``f_min < f_max`` by the sliders), ``mel_scale`` (``"htk"``, torchaudio's default, or
    ``"slaney"``). Left: the triangular filters over frequency in Hz, drawn by
    :func:`audioviz.plot_mel_filterbank` and updated in place (filters too narrow to catch an FFT
    bin are marked, and the readout says how many). Right: the mel spectrogram in dB drawn by
    :class:`audioviz.FeatureImage`, updated in place. One filterbank is built per step and used
    for both panels; the STFT is computed once.

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``; channels are
            averaged.
        sample_rate: in Hz.
        n_fft: FFT size (fixed for the explorer). Default: ``1024``.
        hop_length: samples between columns. Default: ``n_fft // 4``.
        n_mels: first number of filters. Default: ``64``.
        f_min, f_max: first frequency range in Hz. Default: ``0`` and ``sample_rate / 2``.
        mel_scale: ``"htk"`` or ``"slaney"``. Default: ``"htk"``.
        top_db: dynamic range shown, in dB. Default: ``80``.

    Attributes:
        controls, figure, image, readout, output, status, error: see :class:`Explorer`.
        ax_filters, ax_mel: the two Axes.
        filterbank: the :class:`~audioviz.features.MelFilterbank` shown.
        feature: the dB mel :class:`~audioviz.features.Feature` shown.
        drawn: its :class:`~audioviz.FeatureImage`.

    Example:
        >>> import torch, audioviz
        >>> explorer = audioviz.MelExplorer(torch.randn(16000), 16000)
        >>> explorer.controls["n_mels"].value = 40
        >>> explorer.image.get_array().shape[0], explorer.filterbank.n_mels
        (40, 40)
    """

    figsize = (10.0, 3.4)

    def __init__(self, waveform, sample_rate: int, *, n_fft: int = 1024, hop_length: int | None = None,
                 n_mels: int = 64, f_min: float = 0.0, f_max: float | None = None, mel_scale: str = "htk",
                 top_db: float = 80.0):
        from .._validation import check_choice, check_freq_range, check_stft_params
        from ..features import MEL_SCALES

        self._set_clip(waveform, sample_rate)
        self.n_fft, _, self.hop_length = check_stft_params(n_fft, None, hop_length if hop_length is not None
                                                           else max(n_fft // 4, 1))
        f_min, f_max = check_freq_range(f_min, f_max, self.sample_rate)
        if isinstance(n_mels, bool) or not isinstance(n_mels, int) or not 8 <= n_mels <= 256:
            raise ValueError(f"n_mels must be an int from 8 to 256, got {n_mels!r}")
        if not isinstance(top_db, (int, float)) or top_db <= 0:
            raise ValueError(f"top_db must be a positive number of dB, got {top_db!r}")
        self.top_db = float(top_db)
        self._initial = dict(n_mels=n_mels, f_min=f_min, f_max=f_max,
                             mel_scale=check_choice(mel_scale, MEL_SCALES, name="mel_scale"))
        super().__init__()

    def _make_controls(self):
        from ..features import MEL_SCALES

        p = self._initial
        nyquist = self.sample_rate / 2
        return {
            "n_mels": slider("IntSlider", "n_mels", min=8, max=256, step=1, value=p["n_mels"]),
            "f_min": slider("FloatSlider", "f_min (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_min"],
                            readout_format=".0f"),
            "f_max": slider("FloatSlider", "f_max (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_max"],
                            readout_format=".0f"),
            "mel_scale": dropdown("mel_scale", MEL_SCALES, p["mel_scale"]),
        }

    def _coerce(self, changed):
        self._keep_frequency_range(changed)

    def _compute(self):
        """One filterbank for the current settings, and the mel spectrogram it makes from the
        explorer's one STFT (pooled to the columns shown)."""
        from .. import features
        from .._feature_image import _resolve_max_columns
        from .._reduce import reduce_columns

        p = self.params
        self.filterbank = features.mel_filterbank(self.sample_rate, n_fft=self.n_fft, n_mels=p["n_mels"],
                                                  f_min=p["f_min"], f_max=p["f_max"], mel_scale=p["mel_scale"],
                                                  warn_empty=False)
        linear = self._linear
        data = torch.matmul(linear.data.transpose(-1, -2), self.filterbank.weights.to(linear.data.dtype))
        mel = linear.replace(data=data.transpose(-1, -2), rows=self.filterbank.centers_mel, kind="mel",
                             params={**linear.params, **self.filterbank.mel_params()})
        mel = reduce_columns(mel, _resolve_max_columns(self.ax_mel, None))
        self.feature = self.relative_db(mel, self.top_db)

    def _mel_view(self):
        from ..features import hz_to_mel

        p = self.params
        return tuple(float(hz_to_mel(f, mel_scale=p["mel_scale"])) for f in (p["f_min"], p["f_max"]))

    def _draw(self, figure):
        from .. import features
        from .._feature_image import FeatureImage

        self.ax_filters, self.ax_mel, self._cax = figure.subplots(1, 3, width_ratios=(20, 24, 1))
        # n_fft and hop_length are fixed: every slider step reuses this one STFT
        self._linear = features.spectrogram(self.waveform, self.sample_rate, n_fft=self.n_fft,
                                            hop_length=self.hop_length)
        self._compute()
        self._filters = _FilterPanel(self.ax_filters, self.filterbank)
        self.filter_lines = self._filters.lines
        self.drawn = FeatureImage(self.feature, ax=self.ax_mel, colorbar=self._cax, vmin=-self.top_db, vmax=0.0)
        self.image = self.drawn.image
        self.drawn.colorbar.set_label(RELATIVE_DB_LABEL)
        self.ax_mel.set_xlim(0.0, self.waveform.shape[-1] / self.sample_rate)
        self.ax_mel.set_ylim(*self._mel_view())

    def _update(self, changed):
        self._compute()
        self._filters.update(self.filterbank)
        if self.drawn.update(self.feature, vmin=-self.top_db, vmax=0.0).layout:
            self.mark_layout_stale()
        self.ax_mel.set_ylim(*self._mel_view())
        self.mark_stale(self.ax_filters, self.ax_mel)

    def _readout(self):
        bank = self.filterbank
        n_empty = int(bank.empty.sum())
        spacing = bank.sample_rate / bank.n_fft
        text = (f"{bank.n_mels} filters from {bank.f_min:.0f} to {bank.f_max:.0f} Hz ({bank.mel_scale}); "
                f"FFT bins every {spacing:.1f} Hz (n_fft={bank.n_fft}).")
        if n_empty:
            text += (f" <span style='color:#b00020'>{n_empty} filter{'s are' if n_empty > 1 else ' is'} empty"
                     f"</span>: narrower than the bin spacing, their mel row is always silent. Use fewer mels or a "
                     f"larger n_fft.")
        return f"<div style='font-size:90%;line-height:1.4'>{text}</div>"
