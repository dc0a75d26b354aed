"""Run every benchmark: each ``benchmarks/bench_*.py`` in turn, in its own process.

Each script prints its table of medians and ratios and writes ``benchmarks/results/<name>.json``,
which the docs' Performance page renders. Scripts run one at a time (they time things, so they must
not compete for the CPU) with the same Python as this one. The exit status is non-zero when any
script fails; the others still run.

Usage::

    python benchmarks/run_all.py              # all of them (what ``make bench`` runs)
    python benchmarks/run_all.py spectrogram  # only those whose name contains "spectrogram"
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def find_benchmarks(patterns: list[str]) -> list[Path]:
    scripts = sorted(HERE.glob("bench_*.py"))
    if patterns:
        scripts = [s for s in scripts if any(p in s.stem for p in patterns)]
    return scripts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="run only the scripts whose name contains one of these")
    args = parser.parse_args(argv)
    scripts = find_benchmarks(args.patterns)
    if not scripts:
        print(f"no benchmarks/bench_*.py matched {args.patterns or '(all)'}", file=sys.stderr)
        return 1
    summary = []
    for script in scripts:
        print(f"\n== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        summary.append((script.name, code, time.perf_counter() - start))
    print("\n== summary")
    width = max(len(name) for name, _, _ in summary)
    for name, code, seconds in summary:
        print(f"{name:<{width}}  {'ok' if code == 0 else f'FAILED (exit {code})':<16} {seconds:7.1f} s")
    return 0 if all(code == 0 for _, code, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
