"""Tests of audioviz.explain: values and axes of the explanations, and the drawn artists.

Everything runs on a tiny untrained KeywordCNN: what is checked is that the maps are the right
maps on the right axes, not that the model is good.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile
import torch

from audioviz.explain import (
    ConfusionMatrixDisplay,
    FeatureMapDisplay,
    GradCAMDisplay,
    Inference,
    ListeningDisplay,
    MistakesDisplay,
    TrainingCurvesDisplay,
    grad_cam,
    layer_outputs,
    resynthesize_masked,
)
from audioviz.explain._common import upsample_to
from audioviz.model import KeywordCNN, ModelConfig, save_checkpoint

N_MELS, N_FRAMES = 40, 101  # default front end: 40 mels, 10 ms hop over 1 s (centred frames)


@pytest.fixture(scope="module")
def model():
    """The default open-set shape (yes, no, _unknown_, _silence_), tiny."""
    torch.manual_seed(0)
    return KeywordCNN(ModelConfig(channels=(4, 6, 8, 8))).eval()


@pytest.fixture(scope="module")
def closed_model():
    """A closed-set yes/no model: labels == words."""
    torch.manual_seed(1)
    return KeywordCNN(ModelConfig(channels=(4, 6, 8, 8), neither=False)).eval()


@pytest.fixture
def chirp():
    """A rising tone from 0.3 s to 0.7 s: something for the filters to respond to."""
    t = torch.arange(16000) / 16000
    return (0.3 * torch.sin(2 * torch.pi * (300 + 600 * t) * t) * ((t > 0.3) & (t < 0.7))).unsqueeze(0)


def _dataset(chirp, n=6):
    """Items like audioviz.data.SpeechCommands: (waveform, sample_rate, label, word, speaker)."""
    items = []
    for i in range(n):
        word = ("yes", "no")[i % 2]
        wave = torch.roll(chirp, shifts=500 * i, dims=-1) * (1 + 0.2 * i)
        items.append((wave, 16000, i % 2, word, f"spk{i}"))
    return items


# --- feature maps ----------------------------------------------------------------------------

def test_layer_outputs_have_true_coarsened_axes(model, chirp):
    logmel, maps, logits = layer_outputs(model, chirp)
    assert tuple(logmel.data.shape) == (1, N_MELS, N_FRAMES)
    assert logits.shape == (len(model.labels),) == (4,)
    assert [tuple(m.data.shape) for m in maps] == [(4, 40, 101), (6, 20, 50), (8, 10, 25), (8, 5, 12)]
    # frame centres: 10 ms apart at full resolution, 20 / 40 / 80 ms after each pooling
    for m, stride in zip(maps, (1, 2, 4, 8)):
        assert torch.allclose(m.times[1] - m.times[0], torch.tensor(0.01 * stride, dtype=torch.float64))
        assert m.params["stride"] == (stride, stride)
        # a pooled cell sits at the mean of the input cells it covers
        assert float(m.times[0]) == pytest.approx(0.01 * (stride - 1) / 2)
        assert float(m.rows[0]) == pytest.approx(float(logmel.rows[:stride].mean()))
        assert m.kind == "mel" and m.unit == "activation"
    # feature maps come after the ReLU: never negative
    assert all(float(m.data.min()) >= 0 for m in maps)
    # the first layer's grid is the input's, in seconds and mel
    assert logmel.time_edges() == pytest.approx((-0.005, 1.005))
    assert 20 < float(logmel.frequencies[0]) < float(logmel.frequencies[-1]) < 8000


def test_feature_map_display_draws_every_layer_with_axes(model, chirp):
    disp = FeatureMapDisplay.from_model(model, chirp).plot(n_channels=3)
    assert disp.figure_ is not None and disp.axes_.shape == (5, 3)
    assert disp.input_image_.get_array().shape == (N_MELS, N_FRAMES)
    left, right, bottom, top = disp.input_image_.get_extent()
    assert (left, right) == pytest.approx((-0.005, 1.005))
    assert (bottom, top) == pytest.approx(disp.logmel.row_edges())
    assert disp.axes_[0, 0].get_xlabel() == "Time (s)"
    assert "Hz" in disp.axes_[0, 0].get_ylabel()
    assert disp.axes_[-1, 0].get_xlabel() == "Time (s)"
    assert disp.axes_[2, 0].get_ylabel() == "conv 2 (20 x 50)\nHz"  # row label: layer and its grid
    assert [len(row) for row in disp.images_] == [3, 3, 3, 3]
    for layer, (row, chans) in enumerate(zip(disp.images_, disp.channels_)):
        fmap = disp.maps[layer]
        assert row[0].get_array().shape == tuple(fmap.data.shape[-2:])
        np.testing.assert_allclose(row[0].get_array(), fmap.data[chans[0]].numpy())
        assert row[0].get_extent()[:2] == pytest.approx(fmap.time_edges())
        means = fmap.data.mean(dim=(1, 2))
        assert float(means[chans[0]]) == pytest.approx(float(means.max()))
    # y tick labels are Hz values placed at their mel positions
    labels = [t.get_text() for t in disp.axes_[1, 0].get_yticklabels()]
    assert "1k" in labels and "100" in labels


def test_feature_map_display_bad_arguments(model, chirp):
    disp = FeatureMapDisplay.from_model(model, chirp)
    with pytest.raises(ValueError, match="layers"):
        disp.plot(layers=[7])
    with pytest.raises(ValueError, match="n_channels"):
        disp.plot(n_channels=0)
    with pytest.raises(TypeError, match="ax"):
        disp.plot(ax="left")
    with pytest.raises(TypeError, match="KeywordCNN"):
        FeatureMapDisplay.from_model(torch.nn.Linear(2, 2), chirp)


def test_wrong_length_and_rate_are_fixed_with_a_note(model):
    half_second_8k = torch.randn(1, 4000) * 0.1
    with pytest.warns(UserWarning, match="resampled from 8000 Hz to 16000 Hz.*padded"):
        disp = FeatureMapDisplay.from_model(model, half_second_8k, sample_rate=8000)
    assert disp.waveform.shape == (1, 16000)
    with pytest.warns(UserWarning, match="cut"):
        cam = grad_cam(model, torch.randn(2, 24000) * 0.1)
    assert tuple(cam.data.shape) == (1, N_MELS, N_FRAMES)


# --- Grad-CAM --------------------------------------------------------------------------------

def _manual_grad_cam(model, logmel, target, layer):
    """Grad-CAM by hand (forward hook + autograd) to check captum's result against."""
    store = {}
    handle = model.blocks[layer].relu.register_forward_hook(lambda _m, _i, out: store.setdefault("a", out))
    x = logmel.clone().requires_grad_(True)
    score = model.forward_features(x)[0, target]
    handle.remove()
    grads = torch.autograd.grad(score, store["a"])[0]
    weights = grads.mean(dim=(2, 3), keepdim=True)
    return torch.relu((weights * store["a"]).sum(dim=1))[0].detach()


@pytest.mark.parametrize("layer", [-1, 1])
def test_grad_cam_matches_the_definition_and_captum(model, chirp, layer):
    from captum.attr import LayerGradCam

    inference = Inference.from_model(model, chirp)
    logmel = inference.logmel.data.unsqueeze(0)
    captum_cam = LayerGradCam(model.forward_features, model.blocks[layer].relu)
    for label in model.labels:
        target = model.labels.index(label)
        expected = _manual_grad_cam(model, logmel, target, layer)
        coarse = inference.grad_cam(label, layer=layer)
        assert tuple(coarse.data.shape[-2:]) == tuple(expected.shape)
        torch.testing.assert_close(coarse.data[0], expected, rtol=1e-4, atol=1e-7)
        by_captum = captum_cam.attribute(logmel.clone().requires_grad_(True), target=target, relu_attributions=True)
        torch.testing.assert_close(coarse.data[0], by_captum.detach()[0, 0], rtol=1e-4, atol=1e-7)
    # the signed sum keeps the evidence against; its positive part is Grad-CAM
    signed = inference.grad_cam("no", layer=layer, relu=False).data
    torch.testing.assert_close(signed.clamp_min(0), inference.grad_cam("no", layer=layer).data)


def test_last_layer_grad_cam_is_cam(model, chirp):
    """Global average pooling + one linear layer: Grad-CAM = CAM / (number of cells)."""
    inference = Inference.from_model(model, chirp)
    last = inference.maps[-1].data
    weights = model.head[-1].weight.detach()
    for k, label in enumerate(model.labels):
        cam = torch.relu(torch.einsum("c,crf->rf", weights[k], last))
        n_cells = last.shape[-2] * last.shape[-1]
        torch.testing.assert_close(inference.grad_cam(label).data[0] * n_cells, cam, rtol=1e-4, atol=1e-6)


def test_one_clip_runs_through_the_model_once(model, chirp):
    calls = []
    handle = model.frontend.register_forward_hook(lambda *_: calls.append("frontend"))
    head = model.head.register_forward_hook(lambda *_: calls.append("head"))
    try:
        inference = Inference.from_model(model, chirp)
        assert calls == ["frontend", "head"]
        GradCAMDisplay.from_inference(inference, words=list(model.labels)).plot()
        FeatureMapDisplay.from_inference(inference).plot(n_channels=2)
        ListeningDisplay.from_inference(inference, n_iter=2)
        assert calls == ["frontend", "head"]  # every display read the record; none ran the model
    finally:
        handle.remove()
        head.remove()
    assert model.training is False


def test_inference_record(model, chirp):
    model.train()
    try:
        inference = Inference.from_model(model, chirp)
        assert model.training  # mode restored
    finally:
        model.eval()
    assert inference.labels == model.labels == ("yes", "no", "_unknown_", "_silence_")
    assert inference.words == ("yes", "no")
    assert list(inference.probabilities) == list(model.labels)
    assert sum(inference.probabilities.values()) == pytest.approx(1.0)
    with torch.no_grad():
        logits = model(chirp.unsqueeze(0))[0]
    torch.testing.assert_close(inference.logits, logits)
    assert inference.label == model.labels[int(logits.argmax())]
    assert inference.word == (inference.label if inference.label in model.words else "neither")
    assert inference.waveform.shape == (1, 16000) and inference.notes == ()
    assert [g.shape for g in inference.channel_gradients] == [(4, 4), (4, 6), (4, 8), (4, 8)]
    # "neither" is the more probable of the two extra classes
    extra = max(("_unknown_", "_silence_"), key=inference.probabilities.get)
    assert model.labels[inference.label_index("neither")] == extra
    assert inference.grad_cam("neither").params["label"] == extra
    assert "neither (other word)" in inference.describe() and "neither (silence)" in inference.describe()
    with pytest.raises(ValueError, match="word must be one of 'yes', 'no', '_unknown_', '_silence_', 'neither'"):
        inference.grad_cam("maybe")
    with pytest.raises(ValueError, match="layer must be a block index between -4 and 3, got 4"):
        inference.grad_cam(layer=4)


def test_a_forced_neither_answer_is_shown_as_neither(chirp):
    torch.manual_seed(0)
    model = KeywordCNN(ModelConfig(channels=(4, 6, 8, 8))).eval()
    with torch.no_grad():
        model.head[-1].bias.copy_(torch.tensor([0.0, 0.0, 10.0, 0.0]))  # always "_unknown_"
    disp = GradCAMDisplay.from_model(model, chirp).plot()
    assert disp.predicted == "_unknown_" and disp.word == "neither"
    assert disp.words == ("_unknown_", "yes", "no")  # the predicted class, then every keyword
    assert "evidence for 'neither (other word)'" in disp.axes_[1].get_title()
    assert "predicted" in disp.axes_[1].get_title()
    assert "heard 'neither'" in disp.figure_.get_suptitle()
    maps = FeatureMapDisplay.from_model(model, chirp).plot(n_channels=2)
    assert maps.predicted == "_unknown_" and maps.word == "neither"
    assert "heard 'neither'" in maps.axes_[0, 0].get_title(loc="left")


def test_closed_set_model(closed_model, chirp):
    assert closed_model.labels == closed_model.words == ("yes", "no")
    disp = GradCAMDisplay.from_model(closed_model, chirp)
    assert set(disp.words) == {"yes", "no"} and disp.word == disp.predicted
    with pytest.raises(ValueError, match="word must be one of 'yes', 'no' or a label index; got 'neither'"):
        grad_cam(closed_model, chirp, "neither")


def test_grad_cam_display_predicted_word_first_and_true_axes(model, chirp):
    disp = GradCAMDisplay.from_model(model, chirp)
    with torch.no_grad():
        predicted = model.labels[int(model(chirp.unsqueeze(0)).argmax())]
    assert disp.predicted == predicted and disp.words[0] == predicted
    assert set(disp.words) == {predicted, "yes", "no"}
    assert sum(disp.probabilities.values()) == pytest.approx(1.0)
    for cam in disp.cams.values():
        assert tuple(cam.data.shape) == (1, N_MELS, N_FRAMES)
        assert float(cam.data.min()) >= 0
        assert cam.time_edges() == pytest.approx((-0.005, 1.005))
    disp.plot()
    assert len(disp.axes_) == 1 + len(disp.words)
    assert disp.axes_[0].get_xlabel() == "Time (s)" and "Hz" in disp.axes_[0].get_ylabel()
    assert "dark = loud" in disp.axes_[0].get_title()
    for word, image in disp.overlay_images_.items():
        np.testing.assert_allclose(image.get_array(), disp.cams[word].data[0].numpy())
        assert image.get_extent() == pytest.approx(disp.input_image_.get_extent())
    # one colour scale for every word
    assert len({im.get_clim() for im in disp.overlay_images_.values()}) == 1
    assert disp.colorbar_.ax.get_ylabel() == "Grad-CAM relevance"
    # no figure wider than a page shows at natural size
    assert disp.figure_.get_figwidth() <= 8.5


def test_an_empty_grad_cam_panel_says_why(model, chirp):
    inference = Inference.from_model(model, chirp)
    # the label and layer whose weighted sum is most negative: set to zero by the ReLU
    layer, label = min(((layer, label) for layer in range(4) for label in model.labels),
                       key=lambda pair: float(inference.grad_cam(pair[1], layer=pair[0], relu=False).data.max()))
    signed = inference.grad_cam(label, layer=layer, relu=False)
    disp = GradCAMDisplay.from_inference(inference, words=label, layer=layer).plot(show_input=False)
    if float(signed.data.max()) <= 0:
        assert "no positive evidence" in disp.notes_[label].get_text()
    else:
        assert label not in disp.notes_
    signed_disp = GradCAMDisplay.from_inference(inference, words=label, layer=layer, relu=False).plot()
    low, high = signed_disp.overlay_images_[label].get_clim()
    assert low == pytest.approx(-high) and high > 0  # symmetric scale about zero
    assert signed_disp.colorbar_.ax.get_ylabel() == "Grad-CAM relevance (signed)"


def test_grad_cam_bad_arguments(model, chirp):
    with pytest.raises(ValueError, match="word must be one of 'yes', 'no'"):
        grad_cam(model, chirp, "maybe")
    with pytest.raises(ValueError, match="layer must be a block index"):
        GradCAMDisplay.from_model(model, chirp, layer=4)
    disp = GradCAMDisplay.from_model(model, chirp, words="no")
    assert disp.words == ("no",)
    with pytest.raises(TypeError, match="ax must be None or 2"):
        disp.plot(ax=[None, None])
    with pytest.raises(TypeError, match="inference must be an audioviz.explain.Inference"):
        GradCAMDisplay("not a record")


def test_upsampling_puts_each_cell_over_the_block_it_covers(model, chirp):
    logmel, _, _ = layer_outputs(model, chirp)
    coarse = torch.zeros(5, 12)
    coarse[2, 7] = 1.0  # covers mel rows 16..23 and frames 56..63 of the input
    fine = upsample_to(logmel, coarse)
    assert fine.shape == (N_MELS, N_FRAMES)
    row, col = np.unravel_index(int(fine.argmax()), fine.shape)
    assert 16 <= row <= 23 and 56 <= col <= 63
    block = fine[16:24, 56:64]
    assert float(block.mean()) > float(fine.mean()) * 5


# --- listening -------------------------------------------------------------------------------

def _peak_hz(wave):
    spectrum = torch.fft.rfft(wave[0]).abs()
    return float(torch.argmax(spectrum)) * 16000 / wave.shape[-1]


def test_resynthesize_masked_keeps_what_the_mask_keeps(tone):
    settings = dict(n_fft=512, win_length=400, hop_length=160, n_iter=16)
    everything = resynthesize_masked(tone, torch.ones(257, 101), **settings)
    assert everything.shape == tone.shape
    assert _peak_hz(everything) == pytest.approx(440, abs=16)  # within half an STFT bin
    nothing = resynthesize_masked(tone, torch.zeros(257, 101), **settings)
    assert float(nothing.abs().max()) < 1e-6
    # keep only 1-2 kHz: the 440 Hz tone is gone
    mask = torch.zeros(257, 101)
    mask[32:64] = 1.0
    band = resynthesize_masked(tone, mask, **settings)
    assert float(band.pow(2).mean().sqrt()) < 0.1 * float(everything.pow(2).mean().sqrt())
    with pytest.raises(ValueError, match="mask must have the STFT shape"):
        resynthesize_masked(tone, torch.ones(10, 10), **settings)
    again = resynthesize_masked(tone, torch.ones(257, 101), **settings)
    torch.testing.assert_close(again, everything)  # seeded: same call, same sound


def test_listening_display(model, chirp):
    heard = ListeningDisplay.from_model(model, chirp, n_iter=8)
    waves = heard.waveforms()
    assert set(waves) == {"original", "resynthesized", "used", "ignored"}
    assert all(w.shape == (1, 16000) for w in waves.values())
    assert heard.mask.kind == "linear" and tuple(heard.mask.data.shape) == (1, 257, 101)
    assert 0.0 <= float(heard.mask.data.min()) and float(heard.mask.data.max()) <= 1.0
    # default: a 0/1 mask, 1 where the Grad-CAM reaches half its maximum
    assert set(heard.mask.data.unique().tolist()) == {0.0, 1.0}
    soft = ListeningDisplay.from_model(model, chirp, n_iter=2, threshold=None)
    assert float(soft.mask.data.max()) == pytest.approx(1.0, abs=0.02)  # the map scaled to [0, 1]
    np.testing.assert_array_equal(heard.mask.data.numpy(), (soft.mask.data >= 0.5).float().numpy())
    with pytest.raises(ValueError, match="threshold"):
        ListeningDisplay.from_model(model, chirp, threshold=1.5)
    assert heard.word == GradCAMDisplay.from_model(model, chirp).predicted
    html = heard._repr_html_()
    assert html.count("<audio") == 4 and "what the model used: the spectrogram where the Grad-CAM" in html
    players = heard.players()
    assert set(players) == set(waves)
    heard.plot()
    assert [a.get_xlabel() for a in heard.axes_] == ["Time (s)"] * 4
    assert heard.axes_[0].get_ylabel() == "Frequency (Hz)"
    assert heard.images_["mask"].get_extent()[3] == pytest.approx(8000 + 8000 / 256 / 2)
    assert heard.images_["used"].get_array().shape == (257, 101)


# --- confusion, mistakes, training curves ----------------------------------------------------

def test_confusion_matrix_from_predictions_and_plot():
    disp = ConfusionMatrixDisplay.from_predictions(["yes", "yes", "no", "no", "no"], ["yes", "no", "no", "no", "yes"])
    assert disp.confusion.tolist() == [[1, 1], [1, 2]]
    assert disp.accuracy == pytest.approx(0.6)
    assert disp.per_class == pytest.approx({"yes": 0.5, "no": 2 / 3})
    disp.plot()
    np.testing.assert_allclose(disp.im_.get_array(), [[0.5, 0.5], [1 / 3, 2 / 3]])
    assert disp.text_[1, 1].get_text() == "2\n66.7%"
    assert disp.ax_.get_xlabel() == "Model's answer" and disp.ax_.get_ylabel() == "True answer"
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["yes", "no"]
    assert "60.0%" in disp.ax_.get_title()
    idx = ConfusionMatrixDisplay.from_predictions([0, 1], [1, 1], words=["yes", "no"])
    assert idx.confusion.tolist() == [[0, 1], [0, 1]]
    with pytest.raises(ValueError, match="y_pred holds 'maybe'"):
        ConfusionMatrixDisplay.from_predictions(["yes"], ["maybe"], words=["yes", "no"])
    with pytest.raises(ValueError, match="same length"):
        ConfusionMatrixDisplay.from_predictions(["yes"], [])


@pytest.mark.parametrize("figsize", [(4.6, 4.2), (6.0, 3.0), (3.0, 6.0)])
def test_confusion_matrix_colorbar_is_as_tall_as_the_matrix(figsize):
    """The square matrix fills only part of a tall or wide Axes; its colorbar matches the
    matrix, not the Axes' whole height (tutorial 9's bars were taller than their matrices)."""
    import matplotlib.pyplot as plt

    disp = ConfusionMatrixDisplay.from_predictions(["yes", "no", "no"], ["yes", "no", "yes"])
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    disp.plot(ax=ax)
    fig.canvas.draw()
    matrix = disp.im_.get_window_extent()
    bar = disp.colorbar_.ax.get_window_extent()
    assert bar.height == pytest.approx(matrix.height, abs=1.5)
    assert bar.y0 == pytest.approx(matrix.y0, abs=1.5)
    assert bar.x0 > matrix.x1 and bar.x1 <= fig.bbox.x1
    plt.close(fig)


def test_confusion_and_mistakes_from_model(closed_model, chirp):
    model = closed_model
    data = _dataset(chirp)
    with torch.no_grad():
        predicted = [model.words[int(model(w.unsqueeze(0)).argmax())] for w, *_ in data]
    truth = [item[3] for item in data]
    disp = ConfusionMatrixDisplay.from_model(model, data)
    assert disp.confusion.tolist() == ConfusionMatrixDisplay.from_predictions(truth, predicted,
                                                                              words=model.words).confusion.tolist()
    mistakes = MistakesDisplay.from_model(model, data, n_mistakes=2)
    n_wrong = sum(p != t for p, t in zip(predicted, truth))
    assert mistakes.n_wrong == n_wrong and mistakes.n == len(data)
    assert len(mistakes.mistakes) == min(2, n_wrong)
    confidences = [m["confidence"] for m in mistakes.mistakes]
    assert confidences == sorted(confidences, reverse=True)
    for m in mistakes.mistakes:
        assert m["predicted"] != m["word"] and m["word"] == truth[m["index"]]
    mistakes.plot()
    assert mistakes.figure_.get_suptitle().startswith(f"{n_wrong} of {len(data)} clips wrong")
    assert len(mistakes.images_) == len(mistakes.mistakes)
    for image, m in zip(mistakes.images_, mistakes.mistakes):
        assert image.get_array().shape == (N_MELS, N_FRAMES)
        assert f"said '{m['word']}'" in image.axes.get_title()
    assert mistakes._repr_html_().count("<audio") == len(mistakes.mistakes)
    # the same mistakes from an evaluation already made (one pass over the data, not two)
    from audioviz.model import evaluate

    again = MistakesDisplay.from_evaluation(model, data, evaluate(model, data, details=True), n_mistakes=2)
    assert [m["index"] for m in again.mistakes] == [m["index"] for m in mistakes.mistakes]
    with pytest.raises(ValueError, match="details=True"):
        MistakesDisplay.from_evaluation(model, data, evaluate(model, data))
    with pytest.raises(ValueError, match="n_mistakes"):
        MistakesDisplay.from_model(model, data, n_mistakes=0)


def test_mistakes_display_with_no_mistakes():
    disp = MistakesDisplay([], n_wrong=0, n=10, sample_rate=16000).plot()
    assert "no mistakes" in disp.axes_[0].texts[0].get_text()
    assert "No mistakes" in disp._repr_html_()


def test_training_curves_from_metrics_json(tmp_path):
    epochs = [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e, "train_accuracy": 0.5 + 0.1 * e,
               "val_accuracy": min(0.99, 0.45 + 0.12 * e)} for e in range(1, 5)]
    (tmp_path / "metrics.json").write_text(json.dumps({"epochs": epochs, "best": {"epoch": 3},
                                                       "test": {"accuracy": 0.97}}))
    disp = TrainingCurvesDisplay.from_file(tmp_path).plot()
    assert disp.best_epoch == 3 and disp.test_accuracy == 0.97
    np.testing.assert_allclose(disp.lines_["val_loss"].get_ydata(), [1.2 / e for e in range(1, 5)])
    np.testing.assert_allclose(disp.lines_["train_accuracy"].get_ydata(), [60, 70, 80, 90])
    assert disp.lines_["test_accuracy"].get_ydata()[0] == pytest.approx(97)
    assert [a.get_xlabel() for a in disp.axes_] == ["Epoch", "Epoch"]
    assert disp.axes_[1].get_ylabel() == "Accuracy (%)"
    with pytest.raises(FileNotFoundError, match="metrics.json"):
        TrainingCurvesDisplay.from_file(tmp_path / "nowhere")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        TrainingCurvesDisplay.from_file(tmp_path / "bad.json")


# --- the command -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory, model):
    return save_checkpoint(tmp_path_factory.mktemp("run") / "model.pt", model)


def test_cli_explain_writes_figure_and_notes_the_fixes(checkpoint, tmp_path, capsys):
    from audioviz.cli import main

    t = np.arange(4000) / 8000
    soundfile.write(tmp_path / "short.wav", 0.3 * np.sin(2 * np.pi * 500 * t), 8000)
    out = tmp_path / "fig.png"
    rc = main(["explain", "--checkpoint", str(checkpoint), str(tmp_path / "short.wav"), "--out", str(out),
               "--channels", "2", "--dpi", "40", "--listen", str(tmp_path / "heard")])
    printed = capsys.readouterr().out
    assert rc == 0
    assert out.exists() and out.stat().st_size > 1000
    assert "resampled from 8000 Hz to 16000 Hz" in printed and "padded" in printed
    for name in ("original", "used", "ignored"):
        data, rate = soundfile.read(tmp_path / "heard" / f"{name}.wav")
        assert rate == 16000 and data.shape == (16000,)


def test_cli_explain_on_a_full_disk_writes_none_of_its_files(checkpoint, tmp_path, capsys, full_disk_for):
    """The figure and the three --listen sounds are one result: when the disk fills while the
    second sound is written, none is written (a figure from an earlier run stays as it was), the
    error is one line naming that file, and no temporary file (nor the folder made for them) is
    left."""
    from audioviz.cli import main

    soundfile.write(tmp_path / "clip.wav", 0.3 * np.sin(2 * np.pi * 500 * np.arange(16000) / 16000), 16000)
    out, heard = tmp_path / "fig.png", tmp_path / "heard"
    out.write_bytes(b"an earlier figure")
    full_disk_for("used.wav")
    rc = main(["explain", "--checkpoint", str(checkpoint), str(tmp_path / "clip.wav"), "--out", str(out),
               "--channels", "2", "--dpi", "40", "--listen", str(heard)])
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.err.startswith(f"audioviz: error: {heard / 'used.wav'}: no space left on device")
    assert len(captured.err.strip().splitlines()) == 1
    assert "wrote" not in captured.out
    assert out.read_bytes() == b"an earlier figure"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["clip.wav", "fig.png"]


def test_cli_explain_bad_checkpoints_are_clear_errors(checkpoint, tmp_path, capsys):
    from audioviz.cli import main

    soundfile.write(tmp_path / "clip.wav", np.zeros(16000), 16000)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(checkpoint.read_bytes()[:4000])
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(3)}, other)
    for path, message in ((truncated, "truncated"), (other, "not an audioviz KeywordCNN checkpoint"),
                          (tmp_path / "missing.pt", "checkpoint not found")):
        rc = main(["explain", "--checkpoint", str(path), str(tmp_path / "clip.wav"), "--out", str(tmp_path / "f.png")])
        err = capsys.readouterr().err
        assert rc == 1 and message in err and "Traceback" not in err  # a failure, not a usage error
    assert not (tmp_path / "f.png").exists()
    rc = main(["explain", "--checkpoint", str(checkpoint), str(tmp_path / "clip.wav"), "--out", str(tmp_path / "f.txt")])
    assert rc == 1 and "--out must end in" in capsys.readouterr().err


# --- the explorer widget ---------------------------------------------------------------------

def test_feature_map_explorer_updates_in_place(model, chirp):
    from audioviz.explain import FeatureMapExplorer

    explorer = FeatureMapExplorer(model, chirp)
    image = explorer.image
    first = explorer.maps[0].data
    means = first.mean(dim=(1, 2))
    assert explorer.params["layer"] == 0
    assert float(means[explorer.params["channel"]]) == pytest.approx(float(means.max()))
    assert image.get_array().shape == (N_MELS, N_FRAMES)
    assert explorer.ax.get_xlabel() == "Time (s)" and "Hz" in explorer.ax.get_ylabel()

    explorer.controls["layer"].value = 3  # 8 channels of 5 x 12 in the tiny model
    assert explorer.error is None
    assert explorer.image is image  # same artist, new data
    assert image.get_array().shape == (5, 12)
    assert image.get_extent() == pytest.approx((*explorer.maps[3].time_edges(), *explorer.maps[3].row_edges()))
    assert explorer.controls["channel"].max == 7
    explorer.controls["channel"].value = 5
    np.testing.assert_allclose(image.get_array(), explorer.maps[3].data[5].numpy())
    assert image.get_clim() == pytest.approx((0.0, float(explorer.maps[3].data.max())))
    assert "conv 4" in explorer.readout.value and "8 x 8" in explorer.readout.value

    explorer.controls["layer"].value = 0  # 4 channels: the slider range shrinks, the value follows
    assert explorer.controls["channel"].max == 3 and explorer.params["channel"] == 3
    assert image.get_array().shape == (N_MELS, N_FRAMES)
    with pytest.raises(ValueError, match="channel"):
        FeatureMapExplorer(model, chirp, channel=9)
    with pytest.raises(ValueError, match="layer"):
        FeatureMapExplorer(model, chirp, layer=4)


def test_confusion_and_mistakes_answer_neither(model, chirp):
    """An open-set model on clips of yes, no and go: rows and columns are yes, no and neither."""
    from audioviz.model import evaluate

    data = [(torch.roll(chirp, 700 * i, dims=-1) * (1 + 0.3 * i), 16000, 0, word, f"spk{i}")
            for i, word in enumerate(["yes", "no", "go", "_silence_", "yes", "go"])]
    result = evaluate(model, data, details=True)
    disp = ConfusionMatrixDisplay.from_evaluation(result).plot()
    assert disp.words == ("yes", "no", "neither")
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["yes", "no", "neither"]
    assert disp.confusion.sum(axis=1).tolist() == [2, 1, 3]  # go, silence and go: right answer neither
    mistakes = MistakesDisplay.from_evaluation(model, data, result, n_mistakes=6).plot()
    assert mistakes.n_wrong == len(mistakes.mistakes) == disp.n - int(np.trace(disp.confusion))
    for m in mistakes.mistakes:
        assert m["predicted"] != m["word"]
        assert isinstance(m["inference"], Inference) and m["inference"].word == m["predicted"]
    titles = [image.axes.get_title() for image in mistakes.images_]
    for m, title in zip(mistakes.mistakes, titles):
        expected = {"go": "said 'go' (neither)", "_silence_": "said 'silence' (neither)"}.get(
            m["category"], f"said '{m['word']}'")
        assert expected in title
