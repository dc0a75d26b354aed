"""Tests for `audioviz show AUDIO --out FIG.png`."""
from __future__ import annotations

import subprocess
import sys

import matplotlib.image
import pytest

import audioviz
from audioviz.cli import main

SR = 16000


@pytest.fixture
def wav(tmp_path, tone):
    return audioviz.save_audio(tmp_path / "tone.wav", tone, SR)


def test_show_writes_the_overview_png(wav, tmp_path, capsys):
    out = tmp_path / "figs" / "overview.png"
    assert main(["show", str(wav), "--out", str(out), "--dpi", "60", "--n-mels", "40"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width = matplotlib.image.imread(out).shape[:2]
    assert width > 300 and height > 300
    assert f"wrote {out}" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["overview.png"]  # no temp file left


def test_default_output_name_follows_the_audio(wav, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["show", str(wav), "--dpi", "50", "--out", "tone.svg"]) == 0
    assert (tmp_path / "tone.svg").read_text().lstrip().startswith("<?xml")
    assert main(["show", str(wav), "--dpi", "50"]) == 0
    assert (tmp_path / "tone.png").exists()


@pytest.mark.parametrize("args, message", [
    (["show", "missing.wav", "--out", "x.png"], "audio file not found: missing.wav"),
    (["show", "{wav}", "--out", "x.jpg"], "--out must end in .png, .svg or .pdf"),
    (["show", "{wav}", "--out", "x.png", "--hop-length", "999"], r"hop_length must be <= n_fft (400), got 999"),
    (["show", "{wav}", "--out", "{tmp}"], "--out must be an image file name, got the folder"),
    (["show", "{tmp}", "--out", "x.png"], "AUDIO must be an audio file, got the folder"),
    (["show", "{wav}", "--out", "{wav}/x.png"], "not a directory"),
])
def test_errors_are_one_clear_line(wav, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{wav}", str(wav)).replace("{tmp}", str(tmp_path)) for a in args]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("audioviz: error:") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("option, value", [("--dpi", "0"), ("--n-fft", "-4"), ("--n-mels", "lots"),
                                           ("--n-fft", str(1 << 40))])
def test_out_of_range_options_are_usage_errors(wav, capsys, option, value):
    assert main(["show", str(wav), option, value]) == 2
    assert f"argument {option}:" in capsys.readouterr().err


def test_module_entry_point_runs(wav, tmp_path):
    out = tmp_path / "o.png"
    result = subprocess.run([sys.executable, "-m", "audioviz", "show", str(wav), "--out", str(out), "--dpi", "40"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert out.exists()
