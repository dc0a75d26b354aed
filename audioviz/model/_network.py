"""The yes/no keyword CNN: a log-mel front end inside the model, then a few convolution blocks.

Keeping the feature extraction inside the network means the thing that is trained is the thing
that is explained: Grad-CAM and the feature maps are computed on exactly the log-mel image the
classifier saw, with its true time and mel axes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torchaudio
from torch import nn

__all__ = ["FrontendConfig", "KeywordCNN", "LogMelFrontend", "ModelConfig"]


@dataclass
class FrontendConfig:
    """Log-mel settings: 25 ms windows every 10 ms, 40 mel bands up to 8 kHz (speech)."""

    sample_rate: int = 16000
    n_fft: int = 512
    win_length: int = 400
    hop_length: int = 160
    n_mels: int = 40
    f_min: float = 20.0
    f_max: float = 8000.0
    mel_scale: str = "htk"


@dataclass
class ModelConfig:
    words: tuple = ("yes", "no")
    channels: tuple = (16, 32, 64, 64)
    dropout: float = 0.2
    frontend: FrontendConfig = field(default_factory=FrontendConfig)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["words"] = list(self.words)
        d["channels"] = list(self.channels)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        d = dict(d)
        front = FrontendConfig(**d.pop("frontend", {}))
        return cls(words=tuple(d.pop("words")), channels=tuple(d.pop("channels")), frontend=front, **d)


class LogMelFrontend(nn.Module):
    """Waveform ``(batch, 1, time)`` -> log-mel image ``(batch, 1, n_mels, frames)``.

    The log compresses the huge dynamic range of speech power (as our ears do); the per-clip
    normalisation to zero mean and unit variance removes the recording's overall loudness, which
    says nothing about the word.
    """

    def __init__(self, config: FrontendConfig):
        super().__init__()
        self.config = config
        self.melspec = torchaudio.transforms.MelSpectrogram(
            sample_rate=config.sample_rate, n_fft=config.n_fft, win_length=config.win_length,
            hop_length=config.hop_length, f_min=config.f_min, f_max=config.f_max, n_mels=config.n_mels,
            mel_scale=config.mel_scale,
        )

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        if waveform.dim() == 2:
            waveform = waveform.unsqueeze(1)
        logmel = torch.log(self.melspec(waveform) + 1e-6)
        mean = logmel.mean(dim=(-2, -1), keepdim=True)
        std = logmel.std(dim=(-2, -1), keepdim=True)
        return (logmel - mean) / (std + 1e-5)


class KeywordCNN(nn.Module):
    """Small CNN for keyword spotting on one-second clips.

    Attributes:
        frontend: :class:`LogMelFrontend`.
        blocks: ``nn.ModuleList`` of conv blocks; ``blocks[i].conv`` is the convolution whose
            output the feature-map plots and Grad-CAM read.
        head: global average pooling + dropout + linear layer to one logit per word.
    """

    def __init__(self, config: ModelConfig | None = None):
        super().__init__()
        self.config = config or ModelConfig()
        self.frontend = LogMelFrontend(self.config.frontend)
        blocks = []
        in_ch = 1
        for i, out_ch in enumerate(self.config.channels):
            block = nn.Sequential()
            block.add_module("conv", nn.Conv2d(in_ch, out_ch, kernel_size=3, padding=1, bias=False))
            block.add_module("norm", nn.BatchNorm2d(out_ch))
            block.add_module("relu", nn.ReLU(inplace=False))
            if i < len(self.config.channels) - 1:
                block.add_module("pool", nn.MaxPool2d(2))
            blocks.append(block)
            in_ch = out_ch
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(self.config.dropout), nn.Linear(in_ch, len(self.config.words))
        )

    @property
    def words(self) -> tuple:
        return tuple(self.config.words)

    def features(self, waveform: torch.Tensor) -> torch.Tensor:
        """Log-mel image ``(batch, 1, n_mels, frames)`` of a waveform batch ``(batch, 1, 16000)``."""
        return self.frontend(waveform)

    def forward_features(self, logmel: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch, n_words)`` from a log-mel image (what Grad-CAM differentiates)."""
        x = logmel
        for block in self.blocks:
            x = block(x)
        return self.head(x)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return self.forward_features(self.features(waveform))
