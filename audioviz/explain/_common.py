"""Shared plumbing for the explanation displays: bringing a clip to the model's input format,
turning the model's internal images (log-mel, feature maps, Grad-CAM) into :class:`Feature`
objects with true time and mel axes, and drawing them.

A convolution with ``padding=1`` keeps its input's grid; each ``MaxPool2d(2)`` halves it. So the
cell ``(i, j)`` of a map that has been pooled ``s`` times in total (``stride = 2 ** s``) covers the
input rows ``i * stride ... (i + 1) * stride - 1`` and frames ``j * stride ... (j + 1) * stride - 1``;
its true coordinates are the means of those rows' and frames' coordinates. That is how every
layer gets honest, coarser axes.
"""
from __future__ import annotations

import contextlib

import numpy as np
import torch

from .._reduce import pool_frames
from ..features import Feature, hz_to_mel, mel_filterbank

#: What the model answers when the most probable class is not one of its keywords.
NEITHER = "neither"


def check_model(model):
    """The model must be a KeywordCNN-like module: a front end, conv blocks and a word list."""
    for attribute in ("features", "forward_features", "blocks", "words", "config"):
        if not hasattr(model, attribute):
            raise TypeError(
                f"model must be an audioviz KeywordCNN (with .features, .forward_features, .blocks and "
                f".words), got {type(model).__name__} without .{attribute}"
            )
    return model


@contextlib.contextmanager
def eval_mode(model):
    """Evaluate ``model`` with batch norm statistics frozen and dropout off, then restore its mode."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def model_labels(model) -> tuple:
    """The network's output classes in logit order: ``model.labels`` (keywords, then the
    "neither" classes of an open-set model), or ``model.words`` for a model without them."""
    return tuple(getattr(model, "labels", None) or model.words)


def model_input(model, clip: torch.Tensor) -> torch.Tensor:
    """A batch of one ``(1, 1, n_samples)`` on the model's device."""
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    return clip.unsqueeze(0).to(device)


def prepared_clip(model, waveform, sample_rate=None):
    """``(clip, notes)``: ``waveform`` made the model's input by :func:`audioviz.model.prepare_clip`
    (the rule :func:`audioviz.model.predict` uses), warning (not failing) with its notes."""
    from .._validation import warn_user
    from ..model import prepare_clip

    check_model(model)
    config = model.config.frontend
    if sample_rate is None:
        sample_rate = config.sample_rate
    clip, notes = prepare_clip(waveform, sample_rate, target_rate=config.sample_rate)
    if notes:
        warn_user(f"waveform was {'; '.join(notes)} to match the model's input")
    return clip, tuple(notes)


def model_clip(model, waveform, sample_rate=None):
    """The clip of :func:`prepared_clip` alone."""
    return prepared_clip(model, waveform, sample_rate)[0]


def logmel_feature(model, logmel: torch.Tensor) -> Feature:
    """The model's normalised log-mel image ``(1, n_mels, frames)`` as a Feature with true axes."""
    config = model.config.frontend
    bank = mel_filterbank(config.sample_rate, n_fft=config.n_fft, n_mels=config.n_mels, f_min=config.f_min,
                          f_max=config.f_max, mel_scale=config.mel_scale, warn_empty=False)
    n_frames = logmel.shape[-1]
    # torchaudio's MelSpectrogram pads (center=True): frame t is centred on sample t * hop_length.
    times = torch.arange(n_frames, dtype=torch.float64) * config.hop_length / config.sample_rate
    return Feature(
        data=logmel.detach().reshape(1, logmel.shape[-2], n_frames).cpu(),
        times=times,
        rows=bank.centers_mel,
        kind="mel",
        unit="normalized log power",
        sample_rate=config.sample_rate,
        hop_length=config.hop_length,
        # the mel settings as every mel Feature of the package records them (MelFilterbank's)
        params=dict(n_fft=config.n_fft, win_length=config.win_length, **bank.mel_params(),
                    n_samples=config.sample_rate, stride=1),
    )


def pooled_feature(base: Feature, data: torch.Tensor, *, unit: str) -> Feature:
    """A layer's output ``(channels, rows, frames)`` as a Feature on the input's coarsened axes."""
    n_rows, n_frames = data.shape[-2], data.shape[-1]
    stride_f = base.data.shape[-2] // n_rows
    stride_t = base.data.shape[-1] // n_frames
    if stride_f < 1 or stride_t < 1 or base.data.shape[-2] // stride_f != n_rows:
        raise ValueError(
            f"cannot place a map of shape {tuple(data.shape[-2:])} on the input grid "
            f"{tuple(base.data.shape[-2:])}: expected an integer pooling factor"
        )
    # MaxPool2d floors: the trailing rows/frames it drops are dropped here too, then each cell sits
    # at the mean coordinate of the input cells it covers (the package's one frame pooling).
    rows = pool_frames(base.rows[: n_rows * stride_f], stride_f, how="mean")
    times = pool_frames(base.times[: n_frames * stride_t], stride_t, how="mean")
    return base.replace(
        data=data.detach().cpu(),
        times=times,
        rows=rows,
        unit=unit,
        hop_length=base.hop_length * stride_t,
        params={**base.params, "stride": (stride_f, stride_t)},
    )


def upsample_to(base: Feature, coarse: torch.Tensor) -> torch.Tensor:
    """Upsample a pooled map ``(rows, frames)`` onto the input grid of ``base``.

    Bilinear interpolation by the exact pooling factor puts each coarse cell's value at the centre
    of the block of input cells it covers; the few trailing rows/frames a floor-dividing pool dropped
    take the nearest value.
    """
    n_rows, n_frames = base.data.shape[-2], base.data.shape[-1]
    stride_f = n_rows // coarse.shape[-2]
    stride_t = n_frames // coarse.shape[-1]
    size = (coarse.shape[-2] * stride_f, coarse.shape[-1] * stride_t)
    fine = torch.nn.functional.interpolate(coarse.reshape(1, 1, *coarse.shape[-2:]).float(), size, mode="bilinear",
                                         align_corners=False)
    pad = (0, n_frames - size[1], 0, n_rows - size[0])
    fine = torch.nn.functional.pad(fine, pad, mode="replicate")
    return fine[0, 0]


def mel_rows_to_hz_bins(values: torch.Tensor, mel_rows: torch.Tensor, hz_bins: torch.Tensor, *, mel_scale: str):
    """Interpolate ``values (n_mels, frames)`` given at mel rows onto FFT bins in Hz.

    Bins below the lowest or above the highest mel centre take the edge row's value.
    """
    bins_mel = np.asarray(hz_to_mel(hz_bins.double().numpy(), mel_scale=mel_scale))
    rows = mel_rows.double().numpy()
    vals = values.detach().double().numpy()
    out = np.empty((len(bins_mel), vals.shape[-1]))
    for t in range(vals.shape[-1]):
        out[:, t] = np.interp(bins_mel, rows, vals[:, t])
    return torch.from_numpy(out).to(values.dtype)


# --- drawing ---------------------------------------------------------------------------------

def draw_feature(ax, feature: Feature, *, channel: int = 0, label_x: bool = True, label_y: bool = True, **kwargs):
    """Draw one channel of a Feature with :func:`audioviz.plot_feature` (true axes), no colorbar.

    Mel rows are drawn in mel (so the image is not distorted) and labelled in Hz; time in seconds.
    Every frame is drawn (no column pooling: these images are small). Returns the AxesImage.
    """
    from ..display import plot_feature

    kwargs.setdefault("max_columns", feature.data.shape[-1])
    image = plot_feature(feature, ax=ax, channel=channel, colorbar=False, **kwargs)
    if not label_x:
        ax.set_xlabel("")
    if not label_y:
        ax.set_ylabel("")
    return image


def resolve_axes(ax, n: int, *, ncols: int | None = None, figsize=None, name: str = "ax"):
    """``n`` Axes to draw on: new ones (``ax=None``) or those given (one Axes when ``n == 1``,
    or a sequence/array of ``n`` Axes). Returns ``(figure, list_of_axes)``.

    ``ax=None`` means a new figure here, as in scikit-learn's Display objects: an explanation
    draws several panels, so it does not take over the current Axes the way the single-image
    helpers of :mod:`audioviz.display` do (where ``ax=None`` is the current Axes).
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        ncols = ncols or n
        nrows = int(np.ceil(n / ncols))
        # At most 8.4 in wide by default, so a tutorial page shows a figure near its natural size.
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize or (min(8.4, 2.9 * ncols), 2.5 * nrows + 0.3),
                                 squeeze=False, layout="constrained")
        flat = list(axes.ravel())
        for extra in flat[n:]:
            extra.remove()
        return fig, flat[:n]
    if isinstance(ax, Axes):
        ax = [ax]
    try:
        flat = list(np.asarray(ax, dtype=object).ravel())
    except TypeError:
        flat = []
    if len(flat) != n or not all(isinstance(a, Axes) for a in flat):
        raise TypeError(f"{name} must be None or {n} matplotlib Axes, got {ax!r}")
    return flat[0].figure, flat
