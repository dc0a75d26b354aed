"""Plotting benchmark: audioviz against librosa.display on long audio, rendering to PNG included.

Measures, in one run, on this machine, with the same input, figure size (10 x 3 in) and dpi (100):

1. a one-hour 16 kHz waveform: ``audioviz.plot_waveform`` against ``librosa.display.waveshow``
   (target: audioviz at least 10x faster);
2. a ten-minute 16 kHz spectrogram, computed and drawn with a dB colorbar:
   ``audioviz.plot_spectrogram`` against ``librosa.stft`` + ``librosa.power_to_db`` +
   ``librosa.display.specshow`` (target: at least 20x faster). Both use n_fft=400,
   hop_length=200, a Hann window, power 2 and top_db=80.

3. ``audioviz.show`` of a one-hour and a ten-hour 16 kHz WAV file (16-bit PCM), each run in a
   fresh subprocess: wall and CPU seconds, peak resident memory (``VmHWM``) and the peak
   above the process after its imports (torch alone is about 600 MB resident). Baseline: the
   in-memory path of 0.1 (the whole file loaded, then plotted), measured in the same run on the
   one-hour file (target: at most 2 s and 400 MB above the imports; the ten-hour file must stay
   within the one-hour file's memory, since it is read in blocks).

Every timed run creates the figure, draws, saves a PNG into memory and closes the figure. Each
library is warmed up once (imports, numba compilation) before timing, then the two are timed in
alternation (so a change in machine load affects both); the table shows medians.

Usage::

    python benchmarks/bench_plots.py              # 7 runs each (3 for librosa's spectrogram)
    python benchmarks/bench_plots.py --repeats 3
    python benchmarks/bench_plots.py --show-only  # only case 3

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


# Run in a subprocess: show() of one file, after a warm-up, printing one JSON line.
_SHOW_CHILD = r"""
import io, json, resource, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import audioviz, audioviz._show
if sys.argv[2] == "in-memory":
    audioviz._show.STREAM_MIN_SAMPLES = 1 << 62  # the 0.1 path: load the whole file, then plot
plt.close(audioviz.show(np.zeros(16000, np.float32), 16000))  # warm-up: imports, fonts
def rss_mb():
    # VmHWM: this process's own peak (ru_maxrss can carry the parent's peak over an exec)
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
baseline = rss_mb()
cpu0, wall0 = time.process_time(), time.perf_counter()
figure = audioviz.show(sys.argv[1])
figure.savefig(io.BytesIO(), format="png", dpi=100)
print(json.dumps({"wall": time.perf_counter() - wall0, "cpu": time.process_time() - cpu0,
                  "peak_mb": rss_mb(), "above_imports_mb": rss_mb() - baseline}))
"""


def write_wav(path: Path, seconds: float) -> Path:
    """A long speech-like 16-bit WAV, written an hour at a time (never held whole)."""
    import soundfile

    if path.exists() and soundfile.info(str(path)).frames == int(seconds * SAMPLE_RATE):
        return path
    with soundfile.SoundFile(str(path), "w", SAMPLE_RATE, 1, subtype="PCM_16") as handle:
        left = seconds
        seed = 0
        while left > 0:
            handle.write(make_signal(min(left, 3600.0), seed=seed))
            left -= 3600.0
            seed += 1
    return path


def measure_show(path: Path, mode: str) -> dict:
    import json
    import subprocess

    result = subprocess.run([sys.executable, "-c", _SHOW_CHILD, str(path), mode], capture_output=True,
                            text=True, check=True, cwd=REPO)
    return json.loads(result.stdout.strip().splitlines()[-1])


def show_rows(folder: Path, repeats: int) -> tuple[list, dict]:
    """Case 3: the rows of the table, and every run."""
    hour, ten_hours = write_wav(folder / "hour.wav", 3600.0), write_wav(folder / "ten_hours.wav", 36000.0)
    runs = {"show_1h_streamed": [], "show_1h_in_memory": [], "show_10h_streamed": []}
    for _ in range(repeats):  # alternated, so a change in load hits both paths alike
        runs["show_1h_streamed"].append(measure_show(hour, "streamed"))
        runs["show_1h_in_memory"].append(measure_show(hour, "in-memory"))
    runs["show_10h_streamed"].append(measure_show(ten_hours, "streamed"))
    rows = []
    for key, label in (("show_1h_in_memory", "show, 1 h WAV, 0.1 in-memory path (baseline)"),
                       ("show_1h_streamed", "show, 1 h WAV, streamed"),
                       ("show_10h_streamed", "show, 10 h WAV, streamed")):
        median = {field: statistics.median(run[field] for run in runs[key])
                  for field in ("wall", "cpu", "peak_mb", "above_imports_mb")}
        rows.append([label, round(median["wall"], 2), round(median["cpu"], 2), round(median["peak_mb"]),
                     round(median["above_imports_mb"])])
    base, ours = rows[0], rows[1]
    rows.append(["ratio in-memory / streamed (1 h)", round(base[1] / ours[1], 2), round(base[2] / ours[2], 2),
                 round(base[3] / ours[3], 2), round(base[4] / max(ours[4], 1), 2)])
    return rows, runs


def print_table(columns, rows):
    widths = [max(len(str(r[i])) for r in rows + [columns]) for i in range(len(columns))]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))


SHOW_COLUMNS = ["measure", "wall (s)", "CPU (s)", "peak RSS (MB)", "peak above imports (MB)"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per measurement (default: 7)")
    parser.add_argument("--librosa-spectrogram-repeats", type=int, default=3,
                        help="timed runs of librosa's (slow) spectrogram (default: 3)")
    parser.add_argument("--show-repeats", type=int, default=3, help="runs of each show measurement (default: 3)")
    parser.add_argument("--show-only", action="store_true", help="measure only show() on long files")
    parser.add_argument("--audio-folder", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")),
                        help="where the long WAV files are written (1.2 GB; default: $TMPDIR or /tmp)")
    args = parser.parse_args(argv)

    show_table, show_runs = show_rows(args.audio_folder, args.show_repeats)
    print_table(SHOW_COLUMNS, show_table)
    print(f"(medians of {args.show_repeats} runs, each in a fresh process; load average: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    if args.show_only:
        write_result("plots_show", {"title": "audioviz show on long WAV files", "columns": SHOW_COLUMNS,
                                    "rows": show_table, "runs": show_runs, "environment": environment(),
                                    "generated": utc_now()})
        return 0

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
        "show": {"columns": SHOW_COLUMNS, "rows": show_table, "runs": show_runs,
                 "baseline": "the 0.1 in-memory path of show (whole file loaded), same run, same file"},
        "environment": environment(numpy=np.__version__, matplotlib=matplotlib.__version__, torch=torch.__version__, librosa=librosa.__version__, torch_threads=torch.get_num_threads()),
        "generated": utc_now(),
    }
    write_result("plots", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
