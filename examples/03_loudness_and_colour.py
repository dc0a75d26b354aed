"""
Loudness and colour
===================

**Run it yourself:** this page needs only audioviz (see the Install page); it makes its sounds on
the spot, so no data is read or downloaded.

A spectrogram is a grid of numbers turned into colours, and both halves of that sentence hide a
choice that changes what you see. The numbers can be **power**, **magnitude** or **decibels**, and
between the loudest and the quietest thing in one clip they can differ by a factor of ten billion.
The colours come from a **colormap**, and some colormaps draw edges that are not in the data.

This tutorial makes both choices visible:

* power, magnitude and decibels, and why every spectrogram you see is in dB;
* ``top_db``: how far below the loudest value the picture still looks;
* colormaps that tell the truth, and one that does not.
"""

# %%
# A sound with loud and quiet parts
# ---------------------------------
#
# Real recordings mix loud and very quiet things: a voice, the hiss of a fan, the hum of a
# fridge. We build one: a loud vowel (0 to 1 s), then a soft "sss" hiss (0.6 s from 1.2 s on, high
# frequencies only), and all along a faint 3 kHz whistle, far weaker than the vowel (the code
# prints how much).

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Audio

import audioviz

sample_rate = 16000
DB_LABEL = "dB re. power 1"  # the dB convention of every colorbar on this page (explained below)


def vowel(sample_rate, *, duration=1.0, pitch=(120.0, 180.0), formants=(730, 1090, 2440)):
    """A synthetic vowel: harmonics of a gliding pitch, shaped by three resonances (in Hz)."""
    t = torch.arange(int(duration * sample_rate)) / sample_rate
    f0 = torch.linspace(pitch[0], pitch[1], t.numel())
    phase = 2 * torch.pi * torch.cumsum(f0, dim=0) / sample_rate
    wave = torch.zeros_like(t)
    for k in range(1, int(sample_rate / 2 / pitch[1])):
        gain = sum(1 / (1 + ((k * f0 - f) / 90) ** 2) for f in formants)
        wave += gain * torch.sin(k * phase)
    envelope = torch.clamp(torch.minimum(t / 0.05, (duration - t) / 0.1), 0, 1)
    return 0.8 * wave * envelope / wave.abs().max()


def hiss(sample_rate, duration, *, low_hz=4000, seed=0):
    """White noise with everything below ``low_hz`` removed: an "sss"."""
    noise = torch.randn(int(duration * sample_rate), generator=torch.Generator().manual_seed(seed))
    spectrum = torch.fft.rfft(noise)
    spectrum[: int(low_hz * duration)] = 0  # rfft bin k is at k / duration Hz
    return torch.fft.irfft(spectrum, n=noise.numel())


total = int(2.0 * sample_rate)
t = torch.arange(total) / sample_rate
sound = torch.zeros(total)
sound[:sample_rate] += vowel(sample_rate)
start = int(1.2 * sample_rate)
sss = hiss(sample_rate, 0.6)
sound[start : start + sss.numel()] += 0.05 * sss / sss.abs().max() * torch.hann_window(sss.numel()) ** 0.2
whistle_amplitude = 0.0008
sound += whistle_amplitude * torch.sin(2 * torch.pi * 3000 * t)  # the faint whistle
sound = sound.unsqueeze(0)
vowel_peak = float(sound[0, :sample_rate].abs().max())
print(f"whistle amplitude / vowel peak = 1 / {vowel_peak / whistle_amplitude:.0f}")
Audio(sound.numpy(), rate=sample_rate, normalize=False)

# %%
# You can hear the vowel and the hiss; the whistle is at the edge of hearing (turn the volume up
# in the last second, where nothing else plays).
#
# Power and magnitude
# -------------------
#
# The FFT of a frame gives, for each frequency, a complex number. Its absolute value is the
# **magnitude** (proportional to the amplitude of that sine); its square is the **power**
# (proportional to energy). :func:`audioviz.spectrogram` gives power with ``power=2.0``
# (torchaudio's default) and magnitude with ``power=1.0``; the :class:`audioviz.Feature` it returns
# says which in ``.unit``.

power = audioviz.spectrogram(sound, sample_rate, n_fft=512, hop_length=128, power=2.0)
magnitude = audioviz.spectrogram(sound, sample_rate, n_fft=512, hop_length=128, power=1.0)
for feature in (power, magnitude):
    values = feature.data[feature.data > 0]
    print(f"{feature.unit:>9}: largest {values.max():.3g}, median {values.median():.3g}, "
          f"largest / median = {values.max() / values.median():.1e}")

# %%
# **What to notice:** the largest power is millions of times the median one (printed above).
# Painted on a linear colour scale, everything but the very loudest spots ends up in the bottom
# sliver of the colours:

fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
audioviz.plot_spectrogram(sound, sample_rate, n_fft=512, hop_length=128, db=False, ax=ax)
ax.set_title("Power on a linear colour scale: almost everything is black")
plt.show()

# %%
# **What to notice:** only a few harmonics of the vowel near its strongest resonance show. The
# hiss, the upper harmonics and the whistle are all there in the numbers, but invisible.
#
# Decibels
# --------
#
# Our ears compare loudness by ratios, not differences, and so do decibels. A level in dB is ten
# times the base-10 logarithm of a power ratio:
#
# * power: ``dB = 10 * log10(power)``;
# * magnitude: ``dB = 20 * log10(magnitude)`` (squaring the magnitude doubles the logarithm), so
#   both give the *same* decibels for the same sound.
#
# Useful landmarks: **+10 dB is 10 times the power; +6 dB is twice the amplitude; -20 dB is a tenth
# of the amplitude.** Listen to one tone at 0, -6, -20 and -40 dB relative to a peak of 0.9:

beep = torch.sin(2 * torch.pi * 660 * torch.arange(int(0.4 * sample_rate)) / sample_rate)
beep = beep * torch.hann_window(beep.numel()) ** 0.1
gap = torch.zeros(int(0.25 * sample_rate))
levels_db = [0, -6, -20, -40]
steps = torch.cat([torch.cat([0.9 * 10 ** (db / 20) * beep, gap]) for db in levels_db])
print("amplitude of each beep:", [round(0.9 * 10 ** (db / 20), 3) for db in levels_db])
Audio(steps.numpy(), rate=sample_rate, normalize=False)

# %%
# Each step of -20 dB divides the amplitude by 10, yet -40 dB (a hundredth of the amplitude) is
# still clearly audible. That is the range a picture has to show.
#
# :func:`audioviz.amplitude_to_db` (torchaudio's ``AmplitudeToDB``) converts a power or magnitude
# Feature to dB, and ``Feature.to_db()`` is the same in one word. Power and magnitude land on the
# same numbers:

power_db = audioviz.amplitude_to_db(power)
magnitude_db = magnitude.to_db()
print("units:", power_db.unit, magnitude_db.unit)
print(f"largest difference between the two: {(power_db.data - magnitude_db.data).abs().max():.2e} dB")

# %%
# The same sound in dB:

fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
image = audioviz.plot_feature(power_db, ax=ax)
image.colorbar.set_label(DB_LABEL)
ax.set_title("The same power in decibels")
plt.show()

# %%
# **What to notice:** all three parts of the sound are now visible: the vowel's harmonics up to
# 8 kHz, the hiss above 4 kHz, and the whistle as a thin line at 3 kHz across the whole clip, far
# below the vowel's peak (the printed line below measures how far). The colorbar is in dB, the
# scale your ears use.
#
# **What 0 dB is.** ``10 * log10(power)`` needs a reference power that counts as 0 dB. torchaudio's
# ``AmplitudeToDB`` (and so audioviz) uses a power of 1 in the units of the spectrogram: the
# squared magnitude of an FFT bin. That is why the colorbar reads "dB re. power 1", and why it
# goes above 0: a loud tone puts a large power into its bin. How large depends on ``n_fft`` and the
# window, so the numbers on the colorbar are comparable only between pictures made with the same
# settings; differences (the whistle is so many dB below the vowel) always mean the same. As a
# yardstick, the level a full-scale sine (amplitude 1) reaches with these settings:

def loudest_db(wave):
    spec = audioviz.spectrogram(wave.reshape(1, -1), sample_rate, n_fft=512, hop_length=128)
    return float(spec.to_db().data.max())


full_scale = torch.sin(2 * torch.pi * 1000 * t)
whistle_db = audioviz.spectrogram(sound[:, -sample_rate // 2:], sample_rate, n_fft=512, hop_length=128).to_db()
print(f"a full-scale 1 kHz sine: {loudest_db(full_scale):.1f} dB re. power 1 (n_fft = 512, Hann window)")
print(f"the vowel's loudest cell: {float(power_db.data.max()):.1f} dB; the whistle's (last 0.5 s): "
      f"{float(whistle_db.data.max()):.1f} dB, {float(power_db.data.max() - whistle_db.data.max()):.0f} dB below")

# %%
#
# ``top_db``: how deep to look
# ----------------------------
#
# The logarithm of zero is minus infinity, and digital silence is exactly zero. So every dB
# conversion needs a floor. torchaudio (and audioviz) put it ``top_db`` dB below the loudest value:
# anything quieter is shown as the floor. The default is 80 dB. A smaller ``top_db`` hides quiet
# detail; a larger one (or ``None``, which only guards against zero with a tiny ``amin``) shows
# everything down to the rounding noise.

fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), sharey=True, layout="constrained")
for ax, top_db in zip(axes, (40, 80, None)):
    image = audioviz.plot_spectrogram(sound, sample_rate, n_fft=512, hop_length=128, top_db=top_db, ax=ax,
                                      colorbar=False)
    low, high = image.get_clim()
    ax.set_title(f"top_db = {top_db}: {low:.0f} to {high:.0f} dB")
for ax in axes[1:]:
    ax.set_ylabel("")
fig.suptitle(f"Each panel's own colour range, in {DB_LABEL} (in the titles)")
plt.show()
top = float(power_db.data.max())
print(f"the whistle at {float(whistle_db.data.max()):.0f} dB; floors: "
      + ", ".join(f"top_db = {d}: {top - d:.0f} dB" for d in (40, 80)))

# %%
# **What to notice:**
#
# * ``top_db = 40``: only the vowel's strongest harmonics survive; the hiss is reduced to a few
#   specks, and the whistle, only a few dB above this floor (printed above), is drawn in the
#   darkest colours, all but invisible.
# * ``top_db = 80``: the whistle appears; the silence is the floor, a uniform black.
# * ``top_db = None``: the colour range now reaches down to the 32-bit rounding noise of the
#   calculation, and most of the colours are spent on numbers that mean nothing.
#
# For speech, 80 dB is a good default; models are usually fed a dB spectrogram with such a floor,
# because the log compresses the huge range and the floor keeps silence finite.
#
# Colormaps that do not lie
# -------------------------
#
# A colormap maps each number to a colour, and we read colours mostly by their **lightness**.
# If lightness rises steadily with the value (a *perceptually uniform* colormap such as
# ``magma``, audioviz's default, or ``viridis``), equal steps in dB look like equal steps. The
# rainbow ``jet``, long the default of many tools, does not: its lightness goes up and down, so a
# smooth ramp appears to have bright bands and edges.
#
# Below, a smooth ramp from 0 to 1 in four colormaps, and the lightness of each (CIE L*, computed
# from the sRGB colours):


def lightness(cmap_name, values):
    """CIE L* (0 = black, 100 = white) of the colours a colormap gives ``values``."""
    rgb = plt.get_cmap(cmap_name)(values)[:, :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(luminance > 0.008856, 116 * np.cbrt(luminance) - 16, 903.3 * luminance)


ramp = np.linspace(0, 1, 256)
cmaps = ["magma", "viridis", "gray", "jet"]
label_at = {"magma": 0.2, "viridis": 0.45, "gray": 0.7, "jet": 0.92}
fig, (ax_ramps, ax_light) = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
for i, name in enumerate(cmaps):
    ax_ramps.imshow(ramp[None, :], cmap=name, aspect="auto", extent=(0, 1, i, i + 0.8))
    # Each lightness curve is drawn in its own colormap's colours and named at its right end,
    # so no legend colour competes with the colormaps (each name at its own place along the curve).
    curve = lightness(name, ramp)
    ax_light.scatter(ramp, curve, c=ramp, cmap=name, s=6, edgecolors="none")
    at = int(label_at[name] * (len(ramp) - 1))
    ax_light.annotate(name, (ramp[at], curve[at]), xytext=(0, 7), textcoords="offset points", ha="center")
ax_ramps.set_yticks([i + 0.4 for i in range(len(cmaps))], cmaps)
ax_ramps.set_ylim(0, len(cmaps))
ax_ramps.set_xlabel("value (0 = quietest, 1 = loudest)")
ax_ramps.set_title("A smooth ramp")
ax_light.set_ylim(0, 110)
ax_light.set_xlabel("value")
ax_light.set_ylabel("lightness L*")
ax_light.set_title("How light each colour looks")
plt.show()

jet = lightness("jet", ramp)
brightest = int(np.argmax(jet))
print(f"jet: lightness {jet[0]:.0f} at 0, rising to {jet[brightest]:.0f} at {ramp[brightest]:.2f}, "
      f"then falling to {jet[-1]:.0f} at 1")

# %%
# **What to notice:** the lightness of ``magma``, ``viridis`` and ``gray`` climbs steadily. The
# lightness of ``jet`` climbs to a broad plateau from cyan to yellow and then *falls* all the way
# to the dark red of the loudest values (printed above): your eye sees a light band in the middle
# of the range and dark ones at both ends, which the data do not have, and the loudest values
# look darker than middling ones. On a spectrogram that looks like contours or like structure in
# the sound:

fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), sharey=True, layout="constrained")
for ax, cmap in zip(axes, ("jet", "magma")):
    image = audioviz.plot_feature(power_db, ax=ax, cmap=cmap)
    image.colorbar.set_label(DB_LABEL)
    ax.set_xlim(0, 1.0)
    ax.set_ylim(0, 4000)
    ax.set_title(f'cmap="{cmap}"')
axes[1].set_ylabel("")
plt.show()

# %%
# **What to notice:** with ``jet`` the loudest parts of the vowel (dark red, near its resonances
# at 730, 1090 and 2440 Hz) look *darker* than the middling harmonics around them (bright
# yellow), and the background breaks into cyan bands with sharp edges where nothing special
# happens in the sound. With ``magma`` the brightest is the loudest, and levels fade smoothly.
# Imagine both in grey (or on a black-and-white printer): only ``magma`` keeps its order.
#
# For signed data (positive and negative around a meaningful zero, like the MFCCs of tutorial 5)
# the right choice is a *diverging* colormap, with a neutral colour at zero; audioviz picks one for
# you there.
#
# The house style
# ---------------
#
# Importing audioviz never changes your global matplotlib settings. The look used on this site
# (font sizes, grid, colormap) lives in a style file inside the package, applied only inside
# ``with audioviz.style():``.

with audioviz.style():
    fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
    image = audioviz.plot_spectrogram(sound, sample_rate, n_fft=512, hop_length=128, y_axis="log", ax=ax)
    image.colorbar.set_label(DB_LABEL)
    ax.set_title('audioviz.style() and y_axis="log": low frequencies get more room')
plt.show()

# %%
# **What to notice:** with ``y_axis="log"`` the octaves are evenly spaced, so the low harmonics of
# the vowel spread out and the hiss is squeezed to the top: a first step towards the mel scale of
# the next tutorial.
#
# Summary
# -------
#
# * Power = magnitude squared; both span many orders of magnitude, so spectrograms are shown in
#   decibels (``10 log10`` of power, ``20 log10`` of magnitude: the same dB).
# * +6 dB doubles the amplitude; -20 dB divides it by 10.
# * ``top_db`` sets the floor below the peak (80 dB by default), which also keeps silence finite.
# * Use perceptually uniform colormaps (``magma``, ``viridis``) for levels and diverging ones for
#   signed values; rainbow maps draw edges that are not there.
#
# Next, :doc:`04_mel_scale`: a frequency axis warped the way we hear.
