"""``audioviz show AUDIO --out FIG.png``: the overview figure of an audio file from a terminal.

Draws :func:`audioviz.show` (waveform, spectrogram, mel spectrogram and MFCC on one time axis)
with the house style and writes it to an image file (PNG, SVG or PDF, by suffix).
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ._fileio import atomic_path, check_writable
from .cli import ranged

# Upper bounds that keep a typo from asking for gigabytes (a 2**20-point FFT is already absurd).
_MAX_FFT = 1 << 20
_MAX_DPI = 2400
# zlib level 3 instead of Pillow's 6 for the PNG: the same pixels, encoded in half the time (the
# one-hour overview: 0.09 s instead of 0.18-0.22 s of CPU) for a file 7% larger (725 KB, 680 KB)
_SAVE_OPTIONS = {"png": {"pil_kwargs": {"compress_level": 3}}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("audio", metavar="AUDIO", help="audio file to show (WAV, FLAC or OGG)")
    parser.add_argument("--out", "-o", metavar="FIG", default=None,
                        help="image to write (.png, .svg or .pdf). Default: AUDIO's name with .png, "
                             "in the current folder")
    parser.add_argument("--sample-rate", type=ranged(int, 1, 1_000_000), default=None,
                        help="resample to this rate in Hz first")
    parser.add_argument("--n-fft", type=ranged(int, 1, _MAX_FFT), default=400, help="FFT size (default: 400)")
    parser.add_argument("--hop-length", type=ranged(int, 1, _MAX_FFT), default=None,
                        help="samples between frames (default: n_fft // 2)")
    parser.add_argument("--n-mels", type=ranged(int, 1, 1024), default=64, help="mel filters (default: 64)")
    parser.add_argument("--n-mfcc", type=ranged(int, 1, 1024), default=20, help="MFCC coefficients (default: 20)")
    parser.add_argument("--mel-scale", choices=("htk", "slaney"), default="htk", help="mel scale (default: htk)")
    parser.add_argument("--dpi", type=ranged(int, 1, _MAX_DPI), default=150,
                        help="resolution of the image (default: 150)")
    parser.add_argument("--title", default=None, help="figure title (default: file name, duration, rate)")


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning as one line in the command's voice (not Python's ``<frozen runpy>:88: UserWarning:``)."""
    print(f"audioviz: warning: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    # neither audioviz.display (it imports torch, 600 MB) nor pyplot: file_figure draws a file
    # with numpy and a bare Agg canvas
    from ._show import file_figure

    audio = Path(args.audio)
    out = Path(args.out) if args.out else Path(audio.stem + ".png")
    if audio.is_dir():
        raise IsADirectoryError(f"AUDIO must be an audio file, got the folder {str(audio)!r}; "
                                f"give the path of a WAV, FLAC or OGG file in it")
    if out.is_dir():
        raise IsADirectoryError(f"--out must be an image file name, got the folder {str(out)!r}; "
                                f"add a file name such as {str(out / (audio.stem + '.png'))!r}")
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"--out must end in .png, .svg or .pdf, got {str(out)!r}")
    check_writable(out)  # before the drawing, which takes a while on long audio
    style = Path(__file__).with_name("audioviz.mplstyle")  # audioviz.style(), without audioviz.display
    with warnings.catch_warnings():
        warnings.showwarning = _print_warning
        fig = file_figure(audio, args.sample_rate, style=style, n_fft=args.n_fft, hop_length=args.hop_length,
                          n_mels=args.n_mels, n_mfcc=args.n_mfcc, mel_scale=args.mel_scale, title=args.title)
        import matplotlib.style

        # the figure's layout already fits its texts: no tight bounding box (a second drawing)
        with matplotlib.style.context([str(style), {"savefig.bbox": "standard"}]):
            # written next to the target and renamed, so a failed render never leaves half an image
            with atomic_path(out, suffix=f".part.{fmt}") as tmp:
                fig.savefig(tmp, dpi=args.dpi, format=fmt, **_SAVE_OPTIONS.get(fmt, {}))
    print(f"wrote {out}")
    return 0
