"""
Spectrograms as images: what a CNN's feature maps show
=======================================================

A convolutional neural network (CNN) was invented for photographs, yet it is also the usual
tool for recognising short spoken words. The trick is that a log-mel spectrogram *is* an image:
a grid of numbers with time across and frequency up. This lesson looks at that image the way a
CNN does.

**Run it yourself:** this page needs audioviz (see the Install page). It synthesises its two
words offline and uses the classifier that tutorial 9 trains: the first run trains it (a few
minutes on a CPU; with ``AUDIOVIZ_TUTORIAL_QUICK=1`` a tiny stand-in in seconds) and caches it,
later runs load it. No data is downloaded.

1. the spoken word as the image our classifier reads;
2. **convolution** by hand: a small kernel slides over the image and lights up where the
   image looks like it, then ReLU and max pooling;
3. the kernels a trained network learned for itself;
4. the **feature maps** of every layer of the trained yes/no classifier, with their true axes;
5. how the last layer's maps become a decision, and a slider to walk through them all.
"""

# %%
# A word as an image
# ------------------
#
# We let the offline speech synthesiser of :mod:`audioviz.data` say "yes" and "no" (one second
# each at 16 kHz, through a simulated room and microphone), and listen first.

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import Audio

import audioviz
from audioviz.data import synthesize_word
from audioviz.explain import FeatureMapDisplay, FeatureMapExplorer, layer_outputs
from audioviz.model import load_checkpoint, tutorial_checkpoint

yes, sample_rate, speaker = synthesize_word("yes", seed=3)
no, _, _ = synthesize_word("no", seed=3)
print(f"'yes': {tuple(yes.shape)} at {sample_rate} Hz, voice {speaker['voice']}")
Audio(yes[0].numpy(), rate=sample_rate)

# %%
Audio(no[0].numpy(), rate=sample_rate)

# %%
# The classifier (the next tutorial trains it; here we load the cached trained copy) computes
# its own input inside the network, with the settings printed below (``front end``): a log-mel
# spectrogram, then a normalisation. With ``normalize="band"`` (the default) each mel band's mean
# over the clip is subtracted from it, which removes the colouring of the microphone and the room
# (a constant per band, in log units), and the whole image is then divided by one number, its
# standard deviation. :func:`audioviz.explain.layer_outputs` returns exactly that image (the
# first of the three things it returns; we meet the others below) as an
# :class:`audioviz.Feature`, so it keeps its axes: the time of each column in seconds and the
# mel position of each row.

model, info = load_checkpoint(tutorial_checkpoint(progress=False))
print("words:", model.words, "| front end:", info["frontend"])

image_yes, _, _ = layer_outputs(model, yes)
image_no, _, _ = layer_outputs(model, no)
print("image:", tuple(image_yes.data.shape), "(channel, mel bands, frames)")
band_means = image_yes.data[0].mean(dim=-1)
print(f"after the front end: every band's mean within {float(band_means.abs().max()):.1e} of 0, "
      f"standard deviation of the image {float(image_yes.data.std(unbiased=False)):.2f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), sharey=True, layout="constrained")
for ax, image, word in zip(axes, (image_yes, image_no), ("yes", "no")):
    im = audioviz.plot_feature(image, ax=ax, cmap="viridis", colorbar=False)
    ax.set_title(f"'{word}': {image.data.shape[-2]} x {image.data.shape[-1]} pixels")
fig.colorbar(im, ax=axes, label="log power, band mean removed\n(in standard deviations)")
plt.show()

# %%
# **What to notice:** each picture is small (its size is in the titles), yet the words are easy to
# tell apart by eye. "yes" ends in a long hiss, the "s", bright above 4 kHz; "no" has
# no hiss at all but a long voiced vowel whose bands (the formants) glide below 2 kHz. A CNN has
# to find such *local patterns* - a hiss here, a glide there - wherever they occur in the second.
#
# Convolution by hand
# -------------------
#
# A convolution layer slides a small grid of weights, the **kernel**, over the image. At every
# position it multiplies the kernel with the 3 x 3 patch under it and adds up the nine products.
# The output, the **feature map**, is large wherever the patch looks like the kernel. (Strictly
# this is a cross-correlation - the kernel is not flipped - as in every deep-learning library.) Three
# hand-made kernels show what that means on a spectrogram:
#
# * an **onset** detector: negative on the left column, positive on the right: bright where
#   energy rises from one frame to the next (a word starts, a consonant bursts);
# * a **band** detector: positive on the middle row, negative above and below: bright on a
#   ridge of energy one mel band wide, a harmonic or a formant;
# * a **high-minus-low** detector: positive on the top row, negative on the bottom: bright where
#   the band above is louder than the band below, which happens at the *bottom* edge of a hiss or
#   a formant (quiet below, loud above); at a top edge it is the other way round, and the
#   response is negative.

kernels = {
    "onset (time edge)": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "band (ridge)": [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
    "high minus low (frequency edge)": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
}
# Rows of the arrays above are listed top to bottom as printed; in the image, row 0 is the
# lowest frequency, so flip them to put "top" at high frequency.
weights = torch.tensor(list(kernels.values()), dtype=torch.float32).flip(1).unsqueeze(1) / 3

# Pad by repeating the border rows and columns (so the edges of the image do not light up),
# then slide each kernel over every position: out[k, f, t] = sum(weights[k] * patch at (f, t)).
padded = F.pad(image_yes.data.unsqueeze(0).float(), (1, 1, 1, 1), mode="replicate")
maps = F.conv2d(padded, weights)[0]  # (3 kernels, 40 mel bands, 101 frames)
print("input", tuple(image_yes.data.shape), "-> feature maps", tuple(maps.shape))

fig = plt.figure(figsize=(12, 5.4), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=(1, 2.6))
kernel_axes = top.subplots(1, 3)
map_axes = bottom.subplots(1, 3, sharey=True)
for column, name in enumerate(kernels):
    ax = kernel_axes[column]
    ax.imshow(weights[column, 0], origin="lower", cmap="coolwarm", vmin=-1, vmax=1, extent=(-1.5, 1.5, -1.5, 1.5))
    ax.set_xticks([-1, 0, 1], ["-10", "0", "+10"])
    ax.set_xlabel("frame (ms)")
    ax.set_yticks([-1, 0, 1], ["band below", "same band", "band above"])
    ax.set_title(f"kernel: {name}")
    response = maps[column]
    limit = float(response.abs().max())
    feature = image_yes.replace(data=response.unsqueeze(0), unit="response")
    audioviz.plot_feature(feature, ax=map_axes[column], cmap="coolwarm", colorbar=False, vmin=-limit, vmax=limit)
    if column:
        map_axes[column].set_ylabel("")
bottom.suptitle("... and their feature maps on 'yes' (red: the patch looks like the kernel, blue: like its opposite)")
plt.show()

# %%
# **What to notice:** the same small kernel is applied everywhere, so it finds its pattern
# wherever it is. The onset kernel draws a red line where "yes" starts and where the hiss of the
# "s" begins. The band kernel traces thin ridges of energy. The frequency-edge kernel marks in red
# the *bottom* edges of loud regions (look at the lower edge of the hiss) and in blue their top
# edges.
# A convolution layer does exactly this, with
# many kernels at once, each producing one feature map; the network *learns* the nine numbers of
# every kernel instead of us choosing them.
#
# Two more steps follow every convolution in our classifier. **ReLU** sets the negative values to
# zero: a map then says only "pattern present, this strongly". **Max pooling** keeps the largest
# value of every 2 x 2 block: the map shrinks to half as many bands and frames, so the next
# layer's 3 x 3 kernel spans twice as much time and frequency. The axes stay true: each pooled
# cell sits at the centre of the block it came from, twice as far apart in time (printed in the
# titles).

onset = torch.relu(maps[0:1])
pooled = F.max_pool2d(onset.unsqueeze(0), 2)[0]
print(f"after ReLU {tuple(onset.shape)}, after 2 x 2 max pooling {tuple(pooled.shape)}")

# Each pooled cell sits at the centre of the 2 x 2 block it came from (the odd last frame is
# dropped by the pooling): average the block's times and mel positions.
coarse = image_yes.replace(
    data=pooled,
    times=image_yes.times[:100].reshape(50, 2).mean(dim=1),
    rows=image_yes.rows.reshape(20, 2).mean(dim=1),
    hop_length=2 * image_yes.hop_length,
    unit="response",
)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), sharex=True, sharey=True, layout="constrained")
audioviz.plot_feature(image_yes.replace(data=onset, unit="response"), ax=axes[0], cmap="magma", colorbar=False)
axes[0].set_title(f"onset map after ReLU: {onset.shape[-2]} x {onset.shape[-1]}, "
                  f"one cell per {1000 * image_yes.frame_period:.0f} ms")
audioviz.plot_feature(coarse, ax=axes[1], cmap="magma", colorbar=False)
axes[1].set_title(f"after max pooling: {pooled.shape[-2]} x {pooled.shape[-1]}, "
                  f"one cell per {1000 * coarse.frame_period:.0f} ms")
axes[1].set_ylabel("")
axes[1].set_xlim(0, 1)  # the whole second, although pooling dropped the odd last frame
plt.show()

# %%
# The kernels a trained network learned
# -------------------------------------
#
# The first layer of our classifier has a few kernels of 3 x 3 (printed below). Nobody designed them: they started
# random and were adjusted, example after example, to make the right answer more likely. Here
# they are (red positive, blue negative; each kernel scaled to its own largest weight):

first = model.blocks[0].conv.weight.detach()[:, 0]  # (kernel, band, frame)
print(f"{first.shape[0]} kernels of {first.shape[1]} x {first.shape[2]}")
n_columns = (first.shape[0] + 1) // 2
fig, axes = plt.subplots(2, n_columns, figsize=(11, 3.2), layout="constrained", squeeze=False)
for ax in axes.flat[first.shape[0]:]:
    ax.axis("off")
for k, ax in zip(range(first.shape[0]), axes.flat):
    limit = float(first[k].abs().max())
    ax.imshow(first[k], origin="lower", cmap="coolwarm", vmin=-limit, vmax=limit)
    ax.set_title(f"ch {k}", fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("First-layer kernels of the trained classifier (x: 3 frames = 30 ms, y: 3 mel bands, up = higher)")
plt.show()

# %%
# **What to notice:** several learned kernels resemble the hand-made ones - a left/right split
# (an onset or offset detector), a top/bottom split (a frequency edge), a diagonal - and others
# are blends. Convolution layers in image networks famously learn edge detectors first; on
# spectrograms, the "edges" are onsets, offsets and the borders of formants and hiss.
#
# Feature maps of every layer
# ---------------------------
#
# :class:`audioviz.explain.FeatureMapDisplay` runs a clip through the model once and keeps the
# output of every convolution block, after batch normalisation and ReLU (what the block passes
# on). ``plot`` shows the input on top and, for each layer, the six channels most active on this
# clip, on one colour scale per row so channels can be compared. The time axis is in seconds and
# the frequency axis in Hz on the mel scale for every layer: pooled layers have coarser cells, not
# made-up axes.

display_yes = FeatureMapDisplay.from_model(model, yes).plot(n_channels=6)
plt.show()

# %%
# How many maps each layer has, how large they are and what one cell stands for, read from the
# model and the maps themselves:

for number, layer_maps in enumerate(display_yes.maps, start=1):
    channels, rows, frames = layer_maps.data.shape
    bands_per_row = image_yes.data.shape[-2] / rows
    print(f"conv {number}: {channels:3d} maps of {rows:2d} x {frames:3d}, one cell = "
          f"{1000 * layer_maps.frame_period:3.0f} ms and {bands_per_row:g} mel band(s)")

# %%
# The four layers, from top to bottom:
#
# * **conv 1** still looks like the spectrogram: each map is the image seen through one learned
#   kernel - onsets, edges of the hiss, the formant bands. Some maps light up on the *quiet*
#   around the word instead: knowing where the word is not helps too.
# * **conv 2** (after one pooling) combines conv 1's maps: a kernel here sees a 3 x 3 patch of
#   *maps* whose cells are twice as far apart. Maps start to pick one part of the word: the vowel,
#   or the hiss.
# * **conv 3** and **conv 4**: each cell of conv 4 stands for a long stretch of time and several
#   mel bands (the table above), and, through the layers below it, depends on a region of the
#   input wider still. The maps are blotchy and abstract: they no longer draw the sound, they say
#   *where* something that matters for the decision was found.
#
# The same display for "no":

display_no = FeatureMapDisplay.from_model(model, no).plot(n_channels=6)
plt.show()

# %%
# **What to notice:** the first two rows look much alike for both words - edges and bands are
# everywhere in speech. The last row is where the words part: the most active channels of conv 4
# (the numbers above its maps) are not the same for "yes" and for "no", and they peak at other
# moments. In numbers: the six most active conv 4 channels of each clip, the moment each one peaks,
# and how many the two lists share:


def top_channels(display, n=6):
    """The n most active channels of the last layer and the time (s) of each one's peak."""
    last = display.maps[-1]
    order = torch.argsort(last.data.mean(dim=(1, 2)), descending=True)[:n]
    peaks = [float(last.times[int(last.data[c].amax(dim=0).argmax())]) for c in order]
    return [int(c) for c in order], peaks


for word, shown in (("yes", display_yes), ("no", display_no)):
    channels, peaks = top_channels(shown)
    print(f"'{word}': channels {channels}, peaking at {[round(p, 2) for p in peaks]} s")
shared_top = set(top_channels(display_yes)[0]) & set(top_channels(display_no)[0])
print("channels in both lists:", sorted(shared_top) or "none")

# %%
# From the last maps to a decision
# --------------------------------
#
# After conv 4 the network is short: it averages each of conv 4's maps over time and frequency
# (global average pooling: *how much* of each pattern, wherever it was) and a linear layer weighs
# those numbers into one score per class (``model.labels``: the words, and the "neither" classes). So each channel's contribution to a word's score is
# simply its average activation times its weight. Plotting the contributions for both clips
# shows which channels vote for which word:

head = model.head[-1]  # the linear layer: weight of shape (classes, conv 4 channels)
index_yes, index_no = model.labels.index("yes"), model.labels.index("no")
n_last = head.weight.shape[1]
print(f"{len(model.labels)} classes {model.labels}, {n_last} averaged maps")


def contributions(display):
    """Per-channel contribution to the score of 'yes' minus that of 'no'."""
    means = display.maps[-1].data.mean(dim=(1, 2))  # one average per channel
    difference = head.weight[index_yes] - head.weight[index_no]
    return (means * difference).detach()


c_yes, c_no = contributions(display_yes), contributions(display_no)
# Sort the channels by their weight: those that vote "yes" when active on the left.
order = torch.argsort(head.weight[index_yes] - head.weight[index_no], descending=True).detach()
fig, ax = plt.subplots(figsize=(11, 3.2), layout="constrained")
ax.bar(torch.arange(n_last) - 0.2, c_yes[order], width=0.4, label="clip 'yes'", color="C0")
ax.bar(torch.arange(n_last) + 0.2, c_no[order], width=0.4, label="clip 'no'", color="C3")
ax.axhline(0, color="0.3", lw=0.8)
ax.set_xlabel("conv 4 channel, sorted by weight: channels that vote 'yes' on the left, 'no' on the right")
ax.set_ylabel("vote for 'yes' over 'no'\n(mean activation x weight)")
ax.set_xticks(range(0, n_last, 8), [int(i) for i in order[::8]])
ax.legend()
print(f"score 'yes' minus 'no': clip 'yes' {float(c_yes.sum()):+.1f}, clip 'no' {float(c_no.sum()):+.1f} "
      "(plus the same bias for both)")
print("probabilities:", {w: round(p, 3) for w, p in display_yes.probabilities.items()}, "for 'yes';",
      {w: round(p, 3) for w, p in display_no.probabilities.items()}, "for 'no'")
plt.show()

# %%
# **What to notice:** the channels on the left vote for "yes" when they are active, and they are
# active (blue bars up) mostly on the "yes" clip; the channels on the right vote for "no" and fire
# mostly on the "no" clip (red bars down). The decision is a sum of dozens of such votes, which is
# why no single feature map "is" the word. The next question - *where
# in the spectrogram* the votes came from - is answered by Grad-CAM in the tutorial on explaining
# the classifier.
#
# Walk through the maps
# ---------------------
#
# :class:`audioviz.explain.FeatureMapExplorer` puts all the maps behind two controls: the layer
# and the channel. Both count from 0, as Python does: **layer 0 is conv 1**, layer 3 is conv 4,
# and channel 0 is a layer's first map. In a notebook, ``FeatureMapExplorer(model, yes).widget``
# gives a live widget that reaches every channel of every layer. This page has no Python behind
# it, so it carries a frozen copy of the first six channels of each layer (every combination
# drawn in advance; the sliders swap the pictures). Move ``layer`` to watch the same channel
# numbers grow coarser, ``channel`` to compare maps of one layer.

explorer = FeatureMapExplorer(model, yes)
explorer.static(layer=[0, 1, 2, 3], channel=[0, 1, 2, 3, 4, 5], fmt="webp", dpi=100)  # legible frames

# %%
# Summary
# -------
#
# * A log-mel spectrogram is an image with true axes: 10 ms per column and one mel band per row.
# * A convolution slides a small kernel over it; the feature map is bright where the image looks
#   like the kernel. ReLU keeps the positive evidence, max pooling halves the grid so deeper
#   kernels see longer and wider stretches of sound.
# * Trained first-layer kernels look like onset and edge detectors; deep maps are coarse and say
#   where something useful was found.
# * The classifier averages the last maps and weighs them: each channel votes for a word.
