"""Tests for audioviz.model: the network, checkpoints, prediction, evaluation and training.

Training runs on a tiny synthetic set (a few clips per word, one or two epochs) so the file takes
seconds; the accuracy targets are measured by benchmarks/bench_classifier.py, never here.
"""
from __future__ import annotations

import json

import pytest
import torch

from audioviz.model import (
    AugmentConfig,
    FrontendConfig,
    KeywordCNN,
    ModelConfig,
    Prediction,
    evaluate,
    load_checkpoint,
    predict,
    prepare_clip,
    save_checkpoint,
    train,
)
from audioviz.model import _train as train_module

SMALL = ModelConfig(channels=(4, 8, 8, 8))


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """A synthetic Speech Commands tree with a few clips per word."""
    from audioviz.data import synthesize_speech_commands

    root = tmp_path_factory.mktemp("tiny_speech")
    return synthesize_speech_commands(root / "data", words=("yes", "no"), per_word=12, seed=0)


@pytest.fixture(scope="module")
def trained(tiny_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = train(out, data=tiny_data, epochs=2, batch_size=8, seed=0, device="cpu", progress=False,
                   model_config=SMALL)
    return result


# --- network ---------------------------------------------------------------------------------

def test_network_is_small_and_has_the_documented_layers():
    model = KeywordCNN()
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params < 200_000
    assert len(model.blocks) == 4
    assert all(isinstance(b.conv, torch.nn.Conv2d) for b in model.blocks)
    assert model.words == ("yes", "no")


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


def test_model_config_round_trip_and_unknown_keys():
    cfg = ModelConfig(words=("no", "yes"), channels=(8, 8), frontend=FrontendConfig(n_mels=32, normalize="clip"))
    again = ModelConfig.from_dict(cfg.to_dict())
    assert again == cfg
    bad = cfg.to_dict()
    bad["colour"] = "red"
    with pytest.raises(ValueError, match="colour"):
        ModelConfig.from_dict(bad)
    with pytest.raises(ValueError, match="normalize"):
        KeywordCNN(ModelConfig(frontend=FrontendConfig(normalize="loud")))


# --- preparing and predicting one clip ---------------------------------------------------------

def test_prepare_clip_notes_every_change():
    clip, notes = prepare_clip(torch.zeros(2, 8000), 8000)
    assert clip.shape == (1, 16000)
    assert notes[0] == "averaged 2 channels to mono"
    assert "resampled from 8000 Hz to 16000 Hz" in notes[1]
    clip, notes = prepare_clip(torch.ones(16000), 16000)
    assert notes == [] and clip.shape == (1, 16000)


def test_prepare_clip_pads_centred_and_cuts_to_the_loudest_second():
    clip, notes = prepare_clip(torch.ones(8000), 16000)
    assert "padded" in notes[0]
    assert clip[0, :4000].abs().sum() == 0 and clip[0, 4000:12000].eq(1).all()
    long = torch.zeros(48000)
    long[30000:32000] = 1.0  # a click at 1.875-2.0 s
    clip, notes = prepare_clip(long, 16000)
    assert clip.abs().sum() == 2000  # the whole click is inside the chosen second
    assert notes[0].startswith("cut 3.000 s to the loudest 1 s")


def test_prepare_clip_bad_input():
    with pytest.raises(ValueError, match="sample_rate"):
        prepare_clip(torch.zeros(100), 0)
    with pytest.raises(ValueError, match="waveform"):
        prepare_clip(torch.zeros(1, 1, 100), 16000)


def test_predict_returns_probabilities_and_notes(tmp_path):
    from audioviz.io import save_audio

    model = KeywordCNN().eval()
    pred = predict(model, torch.randn(22050) * 0.1, 22050)
    assert isinstance(pred, Prediction)
    assert pred.word in model.words and pred.waveform.shape == (1, 16000)
    assert sum(pred.probabilities.values()) == pytest.approx(1.0)
    assert pred.confidence == max(pred.probabilities.values())
    assert any("22050" in n for n in pred.notes)
    path = save_audio(tmp_path / "clip.wav", torch.randn(1, 16000) * 0.1, 16000)
    from_file = predict(model, path)
    assert from_file.notes == [] and from_file.word in model.words
    with pytest.raises(TypeError, match="sample_rate"):
        predict(model, torch.zeros(16000))


# --- checkpoints -------------------------------------------------------------------------------

def test_checkpoint_round_trip_with_weights_only(tmp_path):
    model = KeywordCNN(ModelConfig(words=("no", "yes"), channels=(8, 8, 8))).eval()
    path = save_checkpoint(tmp_path / "m" / "model.pt", model, metrics={"val_accuracy": 0.5})
    raw = torch.load(path, weights_only=True)
    assert raw["words"] == ["no", "yes"] and raw["frontend"]["n_mels"] == 40
    loaded, info = load_checkpoint(tmp_path / "m")  # the folder works too
    assert info["words"] == ["no", "yes"] and info["metrics"] == {"val_accuracy": 0.5}
    assert not loaded.training
    wave = torch.randn(2, 1, 16000)
    torch.testing.assert_close(loaded(wave), model(wave))


def test_truncated_checkpoint_is_a_clear_error(tmp_path):
    path = save_checkpoint(tmp_path / "model.pt", KeywordCNN())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        load_checkpoint(path)
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_checkpoint(path)


def test_another_models_checkpoint_is_a_clear_error(tmp_path):
    other = tmp_path / "resnet.pt"
    torch.save(torch.nn.Linear(3, 2).state_dict(), other)
    with pytest.raises(ValueError, match="not an audioviz KeywordCNN checkpoint"):
        load_checkpoint(other)
    tampered = tmp_path / "tampered.pt"
    payload = torch.load(save_checkpoint(tmp_path / "ok.pt", KeywordCNN()), weights_only=True)
    payload["state_dict"] = torch.nn.Linear(3, 2).state_dict()
    torch.save(payload, tampered)
    with pytest.raises(ValueError, match="does not match"):
        load_checkpoint(tampered)
    with pytest.raises(FileNotFoundError, match="audioviz train"):
        load_checkpoint(tmp_path / "nothing.pt")


# --- evaluate ----------------------------------------------------------------------------------

class _ListDataset:
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def test_evaluate_counts_match_predictions():
    torch.manual_seed(0)
    model = KeywordCNN(ModelConfig(channels=(4, 4))).eval()
    items = [(torch.randn(1, 16000) * 0.1, 16000, i % 2, ("yes", "no")[i % 2], f"s{i}") for i in range(10)]
    items.append((torch.randn(1, 8000) * 0.1, 8000, 0, "yes", "short"))  # other rate: prepared
    result = evaluate(model, _ListDataset(items), batch_size=4, details=True)
    assert set(result) >= {"accuracy", "per_class", "confusion", "n", "words"}
    assert result["n"] == 11 and sum(map(sum, result["confusion"])) == 11
    expected = [predict(model, w, sr).word for w, sr, *_ in items]
    correct = sum(e == it[3] for e, it in zip(expected, items))
    assert result["accuracy"] == pytest.approx(correct / 11)
    assert [p["predicted"] for p in result["predictions"]] == expected
    yes_total = sum(result["confusion"][0])
    assert result["per_class"]["yes"] == pytest.approx(result["confusion"][0][0] / yes_total)
    with pytest.raises(ValueError, match="maybe"):
        evaluate(model, _ListDataset([(torch.zeros(1, 16000), 16000, 0, "maybe", "")]))
    with pytest.raises(ValueError, match="empty"):
        evaluate(model, _ListDataset([]))


# --- training ----------------------------------------------------------------------------------

def test_train_writes_checkpoint_and_metrics(trained):
    assert trained.checkpoint.exists() and trained.metrics_path.exists()
    metrics = json.loads(trained.metrics_path.read_text())
    assert [e["epoch"] for e in metrics["epochs"]] == [1, 2]
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"):
        assert key in metrics["epochs"][0]
    assert metrics["test"]["n"] > 0 and set(metrics["test"]) >= {"accuracy", "per_class", "confusion"}
    model, info = load_checkpoint(trained.checkpoint)
    assert info["words"] == ["yes", "no"]
    assert info["metrics"]["epoch"] == trained.best_epoch
    assert info["metrics"]["history"][-1]["epoch"] == 2
    assert trained.device == "cpu" and trained.resumed_from == 0
    assert "test accuracy" in str(trained)


def test_same_seed_same_weights(tiny_data, trained, tmp_path):
    again = train(tmp_path, data=tiny_data, epochs=2, batch_size=8, seed=0, device="cpu", progress=False,
                  model_config=SMALL)
    a = torch.load(trained.checkpoint, weights_only=True)["state_dict"]
    b = torch.load(again.checkpoint, weights_only=True)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    other = train(tmp_path / "seed1", data=tiny_data, epochs=1, batch_size=8, seed=1, device="cpu",
                  progress=False, model_config=SMALL)
    c = torch.load(other.checkpoint, weights_only=True)["state_dict"]
    assert not torch.equal(a["blocks.0.conv.weight"], c["blocks.0.conv.weight"])


def test_resume_after_interruption_gives_the_same_model(tiny_data, trained, tmp_path, monkeypatch):
    real_validate = train_module._validate
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C during epoch 2
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(train_module, "_validate", interrupted)
    kwargs = dict(data=tiny_data, epochs=2, batch_size=8, seed=0, device="cpu", progress=False, model_config=SMALL)
    with pytest.raises(KeyboardInterrupt):
        train(tmp_path, **kwargs)
    assert json.loads((tmp_path / "metrics.json").read_text())["epochs"][-1]["epoch"] == 1
    monkeypatch.setattr(train_module, "_validate", real_validate)
    resumed = train(tmp_path, resume=True, **kwargs)
    assert resumed.resumed_from == 1
    assert [e["epoch"] for e in resumed.history] == [1, 2]
    a = torch.load(trained.checkpoint, weights_only=True)["state_dict"]
    b = torch.load(resumed.checkpoint, weights_only=True)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="different settings.*seed"):
        train(tmp_path, resume=True, **{**kwargs, "seed": 3})


def test_train_bad_input(tiny_data, tmp_path):
    with pytest.raises(ValueError, match="device"):
        train(tmp_path, data=tiny_data, device="tpu", progress=False)
    with pytest.raises(ValueError, match="epochs"):
        train(tmp_path, data=tiny_data, epochs=0, progress=False)
    with pytest.raises(TypeError, match="augment"):
        train(tmp_path, data=tiny_data, augment="lots", progress=False)
    with pytest.raises(FileNotFoundError, match="audioviz data synth"):
        train(tmp_path, data=tmp_path / "missing", progress=False)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            train(tmp_path, data=tiny_data, device="cuda", progress=False)


def test_augmentations_keep_shape_and_follow_the_seed():
    from audioviz.model._batch_augment import augment_waveforms, spec_augment

    waves = torch.randn(8, 1, 16000) * 0.1
    cfg = AugmentConfig()
    a = augment_waveforms(waves, cfg, torch.Generator().manual_seed(1))
    b = augment_waveforms(waves, cfg, torch.Generator().manual_seed(1))
    assert a.shape == waves.shape and torch.equal(a, b) and not torch.equal(a, waves)
    logmel = torch.randn(8, 1, 40, 101)
    masked = spec_augment(logmel, AugmentConfig(freq_masks=1, freq_mask_width=40, time_masks=0),
                          torch.Generator().manual_seed(0))
    assert masked.shape == logmel.shape and (masked == 0).any()


# --- command line ------------------------------------------------------------------------------

def test_cli_train_and_evaluate_json(tiny_data, trained, tmp_path, capsys):
    from audioviz.cli import main

    out = tmp_path / "eval.json"
    code = main(["evaluate", "--checkpoint", str(trained.checkpoint), "--data", str(tiny_data), "--json", str(out),
                 "--quiet"])
    assert code == 0
    result = json.loads(out.read_text())
    assert set(result) >= {"accuracy", "per_class", "confusion", "n"}
    assert set(result["per_class"]) == {"yes", "no"}
    printed = capsys.readouterr().out
    assert "accuracy:" in printed and "confusion" in printed
    code = main(["train", "--out", str(tmp_path / "cli_run"), "--data", str(tiny_data), "--epochs", "1",
                 "--device", "cpu", "--quiet"])
    assert code == 0 and (tmp_path / "cli_run" / "model.pt").exists()
    assert main(["evaluate", "--checkpoint", str(tmp_path / "nope.pt"), "--data", str(tiny_data)]) == 1
    assert "checkpoint not found" in capsys.readouterr().err


def test_real_voices_evaluate(trained, real_speech_root):
    from audioviz.data import SpeechCommands

    model, _ = load_checkpoint(trained.checkpoint)
    dataset = SpeechCommands(real_speech_root, subset="testing", words=("yes", "no"))
    result = evaluate(model, dataset)
    assert result["n"] == len(dataset) > 0
    assert set(result["per_class"]) == {"yes", "no"}


def test_tutorial_checkpoint_quick_mode_is_cached(tmp_path, monkeypatch):
    from audioviz.model import _tutorial

    monkeypatch.setenv("AUDIOVIZ_TUTORIAL_QUICK", "1")
    monkeypatch.setattr(_tutorial, "cache_root", lambda: tmp_path)
    monkeypatch.setattr(_tutorial, "QUICK_PER_WORD", 6)
    path = _tutorial.tutorial_checkpoint(progress=False)
    assert path.exists() and "quick" in str(path)
    model, info = load_checkpoint(path)
    assert info["words"] == ["yes", "no"]

    def no_training(*args, **kwargs):
        raise AssertionError("a cached checkpoint must not be trained again")

    monkeypatch.setattr(train_module, "train", no_training)
    assert _tutorial.tutorial_checkpoint(progress=False) == path


def test_training_leaves_the_callers_random_numbers_alone(tiny_data, tmp_path):
    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    train(tmp_path, data=tiny_data, epochs=1, batch_size=8, seed=0, device="cpu", progress=False)
    assert torch.equal(torch.rand(3), expected)
