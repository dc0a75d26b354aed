""":class:`SpectrogramExplorer`: a live spectrogram whose STFT settings are sliders."""
from __future__ import annotations

import warnings

from ._base import RELATIVE_DB_LABEL, Explorer
from ._columns import ColumnFrames
from ._controls import dropdown, slider

__all__ = ["CMAP_CHOICES", "N_FFT_CHOICES", "SpectrogramExplorer", "Y_AXIS_CHOICES"]

#: FFT sizes offered by the n_fft slider.
N_FFT_CHOICES = (64, 128, 256, 512, 1024, 2048, 4096)
#: Colormaps offered by the cmap dropdown (perceptually uniform, plus grey for print).
CMAP_CHOICES = ("magma", "viridis", "inferno", "cividis", "gray_r")
#: Frequency axes offered by SpectrogramExplorer's y_axis dropdown.
Y_AXIS_CHOICES = ("linear", "log", "mel")
_STFT_PARAMS = frozenset({"n_fft", "win_length", "hop_length", "window"})
_MEL_PARAMS = frozenset({"n_mels", "f_min", "f_max"})
_SAMPLE_STEP = 16


def _ms(samples, sample_rate):
    return 1000.0 * samples / sample_rate


class SpectrogramExplorer(Explorer):
    """A live spectrogram: slide the STFT settings and see the picture change.

    Controls (``explorer.controls[name]``): ``n_fft`` (64 ... 4096), ``win_length`` and
    ``hop_length`` (in samples; both kept ``<= n_fft`` by the sliders themselves), ``window``
    (hann, hamming, blackman, rectangular), ``y_axis`` (linear, log or mel frequency), ``n_mels``,
    ``f_min`` and ``f_max`` in Hz (the mel filterbank's range on the mel axis, the shown range on
    the others), ``top_db`` (dynamic range in dB) and ``cmap``. Beside them: a player for the clip
    and a readout of the resolution the settings give (seconds per column, Hz per row).

    The picture is drawn once by :class:`audioviz.FeatureImage`; a change recomputes only what
    depends on it (the STFT for ``n_fft``, ``win_length``, ``hop_length``, ``window``; only the floor
    of the dB levels kept for ``top_db``; nothing but the colormap for ``cmap``) and updates the image in
    place. The view stays at the requested range: ``0`` to the clip's length in time, ``f_min``
    to ``f_max`` in frequency, so a step redraws the picture and not the ticks. Only the columns
    shown are computed: the frames are pooled to the width of the picture (maximum per column),
    and on a recording so long that a column spans many frames each column is the maximum of
    frames spread evenly over its span (the readout says how many).

    Args:
        waveform: Tensor or array of shape ``(time,)`` or ``(channel, time)``; channels are
            averaged.
        sample_rate: in Hz.
        n_fft: first FFT size, one of ``64, 128, ..., 4096``. Default: ``512``.
        win_length: window size in samples. Default: ``n_fft``.
        hop_length: samples between columns. Default: ``win_length // 4``.
        window: ``"hann"``, ``"hamming"``, ``"blackman"`` or ``"rectangular"``. Default: ``"hann"``.
        y_axis: ``"linear"``, ``"log"`` or ``"mel"``. Default: ``"linear"``.
        n_mels: mel bands on the mel axis. Default: ``64``.
        f_min, f_max: frequency range in Hz. Default: ``0`` and ``sample_rate / 2``.
        top_db: dynamic range shown, in dB below the loudest value. Default: ``80``.
        cmap: colormap name. Default: ``"magma"``.

    Attributes:
        controls, figure, image, readout, output, status, error: see :class:`Explorer`.
        ax: the spectrogram's Axes. colorbar: its colorbar (in dB).
        drawn: the :class:`~audioviz.FeatureImage` of the picture.
        feature: the dB :class:`~audioviz.features.Feature` shown now.

    Example:
        >>> import torch, audioviz
        >>> t = torch.arange(16000) / 16000
        >>> explorer = audioviz.SpectrogramExplorer(torch.sin(2 * torch.pi * 440 * t), 16000)
        >>> explorer.controls["n_fft"].value = 1024
        >>> explorer.image.get_array().shape[0]   # n_fft // 2 + 1 rows
        513
        >>> explorer  # in a notebook: the live widget  # doctest: +SKIP
    """

    figsize = (8.0, 3.4)

    def __init__(self, waveform, sample_rate: int, *, n_fft: int = 512, win_length: int | None = None,
                 hop_length: int | None = None, window: str = "hann", y_axis: str = "linear",
                 n_mels: int = 64, f_min: float = 0.0, f_max: float | None = None, top_db: float = 80.0,
                 cmap: str = "magma"):
        from .._validation import check_choice, check_freq_range, check_stft_params
        from ..features import WINDOWS

        self._set_clip(waveform, sample_rate)
        check_choice(n_fft, N_FFT_CHOICES, name="n_fft")
        n_fft, win_length, hop_length = check_stft_params(
            n_fft, win_length, hop_length if hop_length is not None else max((win_length or n_fft) // 4, 1))
        f_min, f_max = check_freq_range(f_min, f_max, self.sample_rate)
        if not isinstance(top_db, (int, float)) or not 10 <= top_db <= 120:
            raise ValueError(f"top_db must be a number of dB from 10 to 120, got {top_db!r}")
        if isinstance(n_mels, bool) or not isinstance(n_mels, int) or not 8 <= n_mels <= 256:
            raise ValueError(f"n_mels must be an int from 8 to 256, got {n_mels!r}")
        self._initial = dict(
            n_fft=n_fft, win_length=win_length, hop_length=hop_length,
            window=check_choice(window, tuple(WINDOWS), name="window"),
            y_axis=check_choice(y_axis, Y_AXIS_CHOICES, name="y_axis"),
            n_mels=n_mels, f_min=f_min, f_max=f_max, top_db=top_db, cmap=cmap,
        )
        self._frames = self._power = self._levels = None
        super().__init__()

    # -- controls
    def _make_controls(self):
        from ..features import WINDOWS

        p = self._initial
        nyquist = self.sample_rate / 2
        cmaps = CMAP_CHOICES if p["cmap"] in CMAP_CHOICES else CMAP_CHOICES + (p["cmap"],)
        return {
            "n_fft": slider("SelectionSlider", "n_fft", options=list(N_FFT_CHOICES), value=p["n_fft"]),
            "win_length": slider("IntSlider", "win_length", min=min(_SAMPLE_STEP, p["win_length"]), max=p["n_fft"],
                                 step=1, value=p["win_length"]),
            "hop_length": slider("IntSlider", "hop_length", min=min(_SAMPLE_STEP, p["hop_length"]), max=p["n_fft"],
                                 step=1, value=p["hop_length"]),
            "window": dropdown("window", tuple(WINDOWS), p["window"]),
            "y_axis": dropdown("frequency axis", Y_AXIS_CHOICES, p["y_axis"]),
            "n_mels": slider("IntSlider", "n_mels", min=8, max=256, step=1, value=p["n_mels"],
                             disabled=p["y_axis"] != "mel"),
            "f_min": slider("FloatSlider", "f_min (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_min"],
                            readout_format=".0f"),
            "f_max": slider("FloatSlider", "f_max (Hz)", min=0.0, max=nyquist, step=10.0, value=p["f_max"],
                            readout_format=".0f"),
            "top_db": slider("FloatSlider", "top_db (dB)", min=10.0, max=120.0, step=5.0, value=float(p["top_db"]),
                             readout_format=".0f"),
            "cmap": dropdown("cmap", cmaps, p["cmap"]),
        }

    def _coerce(self, changed):
        c = self.controls
        if "n_fft" in changed:
            n_fft = c["n_fft"].value
            follow = c["win_length"].value == c["win_length"].max
            # Lowering max clamps the value: win_length and hop_length stay <= n_fft.
            c["win_length"].max = n_fft
            c["hop_length"].max = n_fft
            if follow:
                # A window as long as the FFT stays that way when the FFT grows.
                c["win_length"].value = n_fft
        self._keep_frequency_range(changed)
        if "y_axis" in changed:
            c["n_mels"].disabled = c["y_axis"].value != "mel"

    # -- computing
    def _columns(self) -> int:
        from .._feature_image import _resolve_max_columns

        return _resolve_max_columns(self.ax, None)

    def _compute_power(self, *, stft_changed=True):
        """The power shown, pooled to the columns of the picture: the STFT's frames (computed
        again only when its settings changed, and only those each column needs), or the mel
        spectrogram made from the same frames."""
        p = self.params
        if stft_changed or self._frames is None:
            self._frames = ColumnFrames(self.waveform, self.sample_rate, self._columns(), n_fft=p["n_fft"],
                                        win_length=p["win_length"], hop_length=p["hop_length"], window=p["window"])
        if p["y_axis"] != "mel":
            return self._frames.feature()
        with warnings.catch_warnings():
            # Empty mel filters are reported in the readout, where the learner looks.
            warnings.simplefilter("ignore", UserWarning)
            return self._frames.feature(mel=dict(n_mels=p["n_mels"], f_min=p["f_min"], f_max=p["f_max"]))

    def _y_axis(self):
        return None if self.params["y_axis"] == "mel" else self.params["y_axis"]

    def _frequency_view(self):
        """The frequency range asked for, in the units of the y axis (Hz, or mel on the mel axis)."""
        from ..features import hz_to_mel

        p = self.params
        if p["y_axis"] == "mel":
            return tuple(float(hz_to_mel(f)) for f in (p["f_min"], p["f_max"]))
        return p["f_min"], p["f_max"]

    # -- drawing
    def _draw(self, figure):
        from .._feature_image import FeatureImage

        self.ax, self._cax = figure.subplots(1, 2, width_ratios=(40, 1))
        self._power = self._compute_power()
        self._levels = self.relative_levels(self._power)
        self.feature = self.floor_db(self._levels, self.params["top_db"])
        top_db = float(self.params["top_db"])
        self.drawn = FeatureImage(self.feature, ax=self.ax, y_axis=self._y_axis(), cmap=self.params["cmap"],
                                  colorbar=self._cax, vmin=-top_db, vmax=0.0)
        self.image, self.colorbar = self.drawn.image, self.drawn.colorbar
        self.colorbar.set_label(RELATIVE_DB_LABEL)
        # The view is the clip and the range asked for, whatever the frames: it never moves
        # under the slider, so a step draws the image and not the ticks.
        self.ax.set_xlim(0.0, self.waveform.shape[-1] / self.sample_rate)
        self.ax.set_ylim(*self._frequency_view())

    def _update(self, changed):
        p = self.params
        recompute = bool(changed & _STFT_PARAMS) or "y_axis" in changed or (
            p["y_axis"] == "mel" and bool(changed & _MEL_PARAMS))
        if recompute:
            self._power = self._compute_power(stft_changed=bool(changed & _STFT_PARAMS))
            self._levels = self.relative_levels(self._power)
        if recompute or "top_db" in changed:
            # top_db only moves the floor of the levels kept: no STFT, no logarithm
            self.feature = self.floor_db(self._levels, p["top_db"])
            top_db = float(p["top_db"])
            if self.drawn.update(self.feature, y_axis=self._y_axis(), vmin=-top_db, vmax=0.0).layout:
                self.mark_layout_stale()
        if "cmap" in changed:
            self._set_cmap(p["cmap"])
        view = self._frequency_view()
        if tuple(self.ax.get_ylim()) != view:
            self.ax.set_ylim(*view)
        # The colorbar shows the colormap from -top_db to 0 dB: it changes only with those two.
        self.mark_stale(self.ax, *([self._cax] if changed & {"cmap", "top_db", "y_axis"} else []))

    def _set_cmap(self, cmap) -> None:
        """A new colormap for the image and its colorbar. The colorbar's colours take a new
        colormap in place: matplotlib would answer the image's change by building the colorbar
        again (its mesh, ticks and outline: 3-5 ms of a step), though only its colours change."""
        image, colorbar = self.image, self.colorbar
        cid = getattr(image, "colorbar_cid", None)
        if colorbar.solids is None or cid is None:  # a colorbar drawn otherwise: matplotlib's way
            image.set_cmap(cmap)
            return
        image.callbacks.disconnect(cid)  # only the colorbar stops listening; anyone else is told
        try:
            image.set_cmap(cmap)
        finally:
            image.colorbar_cid = image.callbacks.connect("changed", colorbar.update_normal)
        colorbar.cmap = image.get_cmap()
        colorbar.solids.set_cmap(colorbar.cmap)

    # -- around the figure
    def _readout(self):
        p = self.params
        sr = self.sample_rate
        lines = [
            f"<b>Time:</b> one column every {p['hop_length']} samples = {_ms(p['hop_length'], sr):.2f} ms; "
            f"each column sees {p['win_length']} samples = {_ms(p['win_length'], sr):.1f} ms.",
        ]
        if p["y_axis"] == "mel":
            from ..features import hz_to_mel, mel_to_hz

            lo, hi = hz_to_mel(p["f_min"]), hz_to_mel(p["f_max"])
            step = (hi - lo) / (p["n_mels"] + 1)
            low_width = mel_to_hz(lo + 2 * step) - mel_to_hz(lo)
            high_width = mel_to_hz(hi) - mel_to_hz(hi - 2 * step)
            lines.append(
                f"<b>Frequency:</b> {p['n_mels']} mel rows from {p['f_min']:.0f} to {p['f_max']:.0f} Hz: a filter "
                f"spans {low_width:.0f} Hz at the bottom, {high_width:.0f} Hz at the top (FFT bins are "
                f"{sr / p['n_fft']:.1f} Hz apart)."
            )
            n_empty = int(self._power.params.get("empty_filters", 0)) if self._power is not None else 0
            if n_empty:
                lines.append(
                    f"<span style='color:#b00020'>{n_empty} of the {p['n_mels']} mel filters are empty</span>: "
                    f"narrower than the FFT bin spacing, their rows stay silent. Use fewer mels or a larger n_fft."
                )
        else:
            lines.append(
                f"<b>Frequency:</b> {sr / p['n_fft']:.2f} Hz per row ({sr} / n_fft), {p['n_fft'] // 2 + 1} rows"
                + (f"; the {p['win_length']}-sample window blurs detail finer than about "
                   f"{sr / p['win_length']:.1f} Hz" if p["win_length"] < p["n_fft"] else "")
                + "."
            )
        sampled = self._power.params.get("frames_sampled") if self._power is not None else None
        if sampled:
            lines.append(f"Long recording: each column is the loudest of {sampled} frames spread over its "
                         f"{self._power.frame_period:.1f} s.")
        return "<div style='font-size:90%;line-height:1.4'>" + "<br>".join(lines) + "</div>"
