"""Training-time augmentation applied to whole batches on the training device.

The synthetic clips come from a handful of eSpeak voices; real people speak faster or slower,
higher or lower, in noisy rooms and through cheap microphones. Each augmentation below makes the
training batches vary the way real recordings do, so the network has to learn the *word*:

- speed perturbation: resample the clip by a factor near 1 (tempo, pitch and formants move
  together, as between a child's and an adult's voice);
- time shift: the word starts anywhere in the second;
- background noise: coloured noise at a random signal-to-noise ratio;
- SpecAugment: blank a few mel bands and a few frames of the log-mel image, so no single band
  or instant can decide alone.

All randomness comes from one ``torch.Generator``, so a seed fixes every batch.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torchaudio

__all__ = ["AugmentConfig", "augment_waveforms", "spec_augment"]


@dataclass
class AugmentConfig:
    """Strength of each training augmentation (``0`` or ``False`` switches one off).

    Attributes
    ----------
    speed
        maximum relative speed change; factors are drawn from ``[1 - speed, 1 + speed]``.
        Default: ``0.15``.
    shift
        maximum time shift in seconds, either way. Default: ``0.15``.
    noise_prob
        probability that a clip gets background noise. Default: ``0.8``.
    snr_db
        range of signal-to-noise ratios in dB. Default: ``(0.0, 30.0)``.
    freq_masks
        number of SpecAugment frequency masks. Default: ``2``.
    freq_mask_width
        maximum mel bands per frequency mask. Default: ``6``.
    time_masks
        number of SpecAugment time masks. Default: ``2``.
    time_mask_width
        maximum frames per time mask. Default: ``12``.
    """

    speed: float = 0.15
    shift: float = 0.15
    noise_prob: float = 0.8
    snr_db: tuple = (0.0, 30.0)
    freq_masks: int = 2
    freq_mask_width: int = 6
    time_masks: int = 2
    time_mask_width: int = 12

    def to_dict(self) -> dict:
        d = asdict(self)
        d["snr_db"] = list(self.snr_db)
        return d


def _uniform(n, low, high, generator):
    return low + (high - low) * torch.rand(n, generator=generator)


def speed_perturb(waves: torch.Tensor, max_change: float, generator, sample_rate: int = 16000, groups: int = 4):
    """Resample groups of the batch by random factors, keeping each clip's length.

    A factor ``f > 1`` makes the clip shorter and higher (played faster). Resampling is done
    for ``groups`` factors per batch (resampling filters are costly to build per clip).
    """
    if max_change <= 0:
        return waves
    n, _, length = waves.shape
    order = torch.randperm(n, generator=generator)
    out = waves.clone()
    for chunk in order.chunk(groups):
        factor = float(_uniform(1, 1 - max_change, 1 + max_change, generator))
        # Play back `factor` times faster: resample sample_rate*factor -> sample_rate,
        # using a coarse rational approximation (steps of 1/80) to keep the filter short.
        new_rate = int(round(80 * factor))
        if new_rate == 80:
            continue
        resampled = torchaudio.functional.resample(waves[chunk], new_rate, 80)
        m = resampled.shape[-1]
        if m >= length:
            start = (m - length) // 2
            out[chunk] = resampled[..., start : start + length]
        else:
            pad = length - m
            out[chunk] = torch.nn.functional.pad(resampled, (pad // 2, pad - pad // 2))
    return out


def time_shift(waves: torch.Tensor, max_shift: int, generator):
    """Shift each clip by up to ``max_shift`` samples either way, filling with silence."""
    if max_shift <= 0:
        return waves
    n, _, length = waves.shape
    shifts = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator)
    index = torch.arange(length).unsqueeze(0) - shifts.unsqueeze(1)
    valid = (index >= 0) & (index < length)
    gathered = torch.gather(waves[:, 0], 1, index.clamp(0, length - 1).to(waves.device))
    return (gathered * valid.to(waves.device)).unsqueeze(1)


def coloured_noise(n: int, length: int, generator):
    """Noise of shape ``(n, 1, length)`` whose spectrum falls as ``f**(-alpha/2)`` in amplitude,
    ``alpha`` drawn per clip from [0, 2] (white to brown), normalised to unit power."""
    white = torch.randn(n, length, generator=generator)
    spectrum = torch.fft.rfft(white)
    freqs = torch.arange(spectrum.shape[-1]).clamp(min=1).float()
    alpha = _uniform(n, 0.0, 2.0, generator).unsqueeze(1)
    spectrum = spectrum * freqs.pow(-alpha / 2)
    noise = torch.fft.irfft(spectrum, n=length)
    noise = noise / noise.pow(2).mean(dim=1, keepdim=True).sqrt().clamp(min=1e-8)
    return noise.unsqueeze(1)


def add_noise(waves: torch.Tensor, prob: float, snr_db, generator):
    """Mix coloured noise into a random ``prob`` fraction of clips at an SNR drawn from ``snr_db``."""
    if prob <= 0:
        return waves
    n, _, length = waves.shape
    noise = coloured_noise(n, length, generator).to(waves.device)
    snr = _uniform(n, snr_db[0], snr_db[1], generator).to(waves.device)
    use = (torch.rand(n, generator=generator) < prob).float().to(waves.device)
    signal_power = waves.pow(2).mean(dim=(1, 2)).clamp(min=1e-10)
    noise_scale = (signal_power / 10 ** (snr / 10)).sqrt() * use
    return waves + noise * noise_scale.view(n, 1, 1)


def spec_augment(logmel: torch.Tensor, config: AugmentConfig | None = None, generator=None):
    """SpecAugment (Park et al., 2019): blank random mel bands and frames of each image.

    Masked cells are set to zero, which after the front end's normalisation is the image's mean.

    Parameters
    ----------
    logmel
        Tensor of shape ``(batch, 1, n_mels, frames)`` (``KeywordCNN.features`` output).
    config
        the :class:`AugmentConfig` (mask counts and widths). Default: ``AugmentConfig()``.
    generator
        ``torch.Generator`` for the random draws. Default: a new unseeded one.

    Returns
    -------
    Tensor
        Of the same shape.

    Examples
    --------
    >>> import torch
    >>> spec_augment(torch.ones(2, 1, 40, 101), generator=torch.Generator().manual_seed(0)).shape
    torch.Size([2, 1, 40, 101])
    """
    config = config or AugmentConfig()
    generator = generator or torch.Generator()
    n, _, n_mels, frames = logmel.shape
    keep = torch.ones(n, 1, n_mels, frames)
    for size, count, width, axis in ((n_mels, config.freq_masks, config.freq_mask_width, 2),
                                     (frames, config.time_masks, config.time_mask_width, 3)):
        for _ in range(count):
            widths = torch.randint(0, width + 1, (n,), generator=generator)
            starts = (torch.rand(n, generator=generator) * (size - widths).clamp(min=1)).long()
            pos = torch.arange(size).unsqueeze(0)
            masked = (pos >= starts.unsqueeze(1)) & (pos < (starts + widths).unsqueeze(1))
            shape = (n, 1, size, 1) if axis == 2 else (n, 1, 1, size)
            keep = keep * (~masked).float().view(shape)
    return logmel * keep.to(logmel.device)


def augment_waveforms(waves: torch.Tensor, config: AugmentConfig | None = None, generator=None,
                      sample_rate: int = 16000):
    """Speed perturbation, time shift and background noise for a batch of clips.

    Parameters
    ----------
    waves
        Tensor of shape ``(batch, 1, time)``.
    config
        the :class:`AugmentConfig`. Default: ``AugmentConfig()``.
    generator
        ``torch.Generator`` for the random draws. Default: a new unseeded one.
    sample_rate
        of ``waves``, in Hz. Default: ``16000``.

    Returns
    -------
    Tensor
        Of the same shape: every clip changed differently.

    Examples
    --------
    >>> import torch
    >>> augment_waveforms(torch.zeros(4, 1, 16000), generator=torch.Generator().manual_seed(0)).shape
    torch.Size([4, 1, 16000])
    """
    config = config or AugmentConfig()
    generator = generator or torch.Generator()
    waves = speed_perturb(waves, config.speed, generator, sample_rate)
    waves = time_shift(waves, int(config.shift * sample_rate), generator)
    waves = add_noise(waves, config.noise_prob, config.snr_db, generator)
    return waves
