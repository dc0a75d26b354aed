"""Training-time augmentation applied to whole batches on the training device.

The synthetic clips come from a handful of eSpeak voices; real people speak faster or slower,
higher or lower, in noisy rooms and through cheap microphones. Each augmentation below makes the
training batches vary the way real recordings do, so the network has to learn the *word*:

- speed perturbation: resample the clip by a factor near 1 (tempo, pitch and formants move
  together, as between a child's and an adult's voice);
- time shift: the word starts anywhere in the second;
- background noise: coloured noise at a random signal-to-noise ratio;
- SpecAugment: blank a few mel bands and a few frames of the log-mel image, so no single band
  or instant can decide alone;
- mel warp: stretch or squeeze each log-mel image along the frequency axis (vocal-tract length
  perturbation, as between speakers whose formants sit higher or lower);
- time warp: let the speaking rate change within the clip;
- band gain: make some regions of the spectrum stand out more than others, as voices do;
- mixup (Zhang et al., 2018): train on weighted sums of two clips' images with the same weights
  on their labels, so the model's confidence falls off smoothly between the words it knows
  instead of jumping at the edge of what it was shown.

All randomness comes from one ``torch.Generator``, so a seed fixes every batch.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torchaudio

__all__ = ["AugmentConfig", "augment_features", "augment_waveforms", "band_gain", "mel_warp", "mixup", "spec_augment",
           "time_warp"]


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
    mel_warp
        maximum relative stretch of the mel axis; factors are drawn from ``[1 - mel_warp,
        1 + mel_warp]`` per clip. Default: ``0.1``.
    time_warp
        how far the inner boundaries of four equal parts of the clip move, as a fraction of a
        part's length (:func:`time_warp`). Default: ``0.3``.
    band_gain
        largest relative change of each band's contrast (:func:`band_gain`). Default: ``0.0``
        (off).
    mixup
        ``alpha`` of the Beta distribution the mixing weight is drawn from (``0`` switches mixup
        off; ``0.2`` to ``0.4`` is usual). Default: ``0.3``.
    """

    speed: float = 0.15
    shift: float = 0.15
    noise_prob: float = 0.8
    snr_db: tuple = (0.0, 30.0)
    freq_masks: int = 2
    freq_mask_width: int = 6
    time_masks: int = 2
    time_mask_width: int = 12
    mel_warp: float = 0.1
    time_warp: float = 0.3
    band_gain: float = 0.0
    mixup: float = 0.3

    def __post_init__(self):
        for name, high in (("mel_warp", 0.5), ("time_warp", 0.49), ("band_gain", 0.9), ("mixup", 10.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= high:
                raise ValueError(f"AugmentConfig.{name} must be a number from 0 to {high}, got {value!r}")

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


def _interpolate(logmel: torch.Tensor, source: torch.Tensor, dim: int) -> torch.Tensor:
    """``logmel`` read at fractional positions ``source`` (``(batch, length)``) along ``dim``
    (2 = mel bands, 3 = frames), linearly interpolated."""
    n, size = source.shape
    source = source.clamp(0, logmel.shape[dim] - 1)
    low = source.floor().long()
    high = (low + 1).clamp(max=logmel.shape[dim] - 1)
    shape = (n, 1, size, 1) if dim == 2 else (n, 1, 1, size)
    expand = list(logmel.shape)
    expand[dim] = size
    frac = (source - low.float()).view(shape)
    below = torch.gather(logmel, dim, low.view(shape).expand(expand))
    above = torch.gather(logmel, dim, high.view(shape).expand(expand))
    return below + frac * (above - below)


def mel_warp(logmel: torch.Tensor, max_change: float, generator):
    """Stretch each image of ``(batch, 1, n_mels, frames)`` along the mel axis by its own factor.

    Band ``m`` of the result is band ``m * factor`` of the input (linear interpolation, the top
    band repeated past the edge): a factor above 1 moves every formant down, below 1 up.
    """
    if max_change <= 0:
        return logmel
    n, _, n_mels, _ = logmel.shape
    factors = _uniform(n, 1 - max_change, 1 + max_change, generator).to(logmel.device)
    source = torch.arange(n_mels, device=logmel.device).float().unsqueeze(0) * factors.unsqueeze(1)
    return _interpolate(logmel, source, 2)


def time_warp(logmel: torch.Tensor, max_shift: float, generator, knots: int = 4):
    """Speak each image of ``(batch, 1, n_mels, frames)`` at a rate that changes within the clip.

    The frame axis is cut into ``knots`` equal segments whose inner boundaries move by up to
    ``max_shift`` of a segment's length either way (the ends stay): one part of the word is
    drawn out and another hurried, as people do and a rule-based synthesiser does not.
    """
    if max_shift <= 0:
        return logmel
    n, frames = logmel.shape[0], logmel.shape[-1]
    step = (frames - 1) / knots
    targets = torch.arange(knots + 1).float() * step
    moves = _uniform(n * (knots - 1), -max_shift, max_shift, generator).view(n, knots - 1) * step
    sources = targets.repeat(n, 1)
    sources[:, 1:-1] += moves
    position = torch.arange(frames).float()
    segment = (position / step).floor().long().clamp(max=knots - 1)
    t0, t1 = targets[segment], targets[segment + 1]
    s0, s1 = sources[:, segment], sources[:, segment + 1]
    source = s0 + (position - t0) / (t1 - t0) * (s1 - s0)
    return _interpolate(logmel, source.to(logmel.device), 3)


def band_gain(logmel: torch.Tensor, max_change: float, generator, knots: int = 5):
    """Scale each image's contrast band by band with a smooth random curve.

    The curve runs through ``knots`` values drawn from ``[1 - max_change, 1 + max_change]``,
    spread evenly over the mel axis (linear in between). After the front end's normalisation
    an image is contrast (speech against the clip's background) per band; voices and
    synthesisers differ in how much each region of the spectrum stands out.
    """
    if max_change <= 0:
        return logmel
    n, _, n_mels, _ = logmel.shape
    values = _uniform(n * knots, 1 - max_change, 1 + max_change, generator).view(n, 1, knots, 1)
    position = torch.linspace(0, knots - 1, n_mels).view(1, n_mels).expand(n, n_mels).contiguous()
    curve = _interpolate(values, position, 2)
    return logmel * curve.to(logmel.device)


def mixup(logmel: torch.Tensor, alpha: float, generator):
    """Mix each image with another of the batch: ``(mixed, partner index, weight)``.

    The weight ``lam`` of each clip's own image is drawn from ``Beta(alpha, alpha)`` and folded to
    ``lam >= 0.5``, so the clip's own label stays the larger share; train with
    ``lam * loss(y) + (1 - lam) * loss(y[partner])``.
    """
    n = logmel.shape[0]
    beta = torch.distributions.Beta(torch.tensor(float(alpha)), torch.tensor(float(alpha)))
    # torch.distributions draws from the global generator; derive its state from ours
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(2**62, (1,), generator=generator)))
        lam = beta.sample((n,))
    lam = torch.maximum(lam, 1 - lam).to(logmel.device)
    partner = torch.randperm(n, generator=generator).to(logmel.device)
    mixed = lam.view(n, 1, 1, 1) * logmel + (1 - lam.view(n, 1, 1, 1)) * logmel[partner]
    return mixed, partner, lam


def augment_features(logmel: torch.Tensor, config: AugmentConfig | None = None, generator=None):
    """Mel warp, time warp, band gain and SpecAugment for a batch of log-mel images, in that order
    (what training does to each batch's images before mixup).

    Parameters
    ----------
    logmel
        Tensor of shape ``(batch, 1, n_mels, frames)`` (``KeywordCNN.features`` output).
    config
        the :class:`AugmentConfig`. Default: ``AugmentConfig()``.
    generator
        ``torch.Generator`` for the random draws. Default: a new unseeded one.

    Returns
    -------
    Tensor
        Of the same shape.

    Examples
    --------
    >>> import torch
    >>> augment_features(torch.randn(2, 1, 40, 101), generator=torch.Generator().manual_seed(0)).shape
    torch.Size([2, 1, 40, 101])
    """
    config = config or AugmentConfig()
    generator = generator or torch.Generator()
    logmel = time_warp(mel_warp(logmel, config.mel_warp, generator), config.time_warp, generator)
    return spec_augment(band_gain(logmel, config.band_gain, generator), config, generator)


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
