"""What turns a clean synthetic word into something that sounds recorded: every random choice
of the synthetic speech generator, and the signal chain that applies it.

All the knobs live in one dataclass, :class:`SynthesisConfig`: how each synthetic speaker talks
(eSpeak rate, pitch, pitch range, a vocal-tract warp), where the word falls in the one-second
window, the room (reverberation time, direct-to-reverberant ratio), the microphone (high-pass,
low-pass, EQ bumps, spectral tilt), the background noise (colour, signal-to-noise ratio, mains hum)
and the recording level (peak level, occasional clipping). The defaults were chosen by measuring
the real Speech Commands test clips (level, onset, noise floor, bandwidth) and by checking that a
network trained only on synthetic clips recognises the real ones.

The chain, for one clip (:func:`render_clip`), all in numpy so that it runs in worker processes
without torch:

1. resample eSpeak's 22050 Hz output to 16 kHz while warping it (formants and pitch scale together,
   as between a small and a large speaker);
2. place the word at a random onset in the one-second window (sometimes cut at an edge);
3. convolve with a synthetic room impulse response (exponentially decaying noise, early echoes);
4. filter by a random microphone response (band limits, EQ bumps, tilt);
5. add coloured noise (power spectrum ``~ f ** slope``), sometimes mains hum, at a random SNR;
6. scale to a random peak level, sometimes overdriven into soft clipping.
"""
from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, fields

import numpy as np

SAMPLE_RATE = 16000
CLIP_SAMPLES = 16000


@dataclass(frozen=True)
class SynthesisConfig:
    """Every random range used to make a synthetic speech-commands clip.

    Ranges are ``(low, high)`` and drawn uniformly unless said otherwise; probabilities are in
    [0, 1]. Change a field with :func:`dataclasses.replace`; the dataset manifest records the
    whole config, and :func:`audioviz.data.ensure_synthetic_dataset` keys its cache on it.

    Attributes
    ----------
    rate_wpm
        a speaker's speaking rate, words per minute (eSpeak ``rate``). eSpeak NG says a lone "no"
        in 0.87 s at 80 words per minute, 0.37 s at 170 and 0.21 s at 250; Flite's four voices
        and Festival's two say it in 0.30 to 0.50 s. From 80 to 170 (audioviz 0.2.0's range)
        almost every synthetic keyword was longer than another synthesiser's, and a model
        trained on them answered "neither" to short ones. With 90 to 250 the synthetic "no"
        (room and breath included) still lasted 0.49 s at the median against Flite's and
        Festival's 0.35 s, and stretching those voices' clips in time by 1.2 made a model find
        more of their "no"; the default 90 to 320 adds fast speakers (a lone "no" in 0.12 s at
        320), which raised "no" recall on Flite's voices from 0.67 to 0.76 at the same 5 %
        false accepts (three seeds each).
    rate_jitter
        relative change of the rate from one utterance to the next.
    pitch
        a speaker's base pitch on eSpeak's 0-100 scale (50 is the voice's normal pitch).
    pitch_jitter
        change of the pitch between utterances (same scale).
    pitch_range
        a speaker's intonation range, 0 (monotone) to 100.
    warp
        vocal-tract warp factor; formants and pitch are multiplied by it and the duration
        divided by it.
    warp_jitter
        change of the warp between utterances.
    phoneme_variant_prob
        probability of an alternative pronunciation (e.g. ``[[n'@U]]``).
    onset_s
        time of the word's start in the window, seconds.
    cut_prob
        probability that the word runs over an edge of the window, losing 2 to 15 % of it.
    reverb_prob
        probability of room reverberation.
    rt60_s
        reverberation time (60 dB decay), seconds.
    drr_db
        direct-to-reverberant energy ratio, dB.
    highpass_hz
        microphone low cut, Hz.
    lowpass_prob
        probability of a band-limited (telephone-like) microphone.
    lowpass_hz
        cut-off of that low-pass, Hz.
    eq_bands
        largest number of random EQ bumps.
    eq_gain_db
        largest gain of one EQ bump (plus or minus), dB.
    tilt_db
        spectral tilt, dB per octave relative to 1 kHz.
    noise_prob
        probability of background noise; other clips get only the faint noise
        floor of the microphone and preamplifier.
    snr_db
        speech-to-background-noise ratio (speech measured where it is active), dB.
    floor_snr_db
        speech-to-noise ratio of that faint floor, dB.
    noise_slope
        exponent of the noise power spectrum ``~ f ** slope`` (0 white, -1 pink,
        -2 brown).
    noise_wobble_db
        slow random loudness change of the noise within the clip, dB.
    hum_prob
        probability of mains hum (50 or 60 Hz and harmonics) in the noise.
    breath_prob
        probability of a breath (soft noise burst) just before or after the word.
    breath_db
        level of the breath relative to the speech, dB.
    click_prob
        probability of one to three clicks (mouse, keyboard, microphone handling).
    click_db
        peak level of a click relative to the speech peak, dB.
    peak_dbfs
        peak level of the finished clip, dB relative to full scale.
    clip_prob
        probability of overdriving the recording into soft clipping.
    overdrive_db
        how far above full scale an overdriven clip is pushed, dB.
    """

    rate_wpm: tuple = (90.0, 320.0)
    rate_jitter: float = 0.12
    pitch: tuple = (10.0, 90.0)
    pitch_jitter: float = 6.0
    pitch_range: tuple = (10.0, 95.0)
    warp: tuple = (0.86, 1.16)
    warp_jitter: float = 0.02
    phoneme_variant_prob: float = 0.3
    onset_s: tuple = (0.0, 0.75)
    cut_prob: float = 0.04
    reverb_prob: float = 0.6
    rt60_s: tuple = (0.1, 0.8)
    drr_db: tuple = (-2.0, 18.0)
    highpass_hz: tuple = (20.0, 300.0)
    lowpass_prob: float = 0.35
    lowpass_hz: tuple = (2500.0, 7500.0)
    eq_bands: int = 3
    eq_gain_db: float = 9.0
    tilt_db: tuple = (-3.0, 1.5)
    noise_prob: float = 0.85
    snr_db: tuple = (5.0, 65.0)
    floor_snr_db: tuple = (50.0, 80.0)
    noise_slope: tuple = (-2.2, 0.6)
    noise_wobble_db: float = 6.0
    hum_prob: float = 0.12
    breath_prob: float = 0.2
    breath_db: tuple = (-30.0, -12.0)
    click_prob: float = 0.15
    click_db: tuple = (-25.0, -3.0)
    peak_dbfs: tuple = (-16.0, -0.3)
    clip_prob: float = 0.03
    overdrive_db: tuple = (1.0, 9.0)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> "SynthesisConfig":
        """Inverse of :meth:`to_dict`; unknown keys are a ValueError naming them."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown SynthesisConfig fields {unknown}; valid fields are {sorted(names)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


# ----------------------------------------------------------------------------------------------
# signal chain


def _uniform(rng: np.random.Generator, bounds) -> float:
    low, high = bounds
    return float(rng.uniform(low, high))


def trim_silence(samples: np.ndarray, *, threshold_db: float = -45.0, frame: int = 110) -> np.ndarray:
    """Drop the leading and trailing frames quieter than ``threshold_db`` below the loudest frame."""
    x = np.asarray(samples, dtype=np.float64)
    n = len(x) // frame
    if n == 0:
        return x
    energy = (x[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    loud = np.flatnonzero(energy > energy.max() * 10 ** (threshold_db / 10))
    if len(loud) == 0:
        return x[:0]
    return x[loud[0] * frame: (loud[-1] + 1) * frame]


def warp_resample(x: np.ndarray, orig_rate: int, warp: float = 1.0, *, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling from ``orig_rate`` to ``sample_rate`` Hz, read ``warp`` times faster.

    With ``warp > 1`` every frequency (pitch and formants) goes up by ``warp`` and the duration
    shrinks by it: a crude but effective model of a shorter vocal tract. Frequencies above the new
    Nyquist limit are removed (FFT truncation), so nothing aliases. To keep both FFTs fast (an
    FFT of a length with a large prime factor is ten times slower), the signal is padded with
    silence to a length of the form ``2**a * 3**b * 5**c``, and the output length is rounded up
    to one, which lowers ``warp`` by at most a few percent; the padding is cut off again.
    """
    n = len(x)
    n_padded = _fast_length(max(n, 1))
    m_padded = _fast_length(max(int(round(n_padded * sample_rate / (orig_rate * warp))), 1))
    spectrum = np.fft.rfft(x, n_padded)
    keep = m_padded // 2 + 1
    if keep <= len(spectrum):
        spectrum = spectrum[:keep]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(keep - len(spectrum), spectrum.dtype)])
    out = np.fft.irfft(spectrum, n=m_padded) * (m_padded / n_padded)
    return out[: max(int(round(n * m_padded / n_padded)), 1)]


def place(word: np.ndarray, onset: int, length: int = CLIP_SAMPLES) -> np.ndarray:
    """Put ``word`` into a silent window of ``length`` samples starting at sample ``onset``
    (negative or late onsets cut the word at the window's edge)."""
    out = np.zeros(length)
    start, stop = max(onset, 0), min(onset + len(word), length)
    if stop > start:
        out[start:stop] = word[start - onset: stop - onset]
    return out


def room_impulse_response(rng: np.random.Generator, rt60: float, drr_db: float, *,
                          sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A synthetic room impulse response: a direct path, a few early echoes, then exponentially
    decaying noise whose high frequencies die faster (air and wall absorption)."""
    length = int(min(1.2 * rt60, 0.9) * sample_rate) + 1
    t = np.arange(length) / sample_rate
    # 60 dB of amplitude decay over rt60 seconds
    tail = rng.standard_normal(length) * np.exp(-6.9078 * t / rt60)
    # high frequencies decay faster: smooth the later tail more than the early tail
    smooth = np.convolve(tail, np.ones(4) / 4, mode="same")
    blend = np.clip(t / rt60, 0, 1)
    tail = (1 - blend) * tail + blend * smooth
    pre_delay = int(rng.uniform(0.002, 0.012) * sample_rate)
    tail[:pre_delay] = 0
    for _ in range(int(rng.integers(2, 7))):
        delay = int(rng.uniform(0.003, 0.04) * sample_rate)
        if delay < length:
            tail[delay] += rng.uniform(-0.6, 0.6) * math.exp(-6.9078 * delay / sample_rate / rt60)
    tail_energy = float(np.sum(tail**2)) or 1.0
    ir = tail * math.sqrt(10 ** (-drr_db / 10) / tail_energy)
    ir[0] = 1.0
    return ir


def microphone_response(rng: np.random.Generator, config: SynthesisConfig):
    """Random magnitude response ``H(freqs_hz)`` (a callable): band limits, EQ bumps and tilt."""
    highpass = _uniform(rng, config.highpass_hz)
    hp_order = int(rng.integers(1, 4))
    lowpass = _uniform(rng, config.lowpass_hz) if rng.random() < config.lowpass_prob else None
    lp_order = int(rng.integers(2, 9))
    tilt = _uniform(rng, config.tilt_db)
    bumps = [(math.exp(rng.uniform(math.log(150), math.log(7000))), rng.uniform(-1, 1) * config.eq_gain_db,
              rng.uniform(0.2, 1.2)) for _ in range(int(rng.integers(0, config.eq_bands + 1)))]

    grid = np.linspace(0.0, SAMPLE_RATE / 2, 513)

    def exact(freqs: np.ndarray) -> np.ndarray:
        f = np.maximum(freqs, 1.0)
        gain_db = tilt * np.log2(f / 1000.0)
        for centre, gain, width in bumps:
            gain_db = gain_db + gain * np.exp(-0.5 * (np.log2(f / centre) / width) ** 2)
        h = 10 ** (gain_db / 20)
        h = h / np.sqrt(1 + (highpass / f) ** (2 * hp_order))
        if lowpass is not None:
            h = h / np.sqrt(1 + (f / lowpass) ** (2 * lp_order))
        return h

    # the response is smooth: evaluate it on a 15.6 Hz grid and interpolate (much faster)
    on_grid = exact(grid)

    def response(freqs: np.ndarray) -> np.ndarray:
        return np.interp(freqs, grid, on_grid)

    return response


def coloured_noise(rng: np.random.Generator, length: int, slope: float, *, sample_rate: int = SAMPLE_RATE,
                   response=None) -> np.ndarray:
    """Gaussian noise with power spectrum ``~ f ** slope``, optionally filtered by ``response``."""
    # the spectrum of white Gaussian noise is white complex Gaussian noise: draw it directly
    n_bins = length // 2 + 1
    spectrum = rng.standard_normal(n_bins) + 1j * rng.standard_normal(n_bins)
    freqs = np.fft.rfftfreq(length, 1 / sample_rate)
    shape = np.maximum(freqs, 20.0) ** (slope / 2)
    if response is not None:
        shape = shape * response(freqs)
    noise = np.fft.irfft(spectrum * shape, n=length)
    return noise / (np.std(noise) + 1e-12)


def mains_hum(rng: np.random.Generator, length: int, *, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """50 or 60 Hz hum with a few decaying harmonics, unit standard deviation."""
    base = 50.0 if rng.random() < 0.5 else 60.0
    t = np.arange(length) / sample_rate
    hum = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 2 * np.pi))
              for k in range(1, 6))
    return hum / (np.std(hum) + 1e-12)


def active_rms(x: np.ndarray, *, frame: int = 160) -> float:
    """RMS of the louder half of the 10 ms frames: the level of the speech, not of the silence."""
    n = len(x) // frame
    energy = np.sort((x[: n * frame].reshape(n, frame) ** 2).mean(axis=1))
    top = energy[n // 2:]
    return float(np.sqrt(top.mean())) if len(top) else 0.0


def add_breath_and_clicks(clip: np.ndarray, rng: np.random.Generator, config: SynthesisConfig, *,
                          onset: int, offset: int) -> np.ndarray:
    """Sounds people make around a word that are not the word: a breath just before or after it,
    and clicks anywhere. Both classes get them, so neither can be recognised by them."""
    level = active_rms(clip)
    peak = np.abs(clip).max()
    out = clip.copy()
    if rng.random() < config.breath_prob:
        length = int(rng.uniform(0.15, 0.45) * SAMPLE_RATE)
        breath = coloured_noise(rng, length, rng.uniform(-1.5, -0.3))
        envelope = np.sin(np.linspace(0, np.pi, length)) ** rng.uniform(1, 3)
        gap = int(rng.uniform(0.03, 0.3) * SAMPLE_RATE)
        start = onset - gap - length if rng.random() < 0.5 else offset + gap
        breath = breath * envelope * level * 10 ** (_uniform(rng, config.breath_db) / 20)
        lo, hi = max(start, 0), min(start + length, len(out))
        if hi > lo:
            out[lo:hi] += breath[lo - start: hi - start]
    if rng.random() < config.click_prob:
        for _ in range(int(rng.integers(1, 4))):
            length = int(rng.uniform(0.002, 0.012) * SAMPLE_RATE)
            t = np.arange(length) / SAMPLE_RATE
            click = rng.standard_normal(length) * np.exp(-t / rng.uniform(0.0005, 0.003))
            click = click / (np.abs(click).max() + 1e-12) * peak * 10 ** (_uniform(rng, config.click_db) / 20)
            start = int(rng.integers(0, len(out) - length))
            out[start:start + length] += click
    return out


@functools.lru_cache(maxsize=4096)
def _fast_length(n: int) -> int:
    """The smallest ``2**a * 3**b * 5**c >= n`` (an FFT size that pocketfft handles fastest)."""
    best = 1 << int(math.ceil(math.log2(n)))
    five = 1
    while five < best:
        three = five
        while three < best:
            size = three * (1 << max(0, int(math.ceil(math.log2(n / three)))))
            best = min(best, size)
            three *= 3
        five *= 5
    return best


def _filter(x: np.ndarray, ir: np.ndarray | None, response, sample_rate: int) -> np.ndarray:
    """Linear convolution with ``ir`` and zero-phase filtering by ``response``, cut to ``len(x)``."""
    n_fft = _fast_length(len(x) + (len(ir) if ir is not None else 0))
    spectrum = np.fft.rfft(x, n_fft)
    if ir is not None:
        spectrum = spectrum * np.fft.rfft(ir, n_fft)
    spectrum = spectrum * response(np.fft.rfftfreq(n_fft, 1 / sample_rate))
    return np.fft.irfft(spectrum, n_fft)[: len(x)]


def render_clip(speech: np.ndarray, orig_rate: int, rng: np.random.Generator, config: SynthesisConfig, *,
                warp: float = 1.0, augment: bool = True) -> np.ndarray:
    """One finished clip, float64 of shape ``(16000,)`` in [-1, 1], from raw synthesiser samples.

    Parameters
    ----------
    speech
        samples of one spoken word, any scale, at ``orig_rate`` Hz.
    orig_rate
        rate of ``speech`` in Hz.
    rng
        the clip's random generator (the only source of randomness: same state, same clip).
    config
        the ranges to draw from.
    warp
        vocal-tract warp factor for :func:`warp_resample`.
    augment
        if False, only resample, centre and normalise (a clean reference clip).
    """
    word = trim_silence(np.asarray(speech, dtype=np.float64))
    # a very slow speaker may not fit in the window: speed the word up until it fills 95 % of it
    fitted = len(word) * SAMPLE_RATE / (orig_rate * warp)
    if fitted > 0.95 * CLIP_SAMPLES:
        warp *= fitted / (0.95 * CLIP_SAMPLES)
    word = warp_resample(word, orig_rate, warp)
    word = word / (np.abs(word).max() + 1e-12)
    if not augment:
        clip = place(word, (CLIP_SAMPLES - len(word)) // 2)
        return clip * 10 ** (-3 / 20)

    latest = CLIP_SAMPLES - len(word)
    if rng.random() < config.cut_prob:
        # a clip that starts late or early enough to lose a little of the word, as real ones do
        onset = int(rng.choice([-1, 1]) * rng.uniform(0.02, 0.15) * len(word))
        if onset > 0:
            onset = CLIP_SAMPLES - len(word) + onset
    else:
        low, high = (int(s * SAMPLE_RATE) for s in config.onset_s)
        onset = int(rng.integers(min(low, max(latest, 0)), max(min(high, latest), 0) + 1))
    clip = place(word, onset)
    clip = add_breath_and_clicks(clip, rng, config, onset=onset, offset=onset + len(word))

    ir = None
    if rng.random() < config.reverb_prob:
        ir = room_impulse_response(rng, _uniform(rng, config.rt60_s), _uniform(rng, config.drr_db))
    response = microphone_response(rng, config)
    clip = _filter(clip, ir, response, SAMPLE_RATE)

    # real recordings are never digitally silent: there is always at least a faint floor
    background = rng.random() < config.noise_prob
    noise = coloured_noise(rng, CLIP_SAMPLES, _uniform(rng, config.noise_slope), response=response)
    if background:
        if rng.random() < config.hum_prob:
            noise = noise + rng.uniform(0.3, 2.0) * mains_hum(rng, CLIP_SAMPLES)
        wobble_db = config.noise_wobble_db * np.interp(np.arange(CLIP_SAMPLES), np.linspace(0, CLIP_SAMPLES, 5),
                                                       rng.uniform(-0.5, 0.5, 5))
        noise = noise * 10 ** (wobble_db / 20)
        noise = noise / (np.sqrt(np.mean(noise**2)) + 1e-12)
    snr = _uniform(rng, config.snr_db if background else config.floor_snr_db)
    clip = clip + noise * active_rms(clip) * 10 ** (-snr / 20)

    peak = np.abs(clip).max() + 1e-12
    if rng.random() < config.clip_prob:
        drive = 10 ** (_uniform(rng, config.overdrive_db) / 20)
        clip = np.tanh(clip / peak * drive) / math.tanh(drive) * 10 ** (-0.1 / 20)
        peak = np.abs(clip).max() + 1e-12
    return clip / peak * 10 ** (_uniform(rng, config.peak_dbfs) / 20)


def to_pcm16(clip: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] to int16 (rounded, saturated)."""
    return np.clip(np.round(clip * 32767.0), -32768, 32767).astype(np.int16)


# ----------------------------------------------------------------------------------------------
# no word at all: the ``_silence_`` clips and the ``_background_noise_`` files

#: Kinds of ``_silence_`` clip and how often each is drawn.
SILENCE_KINDS = {
    "digital": 0.04,      # all zeros, as a muted input gives
    "dither": 0.08,       # the last bit flickering: -100 to -70 dBFS white noise
    "room": 0.30,         # room tone: coloured noise through a microphone, -85 to -35 dBFS
    "noise": 0.18,        # loud white, pink or brown noise, -45 to -8 dBFS
    "hum": 0.10,          # mains hum and its harmonics over a faint floor
    "background": 0.20,   # a one-second cut of one of the _background_noise_ files
    "events": 0.10,       # a faint floor with breaths and clicks but no word
}


def background_noises(seed: int, *, seconds: int = 10) -> dict:
    """The ``_background_noise_`` files of a synthetic tree: name -> float64 samples at 16 kHz,
    peak -6 dBFS. White, pink and brown noise, mains hum, a room tone and a fan."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xB6]))
    length = seconds * SAMPLE_RATE
    config = SynthesisConfig()
    noises = {
        "white_noise.wav": coloured_noise(rng, length, 0.0),
        "pink_noise.wav": coloured_noise(rng, length, -1.0),
        "brown_noise.wav": coloured_noise(rng, length, -2.0),
        "mains_hum.wav": mains_hum(rng, length) + 0.05 * coloured_noise(rng, length, -1.0),
        "room_tone.wav": coloured_noise(rng, length, -1.6, response=microphone_response(rng, config)),
        "fan.wav": coloured_noise(rng, length, -0.7, response=microphone_response(rng, config))
        + 0.3 * mains_hum(rng, length),
    }
    return {name: noise / np.abs(noise).max() * 10 ** (-6 / 20) for name, noise in noises.items()}


def render_silence(rng: np.random.Generator, config: SynthesisConfig, backgrounds: dict, *,
                   kind: str | None = None) -> np.ndarray:
    """One second with no word, float64 of shape ``(16000,)`` in [-1, 1] (see :data:`SILENCE_KINDS`).

    Parameters
    ----------
    rng
        the clip's random generator.
    config
        ranges for the microphone response and the breaths and clicks.
    backgrounds
        :func:`background_noises` of the tree, for the ``"background"`` kind.
    kind
        force one kind. Default: drawn with the probabilities of :data:`SILENCE_KINDS`.
    """
    kinds = tuple(SILENCE_KINDS)
    if kind is None:
        weights = np.array([SILENCE_KINDS[k] for k in kinds])
        kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
    if kind == "digital":
        return np.zeros(CLIP_SAMPLES)
    if kind == "dither":
        return rng.standard_normal(CLIP_SAMPLES) * 10 ** (rng.uniform(-100, -70) / 20)
    if kind == "background":
        name = sorted(backgrounds)[int(rng.integers(len(backgrounds)))]
        source = backgrounds[name]
        start = int(rng.integers(0, len(source) - CLIP_SAMPLES + 1))
        clip = source[start:start + CLIP_SAMPLES]
        return clip / (np.abs(clip).max() + 1e-12) * 10 ** (rng.uniform(-50, -3) / 20)
    response = microphone_response(rng, config)
    clip = coloured_noise(rng, CLIP_SAMPLES, _uniform(rng, config.noise_slope), response=response)
    if kind == "hum":
        clip = mains_hum(rng, CLIP_SAMPLES) + 10 ** (rng.uniform(-40, -10) / 20) * clip
        level_db = rng.uniform(-60, -15)
    elif kind == "noise":
        clip = coloured_noise(rng, CLIP_SAMPLES, float(rng.choice([0.0, -1.0, -2.0])))
        level_db = rng.uniform(-45, -8)
    else:  # room tone, and the quiet floor under breaths and clicks
        wobble = config.noise_wobble_db * np.interp(np.arange(CLIP_SAMPLES), np.linspace(0, CLIP_SAMPLES, 5),
                                                    rng.uniform(-0.5, 0.5, 5))
        clip = clip * 10 ** (wobble / 20)
        level_db = rng.uniform(-85, -35)
    clip = clip / (np.abs(clip).max() + 1e-12) * 10 ** (level_db / 20)
    if kind == "events":
        # breaths and clicks sized as if a word of a usual level were there, but no word is
        pseudo_word = np.zeros(CLIP_SAMPLES)
        start = int(rng.integers(2000, 10000))
        pseudo_word[start:start + 4000] = rng.standard_normal(4000) * 10 ** (rng.uniform(-30, -12) / 20)
        events = add_breath_and_clicks(pseudo_word, rng, config.__class__(breath_prob=1.0, click_prob=0.7),
                                       onset=start, offset=start + 4000) - pseudo_word
        clip = clip + events
    return np.clip(clip, -1.0, 1.0)
