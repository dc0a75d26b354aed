"""Plotting benchmark: audioviz against librosa.display on long audio, rendering to PNG included.

Measures, in one run, on this machine, with the same input, figure size (10 x 3 in) and dpi (100):

1. a one-hour 16 kHz waveform: ``audioviz.plot_waveform`` against ``librosa.display.waveshow``
   (target: audioviz at least 10x faster);
2. a ten-minute 16 kHz spectrogram, computed and drawn with a dB colorbar:
   ``audioviz.plot_spectrogram`` against ``librosa.stft`` + ``librosa.power_to_db`` +
   ``librosa.display.specshow`` (target: at least 20x faster). Both use n_fft=400,
   hop_length=200, a Hann window, power 2 and top_db=80.

``audioviz show`` on long WAV files (the whole command, in its own process) is measured by
``benchmarks/bench_show.py``.

Every timed run creates the figure, draws, saves a PNG into memory and closes the figure. Each
library is warmed up once (imports, numba compilation) before timing, then the two are timed in
alternation (so a change in machine load affects both); the table shows medians.

Usage::

    python benchmarks/bench_plots.py              # 7 runs each (3 for librosa's spectrogram)
    python benchmarks/bench_plots.py --repeats 3

Writes ``benchmarks/results/plots.json``.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

from _report import environment, utc_now, write_result

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE_RATE = 16000
FIGSIZE = (10, 3)
DPI = 100
N_FFT, HOP_LENGTH, TOP_DB = 400, 200, 80.0
TARGETS = {"waveform": 10.0, "spectrogram": 20.0}


def make_signal(seconds: float, seed: int = 0) -> np.ndarray:
    """Speech-like test audio: noise under a slowly varying loudness, with bursts and pauses."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    loudness = np.repeat(rng.uniform(0.0, 0.5, size=n // 4000 + 1), 4000)[:n]
    return (loudness * rng.standard_normal(n)).astype(np.float32)


def render(draw) -> float:
    """Seconds to create a figure, ``draw(ax)`` into it and write it as PNG."""
    start = time.perf_counter()
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    draw(fig, ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return time.perf_counter() - start


def audioviz_waveform(y):
    import audioviz

    return lambda fig, ax: audioviz.plot_waveform(y, SAMPLE_RATE, ax=ax)


def librosa_waveform(y):
    import librosa.display

    return lambda fig, ax: librosa.display.waveshow(y, sr=SAMPLE_RATE, ax=ax)


def audioviz_spectrogram(y):
    import audioviz

    return lambda fig, ax: audioviz.plot_spectrogram(y, SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP_LENGTH,
                                                     top_db=TOP_DB, ax=ax)


def librosa_spectrogram(y):
    import librosa
    import librosa.display

    def draw(fig, ax):
        power = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP_LENGTH, window="hann", center=True)) ** 2
        db = librosa.power_to_db(power, ref=np.max, top_db=TOP_DB)
        mesh = librosa.display.specshow(db, sr=SAMPLE_RATE, hop_length=HOP_LENGTH, n_fft=N_FFT, x_axis="time",
                                        y_axis="linear", ax=ax)
        fig.colorbar(mesh, ax=ax, format="%+2.0f dB")

    return draw


def measure_pair(ours, theirs, repeats: int, their_repeats: int) -> tuple[list[float], list[float]]:
    """Time both, alternating run by run, so a change in machine load hits both alike."""
    render(ours)  # warm-up: imports, numba compilation, font cache
    render(theirs)
    ours_times, their_times = [], []
    for i in range(max(repeats, their_repeats)):
        if i < repeats:
            ours_times.append(render(ours))
        if i < their_repeats:
            their_times.append(render(theirs))
    return ours_times, their_times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per measurement (default: 7)")
    parser.add_argument("--librosa-spectrogram-repeats", type=int, default=3,
                        help="timed runs of librosa's (slow) spectrogram (default: 3)")
    args = parser.parse_args(argv)

    import librosa
    import torch

    hour = make_signal(3600.0)
    ten_minutes = make_signal(600.0, seed=1)
    runs = {}
    runs["audioviz_waveform"], runs["librosa_waveform"] = measure_pair(
        audioviz_waveform(hour), librosa_waveform(hour), args.repeats, args.repeats)
    runs["audioviz_spectrogram"], runs["librosa_spectrogram"] = measure_pair(
        audioviz_spectrogram(ten_minutes), librosa_spectrogram(ten_minutes), args.repeats,
        args.librosa_spectrogram_repeats)
    median = {k: statistics.median(v) for k, v in runs.items()}

    rows = []
    for key, name in (("waveform", "1 h waveform @ 16 kHz: plot_waveform vs waveshow"),
                      ("spectrogram", "10 min spectrogram @ 16 kHz (compute + draw): plot_spectrogram vs "
                                      "stft + specshow")):
        ours, theirs = median[f"audioviz_{key}"], median[f"librosa_{key}"]
        ratio = theirs / ours
        rows.append([name, round(ours, 3), round(theirs, 3), round(ratio, 1), f">= {TARGETS[key]:g}x",
                     "yes" if ratio >= TARGETS[key] else "NO"])
    columns = ["measure", "audioviz (s)", "librosa (s)", "speed-up (librosa / audioviz)", "target", "met"]
    widths = [max(len(str(r[i])) for r in rows + [columns]) for i in range(len(columns))]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
    print(f"(medians of {args.repeats} runs, {args.librosa_spectrogram_repeats} for librosa's spectrogram; "
          f"figure {FIGSIZE[0]}x{FIGSIZE[1]} in at {DPI} dpi, PNG written to memory; load average at the end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")

    result = {
        "title": "Plotting long audio: audioviz vs librosa.display",
        "description": (
            f"Wall-clock seconds to create a {FIGSIZE[0]}x{FIGSIZE[1]} in figure at {DPI} dpi, draw and write it "
            f"as PNG, median of {args.repeats} runs ({args.librosa_spectrogram_repeats} for librosa's spectrogram) "
            f"after one warm-up run, the two libraries timed in alternation. Waveform: one hour of 16 kHz audio. "
            f"Spectrogram: ten minutes of 16 kHz audio, STFT computed inside the timing (n_fft={N_FFT}, "
            f"hop_length={HOP_LENGTH}, Hann window, power 2, dB with top_db={TOP_DB:g}, colorbar)."
        ),
        "baseline": ("librosa.display.waveshow; librosa.stft + librosa.power_to_db + librosa.display.specshow "
                     "(same settings); ratio = librosa time / audioviz time"),
        "columns": columns,
        "rows": rows,
        "runs": {k: [round(x, 4) for x in v] for k, v in runs.items()},
        "environment": environment(numpy=np.__version__, matplotlib=matplotlib.__version__, torch=torch.__version__, librosa=librosa.__version__, torch_threads=torch.get_num_threads()),
        "generated": utc_now(),
    }
    write_result("plots", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
