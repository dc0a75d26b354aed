"""Tests for `audioviz show AUDIO --out FIG.png`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image
import matplotlib.style
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import audioviz
from audioviz import _show
from audioviz._show import file_figure
from audioviz._waveform import BINS_PER_PIXEL
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


# ----------------------------------------------------------------------------------------------
# the command's figure: the same panels as audioviz.show, laid out without constrained layout
# ----------------------------------------------------------------------------------------------
STYLE = Path(audioviz.__file__).with_name("audioviz.mplstyle")


def text_boxes(fig):
    """Every visible, non-empty text of the drawn figure, with its window extent."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks():
                for label in (tick.label1, tick.label2):
                    lo, hi = sorted(axis.get_view_interval())
                    if label.get_visible() and label.get_text() and lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                        boxes.append((f"tick {label.get_text()!r}", ax, label.get_window_extent(renderer)))
            if axis.label.get_visible() and axis.label.get_text():
                boxes.append((f"label {axis.label.get_text()!r}", ax, axis.label.get_window_extent(renderer)))
    title = fig._suptitle
    boxes.append((f"title {title.get_text()!r}", None, title.get_window_extent(renderer)))
    return boxes


def assert_readable(fig):
    """No text overlaps another text or an Axes it does not belong to, and none is cut off."""
    boxes = text_boxes(fig)
    width, height = fig.canvas.get_width_height()
    for name, _, box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, f"{name} is cut: {box}"
    for i, (name, _, box) in enumerate(boxes):
        for other, _, other_box in boxes[i + 1:]:
            assert not box.overlaps(other_box), f"{name} overlaps {other}"
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer=None)), f"{name} overlaps an Axes"
    panels = [ax.get_window_extent() for ax in fig.axes]
    for i, box in enumerate(panels):
        assert not any(box.overlaps(other) for other in panels[i + 1:])


@pytest.mark.parametrize("signal, title", [
    (lambda t: 0.5 * np.sin(2 * np.pi * 440 * t), None),
    (lambda t: 0.00123 * np.sin(2 * np.pi * 3000 * t), None),  # tick labels such as -0.0010
    (lambda t: 0.2 * np.sin(2 * np.pi * 300 * t), "a title long enough to need more than the width of the figure, "
                                                   "so that it is first set smaller and then broken into lines " * 2),
])
def test_the_command_draws_show_s_panels_readably(tmp_path, signal, title):
    t = np.arange(3 * SR) / SR
    wav = audioviz.save_audio(tmp_path / "clip.wav", torch.from_numpy(signal(t)).float(), SR)
    with matplotlib.style.context(str(STYLE)):
        ours = file_figure(wav, style=STYLE, title=title)
        reference = audioviz.show(wav, title=title)
    assert ours.canvas.manager is None and reference.canvas.manager is not None  # not pyplot's, unlike show()
    for ax, ref in zip(ours.axes, reference.axes):
        assert ax.get_ylabel() == ref.get_ylabel() and ax.get_ylim() == pytest.approx(ref.get_ylim())
        assert [im.get_array().tolist() for im in ax.images] == [im.get_array().tolist() for im in ref.images]
    assert ours.axes[3].get_xlabel() == reference.axes[3].get_xlabel() == "Time (s)"
    with matplotlib.style.context(str(STYLE)):
        assert_readable(ours)
    plt.close(reference)
    if title:
        assert ours._suptitle.get_text().replace("\n", " ") == title.strip()
    assert _show._BINS_PER_PIXEL == BINS_PER_PIXEL
