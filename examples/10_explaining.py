"""
Explaining the classifier: Grad-CAM, "neither", listening, and its mistakes
===========================================================================

The previous tutorial trained a small CNN that answers **yes**, **no** or **neither** (another
word, silence, noise). An accuracy tells us *how often* it is right, not *why*. A model can score
well for the wrong reason - a click at the start of every "yes" recording, the loudness of one
speaker - and then fail on the next microphone. This lesson opens the model up:

1. one **inference record** per clip: everything the network computed, kept once;
2. **Grad-CAM**: where in the spectrogram the evidence for each answer was - and why, for this
   network, Grad-CAM on the last layer is exactly the older CAM;
3. why it answers "neither" to **"go"**, where a two-word model hears "no";
4. **listening** to what the model used, and letting it listen to a **longer recording**, with
   its false alarms per minute;
5. how good it is on **real human voices**, and its most confident **mistakes**.

Try it on your own voice: :class:`audioviz.Recorder` records you in the notebook
(:doc:`11_your_voice`), and the :doc:`Try-it page </try>` runs this very model in your browser.

**Run it yourself:** this page needs audioviz (see the Install page). It uses the two classifiers
the training tutorial trains (the three-way one and the two-word one; the first run trains them,
a few minutes each on a CPU, with ``AUDIOVIZ_TUTORIAL_QUICK=1`` tiny stand-ins in seconds, and
caches them) and synthesises its longer recording offline. The real voices are Google's Speech
Commands test clips, named by ``AUDIOVIZ_SPEECH_COMMANDS`` or fetched once by you with
``audioviz data download``; without them the page uses the synthetic test split. The page itself
downloads nothing.
"""

# %%
# The model and the clips
# -----------------------
#
# We load the three-way classifier the previous tutorial trained (cached), and real recordings
# wherever this machine has them: Google's Speech Commands v0.02 test clips, spoken by people into
# their own microphones, never trained on (the model trained only on synthetic speech). Without
# them, the synthetic test split stands in, and the page says so.

import matplotlib.pyplot as plt
import torch

import audioviz
from audioviz.data import SpeechCommands, real_speech_commands_root
from audioviz.explain import (
    ConfusionMatrixDisplay,
    FeatureMapDisplay,
    GradCAMDisplay,
    Inference,
    ListeningDisplay,
    ListeningTimelineDisplay,
    MistakesDisplay,
    TrainingCurvesDisplay,
    grad_cam,
    resynthesize_masked,
    synthesize_recording,
)
from audioviz.model import evaluate, load_checkpoint, tutorial_checkpoint, tutorial_quick_mode

checkpoint = tutorial_checkpoint(progress=False)
model, info = load_checkpoint(checkpoint)
print("the network's outputs (model.labels):", model.labels)
print("its keywords (model.words):          ", model.words)

real_root = real_speech_commands_root()
if real_root is not None:
    clips = SpeechCommands(real_root, subset="testing", words=model.words, neither=True)
    source = f"real Speech Commands recordings ({len(clips)} clips, never trained on)"
else:
    clips = SpeechCommands(info["metrics"]["settings"]["data"], subset="testing", words=model.words, neither=True)
    source = (f"the synthetic test split ({len(clips)} clips): no real recordings on this machine; "
              "set AUDIOVIZ_SPEECH_COMMANDS to a Speech Commands folder to use them")
print("evaluating on", source)

# %%
# ``"_unknown_"`` (another word) and ``"_silence_"`` are Speech Commands' two extra categories;
# either one means the answer **"neither"**.
#
# One clip, run once
# ------------------
#
# :class:`audioviz.explain.Inference` puts a clip into the model exactly as
# :func:`audioviz.model.predict` does (:func:`audioviz.model.prepare_clip`: one mono second at
# the model's rate) and keeps everything the network computed: the log-mel image, every convolution block's
# maps, the logits, the answer, and the gradients Grad-CAM needs. Every display below reads this
# record, so a clip goes through the network once. We take a clear "yes" (loud for at most 0.6 s,
# away from the clip's edges) that the model gets right, and say how many it missed on the way.


def loud_span(clip, rate):
    """Start and end (s) of the 50 ms frames within 20 dB of the clip's loudest: where the word is."""
    frames = clip[0, : clip.shape[-1] // 800 * 800].reshape(-1, 800)
    level = 10 * torch.log10(frames.pow(2).mean(dim=1) + 1e-12)
    loud = torch.nonzero(level > level.max() - 20)[:, 0]
    return float(loud[0]) * 800 / rate, float(loud[-1] + 1) * 800 / rate


def is_clear(i):
    """The word stands out of its background, away from the clip's edges (judged by the sound)."""
    start, end = loud_span(clips[i][0], clips[i][1])
    return end - start <= 0.6 and start >= 0.15 and end <= 0.85


yes_clips = [i for i, c in enumerate(clips.categories) if c == "yes"]
clear_yes = [i for i in yes_clips if is_clear(i)][:20] or yes_clips[:20]
missed = []
for yes_index in clear_yes:
    waveform, sample_rate, _, word, speaker = clips[yes_index]
    yes_run = Inference.from_model(model, waveform, sample_rate)
    if yes_run.word == "yes":
        break
    missed.append(yes_index)
print(f"clip #{yes_index}, speaker {speaker}, said '{word}': the model {yes_run.describe()}")
print(f"(the model missed {len(missed)} clear 'yes' clip(s) before this one; the mistakes come at the end)")

from IPython.display import Audio  # noqa: E402

Audio(waveform[0].numpy(), rate=sample_rate)

# %%
# Grad-CAM: where the evidence is
# -------------------------------
#
# Grad-CAM (Selvaraju et al., 2017) asks the last convolution layer two questions. *What did each
# of your maps see?* (its activations ``A_k``). *How much would the score of "yes" rise if map k
# grew?* (the gradient of the score with respect to ``A_k``, averaged over the map: one weight
# ``alpha_k`` per map). The weighted sum ``sum_k alpha_k A_k``, with negative values set to zero,
# is a coarse picture of where the evidence *for* "yes" lies. It is stretched over the input
# spectrogram, each coarse cell centred on the block of input cells it covers.

last = yes_run.maps[-1]
cell_ms = 1000 * last.frame_period
print(f"the last layer: {last.data.shape[0]} maps of {last.data.shape[1]} x {last.data.shape[2]} cells, "
      f"each cell {cell_ms:.0f} ms wide")

gradcam = GradCAMDisplay.from_inference(yes_run)
gradcam.plot()
plt.show()

# %%
# The first panel is the log-mel image the network sees, in **inverted grey**: dark is loud. The
# grey keeps the spectrogram readable under the coloured Grad-CAM, which fades to transparent
# where there is no evidence. All panels share one colour scale, so a pale map means *little
# evidence*, not a different normalisation.
#
# Where exactly? :func:`audioviz.explain.grad_cam` (and ``inference.grad_cam``) return a map as an
# :class:`audioviz.Feature`, with the time of every column and the frequency of every row:



def share_on(cam, span):
    """Fraction of a Grad-CAM map's total weight that lies inside the time span ``(start, end)``."""
    per_frame = cam.data[0].sum(dim=0).double()
    inside = (cam.times >= span[0]) & (cam.times <= span[1])
    return float(per_frame[inside].sum() / per_frame.sum()) if float(per_frame.sum()) > 0 else float("nan")


cam = gradcam.cams[yes_run.label]
row, column = divmod(int(cam.data[0].argmax()), cam.data.shape[-1])
word_span = loud_span(yes_run.waveform, sample_rate)
print(f"strongest evidence for '{yes_run.label}': {float(cam.times[column]):.2f} s, "
      f"{float(cam.frequencies[row]):.0f} Hz; the word is loud from {word_span[0]:.2f} s to {word_span[1]:.2f} s, "
      f"and {share_on(cam, word_span):.0%} of the evidence lies in that span")

# %%
# **What to notice:** the printout compares where the evidence is with where the word is (the
# part of the clip within 20 dB of its loudest). A model that listens to the speech puts most of
# its evidence there. If the brightest region were in the silence before the word, the model would
# be using something other than the word - a background noise, a click - and we would not trust
# it on new recordings.
#
# For this network, Grad-CAM on the last layer *is* CAM
# ------------------------------------------------------
#
# After its last convolution, this network only averages each map over the whole clip (global
# average pooling) and applies one linear layer. The score of class ``c`` is therefore
# ``sum_k w_ck mean(A_k) + b_c``, its gradient with respect to any cell of ``A_k`` is
# ``w_ck / n_cells``, and Grad-CAM's weights are ``alpha_k = w_ck / n_cells``. Grad-CAM is then the
# *class activation map* of Zhou et al. (2016), ``sum_k w_ck A_k``, divided by the number of cells.
# We check it numerically:

weights = model.head[-1].weight.detach()  # (n_labels, n_maps): the linear layer
label_index = yes_run.label_index()
class_activation_map = torch.relu(torch.einsum("k,krf->rf", weights[label_index], last.data))
n_cells = last.data.shape[-2] * last.data.shape[-1]
coarse = yes_run.grad_cam().data[0]
difference = float((coarse * n_cells - class_activation_map).abs().max())
print(f"CAM and Grad-CAM x {n_cells} cells differ by at most {difference:.1e} "
      f"(the map's largest value is {float(class_activation_map.max()):.2f})")

# %%
# Earlier layers are different: between them and the answer sit more convolutions, ReLUs and
# max pooling, so their gradients depend on where they are, and Grad-CAM there is no longer a
# rescaled CAM.
#
# Which layer?
# ------------
#
# Grad-CAM can be computed on any convolution layer. We draw the **signed** weighted sum
# (``relu=False``): red where a layer's maps argue *for* the predicted class, blue where they
# argue *against* it, each panel on its own scale. Grad-CAM proper keeps only the red.

fig, axes = plt.subplots(2, 2, figsize=(8.4, 5.6), sharex=True, sharey=True, layout="constrained")
for layer, ax in enumerate(axes.flat):
    GradCAMDisplay.from_inference(yes_run, words=yes_run.label, layer=layer, relu=False).plot(
        ax=[ax], show_input=False)
    ax.set_title(f"{yes_run.layer_names[layer]}", fontsize="medium")
for ax in axes[0]:
    ax.set_xlabel("")
for ax in axes[:, 1]:
    ax.set_ylabel("")
plt.show()

for layer in range(len(yes_run.maps)):
    signed = yes_run.grad_cam(layer=layer, relu=False).data
    empty = "; Grad-CAM (with its ReLU) is empty here" if float(signed.max()) <= 0 else ""
    print(f"{yes_run.layer_names[layer]}: {float((signed > 0).float().mean()):5.1%} of cells argue for "
          f"'{yes_run.label}'; largest for {float(signed.max()):+.2e}, largest against {float(signed.min()):+.2e}"
          f"{empty}")

# %%
# **What to notice:** the early layers' maps are fine-grained, their values tiny, and mostly
# blue and red speckle: a single edge says little about the word. Where a layer's sum is negative
# *everywhere* (the printout shows 0 % of cells arguing for the class), Grad-CAM with its ReLU is
# an **empty map** - not a bug, but "this layer, weighted this way, holds no evidence for the
# class", and such a panel says so in words instead of showing a blank colorbar. By the last
# layer the map is coarse but selective, and far stronger. That is why Grad-CAM is usually
# computed on the last layer, and why its maps are blurry: they can be no finer than its grid.
#
# A sanity check any explanation should pass: if the word moves, the evidence must move with it.
# We move the clip by 0.2 s towards the middle of the second (silence fills the gap) and compare
# the centre of mass in time.


def evidence_centre(cam):
    """Time (s) of the centre of mass of a Grad-CAM map."""
    weight_per_frame = cam.data[0].sum(dim=0).double()
    return float((weight_per_frame * cam.times).sum() / weight_per_frame.sum())


shift_s = 0.2 if sum(word_span) / 2 < 0.5 else -0.2  # later if the word is early, else earlier
shift = int(abs(shift_s) * sample_rate)
clip = yes_run.waveform
moved_clip = (torch.nn.functional.pad(clip[:, :-shift], (shift, 0)) if shift_s > 0
              else torch.nn.functional.pad(clip[:, shift:], (0, shift)))
cam_moved = grad_cam(model, moved_clip, yes_run.label)
moved = evidence_centre(cam_moved) - evidence_centre(cam)
print(f"evidence centred at {evidence_centre(cam):.2f} s; with the word moved by {shift_s:+.1f} s at "
      f"{evidence_centre(cam_moved):.2f} s: it moved {moved:+.2f} s")

# %%
# **What to notice:** the centre of mass moves with the word, by a little less than the shift when
# the map is coarse and its faint background stays put.
#
# "Go", the word that sounds most like "no"
# -----------------------------------------
#
# A two-word model must call every sound "yes" or "no". The previous tutorial trained one too
# (``neither=False``); here both models hear a "go" from the clips above (real recordings where
# this machine has them), and the printout says what each answers.

closed_model, _ = load_checkpoint(tutorial_checkpoint(neither=False, progress=False))
go_indices = [i for i, c in enumerate(clips.categories) if c == "go"]
if go_indices:
    go_index = next((i for i in go_indices if is_clear(i)), go_indices[0])
    go_wave, go_rate, *_ = clips[go_index]
    go_name = f"clip #{go_index} ('go')"
else:  # a dataset without "go" clips: a synthetic one
    from audioviz.data import synthesize_word

    go_wave, go_rate, _ = synthesize_word("go", seed=0)
    go_name = "a synthetic 'go'"
go_run = Inference.from_model(model, go_wave, go_rate)
go_closed = Inference.from_model(closed_model, go_wave, go_rate)
print(f"{go_name}: the three-way model {go_run.describe()}")
print(f"{' ' * len(go_name)}  the two-word model {go_closed.describe()}")

if go_indices:
    go_clips = torch.utils.data.Subset(clips, go_indices)
    for name, each in (("three-way", model), ("two-word", closed_model)):
        answers = [r["predicted"] for r in evaluate(each, go_clips, details=True)["predictions"]]
        shares = {a: f"{answers.count(a) / len(answers):.0%}" for a in sorted(set(answers))}
        print(f"all {len(answers)} 'go' clips, {name} model answers: {shares}")

# %%
# Grad-CAM of each model's answer, side by side with the evidence the three-way model finds for
# "no" (all on one colour scale per model; where "no" is the three-way model's answer too, its
# second panel is the evidence for "yes"). Each panel's title names its word:

fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.1), sharey=True, layout="constrained")
GradCAMDisplay.from_inference(go_closed, words=go_closed.label).plot(ax=[axes[0]], show_input=False)
other = "no" if go_run.label != "no" else "yes"
GradCAMDisplay.from_inference(go_run, words=[go_run.label, other]).plot(ax=list(axes[1:]), show_input=False)
axes[0].set_title(f"two-word model: evidence\nfor '{go_closed.label}' (its answer)", fontsize="medium")
for ax in axes[1:]:
    ax.set_title("three-way model: " + ax.get_title().replace("evidence for", "\nevidence for"), fontsize="small")
    ax.set_ylabel("")
plt.show()

# %%
# Where does the three-way model's answer come from? The logit of a class is a sum over the last
# layer's maps, ``w_ck mean(A_k)``: each map casts a vote. These are the maps that vote most for
# its answer on this clip, and what each of them says about "no":

votes = weights * go_run.maps[-1].data.mean(dim=(1, 2))  # (n_labels, n_maps): w_ck * mean(A_k)
top_maps = torch.argsort(votes[go_run.label_index()], descending=True)[:4].tolist()
no_index = model.labels.index("no")
go_span = loud_span(go_run.waveform, go_rate)
print(f"the word 'go' is loud from {go_span[0]:.2f} s to {go_span[1]:.2f} s")
for k in top_maps:
    fmap = go_run.maps[-1]
    per_frame = fmap.data[k].sum(dim=0).double()
    centre = float((per_frame * fmap.times).sum() / per_frame.sum()) if float(per_frame.sum()) > 0 else float("nan")
    print(f"map {k:2d}: vote for '{go_run.label}' {float(votes[go_run.label_index(), k]):+.2f}, "
          f"for 'no' {float(votes[no_index, k]):+.2f}; fires around {centre:.2f} s")
for name, run, label in (("two-word", go_closed, go_closed.label), ("three-way", go_run, "no")):
    print(f"{name} model: {share_on(run.upsample(run.grad_cam(label)), go_span):.0%} of its evidence for "
          f"'{label}' lies on the word")

maps = FeatureMapDisplay.from_inference(go_run)
fig, axes = plt.subplots(1, len(top_maps), figsize=(8.4, 2.4), sharey=True, layout="constrained")
for ax, k in zip(axes, top_maps):
    audioviz.plot_feature(maps.maps[-1], channel=k, ax=ax, cmap="magma", colorbar=False)
    ax.set_title(f"conv {len(maps.maps)}, map {k}", fontsize="medium")
for ax in axes[1:]:
    ax.set_ylabel("")
plt.show()

# %%
# **What to notice:** "go" and "no" share their vowel, and the two-word model has no other answer
# to give: the printouts say how often it calls a real "go" a "no", and how much of its evidence
# for "no" lies on the word itself. The three-way model can see "no"-like evidence in the same
# place and still answer "neither", when maps of its last layer that learned to fire on other
# words cast larger votes for the extra class; the printout lists the strongest voters for its
# answer on this clip, their vote for "no", and when each one fires (compare with the span of the
# word), and the figure shows them.
#
# Listening to what the model used
# --------------------------------
#
# A map is still a picture. We can also *hear* it: keep only the part of the clip's spectrogram
# where the Grad-CAM map reaches at least half its maximum (a 0/1 mask; ``threshold=None`` uses
# the map itself as a soft mask) and turn that back into sound. A spectrogram has thrown the phase
# away, so the sound is rebuilt with **Griffin-Lim**, which guesses a phase that fits the
# magnitudes; the unmasked spectrogram is resynthesised too, to tell the guessing's artefacts from
# the effect of the mask. All players share one loudness scale.

heard = ListeningDisplay.from_inference(yes_run)
heard.plot()
plt.show()

# %%
heard

# %%
# **What to listen for:** "what the model used" is a short, muffled fragment of the word, in the
# bands the map picked, and yet the model needed little else; "what it ignored" still sounds like
# most of the word, with holes. If the used part were background noise, the model would be right
# for the wrong reason. :func:`audioviz.explain.resynthesize_masked` takes any mask on the STFT
# grid; one that keeps only what lies above 3 kHz lets you hear that part of the word alone:

frontend = model.config.frontend
bins = torch.linspace(0, frontend.sample_rate / 2, frontend.n_fft // 2 + 1)
high_only = (bins > 3000).float().unsqueeze(1).expand(-1, frontend.n_frames)
above_3k = resynthesize_masked(yes_run.waveform, high_only, n_fft=frontend.n_fft, win_length=frontend.win_length,
                               hop_length=frontend.hop_length)
Audio(above_3k[0].numpy(), rate=frontend.sample_rate)

# %%
# Listening to a longer recording
# -------------------------------
#
# A voice assistant does not get one tidy second per word: it hears a stream, and what matters is
# how often it wakes up for nothing. :func:`audioviz.explain.synthesize_recording` makes a
# recording with yes and no among other words and pauses, and returns it as a
# :class:`~audioviz.explain.SyntheticRecording` that knows where every word is.
# :class:`audioviz.explain.ListeningTimelineDisplay` slides the model's one-second window over it
# (a step of ``hop`` seconds), smooths each answer's probability over a few windows
# (``smoothing``), and detects a keyword at each peak of at least ``threshold``, dropping a weaker
# peak closer than ``suppress`` seconds to a stronger one. Each detection is then a hit (within
# ``tolerance`` of a word said there) or a **false alarm**.

recording = synthesize_recording(seed=0)
timeline = ListeningTimelineDisplay.from_model(model, recording)
print("settings:", timeline.settings)
print(f"the recording: {recording.duration:.1f} s, {len(recording.events)} words")
timeline.plot(recording)
plt.show()
print("three-way model:", timeline.summary())
for detection in timeline.detections:
    if not detection["hit"]:
        said = min(recording.events, key=lambda event: abs((event[1] + event[2]) / 2 - detection["time"]))
        print(f"  false alarm: '{detection['word']}' at {detection['time']:.1f} s, where '{said[0]}' was said")

Audio(recording.waveform[0].numpy(), rate=recording.sample_rate)

# %%
# The same recording heard by the two-word model, which has no "neither" to fall back on:

closed_timeline = ListeningTimelineDisplay.from_model(closed_model, recording)
print("two-word model: ", closed_timeline.summary())
other_words = sorted({w for w, *_ in recording.events if w not in model.words})
print("the other words in the recording:", ", ".join(other_words))

# %%
# **What to notice:** in the figure, green spans are the keywords and grey ones the other words;
# a triangle is a detection on a keyword, a red cross a false alarm. The dashed "neither" curve
# rises over the other words and the pauses, which is what keeps the three-way model quiet there;
# the two-word model's printout counts the false alarms that an assistant without "neither" would
# raise in the same recording.
#
# How it learned
# --------------
#
# Training wrote one record per epoch to ``metrics.json`` beside the checkpoint.
# :class:`audioviz.explain.TrainingCurvesDisplay` reads it:

TrainingCurvesDisplay.from_file(checkpoint.parent).plot()
plt.show()

# %%
# **What to notice:** the validation curves (voices the model did not train on) follow the
# training curves closely: the model is not memorising its training voices. The dotted line marks
# the epoch whose weights were kept, the dashed one the accuracy on the synthetic test split.
#
# How good it is on real voices
# -----------------------------
#
# :func:`audioviz.model.evaluate` classifies every clip once; with ``details=True`` it also keeps
# every prediction, so the confusion matrix and the mistakes below come from the same pass. Every
# clip of another word (``_unknown_``, and keywords such as "go" the model does not know) and
# every ``_silence_`` clip has "neither" as its right answer.

scored = clips
if tutorial_quick_mode():  # the page's quick check (AUDIOVIZ_TUTORIAL_QUICK=1): every eighth clip
    scored = torch.utils.data.Subset(clips, range(0, len(clips), 8))
    source += f"; quick check: {len(scored)} of them"
result = evaluate(model, scored, details=True)
print(f"{source}\naccuracy {result['accuracy']:.1%}; recall per answer:",
      {w: f"{r:.1%}" for w, r in result["per_class"].items()})
accepts = {k: f"{v:.1%}" for k, v in result["false_accept"].items() if v is not None}
print("false accepts (other words or silence answered 'yes' or 'no'):", accepts)
ConfusionMatrixDisplay.from_evaluation(result).plot()
plt.show()

# %%
# **What to notice:** the rows are the right answers, the columns what the model said. Each row's
# percentages are that answer's **recall**, the share of its clips recognised; the "neither" row
# holds the other words and the silence clips. An overall accuracy can hide a weak answer; the
# matrix cannot.
#
# The most confident mistakes
# ---------------------------
#
# Mistakes the model was *sure* about teach the most. Each keeps its inference record, so its
# Grad-CAM costs no second pass through the network.

mistakes = MistakesDisplay.from_evaluation(model, scored, result, n_mistakes=6)
mistakes.plot()
plt.show()

# %%
mistakes

# %%
# The worst one, explained: Grad-CAM of the answer it gave and of the right one.

if mistakes.mistakes:
    worst = mistakes.mistakes[0]
    worst_run = worst["inference"]
    # the evidence for what it said, beside the evidence for the right answer
    worst_cam = GradCAMDisplay.from_inference(worst_run, words=[worst_run.label, worst["word"]])
    worst_cam.plot()
    plt.show()
    worst_span = loud_span(worst_run.waveform, worst_run.sample_rate)
    level_db = 10 * torch.log10(worst_run.waveform.pow(2).mean() + 1e-12)
    truth = (f"'{worst['word']}'" if worst["category"] == worst["word"]
             else f"'{worst['word']}' (the clip says '{worst['category']}')")
    print(f"clip #{worst['index']}: the right answer was {truth}; the model said '{worst['predicted']}' with "
          f"{worst['confidence']:.0%}. {share_on(worst_cam.cams[worst_run.label], worst_span):.0%} of its evidence "
          f"lies where the clip is loud ({worst_span[0]:.2f}-{worst_span[1]:.2f} s); the clip's level is "
          f"{float(level_db):.0f} dB re full scale.")
else:
    print("no mistakes on these clips")

# %%
# **What to look and listen for:** the printout says how much of the evidence for the wrong answer
# lies on the sound rather than beside it, and how loud the clip is. Evidence on the word means the model
# heard the word and confused it (play the clip above: is it a clear word?); evidence in the
# quiet part means it was misled by noise or a cut-off word at the edge of the second; a very
# quiet clip leaves little above the noise floor for either answer.
#
# From the command line
# ---------------------
#
# The same Grad-CAM and feature-map figure for any audio file, with the resynthesised audio:
#
# .. code-block:: console
#
#    $ audioviz explain --checkpoint runs/yes_no/model.pt my_yes.wav --out my_yes.png --listen heard/
#
# A recording of another length or rate is brought to one second at 16 kHz, and the command says
# what it did.
#
# Summary
# -------
#
# * One :class:`~audioviz.explain.Inference` per clip holds everything the network computed; every
#   display reads it.
# * Grad-CAM weighs a layer's maps by how much they raise a class's score; on this network's last
#   layer it is exactly CAM. Intermediate layers can hold no positive evidence at all.
# * The three-way model answers "neither" to "go" because some of its last-layer maps vote for the
#   extra class; the two-word model could only say "no".
# * Over a longer recording, "neither" is what keeps the false alarms per minute down.
# * The confusion matrix on real voices and the most confident mistakes say where it breaks.
#
# Record yourself and explain your own "yes" in :doc:`11_your_voice`, or try the model in the
# browser on the :doc:`Try-it page </try>`.
