"""Tests for audioviz.model: the network, its labels, prediction and evaluation.

Training is tested in tests/test_train.py, checkpoints in tests/test_checkpoint.py; the accuracy
targets are measured by benchmarks/bench_classifier.py, never here.
"""
from __future__ import annotations

import json

import pytest
import torch
from _trees import make_test_layout

from audioviz.model import (
    FrontendConfig,
    KeywordCNN,
    ModelConfig,
    Prediction,
    evaluate,
    predict,
    save_checkpoint,
)

# --- network ---------------------------------------------------------------------------------

def test_network_is_small_and_has_the_documented_layers():
    model = KeywordCNN()
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params < 200_000
    assert len(model.blocks) == 4
    assert all(isinstance(b.conv, torch.nn.Conv2d) for b in model.blocks)
    assert model.words == ("yes", "no")
    assert model.labels == ("yes", "no", "_unknown_", "_silence_")
    assert model(torch.zeros(2, 1, 16000)).shape == (2, 4)


def test_closed_set_model_outputs_only_its_words():
    model = KeywordCNN(ModelConfig(neither=False)).eval()
    assert model.labels == model.words == ("yes", "no")
    assert model(torch.zeros(1, 1, 16000)).shape == (1, 2)
    with pytest.raises(ValueError, match="at least two words"):
        ModelConfig(words=("yes",), neither=False)
    assert ModelConfig(words=("up",)).labels == ("up", "_unknown_", "_silence_")  # one keyword + neither


def test_features_shape_and_forward_split():
    model = KeywordCNN().eval()
    wave = torch.randn(3, 1, 16000)
    logmel = model.features(wave)
    assert logmel.shape == (3, 1, 40, model.config.frontend.n_frames)
    torch.testing.assert_close(model.forward_features(logmel), model(wave))


def test_band_normalisation_removes_gain_and_channel_colouring():
    front = KeywordCNN().frontend
    wave = torch.randn(1, 1, 16000)
    torch.testing.assert_close(front(wave), front(10 * wave), atol=1e-3, rtol=1e-3)
    out = front(wave)
    # every mel band has zero mean over time, the whole image unit RMS
    assert out.mean(dim=-1).abs().max() < 1e-4
    assert abs(float(out.pow(2).mean()) - 1.0) < 1e-3


def test_model_config_round_trip_unknown_keys_and_reserved_words():
    cfg = ModelConfig(words=("no", "yes"), channels=(8, 8), frontend=FrontendConfig(n_mels=32, normalize="clip"))
    again = ModelConfig.from_dict(cfg.to_dict())
    assert again == cfg
    bad = cfg.to_dict()
    bad["colour"] = "red"
    with pytest.raises(ValueError, match="colour"):
        ModelConfig.from_dict(bad)
    with pytest.raises(ValueError, match="normalize"):
        KeywordCNN(ModelConfig(frontend=FrontendConfig(normalize="loud")))
    with pytest.raises(ValueError, match="reserved"):
        ModelConfig(words=("yes", "_silence_"))
    old = cfg.to_dict()
    del old["neither"]  # a checkpoint written before "neither" existed was closed-set
    assert ModelConfig.from_dict(old).labels == ("no", "yes")


# --- predicting one clip -------------------------------------------------------------------------

def test_predict_returns_an_answer_a_label_and_probabilities_over_all_labels(tmp_path):
    from audioviz.io import save_audio

    model = KeywordCNN().eval()
    pred = predict(model, torch.randn(22050) * 0.1, 22050)
    assert isinstance(pred, Prediction)
    assert pred.label in model.labels and pred.waveform.shape == (1, 16000)
    assert pred.word == (pred.label if pred.label in model.words else "neither")
    assert list(pred.probabilities) == list(model.labels)
    assert sum(pred.probabilities.values()) == pytest.approx(1.0)
    assert pred.confidence == max(pred.probabilities.values())
    assert pred.index == model.labels.index(pred.label)
    assert any("22050" in n for n in pred.notes)
    path = save_audio(tmp_path / "clip.wav", torch.randn(1, 16000) * 0.1, 16000)
    assert predict(model, path).notes == []
    with pytest.raises(TypeError, match="sample_rate"):
        predict(model, torch.zeros(16000))


def test_predict_answers_neither_for_the_neither_classes():
    model = KeywordCNN().eval()
    with torch.no_grad():
        model.head[-1].weight.zero_()
        model.head[-1].bias.copy_(torch.tensor([0.0, 0.0, 0.0, 5.0]))  # always "_silence_"
    pred = predict(model, torch.zeros(16000), 16000)
    assert (pred.word, pred.label) == ("neither", "_silence_")


# --- evaluate ----------------------------------------------------------------------------------

class _ListDataset:
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def _always(label: str, labels=("yes", "no", "_unknown_", "_silence_")) -> KeywordCNN:
    """A model that answers ``label`` whatever it hears."""
    model = KeywordCNN(ModelConfig(channels=(4, 4), neither=len(labels) > 2)).eval()
    with torch.no_grad():
        model.head[-1].weight.zero_()
        model.head[-1].bias.copy_(torch.tensor([5.0 if name == label else 0.0 for name in labels]))
    return model


def _items(words):
    return _ListDataset([(torch.randn(1, 16000) * 0.1, 16000, 0, w, f"s{i}") for i, w in enumerate(words)])


def test_evaluate_counts_match_predictions():
    torch.manual_seed(0)
    model = KeywordCNN(ModelConfig(channels=(4, 4))).eval()
    items = [(torch.randn(1, 16000) * 0.1, 16000, i % 2, ("yes", "no")[i % 2], f"s{i}") for i in range(10)]
    items.append((torch.randn(1, 8000) * 0.1, 8000, 0, "yes", "short"))  # other rate: prepared
    result = evaluate(model, _ListDataset(items), batch_size=4, details=True)
    assert set(result) >= {"accuracy", "per_class", "false_accept", "confusion", "n", "words"}
    assert result["n"] == 11 and sum(map(sum, result["confusion"])) == 11
    expected = [predict(model, w, sr).word for w, sr, *_ in items]
    correct = sum(e == it[3] for e, it in zip(expected, items))
    assert result["accuracy"] == pytest.approx(correct / 11)
    assert [p["predicted"] for p in result["predictions"]] == expected
    yes_total = sum(result["confusion"][0])
    assert result["per_class"]["yes"] == pytest.approx(result["confusion"][0][0] / yes_total)
    with pytest.raises(ValueError, match="empty"):
        evaluate(model, _ListDataset([]))


def test_evaluate_scores_every_other_category_as_neither():
    clips = ["yes", "yes", "no", "go", "_unknown_", "_silence_", "_silence_"]
    said_no = evaluate(_always("no"), _items(clips))
    assert said_no["words"] == ["yes", "no", "neither"]
    assert said_no["accuracy"] == pytest.approx(1 / 7)
    assert said_no["per_class"] == {"yes": 0.0, "no": 1.0, "neither": 0.0}
    assert said_no["false_accept"] == {"words": 1.0, "silence": 1.0}
    silent = evaluate(_always("_silence_"), _items(clips))
    assert silent["false_accept"] == {"words": 0.0, "silence": 0.0}
    assert silent["per_class"]["neither"] == 1.0 and silent["accuracy"] == pytest.approx(4 / 7)
    assert silent["label_accuracy"] == pytest.approx(2 / 7)  # "go" and "_unknown_" are not silence
    keywords_only = evaluate(_always("yes"), _items(["yes", "no"]))
    assert keywords_only["false_accept"] == {"words": None, "silence": None}
    assert "neither" not in keywords_only["per_class"]


def test_closed_set_model_on_other_words_is_always_wrong():
    closed = _always("no", labels=("yes", "no"))
    result = evaluate(closed, _items(["go", "go", "no"]), details=True)
    assert result["words"] == ["yes", "no", "neither"]
    assert result["confusion"] == [[0, 0, 0], [0, 1, 0], [0, 2, 0]]
    assert result["false_accept"]["words"] == 1.0
    assert [p["category"] for p in result["predictions"]] == ["go", "go", "no"]


def test_evaluate_cli_reads_the_test_layout_and_writes_json_atomically(tmp_path, capsys):
    from audioviz.cli import main

    root = make_test_layout(tmp_path / "test_set")
    checkpoint = save_checkpoint(tmp_path / "m" / "model.pt", _always("_unknown_"))
    out = tmp_path / "eval.json"
    out.write_text("old results")
    assert main(["evaluate", "--checkpoint", str(checkpoint), "--data", str(root), "--json", str(out), "--quiet"]) == 0
    result = json.loads(out.read_text())
    assert result["n"] == 3 * 3 + 2 + 2
    assert result["per_class"]["neither"] == 1.0 and result["false_accept"] == {"words": 0.0, "silence": 0.0}
    printed = capsys.readouterr().out
    assert "false accepts on other words: 0.00%" in printed and "confusion" in printed
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "eval.json").mkdir()  # a folder where the JSON should go: the write fails
    assert main(["evaluate", "--checkpoint", str(checkpoint), "--data", str(root), "--json",
                 str(tmp_path / "ro" / "eval.json"), "--quiet"]) == 1
    assert "eval.json" in capsys.readouterr().err
    assert main(["evaluate", "--checkpoint", str(tmp_path / "nope.pt"), "--data", str(root)]) == 1
    assert "checkpoint not found" in capsys.readouterr().err


def test_evaluate_refuses_a_model_with_non_finite_weights():
    model = _always("yes")
    with torch.no_grad():
        model.blocks[0].conv.weight[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN or infinite"):
        evaluate(model, _items(["yes"]))


def test_real_voices_evaluate(real_speech_root):
    from audioviz.data import SpeechCommands

    dataset = SpeechCommands(real_speech_root, subset="testing", words=("yes", "no"), neither=True)
    result = evaluate(_always("yes"), dataset)
    assert result["n"] == len(dataset) > 0
    assert result["per_class"] == {"yes": 1.0, "no": 0.0}
