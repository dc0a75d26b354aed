"""
Explaining the classifier: Grad-CAM, listening, and its mistakes
================================================================

The previous tutorial trained a small CNN that tells "yes" from "no". An accuracy tells us *how
often* it is right, not *why*. A model can score well for the wrong reason - a click at the start
of every "yes" recording, the loudness of one speaker - and then fail on the next microphone.
This lesson opens the model up:

1. **Grad-CAM**: where in the spectrogram the evidence for each word was;
2. **listening** to what the model used: the sound resynthesised from only that part of the
   spectrogram, and from the part it ignored;
3. how it learned (training curves), how good it is on **real human voices** (confusion matrix),
   and its most confident **mistakes**, with players, so you can hear why it failed.
"""

# %%
# The model and a clip
# --------------------
#
# We load the trained classifier (trained once by the previous tutorial and cached). Real
# recordings are used wherever this machine has them: the Speech Commands v0.02 "yes"/"no" test
# clips, recorded by people with their own microphones, which the model never trained on (it
# trained only on synthetic speech). Without them, the synthetic test split stands in, and the
# page says so.

import matplotlib.pyplot as plt
import torch

import audioviz
from audioviz.data import SpeechCommands, ensure_synthetic_dataset, real_speech_commands_root
from audioviz.explain import (
    ConfusionMatrixDisplay,
    GradCAMDisplay,
    ListeningDisplay,
    MistakesDisplay,
    TrainingCurvesDisplay,
    grad_cam,
    resynthesize_masked,
)
from audioviz.model import evaluate, load_checkpoint, predict, tutorial_checkpoint

checkpoint = tutorial_checkpoint(progress=False)
model, info = load_checkpoint(checkpoint)

real_root = real_speech_commands_root()
if real_root is not None:
    clips = SpeechCommands(real_root, subset="testing")
    source = f"real Speech Commands recordings ({len(clips)} clips, never trained on)"
else:
    clips = SpeechCommands(ensure_synthetic_dataset(), subset="testing")
    source = (f"the synthetic test split ({len(clips)} clips): no real recordings on this machine; "
              "set AUDIOVIZ_SPEECH_COMMANDS to a Speech Commands folder to use them")
print("evaluating on", source)

# %%
# We pick a "yes" spoken by a person and let the model classify it.

index = next(i for i in range(len(clips)) if clips[i][3] == "yes")
waveform, sample_rate, _, word, speaker = clips[index]
prediction = predict(model, waveform, sample_rate)
print(f"clip #{index}, speaker {speaker}, said '{word}': the model hears {prediction}")

from IPython.display import Audio  # noqa: E402

Audio(waveform[0].numpy(), rate=sample_rate)

# %%
# Grad-CAM: where the evidence is
# -------------------------------
#
# Grad-CAM (Selvaraju et al., 2017) asks the last convolution layer two questions. *What did each
# of your 64 maps see?* (its activations ``A_k``, coarse 5 x 12 grids). *How much would the score
# of "yes" rise if map k grew?* (the gradient of the score with respect to ``A_k``, averaged over
# the map: one weight ``alpha_k`` per map). The weighted sum ``sum_k alpha_k A_k``, with negative
# values set to zero, is a coarse picture of where the evidence *for* "yes" lies. We compute it
# with captum's :class:`~captum.attr.LayerGradCam` and stretch it over the input spectrogram, each
# coarse cell centred on the 80 ms x 8 mel bands it covers.
#
# :class:`audioviz.explain.GradCAMDisplay` does it for every word: the predicted one first, then
# the other. Both maps share one colour scale, so a pale map means *little evidence*, not a
# different normalisation.

gradcam = GradCAMDisplay.from_model(model, waveform, sample_rate=sample_rate)
gradcam.plot()
plt.show()

# %%
# **What to notice:** the evidence for "yes" sits on the word, not on the silence around it: the
# model listens to the speech. It is not spread evenly over the word either: a few places carry
# it, typically the start of the glide "y-e" and the turn from the vowel into the "s" (the printed
# peak below gives the exact spot for this clip). The map for "no" is pale or empty: this clip
# holds little that argues for "no". If the brightest region were in the silence before the word,
# the model would be using something other than the word - a background noise, a click - and we
# would not trust it on new recordings.
#
# Which layer?
# ------------
#
# Grad-CAM can be computed on any convolution layer. Early layers have fine grids but their maps
# respond to any sound; the last layer is coarse but its maps are the ones the decision is made
# from. Here is the evidence for the predicted word at every layer (each panel on its own colour
# scale):

fig, axes = plt.subplots(1, len(model.blocks), figsize=(15, 3.0), layout="constrained")
for layer, ax in enumerate(axes):
    GradCAMDisplay.from_model(model, waveform, sample_rate=sample_rate, words=prediction.word,
                              layer=layer).plot(ax=[ax], show_input=False)
    ax.set_title(f"conv {layer + 1}")
plt.show()

# %%
# **What to notice:** conv 1's map is sharp but scattered, and its relevance is tiny (see the
# colorbars): single edges matter little on their own. By conv 4 the map is coarse but
# selective, and far stronger. That is why Grad-CAM is usually computed on the last layer, and why
# its maps are blurry: they can be no finer than that layer's grid.
#
# :func:`audioviz.explain.grad_cam` returns one map as an :class:`audioviz.Feature`, with the
# time of every column and the frequency of every row, so "where" has an answer in seconds and Hz:

cam = grad_cam(model, waveform, prediction.word, sample_rate=sample_rate)
row, column = divmod(int(cam.data[0].argmax()), cam.data.shape[-1])
print(f"strongest evidence for '{prediction.word}': {float(cam.times[column]):.2f} s, "
      f"{float(cam.frequencies[row]):.0f} Hz")

# %%
# A sanity check any explanation should pass: if the word moves, the evidence must move with it.
# We move the clip 0.2 s earlier (silence fills the end) and compare the centre of mass in time of
# the two maps:


def evidence_centre(cam):
    """Time (s) of the centre of mass of a Grad-CAM map."""
    weight_per_frame = cam.data[0].sum(dim=0).double()
    return float((weight_per_frame * cam.times).sum() / weight_per_frame.sum())


shift = int(0.2 * sample_rate)
earlier = torch.nn.functional.pad(gradcam.waveform[:, shift:], (0, shift))
cam_earlier = grad_cam(model, earlier, prediction.word)
print(f"evidence centred at {evidence_centre(cam):.2f} s; with the word 0.2 s earlier: "
      f"{evidence_centre(cam_earlier):.2f} s")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.0), sharey=True, layout="constrained")
for ax, each, title in zip(axes, (cam, cam_earlier), ("the clip", "the same clip, 0.2 s earlier")):
    audioviz.plot_feature(each, ax=ax, cmap="inferno", colorbar=False)
    ax.set_title(f"Grad-CAM of '{prediction.word}': {title}")
axes[1].set_ylabel("")
plt.show()

# %%
# **What to notice:** the bright regions move left with the word. The centre of mass moves by a
# little less than 0.2 s: the map is coarse (80 ms per cell) and its faint background stays put.

# %%
#
# Listening to what the model used
# --------------------------------
#
# A map is still a picture. We can also *hear* it: keep only the part of the clip's spectrogram
# where the Grad-CAM map reaches at least half its maximum (a 0/1 mask; ``threshold=None`` uses
# the map itself as a soft mask), and turn that back into sound. A spectrogram has thrown the phase away, so
# the sound is rebuilt with **Griffin-Lim**, which guesses a phase that fits the magnitudes. To
# tell the guessing's own artefacts from the effect of the mask, the unmasked spectrogram is
# resynthesised too. All players share one loudness scale: a quiet "ignored" track means the
# model used most of the sound.

heard = ListeningDisplay.from_gradcam(gradcam, model=model)
heard.plot()
plt.show()

# %%
heard

# %%
# **What to listen for:** "what the model used" is a short, muffled fragment - a few tenths of a
# second of the word, in the frequency bands the map picked - and yet the model needed little
# else. "What it ignored" still sounds like most of the word, with holes. If the used part were
# background noise and the word sat entirely in the ignored part, the model would be right for
# the wrong reason. :meth:`~audioviz.explain.ListeningDisplay.waveforms` returns the
# four waveforms as tensors, to save or analyse further.
#
# The masking itself is :func:`audioviz.explain.resynthesize_masked`: any mask on the STFT grid
# (``n_fft // 2 + 1`` rows of frequency bins, one column per frame) will do. A hand-made mask that
# keeps only what lies above 3 kHz lets you hear that part of the word on its own:

frontend = model.config.frontend
clip = gradcam.waveform  # the one-second clip the model saw
bins = torch.linspace(0, frontend.sample_rate / 2, frontend.n_fft // 2 + 1)
high_only = (bins > 3000).float().unsqueeze(1).expand(-1, frontend.sample_rate // frontend.hop_length + 1)
above_3k = resynthesize_masked(clip, high_only, n_fft=frontend.n_fft, win_length=frontend.win_length,
                               hop_length=frontend.hop_length)
Audio(above_3k[0].numpy(), rate=frontend.sample_rate)

# %%
#
# How it learned
# --------------
#
# Training wrote one record per epoch to ``metrics.json`` beside the checkpoint.
# :class:`audioviz.explain.TrainingCurvesDisplay` reads it:

TrainingCurvesDisplay.from_file(checkpoint.parent).plot()
plt.show()

# %%
# **What to notice:** the validation curves (clips of voices the model did not train on) follow
# the training curves closely: the model is not memorising its training voices. The dotted line
# marks the epoch whose weights were kept, the dashed one the accuracy on the synthetic test split.
#
# How good it is, word by word
# ----------------------------
#
# :func:`audioviz.model.evaluate` classifies every clip once; with ``details=True`` it also keeps
# every prediction, so the confusion matrix and the mistakes below are drawn from the same pass.

result = evaluate(model, clips, details=True)
print(f"{source}\naccuracy {result['accuracy']:.1%}; recall per word:",
      {w: f"{r:.1%}" for w, r in result["per_class"].items()})
ConfusionMatrixDisplay.from_evaluation(result).plot()
plt.show()

# %%
# **What to notice:** the rows are what was said, the columns what the model heard. The diagonal
# holds the correct answers; each row's percentages are that word's **recall**, the share of its
# clips recognised. An overall accuracy can hide a weak word; the matrix cannot.
#
# The most confident mistakes
# ---------------------------
#
# Mistakes the model was *sure* about teach the most: they show what it confuses with a word. Here
# are the clips it got wrong with the highest confidence, as the model saw them, with players.

mistakes = MistakesDisplay.from_evaluation(model, clips, result, n_mistakes=6)
mistakes.plot()
plt.show()

# %%
mistakes

# %%
# **What to listen for:** typical culprits on real recordings are clips where the word is cut off
# at the edge of the second, very quiet or very noisy clips, and "no" said with a hissy or breathy
# ending that looks like the "s" of "yes". Grad-CAM on the worst mistake shows what misled the
# model:

if mistakes.mistakes:
    worst = mistakes.mistakes[0]
    GradCAMDisplay.from_model(model, worst["waveform"]).plot()
    plt.gcf().suptitle(f"clip #{worst['index']}: said '{worst['word']}', heard '{worst['predicted']}'")
    plt.show()

# %%
# From the command line
# ---------------------
#
# The same Grad-CAM and feature-map figure for any audio file, with the resynthesised audio:
#
# .. code-block:: console
#
#    $ audioviz explain --checkpoint runs/yes_no/model.pt my_yes.wav --out my_yes.png --listen heard/
#    note: my_yes.wav: averaged 2 channels to mono
#    note: my_yes.wav: resampled from 44100 Hz to 16000 Hz
#    my_yes.wav: yes (yes 98.7%, no 1.3%)
#    wrote my_yes.png
#
# A recording of another length or rate is brought to one second at 16 kHz, and the command
# says what it did.
#
# Summary
# -------
#
# * Grad-CAM weighs the last layer's maps by how much they raise a word's score: a coarse map of
#   where the evidence for that word lies, drawn over the spectrogram with true axes.
# * Masking the spectrogram with it and resynthesising (Griffin-Lim) lets you *hear* what the model
#   relied on - a check that it listens to the word, not to the recording conditions.
# * Training curves, the confusion matrix on real voices and the most confident mistakes tell
#   how well it works, for which word, and where it breaks.
