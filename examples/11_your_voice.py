"""
Your own voice: record a word, look at it, and ask the model why
================================================================

Every clip so far was synthesised or recorded by someone else. This lesson closes the loop: you
say **"yes"** into your microphone, see your own waveform and spectrogram, and ask the classifier
of the previous tutorials what it heard and where in the sound it found the evidence.

1. :class:`audioviz.Recorder` records you inside the notebook and hands Python a Tensor;
2. :func:`audioviz.model.predict` brings the take to what the model expects and says what it did;
3. :class:`audioviz.explain.GradCAMDisplay` shows where the model listened.

No notebook at hand? The :doc:`Try-it page </try>` does the same in your browser, live.

**Run it yourself:** this page needs audioviz (see the Install page), a Jupyter front end that
shows widgets (JupyterLab 4, Notebook 7 or VS Code; audioviz installs anywidget) and a
microphone that the browser may use (it asks you once). It uses the classifier trained in the
training tutorial (trained on first use, cached afterwards). Without a microphone it says so and
uses a synthetic "yes".

.. note::

   This page was built by a machine without a microphone, so the recorder below never received a
   take and the lesson used a synthetic "yes" instead (it says so where it happens). Download
   the notebook (button at the end of the page) to use your own voice.
"""

# %%
# The recorder
# ------------
#
# Run this cell in Jupyter (JupyterLab, Notebook 7 or VS Code), press **Record**, say "yes",
# then press **Stop**. The meter shows your level while you speak (aim for the yellow, away from
# the red); the player lets you hear the take. The browser records at its own rate, usually
# 48000 Hz, and sends the samples to Python in one binary message.

import matplotlib.pyplot as plt
import torch
import torchaudio

import audioviz
from audioviz.data import synthesize_word
from audioviz.explain import GradCAMDisplay
from audioviz.model import load_checkpoint, predict, tutorial_checkpoint

recorder = audioviz.Recorder(max_seconds=5)
recorder

# %%
# Your take, or a stand-in
# ------------------------
#
# Run this cell *after* recording. ``recorder.waveform`` is a float32 Tensor of shape
# ``(1, time)`` at ``recorder.sample_rate`` Hz, like every waveform in this course. Without a
# take (no microphone, permission refused, or a page built by a machine) we make a stand-in that
# looks like one: a synthetic "yes" at the browser's usual 48 kHz, with half a second of quiet room
# before and after it.


def stand_in_take(rate=48000, seed=11):
    """A synthetic "yes" that looks like a microphone take: 48 kHz, quiet room around the word."""
    word, word_rate, _ = synthesize_word("yes", seed=seed, augment=False)  # the voice alone, centred
    word = torchaudio.functional.resample(word, word_rate, rate)
    generator = torch.Generator().manual_seed(seed)
    room = 0.002 * torch.randn(1, int(0.5 * rate), generator=generator)
    take = torch.cat([room, word, room.flip(-1)], dim=-1)
    return take + 0.001 * torch.randn(take.shape, generator=generator), rate


if recorder.has_recording:
    waveform, sample_rate = recorder.waveform, recorder.sample_rate
    print(f"your recording: {waveform.shape[-1] / sample_rate:.2f} s at {sample_rate} Hz")
else:
    waveform, sample_rate = stand_in_take()
    reason = f" ({recorder.error})" if recorder.error else ""
    print(f"no recording was made{reason}: using a synthetic 'yes' instead, "
          f"{waveform.shape[-1] / sample_rate:.2f} s at {sample_rate} Hz")

from IPython.display import Audio  # noqa: E402

Audio(waveform[0].numpy(), rate=sample_rate)

# %%
# What the model hears
# --------------------
#
# The classifier was trained on one-second clips at 16 kHz. :func:`~audioviz.model.predict`
# converts any take with :func:`~audioviz.model.prepare_clip` (mono, resampled, then cut to its
# loudest second or padded with silence) and lists each change, so nothing is done behind your
# back. ``prediction.waveform`` is the second the model actually heard.

model, info = load_checkpoint(tutorial_checkpoint(progress=False))
prediction = predict(model, waveform, sample_rate)
print(prediction)
print(f"answer: {prediction.word!r} (class {prediction.label!r}, {prediction.confidence:.1%} sure)")

# %%
# Its waveform, spectrogram, mel spectrogram and MFCC, with true units on every axis, the way the
# first tutorials drew them:

with audioviz.style():
    audioviz.show(prediction.waveform, prediction.sample_rate, title=f"the second the model heard: {prediction.word!r}")
plt.show()

# %%
# **What to notice:** "yes" is two sounds. The voiced part ("ye") shows the stacked harmonics of
# the voice and its bright formant bands below about 4 kHz, with the glide of the "y" into the
# vowel; the "s" is a hiss with no harmonics, mostly above 4 kHz, at the end. Your own "yes" has
# the same outline at your own pitch and speed; your room adds a faint haze everywhere.
#
# Where did it listen?
# --------------------
#
# Grad-CAM on the last convolution block, as in the explanation tutorial: bright where the
# evidence for the answer lies, transparent where there is none. For this network (global average
# pooling, then one linear layer) it is the class activation map, so the browser on the Try-it
# page draws the same picture without any backward pass.

display = GradCAMDisplay.from_model(model, prediction.waveform, sample_rate=prediction.sample_rate)
display.plot()
plt.show()

# %%
# If the evidence sits on the word and not in the quiet before or after it, the model is answering
# for the right reason. Try a few things with your microphone and watch the map and the
# probabilities: say "yes" slowly, whisper it, say "yesterday", "guess" or "no", clap, or stay
# silent. The words it does not know should end up as "neither".
#
# Every class's probability is printed above; here they are as a bar chart.

fig, ax = plt.subplots(figsize=(6, 2.4), layout="constrained")
labels = list(prediction.probabilities)
ax.barh(labels, [prediction.probabilities[k] for k in labels], color="#5470c6")
ax.set_xlim(0, 1)
ax.set_xlabel("probability")
ax.invert_yaxis()
ax.set_title(f"answer: {prediction.word!r}")
plt.show()

# %%
# The same model in your browser
# ------------------------------
#
# The :doc:`Try-it page </try>` runs this very checkpoint in plain JavaScript. When the site is
# built, :func:`audioviz.model.export_for_browser` writes the model as numbers: the STFT window,
# the mel filterbank matrix and the normalisation constants its front end uses, and its weights
# with each batch normalisation folded into the convolution before it. The page computes the
# same probabilities as :func:`~audioviz.model.predict` (the tests check it in a browser).

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from audioviz.model import export_for_browser  # noqa: E402

exported = export_for_browser(model, Path(tempfile.mkdtemp()) / "model.js")
n_weights = sum(p.numel() for p in model.parameters())
print(f"{exported.name}: {exported.stat().st_size / 1024:.0f} KiB for {n_weights} weights "
      f"and the front end's numbers; classes in output order: {list(model.labels)}")
