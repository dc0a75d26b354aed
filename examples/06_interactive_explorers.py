"""
Exploring interactively
=======================

The earlier tutorials chose the settings of each picture for you: ``n_fft``, ``hop_length``, the
window, the mel bands. Reading about a setting is one thing; moving a slider and watching the
picture change is how it sticks. This tutorial goes through the sliders of audioviz's explorers
one by one and says what each of them shows:

* :class:`audioviz.SpectrogramExplorer`: the STFT settings, the frequency axis and the colours;
* :class:`audioviz.MelExplorer`: the mel filterbank beside the mel spectrogram it makes.

In a notebook the explorers are live (they recompute the picture as you move a control); on this
page, which has no Python behind it, they are frozen into **static sliders** whose every frame was
drawn in advance, and which work right here. How the explorers are built (the base class
:class:`audioviz.Explorer`, writing your own, what a step costs) is on the developer page
:doc:`How the explorers work </explorers>`.

**Run it yourself:** this page needs audioviz (see the Install page); it synthesises its two
words offline, so no data is read or downloaded. In Jupyter the sliders are live; install
``ipympl`` as well for zoom and pan.
"""

# %%
# A clip to explore
# -----------------
#
# Two spoken words, "yes" then "no", from audioviz's offline speech synthesiser (no download, no
# microphone needed). "yes" is a good test: its vowel is a stack of harmonics a few hundred Hz
# apart, which need a fine frequency resolution to separate, and the "s" at its end is a burst of
# hiss with a sharp start, which needs a fine time resolution.

import matplotlib.pyplot as plt
import torch
from IPython.display import Audio

import audioviz
from audioviz.data import synthesize_word

yes, sample_rate, _ = synthesize_word("yes", seed=3, augment=False)
no, _, _ = synthesize_word("no", seed=3, augment=False)
clip = torch.cat([yes, no], dim=-1)  # "yes" for the first second, "no" for the second
print(f"{clip.shape[-1]} samples at {sample_rate} Hz = {clip.shape[-1] / sample_rate:g} s")
Audio(clip.numpy(), rate=sample_rate)

# %%
# Where does the "s" of "yes" lie in frequency? The frames of "yes" where the energy above 3 kHz
# outweighs the energy below 1 kHz are the hiss; between which frequencies does most of their
# energy lie?

spec = audioviz.spectrogram(yes, sample_rate, n_fft=512, hop_length=128)
power = spec.data[0]  # (frequency rows, frames)
loud = power.sum(dim=0) > 1e-3 * power.sum(dim=0).max()
hiss_frames = (power[spec.rows > 3000].sum(dim=0) > power[spec.rows < 1000].sum(dim=0)) & loud
hiss = power[:, hiss_frames].sum(dim=1)
share = torch.cumsum(hiss, 0) / hiss.sum()
low, high = spec.rows[torch.searchsorted(share, 0.05)], spec.rows[torch.searchsorted(share, 0.95)]
print(f"the 's': {int(hiss_frames.sum())} frames; 90% of its energy between {low:.0f} and {high:.0f} Hz")

# %%
# So the "s" is not a narrow band at the top: it spreads over several kilohertz (the printed
# range), and it is its *shape in time*, a sudden broadband start after the vowel, that the
# sliders below sharpen or blur.
#
# The spectrogram explorer
# ------------------------
#
# :class:`audioviz.SpectrogramExplorer` takes a waveform and its sample rate, like every audioviz
# function. In a notebook, leaving it as the last expression of a cell shows the live widget: the
# picture, a player for the clip, a readout of the resolution the settings give you, and these
# controls:
#
# ``n_fft``
#     the length of each frame in samples (and the FFT size): more samples, finer frequency rows
#     and blurrier time.
# ``win_length``
#     how much of the frame the window covers (at most ``n_fft``); a shorter window sharpens time
#     without changing the number of rows.
# ``hop_length``
#     how far apart the frames start: the time between two columns. It samples time more or less
#     densely; it does not make a column see less.
# ``window``
#     the taper applied to each frame (tutorial 2): ``rectangular`` leaks, ``hann`` does not.
# ``y_axis``
#     the frequency axis: ``linear``, ``log`` (octaves evenly spaced) or ``mel`` (tutorial 4),
#     with ``n_mels`` bands from ``f_min`` to ``f_max``.
# ``f_min``, ``f_max``
#     the frequency range shown (on the mel axis: the range of the filterbank).
# ``top_db``
#     how far below the loudest cell the colours reach (tutorial 3); quieter cells are the floor.
# ``cmap``
#     the colormap.
#
# The colours are decibels *relative to the loudest cell* ("dB (0 = loudest)" on the colorbar), so
# the scale stays put while you change the settings and only the picture moves. This page shows a
# snapshot of the explorer as it is drawn; the working sliders come in the next sections.

explorer = audioviz.SpectrogramExplorer(clip, sample_rate, n_fft=512, hop_length=128)
explorer

# %%
# In a notebook, the picture reaches you in one of two ways:
#
# * with the default **inline** backend the explorer sends each new picture as an image;
# * with the **widget** backend (``pip install ipympl``, then ``%matplotlib widget`` before you
#   create the explorer) the figure itself is a widget: you also get zoom and pan.
#
# Driving the explorer from code
# ------------------------------
#
# The controls are ordinary ipywidgets, kept by name in ``explorer.controls``. Setting a value from
# code does exactly what moving the slider does, so you can script an explorer or use it without
# a browser at all:

explorer.controls["n_fft"].value = 2048
print("image rows x columns:", explorer.image.get_array().shape, "- rows are n_fft // 2 + 1 frequency bins")

# %%
# The controls keep themselves consistent. ``win_length`` and ``hop_length`` may never exceed
# ``n_fft``, so lowering ``n_fft`` pulls them down with it:

explorer.controls["n_fft"].value = 256
print("after n_fft=256:", {k: explorer.params[k] for k in ("n_fft", "win_length", "hop_length")})

# %%
# :meth:`~audioviz.Explorer.set` changes several controls at once. The resolution readout says
# what a column and a row of the picture are worth, in real units:

explorer.set(n_fft=512, hop_length=128)
print(explorer.readout.value.replace("<br>", "\n").split(">", 1)[1].rsplit("<", 1)[0]
      .replace("<b>", "").replace("</b>", ""))

# %%
# ``n_fft`` and ``window``: the time-frequency trade-off
# -------------------------------------------------------
#
# :meth:`~audioviz.Explorer.static` takes lists of values by parameter name, draws every
# combination once and returns a :class:`audioviz.StaticSliders`: every frame and a few lines of
# plain JavaScript that swap them, with no kernel and nothing fetched from the internet. **Move
# the sliders below**; the readout under the picture follows them.
#
# What to watch as ``n_fft`` grows: at the smallest size the harmonics of the vowel of "yes" smear
# into one band, but the start of the "s" is a sharp vertical edge; at the largest the harmonics
# are separate lines and every edge in time is blurred over the length of a frame (the readout
# gives it). With ``window = rectangular`` (no taper) energy leaks out of every harmonic and fills
# the quiet gaps between them, at every size.

explorer.set(hop_length=64)
trade_off = explorer.static(n_fft=[128, 256, 512, 1024, 2048], window=["hann", "rectangular"])
trade_off

# %%
# ``hop_length`` and ``win_length``: how often, and how much
# -----------------------------------------------------------
#
# ``hop_length`` sets the time between columns. A small hop draws many columns, a large one few,
# and a hop longer than the window skips part of the sound; what each column sees does not
# change. ``win_length`` shortens the window inside the frame: time gets sharper, and the rows
# stay as many as ``n_fft`` gives (they only get smoother). Watch the "s" of "yes" and the start of
# "no":

explorer.set(n_fft=1024, window="hann")
hop_and_window = explorer.static(hop_length=[32, 128, 512], win_length=[256, 1024])
hop_and_window

# %%
# The frequency axis and ``top_db``
# ---------------------------------
#
# The same clip on a linear, a logarithmic and a mel frequency axis, with three dynamic ranges.
# The log and mel axes spend their height where hearing is sharp (low frequencies), so the
# harmonics of both vowels spread out and the "s" is squeezed towards the top; ``top_db`` decides
# how far below the loudest cell the colours reach, so how much of the quiet background and of the
# faint upper harmonics you see.

explorer.set(n_fft=1024, hop_length=128, win_length=1024)
axes_and_range = explorer.static(y_axis=["linear", "log", "mel"], top_db=[40.0, 60.0, 80.0])
axes_and_range

# %%
# The mel filterbank
# ------------------
#
# :class:`audioviz.MelExplorer` puts the triangular mel filters (left) beside the mel spectrogram
# they produce (right). Each row of the mel spectrogram is the sum of the FFT bins under one
# filter. Its sliders:
#
# ``n_mels``
#     how many filters: more filters, narrower triangles and more rows.
# ``mel_scale``
#     ``htk`` (torchaudio's default) or ``slaney`` (librosa's): two slightly different warps.
# ``n_fft``, ``f_min``, ``f_max``, ``top_db`` (live version)
#     the FFT size under the filters, the range they cover, and the colours.
#
# Slide ``n_mels`` up with the HTK scale and watch the narrow filters at the bottom: when a
# filter is narrower than the spacing of the FFT bins, no bin falls inside it and its row is
# silent forever. Those *empty filters* are marked with red crosses.

mel_explorer = audioviz.MelExplorer(clip, sample_rate, n_fft=512)
# dpi=110: two panels side by side need more pixels than the default frames to stay legible
filterbank_sliders = mel_explorer.static(n_mels=[16, 64, 128], mel_scale=["htk", "slaney"], dpi=110)
filterbank_sliders

# %%
# In a notebook the live version also tells you how many filters are empty:

mel_explorer.set(n_mels=128)
print(mel_explorer.readout.value.split(">", 1)[1].rsplit("</div>", 1)[0]
      .replace("<span style='color:#b00020'>", "").replace("</span>", ""))

# %%
# Saving a page
# -------------
#
# :meth:`~audioviz.StaticSliders.save` writes a complete HTML file you can e-mail, put on a course
# website or open from disk: everything is inside it.

import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as folder:
    path = trade_off.save(Path(folder) / "trade_off.html")
    print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, {len(trade_off)} frames, self-contained:",
          "http" not in path.read_text(encoding="utf-8"))

# %%
# One picture, updated in place
# -----------------------------
#
# What the explorers do on every step you can do in your own code with
# :func:`audioviz.update_feature_image`: it puts a new :class:`~audioviz.Feature` into an image
# drawn by :func:`audioviz.plot_feature`, with the new feature's axes. (Behind both is
# :class:`audioviz.FeatureImage`, the object that owns a drawn feature: its image, colorbar and
# axes; ``audioviz.FeatureImage.of(image)`` finds it.) Here one image goes from a
# linear to a mel spectrogram of the same STFT, and its frequency axis changes with it:

fig, ax = plt.subplots(figsize=(8, 2.8), layout="constrained")
stft = audioviz.spectrogram(clip, sample_rate, n_fft=1024, hop_length=256)
image = audioviz.plot_feature(stft.to_db(), ax=ax)
audioviz.update_feature_image(image, audioviz.mel_spectrogram(stft, n_mels=64).to_db())
image.colorbar.set_label("dB re. power 1")  # tutorial 3's convention (not the explorers')
ax.set_title("One image, updated in place: now a mel spectrogram of the same STFT")
plt.show()

# %%
# Things to try in a notebook
# ---------------------------
#
# * Find the smallest ``n_fft`` at which the harmonics of "yes" become separate lines. What time
#   resolution does the readout give for it?
# * On the mel axis, raise ``n_mels`` until the readout reports empty filters, then raise ``n_fft``
#   until they are gone.
# * Make a static page of your own voice and send it to someone who does not have Python.
#
# To build an explorer of your own on :class:`audioviz.Explorer`, or to see what a slider step
# costs and how the explorers keep up in the browser, read
# :doc:`How the explorers work </explorers>`.
