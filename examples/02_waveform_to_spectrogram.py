"""
From waveform to spectrogram
============================

**Run it yourself:** this page needs only audioviz (see the Install page); it makes its test sound
on the spot, so no data is read or downloaded.

The waveform of the first tutorial shows *when* a sound happens and *how loud* it is, but not
*which frequencies* it contains, and frequencies are what tell an "ee" from an "oo", or a whistle
from a hiss. A **spectrogram** shows them: time runs across, frequency runs up, and colour says how
much of each frequency there is at each moment. It is the picture almost every speech model looks
at, and it is made in four small steps:

1. cut the waveform into short, overlapping **frames**;
2. taper each frame with a **window**;
3. measure the frequencies in each frame with the **FFT**;
4. stand the results side by side: the **short-time Fourier transform** (STFT).

Then we meet the price of this picture: a spectrogram cannot be sharp in time and in frequency at
once. Sliders at the end let you feel the trade-off on this page.
"""

# %%
# A test sound with something to see
# -----------------------------------
#
# We build a sound that holds three kinds of things, each good at exposing one property of a
# spectrogram:
#
# * 0 to 1 s: a synthetic vowel "aah" (harmonics of a pitch gliding 120 to 180 Hz);
# * at 1.20 s and 1.23 s: two **clicks**, 30 ms apart: can the picture tell them apart in time?
# * for one second from 1.4 s: a **chord** of 1000 Hz and 1050 Hz, 50 Hz apart: can it tell them
#   apart in frequency?

import matplotlib.pyplot as plt
import torch
from IPython.display import Audio

import audioviz

sample_rate = 16000


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


def test_sound(sample_rate):
    """Vowel, two clicks 30 ms apart, then a 1000 + 1050 Hz chord: 2.5 s, shape (1, time)."""
    wave = torch.zeros(int(2.5 * sample_rate))
    wave[: sample_rate] = vowel(sample_rate)
    for click_time in (1.20, 1.23):
        n = int(click_time * sample_rate)
        wave[n : n + 16] = torch.hann_window(16) * 0.9  # a 1 ms blip
    t = torch.arange(sample_rate) / sample_rate
    chord = torch.sin(2 * torch.pi * 1000 * t) + torch.sin(2 * torch.pi * 1050 * t)
    fade = torch.clamp(torch.minimum(t / 0.02, (1 - t) / 0.02), 0, 1)
    start = int(1.4 * sample_rate)
    wave[start : start + sample_rate] = 0.3 * chord * fade
    return wave.unsqueeze(0)


sound = test_sound(sample_rate)
Audio(sound.numpy(), rate=sample_rate, normalize=False)

# %%
# Listen for the vowel, the double click (it sounds almost like one click) and the chord, which
# *beats*: two tones 50 Hz apart go in and out of step 50 times a second, heard as a rough buzz.
# The waveform shows where the events are and nothing about their frequencies:

fig, ax = plt.subplots(figsize=(9, 2.5), layout="constrained")
audioviz.plot_waveform(sound, sample_rate, ax=ax)
ax.set_title("The test sound: vowel, two clicks, a two-tone chord")
plt.show()

# %%
# Step 1: frames
# --------------
#
# Frequency is about repetition, and repetition takes time to observe: one sample has no
# frequency. So we cut the signal into short **frames** of ``n_fft`` samples and ask about the
# frequencies of each. For speech a frame of 25 ms is usual, ``n_fft = 400`` at 16 kHz: short enough
# that a vowel hardly changes inside it, long enough to hold a few pitch periods. Consecutive
# frames start ``hop_length`` samples apart; with ``hop_length = 160`` (10 ms) they overlap.

n_fft = 400  # samples per frame: 25 ms at 16 kHz
hop_length = 160  # samples between frame starts: 10 ms
print(f"frame length: {n_fft / sample_rate * 1000:.0f} ms, hop: {hop_length / sample_rate * 1000:.0f} ms")

fig, ax = plt.subplots(figsize=(9, 2.8), layout="constrained")
audioviz.plot_waveform(sound, sample_rate, ax=ax, color="0.3")
for i, start in enumerate(range(int(0.5 * sample_rate), int(0.5 * sample_rate) + 4 * hop_length, hop_length)):
    ax.axvspan(start / sample_rate, (start + n_fft) / sample_rate, ymin=0.05 + 0.22 * i, ymax=0.25 + 0.22 * i,
               color=f"C{i}", alpha=0.5, label=f"frame starting at {start / sample_rate:.2f} s")
ax.set_xlim(0.49, 0.56)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # beside the frames, not on them
ax.set_title("Four consecutive frames of 25 ms, each starting 10 ms after the previous one")
plt.show()

# %%
# **What to notice:** each coloured bar is one frame; they overlap by ``n_fft - hop_length``
# samples, so every moment of the sound is seen by two or three frames. Each frame will become
# one column of the spectrogram:

print(f"overlap: {(n_fft - hop_length) / sample_rate * 1000:.0f} ms; "
      f"{sound.shape[-1] / sample_rate} s of sound gives {1 + sound.shape[-1] // hop_length} frames")

# %%
#
# Step 2: the window
# ------------------
#
# Cutting a frame out of a signal puts sudden jumps at its two ends. The FFT treats the frame as if
# it repeated forever, so those jumps look like sharp edges, and sharp edges contain *every*
# frequency: energy "leaks" from the true frequencies into all the others. A **window** tapers the
# frame smoothly to zero at both ends. The Hann window (torchaudio's default) is one bump of a
# cosine.

frame_start = int(1.9 * sample_rate)  # a frame in the middle of the chord
frame = sound[0, frame_start : frame_start + n_fft]
window = torch.hann_window(n_fft)
frame_times = (frame_start + torch.arange(n_fft)) / sample_rate

fig, axes = plt.subplots(1, 3, figsize=(11, 2.8), sharey=True, layout="constrained")
axes[0].plot(frame_times, frame)
axes[0].set_title("the frame (25 ms of the chord)")
axes[1].plot(frame_times, window, color="C1")
axes[1].set_title("Hann window")
axes[2].plot(frame_times, frame * window, color="C2")
axes[2].set_title("frame x window")
for ax in axes:
    ax.set_xlabel("Time")  # TimeFormatter names the unit its ticks use: "Time (ms)" here
    ax.xaxis.set_major_formatter(audioviz.TimeFormatter())
axes[0].set_ylabel("amplitude")
plt.show()

# %%
# **What to notice:** the windowed frame starts and ends at zero, so there are no jumps left. The
# price is that the samples near the edges count less, which matters again in the trade-off
# below.
#
# Step 3: the FFT of one frame
# ----------------------------
#
# The **fast Fourier transform** writes the ``n_fft`` samples of a frame as a sum of sines and
# tells how strong each one is. For a real signal it returns ``n_fft // 2 + 1`` values, one per
# **frequency bin**; bin ``k`` is at ``k * sample_rate / n_fft`` Hz, so the bins are
# ``sample_rate / n_fft`` Hz apart and run from 0 Hz to the Nyquist frequency (printed below).
#
# Here is the chord frame, with and without the window. Levels are in decibels, ``10 * log10`` of
# the power ``|FFT|²`` (the convention of the spectrograms below and of tutorial 1: "dB re.
# power 1"; the next tutorial explains decibels; for now: every 20 dB down is 10 times smaller in
# amplitude).

bin_hz = torch.fft.rfftfreq(n_fft, d=1 / sample_rate)  # the frequency of every bin, in Hz
print(f"{bin_hz.numel()} bins, {bin_hz[1]:.0f} Hz apart, from {bin_hz[0]:.0f} to {bin_hz[-1]:.0f} Hz")


DB_LABEL = "dB re. power 1"


def power_db(x):
    """10 log10 |FFT|² of a frame: the dB of one spectrogram column (floored at -100 dB)."""
    return 10 * torch.log10(torch.fft.rfft(x).abs() ** 2 + 1e-10)


fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
rectangular_db, hann_db = power_db(frame), power_db(frame * window)
ax.plot(bin_hz, rectangular_db, color="0.6", label="no window (rectangular)")
ax.plot(bin_hz, hann_db, color="C2", label="Hann window")
ax.axvline(1000, color="k", linestyle=":", linewidth=1)
ax.axvline(1050, color="k", linestyle=":", linewidth=1)
ax.xaxis.set_major_formatter(audioviz.HzFormatter())
ax.set_xlim(0, 4000)
ax.set_ylim(-100, 10 + float(rectangular_db.max()))
ax.set_xlabel("frequency (Hz)")
ax.set_ylabel(f"level ({DB_LABEL})")
ax.legend(loc="upper right")
ax.set_title("FFT of one 25 ms frame of the 1000 + 1050 Hz chord")
plt.show()

far = bin_hz > 2000  # far from the tones, where the frame has nothing
print(f"below the peak, beyond 2 kHz: no window {float(rectangular_db.max() - rectangular_db[far].max()):.0f} dB, "
      f"Hann window {float(hann_db.max() - hann_db[far].max()):.0f} dB")

# %%
# **What to notice:**
#
# * Both curves peak near 1000 Hz (dotted lines: the two true tones). With bins 40 Hz apart and a
#   25 ms frame, the two tones 50 Hz apart merge into **one** broad peak: this frame is too short
#   to resolve them. Keep that in mind for the trade-off.
# * Without a window (grey), the leaked energy stays high at every frequency (the printed line
#   says how far below the peak it is beyond 2 kHz): it would paint a haze over the whole
#   spectrogram. With the Hann window (green) it falls far deeper: far from 1 kHz the frame
#   really is silent, and the picture says so.
#
# All steps in one figure
# -----------------------
#
# :func:`audioviz.plot_stft_anatomy` draws the whole recipe for one moment of a sound: the frame in
# the waveform, the window, the windowed frame, its FFT, and where that FFT lands as one column of
# the spectrogram. Here, a moment inside the vowel:

fig = audioviz.plot_stft_anatomy(sound, sample_rate, time=0.5, n_fft=n_fft, hop_length=hop_length)
plt.show()

# %%
# **What to notice:** the FFT of a vowel frame is a comb of **harmonics**, evenly spaced peaks at
# multiples of the pitch (it glides from 120 to 180 Hz, so it is halfway at 0.5 s), and the peaks
# are tallest near the resonances of the mouth, around 730 and 1090 Hz and again near 2440 Hz. Turned upright, that comb is exactly the
# outlined column of the spectrogram: a spectrogram is nothing but these FFTs side by side.
#
# Step 4: the spectrogram
# -----------------------
#
# :func:`audioviz.spectrogram` runs torchaudio's ``Spectrogram`` transform and returns a
# :class:`audioviz.Feature`: the values together with their axes, the time of every column in
# seconds and the frequency of every row in Hz. That is why no plot below ever asks for
# ``sample_rate`` or ``hop_length`` a second time.

spec = audioviz.spectrogram(sound, sample_rate, n_fft=n_fft, hop_length=hop_length)
print("data:", tuple(spec.data.shape), "(channel, frequency bins, frames), unit:", spec.unit)
print(f"column times: {spec.times[0]:.3f} s, {spec.times[1]:.3f} s, ... {spec.times[-1]:.3f} s "
      f"(one every {spec.frame_period * 1000:.0f} ms)")
print(f"row frequencies: {spec.rows[0]:.0f} Hz, {spec.rows[1]:.0f} Hz, ... {spec.rows[-1]:.0f} Hz")

# %%
# To be sure there is no magic inside, here is one column computed by hand with the FFT, exactly
# as torchaudio frames the signal (``center=True``: the signal is padded by ``n_fft // 2`` samples
# at each end, by reflection, so that column ``t`` is centred on sample ``t * hop_length``):

column = 50  # the column centred at 50 hops of 10 ms
padded = torch.nn.functional.pad(sound.unsqueeze(0), (n_fft // 2, n_fft // 2), mode="reflect")[0, 0]
by_hand = torch.fft.rfft(padded[column * hop_length : column * hop_length + n_fft] * window).abs() ** 2
difference = (by_hand - spec.data[0, :, column]).abs().max() / by_hand.max()
print(f"column {column} is centred at {spec.times[column]:.2f} s; relative difference from the "
      f"hand-made FFT: {difference:.1e}")

# %%
# Power values span many orders of magnitude, so a spectrogram is drawn in decibels.
# :func:`audioviz.plot_feature` draws any Feature with its own axes; :func:`audioviz.plot_spectrogram`
# does the computing, the decibels and the colorbar in one call. Both give the same picture:

fig, (ax_a, ax_b) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, layout="constrained")
image_a = audioviz.plot_feature(spec.to_db(), ax=ax_a)
ax_a.set_title("plot_feature(spectrogram(...).to_db())")
image_b = audioviz.plot_spectrogram(sound, sample_rate, n_fft=n_fft, hop_length=hop_length, ax=ax_b)
ax_b.set_title("plot_spectrogram(sound, sample_rate, n_fft=400, hop_length=160)")
for image in (image_a, image_b):
    image.colorbar.set_label(DB_LABEL)  # the colorbar says "dB"; name the convention
plt.show()

# %%
# **What to notice:** now the three parts of the sound have frequencies:
#
# * the vowel is a stack of rising lines (the harmonics follow the gliding pitch) that are bright
#   near the mouth's resonances;
# * a click is a vertical line: it contains all frequencies at one instant. At this frame length
#   the two clicks 30 ms apart merge into one bar a few columns wide;
# * the chord is one horizontal band near 1 kHz: the two tones, 50 Hz apart, are *not* separated,
#   and the band flickers from column to column with their 50 Hz beating.
#
# The time-frequency trade-off
# ----------------------------
#
# A frame of ``n_fft`` samples lasts ``n_fft / sample_rate`` seconds and has bins
# ``sample_rate / n_fft`` Hz apart. Their product is always 1: **a longer frame sees frequency more
# finely but blurs time; a shorter frame sees time sharply but blurs frequency.** No setting is
# best for everything; here are the two extremes, zoomed on the clicks and the chord:

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True, layout="constrained")
for ax, size in zip(axes, (128, 2048)):
    image = audioviz.plot_spectrogram(sound, sample_rate, n_fft=size, hop_length=32, ax=ax, colorbar=False)
    ax.set_xlim(1.1, 1.9)
    ax.set_ylim(700, 1400)  # 700 Hz around the chord, so that 50 Hz is visible at page size
    ax.set_title(f"n_fft = {size}: frame {size / sample_rate * 1000:.0f} ms,\nbins {sample_rate / size:.1f} Hz apart")
axes[1].set_ylabel("")
fig.colorbar(image, ax=axes, label=DB_LABEL)
plt.show()

# %%
# **What to notice:**
#
# * Left, ``n_fft = 128``: the two clicks are two crisp lines, but the chord is a smear several
#   bins wide (at page size the image is pooled to its pixels, so the 50 Hz beating does not
#   show as pulses).
# * Right, ``n_fft = 2048``: the chord is two separate lines at 1000 and 1050 Hz, but the clicks
#   have merged into one blur as wide as a frame, and the chord seems to start before it does.
#
# For speech, 20 to 30 ms frames (``n_fft = 400`` at 16 kHz) are the usual compromise: a vowel's
# harmonics are still resolved and syllables are still sharp.
#
# ``hop_length`` is a different knob: it does not change what each column sees, only how many
# columns there are. A hop as long as the frame (no overlap) gives a blocky picture that can step
# over short events; a smaller hop samples time more densely, at the cost of more columns to store
# and compute.

fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), sharey=True, layout="constrained")
for ax, hop in zip(axes, (400, 40)):
    spec_h = audioviz.spectrogram(sound, sample_rate, n_fft=400, hop_length=hop)
    image = audioviz.plot_feature(spec_h.to_db(), ax=ax, colorbar=False)
    ax.set_xlim(0.9, 1.5)
    ax.set_ylim(0, 4000)
    ax.set_title(f"n_fft = 400, hop_length = {hop}: {spec_h.data.shape[-1]} columns")
axes[1].set_ylabel("")
fig.colorbar(image, ax=axes, label=DB_LABEL)
plt.show()

# %%
# Try it: static sliders
# ----------------------
#
# :class:`audioviz.SpectrogramExplorer` is a live explorer for notebooks: sliders for every
# parameter, an audio player and a readout of the resolution. On this page no Python is running,
# so we freeze it with ``.static(...)``: every combination of the listed values is drawn in
# advance, and the sliders below swap between the pictures (they work offline, in the saved HTML
# and in the notebook). The explorer is set to show 0 to 2 kHz, where the vowel's harmonics, the
# clicks and the chord all are. Move ``n_fft`` up and watch the harmonics of the vowel sharpen
# into separate lines while the two clicks blur into one; move ``hop_length`` and watch the picture
# get finer or blockier. (The chord's two tones are 50 Hz apart: at this height they stay one band
# even at 2048; the zoomed figure above is where they part.)
#
# The explorers colour in decibels *relative to the loudest cell* ("dB (0 = loudest)" on their
# colorbar), so the scale stays put while the settings change; the pictures are the same as with
# "dB re. power 1", only the numbers on the colorbar move.

explorer = audioviz.SpectrogramExplorer(sound, sample_rate, f_max=2000)
sliders = explorer.static(n_fft=[128, 256, 512, 1024, 2048], hop_length=[32, 64, 128])
sliders

# %%
# ``sliders`` is an :class:`audioviz.StaticSliders`: the pictures and a few lines of plain
# JavaScript, with no kernel and no network needed. ``sliders.save("explore.html")`` writes it as a
# page of its own, to open in any browser or send to someone.

print(f"{len(sliders)} pictures on a grid of {sliders.shape}, {sliders.nbytes / 1e6:.2f} MB in all")

# %%
# In a notebook, ``explorer`` on its own (the last line of a cell) shows the live version, with
# more controls: window, frequency scale, ``top_db`` and colormap.
#
# Summary
# -------
#
# * A spectrogram is made of frames (``n_fft`` samples, ``hop_length`` apart), each windowed and
#   passed through the FFT; the magnitudes, side by side, form the picture.
# * Row ``k`` is at ``k * sample_rate / n_fft`` Hz; column ``t`` is centred at
#   ``t * hop_length / sample_rate`` s. :func:`audioviz.spectrogram` returns both axes with the data.
# * The window prevents leakage; the Hann window is the usual choice.
# * Longer frames resolve frequency, shorter frames resolve time; you cannot have both.
#   ``hop_length`` sets how densely time is sampled, not how sharp it is.
#
# Next, :doc:`03_loudness_and_colour`: why we look at decibels, and which colours tell the truth.
