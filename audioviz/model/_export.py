"""Exporting a trained classifier for the browser: weights and the exact front end, as numbers.

The Try-it page of the documentation runs the classifier in plain JavaScript (no runtime to
download, nothing fetched from elsewhere, a static site that works offline). For the page to
answer what :func:`audioviz.model.predict` answers, it must use the *same numbers*, not a
re-implementation of them: so this module writes the STFT window, the mel filterbank matrix and
the normalisation constants that the model's own front end uses, next to its weights. Batch
normalisation is folded into the convolution before it (in eval mode a batch norm is a per-channel
scale and shift), which leaves the page four kinds of step: convolution with bias, ReLU, 2x2 max
pooling, and global average pooling followed by one linear layer.

The export is read from the model itself (labels, number of blocks, channels, pooling, front-end
settings), so any :class:`~audioviz.model.KeywordCNN` exports, whatever its words.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import torch
from torch import nn

from .._fileio import write_text_atomic

__all__ = ["browser_model", "export_for_browser"]

#: Bumped when the layout of the exported dict changes (the page checks it).
EXPORT_FORMAT = "audioviz.browser-model"
EXPORT_VERSION = 1
#: The variable the JavaScript file assigns (``window.AUDIOVIZ_MODEL``).
GLOBAL_NAME = "AUDIOVIZ_MODEL"
#: The labels that are answered as "neither" (Speech Commands' two extra categories).
NEITHER_LABELS = ("_unknown_", "_silence_")


def _floats(tensor: torch.Tensor) -> dict:
    """A float32 tensor as ``{"shape": [...], "data": base64 of its little-endian bytes}``."""
    array = tensor.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4")
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode("ascii")}


def _labels(model) -> tuple[list, list]:
    """``(labels in logit order, the keywords)`` for old (words only) and open-set models."""
    labels = list(getattr(model, "labels", None) or model.words)
    words = [w for w in getattr(model, "words", labels) if w not in NEITHER_LABELS]
    return labels, words


def _folded_conv(block: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight ``(out, in, kh, kw)`` and bias ``(out,)`` of ``conv`` with the block's batch norm folded in."""
    conv = block.conv
    weight = conv.weight.detach().double()
    bias = conv.bias.detach().double() if conv.bias is not None else torch.zeros(weight.shape[0], dtype=torch.float64)
    norm = getattr(block, "norm", None)
    if norm is not None:
        if not isinstance(norm, nn.BatchNorm2d) or not norm.track_running_stats:
            raise ValueError(f"cannot export block with norm {type(norm).__name__}: expected BatchNorm2d with running statistics")
        scale = norm.weight.detach().double() / torch.sqrt(norm.running_var.double() + norm.eps)
        weight = weight * scale[:, None, None, None]
        bias = (bias - norm.running_mean.double()) * scale + norm.bias.detach().double()
    return weight.float(), bias.float()


def _block_layer(i: int, block: nn.Module) -> dict:
    conv = block.conv
    if tuple(conv.stride) != (1, 1) or tuple(conv.dilation) != (1, 1) or conv.groups != 1:
        raise ValueError(f"block {i}: the page runs stride-1, undilated, ungrouped convolutions; got {conv}")
    kh, kw = conv.kernel_size
    if tuple(conv.padding) != (kh // 2, kw // 2):
        raise ValueError(f"block {i}: expected 'same' padding {(kh // 2, kw // 2)}, got {conv.padding}")
    names = [name for name, _ in block.named_children()]
    known = {"conv", "norm", "relu", "pool"}
    if set(names) - known:
        raise ValueError(f"block {i} has layers the page does not run: {sorted(set(names) - known)}")
    pool = getattr(block, "pool", None)
    if pool is not None and not (isinstance(pool, nn.MaxPool2d) and pool.kernel_size in (2, (2, 2))
                                 and pool.stride in (2, (2, 2), None) and pool.padding in (0, (0, 0))):
        raise ValueError(f"block {i}: the page runs 2x2 max pooling only, got {pool}")
    weight, bias = _folded_conv(block)
    return {"weight": _floats(weight), "bias": _floats(bias), "relu": hasattr(block, "relu"),
            "pool": pool is not None}


def _frontend(model) -> dict:
    frontend = model.frontend
    config = frontend.config
    spec = frontend.melspec.spectrogram
    if not (spec.center and spec.pad_mode == "reflect" and spec.power == 2.0 and not spec.normalized
            and getattr(spec, "onesided", True)):
        raise ValueError("the page computes a centred, reflect-padded, one-sided power STFT; this model's differs")
    window = spec.window.detach()
    fb = frontend.melspec.mel_scale.fb.detach()  # (n_freqs, n_mels)
    return {
        "sample_rate": int(config.sample_rate),
        "n_fft": int(spec.n_fft),
        "win_length": int(spec.win_length),
        "hop_length": int(spec.hop_length),
        "n_mels": int(config.n_mels),
        "f_min": float(config.f_min),
        "f_max": float(config.f_max),
        "mel_scale": str(config.mel_scale),
        "normalize": str(config.normalize),
        # The constants of LogMelFrontend.forward: log(mel + floor), then (x - mean) / (std + eps).
        "log_floor": 1e-6,
        "norm_eps": 1e-5,
        "window": _floats(window),
        "mel_fb": _floats(fb),
        "mel_centers_hz": _mel_centers_hz(config),
    }


def _mel_centers_hz(config) -> list:
    """Centre frequency of each mel band in Hz (for the page's frequency axis)."""
    from audioviz.features import hz_to_mel, mel_to_hz

    low = float(hz_to_mel(config.f_min, mel_scale=config.mel_scale))
    high = float(hz_to_mel(config.f_max, mel_scale=config.mel_scale))
    points = torch.linspace(low, high, int(config.n_mels) + 2, dtype=torch.float64)[1:-1]
    return [float(mel_to_hz(float(m), mel_scale=config.mel_scale)) for m in points]


def browser_model(model, *, name: str = "") -> dict:
    """The JSON-ready description of ``model`` that the Try-it page runs.

    Args:
        model: a :class:`~audioviz.model.KeywordCNN`, or a path to a checkpoint.
        name: a short description shown on the page (e.g. where the checkpoint came from).

    Returns:
        dict with ``labels`` (logit order), ``words`` (the keywords; every other label is answered
        "neither"), ``frontend`` (window, mel filterbank ``(n_freqs, n_mels)``, constants),
        ``clip`` (length in samples and the rule that fits a recording to it), ``blocks`` (folded
        convolution weights ``(out, in, 3, 3)`` and biases) and ``head`` (linear weight
        ``(n_labels, channels)`` and bias). Tensors are ``{"shape", "data"}`` with ``data`` the
        base64 of little-endian float32.

    Example:
        >>> from audioviz.model import KeywordCNN
        >>> exported = browser_model(KeywordCNN().eval())
        >>> len(exported["blocks"]), exported["head"]["weight"]["shape"] == [len(exported["labels"]), 64]
        (4, True)
    """
    source = None
    if isinstance(model, (str, os.PathLike)):
        from ._checkpoint import load_checkpoint

        model, info = load_checkpoint(model)
        digest = hashlib.sha256(Path(info["path"]).read_bytes()).hexdigest()
        source = {"checkpoint": info["path"], "sha256": digest}
    if not (hasattr(model, "frontend") and hasattr(model, "blocks") and hasattr(model, "head")):
        raise TypeError(f"model must be a KeywordCNN or a checkpoint path, got {type(model).__name__}")
    labels, words = _labels(model)
    linear = [m for m in model.head if isinstance(m, nn.Linear)]
    if len(linear) != 1 or not isinstance(model.head[0], nn.AdaptiveAvgPool2d):
        raise ValueError("the page runs a head of global average pooling and one linear layer")
    linear = linear[0]
    if linear.out_features != len(labels):
        raise ValueError(f"the linear layer has {linear.out_features} outputs but the model has {len(labels)} labels")
    frontend = _frontend(model)
    n_samples = frontend["sample_rate"]
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "name": name,
        # Which checkpoint this is, so a test can check the page against the same file.
        "source": source,
        "labels": labels,
        "words": words,
        "neither": [label for label in labels if label not in words],
        "frontend": frontend,
        # prepare_clip's rule (audioviz.model.prepare_clip, defined in audioviz/data/_dataset.py):
        # mono by averaging, resampled with
        # torchaudio's windowed sinc (width 6, rolloff 0.99), shorter clips padded on both sides
        # (left = pad // 2), longer ones cut to the loudest window searched in steps of
        # max(1, n_samples // 100) samples.
        "clip": {"n_samples": n_samples, "pad": "centre", "long": "loudest",
                 "search_step": max(1, n_samples // 100), "resample": {"lowpass_filter_width": 6, "rolloff": 0.99}},
        "blocks": [_block_layer(i, block) for i, block in enumerate(model.blocks)],
        "head": {"weight": _floats(linear.weight), "bias": _floats(linear.bias)},
    }


def export_for_browser(model, path, *, name: str = "") -> Path:
    """Write ``model`` as a JavaScript file that sets ``window.AUDIOVIZ_MODEL`` (for the Try-it page).

    A script file (rather than JSON fetched at run time) lets the page work from ``file://`` as well
    as from a web server, with every byte served by the site.

    Args:
        model: a :class:`~audioviz.model.KeywordCNN`, or a path to a checkpoint.
        path: the ``.js`` file to write (atomically; its folder is created).
        name: a short description shown on the page.

    Returns:
        The path written.

    Example:
        >>> import tempfile, pathlib
        >>> from audioviz.model import KeywordCNN
        >>> out = export_for_browser(KeywordCNN().eval(), pathlib.Path(tempfile.mkdtemp()) / "model.js")
        >>> out.read_text()[:29]
        'window.AUDIOVIZ_MODEL = {"for'
    """
    data = browser_model(model, name=name)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"window.{GLOBAL_NAME} = {json.dumps(data, separators=(',', ':'))};\n"
    return write_text_atomic(path, text)
