"""``audioviz explain``: one figure that explains one prediction of a trained classifier.

The figure shows the Grad-CAM of every word over the input log-mel (top) and the feature maps of
every convolution layer (below). A clip that is not one mono second at 16 kHz is brought to it
first, and the command prints what it did. ``--listen DIR`` also writes the audio resynthesised
from what the model used and from what it ignored. The figure and those sounds are one result:
all are written, or (a full disk, a folder that cannot be made) none is replaced.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .._fileio import write_all_atomic

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("audio", metavar="AUDIO", help="audio file to classify and explain (WAV, FLAC, OGG)")
    parser.add_argument("--checkpoint", required=True, metavar="DIR/model.pt",
                        help="trained model (written by `audioviz train --out DIR`), or its folder")
    parser.add_argument("--out", required=True, metavar="FIG.png", help="figure to write (.png, .pdf, .svg)")
    parser.add_argument("--layer", type=int, default=-1,
                        help="convolution block for Grad-CAM (0 = first, -1 = last; default: -1)")
    parser.add_argument("--channels", type=int, default=6, help="feature maps shown per layer (default: 6)")
    parser.add_argument("--listen", metavar="DIR",
                        help="also write original.wav, used.wav and ignored.wav (Griffin-Lim resynthesis) here")
    parser.add_argument("--dpi", type=int, default=110, help="resolution of a raster figure (default: 110)")


def explain_figure(model, clip, *, layer: int = -1, n_channels: int = 6, title: str = ""):
    """The figure ``audioviz explain`` writes: Grad-CAM panels on top, feature maps below.

    Returns:
        ``(figure, gradcam_display, feature_map_display)``; the figure is not registered with pyplot.
    """
    from matplotlib.figure import Figure

    from ._feature_maps import FeatureMapDisplay
    from ._gradcam import GradCAMDisplay
    from ._inference import Inference

    inference = Inference.from_model(model, clip)  # one pass feeds both halves of the figure
    gradcam = GradCAMDisplay.from_inference(inference, layer=layer)
    maps = FeatureMapDisplay.from_inference(inference)
    n_words = len(gradcam.words)
    fig = Figure(figsize=(max(13.0, 2.0 * n_channels + 1.5), 14.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 3.0])
    gradcam.plot(ax=top.subplots(1, n_words), show_input=False)
    top.suptitle(f"Grad-CAM at conv {gradcam.layer + 1}: where the evidence for each class is", x=0.01,
                 ha="left", fontsize="large")
    maps.plot(ax=bottom.add_subplot(1, 1, 1), n_channels=n_channels)
    bottom.suptitle("Feature maps: what each convolution layer responds to (most active channels)", x=0.01,
                    ha="left", fontsize="large")
    if title:
        fig.suptitle(title, fontsize="x-large")
    return fig, gradcam, maps


def _figure_bytes(fig, path: Path, dpi: int) -> bytes:
    import io

    buffer = io.BytesIO()
    fmt = path.suffix.lower().lstrip(".")
    fig.savefig(buffer, format="jpeg" if fmt == "jpg" else fmt, dpi=dpi)
    return buffer.getvalue()


def run(args: argparse.Namespace) -> int:
    from ..io import load_audio, to_wav_bytes
    from ..model import load_checkpoint, prepare_clip
    from ._inference import label_name

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".pdf", ".svg", ".jpg", ".jpeg"):
        raise ValueError(f"--out must end in .png, .pdf, .svg or .jpg, got {out.name!r}")
    if args.channels < 1:
        raise ValueError(f"--channels must be a positive integer, got {args.channels}")
    model, info = load_checkpoint(args.checkpoint)
    n_blocks = len(model.blocks)
    if not -n_blocks <= args.layer < n_blocks:
        raise ValueError(f"--layer must be between {-n_blocks} and {n_blocks - 1} for this model, got {args.layer}")
    waveform, file_rate = load_audio(args.audio)
    rate = int(model.config.frontend.sample_rate)
    clip, notes = prepare_clip(waveform, file_rate, target_rate=rate)
    for note in notes:
        print(f"note: {args.audio}: {note}")

    fig, gradcam, _ = explain_figure(model, clip, layer=args.layer, n_channels=args.channels)
    probs = ", ".join(f"{label_name(w, model.words)} {p:.1%}" for w, p in gradcam.probabilities.items())
    fig.suptitle(f"{Path(args.audio).name}: the model hears '{gradcam.word}' ({probs})", fontsize="x-large")
    # the figure and the --listen sounds are one result: all are written, or none is replaced
    files = {out: _figure_bytes(fig, out, args.dpi)}
    if args.listen:
        from ._listen import ListeningDisplay

        heard = ListeningDisplay.from_gradcam(gradcam)
        folder = Path(args.listen)
        for name in ("original", "used", "ignored"):
            files[folder / f"{name}.wav"] = to_wav_bytes(getattr(heard, name).clamp(-1, 1), rate)
    write_all_atomic(files)
    print(f"{args.audio}: {gradcam.word} ({probs})")
    for path in files:
        print(f"wrote {path}")
    return 0
