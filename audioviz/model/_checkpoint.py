"""Saving and loading trained classifiers.

A checkpoint is a plain dict of tensors, lists, numbers and strings, so
``torch.load(path, weights_only=True)`` can read it without running any pickled code. It holds the
weights, the model config (word list and feature settings included) and the training metrics.
Writes are atomic: a temporary file in the same folder is renamed over the target.
"""
from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import torch

from .._fileio import atomic_path
from ._network import KeywordCNN, ModelConfig

__all__ = ["load_checkpoint", "save_checkpoint"]

#: Marks a file written by :func:`save_checkpoint`.
CHECKPOINT_FORMAT = "audioviz.KeywordCNN"
CHECKPOINT_VERSION = 1


def atomic_torch_save(obj, path: Path) -> Path:
    """``torch.save`` to a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    with atomic_path(path, suffix=".tmp") as tmp:
        torch.save(obj, tmp)
    return path


def save_checkpoint(path, model: KeywordCNN, *, metrics: dict | None = None) -> Path:
    """Write ``model`` to ``path`` atomically, as :func:`load_checkpoint` reads it.

    Args:
        path: file to write (its folder is created).
        model: a :class:`KeywordCNN`.
        metrics: JSON-like dict stored beside the weights (accuracy, epoch, ...).

    Returns:
        The path written.
    """
    from audioviz import __version__

    if not isinstance(model, KeywordCNN):
        raise TypeError(f"model must be a KeywordCNN, got {type(model).__name__}")
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    payload = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "audioviz_version": __version__,
        "config": model.config.to_dict(),
        "words": list(model.words),
        "frontend": model.config.to_dict()["frontend"],
        "state_dict": state,
        "metrics": dict(metrics or {}),
    }
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


def read_checkpoint(path) -> dict:
    """The checkpoint dict at ``path`` (or ``path/model.pt``), checked to be ours.

    Raises:
        FileNotFoundError: nothing at ``path``.
        ValueError: a truncated or non-torch file, or another program's checkpoint.
    """
    path = _resolve(path)
    if path.stat().st_size == 0:
        raise ValueError(f"checkpoint {path} is empty (0 bytes); it was probably interrupted while being written")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, OSError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(
            f"cannot read checkpoint {path}: the file is truncated, corrupt or not a torch file "
            f"({first}). Train again with `audioviz train --out DIR`."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        keys = sorted(map(str, payload))[:8] if isinstance(payload, dict) else type(payload).__name__
        raise ValueError(
            f"{path} is not an audioviz KeywordCNN checkpoint (expected a dict with format="
            f"{CHECKPOINT_FORMAT!r}, found {keys}); it was written by another program or model"
        )
    if payload.get("format_version", 0) > CHECKPOINT_VERSION:
        raise ValueError(
            f"{path} has checkpoint format version {payload['format_version']}, newer than this audioviz "
            f"understands ({CHECKPOINT_VERSION}); upgrade audioviz"
        )
    payload["path"] = str(path)
    return payload


def load_checkpoint(path, *, device="cpu") -> tuple[KeywordCNN, dict]:
    """Load a trained classifier written by :func:`audioviz.model.train`.

    Args:
        path: the ``model.pt`` file, or the training folder that holds it.
        device: where to put the model. Default: ``"cpu"``.

    Returns:
        ``(model, info)``: the :class:`KeywordCNN` in eval mode, and a dict with ``words``,
        ``config`` (model config dict), ``frontend`` (feature settings), ``metrics`` (from
        training), ``audioviz_version`` and ``path``.

    Raises:
        FileNotFoundError: no checkpoint at ``path``.
        ValueError: the file is truncated or corrupt, or holds another model's weights.

    Example:
        >>> model, info = load_checkpoint("runs/yesno/model.pt")  # doctest: +SKIP
        >>> info["words"]  # doctest: +SKIP
        ['yes', 'no']
    """
    payload = read_checkpoint(path)
    try:
        config = ModelConfig.from_dict(payload["config"])
        model = KeywordCNN(config)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"checkpoint {payload['path']} has an unusable model config: {exc}") from None
    state = payload.get("state_dict")
    if not isinstance(state, dict):
        raise ValueError(f"checkpoint {payload['path']} holds no state_dict")
    missing, unexpected = _state_mismatch(model, state)
    if missing or unexpected:
        raise ValueError(
            f"checkpoint {payload['path']} does not match a KeywordCNN with its own config: "
            f"missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        raise ValueError(f"checkpoint {payload['path']} has weights of the wrong shape: {' '.join(first[:3])}") from None
    model.to(device).eval()
    info = {
        "words": list(payload.get("words", config.words)),
        "config": payload["config"],
        "frontend": payload.get("frontend", payload["config"].get("frontend", {})),
        "metrics": payload.get("metrics", {}),
        "audioviz_version": payload.get("audioviz_version"),
        "path": payload["path"],
    }
    return model, info


def _state_mismatch(model: torch.nn.Module, state: dict) -> tuple[list, list]:
    expected = set(model.state_dict())
    given = set(state)
    return sorted(expected - given), sorted(given - expected)
