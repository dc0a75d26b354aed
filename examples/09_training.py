"""
Training a listener: yes, no, or neither
========================================

The last lessons turned sound into log-mel images and looked at them the way a convolutional
network does. Now we train one: a small CNN that hears one second of audio and answers "yes",
"no", or **"neither"** (another word, silence, a noise). It trains on a laptop CPU on speech that
audioviz *synthesised* (no download), and then we ask the only question that matters:

**does it understand people?** A model trained on synthetic voices can score 100 % on more
synthetic voices and still fail on the first human being, because it learned the synthesiser,
not the word. So we measure it on real recordings it never heard, from Google's Speech Commands.

This lesson covers:

1. the data: synthetic training speech, split so that no voice is in two splits;
2. a training loop in about thirty lines of plain PyTorch, the ``train()``/``test()`` of the
   Microsoft Learn course, and what two of the course's choices cost, measured here;
3. :func:`audioviz.model.train`, the full version: what it adds;
4. why a yes/no model must be able to say "neither": the two-word model's failure, measured;
5. the three-way model on real voices, with its confusion matrix and its bias;
6. classifying your own recording (and where to record one).

**Run it yourself:** this page needs audioviz (see the Install page). It synthesises its training
speech offline with eSpeak NG and trains the two cached tutorial models (the three-way one and the
two-word one) on first use, a few minutes each on a CPU; with ``AUDIOVIZ_TUTORIAL_QUICK=1`` tiny
stand-ins train in seconds. The real voices are Google's Speech Commands test clips, named by
``AUDIOVIZ_SPEECH_COMMANDS`` or fetched once by you with ``audioviz data download``; without
them the page measures on the synthetic test split. The page itself downloads nothing.

Every number in this page's text is printed by the code above it, on the machine that built it.
"""

# %%
# The data: synthetic speakers, split by voice
# --------------------------------------------
#
# :func:`audioviz.data.ensure_synthetic_dataset` makes (once, then caches) a folder laid out
# exactly like Speech Commands v0.02: ``yes/<speaker>_nohash_<n>.wav`` and so on, plus
# ``validation_list.txt`` and ``testing_list.txt``. Besides "yes" and "no" it holds the "neither"
# side: hundreds of other words (near misses such as "yet", "guess", "go", "nose", "noted",
# other Speech Commands words, everyday words, cut-off and nonsense words) and one-second
# silence and noise clips at many levels. Each synthetic *speaker* is an eSpeak NG voice with its
# own accent, speed, pitch and vocal-tract size, recorded through a simulated room, microphone
# and background noise. The split is by speaker: if the same voice were in the training and the
# test set, a high test score could just mean the model recognises voices.
#
# The models on this page were trained once by :func:`audioviz.model.tutorial_checkpoint` with
# the default settings (exactly what ``audioviz train`` does), so we read which data they used
# from the checkpoint. :class:`audioviz.data.SpeechCommands` with ``neither=True`` labels every
# other word ``"_unknown_"`` and every silence clip ``"_silence_"``, Speech Commands' own names.

import math
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torchaudio
from torch import nn

from audioviz.data import SpeechCommands, real_speech_commands_root, synthesize_word
from audioviz.display import MelHzFormatter
from audioviz.model import (
    AugmentConfig,
    augment_features,
    augment_waveforms,
    evaluate,
    load_checkpoint,
    predict,
    prepare_clip,
    resolve_device,
    tutorial_checkpoint,
    tutorial_quick_mode,
)

checkpoint = tutorial_checkpoint(progress=False)
model, info = load_checkpoint(checkpoint)
synthetic_root = Path(info["metrics"]["settings"]["data"])

splits = {subset: SpeechCommands(synthetic_root, subset=subset, neither=True)
          for subset in ("training", "validation", "testing")}
for subset, dataset in splits.items():
    print(f"{subset:>10}: {len(dataset):5d} clips {dataset.counts()} from {len(set(dataset.speakers) - {''})} speakers")
print("speakers shared by training and testing:",
      len(set(splits["training"].speakers) & set(splits["testing"].speakers) - {""}))
unknown_words = Counter(c for c, label in zip(splits["training"].categories, splits["training"].labels)
                        if splits["training"].classes[label] == "_unknown_")
print(f"the 'neither' side says {len(unknown_words)} different words, e.g. {', '.join(sorted(unknown_words)[:12])}")

# %%
# A training loop in plain PyTorch
# --------------------------------
#
# Before the library does it for us, here is the whole idea in plain PyTorch, as in the
# Microsoft Learn course: a model, a loss, an optimiser, and a loop over epochs with a
# ``train()`` and a ``test()`` function. To keep it small we teach this one only "yes" and "no"
# (``neither=False`` keeps just those two folders), on part of the training split, without
# augmentation.


def load(dataset, limit=None):
    """All clips of a dataset as one tensor (n, 1, 16000) and their labels (n,)."""
    n = len(dataset) if limit is None else min(limit, len(dataset))
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0))[:n]
    waves = torch.stack([dataset[int(i)][0] for i in order])
    labels = torch.tensor([dataset.labels[int(i)] for i in order])
    return waves, labels, [dataset.speakers[int(i)] for i in order]


class SmallCNN(nn.Module):
    def __init__(self, n_classes, relu_on_logits=False):
        super().__init__()
        self.logmel = torchaudio.transforms.MelSpectrogram(16000, n_fft=512, hop_length=160, n_mels=40)
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, n_classes),
        )
        self.relu_on_logits = relu_on_logits

    def forward(self, x):
        image = torch.log(self.logmel(x) + 1e-6)
        image = image - image.mean(dim=-1, keepdim=True)  # per-band mean removed (the microphone)
        logits = self.net(image)
        return torch.relu(logits) if self.relu_on_logits else logits


def train_one_epoch(model, waves, labels, optimizer, loss_fn, batch_size=32):
    model.train()
    order = torch.randperm(len(labels))
    for start in range(0, len(order) - 1, batch_size):
        batch = order[start:start + batch_size]
        loss = loss_fn(model(waves[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test(model, waves, labels):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(waves[i:i + 256]) for i in range(0, len(labels), 256)])
    return (logits.argmax(dim=1) == labels).float().mean().item(), logits


def fit(train_data, test_data, epochs, relu_on_logits=False):
    torch.manual_seed(0)
    model = SmallCNN(n_classes=2, relu_on_logits=relu_on_logits)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        train_one_epoch(model, *train_data[:2], optimizer, loss_fn)
    return model, test(model, *test_data[:2])


EPOCHS = 1 if tutorial_quick_mode() else 4
LIMIT = 200 if tutorial_quick_mode() else 1200
yes_no_train = load(SpeechCommands(synthetic_root, subset="training"), LIMIT)
yes_no_test = load(SpeechCommands(synthetic_root, subset="testing"), LIMIT // 3)
plain_model, (plain_accuracy, _) = fit(yes_no_train, yes_no_test, EPOCHS)
print(f"plain loop: {EPOCHS} epochs on {len(yes_no_train[1])} clips; accuracy on {len(yes_no_test[1])} clips "
      f"of voices it never heard: {plain_accuracy:.1%}")

# %%
# **The course's first choice: a random split.** The course splits its clips at random into
# training and test, so the same speakers end up on both sides. Here is what that does to the
# score. We take one pool of clips, split it twice with about the same sizes, once at random and once
# by speaker, and train the same loop on each.

pool_waves, pool_labels, pool_speakers = yes_no_train
n_test = len(pool_labels) // 4
shuffled = torch.randperm(len(pool_labels), generator=torch.Generator().manual_seed(1))
random_test, random_train = shuffled[:n_test], shuffled[n_test:]
speakers = sorted(set(pool_speakers))
held_out = set(speakers[:: 4])  # every fourth speaker
by_speaker_test = torch.tensor([i for i, s in enumerate(pool_speakers) if s in held_out])
by_speaker_train = torch.tensor([i for i, s in enumerate(pool_speakers) if s not in held_out])


def subset(indices):
    return pool_waves[indices], pool_labels[indices]


_, (random_accuracy, _) = fit(subset(random_train), subset(random_test), EPOCHS)
_, (speaker_accuracy, _) = fit(subset(by_speaker_train), subset(by_speaker_test), EPOCHS)
shared = len({pool_speakers[i] for i in random_test.tolist()} & {pool_speakers[i] for i in random_train.tolist()})
print(f"random split:     {random_accuracy:.1%} on {len(random_test)} test clips "
      f"({shared} of their speakers are also in training)")
print(f"split by speaker: {speaker_accuracy:.1%} on {len(by_speaker_test)} test clips (no shared speaker)")
margin = 100 * 1.96 * math.sqrt(0.25 / max(1, n_test))  # the widest 95 % interval of a share
print(f"the random split reports {100 * (random_accuracy - speaker_accuracy):+.1f} points "
      f"(one test set of this size is uncertain by about +/-{margin:.1f} points)")

# %%
# A test set must hold voices the model never heard, or its score answers another question
# ("does it recognise these people?"). Synthetic speakers differ less from each other than real
# people, so the gap here is a lower bound: with real speakers it is usually larger.
#
# **The course's second choice: ReLU on the logits.** The course's network ends with a ReLU
# after its last layer. A logit is a score that may be negative; clamping it at zero throws away
# the "certainly not" half of every score, and when every logit of a clip is clamped, the model
# has no answer at all (``argmax`` of a tie picks the first class).

relu_model, (relu_accuracy, relu_logits) = fit(yes_no_train, yes_no_test, EPOCHS, relu_on_logits=True)
dead = (relu_logits <= 0).all(dim=1).float().mean().item()
print(f"ReLU on the logits: {relu_accuracy:.1%} (without: {plain_accuracy:.1%}); "
      f"{dead:.1%} of the test clips get all-zero logits, so they are called "
      f"'{SpeechCommands(synthetic_root, subset='testing').classes[0]}' by default")

# %%
# The full version: ``audioviz.model.train``
# ------------------------------------------
#
# The loop above is the skeleton. :func:`audioviz.model.train` (or ``audioviz train --out DIR``
# on the command line) is the same loop with what a model for the real world needs:
#
# - **the "neither" classes** ``"_unknown_"`` and ``"_silence_"`` (``neither=True``, the
#   default), with the loss of each class weighted so that rare and common classes count alike;
# - **augmentation**: every batch changed at random, differently in each epoch (below);
# - **a schedule**: a linear warm-up (large steps on random weights diverge), then a cosine decay
#   (small steps at the end settle into a minimum), AdamW weight decay and label smoothing;
# - **the best epoch chosen on validation voices**, never on the test set or on real recordings;
# - **checkpoints**: ``model.pt`` (weights, labels and feature settings, readable with
#   ``torch.load(path, weights_only=True)``), ``metrics.json`` after every epoch, and a training
#   state so that Ctrl-C then ``--resume`` continues where it stopped; ``--seed`` fixes every
#   random choice, so the same seed gives the same model on the same machine;
# - **any keywords**: ``audioviz train --words up,down,left,right`` synthesises what it needs;
#   the ten Speech Commands keywords give its standard 12-category model.
#
# Its network, :class:`audioviz.model.KeywordCNN`, has the log-mel front end *inside* (so the
# next lesson explains exactly the image it saw) and four convolution blocks:

print(model)
print(f"labels (one output each): {model.labels}; words: {model.words}")
print(f"{sum(p.numel() for p in model.parameters())} weights; on this machine training would run on "
      f"{resolve_device('auto')}")

# %%
# What the network hears while it trains
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# The synthetic set has a few hundred voices; real people are more varied. So every training
# batch is changed (settings in :class:`audioviz.model.AugmentConfig`). The sound
# (:func:`audioviz.model.augment_waveforms`) is played faster or slower (which moves pitch and
# formants together, like a smaller or larger speaker), shifted in time and mixed with noise of
# a random colour at a random signal-to-noise ratio. Its image
# (:func:`audioviz.model.augment_features`) is stretched or squeezed along the mel axis (formants
# higher or lower), warped in time (one part of the word drawn out, another hurried, as people do
# and a rule-based synthesiser does not), and a few mel bands and instants are blanked
# (SpecAugment, :func:`audioviz.model.spec_augment`), so that no single band or moment can decide
# alone. Last, *mixup*: each image is added to another clip's with a random weight, and the
# answer the network should give is mixed with the same weights, so its confidence falls off
# smoothly between the words it knows instead of jumping at the edge of what it was shown.
# Here is one test clip as the model would see it in four training batches (before mixup). The
# vertical axis is in mel units (how the bands are spaced), labelled in Hz.

test_set = splits["testing"]
first_yes = test_set.classes.index("yes")
waveform, sample_rate, _, word, speaker = test_set[test_set.labels.index(first_yes)]
config = AugmentConfig()
generator = torch.Generator().manual_seed(0)
with torch.no_grad():
    batch = augment_waveforms(waveform.unsqueeze(0).repeat(4, 1, 1), config, generator, sample_rate=sample_rate)
    augmented = augment_features(model.features(batch), config, generator)
    images = torch.cat([model.features(waveform.unsqueeze(0)), augmented])

front = model.config.frontend
mel_min = 2595 * math.log10(1 + front.f_min / 700)  # HTK mel scale, the model's
mel_max = 2595 * math.log10(1 + front.f_max / 700)
extent = [0, waveform.shape[-1] / sample_rate, mel_min, mel_max]
fig, axes = plt.subplots(1, 5, figsize=(12, 3.2), sharey=True, layout="constrained")
for k, ax in enumerate(axes):
    shown = ax.imshow(images[k, 0], origin="lower", aspect="auto", extent=extent, cmap="magma", vmin=-3, vmax=3)
    ax.set_title("as recorded" if k == 0 else f"training view {k}")
    ax.set_xticks([0.25, 0.5, 0.75])  # no 0 and 1 labels to collide between panels
    ax.set_xlabel("time (s)")
axes[0].yaxis.set_major_formatter(MelHzFormatter())
axes[0].set_yticks([2595 * math.log10(1 + f / 700) for f in (100, 500, 1000, 2000, 4000, 8000)])
axes[0].set_ylabel("frequency (Hz, mel scale)")
fig.colorbar(shown, ax=axes, label="normalised log power (0 = band mean)", shrink=0.9)
fig.suptitle(f"'{word}': the model's log-mel image, and four augmented versions")
plt.show()

# %%
# The training of this page's model
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
#
# Its training curves, read from ``metrics.json``. The training accuracy is *lower* than the
# validation accuracy for most of the run. That is not a bug: training clips are augmented and
# dropout is active, while validation clips are heard as they are.

import json  # noqa: E402

from audioviz.explain import ConfusionMatrixDisplay, TrainingCurvesDisplay  # noqa: E402

metrics = json.loads((checkpoint.parent / "metrics.json").read_text())
print(f"{len(metrics['epochs'])} epochs on {metrics['device']}, "
      f"{sum(e['seconds'] for e in metrics['epochs']):.0f} s of training; best epoch {metrics['best']['epoch']} "
      f"(validation score {metrics['best']['val_score']:.1%}: the mean recall of the {len(model.labels)} classes)")
TrainingCurvesDisplay.from_file(checkpoint.parent).plot()
plt.show()

# %%
# What a checkpoint holds
# ^^^^^^^^^^^^^^^^^^^^^^^
#
# :func:`audioviz.model.train` returns a :class:`~audioviz.model.TrainResult` (the folder, the
# best epoch, the history) and writes ``model.pt`` with :func:`~audioviz.model.save_checkpoint`:
# the weights, a checksum of them, and the :class:`~audioviz.model.ModelConfig` that rebuilds the
# network, whose :class:`~audioviz.model.FrontendConfig` says how the
# :class:`~audioviz.model.LogMelFrontend` turns a waveform into the log-mel image. Its default is
# ``DEFAULT_EPOCHS`` epochs. The network's outputs are the keywords and
# ``NEITHER_LABELS``; :func:`~audioviz.model.answer_of` turns an output label into the answer a
# person reads, a keyword or ``NEITHER``.

from audioviz.model import DEFAULT_EPOCHS, NEITHER, NEITHER_LABELS, answer_of  # noqa: E402

config = model.config
print(f"words {config.words}, labels {model.labels}, channels {config.channels}; "
      f"front end: {config.frontend.n_mels} mel bands from {config.frontend.f_min:g} to "
      f"{config.frontend.f_max:g} Hz, one frame every {config.frontend.hop_length} samples "
      f"({type(model.frontend).__name__}); default training length {DEFAULT_EPOCHS} epochs")
print({label: answer_of(label, model.words) for label in model.labels},
      f"('{NEITHER}' stands for {NEITHER_LABELS})")

# %%
# Why "neither": the two-word model calls "go" a "no"
# ---------------------------------------------------
#
# A model with only two outputs must answer "yes" or "no" to *everything*: other words, a cough,
# a quiet room. :func:`audioviz.model.tutorial_checkpoint` with ``neither=False`` gives the
# closed-set model, trained on the same yes and no clips with ``train(neither=False)``. We play
# it the word "go", which differs from "no" by its first consonant only. audioviz looks for real
# Speech Commands recordings in ``AUDIOVIZ_SPEECH_COMMANDS`` or where ``audioviz data download``
# puts Google's test set (they are never downloaded behind your back); without them, the page
# synthesises "go" clips by new synthetic speakers, whose voice settings no training clip used.

closed_model, _ = load_checkpoint(tutorial_checkpoint(neither=False, progress=False))
print("closed-set labels:", closed_model.labels)

real_root = real_speech_commands_root()
real_categories = None
if real_root is not None:
    real_categories = SpeechCommands(real_root, subset="testing", words=model.words, neither=True)
has_real_go = real_categories is not None and "go" in real_categories.categories
if has_real_go:
    go_clips, source = SpeechCommands(real_root, subset="testing", words=("go",)), "REAL"
else:
    # synthesize_word draws a fresh speaker per seed; these seeds are far from the training data's.
    go_clips, source = [], "synthetic"
    for seed in range(1_000_000, 1_000_048):
        waveform, rate, _ = synthesize_word("go", seed=seed)
        go_clips.append((waveform, rate, 0, "go", f"synthetic speaker {seed}"))
go_closed = evaluate(closed_model, go_clips, details=True)
go_open = evaluate(model, go_clips, details=True)
called_no = [p for p in go_closed["predictions"] if p["predicted"] == "no"]
sure = sum(p["confidence"] > 0.9 for p in called_no)
print(f"{len(go_clips)} {source} 'go' clips: the two-word model calls {len(called_no) / len(go_clips):.0%} of them "
      f"'no' ({sure} of those with more than 90 % confidence)")
print(f"the yes/no/neither model answers 'neither' to {go_open['per_class']['neither']:.0%} of the same clips")

# %%
# The closed-set model is not broken; it answers the only question it was asked ("is this more
# like yes or like no?"), and "go" is much more like "no". Confidence does not help: a softmax over
# two classes sums to one whatever the input, so "sure" means "surely more like no", not "surely
# no". The fix is to ask the right question, with classes for everything else.
#
# The three-way model on real voices
# ----------------------------------
#
# :func:`audioviz.model.evaluate` scores every clip; for a clip of anything other than yes or no,
# "neither" is the right answer. ``false_accept`` is what a listener fears most: the share of
# other words (and of silence) answered as "yes" or "no". ``audioviz evaluate --checkpoint
# runs/yes_no/model.pt --data DIR --json out.json`` prints and stores the same.

synthetic_result = evaluate(model, splits["testing"])
results = {"synthetic test voices": synthetic_result}
if real_categories is not None:
    results["REAL voices"] = evaluate(model, real_categories, details=True)
    results["REAL voices, two-word model"] = evaluate(closed_model, real_categories)
else:
    print("REAL VOICES NOT AVAILABLE on this machine: the numbers below are synthetic only.\n"
          "Get Google's test set with `audioviz data download`, or set AUDIOVIZ_SPEECH_COMMANDS.")
for name, result in results.items():
    accepts = ", ".join(f"{k} {v:.1%}" for k, v in result["false_accept"].items() if v is not None)
    recall = ", ".join(f"{w} {r:.1%}" for w, r in result["per_class"].items())
    print(f"{name}: accuracy {result['accuracy']:.1%} on {result['n']} clips; recall {recall}; "
          f"false accepts: {accepts or 'no other words in this set'}")

# One figure per matrix: side by side on a wide screen, one under the other on a phone, each
# large enough to read.
for name, result in results.items():
    fig, ax = plt.subplots(figsize=(4.6, 4.2), layout="constrained")
    ConfusionMatrixDisplay.from_evaluation(result).plot(ax=ax, title="")
    title = name.replace(", ", "\n")  # "REAL voices, two-word model" is wider than its panel
    ax.set_title(f"{title}\naccuracy {result['accuracy']:.1%}", fontsize=10)
plt.show()

# %%
# Read each matrix by rows: a row is what was said, a column what the model answered. Where real
# recordings are available, two more matrices follow the synthetic one: the three-way
# model's on real voices, and the two-word model's, whose "neither" row spreads over "yes" and
# "no" only, since it has no other answer. The gap between the synthetic and the real matrix is
# the honest measure of what was learned from synthetic speech; without real recordings, the
# synthetic matrix alone can only flatter the model.
#
# Which way does the model lean? A model's mistakes are rarely symmetric; the page counts them.

real_result = results.get("REAL voices")
measured = real_result if real_result is not None else synthetic_result
labels = measured["words"]
confusion = measured["confusion"]
mistakes = {(labels[i], labels[j]): confusion[i][j] for i in range(len(labels)) for j in range(len(labels))
            if i != j and confusion[i][j]}
for (said, heard), count in sorted(mistakes.items(), key=lambda kv: -kv[1]):
    print(f"  said {said!r:>9}, answered {heard!r:>9}: {count} clips")
no_as_yes = mistakes.get(("no", "yes"), 0)
yes_as_no = mistakes.get(("yes", "no"), 0)
print(f"'no' heard as 'yes' {no_as_yes} times, 'yes' heard as 'no' {yes_as_no} times")
missed = {w: sum(confusion[labels.index(w)]) - confusion[labels.index(w)][labels.index(w)] for w in model.words}
to_neither = {w: mistakes.get((w, "neither"), 0) for w in model.words}
for w in model.words:
    if missed[w]:
        print(f"of the {missed[w]} '{w}' clips missed, {to_neither[w]} were answered 'neither'")

# %%
# If one direction dominates, the model has a *bias*, and it comes from the data. Synthetic voices
# are all one synthesiser's idea of a vowel, so a real "no" said with a short or open vowel, or a
# real "yes" whose /s/ is buried in noise, can land on the wrong side of a boundary drawn between
# eSpeak voices. An open-set model adds a second way to be wrong: its "neither" side was taught
# with near misses ("now", "nose", "low", "yet", "guess"), so the boundary around each keyword is
# drawn tight around the synthesiser's pronunciation, and a real keyword that sounds unlike
# eSpeak's may be answered "neither" instead. That trade-off (miss a keyword, or accept another
# word) is the central one of every keyword spotter; the false accepts above and the missed
# keywords here are its two sides. Balanced classes do not remove it; more varied voices do, and
# only real clips used as a test (never as training data here) reveal it. The next lesson looks
# inside the model at the mistakes themselves.
#
# Classifying your own recording
# ------------------------------
#
# :func:`audioviz.model.predict` takes any recording, of any length and sample rate, and brings
# it to one second at 16 kHz with :func:`audioviz.model.prepare_clip`, the same rule the training
# clips went through (mono, resampled, centred if short, the loudest second if long), and says
# what it did. Here a test clip is resampled to 44.1 kHz and padded to 1.5 s, as a phone
# recording might be. The result is a :class:`~audioviz.model.Prediction`: the answer
# (``.word``: a keyword or "neither"), the raw class (``.label``), the probability of every class,
# the one-second clip the model heard, and the notes.
#
# Record yourself with the recorder widget (:class:`audioviz.Recorder` in a notebook, see tutorial 11), or try
# the model in your browser on the `Try it <../try.html>`_ page, which runs this model on your
# microphone with the same clip rule.

PHONE_RATE, PHONE_SECONDS = 44100, 1.5
clip_44k = torchaudio.functional.resample(waveform, 16000, PHONE_RATE)
pad = (int(PHONE_SECONDS * PHONE_RATE) - clip_44k.shape[-1]) // 2
clip_44k = torch.nn.functional.pad(clip_44k, (pad, pad))
one_second, notes = prepare_clip(clip_44k, PHONE_RATE)
print("prepare_clip:", notes)
prediction = predict(model, clip_44k, PHONE_RATE)
print(f"said '{word}'; the model answers: {prediction}")

from IPython.display import Audio  # noqa: E402

Audio(prediction.waveform[0].numpy(), rate=prediction.sample_rate)

# %%
# Next: the model is right most of the time. The next lesson asks *why*: which parts of the
# spectrogram it looks at, what it "listens to", and it plays its most confident mistakes.
