"""Listening to what the model used: audio resynthesised from the Grad-CAM-masked spectrogram.

The Grad-CAM map lives on the model's mel grid. We carry it onto the linear STFT grid (same
``n_fft``, ``win_length`` and ``hop_length`` as the model's front end, so the frames line up;
each FFT bin takes the map's value at its own mel position) and scale it to ``[0, 1]``. By default
the mask keeps the cells where the map reaches at least half its maximum (a soft mask, the scaled
map itself, is an option, but it changes the sound too little to hear). The clip's STFT magnitude
is multiplied by the mask (what the model used) and by one minus it (what it ignored), and each
magnitude is turned back into sound with Griffin-Lim, which guesses the phase the spectrogram threw
away. Griffin-Lim of the unmasked magnitude is kept too, so the learner can tell the artefacts of
phase guessing from the effect of the mask.
"""
from __future__ import annotations

import html

import torch
import torchaudio

from ..features import Feature, spectrogram
from ._common import draw_feature, mel_rows_to_hz_bins, resolve_axes
from ._gradcam import GradCAMDisplay
from ._inference import Inference, label_name

__all__ = ["ListeningDisplay", "resynthesize_masked"]


def resynthesize_masked(waveform, mask: torch.Tensor, *, n_fft: int, win_length: int, hop_length: int,
                        n_iter: int = 32, seed: int = 0, sample_rate: int = 16000) -> torch.Tensor:
    """Griffin-Lim resynthesis of ``waveform``'s STFT magnitude multiplied by ``mask``.

    Args:
        waveform: Tensor ``(1, time)``.
        mask: Tensor ``(n_fft // 2 + 1, frames)`` of weights in ``[0, 1]`` on the STFT grid.
        n_fft, win_length, hop_length: STFT settings (Hann window, centred frames).
        n_iter: Griffin-Lim iterations. Default: ``32`` (torchaudio's).
        seed: seed of the random initial phase, so the same call gives the same sound.
        sample_rate: rate of ``waveform`` in Hz (only names the axes). Default: ``16000``.

    Returns:
        Tensor ``(1, time)``: the resynthesised waveform, same length as ``waveform``.

    Example:
        >>> import torch
        >>> wave = torch.randn(1, 16000) * 0.1
        >>> out = resynthesize_masked(wave, torch.ones(257, 101), n_fft=512, win_length=400, hop_length=160)
        >>> out.shape
        torch.Size([1, 16000])
    """
    spec = spectrogram(waveform, sample_rate, n_fft=n_fft, win_length=win_length, hop_length=hop_length, power=1.0)
    if tuple(mask.shape) != tuple(spec.data.shape[-2:]):
        raise ValueError(f"mask must have the STFT shape {tuple(spec.data.shape[-2:])} (bins, frames), "
                         f"got {tuple(mask.shape)}")
    magnitude = spec.data * mask.to(spec.data.dtype)
    griffin_lim = torchaudio.transforms.GriffinLim(n_fft=n_fft, win_length=win_length, hop_length=hop_length,
                                                   n_iter=n_iter, power=1.0, length=waveform.shape[-1])
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return griffin_lim(magnitude)


class ListeningDisplay:
    """The original clip beside audio resynthesised from what the model used and what it ignored.

    Compute with :meth:`from_model` (or :meth:`from_gradcam` to reuse a Grad-CAM), then
    :meth:`players` for audio players, :meth:`plot` for the spectrograms heard. As a notebook
    cell's last expression it shows the labelled players.

    Attributes:
        sample_rate: in Hz.
        word: the word whose Grad-CAM made the mask.
        original: the clip, Tensor ``(1, n_samples)``.
        resynthesized: Griffin-Lim of the unmasked STFT magnitude (the artefact reference).
        used: Griffin-Lim of the magnitude times the mask: what the model used.
        ignored: Griffin-Lim of the magnitude times one minus the mask.
        mask: Feature ``(1, n_fft // 2 + 1, frames)`` of kind ``"linear"`` (rows in Hz): 0 or 1 with a
            ``threshold``, values in [0, 1] without.
        spectrograms: dict name -> magnitude Feature of each waveform (linear Hz).
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: list of the four Axes.
        images_: dict name (``"mask"``, ``"original"``, ``"used"``, ``"ignored"``) -> AxesImage.
    """

    NAMES = ("original", "resynthesized", "used", "ignored")

    def __init__(self, *, sample_rate, word, waveforms, mask, probabilities=None, words=None):
        self.sample_rate = sample_rate
        self.word = word
        self._name = label_name(word, words if words is not None else (word,))
        for name in self.NAMES:
            setattr(self, name, waveforms[name])
        self.mask = mask
        self.probabilities = dict(probabilities or {})
        self.spectrograms = {
            name: spectrogram(waveforms[name], sample_rate, n_fft=mask.params["n_fft"],
                              win_length=mask.params["win_length"], hop_length=mask.hop_length, power=1.0)
            for name in self.NAMES
        }

    @classmethod
    def from_model(cls, model, waveform, *, sample_rate: int | None = None, word=None, layer: int = -1,
                   threshold: float | None = 0.5, n_iter: int = 32, seed: int = 0) -> "ListeningDisplay":
        """Run one clip through ``model`` (one :class:`Inference`), then resynthesise what the
        Grad-CAM of ``word`` kept and dropped.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            waveform: Tensor or array ``(time,)`` or ``(channel, time)``.
            sample_rate: its rate in Hz. Default: the model's.
            word: whose evidence makes the mask: a label, ``"neither"`` or an index. Default: the
                predicted class.
            layer: convolution block for Grad-CAM. Default: ``-1``.
            threshold: keep the cells where Grad-CAM is at least this fraction of its maximum
                (a 0/1 mask); ``None`` uses the scaled map itself as a soft mask. Default: ``0.5``.
            n_iter: Griffin-Lim iterations. Default: ``32``.
            seed: seed of Griffin-Lim's random initial phase.

        Example:
            >>> import torch
            >>> from audioviz.model import KeywordCNN
            >>> heard = ListeningDisplay.from_model(KeywordCNN(), torch.randn(16000) * 0.1, n_iter=4)
            >>> heard.used.shape, heard.mask.kind
            (torch.Size([1, 16000]), 'linear')
        """
        return cls.from_inference(Inference.from_model(model, waveform, sample_rate), word=word, layer=layer,
                                  threshold=threshold, n_iter=n_iter, seed=seed)

    @classmethod
    def from_inference(cls, inference: Inference, *, word=None, layer: int = -1, threshold: float | None = 0.5,
                       n_iter: int = 32, seed: int = 0) -> "ListeningDisplay":
        """The same from a clip already run through the model (no second pass); arguments as in
        :meth:`from_model`."""
        gradcam = GradCAMDisplay.from_inference(inference, words=None if word is None else [word], layer=layer)
        return cls.from_gradcam(gradcam, threshold=threshold, n_iter=n_iter, seed=seed)

    @classmethod
    def from_gradcam(cls, gradcam: GradCAMDisplay, *, model=None, word=None, threshold: float | None = 0.5,
                     n_iter: int = 32, seed: int = 0) -> "ListeningDisplay":
        """Reuse a computed :class:`GradCAMDisplay` (its clip and its map of ``word``).

        Args:
            gradcam: the Grad-CAM display.
            model: not needed (the display's :class:`Inference` holds the front-end settings);
                accepted so that older calls keep working.
            word: one of ``gradcam.words``. Default: the first (the predicted class by default).
            threshold, n_iter, seed: as in :meth:`from_model`.
        """
        if not isinstance(gradcam, GradCAMDisplay):
            raise TypeError(f"gradcam must be a GradCAMDisplay, got {type(gradcam).__name__}")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError(f"threshold must be a fraction in (0, 1] of the Grad-CAM maximum or None, got {threshold!r}")
        word = gradcam.words[0] if word is None else word
        if word not in gradcam.cams:
            raise ValueError(f"word must be one of {', '.join(map(repr, gradcam.words))}; got {word!r}")
        config = gradcam.inference.frontend
        cam = gradcam.cams[word]
        peak = float(cam.data.max())
        scaled = cam.data[0] / peak if peak > 0 else torch.zeros_like(cam.data[0])
        n_bins = config.n_fft // 2 + 1
        hz_bins = torch.linspace(0, config.sample_rate / 2, n_bins, dtype=torch.float64)
        mask_values = mel_rows_to_hz_bins(scaled, cam.rows, hz_bins, mel_scale=config.mel_scale).clamp(0.0, 1.0)
        # The model never sees energy outside [f_min, f_max]: it cannot have used it.
        outside = (hz_bins < config.f_min) | (hz_bins > config.f_max)
        mask_values[outside] = 0.0
        if threshold is not None:
            mask_values = (mask_values >= threshold).to(mask_values.dtype)
        mask = Feature(data=mask_values.unsqueeze(0).float(), times=cam.times, rows=hz_bins, kind="linear",
                       unit="mask", sample_rate=config.sample_rate, hop_length=config.hop_length,
                       params=dict(n_fft=config.n_fft, win_length=config.win_length,
                                   n_samples=gradcam.waveform.shape[-1], word=word, threshold=threshold))
        settings = dict(n_fft=config.n_fft, win_length=config.win_length, hop_length=config.hop_length,
                        n_iter=n_iter, seed=seed, sample_rate=config.sample_rate)
        clip = gradcam.waveform
        waveforms = {
            "original": clip,
            "resynthesized": resynthesize_masked(clip, torch.ones_like(mask.data[0]), **settings),
            "used": resynthesize_masked(clip, mask.data[0], **settings),
            "ignored": resynthesize_masked(clip, 1.0 - mask.data[0], **settings),
        }
        return cls(sample_rate=config.sample_rate, word=word, waveforms=waveforms, mask=mask,
                   probabilities=gradcam.probabilities, words=gradcam.inference.words)

    def _label(self, name: str) -> str:
        threshold = self.mask.params.get("threshold")
        where = (f"where the Grad-CAM of '{self._name}' is at least {threshold:.0%} of its maximum"
                 if threshold is not None else f"weighted by the Grad-CAM of '{self._name}'")
        return {
            "original": "original clip",
            "resynthesized": "Griffin-Lim of the whole spectrogram (phase guessed, nothing masked)",
            "used": f"what the model used: the spectrogram {where}",
            "ignored": "what it ignored: the rest of the spectrogram",
        }[name]

    def waveforms(self) -> dict:
        """dict name -> Tensor ``(1, n_samples)`` for ``original``, ``resynthesized``, ``used``, ``ignored``."""
        return {name: getattr(self, name) for name in self.NAMES}

    def players(self) -> dict:
        """dict name -> :class:`IPython.display.Audio`, all on one loudness scale.

        The players are not normalised one by one: a quiet "ignored" clip stays quiet, because
        how loud each part is tells how much of the clip the model relied on.
        """
        from IPython.display import Audio

        peak = max(float(w.abs().max()) for w in self.waveforms().values()) or 1.0
        scale = 0.9 / peak
        return {name: Audio((w[0] * scale).numpy(), rate=self.sample_rate, normalize=False)
                for name, w in self.waveforms().items()}

    def _repr_html_(self) -> str:
        # Label above player, no table: pages that stretch players to the text width (the
        # tutorial site does) would collapse a player inside a table cell to nothing.
        parts = []
        for name, player in self.players().items():
            label = html.escape(self._label(name))
            parts.append(f"<div class='audioviz-player'><div>{label}</div>{player._repr_html_()}</div>")
        return "<div class='audioviz-listening'>" + "".join(parts) + "</div>"

    def plot(self, *, ax=None, top_db: float = 70.0, cmap: str = "magma") -> "ListeningDisplay":
        """Draw the mask and the spectrogram (dB) of the original, the used and the ignored audio.

        Args:
            ax: ``None`` (new figure) or four Axes.
            top_db: dynamic range shown, in dB below the original's loudest bin.
            cmap: colormap of the spectrograms.

        Returns:
            ``self``, with ``figure_``, ``axes_`` and ``images_`` set.
        """
        fig, axes = resolve_axes(ax, 4, ncols=2, figsize=(8.4, 5.6))
        self.images_ = {}
        mask_image = draw_feature(axes[0], self.mask, cmap="inferno", vmin=0, vmax=1)
        threshold = self.mask.params.get("threshold")
        axes[0].set_title(f"mask: Grad-CAM of '{self._name}'\n" + (
            f">= {threshold:.0%} of its max" if threshold is not None else "(scaled to 0-1)"), fontsize="medium")
        fig.colorbar(mask_image, ax=axes[0], label="weight")
        self.images_["mask"] = mask_image
        ref = self.spectrograms["original"].to_db(top_db=None)
        vmax = float(ref.data.max())
        for panel, name in zip(axes[1:], ("original", "used", "ignored")):
            db = self.spectrograms[name].to_db(top_db=None)
            self.images_[name] = draw_feature(panel, db, cmap=cmap, vmin=vmax - top_db, vmax=vmax)
            panel.set_title({"original": "original", "used": "what the model used",
                             "ignored": "what it ignored"}[name])
        fig.colorbar(self.images_["ignored"], ax=[axes[1], axes[3]], label="magnitude (dB)", shrink=0.8)
        self.figure_, self.axes_ = fig, axes
        return self
