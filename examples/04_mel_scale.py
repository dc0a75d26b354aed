"""
The mel scale
=============

**Run it yourself:** this page needs only audioviz (see the Install page); it makes its sounds on
the spot, so no data is read or downloaded.

On a linear spectrogram, the band from 0 to 1 kHz gets the same height as the band from 7 to
8 kHz. To our ears they are nothing alike: the first holds the pitch and the first formants of
every vowel, the second some hiss. We hear frequency on a warped scale, fine at the bottom and
coarse at the top, and speech models copy that warp with the **mel scale**.

This tutorial:

* listens to equal steps in Hz and equal steps in mel;
* draws the Hz-to-mel curve (torchaudio's ``"htk"`` and ``"slaney"`` versions);
* builds the **mel filterbank**, the triangles that turn a spectrogram into a mel spectrogram;
* computes a **mel spectrogram** by hand and with audioviz, on an axis in true mel units;
* falls into, and climbs out of, the **empty filter** trap.
"""

# %%
# Equal steps do not sound equal
# ------------------------------
#
# First, eight tones in *equal steps of 1000 Hz*, from 200 Hz to 7200 Hz. Listen to how big each
# step sounds.

import warnings

import matplotlib.pyplot as plt
import torch
from matplotlib.transforms import Bbox, TransformedBbox
from IPython.display import Audio

import audioviz

sample_rate = 16000
DB_LABEL = "dB re. power 1"  # the convention of tutorials 1 to 3: 10 log10 of the power


def tone_sequence(frequencies_hz, sample_rate, *, seconds=0.35):
    """Short tones one after the other, with a little fade so they do not click."""
    t = torch.arange(int(seconds * sample_rate)) / sample_rate
    fade = torch.clamp(torch.minimum(t / 0.02, (seconds - t) / 0.05), 0, 1)
    return torch.cat([0.3 * torch.sin(2 * torch.pi * float(f) * t) * fade for f in frequencies_hz])


equal_hz = torch.linspace(200, 7200, 8)
print("equal Hz steps:", [f"{f:.0f}" for f in equal_hz])
Audio(tone_sequence(equal_hz, sample_rate).numpy(), rate=sample_rate, normalize=False)

# %%
# The first step (200 to 1200 Hz) is a huge leap; the last ones (6200 to 7200 Hz) sound tiny.
# Now eight tones in *equal steps of mel*, over the same range. :func:`audioviz.hz_to_mel` and
# :func:`audioviz.mel_to_hz` convert between the two, exactly as torchaudio does.

mel_low, mel_high = audioviz.hz_to_mel(200.0), audioviz.hz_to_mel(7200.0)
equal_mel_hz = audioviz.mel_to_hz(torch.linspace(mel_low, mel_high, 8))
print(f"200 Hz = {mel_low:.0f} mel, 7200 Hz = {mel_high:.0f} mel")
print("equal mel steps, in Hz:", [f"{f:.0f}" for f in equal_mel_hz])
Audio(tone_sequence(equal_mel_hz, sample_rate).numpy(), rate=sample_rate, normalize=False)

# %%
# These steps sound much more alike, although in Hz they grow from about 250 to 1600 Hz. That is
# what the mel scale is: a frequency axis on which equal distances sound like equal distances
# (it was built from listening experiments in the 1930s, hence "mel", from melody).
#
# The Hz-to-mel curve
# -------------------
#
# torchaudio offers two versions. ``"htk"`` (the default, from the HTK speech toolkit) is
# ``2595 * log10(1 + f / 700)``. ``"slaney"`` (librosa's default, from Malcolm Slaney's Auditory
# Toolbox) is a straight line below 1 kHz and logarithmic above. :func:`audioviz.plot_mel_scale`
# draws both:

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
audioviz.plot_mel_scale(f_max=8000, ax=ax)
ax.plot(equal_mel_hz, audioviz.hz_to_mel(equal_mel_hz), "o", color="k", label="the 8 tones above (htk)")
# The Slaney curve lives on the right-hand axis (a twin of ax): one legend for both axes' lines.
handles, labels = [], []
for axes in fig.axes:
    h, l = axes.get_legend_handles_labels()
    handles, labels = handles + h, labels + l
ax.legend(handles, labels, loc="lower right")
ax.set_title("Hz to mel")
plt.show()
print(f"2000 mel (htk) = {audioviz.mel_to_hz(2000.0):.0f} Hz")

# %%
# **What to notice:** both curves are steep at low frequencies and flatten at high ones. On the HTK
# scale (left axis) 1000 Hz is 1000 mel, and the next 1000 mel take you from 1 kHz to the
# frequency printed below, more than three times as far.
# The Slaney scale counts in other units (right axis: 1000 Hz is 15 of its mels) but bends almost
# the same way. The eight dots are evenly spaced upwards (mel) and spread out sideways (Hz). What
# matters is to use the same scale everywhere: audioviz follows torchaudio, ``"htk"`` by default.
#
# The mel filterbank
# ------------------
#
# A mel spectrogram is made from an ordinary power spectrogram by adding up neighbouring
# frequency rows with **triangular filters**: ``n_mels`` triangles whose centres are evenly spaced
# in mel, each reaching from its left neighbour's centre to its right neighbour's. Evenly spaced in
# mel means narrow at low frequencies and wide at high ones. :func:`audioviz.mel_filterbank` builds
# them exactly as torchaudio's ``melscale_fbanks`` does and returns a :class:`audioviz.MelFilterbank`
# with each filter's centre:

bank = audioviz.mel_filterbank(sample_rate, n_fft=400, n_mels=40)
print("weights:", tuple(bank.weights.shape), "(frequency bins, filters)")
print("first centres (Hz):", [f"{f:.0f}" for f in bank.centers_hz[:5]], "...")
print("last centres (Hz): ", [f"{f:.0f}" for f in bank.centers_hz[-3:]])

fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
audioviz.plot_mel_filterbank(sample_rate, n_fft=400, n_mels=40, ax=ax)
ax.set_title("40 mel filters for n_fft = 400 at 16 kHz")
plt.show()

# %%
# **What to notice:** the first triangles are narrow, the last ones wide (printed below). Each
# row of a mel spectrogram is one triangle's weighted sum of power; the small ticks along the
# bottom are the FFT bins that the triangles can pick up. The triangles are drawn through their
# values *at those bins only*, because that is all a filter is ever used at: a narrow triangle
# whose peak falls between two bins is drawn (and used) with a lower top and a flattened tip,
# which is why the low triangles have uneven heights. Higher up, each triangle spans many bins
# and its top comes close to 1.

widths = bank.edges_hz[2:] - bank.edges_hz[:-2]  # each triangle from its left to its right foot
print(f"triangle widths: {widths[0]:.0f} Hz (first) to {widths[-1]:.0f} Hz (last); "
      f"FFT bins {sample_rate / 400:.0f} Hz apart")
print("drawn peak height of the first 8 filters:", [round(float(v), 2) for v in bank.weights.max(dim=0).values[:8]])

# %%
#
# The mel spectrogram
# -------------------
#
# We need a sound worth looking at: a synthetic vowel gliding in pitch, followed by a high whistle.


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


t_whistle = torch.arange(int(0.6 * sample_rate)) / sample_rate
whistle_fade = torch.clamp(torch.minimum(t_whistle / 0.03, (0.6 - t_whistle) / 0.03), 0, 1)
whistle = 0.3 * torch.sin(2 * torch.pi * (5000 * t_whistle + 1000 * t_whistle ** 2)) * whistle_fade
sound = torch.cat([vowel(sample_rate), torch.zeros(int(0.2 * sample_rate)), whistle]).unsqueeze(0)
Audio(sound.numpy(), rate=sample_rate, normalize=False)

# %%
# The mel spectrogram is one matrix product: (power spectrogram) x (filterbank). By hand, and with
# :func:`audioviz.mel_spectrogram`, which returns a :class:`audioviz.Feature` whose rows are the
# filter centres in mel:

power = audioviz.spectrogram(sound, sample_rate, n_fft=400, hop_length=160)
by_hand = bank.weights.T @ power.data[0]  # (n_mels, n_freqs) @ (n_freqs, frames)
mel = audioviz.mel_spectrogram(sound, sample_rate, n_fft=400, hop_length=160, n_mels=40)
print("power spectrogram:", tuple(power.data.shape), "-> mel spectrogram:", tuple(mel.data.shape))
print(f"relative difference, by hand vs audioviz: {(by_hand - mel.data[0]).abs().max() / by_hand.max():.1e}")
print(f"rows: {mel.rows[0]:.1f} mel ({mel.frequencies[0]:.0f} Hz) ... {mel.rows[-1]:.1f} mel "
      f"({mel.frequencies[-1]:.0f} Hz)")

# %%
# Here are the linear and the mel spectrogram of the same sound, both in dB.
# :func:`audioviz.plot_mel_spectrogram` draws the rows at their true mel positions (the filter
# centres, evenly spaced) and labels the axis in Hz at those positions, so you can still read
# frequencies off it:

fig, (ax_lin, ax_mel) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
image_lin = audioviz.plot_spectrogram(power, ax=ax_lin)
ax_lin.set_title(f"linear frequency: {power.data.shape[-2]} rows")
image_mel = audioviz.plot_mel_spectrogram(mel.to_db(), ax=ax_mel)
ax_mel.set_title(f"mel frequency: {mel.data.shape[-2]} rows")
for image in (image_lin, image_mel):
    image.colorbar.set_label(DB_LABEL)
plt.show()

# %%
# **What to notice:**
#
# * On the mel axis the region below 1 kHz takes a far larger share of the height than on the
#   linear axis (printed below): the vowel's first two resonances (730 and 1090 Hz), a thin strip
#   at the bottom of the linear picture, now fill a broad bright region, and the third (2440 Hz)
#   is a band of its own.
# * The individual harmonics are gone: each of the 40 triangles adds up several of them. A mel
#   spectrogram keeps the overall shape of the spectrum (the envelope) and drops fine detail.
# * The whistle (rising from 5 kHz) is squeezed into a few rows near the top, which is also how little
#   room it takes in our hearing.
# * Fewer rows (40 instead of 201): the mel spectrogram is also a smaller input for a model.

top_mel = audioviz.hz_to_mel(8000.0)
print(f"share of the height below 1 kHz: linear {1000 / 8000:.0%}, mel {audioviz.hz_to_mel(1000.0) / top_mel:.0%}; "
      f"4 to 8 kHz on the mel axis: {1 - audioviz.hz_to_mel(4000.0) / top_mel:.0%}")
print(f"rows: {power.data.shape[-2]} -> {mel.data.shape[-2]}, {power.data.shape[-2] / mel.data.shape[-2]:.1f}x fewer")

# %%#
# The tick labels come from :class:`audioviz.MelHzFormatter`, a matplotlib formatter that writes a
# mel position as its frequency in Hz. You can use it on your own axes:

round_hz = [0, 250, 500, 1000, 2000, 4000, 8000]
fig, ax = plt.subplots(figsize=(8, 1.4))
fig.subplots_adjust(left=0.05, right=0.95, bottom=0.5, top=0.95)
ax.set_xlim(audioviz.hz_to_mel(0.0), audioviz.hz_to_mel(8000.0))
ax.set_xticks(audioviz.hz_to_mel(torch.tensor(round_hz, dtype=torch.float64)).tolist())
ax.xaxis.set_major_formatter(audioviz.MelHzFormatter(mel_scale="htk"))
ax.set_yticks([])
ax.set_xlabel("an axis measured in mel, ticks at round frequencies, labelled in Hz")
plt.show()

# %%
# **What to notice:** 4 to 8 kHz, half of a linear axis, takes a much smaller share of the mel
# axis, and 0 to 1 kHz a much larger one (the shares are printed above). The mel scale is close to linear below 1 kHz and close to
# logarithmic above, so each octave up there gets a similar share of the axis.

# %%
# The empty-filter trap
# ---------------------
#
# torchaudio's ``MelSpectrogram`` defaults to ``n_mels=128`` with ``n_fft=400``, and many tutorials
# use it at 16 kHz. But at the bottom of the scale 128 filters are narrower than the 40 Hz between
# FFT bins, so some triangles fall *between* bins and catch nothing: their row of the mel
# spectrogram is zero forever. :func:`audioviz.plot_mel_filterbank` marks them with red crosses and
# warns:

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
    audioviz.plot_mel_filterbank(sample_rate, n_fft=400, n_mels=128, ax=ax)
    ax.set_xlim(0, 1000)
    # The bin ticks and crosses are drawn just below the Axes (unclipped); after zooming in,
    # clip them to the visible range so those beyond 1 kHz neither show nor squeeze the layout.
    below = Bbox([[0, -0.1], [1, 1]])
    for line in ax.lines:
        if not line.get_clip_on():
            line.set_clip_box(TransformedBbox(below, ax.transAxes))
            line.set_clip_on(True)
    ax.set_title("128 mel filters with n_fft = 400: the first 1000 Hz")
    plt.show()
for warning in caught:
    print("UserWarning:", warning.message)

# %%
# **What to notice:** the lowest triangles are only a few tens of Hz wide; those that fit between
# two bin ticks have no weight at all (red crosses). Their rows in a mel spectrogram hold only the
# dB floor: dead inputs for a model, and a picture with black stripes:

mel_trap = audioviz.mel_spectrogram(sound, sample_rate, n_fft=400, hop_length=160, n_mels=128)
mel_fixed = audioviz.mel_spectrogram(sound, sample_rate, n_fft=1024, hop_length=160, n_mels=128)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True, layout="constrained")
for ax, feature, title in ((axes[0], mel_trap, "n_fft = 400, n_mels = 128"),
                           (axes[1], mel_fixed, "n_fft = 1024, n_mels = 128")):
    image = audioviz.plot_mel_spectrogram(feature.to_db(), ax=ax, colorbar=False)
    ax.set_ylim(audioviz.hz_to_mel(0.0), audioviz.hz_to_mel(1500.0))
    ax.set_title(f"{title}: {feature.params['empty_filters']} empty rows")
axes[1].set_ylabel("")
fig.colorbar(image, ax=axes, label=DB_LABEL)
plt.show()

# %%
# **What to notice:** on the left, the empty rows near the bottom are flat black lines through the
# vowel. On the right, ``n_fft = 1024`` gives bins ``sample_rate / 1024`` Hz apart, every filter
# catches at least one bin, and the stripes are gone. The other fix is fewer filters: audioviz defaults to
# ``n_mels=64``, which has no empty filter at ``n_fft=400``.
#
# Summary
# -------
#
# * Equal steps in mel sound like equal steps; in Hz they grow with frequency. audioviz uses
#   torchaudio's ``"htk"`` formula by default; ``"slaney"`` is librosa's.
# * A mel spectrogram is the power spectrogram times a bank of triangular filters evenly spaced in
#   mel; :func:`audioviz.mel_spectrogram` returns it with rows at the true mel centres.
# * Plot it on a mel axis labelled in Hz, not as row numbers.
# * Too many mels for the FFT size leaves empty filters: use a larger ``n_fft`` or fewer mels.
#
# Next, :doc:`05_mfcc`: squeezing each column of a mel spectrogram into a dozen numbers.
