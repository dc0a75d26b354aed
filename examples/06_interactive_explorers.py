"""
Exploring interactively
=======================

The earlier tutorials chose the settings of each picture for you: ``n_fft``, ``hop_length``, the
window, the mel bands. Reading about a setting is one thing; moving a slider and watching the
picture change is how it sticks. This tutorial shows the two ways audioviz gives you sliders:

* **live explorers** for a notebook: :class:`audioviz.SpectrogramExplorer` and
  :class:`audioviz.MelExplorer` recompute the picture as you move a control;
* **static sliders**: :meth:`~audioviz.Explorer.static` draws every combination of the values
  you list once and packs them into a small page whose sliders keep working without Python,
  which is what you can play with on this very page.

At the end we build a small explorer of our own on :class:`audioviz.Explorer`, the base class of
all of them.
"""

# %%
# A clip to explore
# -----------------
#
# Two spoken words, "yes" then "no", from audioviz's offline speech synthesiser (no download, no
# microphone needed). "yes" is a good test: the vowel is a stack of harmonics, a few hundred Hz
# apart, that need a fine frequency resolution to separate, and the "s" at its end is a burst of
# hiss above 4 kHz with a sharp start, which needs a fine time resolution.

import time

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Audio

import audioviz
from audioviz.data import synthesize_word

yes, sample_rate, _ = synthesize_word("yes", seed=3, augment=False)
no, _, _ = synthesize_word("no", seed=3, augment=False)
clip = torch.cat([yes, no], dim=-1)  # shape (1, 32000): two seconds at 16 kHz
print(f"{clip.shape[-1]} samples at {sample_rate} Hz = {clip.shape[-1] / sample_rate:g} s")
Audio(clip.numpy(), rate=sample_rate)

# %%
# The live spectrogram explorer
# -----------------------------
#
# :class:`audioviz.SpectrogramExplorer` takes a waveform and its sample rate, like every audioviz
# function. In a notebook, leaving it as the last expression of a cell shows the live widget:
# sliders for ``n_fft``, ``win_length`` and ``hop_length`` (in samples), a dropdown for the window
# function, the frequency axis (linear, log or mel, with ``n_mels``, ``f_min`` and ``f_max``), the
# dynamic range ``top_db`` and the colormap; a player for the clip; and a readout of the
# resolution the settings give you, in seconds per column and Hz per row.
#
# The colours are decibels *relative to the loudest cell* (0 dB at the top of the colorbar), so
# the scale stays put while you change the settings and only the picture moves.
#
# This page has no Python running behind it, so below you see a snapshot of the explorer as it
# is drawn; the working sliders come in the next sections.

explorer = audioviz.SpectrogramExplorer(clip, sample_rate, n_fft=512, hop_length=128)
explorer

# %%
# In a notebook, the picture reaches you in one of two ways:
#
# * with the default **inline** backend the explorer draws on matplotlib's Agg canvas and sends
#   each new picture as a PNG to an image widget;
# * with the **widget** backend (``pip install ipympl``, then ``%matplotlib widget`` before you
#   create the explorer) the figure itself is a widget: you also get zoom and pan, and the
#   browser asks for a new picture whenever one is ready.
#
# Driving the explorer from code
# ------------------------------
#
# The controls are ordinary ipywidgets, kept by name in ``explorer.controls``. Setting a value from
# code does exactly what moving the slider does, so you can script an explorer, test it, or use it
# without a browser at all. Only what depends on the control is recomputed (``top_db`` does not
# redo the STFT, ``cmap`` recomputes nothing), and the existing image is updated in place.

explorer.controls["n_fft"].value = 2048
print("image rows x columns:", explorer.image.get_array().shape)
print("rows are n_fft // 2 + 1 =", 2048 // 2 + 1, "frequency bins")

# %%
# The controls keep themselves consistent. ``win_length`` and ``hop_length`` may never exceed
# ``n_fft``, so lowering ``n_fft`` pulls them down with it. A value out of range set from code is
# clamped, and :meth:`~audioviz.Explorer.set` says so in the widget's status line:

explorer.controls["n_fft"].value = 256
print("after n_fft=256:", {k: explorer.params[k] for k in ("n_fft", "win_length", "hop_length")})
explorer.set(hop_length=5000)
print("status line:", explorer.status.value.split(">", 1)[1].rsplit("<", 1)[0])

# %%
# The resolution readout says what a column and a row of the picture are worth, in real units:

explorer.set(n_fft=512, hop_length=128)
print(explorer.readout.value.replace("<br>", "\n").split(">", 1)[1].rsplit("<", 1)[0]
      .replace("<b>", "").replace("</b>", ""))

# %%
# Static sliders: the time-frequency trade-off
# --------------------------------------------
#
# :meth:`~audioviz.Explorer.static` takes lists of values by parameter name, draws every
# combination once through the explorer's own drawing code, and returns a
# :class:`audioviz.StaticSliders`. Its HTML holds every frame and a few lines of plain JavaScript
# that swap them: no kernel and nothing fetched from the internet. Shown as the last expression of
# a cell it works in Jupyter and, as here, on a web page. **Move the sliders below**: the readout
# under the picture follows them, so you can read the resolution of each frame.
#
# Watch "yes" as ``n_fft`` grows: at 128 the harmonics of the vowel smear into one band but the
# start of the "s" is a sharp vertical edge; at 2048 the harmonics are separate lines and every
# edge in time is blurred over 128 ms. With ``window = rectangular`` (no taper) energy leaks out
# of every harmonic and fills the quiet gaps between them.

explorer.set(hop_length=64)
trade_off = explorer.static(n_fft=[128, 256, 512, 1024, 2048], window=["hann", "rectangular"])
trade_off

# %%
# How many frames and how many bytes it holds (identical frames would be stored once):

print(trade_off)
print(f"{trade_off.nbytes / 1e6:.2f} MB of HTML for {len(trade_off)} frames")

# %%
# Three frequency axes
# --------------------
#
# The same clip on a linear, a logarithmic and a mel frequency axis, with three dynamic ranges.
# The mel axis spends its rows where hearing is sharp (low frequencies) and squeezes the hiss of
# the "s" into a few rows at the top; ``top_db`` decides how much of the quiet background you see.

explorer.set(n_fft=1024, hop_length=128, window="hann")
axes_and_range = explorer.static(y_axis=["linear", "log", "mel"], top_db=[40.0, 60.0, 80.0])
axes_and_range

# %%
# The mel filterbank
# ------------------
#
# :class:`audioviz.MelExplorer` puts the triangular mel filters (left) beside the mel spectrogram
# they produce (right). Each row of the mel spectrogram is the sum of the FFT bins under one
# filter. Slide ``n_mels`` up with the HTK scale and watch the narrow filters at the bottom: when
# a filter is narrower than the spacing of the FFT bins, no bin falls inside it and its row is
# silent forever. Those *empty filters* are marked with red crosses.

mel_explorer = audioviz.MelExplorer(clip, sample_rate, n_fft=512)
filterbank_sliders = mel_explorer.static(n_mels=[16, 64, 128], mel_scale=["htk", "slaney"])
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
    print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, self-contained:",
          "http" not in path.read_text(encoding="utf-8"))

# %%
# What a slider step costs
# ------------------------
#
# An explorer builds its figure once. A step recomputes only what the control changes, updates
# the image in place and redraws only the parts of the figure whose content changed; the ticks
# and labels are kept when they do not move. The usual notebook recipe, an ``interact`` function
# that makes a new figure on every change, redraws everything every time. Here is what a step
# costs on the machine that built this page:


def median_ms(step, repeats=5):
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def move_n_fft(i):
    explorer.controls["n_fft"].value = (256, 512, 1024)[i % 3]


def move_cmap(i):
    explorer.controls["cmap"].value = ("viridis", "magma")[i % 2]


def full_redraw(i):
    explorer._full_draw(relayout=False)


print(f"n_fft step (new STFT, image redrawn):  {median_ms(move_n_fft):6.1f} ms")
print(f"cmap step (nothing recomputed):        {median_ms(move_cmap):6.1f} ms")
print(f"whole figure redrawn:                  {median_ms(full_redraw):6.1f} ms")

# %%
# With the inline backend every step also encodes the picture as PNG for the notebook (a few
# tens of milliseconds more). With ipympl the canvas widget redraws the whole figure when the
# browser asks for it, so a step costs about the "whole figure" line; the browser then receives
# only the pixels that changed. The benchmark on the :doc:`Performance page </performance>`
# compares both with an ``interact`` rebuild measured in the same run.
#
# Updating a picture yourself
# ---------------------------
#
# Under every explorer is one public hook, :func:`audioviz.update_feature_image`: it puts a new
# :class:`~audioviz.Feature` into an image drawn by :func:`audioviz.plot_feature`, pooled to the
# pixels of the Axes, with the new feature's extent, colour limits and axis ticks. Use it in your
# own callbacks or animations instead of drawing a new figure each time. Here one image goes from
# a linear to a mel spectrogram of the same STFT, and its frequency axis changes with it.

fig, ax = plt.subplots(figsize=(8, 2.8), layout="constrained")
spec = audioviz.spectrogram(clip, sample_rate, n_fft=1024, hop_length=256)
image = audioviz.plot_feature(spec.to_db(), ax=ax)
audioviz.update_feature_image(image, audioviz.mel_spectrogram(spec, n_mels=64).to_db())
ax.set_title("One image, updated in place: now a mel spectrogram of the same STFT")
plt.show()

# %%
# Build your own explorer
# -----------------------
#
# :class:`audioviz.Explorer` does the bookkeeping: it observes the controls, batches changes,
# catches errors and shows them in the widget, redraws, and freezes any explorer with
# ``static``. A subclass says three things: which controls it has (``_make_controls``), how to
# draw the first picture (``_draw``) and how to update it when some controls changed
# (``_update``). Here is an explorer of window functions: the window over time, and how far its
# spectrum leaks away from a pure tone. This is why the rectangular window smeared the harmonics
# above.


class WindowExplorer(audioviz.Explorer):
    figsize = (8.0, 2.8)

    def __init__(self, sample_rate=16000):
        self.sample_rate = sample_rate
        super().__init__()

    def _make_controls(self):
        return {
            "window": ipywidgets.Dropdown(options=["hann", "hamming", "blackman", "rectangular"]),
            "win_length": ipywidgets.IntSlider(value=400, min=64, max=1024, step=16),
        }

    def _curves(self):
        window = audioviz.features.WINDOWS[self.params["window"]](self.params["win_length"]).double()
        times_ms = 1000 * torch.arange(len(window)) / self.sample_rate
        n_fft = 8192  # zero-padded, to see the shape of the leak in detail
        spectrum = torch.fft.rfft(window, n_fft).abs()
        spectrum_db = 20 * torch.log10(spectrum / spectrum.max() + 1e-12)
        hz = torch.fft.rfftfreq(n_fft, 1 / self.sample_rate)
        return times_ms.numpy(), window.numpy(), hz.numpy(), spectrum_db.numpy()

    def _draw(self, figure):
        self.ax_time, self.ax_freq = figure.subplots(1, 2)
        t, w, hz, db = self._curves()
        (self.time_line,) = self.ax_time.plot(t, w)
        (self.image,) = self.ax_freq.plot(hz, db)  # the main artist of this explorer is a line
        self.ax_time.set(xlim=(0, 1000 * 1024 / self.sample_rate), ylim=(0, 1.05),
                         xlabel="Time (ms)", ylabel="Weight", title="The window")
        self.ax_freq.set(xlim=(0, 500), ylim=(-100, 3), xlabel="Distance from the tone (Hz)",
                         ylabel="dB", title="How much leaks away from a tone")

    def _update(self, changed):
        t, w, hz, db = self._curves()
        self.time_line.set_data(t, w)
        self.image.set_data(hz, db)
        self.mark_stale(self.ax_time, self.ax_freq)  # only these Axes' insides changed


windows = WindowExplorer(sample_rate)
windows.static(window=["hann", "hamming", "blackman", "rectangular"], win_length=[128, 1024])

# %%
# Things to try in a notebook
# ---------------------------
#
# * Find the smallest ``n_fft`` at which the harmonics of "yes" become separate lines. What time
#   resolution does the readout give for it?
# * On the mel axis, raise ``n_mels`` until the readout reports empty filters, then raise ``n_fft``
#   until they are gone.
# * Make a static page of your own voice and send it to someone who does not have Python.
