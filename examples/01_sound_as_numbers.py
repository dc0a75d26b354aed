"""
Sound as numbers
================

**Run it yourself:** this page needs only audioviz (see the Install page); it makes every sound it
uses on the spot, so no data is read or downloaded.

A microphone turns the tiny changes of air pressure at one point in a room into a voltage, and a
sound card measures that voltage many thousands of times a second. What a computer keeps is just
that list of measurements. Everything a machine will ever "hear" (spectrograms, mel features, a
neural network's decision) is computed from that list, so this first lesson looks at it closely:

* what a **sample** and the **sample rate** are, and why 16 000 of them a second are enough for speech,
* what **amplitude** means, and what happens when it goes past the limit,
* the **waveform**: a picture of the list, with time in seconds,
* what a sound file adds to the numbers,
* **resampling**, and **aliasing**: the mistake a naive resampler makes, which you can see and hear.
"""

# %%
# Making a sound from scratch
# ---------------------------
#
# A pure tone is a sine wave. To store one second of it we evaluate the sine at evenly spaced
# instants: ``sample_rate`` of them per second. Here 16 000 per second (16 kHz), the rate of most
# speech datasets, and a frequency of 440 Hz, the A that orchestras tune to.
#
# audioviz (like torchaudio) keeps audio as a float tensor of shape ``(channel, time)``: one row
# per microphone, one column per sample, values between -1 and 1.

import matplotlib.pyplot as plt
import torch
import torchaudio
from IPython.display import Audio

import audioviz

sample_rate = 16000  # samples per second (Hz)
duration = 1.0  # seconds
times = torch.arange(int(duration * sample_rate)) / sample_rate  # the instant of every sample, in s
tone = 0.5 * torch.sin(2 * torch.pi * 440 * times).unsqueeze(0)  # shape (channel, time)

print("shape:", tuple(tone.shape), " dtype:", tone.dtype)
print("first five samples:", [round(v, 4) for v in tone[0, :5].tolist()])
print(f"{tone.shape[-1]} samples / {sample_rate} samples per second = {tone.shape[-1] / sample_rate} s")

# %%
# A tensor of 16 000 numbers does not tell you much until you hear it. ``IPython.display.Audio``
# plays a tensor or array in a notebook (and on this page). We pass ``normalize=False`` so the
# player does not secretly rescale the loudness: 0.5 must sound like 0.5.

Audio(tone.numpy(), rate=sample_rate, normalize=False)

# %%
# The waveform
# ------------
#
# A waveform plot draws sample value against time. :func:`audioviz.plot_waveform` puts the time
# axis in seconds (it knows the duration of a sample from ``sample_rate``), so we never convert
# sample indices by hand. The whole second first:

fig, ax = plt.subplots(figsize=(8, 2.5), layout="constrained")
audioviz.plot_waveform(tone, sample_rate, ax=ax)
ax.set_title("One second of a 440 Hz tone at 16 kHz")
plt.show()

# %%
# **What to notice:** at this zoom the cycles are far too close together to see; the plot shows
# a band between -0.5 and +0.5, the **amplitude** of the tone. The band is not quite solid: it
# has faint lobes that look like a slow beating. They are not in the sound. The plot draws, for
# each column of pixels, the lowest and highest sample in it, and a column is shorter than one
# cycle, so some columns catch a crest and others miss it; the pattern is the pixel grid and the
# cycles drifting in and out of step (an aliasing of the *picture*, of the kind this page ends
# with). The numbers say the tone is steady:

samples_per_cycle = sample_rate / 440
samples_per_pixel = tone.shape[-1] / (ax.get_window_extent().width)
tenths = tone[0].reshape(10, -1)  # ten stretches of 0.1 s
print(f"one cycle: {samples_per_cycle:.1f} samples; one pixel column: {samples_per_pixel:.1f} samples")
print("peak of each tenth of a second:", [round(float(v), 3) for v in tenths.abs().max(dim=1).values])

# %%
# Zooming in to the first 5 milliseconds shows the individual samples: each dot is one number of
# the tensor.

first = int(0.005 * sample_rate)  # 5 ms = 80 samples
fig, ax = plt.subplots(figsize=(8, 2.5), layout="constrained")
audioviz.plot_waveform(tone[:, :first], sample_rate, ax=ax)
ax.plot(times[:first], tone[0, :first], "o", markersize=3, color="C1", label="samples")
ax.set_title("The first 5 ms: 80 samples, a little more than two cycles of 440 Hz")
ax.legend(loc="upper right")
plt.show()

# %%
# **What to notice:** one cycle of 440 Hz lasts 1/440 s and holds ``sample_rate / 440`` samples
# (printed above). The line between the dots is drawn by matplotlib; the computer only has the
# dots.
#
# Amplitude: how far from zero
# ----------------------------
#
# The sample values are the sound pressure, scaled so that the loudest value a sound card can
# represent is 1. Halving every sample makes the sound quieter; it does not change its pitch.

quiet = 0.1 * tone / tone.abs().max()  # peak 0.1
loud = 0.9 * tone / tone.abs().max()  # peak 0.9
print(f"peak of the quiet tone: {quiet.abs().max():.2f}, of the loud tone: {loud.abs().max():.2f}")
Audio(quiet.numpy(), rate=sample_rate, normalize=False)

# %%
# The same tone with a peak of 0.9: same pitch, louder.

Audio(loud.numpy(), rate=sample_rate, normalize=False)

# %%
# Numbers beyond ±1 cannot be stored in an audio file or sent to a loudspeaker: they are cut to
# ±1, which is called **clipping**. A clipped sine has flat tops, and those sharp corners are heard
# as a harsh buzz of new, higher frequencies that were not in the original tone.

too_loud = 3 * tone  # three times the peak of 0.5: beyond what a file can hold
clipped = too_loud.clamp(-1.0, 1.0)

fig, ax = plt.subplots(figsize=(8, 2.5), layout="constrained")
audioviz.plot_waveform(too_loud[:, :first], sample_rate, ax=ax, color="0.7")
audioviz.plot_waveform(clipped[:, :first], sample_rate, ax=ax, color="C3")
ax.axhline(1.0, color="k", linewidth=0.8, linestyle="--")
ax.axhline(-1.0, color="k", linewidth=0.8, linestyle="--")
peak_asked = float(too_loud.abs().max())
ax.set_ylim(-1.1 * peak_asked, 1.1 * peak_asked)  # room for the whole grey curve, not just +-1
ax.set_title("Clipping: what was asked for (grey) and what comes out (red)")
plt.show()

# %%
# **What to notice:** the grey curve asks for peaks three times the tone's, well beyond ±1; the
# red curve follows it until it reaches ±1 (dashed) and then stays flat.
# Listen to the difference: the pitch is still 440 Hz, but it now buzzes.

Audio(clipped.numpy(), rate=sample_rate, normalize=False)

# %%
# A richer sound
# --------------
#
# Real sounds are not single sines. A voiced sound (a vowel) is a sum of sines at whole
# multiples of one **fundamental** frequency (the pitch), and the mouth makes some of them louder
# than others. Below is a one-second synthetic "aah" whose pitch glides from 120 Hz to 180 Hz, with
# a fade-in and a fade-out. We will use sounds like this one throughout the tutorials, because you
# can hear them and we know exactly what is inside.


def vowel(sample_rate, *, duration=1.0, pitch=(120.0, 180.0), formants=(730, 1090, 2440)):
    """A synthetic vowel: harmonics of a gliding pitch, shaped by three resonances (in Hz)."""
    t = torch.arange(int(duration * sample_rate)) / sample_rate
    f0 = torch.linspace(pitch[0], pitch[1], t.numel())  # pitch at every sample, in Hz
    phase = 2 * torch.pi * torch.cumsum(f0, dim=0) / sample_rate
    wave = torch.zeros_like(t)
    for k in range(1, int(sample_rate / 2 / pitch[1])):
        harmonic_hz = k * f0
        gain = sum(1 / (1 + ((harmonic_hz - f) / 90) ** 2) for f in formants)
        wave += gain * torch.sin(k * phase)
    envelope = torch.clamp(torch.minimum(t / 0.05, (duration - t) / 0.1), 0, 1)
    wave = wave * envelope
    return (0.8 * wave / wave.abs().max()).unsqueeze(0)


aah = vowel(sample_rate)
Audio(aah.numpy(), rate=sample_rate, normalize=False)

# %%
# Its waveform, whole and zoomed in to 30 ms in the middle:

fig, (ax_all, ax_zoom) = plt.subplots(2, 1, figsize=(8, 4.5), layout="constrained")
audioviz.plot_waveform(aah, sample_rate, ax=ax_all)
ax_all.axvspan(0.5, 0.53, color="C1", alpha=0.3)
ax_all.set_title('A synthetic "aah": the whole second (the orange strip is zoomed below)')
start, stop = int(0.5 * sample_rate), int(0.53 * sample_rate)
audioviz.plot_waveform(aah[:, start:stop], sample_rate, ax=ax_zoom)
ax_zoom.set_title("30 ms from 0.5 s on (time measured from the start of the excerpt)")
plt.show()

# %%
# **What to notice:** the whole-second view shows only the **envelope**: the fade-in, the steady
# part and the fade-out. The zoom shows a shape that repeats about every 7 ms (a pitch of about
# 150 Hz at 0.5 s), with faster wiggles inside each period: those are the louder harmonics near
# 730 and 1090 Hz. A waveform is good at showing *when* and *how loud*; it is poor at showing
# *which frequencies*. That is what the spectrogram of the next tutorial is for.
#
# What a sound file adds
# ----------------------
#
# A WAV file stores exactly these numbers, plus the sample rate, usually as 16-bit integers
# (65 536 steps between -1 and 1). :func:`audioviz.save_audio` writes one and
# :func:`audioviz.load_audio` reads it back as a float tensor of shape ``(channel, time)`` and the
# sample rate.

import tempfile
from pathlib import Path

folder = Path(tempfile.mkdtemp())
path = audioviz.save_audio(folder / "aah.wav", aah, sample_rate)
loaded, loaded_rate = audioviz.load_audio(path)
print(f"{path.name}: {path.stat().st_size} bytes = 44 header bytes + {aah.shape[-1]} samples x 2 bytes")
print("loaded:", tuple(loaded.shape), loaded.dtype, loaded_rate, "Hz")
print(f"largest change from the 16-bit rounding: {(loaded - aah).abs().max():.1e} (one step is {1 / 32768:.1e})")

# %%
# **What to notice:** the file is the samples and little else, and 16-bit rounding changes no
# sample by more than one step, far below what you can hear.
#
# Sample rate and the highest frequency
# -------------------------------------
#
# How many samples a second are enough? A sine needs at least **two samples per cycle** to be told
# apart from a slower sine. So a recording at ``sample_rate`` can only hold frequencies below
# ``sample_rate / 2``, called the **Nyquist frequency**: 8 kHz for 16 kHz audio. That is enough for
# speech (its important energy is below about 4 kHz), which is why speech datasets use 16 kHz while
# music uses 44.1 or 48 kHz.
#
# What happens to a frequency above Nyquist? It does not disappear: it is recorded as a *lower*
# frequency. Here is a 7 kHz tone sampled at 8 kHz (Nyquist 4 kHz), drawn as the smooth curve that
# reached the microphone and the dots that were kept:

fine_rate = 400_000  # a very fine grid stands in for continuous time
t_fine = torch.arange(int(0.003 * fine_rate)) / fine_rate
t_samples = torch.arange(int(0.003 * 8000)) / 8000
fig, ax = plt.subplots(figsize=(8, 2.8), layout="constrained")
ax.plot(t_fine, torch.sin(2 * torch.pi * 7000 * t_fine), color="0.75", linewidth=1, label="7 kHz in the air")
ax.plot(t_samples, torch.sin(2 * torch.pi * 7000 * t_samples), "o", color="C3", label="samples at 8 kHz")
ax.plot(t_fine, torch.sin(2 * torch.pi * -1000 * t_fine), color="C3", linewidth=1, linestyle="--",
        label="what they describe: 1 kHz")
ax.set_xlabel("Time")  # TimeFormatter adds the unit its ticks use: "Time (ms)"
ax.xaxis.set_major_formatter(audioviz.TimeFormatter())
ax.set_ylabel("amplitude")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # beside, not over the dots
ax.set_title("Aliasing: 7 kHz sampled at 8 kHz is indistinguishable from 1 kHz")
plt.show()

# %%
# **What to notice:** every red dot lies on the grey 7 kHz curve *and* on the dashed 1 kHz curve.
# From the samples alone the two are the same signal. A frequency ``f`` above Nyquist comes back as
# ``sample_rate - f``: it is "folded" down. This is **aliasing**.
#
# Resampling without aliasing
# ---------------------------
#
# Changing the sample rate of a recording is **resampling**, and it is where aliasing usually
# sneaks in. Going from 16 kHz to 8 kHz, the naive way keeps every second sample. The right way
# (:func:`torchaudio.functional.resample`, which :func:`audioviz.load_audio` uses for its
# ``sample_rate=`` option) first removes everything above the new Nyquist frequency with a
# low-pass filter, then keeps every second sample.
#
# A **chirp**, a tone whose pitch rises steadily from 100 Hz to 7.9 kHz over three seconds, makes
# the difference obvious. Listen to the original first:

chirp_seconds = 3.0
# float64 for the phase: it grows to about 75 000 radians, where float32 would add audible noise.
t_chirp = torch.arange(int(chirp_seconds * sample_rate), dtype=torch.float64) / sample_rate
f_start, f_end = 100.0, 7900.0
chirp_phase = 2 * torch.pi * (f_start * t_chirp + (f_end - f_start) / (2 * chirp_seconds) * t_chirp ** 2)
chirp = (0.3 * torch.sin(chirp_phase)).float().unsqueeze(0)
Audio(chirp.numpy(), rate=sample_rate, normalize=False)

# %%
# The naive 8 kHz version: listen for the pitch going *down* in the second half.

naive = chirp[:, ::2]  # keep every second sample: 8 kHz, no filter
Audio(naive.numpy(), rate=sample_rate // 2, normalize=False)

# %%
# The filtered 8 kHz version: the pitch rises, then the sound simply stops once it passes 4 kHz.

proper = torchaudio.functional.resample(chirp, orig_freq=sample_rate, new_freq=sample_rate // 2)
Audio(proper.numpy(), rate=sample_rate // 2, normalize=False)

# %%
# A waveform cannot show this, but a **spectrogram** can: time across, frequency up, loudness as
# colour. The next tutorial builds one step by step; here we just use
# :func:`audioviz.plot_spectrogram` to look at the three versions on the same frequency axis.
#
# The colour is a level in **decibels** (dB), ``10 * log10`` of the power in each cell of the
# picture, the convention of torchaudio's ``AmplitudeToDB`` that audioviz follows: 0 dB is a power
# of 1 in torchaudio's units, and only differences matter here (every 10 dB is ten times the
# power). Tutorial 3 explains decibels and their reference in full; every spectrogram colorbar of
# these tutorials names this convention.

DB_LABEL = "dB re. power 1"

fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=True, layout="constrained")
versions = [(chirp, sample_rate, "original, 16 kHz"),
            (naive, sample_rate // 2, "every 2nd sample, 8 kHz"),
            (proper, sample_rate // 2, "low-pass, then resample, 8 kHz")]
for ax, (wave, rate, title) in zip(axes, versions):
    image = audioviz.plot_spectrogram(wave, rate, n_fft=512, ax=ax, colorbar=False)
    ax.set_title(title)
for ax in axes:
    ax.set_ylim(0, sample_rate / 2)  # the same 0 to 8 kHz for all three
for ax in axes[1:]:
    ax.set_ylabel("")
fig.colorbar(image, ax=axes, label=DB_LABEL)
plt.show()

# How weak the folded leak of the filtered version is: its loudest cell at two moments after the
# chirp passed 4 kHz, against the loudest cell of the chirp itself.
proper_db = audioviz.spectrogram(proper, sample_rate // 2, n_fft=512).to_db()
chirp_top = float(proper_db.data.max())
for moment in (1.75, 2.75):
    column = int(torch.argmin((proper_db.times - moment).abs()))
    print(f"leak at {moment} s: {chirp_top - float(proper_db.data[0, :, column].max()):.0f} dB "
          f"below the chirp's loudest cell")

# %%
# **What to notice:**
#
# * Left: the chirp is a straight rising line from 100 Hz to 7.9 kHz.
# * Middle: above 4 kHz (the new Nyquist frequency) the line folds back down, a mirror image: the
#   falling pitch you heard. Those frequencies were never in the sound at that time; a model fed
#   this audio would learn from things that are not there.
# * Right: the filter removed what 8 kHz cannot hold, and the rest is untouched. A faint trace of
#   the fold remains once the chirp has passed 4 kHz (halfway through): no real filter cuts off
#   instantly, so frequencies above 4 kHz get through weakened (the printed lines say by how much). The further the chirp climbs above
#   4 kHz, the deeper it is in the filter's stop band and the weaker the leak, but on this
#   picture's colour scale it stays visible almost to the end: weak, not gone.
# * The white upper half of the middle and right panels is the honest limit of an 8 kHz
#   recording: it has no numbers for anything above 4 kHz.
#
# Summary
# -------
#
# * Digital audio is a tensor of shape ``(channel, time)`` plus a sample rate; sample ``n`` is at
#   ``n / sample_rate`` seconds.
# * Amplitude lives between -1 and 1; beyond that the signal clips and gains harsh new frequencies.
# * A recording at ``sample_rate`` holds frequencies up to ``sample_rate / 2`` (Nyquist). Anything
#   above folds down (aliasing), so resample with a filter, never by dropping samples.
# * A waveform shows when and how loud, not which frequencies: that is the next tutorial,
#   :doc:`02_waveform_to_spectrogram`.
