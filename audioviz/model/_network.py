"""The keyword CNN: a log-mel front end inside the model, then a few convolution blocks.

Keeping the feature extraction inside the network means the thing that is trained is the thing
that is explained: Grad-CAM and the feature maps are computed on exactly the log-mel image the
classifier saw, with its true time and mel axes. The layers, in the order a clip meets them:

1. :class:`LogMelFrontend` - waveform to a normalised log-mel image ``(1, n_mels, frames)``.
   Fixed (not trained), so it can be plotted with the same axes as ``audioviz.mel_spectrogram``.
2. ``blocks[0..3]`` - each block is ``conv`` (3x3 convolution: a small time-frequency pattern
   detector), ``norm`` (batch normalisation: keeps every channel on the same scale so a large
   learning rate trains in a few epochs), ``relu`` (keeps only evidence *for* a pattern) and,
   except in the last block, ``pool`` (2x2 max pooling: halves time and frequency resolution so
   the next block sees twice as much of the clip and tolerates small shifts in time and pitch).
3. ``head`` - global average pooling (one number per channel, wherever in the clip the word
   was), dropout (against memorising the synthetic voices) and a linear layer giving one logit
   per class of :attr:`KeywordCNN.labels`: the keywords, then (for the default open-set model)
   ``"_unknown_"`` (any other word) and ``"_silence_"`` (no speech), Speech Commands' convention.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import torch
import torchaudio
from torch import nn

from .._validation import check_choice

__all__ = ["NEITHER", "NEITHER_LABELS", "FrontendConfig", "KeywordCNN", "LogMelFrontend", "ModelConfig"]

NORMALIZATIONS = ("clip", "band", "none")
#: The two extra classes of an open-set model, in output order (Speech Commands' names).
NEITHER_LABELS = ("_unknown_", "_silence_")
#: What :func:`audioviz.model.predict` answers when the clip is none of the keywords.
NEITHER = "neither"


@dataclass
class FrontendConfig:
    """Log-mel settings: 25 ms windows every 10 ms, 40 mel bands from 20 Hz to 8 kHz (speech).

    Attributes
    ----------
    sample_rate
        rate the model expects, in Hz. Default: ``16000``.
    n_fft
        FFT size in samples. Default: ``512``.
    win_length
        window length in samples (25 ms). Default: ``400``.
    hop_length
        samples between frames (10 ms). Default: ``160``.
    n_mels
        number of mel bands. Default: ``40``.
    f_min
        lowest band edge in Hz. Default: ``20.0``.
    f_max
        highest band edge in Hz. Default: ``8000.0``.
    mel_scale
        ``"htk"`` or ``"slaney"``. Default: ``"htk"``.
    normalize
        ``"band"`` (default) subtracts each mel band's mean over the clip and divides
        by the clip's standard deviation: a microphone or room that boosts some frequencies
        adds a constant to those bands in log units, and this removes it (the idea of cepstral
        mean normalisation). ``"clip"`` removes only the overall mean; ``"none"`` keeps raw
        log power.
    """

    sample_rate: int = 16000
    n_fft: int = 512
    win_length: int = 400
    hop_length: int = 160
    n_mels: int = 40
    f_min: float = 20.0
    f_max: float = 8000.0
    mel_scale: str = "htk"
    normalize: str = "band"

    @property
    def n_frames(self) -> int:
        """Frames in the log-mel image of a one-second clip (``1 + sample_rate // hop_length``)."""
        return 1 + self.sample_rate // self.hop_length


@dataclass
class ModelConfig:
    """Shape of a :class:`KeywordCNN`.

    Attributes
    ----------
    words
        the keywords it listens for, in logit order. Default: ``("yes", "no")``.
    neither
        add the two classes ``"_unknown_"`` (another word) and ``"_silence_"`` (no
        speech) after the keywords, so the model can answer "neither" (Speech Commands'
        12-category task for its ten keywords). ``False`` gives a closed-set model that must
        pick a keyword whatever it hears. Default: ``True``. Checkpoints written before this
        option existed are closed-set and load with ``False``.
    channels
        output channels of each convolution block. Default: ``(12, 24, 48, 64)``.
    dropout
        dropout probability before the last linear layer. Default: ``0.2``.
    frontend
        the :class:`FrontendConfig`.
    """

    words: tuple = ("yes", "no")
    neither: bool = True
    channels: tuple = (12, 24, 48, 64)
    dropout: float = 0.2
    frontend: FrontendConfig = field(default_factory=FrontendConfig)

    def __post_init__(self):
        words = (self.words,) if isinstance(self.words, str) else tuple(self.words)
        if not words or not all(isinstance(w, str) and w for w in words):
            raise ValueError(f"words must be a non-empty sequence of non-empty strings, got {self.words!r}")
        if len(set(words)) != len(words):
            raise ValueError(f"words must not repeat, got {words!r}")
        clash = sorted(set(words) & {*NEITHER_LABELS, NEITHER})
        if clash:
            raise ValueError(f"words must not contain the reserved names {clash}: they mean 'neither'")
        if not isinstance(self.neither, bool):
            raise TypeError(f"neither must be True or False, got {self.neither!r}")
        if len(words) + 2 * self.neither < 2:
            raise ValueError(f"a closed-set model (neither=False) needs at least two words, got {words!r}")
        self.words = words

    @property
    def labels(self) -> tuple:
        """The network's output classes in logit order: the words, then ``NEITHER_LABELS`` if
        :attr:`neither`."""
        return tuple(self.words) + (NEITHER_LABELS if self.neither else ())

    def to_dict(self) -> dict:
        """Plain dict of lists, numbers and strings (what a checkpoint stores)."""
        d = asdict(self)
        d["words"] = list(self.words)
        d["channels"] = list(self.channels)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        """Inverse of :meth:`to_dict`; unknown keys are a ValueError naming them."""
        d = dict(d)
        front = dict(d.pop("frontend", {}))
        known_front = {f.name for f in fields(FrontendConfig)}
        known = {f.name for f in fields(cls)} - {"frontend"}
        unknown = sorted(set(front) - known_front) + sorted(set(d) - known)
        if unknown:
            raise ValueError(f"model config has unknown keys {unknown}; expected keys among {sorted(known | known_front)}")
        d.setdefault("neither", False)  # written before open-set models existed
        return cls(
            words=tuple(d.pop("words", cls.words)),
            channels=tuple(d.pop("channels", cls.channels)),
            frontend=FrontendConfig(**front),
            **d,
        )


class LogMelFrontend(nn.Module):
    """Waveform ``(batch, 1, time)`` -> log-mel image ``(batch, 1, n_mels, frames)``.

    The log compresses the huge dynamic range of speech power (as our ears do); the
    normalisation (see :attr:`FrontendConfig.normalize`) removes the recording's loudness and,
    with ``"band"``, the colouring of its microphone and room, none of which says anything about
    the word.

    Parameters
    ----------
    config
        the :class:`FrontendConfig`.
    """

    def __init__(self, config: FrontendConfig):
        super().__init__()
        check_choice(config.normalize, NORMALIZATIONS, name="normalize")
        self.config = config
        # torchaudio's own filterbank (float32 arithmetic), not audioviz._mel's float64 one that the
        # plots and features use: the trained checkpoints learned on these exact weights (they
        # differ from ours by float32 rounding, at most 3e-6 for the default settings), and a
        # model's input must not move with the package's plotting definitions
        self.melspec = torchaudio.transforms.MelSpectrogram(
            sample_rate=config.sample_rate, n_fft=config.n_fft, win_length=config.win_length,
            hop_length=config.hop_length, f_min=config.f_min, f_max=config.f_max, n_mels=config.n_mels,
            mel_scale=config.mel_scale,
        )

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        if waveform.dim() == 2:
            waveform = waveform.unsqueeze(1)
        # The floor (1e-6, i.e. -60 dB re full-scale power) keeps digital silence from
        # dominating the image with log(0) = -inf.
        logmel = torch.log(self.melspec(waveform) + 1e-6)
        mode = self.config.normalize
        if mode == "none":
            return logmel
        if mode == "band":
            mean = logmel.mean(dim=-1, keepdim=True)
        else:
            mean = logmel.mean(dim=(-2, -1), keepdim=True)
        centred = logmel - mean
        std = centred.pow(2).mean(dim=(-2, -1), keepdim=True).sqrt()
        return centred / (std + 1e-5)


class KeywordCNN(nn.Module):
    """Small CNN for keyword spotting on one-second clips at 16 kHz (about 41k parameters).

    Its outputs are one logit per class of :attr:`labels`; :attr:`words` are the keywords alone.

    Parameters
    ----------
    config
        a :class:`ModelConfig`. Default: ``ModelConfig()``.

    Attributes
    ----------
    frontend
        :class:`LogMelFrontend`.
    blocks
        ``nn.ModuleList`` of conv blocks; ``blocks[i].conv`` is the convolution whose
        output the feature-map plots and Grad-CAM read.
    head
        global average pooling + dropout + linear layer to one logit per label.

    Examples
    --------
    >>> import torch
    >>> model = KeywordCNN().eval()
    >>> model.labels
    ('yes', 'no', '_unknown_', '_silence_')
    >>> model(torch.zeros(2, 1, 16000)).shape
    torch.Size([2, 4])
    """

    def __init__(self, config: ModelConfig | None = None):
        super().__init__()
        self.config = config or ModelConfig()
        self.frontend = LogMelFrontend(self.config.frontend)
        blocks = []
        in_ch = 1
        for i, out_ch in enumerate(self.config.channels):
            block = nn.Sequential()
            # No bias: the batch norm right after has its own shift.
            block.add_module("conv", nn.Conv2d(in_ch, out_ch, kernel_size=3, padding=1, bias=False))
            block.add_module("norm", nn.BatchNorm2d(out_ch))
            block.add_module("relu", nn.ReLU(inplace=False))
            if i < len(self.config.channels) - 1:
                block.add_module("pool", nn.MaxPool2d(2))
            blocks.append(block)
            in_ch = out_ch
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(self.config.dropout), nn.Linear(in_ch, len(self.config.labels))
        )

    @property
    def words(self) -> tuple:
        """The keywords (the first logits); "neither" classes excluded."""
        return tuple(self.config.words)

    @property
    def labels(self) -> tuple:
        """Every output class in logit order: :attr:`words`, then ``"_unknown_"`` and
        ``"_silence_"`` for an open-set model."""
        return self.config.labels

    @property
    def sample_rate(self) -> int:
        """Sample rate the model expects, in Hz."""
        return int(self.config.frontend.sample_rate)

    def features(self, waveform: torch.Tensor) -> torch.Tensor:
        """Log-mel image ``(batch, 1, n_mels, frames)`` of a waveform batch ``(batch, 1, 16000)``."""
        return self.frontend(waveform)

    def forward_features(self, logmel: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch, n_labels)`` from a log-mel image (what Grad-CAM differentiates)."""
        x = logmel
        for block in self.blocks:
            x = block(x)
        return self.head(x)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch, n_labels)`` of a waveform batch ``(batch, 1, time)`` at 16 kHz."""
        return self.forward_features(self.features(waveform))
