"""Saving and loading trained classifiers, so that a damaged or hostile file is found out.

A checkpoint is a plain dict of tensors, lists, numbers and strings, so
``torch.load(path, weights_only=True)`` reads it without running any pickled code. It holds the
weights, the model config (word list and feature settings included), the training metrics and,
since format 2, ``sha256``: a SHA-256 digest of all of that (every tensor's name, dtype, shape and
bytes, and the rest as canonical JSON). Writes are atomic: a temporary file in the same folder is
renamed over the target.

:func:`load_checkpoint` checks, in this order, before it trusts anything: that the file can be
read at all (anything torch cannot unpickle safely - random bytes, a truncated or empty file,
another program's pickle - is one ``ValueError`` naming the file); that it is ours and not from a
newer audioviz; that the digest matches (one flipped bit in a weight, the config or the metrics is
refused); that the config is within sane bounds (:data:`CONFIG_LIMITS`), *before* a network is
built from it; that every weight is finite; and that the weights fit the network the config
describes. A checkpoint of format 1 (audioviz 0.1, no digest) still loads, with a warning that
damage to it cannot be detected.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import warnings
from pathlib import Path

import torch

from .._fileio import write_bytes_atomic
from ._network import KeywordCNN, ModelConfig

__all__ = ["load_checkpoint", "save_checkpoint"]

#: Marks a file written by :func:`save_checkpoint`.
CHECKPOINT_FORMAT = "audioviz.KeywordCNN"
#: 2: the payload carries ``sha256``. 1 (audioviz 0.1): no digest; loaded with a warning.
CHECKPOINT_VERSION = 2
#: No audioviz checkpoint comes near this; a larger file is refused before it is read.
MAX_CHECKPOINT_BYTES = 512 * 2**20
#: Accepted range (inclusive) of every number in a checkpoint's model config. The default model
#: uses channels (12, 24, 48, 64), 40 mels and a 512-point FFT; these bounds leave room for much
#: larger models while keeping what a config can make the loader allocate to tens of megabytes.
CONFIG_LIMITS = {
    "blocks": (1, 8),
    "channels": (1, 512),
    "words": (1, 100),
    "word_length": (1, 64),
    "dropout": (0.0, 0.99),
    "sample_rate": (1000, 192000),
    "n_fft": (16, 8192),
    "n_mels": (1, 256),
}


def atomic_torch_save(obj, path: Path) -> Path:
    """``torch.save`` into memory, then the bytes to ``path`` atomically (a temporary file beside
    it, renamed into place). Saving to memory names the archive's inner folder ``archive`` rather
    than after the temporary file, so the same object always gives the same bytes."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return write_bytes_atomic(Path(path), buffer.getvalue())


def state_digest(payload: dict) -> str:
    """SHA-256 (hex) of a checkpoint payload, its ``sha256`` entry excluded.

    Tensors of ``payload["state_dict"]`` are hashed by name, dtype, shape and raw bytes, in name
    order; every other entry as JSON with sorted keys. So the digest is a property of the contents,
    not of how ``torch.save`` laid them out in the file.
    """
    digest = hashlib.sha256()
    rest = {key: value for key, value in payload.items() if key not in ("sha256", "state_dict", "path")}
    digest.update(json.dumps(rest, sort_keys=True, default=repr).encode("utf-8"))
    state = payload.get("state_dict") or {}
    for name in sorted(state):
        tensor = state[name].detach().cpu().contiguous()
        digest.update(f"\0{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode("utf-8"))
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def save_checkpoint(path, model: KeywordCNN, *, metrics: dict | None = None) -> Path:
    """Write ``model`` to ``path`` atomically, as :func:`load_checkpoint` reads it.

    Args:
        path: file to write (its folder is created).
        model: a :class:`KeywordCNN`.
        metrics: JSON-like dict stored beside the weights (accuracy, epoch, ...).

    Returns:
        The path written.

    Raises:
        ValueError: a weight of ``model`` is NaN or infinite (a diverged training), so a
            checkpoint that could never be loaded is not written.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> path = save_checkpoint(folder / "model.pt", KeywordCNN())
        >>> load_checkpoint(path)[1]["labels"]
        ['yes', 'no', '_unknown_', '_silence_']
    """
    from audioviz import __version__

    if not isinstance(model, KeywordCNN):
        raise TypeError(f"model must be a KeywordCNN, got {type(model).__name__}")
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    bad = _non_finite(state)
    if bad:
        raise ValueError(f"model has non-finite weights in {bad[:3]}; refusing to write {path}: the training "
                         "probably diverged (lower the learning rate, or check the data for NaN samples)")
    config = model.config.to_dict()
    payload = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "audioviz_version": __version__,
        "config": config,
        "words": list(model.words),
        "labels": list(getattr(model, "labels", model.words)),
        "frontend": config["frontend"],
        "state_dict": state,
        "metrics": dict(metrics or {}),
    }
    payload["sha256"] = state_digest(payload)
    return atomic_torch_save(payload, Path(path))


def _resolve(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike naming a checkpoint, got {type(path).__name__}")
    path = Path(path)
    if path.is_dir():
        path = path / "model.pt"
    if not path.exists():
        raise FileNotFoundError(
            f"checkpoint not found: {path}. Train one with `audioviz train --out DIR` (it writes DIR/model.pt)."
        )
    return path


def _unreadable(path: Path, why: str) -> ValueError:
    return ValueError(f"cannot read checkpoint {path}: {why}. Train again with `audioviz train --out DIR`, "
                      "or copy the file again if it came from elsewhere.")


def read_checkpoint(path) -> dict:
    """The checkpoint dict at ``path`` (or ``path/model.pt``), checked to be ours and intact.

    Raises:
        FileNotFoundError: nothing at ``path``.
        OSError: the file cannot be read (permissions, a folder, a disk error); names the file.
        ValueError: an empty, truncated, corrupt or non-torch file, another program's checkpoint,
            one from a newer audioviz, or contents that do not match their digest.
    """
    path = _resolve(path)
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"checkpoint {path} is empty (0 bytes); it was probably interrupted while being written")
    if size > MAX_CHECKPOINT_BYTES:
        raise ValueError(f"checkpoint {path} is {size / 2**20:.0f} MiB, larger than any audioviz checkpoint "
                         f"(limit {MAX_CHECKPOINT_BYTES // 2**20} MiB); it is not one")
    data = path.read_bytes()  # an OSError here names the file itself
    try:
        # weights_only: tensors, dicts, lists, numbers and strings only; a pickle that would run
        # code is refused here, never executed.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on odd pickle protocols: the error says it all
            payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - random bytes reach codecs, zip, pickle and index errors
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise _unreadable(path, f"the file is truncated, corrupt or not a torch file ({first})") from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        keys = sorted(map(str, payload))[:8] if isinstance(payload, dict) else type(payload).__name__
        raise ValueError(
            f"{path} is not an audioviz KeywordCNN checkpoint (expected a dict with format="
            f"{CHECKPOINT_FORMAT!r}, found {keys}); it was written by another program or model"
        )
    version = payload.get("format_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _unreadable(path, f"its format_version is {version!r}, expected a positive integer")
    if version > CHECKPOINT_VERSION:
        raise ValueError(
            f"{path} has checkpoint format version {version}, newer than this audioviz "
            f"understands ({CHECKPOINT_VERSION}); upgrade audioviz"
        )
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise _unreadable(path, "it holds no state_dict of named tensors")
    if version >= 2 or "sha256" in payload:  # a digest present is always checked
        stored = payload.get("sha256")
        if not isinstance(stored, str) or stored != state_digest(payload):
            raise ValueError(
                f"checkpoint {path} is damaged: the SHA-256 digest stored in it does not match its contents "
                "(a changed weight, config or metric). Do not use it; train again or copy it again."
            )
    else:
        from .._validation import warn_user

        warn_user(f"checkpoint {path} has format version 1 (audioviz 0.1): it has no checksum, so damage to it "
                  "cannot be detected; load it and save it again with save_checkpoint to add one")
    payload["path"] = str(path)
    return payload


def check_config(config, *, path="checkpoint") -> ModelConfig:
    """A checkpoint's config dict as a :class:`ModelConfig`, each number within :data:`CONFIG_LIMITS`.

    Checked before anything is built from it, so a small file cannot make the loader allocate
    gigabytes.

    Raises:
        ValueError: names the file, the setting, its value and the accepted range.
    """
    def refuse(what: str) -> ValueError:
        return ValueError(f"checkpoint {path} has an unusable model config: {what}")

    if not isinstance(config, dict):
        raise refuse(f"expected a dict, got {type(config).__name__}")

    def integer(name, value, low, high):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise refuse(f"{name} is {value!r}, expected an integer from {low} to {high}")

    channels = config.get("channels", ModelConfig.channels)
    if not isinstance(channels, (list, tuple)):
        raise refuse(f"channels is {channels!r}, expected a list of integers")
    integer("the number of blocks (len(channels))", len(channels), *CONFIG_LIMITS["blocks"])
    for i, c in enumerate(channels):
        integer(f"channels[{i}]", c, *CONFIG_LIMITS["channels"])
    words = config.get("words", ModelConfig.words)
    if not isinstance(words, (list, tuple)):
        raise refuse(f"words is {words!r}, expected a list of strings")
    integer("the number of words", len(words), *CONFIG_LIMITS["words"])
    low, high = CONFIG_LIMITS["word_length"]
    for w in words:
        if not isinstance(w, str) or not low <= len(w) <= high:
            raise refuse(f"word {w!r} is not a string of {low} to {high} characters")
    dropout = config.get("dropout", ModelConfig.dropout)
    low, high = CONFIG_LIMITS["dropout"]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not low <= dropout <= high:
        raise refuse(f"dropout is {dropout!r}, expected a number from {low} to {high}")
    front = config.get("frontend", {})
    if not isinstance(front, dict):
        raise refuse(f"frontend is {front!r}, expected a dict")
    rate = front.get("sample_rate", 16000)
    integer("frontend.sample_rate", rate, *CONFIG_LIMITS["sample_rate"])
    n_fft = front.get("n_fft", 512)
    integer("frontend.n_fft", n_fft, *CONFIG_LIMITS["n_fft"])
    integer("frontend.win_length", front.get("win_length", min(400, n_fft)), 1, n_fft)
    integer("frontend.hop_length", front.get("hop_length", 160), 1, n_fft)
    integer("frontend.n_mels", front.get("n_mels", 40), *CONFIG_LIMITS["n_mels"])
    f_min, f_max = front.get("f_min", 20.0), front.get("f_max", 8000.0)
    for name, value in (("frontend.f_min", f_min), ("frontend.f_max", f_max)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise refuse(f"{name} is {value!r}, expected a finite number of Hz")
    if not 0 <= f_min < f_max <= rate / 2:
        raise refuse(f"frontend.f_min and f_max are {f_min!r} and {f_max!r} Hz, expected "
                     f"0 <= f_min < f_max <= sample_rate / 2 = {rate / 2:g}")
    try:
        return ModelConfig.from_dict(config)
    except (KeyError, TypeError, ValueError) as exc:
        raise refuse(str(exc)) from None


def _non_finite(state: dict) -> list:
    return [name for name, t in state.items() if t.is_floating_point() and not bool(torch.isfinite(t).all())]


def load_checkpoint(path, *, device="cpu") -> tuple[KeywordCNN, dict]:
    """Load a trained classifier written by :func:`audioviz.model.train`.

    Args:
        path: the ``model.pt`` file, or the training folder that holds it.
        device: where to put the model. Default: ``"cpu"``.

    Returns:
        ``(model, info)``: the :class:`KeywordCNN` in eval mode, and a dict with ``words``,
        ``labels`` (the output classes), ``config`` (model config dict), ``frontend`` (feature
        settings), ``metrics`` (from training), ``audioviz_version``, ``format_version`` and
        ``path``.

    Raises:
        FileNotFoundError: no checkpoint at ``path``.
        OSError: the file cannot be read.
        ValueError: always naming the file: not a checkpoint (random bytes, empty, truncated,
            another program's), damaged (digest mismatch), a config out of bounds, non-finite
            weights, or weights that do not fit the config.

    Example:
        >>> model, info = load_checkpoint("runs/yesno/model.pt")  # doctest: +SKIP
        >>> info["words"]  # doctest: +SKIP
        ['yes', 'no']
    """
    payload = read_checkpoint(path)
    where = payload["path"]
    config = check_config(payload.get("config"), path=where)
    state = payload["state_dict"]
    bad = _non_finite(state)
    if bad:
        raise ValueError(f"checkpoint {where} has non-finite (NaN or infinite) weights in {bad[:3]}; "
                         "the training that wrote it diverged. Train again.")
    try:
        model = KeywordCNN(config)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"checkpoint {where} has an unusable model config: {exc}") from None
    missing, unexpected = _state_mismatch(model, state)
    if missing or unexpected:
        raise ValueError(
            f"checkpoint {where} does not match a KeywordCNN with its own config: "
            f"missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        raise ValueError(f"checkpoint {where} has weights of the wrong shape: {' '.join(first[:3])}") from None
    model.to(device).eval()
    info = {
        "words": list(model.words),
        "labels": list(getattr(model, "labels", model.words)),
        "config": payload["config"],
        "frontend": payload["config"].get("frontend", {}),
        "metrics": payload.get("metrics", {}),
        "audioviz_version": payload.get("audioviz_version"),
        "format_version": payload.get("format_version", 1),
        "path": where,
    }
    return model, info


def _state_mismatch(model: torch.nn.Module, state: dict) -> tuple[list, list]:
    expected = set(model.state_dict())
    given = set(state)
    return sorted(expected - given), sorted(given - expected)
