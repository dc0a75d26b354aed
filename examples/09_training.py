"""
Training a yes/no classifier, and measuring it on real voices
=============================================================

The last lessons turned sound into log-mel images and looked at them the way a convolutional
network does. Now we train one: a small CNN (about 41,000 weights) that hears one second of
audio and says "yes" or "no". It trains in a few minutes on a laptop CPU, on speech that
audioviz *synthesised* (no download), and then we ask the only question that matters:

**does it understand people?** A model trained on synthetic voices can score 100 % on more
synthetic voices and still fail on the first human being, because it learned the synthesiser,
not the word. So we measure it on real recordings it never heard: the "yes" and "no" test clips
of Google's Speech Commands, spoken by hundreds of people into their own microphones.

This lesson covers:

1. the data: synthetic training speech, split so that no voice is in two splits;
2. the model, layer by layer, with its log-mel front end *inside*;
3. augmentation: what the network hears while it trains;
4. training (once, cached), the training curves;
5. accuracy that means something: the synthetic test split, then real voices, with confusion
   matrices;
6. classifying your own recording.
"""

# %%
# The data: synthetic speakers, split by voice
# --------------------------------------------
#
# :func:`audioviz.data.ensure_synthetic_dataset` makes (once, then caches) a folder laid out
# exactly like Speech Commands v0.02: ``yes/<speaker>_nohash_<n>.wav`` and so on, plus
# ``validation_list.txt`` and ``testing_list.txt``. Each synthetic *speaker* is an eSpeak NG
# voice with its own accent, speed, pitch and vocal-tract size, recorded through a simulated
# room, microphone and background noise. The split is by speaker: if the same voice were in the
# training and the test set, a high test score could just mean the model recognises voices.
#
# The model used on this page was trained once by :func:`audioviz.model.tutorial_checkpoint`
# with the default settings (exactly what ``audioviz train`` does), so we read which data it
# used from its checkpoint.

import json
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torchaudio

from audioviz.data import SpeechCommands, real_speech_commands_root
from audioviz.model import (
    DEFAULT_EPOCHS,
    AugmentConfig,
    LogMelFrontend,
    augment_waveforms,
    evaluate,
    load_checkpoint,
    predict,
    prepare_clip,
    resolve_device,
    spec_augment,
    tutorial_checkpoint,
)

checkpoint = tutorial_checkpoint(progress=False)
model, info = load_checkpoint(checkpoint)
synthetic_root = Path(info["metrics"]["settings"]["data"])

splits = {subset: SpeechCommands(synthetic_root, subset=subset) for subset in ("training", "validation", "testing")}
for subset, dataset in splits.items():
    words = Counter(dataset[i][3] for i in range(len(dataset)))
    speakers = {dataset[i][4] for i in range(len(dataset))}
    print(f"{subset:>10}: {len(dataset):5d} clips ({dict(words)}) from {len(speakers)} speakers")

speakers_of = {s: {d[i][4] for i in range(len(d))} for s, d in splits.items()}
print("speakers shared by training and testing:", len(speakers_of["training"] & speakers_of["testing"]))

# %%
# The model
# ---------
#
# :class:`audioviz.model.KeywordCNN` takes the raw waveform. Its first stage, the *front end*,
# computes the log-mel image (40 mel bands from 20 Hz to 8 kHz, a frame every 10 ms) and
# normalises it; that stage has no trainable weights. Then come four convolution blocks and a
# small head:
#
# - ``conv``: 3 x 3 kernels, each a small time-frequency pattern detector (an edge, a rising
#   formant, the hiss of an "s");
# - ``norm``: batch normalisation, which keeps every channel on the same scale so training can
#   take large steps;
# - ``relu``: keeps only evidence *for* a pattern;
# - ``pool``: 2 x 2 max pooling, halving time and frequency resolution so the next block sees
#   twice as much of the clip and does not care about a small shift;
# - ``head``: the average of each of the last 64 maps over the whole image (the word may be
#   anywhere in the second), dropout, and one linear layer giving a score per word.
#
# Because the front end is inside the model, what we train is what the next lesson explains:
# Grad-CAM will point at cells of exactly this image.

print(model.config)  # a ModelConfig, holding the FrontendConfig of the log-mel stage
print(model)
for name, module in model.named_children():
    n = sum(p.numel() for p in module.parameters())
    print(f"{name:>9}: {n:6d} weights")
print(f"    total: {sum(p.numel() for p in model.parameters()):6d} weights")

# %%
# The front end's normalisation deserves a word. A microphone that boosts the bass, or a room
# that swallows the treble, *multiplies* the power in some frequency bands by a constant, which
# in log units *adds* a constant to those rows of the image. Subtracting each band's mean over the
# clip removes that (``FrontendConfig(normalize="band")``, the idea of cepstral mean
# normalisation), and dividing by the overall spread removes the loudness. Two recordings of the
# same word through different microphones then give nearly the same image.

waveform, sample_rate, _, word, speaker = splits["testing"][0]
logmel = model.features(waveform.unsqueeze(0))
print(f"'{word}' by {speaker}: waveform {tuple(waveform.shape)} -> log-mel image {tuple(logmel.shape)}")
print("the front end is a", type(model.frontend).__name__, "with normalize =", model.config.frontend.normalize)
assert isinstance(model.frontend, LogMelFrontend)

# The same clip through another microphone: 20 dB louder, bass boosted, treble cut.
coloured = torchaudio.functional.lowpass_biquad(
    torchaudio.functional.bass_biquad(10 * waveform, sample_rate, gain=12.0), sample_rate, 3000.0)


def raw_logmel(clip):
    return torch.log(model.frontend.melspec(clip) + 1e-6)


raw_change = float((raw_logmel(coloured) - raw_logmel(waveform)).abs().mean())
raw_spread = float(raw_logmel(waveform).std())
normalised_change = float((model.features(coloured.unsqueeze(0)) - logmel).abs().mean())
print(f"another microphone changes the raw log-mel image by {raw_change:.2f} on average "
      f"(its values spread {raw_spread:.2f}), the normalised image by {normalised_change:.2f} (spread 1.00)")

# %%
# What the network hears while it trains
# --------------------------------------
#
# The synthetic set has a few hundred voices; real people are more varied. During training every
# batch is changed at random, differently in each epoch (:func:`audioviz.model.augment_waveforms`
# and :func:`audioviz.model.spec_augment`, settings in :class:`audioviz.model.AugmentConfig`):
#
# - **speed perturbation**: played up to 15 % faster or slower, which moves pitch and formants
#   together, like a smaller or larger speaker;
# - **time shift**: the word moved by up to 150 ms;
# - **background noise** of a random colour at a random signal-to-noise ratio;
# - **SpecAugment**: a few mel bands and a few instants blanked, so that no single band or moment
#   can decide alone.
#
# Here is one test clip as the model would see it in four different training batches.

generator = torch.Generator().manual_seed(0)
batch = waveform.unsqueeze(0).repeat(4, 1, 1)
augmented = augment_waveforms(batch, AugmentConfig(), generator)
images = spec_augment(model.features(augmented), AugmentConfig(), generator)

frontend = model.config.frontend
extent = [0, waveform.shape[-1] / sample_rate, 0, frontend.n_mels]
fig, axes = plt.subplots(1, 5, figsize=(13, 2.8), sharey=True, layout="constrained")
axes[0].imshow(logmel[0, 0].detach(), origin="lower", aspect="auto", extent=extent, cmap="magma")
axes[0].set_title("as recorded")
for k, ax in enumerate(axes[1:]):
    ax.imshow(images[k, 0].detach(), origin="lower", aspect="auto", extent=extent, cmap="magma")
    ax.set_title(f"training view {k + 1}")
for ax in axes:
    ax.set_xlabel("time (s)")
axes[0].set_ylabel("mel band")
fig.suptitle(f"'{word}': normalised log-mel image, and four augmented versions")
plt.show()

# %%
# Training
# --------
#
# One command trains the model, synthesising the data first if needed::
#
#     audioviz train --out runs/yes_no
#
# or, from Python, ``result = audioviz.model.train("runs/yes_no")``, which returns a
# :class:`~audioviz.model.TrainResult` (history, best epoch, test accuracy). It shows progress bars,
# writes ``metrics.json`` after every epoch and keeps the epoch with the best *validation*
# accuracy in ``model.pt`` (weights, word list, feature settings and metrics; readable with
# ``torch.load(path, weights_only=True)``). Stop it with Ctrl-C and ``--resume`` continues where it
# stopped; ``--seed`` fixes every random choice, so the same seed gives the same model on the same
# machine; a GPU is used when there is one (:func:`audioviz.model.resolve_device`). Options:
# ``--data`` to train on another Speech Commands folder (such as the full real dataset),
# ``--epochs``, ``--device``. A model you change by hand can be stored the same way with
# :func:`audioviz.model.save_checkpoint`.
#
# The documentation trained this page's model once, with the defaults
# (:data:`audioviz.model.DEFAULT_EPOCHS` epochs). Its training curves:

from audioviz.explain import ConfusionMatrixDisplay, TrainingCurvesDisplay  # noqa: E402

print("on this machine, training would run on:", resolve_device("auto"))

metrics = json.loads((checkpoint.parent / "metrics.json").read_text())
print(f"default epochs: {DEFAULT_EPOCHS}; this model: {len(metrics['epochs'])} epochs on {metrics['device']}, "
      f"{sum(e['seconds'] for e in metrics['epochs']):.0f} s of training, best epoch {metrics['best']['epoch']}")
curves = TrainingCurvesDisplay.from_file(checkpoint.parent).plot()
plt.show()

# %%
# The training accuracy is *lower* than the validation accuracy for most of the run. That is not
# a bug: the training clips are augmented (noisy, shifted, masked) and dropout is active, while
# validation clips are heard as they are.
#
# Accuracy on unseen synthetic voices
# -----------------------------------
#
# :func:`audioviz.model.evaluate` classifies every clip of a dataset and returns the accuracy,
# the recall of each word (the fraction of its clips recognised) and the confusion matrix
# (``audioviz evaluate --checkpoint runs/yes_no/model.pt --data DIR`` prints the same).

synthetic_result = evaluate(model, splits["testing"])
print(f"synthetic test accuracy: {synthetic_result['accuracy']:.2%} on {synthetic_result['n']} clips")
print("recall per word:", {w: f"{r:.2%}" for w, r in synthetic_result["per_class"].items()})

# %%
# Accuracy on real human voices
# -----------------------------
#
# Now the real test. The Speech Commands v0.02 test clips of "yes" and "no" were recorded by
# people of all ages and accents, on phones and laptops, in kitchens and cars. The model never
# heard any of them. audioviz looks for them in the environment variable
# ``AUDIOVIZ_SPEECH_COMMANDS`` and beside the repository (``../shared/data``); they are never
# downloaded behind your back.

real_root = real_speech_commands_root()
if real_root is None:
    real_result = None
    print("REAL VOICES NOT AVAILABLE on this machine: the numbers below are synthetic only.\n"
          "Set AUDIOVIZ_SPEECH_COMMANDS to a Speech Commands v0.02 folder to measure real voices.")
else:
    real_clips = SpeechCommands(real_root, subset="testing")
    real_result = evaluate(model, real_clips)
    print(f"REAL voices: accuracy {real_result['accuracy']:.2%} on {real_result['n']} clips never trained on")
    print("recall per word:", {w: f"{r:.2%}" for w, r in real_result["per_class"].items()})

fig, axes = plt.subplots(1, 2 if real_result else 1, figsize=(9 if real_result else 4.5, 3.8),
                         layout="constrained", squeeze=False)
ConfusionMatrixDisplay.from_evaluation(synthetic_result).plot(ax=axes[0, 0])
axes[0, 0].set_title(f"synthetic test voices ({synthetic_result['accuracy']:.1%})")
if real_result:
    ConfusionMatrixDisplay.from_evaluation(real_result).plot(ax=axes[0, 1])
    axes[0, 1].set_title(f"REAL voices ({real_result['accuracy']:.1%})")
plt.show()

# %%
# The gap between the two matrices is the honest measure of what was learned. A model that only
# memorised the synthesiser would be near 50 % on real voices (a coin toss); the closer the real
# score gets to the synthetic one, the more the network learned the *words*. Where does the
# real-voice accuracy come from? In one run of ``benchmarks/bench_classifier.py`` (see the
# Performance page) the same network trained on the same synthetic clips, but with only a
# per-clip normalisation and no training augmentation, reached 93.6 % on real voices against
# 97.8 % for the default recipe. So most of it comes from the synthetic recording chain (rooms,
# microphones, noise) being varied enough that real recordings look like one more sample of
# it; the per-band normalisation and the augmentation then cut the remaining errors to about a
# third (26 mistakes out of 405 down to 9).
#
# Classifying your own recording
# ------------------------------
#
# :func:`audioviz.model.predict` takes any recording, of any length and sample rate, brings it to
# one second at 16 kHz with :func:`audioviz.model.prepare_clip` and says what it did. Here a clip
# is resampled to 44.1 kHz and padded to 1.5 s, as a phone recording might be. The result is a
# :class:`~audioviz.model.Prediction`: the word, the probability of each word, the one-second
# clip the model heard, and the notes.

clip_44k = torchaudio.functional.resample(waveform, 16000, 44100)
clip_44k = torch.nn.functional.pad(clip_44k, (11025, 11025))
one_second, notes = prepare_clip(clip_44k, 44100)
print("prepare_clip:", notes)
prediction = predict(model, clip_44k, 44100)
print(f"said '{word}'; the model hears: {prediction}")

from IPython.display import Audio  # noqa: E402

Audio(prediction.waveform[0].numpy(), rate=prediction.sample_rate)

# %%
# Next: the model is right most of the time. The next lesson asks *why* - which parts of the
# spectrogram it looks at, what it "listens to" - and plays its most confident mistakes.
