"""``audioviz show`` on long WAV files: wall time and peak memory of the whole command.

Each measurement runs the command as a user types it, ``python -m audioviz show FILE --out
FIG.png``, in a fresh process, and takes its wall-clock time, CPU time and peak resident memory
(``ru_maxrss`` of the finished child, what ``/usr/bin/time -v`` reports as "Maximum resident set
size") over the whole process: interpreter start, imports, reading, computing, drawing, writing
the PNG. Baseline, measured in the same run on the same file: a process that only reads the file
once, block by block, with soundfile (the least any overview must do). The ratio says how many
file reads the overview costs.

Files (written once into ``--audio-folder``, default ``$TMPDIR`` or ``/tmp``; 1.6 GB in all):
one hour and ten hours of speech-like 16-bit audio at 16 kHz, and one hour at 44.1 kHz drawn
with ``--sample-rate 16000`` (resampled block by block), and one minute at 8001 Hz drawn at 16 kHz
(a ratio that does not reduce: torchaudio's polyphase table would hold 128 M weights, and show
peaked at 2.8 GB before its resampler took per-output weights). Targets (issue 11): the one-hour file
in at most 2 s and 400 MB; the ten-hour file in bounded memory (no more than the one-hour file's
peak plus a few MB: it is read in blocks). The load average is printed with every row: the
machine is shared, and a busy one inflates the wall-clock times (CPU time less so).

The children run as after a user's first run: with Python's bytecode caches. An untimed run of
each command comes first, and ``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment: a machine that sets it (this project's CI machines do) makes every process compile
every module it imports from source again, about 0.6 s of a one-hour overview, which no user
with a normal installation pays after the first run.

Usage::

    python benchmarks/bench_show.py               # 3 runs of each, medians
    python benchmarks/bench_show.py --repeats 1 --skip-10h

Writes ``benchmarks/results/show.json``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import environment, utc_now, write_result

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_SECONDS, TARGET_MB = 2.0, 400.0
TIME = "/usr/bin/time"  # GNU time (Debian package "time")

# The baseline: read the file once, block by block, as float32 (what show's reader does).
_READ_ONCE = r"""
import sys
import numpy as np
import soundfile
with soundfile.SoundFile(sys.argv[1]) as handle:
    out = np.empty((1 << 20, handle.channels), dtype=np.float32)
    total = 0.0
    for block in handle.blocks(dtype="float32", always_2d=True, out=out):
        total += float(block[:, 0].max())
print(total)
"""


def write_wav(path: Path, seconds: float, rate: int) -> Path:
    """Speech-like 16-bit audio (noise under a loudness that changes every quarter second), an
    hour at a time, so the file is never held whole."""
    import numpy as np
    import soundfile

    if path.exists() and soundfile.info(str(path)).frames == int(seconds * rate):
        return path
    with soundfile.SoundFile(str(path), "w", rate, 1, subtype="PCM_16") as handle:
        for seed, start in enumerate(range(0, int(seconds), 600)):
            rng = np.random.default_rng(seed)
            n = int(min(600, seconds - start) * rate)
            loudness = np.repeat(rng.uniform(0.0, 0.5, n // (rate // 4) + 1), rate // 4)[:n]
            handle.write(np.clip(loudness * rng.standard_normal(n), -1, 1).astype(np.float32))
    return path


# as after a user's first run: bytecode caches written and used (see the module docstring)
_CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _children(pid: int) -> list:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # ended meanwhile
        return []


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of the processes below ``pid`` (not ``pid`` itself: GNU time), summed."""
    total, stack = 0, _children(pid)
    while stack:
        child = stack.pop()
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:  # ended meanwhile
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0)
        stack += _children(child)
    return total


def run(args: list[str]) -> dict:
    """Wall and CPU seconds and peak RSS (MB) of one child process, through ``/usr/bin/time``: a
    child's own ``ru_maxrss`` starts at its parent's peak (this script's, which wrote the WAV
    files), GNU time's small process passes none on. ``audioviz show`` computes the file in a
    forked process of its own while it imports matplotlib; GNU time gives the larger of the two
    peaks, so the processes' memory is also summed every 20 ms, and the larger figure is kept."""
    load = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        process = subprocess.Popen([TIME, "-o", report.name, "-f", "%U %S %M", *args], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_CHILD_ENV)
        summed = 0
        while process.poll() is None:
            summed = max(summed, _tree_rss_kb(process.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        stderr = process.stderr.read()
        process.stderr.close()
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {stderr}")
        user, system, peak_kb = report.read().split()[-3:]
    return {"wall": wall, "cpu": float(user) + float(system), "peak_mb": max(int(peak_kb), summed) / 1024,
            "load": load}


def measure(name: str, path: Path, out: Path, repeats: int, extra=()) -> tuple[list, dict]:
    """The baseline and the command, alternated run by run (a change in load hits both)."""
    runs = {"read once": [], "audioviz show": []}
    commands = {"read once": [sys.executable, "-c", _READ_ONCE, str(path)],
                "audioviz show": [sys.executable, "-m", "audioviz", "show", str(path), "--out", str(out), *extra]}
    for command in commands.values():  # untimed: writes the bytecode caches, reads the file into the OS cache
        run(command)
    for _ in range(repeats):
        for key, command in commands.items():
            runs[key].append(run(command))
    medians = {key: {field: statistics.median(r[field] for r in values) for field in values[0]}
               for key, values in runs.items()}
    base, ours = medians["read once"], medians["audioviz show"]
    rows = [[f"{name}: read once (baseline)", round(base["wall"], 2), round(base["cpu"], 2), round(base["peak_mb"]),
             "", round(base["load"], 1)],
            [f"{name}: audioviz show", round(ours["wall"], 2), round(ours["cpu"], 2), round(ours["peak_mb"]),
             round(ours["wall"] / base["wall"], 1), round(ours["load"], 1)]]
    return rows, runs


COLUMNS = ["measure", "wall (s)", "CPU (s)", "peak RSS (MB)", "wall / baseline", "load (1 min)"]


def print_table(rows):
    widths = [max(len(str(r[i])) for r in rows + [COLUMNS]) for i in range(len(COLUMNS))]
    for r in [COLUMNS] + rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement (default: 3)")
    parser.add_argument("--skip-10h", action="store_true", help="leave out the ten-hour file (about 30 s a run)")
    parser.add_argument("--audio-folder", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")),
                        help="where the long WAV files are written (default: $TMPDIR or /tmp)")
    args = parser.parse_args(argv)

    folder = args.audio_folder
    cases = [("1 h, 16 kHz", write_wav(folder / "audioviz_bench_1h.wav", 3600, 16000), args.repeats, ()),
             ("1 h, 44.1 kHz resampled to 16 kHz", write_wav(folder / "audioviz_bench_1h_44k.wav", 3600, 44100),
              args.repeats, ("--sample-rate", "16000")),
             ("1 min, 8001 Hz resampled to 16 kHz", write_wav(folder / "audioviz_bench_1min_8001.wav", 60, 8001),
              args.repeats, ("--sample-rate", "16000"))]
    if not args.skip_10h:
        cases.append(("10 h, 16 kHz", write_wav(folder / "audioviz_bench_10h.wav", 36000, 16000), 1, ()))
    rows, runs = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, repeats, extra in cases:
            case_rows, runs[name] = measure(name, path, Path(tmp) / "overview.png", repeats, extra)
            rows += case_rows
            print_table(case_rows)
    hour = rows[1]
    # CPU seconds too: on a busy machine the wall-clock time says more about the others' load
    verdict = (f"1 h: {hour[1]} s wall, {hour[2]} s CPU at load {hour[5]} (target {TARGET_SECONDS:g} s), "
               f"{hour[3]} MB (target {TARGET_MB:g} MB)")
    if not args.skip_10h:
        verdict += f"; 10 h: {rows[-1][3]} MB peak, {rows[-1][3] - hour[3]:+} MB against 1 h (bounded: read in blocks)"
    print()
    print_table(rows)
    print(verdict)
    write_result("show", {"title": "audioviz show on long WAV files (whole command: start, imports, PNG)",
                          "description": "Each run is a fresh process, with bytecode caches as after a user's first run; "
                                   "peak RSS is the command's processes' summed. Baseline: a "
                                   "process that reads the file once in blocks. Medians of "
                                   f"{args.repeats} runs (10 h: 1 run). {verdict}.",
                          "columns": COLUMNS, "rows": rows, "runs": runs, "environment": environment(),
                          "generated": utc_now()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
