"""Tests for audioviz.model.train and ``audioviz train``: what a run writes, the same seed giving
the same model, resuming, the training-folder lock, and the failures a user can cause (damaged
state, NaN clips, bad options), each a clear error naming the file or option.

Runs on a tiny hand-made tree (a tone per word) with a small network, so the file takes seconds.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from _trees import make_tree, write_wav

from audioviz.model import AugmentConfig, ModelConfig, load_checkpoint, train
from audioviz.model import _train as train_module
from audioviz.model._train_state import LOCK_NAME

SMALL = dict(channels=(4, 8, 8, 8))


def _kwargs(data, **extra):
    options = dict(data=data, epochs=2, batch_size=8, seed=0, device="cpu", progress=False,
                   model_config=ModelConfig(**SMALL))
    options.update(extra)
    return options


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("tree") / "data")


@pytest.fixture(scope="module")
def trained(tree, tmp_path_factory):
    return train(tmp_path_factory.mktemp("run"), **_kwargs(tree))


def _weights(result):
    return torch.load(result.checkpoint, weights_only=True)["state_dict"]


def test_train_writes_an_open_set_model_and_metrics(trained):
    assert trained.checkpoint.exists() and trained.metrics_path.exists()
    metrics = json.loads(trained.metrics_path.read_text())
    assert [e["epoch"] for e in metrics["epochs"]] == [1, 2]
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_score", "learning_rate", "seconds"):
        assert key in metrics["epochs"][0]
    assert metrics["test"]["n"] > 0 and set(metrics["test"]) >= {"accuracy", "per_class", "false_accept"}
    model, info = load_checkpoint(trained.checkpoint)
    assert model.labels == ("yes", "no", "_unknown_", "_silence_") and info["words"] == ["yes", "no"]
    assert info["metrics"]["epoch"] == trained.best_epoch
    assert info["metrics"]["test"] == metrics["test"]
    assert trained.device == "cpu" and trained.resumed_from == 0
    assert "test accuracy" in str(trained) and "false accepts" in str(trained)


def test_closed_set_training(tree, tmp_path):
    result = train(tmp_path, **_kwargs(tree, neither=False, epochs=1,
                                       model_config=ModelConfig(neither=False, **SMALL)))
    model, _ = load_checkpoint(result.checkpoint)
    assert model.labels == ("yes", "no")
    assert result.test["words"] == ["yes", "no"]  # its test split holds only yes and no


def test_other_keywords(tree, tmp_path):
    result = train(tmp_path, **_kwargs(tree, words=("go", "up"), epochs=1,
                                       model_config=ModelConfig(words=("go", "up"), **SMALL)))
    model, _ = load_checkpoint(result.checkpoint)
    assert model.labels == ("go", "up", "_unknown_", "_silence_")  # yes and no are now "unknown"


def test_without_data_it_asks_for_synthetic_data_of_its_words(tree, tmp_path, monkeypatch):
    import audioviz.data

    asked = []

    def ensure(**kwargs):
        asked.append(kwargs)
        return tree

    monkeypatch.setattr(audioviz.data, "ensure_synthetic_dataset", ensure)
    options = _kwargs(None, words=("go", "up"), epochs=1, model_config=ModelConfig(words=("go", "up"), **SMALL))
    result = train(tmp_path, **options)
    assert asked[0]["words"] == ("go", "up") and result.data == str(tree)


def test_same_seed_same_weights(tree, trained, tmp_path):
    again = train(tmp_path, **_kwargs(tree))
    a, b = _weights(trained), _weights(again)
    assert all(torch.equal(a[k], b[k]) for k in a)
    other = train(tmp_path / "seed1", **_kwargs(tree, seed=1, epochs=1))
    assert not torch.equal(a["blocks.0.conv.weight"], _weights(other)["blocks.0.conv.weight"])


def test_resume_after_interruption_gives_the_same_model(tree, trained, tmp_path, monkeypatch):
    real_validate = train_module._validate
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C during epoch 2
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(train_module, "_validate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train(tmp_path, **_kwargs(tree))
    assert json.loads((tmp_path / "metrics.json").read_text())["epochs"][-1]["epoch"] == 1
    assert not (tmp_path / "model.pt").exists()  # only a finished run has a model
    monkeypatch.setattr(train_module, "_validate", real_validate)
    resumed = train(tmp_path, resume=True, **_kwargs(tree))
    assert resumed.resumed_from == 1 and [e["epoch"] for e in resumed.history] == [1, 2]
    a, b = _weights(trained), _weights(resumed)
    assert all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="different settings.*seed"):
        train(tmp_path, resume=True, **_kwargs(tree, seed=3))


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"not a torch file at all", "truncated, corrupt or not a torch file"),
    (None, "not an audioviz training state"),
])
def test_damaged_training_state_is_named(tree, tmp_path, content, message):
    state = tmp_path / "train_state.pt"
    if content is None:
        torch.save({"weights": torch.zeros(3)}, state)  # another program's file
    else:
        state.write_bytes(content)
    with pytest.raises(ValueError, match=f"{state}.*{message}|{message}.*{state}|cannot resume: {state} {message}"):
        train(tmp_path, resume=True, **_kwargs(tree))


def test_a_second_training_into_the_same_folder_is_refused(tree, tmp_path):
    import fcntl

    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / LOCK_NAME, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another training is writing into"):
            train(tmp_path, **_kwargs(tree))
    assert not (tmp_path / "model.pt").exists()


def test_a_clip_with_nan_samples_is_refused_by_name(tmp_path):
    root = make_tree(tmp_path / "d", words=("yes", "no", "go"), speakers=4)
    samples = np.full(16000, 0.1, dtype=np.float32)
    samples[10] = np.inf
    write_wav(root / "no" / "cccccccc_nohash_0.wav", samples, subtype="FLOAT")
    with pytest.raises(ValueError, match="cccccccc_nohash_0.wav"):
        train(tmp_path / "run", **_kwargs(root))
    assert not (tmp_path / "run" / "model.pt").exists()


def test_disk_full_while_saving_is_a_clean_error_naming_the_file(tree, tmp_path, monkeypatch, capsys):
    import shutil
    from collections import namedtuple

    from audioviz.cli import main

    def full_disk(obj, path, *args, **kwargs):
        raise RuntimeError("[enforce fail at inline_container.cc:672] . PytorchStreamWriter failed writing file "
                           "data/0: file write failed")

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(torch, "save", full_disk)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 1000))
    with pytest.raises(OSError, match="No space left") as error:
        train(tmp_path, **_kwargs(tree, epochs=1))
    assert error.value.filename == str(tmp_path / "train_state.pt")
    assert main(["train", "--out", str(tmp_path / "cli"), "--data", str(tree), "--epochs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "train_state.pt" in err and "Traceback" not in err


def test_a_diverging_loss_stops_training(tree, tmp_path, monkeypatch):
    from audioviz.model import KeywordCNN

    forward = KeywordCNN.forward_features
    monkeypatch.setattr(KeywordCNN, "forward_features", lambda self, x: forward(self, x) * float("nan"))
    with pytest.raises(RuntimeError, match="diverged"):
        train(tmp_path, **_kwargs(tree))


def test_train_bad_input(tree, tmp_path):
    with pytest.raises(ValueError, match="device"):
        train(tmp_path, data=tree, device="tpu", progress=False)
    with pytest.raises(ValueError, match="epochs must be an integer from 1 to 1000, got 0"):
        train(tmp_path, data=tree, epochs=0, progress=False)
    with pytest.raises(ValueError, match="learning_rate"):
        train(tmp_path, data=tree, learning_rate=float("nan"), progress=False)
    with pytest.raises(TypeError, match="augment"):
        train(tmp_path, data=tree, augment="lots", progress=False)
    with pytest.raises(ValueError, match="model_config"):
        train(tmp_path, data=tree, words=("go", "up"), model_config=ModelConfig(), progress=False)
    with pytest.raises(FileNotFoundError, match="audioviz data synth"):
        train(tmp_path, data=tmp_path / "missing", progress=False)
    no_unknown = make_tree(tmp_path / "yes_no_only", words=("yes", "no"), speakers=3)
    with pytest.raises(ValueError, match="no training clips of \\['_unknown_'\\]"):
        train(tmp_path / "r", **_kwargs(no_unknown))
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            train(tmp_path, data=tree, device="cuda", progress=False)


def test_augmentations_keep_shape_and_follow_the_seed():
    from audioviz.model import augment_waveforms, spec_augment

    waves = torch.randn(8, 1, 16000) * 0.1
    cfg = AugmentConfig()
    a = augment_waveforms(waves, cfg, torch.Generator().manual_seed(1))
    b = augment_waveforms(waves, cfg, torch.Generator().manual_seed(1))
    assert a.shape == waves.shape and torch.equal(a, b) and not torch.equal(a, waves)
    logmel = torch.randn(8, 1, 40, 101)
    masked = spec_augment(logmel, AugmentConfig(freq_masks=1, freq_mask_width=40, time_masks=0),
                          torch.Generator().manual_seed(0))
    assert masked.shape == logmel.shape and (masked == 0).any()


def test_training_leaves_the_callers_random_numbers_alone(tree, tmp_path):
    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    train(tmp_path, **_kwargs(tree, epochs=1))
    assert torch.equal(torch.rand(3), expected)


# --- command line ------------------------------------------------------------------------------

def test_cli_train_words_and_ranges(tree, tmp_path, capsys):
    from audioviz.cli import main

    code = main(["train", "--out", str(tmp_path / "cli"), "--data", str(tree), "--words", "go,up", "--epochs", "1",
                 "--device", "cpu", "--quiet"])
    assert code == 0
    model, _ = load_checkpoint(tmp_path / "cli" / "model.pt")
    assert model.words == ("go", "up") and len(model.labels) == 4
    assert "false accepts" in capsys.readouterr().out
    for option, value in (("--epochs", "0"), ("--epochs", "1e9"), ("--batch-size", "1"), ("--seed", "-1"),
                          ("--learning-rate", "5")):
        try:
            code = main(["train", "--out", str(tmp_path / "x"), option, value])
        except SystemExit as stop:  # argparse's own exit, if main lets it through
            code = stop.code
        assert code == 2
        assert option in capsys.readouterr().err


def test_cli_ctrl_c_exits_130_with_the_resume_hint(tree, tmp_path, monkeypatch, capsys):
    from audioviz.cli import main

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "_fit", interrupt)
    assert main(["train", "--out", str(tmp_path), "--data", str(tree), "--quiet"]) == 130
    assert "--resume" in capsys.readouterr().err


def test_mel_warp_time_warp_and_mixup():
    from audioviz.model._batch_augment import mel_warp, mixup, time_warp

    logmel = torch.randn(6, 1, 40, 101)
    g = torch.Generator().manual_seed(0)
    assert mel_warp(logmel, 0.0, g) is logmel and time_warp(logmel, 0.0, g) is logmel
    # a band ramp stays a ramp whose slope is the factor, bounded by the top band
    ramp = torch.arange(40.0).view(1, 1, 40, 1).expand(6, 1, 40, 3).contiguous()
    warped = mel_warp(ramp, 0.2, g)
    slopes = warped[:, 0, 1, 0] - warped[:, 0, 0, 0]
    assert ((slopes >= 0.8 - 1e-6) & (slopes <= 1.2 + 1e-6)).all() and (slopes != 1).all()
    assert warped.max() <= 39 and torch.equal(warped[:, 0, 0], ramp[:, 0, 0])
    # a frame ramp keeps its ends and stays increasing, but not evenly
    frames = torch.arange(101.0).view(1, 1, 1, 101).expand(6, 1, 2, 101).contiguous()
    timed = time_warp(frames, 0.4, g)[:, 0, 0]
    assert torch.equal(timed[:, 0], frames[:, 0, 0, 0]) and torch.allclose(timed[:, -1], torch.full((6,), 100.0))
    assert (timed.diff(dim=1) > 0).all() and not torch.allclose(timed, frames[:, 0, 0])
    # band gain scales each band by a smooth curve inside the range
    from audioviz.model._batch_augment import band_gain

    gains = band_gain(torch.ones(6, 1, 40, 4), 0.3, g)
    assert ((gains >= 0.7 - 1e-6) & (gains <= 1.3 + 1e-6)).all() and gains.std() > 0
    assert torch.equal(gains[..., 0], gains[..., 3]) and (gains[:, 0, 1:, 0] - gains[:, 0, :-1, 0]).abs().max() < 0.2
    mixed, partner, lam = mixup(logmel, 0.3, torch.Generator().manual_seed(1))
    again = mixup(logmel, 0.3, torch.Generator().manual_seed(1))
    assert torch.equal(mixed, again[0]) and ((lam >= 0.5) & (lam <= 1)).all()
    expected = lam.view(-1, 1, 1, 1) * logmel + (1 - lam.view(-1, 1, 1, 1)) * logmel[partner]
    assert torch.allclose(mixed, expected)


@pytest.mark.parametrize("field, value", [("mel_warp", -0.1), ("time_warp", 0.6), ("mixup", "a"), ("mixup", True),
                                          ("band_gain", 1.0)])
def test_augment_config_refuses_bad_strengths(field, value):
    with pytest.raises(ValueError, match=f"AugmentConfig.{field}"):
        AugmentConfig(**{field: value})


def test_training_with_mixup_and_warps_follows_the_seed(tree, tmp_path):
    augment = AugmentConfig(mixup=0.3, mel_warp=0.1, time_warp=0.3)
    a = train(tmp_path / "a", **_kwargs(tree, augment=augment))
    b = train(tmp_path / "b", **_kwargs(tree, augment=augment))
    assert all(torch.equal(x, y) for x, y in zip(_weights(a).values(), _weights(b).values()))
    settings = json.loads(a.metrics_path.read_text())["settings"]["augment"]
    assert settings["mixup"] == 0.3 and settings["time_warp"] == 0.3
