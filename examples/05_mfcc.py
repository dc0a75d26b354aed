"""
MFCC: what the cepstrum keeps and drops
=======================================

**Run it yourself:** this page needs only audioviz (see the Install page); it makes its vowels on
the spot, so no data is read or downloaded.

For decades, speech recognisers did not look at spectrograms at all but at **mel-frequency
cepstral coefficients** (MFCCs): a dozen or so numbers per frame, computed from each column of a
mel spectrogram. They are still everywhere (speaker recognition, keyword spotting on tiny chips,
audio fingerprints), and the idea behind them explains what matters in a speech spectrogram.

The idea, in one sentence: a column of a log-mel spectrogram is a curve over frequency whose
**slow** shape (where the broad peaks are) says *which vowel*, and whose **fast** ripples (the
harmonics) say *which pitch*; the MFCCs describe the curve as a sum of cosines, and keeping only
the first few keeps the slow shape and drops the ripples.

This tutorial:

* makes four vowels that differ in vowel quality or in pitch, and listens to them;
* takes one column apart with the discrete cosine transform (DCT), and puts it back together;
* checks that MFCCs tell vowels apart and ignore pitch;
* draws an MFCC "picture" with :func:`audioviz.plot_mfcc`, and lists what MFCCs throw away.
"""

# %%
# Four vowels
# -----------
#
# A vowel is a buzz of the vocal folds (harmonics of the pitch) filtered by the shape of the mouth,
# which boosts a few broad bands, the **formants**. We make "aah", "ee" and "oo" from their typical
# first three formants, and "aah" a second time at a higher pitch (half as high again: a musical
# fifth).

import matplotlib.pyplot as plt
import torch
import torchaudio
from IPython.display import Audio

import audioviz

sample_rate = 16000
FORMANTS = {"aah": (730, 1090, 2440), "ee": (270, 2290, 3010), "oo": (300, 870, 2240)}


def mel_like_hz_axis(ax, ticks=(0, 250, 500, 750, 1000, 2000, 4000, 8000)):
    """An x axis close to the mel warp (linear below 1 kHz, logarithmic above), ticked in Hz."""
    ax.set_xscale("symlog", linthresh=1000)
    ax.set_xticks(ticks)  # matplotlib's symlog ticks would stop at 0, 100 and 1k
    ax.xaxis.set_major_formatter(audioviz.HzFormatter())
    ax.set_xlim(0, sample_rate / 2)


def vowel(sample_rate, *, formants, pitch_hz, duration=0.6):
    """A synthetic vowel: harmonics of ``pitch_hz`` shaped by three resonances (in Hz)."""
    t = torch.arange(int(duration * sample_rate)) / sample_rate
    vibrato = pitch_hz * (1 + 0.01 * torch.sin(2 * torch.pi * 5 * t))  # a little life
    phase = 2 * torch.pi * torch.cumsum(vibrato, dim=0) / sample_rate
    wave = torch.zeros_like(t)
    for k in range(1, int(sample_rate / 2 / (1.02 * pitch_hz))):
        gain = sum(1 / (1 + ((k * pitch_hz - f) / 80) ** 2) for f in formants)
        wave += gain * torch.sin(k * phase)
    envelope = torch.clamp(torch.minimum(t / 0.04, (duration - t) / 0.08), 0, 1)
    return (0.8 * wave * envelope / wave.abs().max()).unsqueeze(0)


voices = {
    'aah, 110 Hz': vowel(sample_rate, formants=FORMANTS["aah"], pitch_hz=110),
    'aah, 165 Hz': vowel(sample_rate, formants=FORMANTS["aah"], pitch_hz=165),
    'ee, 110 Hz': vowel(sample_rate, formants=FORMANTS["ee"], pitch_hz=110),
    'oo, 110 Hz': vowel(sample_rate, formants=FORMANTS["oo"], pitch_hz=110),
}
gap = torch.zeros(1, int(0.15 * sample_rate))
sequence = torch.cat([torch.cat([wave, gap], dim=1) for wave in voices.values()], dim=1)
Audio(sequence.numpy(), rate=sample_rate, normalize=False)

# %%
# You hear "aah" low, "aah" a fifth higher, then "ee" and "oo" at the low pitch. Two things
# vary: *which vowel* (what a word recogniser needs) and *pitch* (which says more about the
# speaker and the intonation than about the word).
#
# One column of a log-mel spectrogram
# -----------------------------------
#
# Take the middle frame of the low "aah" and look at its mel spectrum in dB: 40 mel bands, the
# classic setting for MFCCs.

n_mels, n_fft, hop_length = 40, 512, 160


def log_mel(wave):
    """Mel spectrogram in dB, as torchaudio's MFCC computes it before the DCT: (n_mels, frames)."""
    mel = audioviz.mel_spectrogram(wave, sample_rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels)
    return mel.to_db(top_db=80).data[0]


logmel_aah = log_mel(voices['aah, 110 Hz'])
frame = logmel_aah.shape[-1] // 2
column = logmel_aah[:, frame]
centres_hz = audioviz.mel_filterbank(sample_rate, n_fft=n_fft, n_mels=n_mels).centers_hz

fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
ax.plot(centres_hz, column, "o-", markersize=3)
for formant in FORMANTS["aah"]:  # the three resonances of "aah", to read the humps against
    ax.axvline(formant, color="0.6", linestyle=":", linewidth=1)
mel_like_hz_axis(ax)
ax.set_xlabel("mel band centre (Hz)")
ax.set_ylabel("level (dB re. power 1)")
ax.set_title('One frame of "aah" at 110 Hz: 40 mel bands')
plt.show()

# %%
# **What to notice:** two kinds of shape are mixed in one curve. Slowly, the level rises to broad
# humps near 730, 1090 and 2440 Hz (dotted lines: the formants, the vowel). Quickly, the low bands zig-zag,
# because below about 1 kHz the narrow mel filters resolve the individual harmonics 110 Hz apart
# (the pitch).
#
# The DCT: a curve as a sum of cosines
# ------------------------------------
#
# The discrete cosine transform writes the 40 values as a weighted sum of 40 cosines over the
# bands: cosine 0 is flat, cosine 1 is half a wave, cosine 2 a whole wave, and so on, ever
# wigglier. The weights are the **cepstral coefficients**. torchaudio's ``create_dct`` gives the
# matrix; this is exactly what ``torchaudio.transforms.MFCC`` does after the log-mel step.

n_mfcc = 13
dct = torchaudio.functional.create_dct(n_mfcc=n_mels, n_mels=n_mels, norm="ortho")  # (n_mels, n_mels)
coefficients = column @ dct  # all 40 coefficients of this frame

fig, axes = plt.subplots(1, 4, figsize=(11, 2.2), sharey=True, layout="constrained")
for k, ax in enumerate(axes):
    ax.plot(centres_hz, dct[:, k], color=f"C{k}")
    mel_like_hz_axis(ax, ticks=(0, 1000, 4000))  # few ticks: these panels are narrow
    ax.set_title(f"cosine {k}")
axes[0].set_ylabel("weight")
plt.show()

# %%
# Keeping only the first coefficients and transforming back (the DCT matrix is orthogonal, so
# its transpose undoes it) shows what they describe:

fig, ax = plt.subplots(figsize=(9, 3.4), layout="constrained")
ax.plot(centres_hz, column, "o", markersize=3, color="0.6", label="the frame (40 bands)")
for keep, color in ((4, "C0"), (n_mfcc, "C3"), (30, "C2")):
    truncated = torch.zeros_like(coefficients)
    truncated[:keep] = coefficients[:keep]
    ax.plot(centres_hz, truncated @ dct.T, color=color, label=f"rebuilt from the first {keep} coefficients")
mel_like_hz_axis(ax)
ax.set_xlabel("mel band centre (Hz)")
ax.set_ylabel("level (dB re. power 1)")
ax.legend(fontsize="small")
ax.set_title("What the first coefficients keep")
plt.show()

# %%
# **What to notice:** 4 coefficients give only the overall tilt. 13 coefficients (red, the
# classic choice) follow the formant humps and ignore the zig-zag of the harmonics: the **spectral
# envelope**, the shape of the mouth. 30 coefficients start to follow the harmonics too. So
# "keep the first 13 MFCCs" means "keep the vowel, drop the pitch".
#
# MFCCs tell vowels apart and ignore pitch
# ----------------------------------------
#
# :func:`audioviz.mfcc` computes MFCCs exactly as ``torchaudio.transforms.MFCC`` does (mel
# spectrogram, dB with an 80 dB floor, DCT) and returns a :class:`audioviz.Feature`. First, a check
# that our hand-made column is what it computes:

features = {name: audioviz.mfcc(wave, sample_rate, n_mfcc=n_mfcc, n_mels=n_mels, n_fft=n_fft, hop_length=hop_length)
            for name, wave in voices.items()}
aah = features['aah, 110 Hz']
print("MFCC feature:", tuple(aah.data.shape), "(channel, coefficient, frame), unit:", aah.unit)
print(f"largest difference from the hand-made frame: {(aah.data[0, :, frame] - coefficients[:n_mfcc]).abs().max():.1e}")

# %%
# Now the average MFCCs of the steady middle of each vowel. Coefficient 0 is the overall level
# (cosine 0 is flat), so we compare coefficients 1 to 12:

fig, ax = plt.subplots(figsize=(9, 3.4), layout="constrained")
means = {}
for i, (name, feature) in enumerate(features.items()):
    middle = feature.data[0, :, feature.data.shape[-1] // 4 : 3 * feature.data.shape[-1] // 4]
    means[name] = middle.mean(dim=-1)
    ax.plot(range(1, n_mfcc), means[name][1:], "o", label=name, linestyle="--" if "165" in name else "-")
ax.axhline(0, color="k", linewidth=0.6)
ax.set_xticks(range(1, n_mfcc))
ax.set_xlabel("MFCC coefficient index")
ax.set_ylabel("mean value")
ax.legend()
ax.set_title("Average MFCCs of the four vowels")
plt.show()


def distance(a, b):
    return float((means[a][1:] - means[b][1:]).norm())


print(f"aah at 110 Hz vs aah at 165 Hz (same vowel, higher pitch): {distance('aah, 110 Hz', 'aah, 165 Hz'):6.1f}")
print(f"aah vs ee (same pitch, different vowel):                    {distance('aah, 110 Hz', 'ee, 110 Hz'):6.1f}")
print(f"aah vs oo (same pitch, different vowel):                    {distance('aah, 110 Hz', 'oo, 110 Hz'):6.1f}")
print(f"ee vs oo (same pitch, different vowel):                     {distance('ee, 110 Hz', 'oo, 110 Hz'):6.1f}")
nearest_vowel = min(distance('aah, 110 Hz', 'ee, 110 Hz'), distance('aah, 110 Hz', 'oo, 110 Hz'))
print(f"the pitch change moves the MFCCs {distance('aah, 110 Hz', 'aah, 165 Hz') / nearest_vowel:.2f} times "
      "as far as the smallest change of vowel")

# %%
# **What to notice:** the two "aah" curves (solid and dashed) nearly coincide although one is a
# fifth higher, while "ee" and "oo" are far away from "aah" and from each other. The distances say
# the same in numbers: raising the pitch moves the MFCCs only a fraction as far as changing the
# vowel (the ratio is printed above). This
# is why MFCCs were such a good input for word recognisers.
#
# The MFCC picture
# ----------------
#
# Over time, MFCCs form an image with one row per coefficient. The values are signed, so
# :func:`audioviz.plot_mfcc` uses a diverging colormap centred at zero (blue negative, red
# positive) and never takes a logarithm of them. Below it, the mel spectrogram they came from:

fig, (ax_mel, ax_mfcc) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True, layout="constrained")
mel_image = audioviz.plot_mel_spectrogram(sequence, sample_rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                          ax=ax_mel)
mel_image.colorbar.set_label("dB re. power 1")  # the convention of tutorials 1 to 4
ax_mel.set_title("log-mel spectrogram: aah (110 Hz), aah (165 Hz), ee, oo")
# Coefficient 0 (the overall level) is ten times larger than the others; colours are clipped at
# +-120 so that the rest stay visible.
audioviz.plot_mfcc(sequence, sample_rate, n_mfcc=n_mfcc, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                   vmin=-120, vmax=120, ax=ax_mfcc)
ax_mfcc.set_title("MFCC 0 to 12 (colours clipped at +-120)")
plt.show()

# %%
# **What to notice:** in the mel spectrogram the two "aah"s look different (their harmonics are
# spaced differently at the bottom); in the MFCC image their columns look alike, and "ee" and "oo"
# have their own colour patterns. Row 0 (the level) is deep blue in the silences between vowels,
# far below the clipped colour range.
#
# What MFCCs throw away
# ---------------------
#
# * **Pitch and harmonics**: the fine ripple is in the high coefficients, which are dropped. Good
#   for recognising words; bad for tone languages, emotion or singing. Not perfectly, though: the
#   higher the voice, the farther apart its harmonics, and once they are wider apart than the low
#   mel bands the envelope itself looks different. Try ``pitch_hz=220`` in the notebook: the two
#   "aah"s drift further apart.
# * **Phase**: already gone in the power spectrogram; you cannot play MFCCs back faithfully.
# * **Local detail in frequency**: each coefficient mixes *all* bands, so a narrow event (a
#   whistle, one formant moving) spreads over every coefficient. Convolutional networks need local
#   patterns, which is why modern models, including the classifier of tutorial 9, take the log-mel
#   spectrogram itself rather than its MFCCs.
#
# The whole journey in one call
# -----------------------------
#
# :func:`audioviz.show` draws the four views of these tutorials, on one time axis: waveform,
# spectrogram, mel spectrogram and MFCC.

fig = audioviz.show(sequence, sample_rate, n_mfcc=n_mfcc, title="Four vowels, from waveform to MFCC")
plt.show()

# %%
# Summary
# -------
#
# * MFCCs are the DCT of each log-mel column: coefficient ``k`` measures how much of the ``k``-th
#   cosine over the mel bands the column contains.
# * The first dozen coefficients describe the spectral envelope (the vowel, the mouth); the rest
#   describe the harmonics (the pitch). Keeping 13 keeps the first and drops the second.
# * MFCCs are signed: plot them on a diverging colormap centred at zero.
# * They drop pitch, phase and local frequency detail; CNNs today usually take the log-mel
#   spectrogram itself.
