"""Damaged, hostile and foreign checkpoints: found out, with one clear error naming the file.

The fuzz tests write many random-byte, bit-flipped and truncated files (seeded, so a failure
reproduces) and require of every one: either a ``ValueError`` that names the file, or a model whose
every weight equals the original (a flip in bytes that hold no value, such as zip padding).
"""
from __future__ import annotations

import os
import pickle
import warnings

import numpy as np
import pytest
import torch

from audioviz.model import KeywordCNN, ModelConfig, load_checkpoint, save_checkpoint
from audioviz.model._checkpoint import CONFIG_LIMITS, state_digest


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    torch.manual_seed(0)
    model = KeywordCNN(ModelConfig(channels=(4, 6, 8, 8))).eval()
    path = save_checkpoint(tmp_path_factory.mktemp("ckpt") / "model.pt", model, metrics={"val_accuracy": 0.9})
    return model, path, path.read_bytes()


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def _resave(tmp_path, payload, name="edited.pt", *, fix_digest=True):
    """Write a payload as save_checkpoint would, optionally with a digest matching the edit."""
    payload = dict(payload)
    payload.pop("path", None)
    if fix_digest:
        payload["sha256"] = state_digest(payload)
    path = tmp_path / name
    torch.save(payload, path)
    return path


def test_round_trip_keeps_weights_labels_and_digest(saved, tmp_path):
    model, path, _ = saved
    loaded, info = load_checkpoint(path)
    assert _same_weights(model, loaded)
    assert info["labels"] == list(model.labels) and info["words"] == list(model.words)
    assert info["format_version"] == 2 and info["metrics"] == {"val_accuracy": 0.9}
    raw = torch.load(path, weights_only=True)  # still a plain weights-only torch file
    assert raw["sha256"] == state_digest(raw) and len(raw["sha256"]) == 64


def test_every_bit_flip_is_refused_or_harmless(saved, tmp_path):
    model, _, data = saved
    rng = np.random.default_rng(0)
    target = tmp_path / "flipped.pt"
    outcomes = {"refused": 0, "identical": 0}
    # positions spread over the whole file: headers, pickle, every tensor, the central directory
    positions = np.unique(np.concatenate([rng.integers(0, len(data), 250), np.linspace(0, len(data) - 1, 50)
                                          .astype(int)]))
    for position in positions:
        flipped = bytearray(data)
        flipped[position] ^= 1 << int(rng.integers(0, 8))
        target.write_bytes(bytes(flipped))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a flip may not turn a checkpoint into a "version 1" one
                loaded, _ = load_checkpoint(target)
        except ValueError as exc:
            assert str(target) in str(exc), f"flip at byte {position}: {exc}"
            outcomes["refused"] += 1
        else:
            assert _same_weights(model, loaded), f"flip at byte {position} loaded changed weights"
            outcomes["identical"] += 1
    assert outcomes["refused"] > outcomes["identical"]  # most bytes of a checkpoint hold values


def test_flips_in_the_weights_are_found_by_the_digest(saved, tmp_path):
    _, path, data = saved
    # the bytes of a conv weight: a flip there leaves a perfectly readable file
    weight = torch.load(path, weights_only=True)["state_dict"]["blocks.1.conv.weight"]
    needle = weight.reshape(-1).view(torch.uint8).numpy().tobytes()[:64]
    start = data.index(needle)
    for offset in (0, 17, 63):
        flipped = bytearray(data)
        flipped[start + offset] ^= 0x10
        target = tmp_path / f"weight_flip_{offset}.pt"
        target.write_bytes(bytes(flipped))
        with pytest.raises(ValueError, match=rf"{target}.*SHA-256 digest .* does not match"):
            load_checkpoint(target)


@pytest.mark.parametrize("seed", range(120))
def test_random_bytes_are_one_clear_error(tmp_path, seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, int(rng.integers(1, 5000)), dtype=np.uint8).tobytes()
    if seed % 3 == 1:
        data = b"PK\x03\x04" + data  # looks like a zip (torch's container) at first
    elif seed % 3 == 2:
        data = b"\x80\x02" + data  # looks like a pickle at first
    path = tmp_path / "random.pt"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=f"checkpoint {path}"):
        load_checkpoint(path)


def test_truncated_and_empty_files_are_clear_errors(saved, tmp_path):
    _, _, data = saved
    path = tmp_path / "cut.pt"
    for length in np.linspace(1, len(data) - 1, 40).astype(int):
        path.write_bytes(data[:length])
        with pytest.raises(ValueError, match=f"checkpoint {path}: the file is truncated, corrupt"):
            load_checkpoint(path)
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=f"checkpoint {path} is empty"):
        load_checkpoint(path)


def test_foreign_files_are_clear_errors(tmp_path):
    for name, obj in (("linear.pt", torch.nn.Linear(3, 2).state_dict()), ("list.pt", [1, 2, 3]),
                      ("tensor.pt", torch.zeros(3)), ("other.pt", {"format": "someone.else"})):
        torch.save(obj, tmp_path / name)
        with pytest.raises(ValueError, match=f"{tmp_path / name} is not an audioviz KeywordCNN checkpoint"):
            load_checkpoint(tmp_path / name)
    (tmp_path / "text.pt").write_text("hello, I am a text file\n")
    with pytest.raises(ValueError, match="not a torch file"):
        load_checkpoint(tmp_path / "text.pt")
    with pytest.raises(FileNotFoundError, match="audioviz train"):
        load_checkpoint(tmp_path / "nothing.pt")


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_malicious_pickle_never_runs(saved, tmp_path):
    model, path, _ = saved
    marker = tmp_path / "pwned"
    payload = torch.load(path, weights_only=True)
    payload["metrics"] = {"note": _Exploit(marker)}
    hostile = tmp_path / "hostile.pt"
    torch.save(payload, hostile)
    plain = tmp_path / "plain_pickle.pt"
    plain.write_bytes(pickle.dumps(_Exploit(marker)))
    for file in (hostile, plain):
        with pytest.raises(ValueError, match=str(file)):
            load_checkpoint(file)
    assert not marker.exists()


@pytest.mark.parametrize("edit, message", [
    ({"channels": [4000, 6, 8, 8]}, r"channels\[0\] is 4000, expected an integer from 1 to 512"),
    ({"channels": [200000]}, r"channels\[0\] is 200000"),
    ({"channels": [4] * 50}, r"number of blocks \(len\(channels\)\) is 50, expected an integer from 1 to 8"),
    ({"channels": "many"}, "channels is 'many'"),
    ({"words": ["w"] * 1000}, "number of words is 1000"),
    ({"dropout": float("nan")}, "dropout is nan"),
    ({"frontend": {"n_fft": 2**24}}, "frontend.n_fft is 16777216"),
    ({"frontend": {"n_mels": 100000}}, "frontend.n_mels is 100000"),
    ({"frontend": {"f_max": 1e9}}, "f_max <= sample_rate / 2"),
])
def test_config_out_of_bounds_is_refused_before_building(saved, tmp_path, monkeypatch, edit, message):
    _, path, _ = saved
    payload = torch.load(path, weights_only=True)
    config = dict(payload["config"])
    for key, value in edit.items():
        config[key] = {**config[key], **value} if key == "frontend" else value
    payload["config"] = config
    edited = _resave(tmp_path, payload)  # a valid digest: only the bounds can stop it

    def no_build(*args, **kwargs):
        raise AssertionError("a network was built from a config out of bounds")

    monkeypatch.setattr("audioviz.model._checkpoint.KeywordCNN", no_build)
    with pytest.raises(ValueError, match=rf"checkpoint {edited} has an unusable model config: .*{message}"):
        load_checkpoint(edited)
    assert CONFIG_LIMITS["channels"][1] < 4000


def test_non_finite_weights_are_refused_with_the_file_named(saved, tmp_path):
    model, path, _ = saved
    payload = torch.load(path, weights_only=True)
    payload["state_dict"]["head.3.weight"][0, 0] = float("nan")
    edited = _resave(tmp_path, payload)
    with pytest.raises(ValueError, match=rf"checkpoint {edited} has non-finite .* \['head.3.weight'\]"):
        load_checkpoint(edited)
    broken = KeywordCNN(model.config)
    with torch.no_grad():
        broken.head[-1].bias.fill_(float("inf"))
    with pytest.raises(ValueError, match="non-finite weights"):
        save_checkpoint(tmp_path / "never.pt", broken)
    assert not (tmp_path / "never.pt").exists()


def test_weights_that_do_not_fit_the_config(saved, tmp_path):
    _, path, _ = saved
    payload = torch.load(path, weights_only=True)
    payload["state_dict"] = torch.nn.Linear(3, 2).state_dict()
    with pytest.raises(ValueError, match="does not match a KeywordCNN with its own config"):
        load_checkpoint(_resave(tmp_path, payload, "linear_inside.pt"))
    payload = torch.load(path, weights_only=True)
    payload["config"] = {**payload["config"], "channels": [5, 6, 8, 8]}
    with pytest.raises(ValueError, match="weights of the wrong shape"):
        load_checkpoint(_resave(tmp_path, payload, "wrong_shape.pt"))


def test_format_1_checkpoints_still_load_with_a_warning(tmp_path):
    closed = KeywordCNN(ModelConfig(channels=(4, 6, 8, 8), neither=False)).eval()
    payload = torch.load(save_checkpoint(tmp_path / "new.pt", closed), weights_only=True)
    for key in ("sha256", "labels"):
        payload.pop(key)
    payload["format_version"] = 1
    payload["config"] = {k: v for k, v in payload["config"].items() if k != "neither"}
    old = tmp_path / "old.pt"
    torch.save(payload, old)
    with pytest.warns(UserWarning, match=rf"{old} has format version 1 .* no checksum"):
        loaded, info = load_checkpoint(old)
    # written before open-set models: a closed-set model with the old weights' shapes
    assert info["format_version"] == 1 and info["labels"] == info["words"] == ["yes", "no"]
    assert _same_weights(closed, loaded)


def test_newer_format_and_unreadable_paths(saved, tmp_path):
    _, path, _ = saved
    payload = torch.load(path, weights_only=True)
    payload["format_version"] = 99
    with pytest.raises(ValueError, match="newer than this audioviz understands"):
        load_checkpoint(_resave(tmp_path, payload, "future.pt"))
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        load_checkpoint(3)
    (tmp_path / "run").mkdir()
    with pytest.raises(FileNotFoundError, match="model.pt"):
        load_checkpoint(tmp_path / "run")  # a folder means its model.pt
