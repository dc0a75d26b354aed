"""
Speech to learn from: synthetic and real speech commands
========================================================

The next tutorials train a small network to tell the spoken words "yes" and "no" apart. Networks
learn from examples, thousands of them. The classic set is Google's **Speech Commands**
(Warden, 2018): 105 829 one-second clips of 35 words said by 2 618 volunteers into their own
phones and laptops. It is a 2.3 GB download, and these tutorials run offline, so audioviz makes
its own speech: a synthetic speech-commands set with exactly the same layout, spoken by the
eSpeak NG synthesiser and then "recorded" through a simulated room, microphone and background
noise. The same loader reads both, so everything that follows works on either.

**Run it yourself:** this page needs audioviz (see the Install page). It synthesises its speech
offline (some seconds the first time, cached afterwards). Its real-voice sections use Google's
Speech Commands v0.02 test set when this machine has it: ``audioviz data download`` fetches the
official archive once (online), or set ``AUDIOVIZ_SPEECH_COMMANDS`` to a copy you have; without
it those sections say so and show synthetic clips only.

This tutorial:

* says one word with a synthetic voice, first clean, then as if recorded;
* builds the synthetic dataset and walks through its folders and its split;
* loads it as a torch ``Dataset`` and listens to a gallery of clips;
* does the same with real recordings, when this machine has them, and compares the two.
"""

# %%
# One word, clean and "recorded"
# ------------------------------
#
# :func:`audioviz.data.synthesize_word` picks a random synthetic speaker (one of eSpeak NG's
# English accents, a voice variant, a speaking rate, a pitch, an intonation range and a
# "vocal-tract warp" that scales all formants, as between a small and a tall person) and has it
# say a word. With ``augment=False`` we hear the synthesiser alone; with ``augment=True`` the
# same utterance goes through the chain that real clips went through: a random place in the
# one-second window, a room's echoes, a microphone's band limits and colouring, background noise
# and a recording level.
import matplotlib.pyplot as plt
import torch
from IPython.display import Audio

import audioviz
from audioviz.data import (
    SpeechCommands,
    SynthesisConfig,
    ensure_synthetic_dataset,
    plot_speech_examples,
    real_speech_commands_root,
    synthesize_word,
)

def snr_db(clip):
    """Loudest 10 ms frames against the quietest tenth, in dB (as measured further below)."""
    frames = clip[0, : clip.shape[-1] // 160 * 160].reshape(-1, 160)
    energy_db = 10 * torch.log10((frames**2).mean(dim=1) + 1e-12)
    return float(torch.quantile(energy_db, 0.97) - torch.quantile(energy_db, 0.10))


# Recording conditions are drawn at random, and many draws bury the word in noise (on purpose,
# see the end of this page). To *see* what the chain does, we take, among the first ten seeds,
# the "recording" whose signal-to-noise ratio is closest to 40 dB and whose word ends inside the
# window: noisy enough to see the noise, clear enough to see the word. The gallery further down
# shows typical ones.
def ends_before(clip, seconds=0.9):
    """Whether the word (frames within 30 dB of the loudest) is over before ``seconds``."""
    frames = clip[0, : clip.shape[-1] // 160 * 160].reshape(-1, 160)
    energy_db = 10 * torch.log10((frames**2).mean(dim=1) + 1e-12)
    loud = torch.nonzero(energy_db > energy_db.max() - 30).flatten()
    return float(loud[-1]) * 0.01 < seconds


takes = {seed: synthesize_word("yes", seed=seed, augment=True)[0] for seed in range(10)}
seed = min(takes, key=lambda k: abs(snr_db(takes[k]) - 40) if ends_before(takes[k]) else 1e9)
clean, sample_rate, speaker = synthesize_word("yes", seed=seed, augment=False)
recorded = takes[seed]
print(f"seed {seed}: signal-to-noise ratio {snr_db(recorded):.0f} dB "
      f"(the ten seeds range from {min(map(snr_db, takes.values())):.0f} to {max(map(snr_db, takes.values())):.0f} dB)")
print("synthetic speaker:", {k: round(v, 2) if isinstance(v, float) else v for k, v in speaker.items()})

with audioviz.style():
    fig, axes = plt.subplots(2, 2, figsize=(9, 4.8), sharex=True, height_ratios=(1, 2), layout="constrained")
    for column, (name, clip) in enumerate([("clean synthesiser", clean), ("after room, microphone and noise", recorded)]):
        audioviz.plot_waveform(clip, sample_rate, ax=axes[0, column])
        axes[0, column].set_title(name)
        axes[0, column].set_xlabel("")
        image = audioviz.plot_spectrogram(clip, sample_rate, n_fft=512, hop_length=160, ax=axes[1, column],
                                          colorbar=column == 1)
    image.colorbar.set_label("dB re. power 1")  # tutorial 3's convention: 10 log10 of the power

# %%
# The clean word sits in the middle of the window on a perfectly silent background, with sharp
# formant bands and a hiss of /s/ at the end. The "recorded" one starts wherever the speaker
# happened to speak, is smeared in time by the room (its echoes blur the edges of the vowel and
# the /s/), shaped by the microphone, and sits on a bed of noise. Listen to both:
Audio(clean.numpy(), rate=sample_rate)

# %%
Audio(recorded.numpy(), rate=sample_rate)

# %%
# Every range the generator draws from lives in one dataclass, :class:`audioviz.data.SynthesisConfig`.
# Its defaults were chosen by measuring real Speech Commands clips (their level, where the word
# starts, how loud the background is, how much of the spectrum survives the microphone) and by
# checking that a network trained only on synthetic clips recognises real ones.
SynthesisConfig()

# %%
# The synthetic dataset
# ---------------------
#
# :func:`audioviz.data.ensure_synthetic_dataset` returns a complete synthetic yes/no set from the
# audioviz cache folder (:func:`audioviz.data.default_data_root`), making it on first use with
# :func:`audioviz.data.synthesize_speech_commands`. The first time takes some seconds; later calls
# find the finished folder's ``manifest.json`` and return at once. (From a terminal:
# ``audioviz data synth --root DIR``.) This is the very set the classifier of the next tutorial
# trains on.
import time

start = time.perf_counter()
root = ensure_synthetic_dataset(progress=False)  # no progress bar on the page
print(f"{root.name}  ({time.perf_counter() - start:.1f} s)")

# %%
# The cache lives in :func:`audioviz.data.default_data_root` (set the environment variable
# ``AUDIOVIZ_CACHE`` to move it). Any of the 35 Speech Commands words can be synthesised, into any
# folder, with :func:`audioviz.data.synthesize_speech_commands`; here a tiny "up"/"down" set. A
# second call with the same arguments finds the finished folder and returns at once, and the same
# seed always gives the same bytes.
import tempfile
from pathlib import Path

from audioviz.data import SPEECH_COMMANDS_WORDS, default_data_root, synthesize_speech_commands

print("cache folder:", default_data_root())
print("words:", ", ".join(SPEECH_COMMANDS_WORDS))
with tempfile.TemporaryDirectory() as tmp:
    for attempt in ("first call", "second call"):
        start = time.perf_counter()
        small = synthesize_speech_commands(Path(tmp) / "up_down", words=("up", "down"), per_word=20, seed=0,
                                           progress=False)
        clips = {word: len(list((small / word).glob("*.wav"))) for word in ("up", "down")}
        print(f"{attempt}: {time.perf_counter() - start:.2f} s, clips per word: {clips}")

# %%
# Back to the set the classifier trains on. Besides "yes" and "no" it holds the examples of
# *neither*: many other words (near misses such as "yet" or "guess", cut-off words, nonsense)
# and ``_silence_`` (background noise only), so that a model learns to say "neither" instead of
# guessing. The folder looks exactly like the real Speech Commands v0.02: one folder per word,
# one file per clip named ``<speaker>_nohash_<n>.wav`` (the n-th time that speaker said that
# word), and two lists naming the clips of the validation and the testing split.
folders = {path.name: len(list(path.iterdir())) for path in sorted(root.iterdir()) if path.is_dir()}
for name in ["yes", "no"] + [name for name in folders if name.startswith("_")]:
    print(f"{name + '/':<20}{folders[name]} files")
others = {name: n for name, n in folders.items() if name not in ("yes", "no") and not name.startswith("_")}
print(f"and {len(others)} folders of other words, {sum(others.values())} files in all, e.g. {list(others)[:6]}")
print("files:", [p.name for p in sorted(root.iterdir()) if p.is_file()])
print()
print("first clips of yes/:", sorted(p.name for p in (root / "yes").iterdir())[:4])
print("validation_list.txt starts:", (root / "validation_list.txt").read_text().split()[:3])

# %%
# Where do the "neither" words come from? :func:`audioviz.data.neither_vocabulary` picks them
# for any keywords, by source: words that sound like a keyword (:func:`audioviz.data.near_misses`),
# the other Speech Commands keywords (:data:`audioviz.data.SPEECH_COMMANDS_KEYWORDS`), everyday
# English words (from :data:`audioviz.data.VOCABULARY`) and made-up nonsense syllables. Words you
# pass yourself are checked by :func:`audioviz.data.check_words` (distinct, lower-case English
# words), and :func:`audioviz.data.verify_synthetic_dataset` checks a finished folder against its
# manifest, file by file (it returns a :class:`audioviz.data.DatasetCheck`).
from audioviz.data import (
    SPEECH_COMMANDS_KEYWORDS,
    VOCABULARY,
    check_words,
    near_misses,
    neither_vocabulary,
    verify_synthetic_dataset,
)

print("near misses of 'yes':", near_misses("yes")[:8])
print("neither words by source:", {source: len(words) for source, words in neither_vocabulary(("yes", "no")).items()})
print("keywords of Speech Commands:", SPEECH_COMMANDS_KEYWORDS, f"| everyday words known: {len(VOCABULARY)}")
print("checked:", check_words(["yes", "no"]))
print(verify_synthetic_dataset(root))

# %%
# Why lists of files instead of three folders? Because the split is made **by speaker**: every
# clip of a speaker lands in the same split. If one voice were in both the training and the test
# set, a network could score well by recognising the *voice*, and the test would overrate it on
# people it has never heard. The loader, :class:`audioviz.data.SpeechCommands`, reads the lists
# (through torchaudio's ``SPEECHCOMMANDS``) and returns one split:
splits = {subset: SpeechCommands(root, subset=subset) for subset in ("training", "validation", "testing")}
for subset, dataset in splits.items():
    print(f"{subset:>10}: {len(dataset):5d} clips, {dataset.counts()}, {len(set(dataset.speakers))} speakers")
shared = set(splits["training"].speakers) & (set(splits["validation"].speakers) | set(splits["testing"].speakers))
print("speakers in training and in another split:", len(shared))

# %%
# Each item is a tuple ``(waveform, sample_rate, label, word, speaker)``, the waveform a float
# tensor of shape ``(1, 16000)``: one second at 16 kHz, ready for a network.
train_set = splits["training"]
waveform, sample_rate, label, word, speaker_id = train_set[0]
print(waveform.shape, waveform.dtype, sample_rate, label, word, speaker_id)

# %%
# Look and listen
# ---------------
#
# :func:`audioviz.data.plot_speech_examples` picks a few clips of each word (from different
# speakers) and draws each one's waveform over its spectrogram. The returned
# :class:`audioviz.data.SpeechExamplesDisplay`, shown as the last value of a cell, becomes a table of
# audio players laid out like the figure.
with audioviz.style():
    synthetic_gallery = plot_speech_examples(train_set, n_per_word=4, seed=1, figsize=(11, 6.8))
synthetic_gallery

# %%
# Notice how different the clips of one word look: early or late, loud or quiet, clean or
# noisy, bright or muffled. That variety is the point. A network can only learn what stays the
# same across all of them: "yes" ends in the broadband hiss of /s/ over the upper half of the spectrum, "no" starts with
# the low hum of a nasal /n/ and glides through the vowel /oʊ/ with no hiss at all.
#
# Real recordings
# ---------------
#
# :func:`audioviz.data.real_speech_commands_root` finds real Speech Commands clips on this machine:
# the folder named by the environment variable ``AUDIOVIZ_SPEECH_COMMANDS``, or else the copy
# that ``audioviz data download`` put into the audioviz cache (Google's official v0.02 test set).
# It looks nowhere else, so a notebook behaves the same wherever it runs and however audioviz was
# installed. To get the set: run ``audioviz data download`` once when online, or point
# ``AUDIOVIZ_SPEECH_COMMANDS`` at a copy you already have (either Google's test layout or
# torchaudio's). In Python, :func:`audioviz.data.download_speech_commands_test_set` does what
# ``audioviz data download`` does. The same loader reads it; nothing on this page downloads
# anything.
real_root = real_speech_commands_root()
if real_root is None:
    real_set = None
    print("No real Speech Commands recordings were found on this machine, so this page shows only "
          "synthetic clips. Run `audioviz data download` (online) or point AUDIOVIZ_SPEECH_COMMANDS "
          "at a Speech Commands v0.02 folder to compare.")
else:
    real_set = SpeechCommands(real_root, subset="testing")
    print(f"Real recordings found: {len(real_set)} clips, {real_set.counts()}, "
          f"{len(set(real_set.speakers))} speakers")

# %%
# The same gallery, for real people (skipped when no real recordings were found):
real_gallery = None
if real_set is not None:
    with audioviz.style():
        real_gallery = plot_speech_examples(real_set, n_per_word=4, seed=1, figsize=(11, 6.8))
else:
    print("(no real recordings on this machine: nothing to show)")
real_gallery

# %%
# Real clips are not curated, and it shows: a clip may hold almost nothing but background noise
# (a speaker far from the microphone, a word mumbled or cut off by the one-second window). When a
# clip in the gallery shows no word at all, its signal-to-noise ratio is the giveaway, here for
# every clip shown and for the whole real set:
if real_set is not None:
    for clip in real_gallery.clips:
        print(f"{clip['word']:>4} {clip['speaker']}: {snr_db(clip['waveform']):4.0f} dB")
    every_snr = [snr_db(real_set[i][0]) for i in range(len(real_set))]
    print(f"real clips with a signal-to-noise ratio below 15 dB: {sum(v < 15 for v in every_snr)} "
          f"of {len(every_snr)}")
else:
    print("(no real recordings on this machine)")

# %%
# Such clips stay in the test set, and every model is scored on them: a word that is not audible
# above the noise counts as a mistake like any other. Keep them in mind when tutorial 9 counts
# its mistakes on real voices.
#
# Synthetic against real, in numbers
# ----------------------------------
#
# Looking at a handful of clips is not enough to say whether synthetic data "looks like" real
# data. So we measure four things on every clip: its **peak level** (dB relative to full scale),
# the **time the word starts** (the first 10 ms frame within 20 dB of the loudest one), its
# **signal-to-noise ratio** (loudest frames against the quietest tenth, in dB), and its
# **bandwidth** (the frequency below which 99 % of the energy lies). Matching these
# distributions is how the generator's defaults were chosen.
import numpy as np


def clip_measurements(dataset, n_clips=400, seed=0):
    """Peak (dBFS), onset (s), SNR (dB) and 99 % bandwidth (Hz) of up to ``n_clips`` clips."""
    rng = np.random.default_rng(seed)
    indices = rng.permutation(len(dataset))[:n_clips]
    rows = []
    for i in indices:
        x = dataset[int(i)][0][0].numpy().astype(np.float64)
        frames = x.reshape(100, 160)  # 10 ms frames
        energy_db = 10 * np.log10((frames**2).mean(axis=1) + 1e-12)
        onset = np.argmax(energy_db > energy_db.max() - 20) * 0.01
        snr = np.percentile(energy_db, 97) - np.percentile(energy_db, 10)
        power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
        bandwidth = np.searchsorted(np.cumsum(power) / power.sum(), 0.99) * sample_rate / len(x)
        rows.append((20 * np.log10(np.abs(x).max() + 1e-9), onset, snr, bandwidth))
    return np.array(rows)


measured = {"synthetic": clip_measurements(train_set)}
if real_set is not None:
    measured["real"] = clip_measurements(real_set)
for name, m in measured.items():
    print(f"{name}: {len(m)} clips, {(m[:, 2] < 30).mean():.0%} with a signal-to-noise ratio below 30 dB, "
          f"{(m[:, 1] == 0).mean():.0%} with the onset detected in the first frame")

titles = ("peak level (dBFS)", "word onset (s)", "signal-to-noise ratio (dB)", "99 % bandwidth (Hz)")
with audioviz.style():
    fig, axes = plt.subplots(1, 4, figsize=(12, 2.8), layout="constrained")
    for k, (ax, title) in enumerate(zip(axes, titles)):
        values = np.concatenate([m[:, k] for m in measured.values()])
        bins = np.linspace(np.percentile(values, 1), np.percentile(values, 99), 25)
        for name, m in measured.items():
            ax.hist(m[:, k], bins=bins, density=True, histtype="step", linewidth=2, label=name)
        ax.set_title(title)
        ax.set_yticks([])
    axes[0].legend(loc="upper left")

# %%
# Where the curves overlap, the generator imitates real recordings well; where they do not, a
# network trained on synthetic clips meets something new on real ones. One difference is on
# purpose: the synthetic set holds more noisy clips (signal-to-noise ratios below 30 dB) than the
# real one, because a network that has learnt the words through noise copes with clean speech,
# while the reverse is not true. Those noisy clips also explain the synthetic peak at 0 s in the
# onset panel: when the noise is within 20 dB of the speech, our simple onset detector fires on
# the first frame. Real people also do
# things no synthesiser does (breathe, click the microphone, speak over a television), which is
# why the classifier tutorial measures its accuracy on real voices and not only on synthetic ones.
#
# What we have
# ------------
#
# * :func:`~audioviz.data.ensure_synthetic_dataset` / :func:`~audioviz.data.synthesize_speech_commands`:
#   an offline, reproducible (same seed, same bytes) speech-commands set in the real layout,
#   split by speaker.
# * :class:`~audioviz.data.SpeechCommands`: one loader for synthetic and real folders, giving
#   ``(waveform, sample_rate, label, word, speaker)``.
# * :func:`~audioviz.data.plot_speech_examples`: look at and listen to a dataset before trusting it.
