"""Make the picture at the top of the README: ``docs/_static/readme_overview.png``.

The sound is synthesised here, offline and deterministically: a spoken-like "yes", i.e. a voiced
glide /jɛ/ (harmonics of a falling pitch shaped by moving formants) followed by the hiss of /s/
(high-passed noise). The figure is :func:`audioviz.show` of that sound, in the house style.

Usage::

    python tools/readme_figure.py [--out docs/_static/readme_overview.png]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 16000


def _ramp(t, t0, t1, v0, v1):
    """``v0`` before ``t0``, ``v1`` after ``t1``, a straight line between."""
    return v0 + (v1 - v0) * np.clip((t - t0) / (t1 - t0), 0.0, 1.0)


def _fade(t, start, stop, attack, release):
    return np.clip((t - start) / attack, 0, 1) * np.clip((stop - t) / release, 0, 1)


def synthetic_yes(sample_rate: int = SAMPLE_RATE, seed: int = 0) -> np.ndarray:
    """About 1.2 s of a synthetic "yes" at ``sample_rate`` Hz, float32 in [-1, 1]."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(1.2 * sample_rate)) / sample_rate

    # voiced part, 0.15 - 0.68 s: pitch falls 190 -> 120 Hz; formants glide from /j/ to /ɛ/
    f0 = _ramp(t, 0.15, 0.68, 190.0, 120.0)
    formants = [(_ramp(t, 0.18, 0.40, 280.0, 580.0), 80.0), (_ramp(t, 0.18, 0.40, 2250.0, 1800.0), 120.0),
                (_ramp(t, 0.18, 0.40, 2900.0, 2550.0), 180.0), (np.full_like(t, 3500.0), 250.0)]
    phase = 2 * np.pi * np.cumsum(f0) / sample_rate
    voiced = np.zeros_like(t)
    for k in range(1, int(7500 / 120)):
        harmonic = k * f0
        gain = sum(1.0 / (1.0 + ((harmonic - freq) / (bw / 2)) ** 2) for freq, bw in formants)
        gain = gain / np.sqrt(k) * (harmonic < 0.95 * sample_rate / 2)
        voiced += gain * np.sin(k * phase)
    voiced *= _fade(t, 0.15, 0.68, 0.03, 0.08)
    voiced *= 1.0 + 0.05 * np.sin(2 * np.pi * 5.5 * t)  # a little vibrato in loudness

    # /s/, 0.66 - 1.02 s: white noise kept between 4 and 7.5 kHz
    noise = rng.standard_normal(t.size)
    spectrum = np.fft.rfft(noise)
    freqs = np.fft.rfftfreq(t.size, 1 / sample_rate)
    spectrum *= np.exp(-0.5 * ((freqs - 5800.0) / 1100.0) ** 2)
    hiss = np.fft.irfft(spectrum, n=t.size) * _fade(t, 0.66, 1.02, 0.06, 0.1)

    wave = voiced / np.abs(voiced).max() * 0.6 + hiss / np.abs(hiss).max() * 0.25
    wave += 0.002 * rng.standard_normal(t.size)  # room noise, so silence is not digital zero
    return wave.astype(np.float32)


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "_static" / "readme_overview.png")
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import audioviz

    wave = synthetic_yes()
    with audioviz.style():
        fig = audioviz.show(wave, SAMPLE_RATE, n_fft=512, hop_length=128, n_mels=64, n_mfcc=20,
                            title='A synthetic "yes": the voiced glide /jɛ/, then the hiss of /s/', figsize=(10, 8))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.out, dpi=args.dpi)
        plt.close(fig)
    print(f"wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
