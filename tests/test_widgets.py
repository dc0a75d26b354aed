"""Tests for audioviz.widgets: the Explorer base, the spectrogram and mel explorers, static sliders.

Everything is checked through the public attributes (controls, figure, image, status, output), with
no browser; tests/test_static_browser.py opens the static pages in Chromium.
"""
from __future__ import annotations

import html
import json
import re
import warnings

import ipywidgets
import numpy as np
import pytest
import torch

import audioviz
from audioviz.widgets import Explorer, StaticSliders


class ToyExplorer(Explorer):
    """The smallest subclass: one slider, one dropdown, a striped image."""

    figsize = (4.0, 2.0)

    def __init__(self):
        self.updates = []
        super().__init__()

    def _make_controls(self):
        return {
            "freq": ipywidgets.IntSlider(value=3, min=1, max=20),
            "cmap": ipywidgets.Dropdown(options=["magma", "viridis"], value="magma"),
        }

    def _stripes(self):
        x = np.linspace(0, 1, 120)
        return np.sin(2 * np.pi * self.params["freq"] * x)[None, :] * np.ones((30, 1))

    def _draw(self, figure):
        ax = figure.add_subplot()
        self.image = ax.imshow(self._stripes(), cmap=self.params["cmap"], aspect="auto")

    def _update(self, changed):
        self.updates.append(changed)
        if "freq" in changed:
            if self.params["freq"] == 13:
                raise RuntimeError("thirteen is not allowed")
            self.image.set_data(self._stripes())
        if "cmap" in changed:
            self.image.set_cmap(self.params["cmap"])


# ---------------------------------------------------------------------- the base class
def test_subclass_updates_image_in_place():
    toy = ToyExplorer()
    image, figure = toy.image, toy.figure
    before = np.array(toy.image.get_array())
    toy.controls["freq"].value = 7
    assert toy.image is image and toy.figure is figure
    assert toy.updates == [frozenset({"freq"})]
    assert not np.allclose(before, toy.image.get_array())
    np.testing.assert_allclose(toy.image.get_array()[0], np.sin(2 * np.pi * 7 * np.linspace(0, 1, 120)))


def test_hold_batches_changes_into_one_update():
    toy = ToyExplorer()
    with toy.hold():
        toy.controls["freq"].value = 5
        toy.controls["cmap"].value = "viridis"
        assert toy.updates == []
    assert toy.updates == [frozenset({"freq", "cmap"})]
    assert toy.image.get_cmap().name == "viridis"


def test_callback_error_is_shown_in_the_widget_and_cleared_after():
    toy = ToyExplorer()
    toy.controls["freq"].value = 13
    assert isinstance(toy.error, RuntimeError)
    assert "thirteen is not allowed" in toy.status.value
    assert "RuntimeError" in toy.output.outputs[-1]["text"]
    toy.controls["freq"].value = 4
    assert toy.error is None and toy.status.value == ""


def test_slider_value_from_code_is_clamped():
    toy = ToyExplorer()
    toy.controls["freq"].value = 50
    assert toy.params["freq"] == 20
    toy.set(freq=-4)
    assert toy.params["freq"] == 1
    assert "clamped to 1" in toy.status.value


def test_set_refuses_unknown_names_and_options_with_a_message():
    toy = ToyExplorer()
    with pytest.raises(ValueError, match="cmap must be one of 'magma', 'viridis'; got 'jet'"):
        toy.set(cmap="jet")
    assert "jet" in html.unescape(toy.status.value)
    with pytest.raises(ValueError, match="unknown parameter 'colour'"):
        toy.set(colour="red")


def test_inline_view_receives_a_new_jpeg_on_each_change():
    toy = ToyExplorer()
    box = toy.widget
    assert isinstance(box, ipywidgets.VBox)
    first = bytes(toy._picture.value)
    assert first[:3] == b"\xff\xd8\xff" and toy._picture.format == "jpeg"
    toy.controls["freq"].value = 9
    assert bytes(toy._picture.value) != first
    bundle = toy._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert '<figure class="audioviz-explorer-snapshot' in toy._repr_html_()


# ---------------------------------------------------------------------- static sliders
def _payload(fragment: str) -> dict:
    match = re.search(r'<script type="application/json" class="avz-data">(.*?)</script>', fragment, re.S)
    return json.loads(match.group(1))


def test_static_grid_holds_every_frame_in_order_and_restores_controls():
    toy = ToyExplorer()
    page = toy.static(freq=[1, 2, 3], cmap=["magma", "viridis"], fmt="png", dpi=None)
    assert isinstance(page, StaticSliders)
    assert page.shape == (3, 2) and len(page) == 6 and len(page.frames) == 6
    assert toy.params == {"freq": 3, "cmap": "magma"}
    # The frame for freq=2, viridis is what the explorer draws for those settings.
    toy.set(freq=2, cmap="viridis")
    from PIL import Image
    import io

    shown = np.asarray(Image.open(io.BytesIO(page.frame(freq=2, cmap="viridis"))).convert("RGBA"))
    np.testing.assert_array_equal(shown, toy.to_rgba())
    # ...and what a plain full draw in the house style gives, to the
    # pixel: the frame's antialiased edge included (the spines are drawn once, with the content)
    from audioviz.widgets._base import _house_style

    with _house_style():
        toy.figure.canvas.draw()
    np.testing.assert_array_equal(shown, np.asarray(toy.figure.canvas.buffer_rgba()))
    fragment = page.to_html()
    payload = _payload(fragment)
    assert payload["names"] == ["freq", "cmap"] and payload["sizes"] == [3, 2]
    assert payload["labels"] == [["1", "2", "3"], ["magma", "viridis"]]
    assert len(payload["index"]) == 6 and len(payload["frames"]) == 6
    assert fragment.count('type="range"') == 2
    # Starts at the explorer's settings when they are in the grid (freq=3, magma).
    assert 'value="2" data-param="freq"' in fragment


def test_static_stores_identical_frames_once():
    toy = ToyExplorer()
    page = toy.static(freq=[5, 5, 6])
    assert len(page) == 3 and len(page.frames) == 2
    assert page.index[0] == page.index[1] != page.index[2]


def test_static_is_self_contained(tmp_path):
    toy = ToyExplorer()
    path = toy.static(freq=[1, 2]).save(tmp_path / "sub" / "toy.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "http://" not in text and "https://" not in text
    assert "<script src" not in text
    assert [p.name for p in path.parent.iterdir()] == ["toy.html"]  # no temp file left


def test_static_fragments_get_unique_ids():
    page = ToyExplorer().static(freq=[1, 2])
    first, second = page.to_html(), page._repr_html_()
    ids = [re.search(r'id="(avz-static-[0-9a-f]+)"', f).group(1) for f in (first, second)]
    assert ids[0] != ids[1]


@pytest.mark.parametrize(
    "grid, message",
    [
        ({}, "needs at least one parameter"),
        ({"colour": [1, 2]}, "unknown parameter 'colour'"),
        ({"freq": []}, "freq has an empty list"),
        ({"freq": 3}, "freq must be a list of values"),
        ({"freq": [1, 99]}, "freq=99 is outside 1..20"),
        ({"cmap": ["jet"]}, "cmap must be one of"),
    ],
)
def test_static_bad_grid_is_a_value_error(grid, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ToyExplorer().static(**grid)


def test_static_bad_format():
    with pytest.raises(ValueError, match="fmt must be"):
        ToyExplorer().static(freq=[1], fmt="gif")


def test_explorer_is_exported():
    assert audioviz.Explorer is Explorer
    assert audioviz.StaticSliders is StaticSliders


# ---------------------------------------------------------------------- SpectrogramExplorer
@pytest.fixture
def clip():
    """Two seconds at 16 kHz: a 440 Hz tone, then a 2 kHz tone."""
    t = torch.arange(32000) / 16000
    tone = torch.where(t < 1.0, torch.sin(2 * torch.pi * 440 * t), torch.sin(2 * torch.pi * 2000 * t))
    return 0.5 * tone


def _brightest_hz(explorer, *, seconds):
    """Frequency (in the image's row units) of the brightest row at a given time."""
    data = np.asarray(explorer.image.get_array())
    t_lo, t_hi, r_lo, r_hi = explorer.image.get_extent()
    column = int((seconds - t_lo) / (t_hi - t_lo) * data.shape[1])
    row = int(np.argmax(data[:, column]))
    return r_lo + (row + 0.5) * (r_hi - r_lo) / data.shape[0]


def test_spectrogram_explorer_controls_and_first_picture(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    assert list(explorer.controls) == ["n_fft", "win_length", "hop_length", "window", "y_axis", "n_mels",
                                       "f_min", "f_max", "top_db", "cmap"]
    assert explorer.params["n_fft"] == 512 and explorer.params["win_length"] == 512
    assert explorer.image.get_array().shape[0] == 257
    assert explorer.ax.get_xlim() == (0.0, 2.0)
    assert explorer.ax.get_ylabel() == "Frequency (Hz)" and explorer.ax.get_xlabel() == "Time (s)"
    assert explorer.colorbar.ax.get_ylabel() == "dB (0 = loudest)"
    assert explorer.image.get_clim() == (-80.0, 0.0)
    assert _brightest_hz(explorer, seconds=0.5) == pytest.approx(440, abs=16)
    assert _brightest_hz(explorer, seconds=1.5) == pytest.approx(2000, abs=16)


def test_n_fft_change_updates_the_same_image_in_place(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    image, figure, colorbar = explorer.image, explorer.figure, explorer.colorbar
    explorer.controls["n_fft"].value = 2048
    assert explorer.image is image and explorer.figure is figure and explorer.colorbar is colorbar
    assert explorer.image.get_array().shape[0] == 1025
    assert explorer.feature.params["n_fft"] == 2048
    # Rows are n_fft // 2 + 1 bins from 0 Hz to Nyquist, half a bin either side.
    assert explorer.image.get_extent()[2:] == pytest.approx((-8000 / 2048, 8000 + 8000 / 2048))
    assert _brightest_hz(explorer, seconds=0.5) == pytest.approx(440, abs=4)
    assert explorer.error is None


def test_window_lengths_kept_within_n_fft_by_the_controls(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000, n_fft=1024, win_length=800, hop_length=600)
    explorer.controls["n_fft"].value = 256
    assert explorer.params["win_length"] == 256 and explorer.params["hop_length"] == 256
    assert explorer.controls["win_length"].max == 256
    assert explorer.error is None
    # A full-length window follows n_fft up; a shorter one stays.
    explorer.controls["n_fft"].value = 1024
    assert explorer.params["win_length"] == 1024
    explorer.controls["win_length"].value = 400
    explorer.controls["n_fft"].value = 2048
    assert explorer.params["win_length"] == 400
    explorer.controls["win_length"].value = 99999
    assert explorer.params["win_length"] == 2048


def test_hop_length_top_db_and_cmap(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    explorer.controls["hop_length"].value = 64
    assert explorer.feature.data.shape[-1] == 32000 // 64 + 1
    assert explorer.feature.hop_length == 64
    power = explorer._power
    explorer.controls["top_db"].value = 40.0
    assert explorer._power is power  # top_db reuses the STFT
    assert explorer.image.get_clim() == (-40.0, 0.0)
    assert float(explorer.feature.data.min()) >= -40.0
    explorer.controls["cmap"].value = "viridis"
    assert explorer.image.get_cmap().name == "viridis"
    assert explorer.colorbar.mappable is explorer.image


def test_top_db_step_moves_the_floor_without_a_logarithm_and_equals_a_fresh_explorer(clip, monkeypatch):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    calls = []
    real = audioviz.features.amplitude_to_db
    monkeypatch.setattr(audioviz.features, "amplitude_to_db", lambda *a, **k: calls.append(1) or real(*a, **k))
    for top_db in (40.0, 65.0):  # tick labels as wide as at 80 dB: a fresh explorer has the same layout
        explorer.controls["top_db"].value = top_db
        fresh = audioviz.SpectrogramExplorer(clip, 16000, top_db=top_db)
        np.testing.assert_array_equal(explorer.image.get_array(), fresh.image.get_array())
        assert float(explorer.feature.data.min()) == -top_db and explorer.feature.params["top_db"] == top_db
        np.testing.assert_array_equal(explorer.to_rgba(), fresh.to_rgba())
    assert len(calls) == 2  # the two fresh explorers; the steps took no logarithm


def test_window_function_changes_the_picture(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    hann = np.array(explorer.image.get_array())
    explorer.controls["window"].value = "rectangular"
    assert explorer.feature.params["window"] == "rectangular"
    rectangular = np.asarray(explorer.image.get_array())
    # No taper: energy leaks far from the tone, so the quiet rows get louder.
    assert rectangular.mean() > hann.mean() + 5


def test_frequency_axes_linear_log_mel(clip):
    from audioviz.display import MelHzFormatter

    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    image = explorer.image
    explorer.controls["y_axis"].value = "log"
    assert explorer.ax.get_yscale() == "symlog"
    assert explorer.controls["n_mels"].disabled
    explorer.controls["y_axis"].value = "mel"
    assert not explorer.controls["n_mels"].disabled
    assert explorer.feature.kind == "mel" and explorer.image.get_array().shape[0] == 64
    assert isinstance(explorer.ax.yaxis.get_major_formatter(), MelHzFormatter)
    assert explorer.colorbar.mappable is explorer.image and explorer.image.axes is explorer.ax
    assert len(explorer.ax.images) == 1
    explorer.controls["n_mels"].value = 40
    assert explorer.image.get_array().shape[0] == 40
    explorer.controls["f_max"].value = 4000.0
    assert explorer.feature.params["f_max"] == 4000.0
    assert explorer.image.get_extent()[3] < audioviz.hz_to_mel(4000.0) + 40
    # the mel axis shows the range asked for, in mel, whatever n_mels (no re-layout per step)
    f_min = explorer.params["f_min"]
    assert explorer.ax.get_ylim() == pytest.approx((float(audioviz.hz_to_mel(f_min)), float(audioviz.hz_to_mel(4000.0))))
    explorer.controls["y_axis"].value = "linear"
    assert explorer.ax.get_ylim() == (0.0, 4000.0)
    assert explorer.image.get_array().shape[0] == 257
    assert explorer.image is image  # one image, updated in place through every axis kind


def test_f_min_stays_below_f_max(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    explorer.controls["f_max"].value = 1000.0
    explorer.controls["f_min"].value = 3000.0
    assert explorer.params["f_min"] < explorer.params["f_max"]
    assert explorer.error is None


def test_readout_gives_time_and_frequency_resolution(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000, n_fft=512, hop_length=128)
    assert "8.00 ms" in explorer.readout.value  # 128 / 16000 s per column
    assert "31.25 Hz per row" in explorer.readout.value  # 16000 / 512
    explorer.controls["n_fft"].value = 1024
    assert "15.62 Hz per row" in explorer.readout.value
    explorer.controls["y_axis"].value = "mel"
    assert "64 mel rows" in explorer.readout.value
    assert "empty" not in explorer.readout.value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported in the readout, not as a warning
        explorer.controls["n_fft"].value = 128
    assert "of the 64 mel filters are empty" in explorer.readout.value


@pytest.mark.parametrize(
    "name, value",
    [("n_fft", 1024), ("cmap", "viridis"), ("window", "blackman"),  # only the image changes
     ("top_db", 60.0), ("f_max", 4000.0)],  # the colorbar's or the image Axes' ticks change too
)
def test_partial_redraw_equals_a_full_redraw(clip, name, value):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    partial = []
    original_step = explorer._blitter.step
    explorer._blitter.step = lambda axes: partial.append(original_step(axes)) or partial[-1]
    explorer.controls[name].value = value
    assert partial == [True]  # redrawn in part, not in full
    stepped = np.array(explorer.to_rgba())
    explorer._full_draw(relayout=False)
    np.testing.assert_array_equal(stepped, explorer.to_rgba())


@pytest.mark.parametrize("name, values", [("top_db", (60.0, 80.0)), ("f_max", (4000.0, 8000.0)),
                                          # labels of -100 dB and below end within a pixel of the edge
                                          ("top_db", (100.0, 120.0))])
def test_a_decoration_drawn_before_is_copied_back_and_equals_a_full_redraw(clip, name, values):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    drawn = []
    original_keep = explorer._blitter._keep_decoration
    explorer._blitter._keep_decoration = lambda *args: drawn.append(args[1]) or original_keep(*args)
    for value in values + values:
        explorer.controls[name].value = value
    assert len(drawn) == 2  # the first visit of each value draws its ticks; the second copies them back
    stepped = np.array(explorer.to_rgba())
    explorer._full_draw(relayout=False)
    np.testing.assert_array_equal(stepped, explorer.to_rgba())


@pytest.mark.parametrize("name, values", [("f_max", (7000.0, 6990.0, 5000.0, 8000.0)),
                                          ("f_min", (100.0, 350.0, 0.0)),
                                          ("top_db", (85.0, 100.0, 115.0, 40.0))])
def test_a_step_that_moves_one_axis_redraws_that_axis_and_equals_a_full_redraw(clip, name, values):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    alone = []
    original = explorer._blitter._draw_axis_alone
    explorer._blitter._draw_axis_alone = lambda ax, axis, *rest: alone.append(axis) or original(ax, axis, *rest)
    for value in values:  # each a value not shown before: its ticks are laid out and drawn
        explorer.controls[name].value = value
        stepped = np.array(explorer.to_rgba())
        explorer._full_draw(relayout=False)
        np.testing.assert_array_equal(stepped, explorer.to_rgba())
    assert alone == ["y"] * len(values)  # only the moved axis, never the whole Axes
    for value in (*values[1:], values[0] + 10.0):  # one after the other, no full draw between
        explorer.controls[name].value = value
    stepped = np.array(explorer.to_rgba())
    explorer._full_draw(relayout=False)
    np.testing.assert_array_equal(stepped, explorer.to_rgba())


def test_callback_error_shows_in_the_widget(clip, monkeypatch):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)

    def broken(**settings):
        raise RuntimeError("STFT exploded")

    monkeypatch.setattr(explorer, "_compute_power", broken)
    explorer.controls["n_fft"].value = 1024
    assert "STFT exploded" in explorer.status.value
    assert "RuntimeError: STFT exploded" in explorer.output.outputs[-1]["text"]


def test_audio_player_and_notebook_view(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    box = explorer.widget
    players = [w for w in explorer._extra_widgets() if isinstance(w, ipywidgets.Audio)]
    assert players and players[0].value[:4] == b"RIFF"

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    inside = list(walk(box))
    assert all(control in inside for control in explorer.controls.values())
    assert explorer.status in inside and explorer.output in inside and explorer.readout in inside
    assert any(isinstance(w, ipywidgets.Audio) for w in inside)
    png = explorer._picture.value
    explorer.controls["n_fft"].value = 256
    assert explorer._picture.value != png


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_fft": 500}, "n_fft must be one of"),
        ({"win_length": 1024}, "win_length must be <= n_fft"),
        ({"window": "kaiser"}, "window must be one of"),
        ({"y_axis": "bark"}, "y_axis must be one of"),
        ({"top_db": 0}, "top_db must be"),
        ({"n_mels": 2}, "n_mels must be"),
        ({"f_max": 9000}, "f_max must be <="),
    ],
)
def test_spectrogram_explorer_bad_arguments(clip, kwargs, message):
    with pytest.raises(ValueError, match=message):
        audioviz.SpectrogramExplorer(clip, 16000, **kwargs)


def test_static_30_frames_under_1_5_mb(tmp_path):
    # A hard case for the encoder: a chirp in broadband noise (detail everywhere).
    torch.manual_seed(0)
    t = torch.arange(48000) / 16000
    chirp = 0.3 * torch.sin(2 * torch.pi * (100 + 1000 * t) * t) + 0.01 * torch.randn(48000)
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    page = explorer.static(n_fft=[256, 512, 1024, 2048, 4096], hop_length=[64, 128, 256],
                           window=["hann", "rectangular"])
    assert len(page) == 30 and len(page.frames) == 30
    path = page.save(tmp_path / "grid.html")
    size = path.stat().st_size
    assert size < 1.5e6, f"30-frame page is {size / 1e6:.2f} MB"
    assert page.mime == "image/webp"
    assert explorer.params["n_fft"] == 512 and explorer.params["hop_length"] == 128


# ---------------------------------------------------------------------- MelExplorer
def test_mel_explorer_filterbank_and_spectrogram_follow_the_sliders(clip):
    explorer = audioviz.MelExplorer(clip, 16000)
    assert list(explorer.controls) == ["n_mels", "f_min", "f_max", "mel_scale"]
    assert len(explorer.filter_lines.get_segments()) == 64
    image, lines = explorer.image, explorer.filter_lines
    explorer.controls["n_mels"].value = 40
    assert explorer.image is image
    assert explorer.image.get_array().shape[0] == 40
    assert len(explorer.filter_lines.get_segments()) == 40
    # updated in place, not redrawn: the same lines, nothing stacked
    assert explorer.filter_lines is lines and explorer.ax_filters.collections[0] is lines
    assert len(explorer.ax_filters.collections) == 2  # the filters and the empty filters' triangles
    explorer.controls["f_min"].value = 300.0
    assert explorer.filterbank.f_min == 300.0
    assert explorer.image.get_extent()[2] > audioviz.hz_to_mel(300.0)
    explorer.controls["mel_scale"].value = "slaney"
    assert explorer.filterbank.mel_scale == "slaney" and explorer.feature.params["mel_scale"] == "slaney"
    assert explorer.error is None
    assert "40 filters from 300 to 8000 Hz (slaney)" in explorer.readout.value


def test_mel_steps_reuse_the_stft_and_build_one_filterbank(clip, monkeypatch):
    from audioviz import features
    from audioviz.widgets import _spectrogram

    stfts, frames, banks = [], [], []
    original_spec, original_bank, original_frames = features.spectrogram, features.mel_filterbank, \
        _spectrogram.ColumnFrames
    monkeypatch.setattr(features, "spectrogram", lambda *a, **k: stfts.append(k) or original_spec(*a, **k))
    monkeypatch.setattr(features, "mel_filterbank", lambda *a, **k: banks.append(k) or original_bank(*a, **k))
    monkeypatch.setattr(_spectrogram, "ColumnFrames", lambda *a, **k: frames.append(k) or original_frames(*a, **k))
    explorer = audioviz.SpectrogramExplorer(clip, 16000, y_axis="mel")
    mel_explorer = audioviz.MelExplorer(clip, 16000)
    assert len(frames) == 1 and len(stfts) == 1
    banks.clear()
    for widget in (explorer, mel_explorer):
        widget.controls["n_mels"].value = 40
        widget.controls["f_max"].value = 4000.0
    assert len(frames) == 1 and len(stfts) == 1 and explorer.error is None and mel_explorer.error is None
    assert len(banks) == 4  # one filterbank per step, for both of MelExplorer's panels
    assert explorer.image.get_array().shape[0] == mel_explorer.image.get_array().shape[0] == 40
    explorer.controls["n_fft"].value = 1024
    assert len(frames) == 2 and frames[-1]["n_fft"] == 1024

def test_mel_explorer_reports_empty_filters(clip):
    explorer = audioviz.MelExplorer(clip, 16000, n_fft=256)
    explorer.controls["n_mels"].value = 128
    n_empty = int(explorer.filterbank.empty.sum())
    assert n_empty > 0
    assert "filters are empty" in explorer.readout.value
    arrows = [line for line in explorer.ax_mel.lines if line.get_label() == "empty filters"]
    assert len(arrows) == 1 and len(arrows[0].get_ydata()) == n_empty
    drawn = np.array(explorer.to_rgba())
    explorer._full_draw(relayout=False)
    np.testing.assert_array_equal(drawn, explorer.to_rgba())  # the arrows beside the frame too
    explorer.controls["n_mels"].value = 16
    assert "empty" not in explorer.readout.value
    assert len(explorer.ax_mel.lines) == 0


def test_mel_explorer_static(clip):
    page = audioviz.MelExplorer(clip, 16000).static(n_mels=[16, 64])
    assert page.shape == (2,) and len(page.frames) == 2


def test_widget_backend_puts_the_canvas_in_the_layout(tmp_path):
    """With ipympl the figure's canvas is itself the widget (run apart: it changes the backend)."""
    import importlib.util

    # Importing ipympl switches matplotlib's backend: check for it without importing it here.
    if importlib.util.find_spec("ipympl") is None:
        pytest.skip("ipympl is not installed (pip install audioviz[widget])")
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import matplotlib
        matplotlib.use("module://ipympl.backend_nbagg")
        import ipywidgets, torch, audioviz
        explorer = audioviz.SpectrogramExplorer(torch.randn(8000), 8000)
        assert isinstance(explorer.figure.canvas, ipywidgets.DOMWidget)
        box = explorer.widget
        assert explorer.figure.canvas in box.children[0].children
        explorer.controls["n_fft"].value = 1024
        assert explorer.image.get_array().shape[0] == 513 and explorer.error is None
        page = explorer.static(n_fft=[256, 512])
        assert len(page.frames) == 2
        # the pictures ipympl sends (fast_png, full then diff) rebuild the canvas exactly
        import io
        import numpy as np
        from PIL import Image
        canvas = explorer.figure.canvas
        decode = lambda png: np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
        canvas._png_is_old, canvas._force_full = True, True
        shown = decode(canvas.get_diff_image())
        assert canvas._current_image_mode == "full"
        np.testing.assert_array_equal(shown, np.asarray(canvas.buffer_rgba()))
        explorer.controls["hop_length"].value = 64
        canvas._png_is_old = True
        diff = decode(canvas.get_diff_image())
        assert canvas._current_image_mode == "diff" and (diff[..., 3] == 0).any()
        shown = np.where(diff[..., 3:] == 255, diff, shown)
        np.testing.assert_array_equal(shown, np.asarray(canvas.buffer_rgba()))
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_static_pages_carry_the_readout_of_every_cell(clip):
    page = audioviz.SpectrogramExplorer(clip, 16000, hop_length=128).static(n_fft=[256, 512], hop_length=[64, 128])
    assert len(page.captions) == 4 and len(page.caption_index) == 4
    first = page.captions[page.caption_index[0]]  # n_fft=256, hop_length=64
    assert "62.50 Hz per row" in first and "4.00 ms" in first
    payload = _payload(page.to_html())
    assert payload["captions"] == page.captions and payload["caption_index"] == page.caption_index
    assert ToyExplorer().static(freq=[1, 2]).captions == []


def test_explorers_leave_matplotlib_settings_and_pyplot_alone(clip):
    import matplotlib
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    figures = plt.get_fignums()
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    explorer.controls["y_axis"].value = "mel"
    explorer.static(n_fft=[256, 512])
    assert dict(matplotlib.rcParams) == before
    assert plt.get_fignums() == figures  # not registered with pyplot: the inline backend shows no stray copy


def test_live_explorer_in_a_jupyter_kernel(monkeypatch):
    """In a real kernel with the inline backend: the widget is displayed with the picture a saved
    notebook keeps, a control change sends a new JPEG to it, ``set`` as a cell's last line shows
    no second copy, and a callback error lands in the widget, not on stderr."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        "import torch, audioviz\n"
        "explorer = audioviz.SpectrogramExplorer(torch.randn(16000) * 0.1, 16000)\n"
        "explorer",
        "before = explorer._picture.value\n"
        "explorer.controls['n_fft'].value = 1024\n"
        "print(bytes(explorer._picture.value) != bytes(before), bytes(explorer._picture.value[:3]), explorer.error)",
        "explorer.set(hop_length=64)",
        "def broken(**settings):\n"
        "    raise RuntimeError('kaboom')\n"
        "explorer._compute_power = broken\n"
        "explorer.controls['n_fft'].value = 256\n"
        "print('kaboom' in explorer.status.value)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(audioviz.widgets.__file__).rsplit("/", 3)[0]}})
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client.execute()
    shown, changed, quiet, failed = (cell.outputs for cell in notebook.cells)
    widget, snapshot = shown
    assert "application/vnd.jupyter.widget-view+json" in widget.data
    # the picture a saved notebook shows, with the line saying how to get live sliders back
    assert "data:image/jpeg;base64," in snapshot.data["text/html"]
    assert "Run the cell again for live sliders" in snapshot.data["text/html"]
    assert [o.text for o in changed if o.output_type == "stream"] == ["True b'\\xff\\xd8\\xff' None\n"]
    assert [o for o in quiet if o.output_type in ("execute_result", "display_data")] == []
    assert [o.text for o in failed if o.output_type == "stream"] == ["True\n"]  # nothing on stderr


# ---------------------------------------------------------------------- what a learner saw (issue 11)
def test_the_next_good_step_clears_the_error_and_its_traceback():
    toy = ToyExplorer()
    toy.controls["freq"].value = 13
    assert toy.output.outputs and toy.error is not None
    toy.controls["freq"].value = 4
    assert toy.output.outputs == () and toy.status.value == "" and toy.error is None


def test_set_returns_none_so_a_cell_shows_no_second_copy():
    toy = ToyExplorer()
    assert toy.set(freq=5) is None
    assert toy.params["freq"] == 5


def test_f_max_holds_through_n_fft_changes(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    explorer.set(f_max=3970.0)
    for n_fft in (64, 4096, 512):
        explorer.controls["n_fft"].value = n_fft
        assert explorer.ax.get_ylim() == (0.0, 3970.0) and explorer.params["f_max"] == 3970.0
    # the view is the range asked for, never the bin edges (-125 .. 8125 Hz at n_fft 64)
    explorer.set(f_max=8000.0, n_fft=64)
    assert explorer.ax.get_ylim() == (0.0, 8000.0)


def test_empty_and_silent_pictures_draw_at_the_bottom_of_the_colour_scale(clip):
    explorer = audioviz.SpectrogramExplorer(clip, 16000, y_axis="mel", n_fft=512)
    explorer.set(f_min=7990.0, n_mels=256)  # every mel filter is narrower than a bin: all empty
    assert explorer.error is None and "256 of the 256 mel filters are empty" in explorer.readout.value
    assert np.all(np.asarray(explorer.image.get_array()) == -80.0)
    quiet = audioviz.SpectrogramExplorer(torch.zeros(16000), 16000)
    assert np.all(np.asarray(quiet.image.get_array()) == -80.0)
    mel = audioviz.MelExplorer(torch.zeros(16000), 16000)
    assert np.all(np.asarray(mel.image.get_array()) == -80.0)


def _overlaps(labels):
    boxes = [label.get_window_extent() for label in labels if label.get_visible() and label.get_text()]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_filterbank_top_axis_labels_do_not_overlap(clip):
    explorer = audioviz.MelExplorer(clip, 16000)
    for mel_scale in ("htk", "slaney"):
        explorer.set(mel_scale=mel_scale)
        explorer.figure.canvas.draw()
        (top,) = explorer.ax_filters.child_axes
        assert len(top.xaxis.get_ticklabels()) >= 2
        assert not _overlaps(top.xaxis.get_ticklabels())


def test_mel_explorer_updates_its_filterbank_axes_in_place(clip):
    explorer = audioviz.MelExplorer(clip, 16000, n_fft=256)
    before = set(explorer.ax_filters.get_children())
    explorer.set(n_mels=128)
    assert set(explorer.ax_filters.get_children()) == before  # nothing cleared, nothing added
    assert len(explorer._filters.crosses.get_xdata()) == int(explorer.filterbank.empty.sum()) > 0


def test_feature_map_explorer_keeps_one_time_unit_and_the_whole_input():
    from audioviz.explain import FeatureMapExplorer
    from audioviz.model import KeywordCNN

    torch.manual_seed(0)
    explorer = FeatureMapExplorer(KeywordCNN(), torch.randn(16000) * 0.1)
    for layer in range(len(explorer.maps)):
        explorer.set(layer=layer)
        assert explorer.error is None
        assert explorer.input_ax.get_xlim() == explorer.ax.get_xlim() == (0.0, 1.0)
        assert explorer.ax.get_xlabel() in ("Time (s)", "")
        explorer.figure.canvas.draw()
        assert all("ms" not in label.get_text() for label in explorer.ax.xaxis.get_ticklabels())


def test_an_hour_long_recording_computes_only_the_columns_shown():
    hour = torch.zeros(3600 * 16000)
    hour[::997] = 0.5  # clicks all along
    explorer = audioviz.SpectrogramExplorer(hour, 16000)
    width = explorer._columns()  # the picture's width in pixels
    assert explorer.image.get_array().shape[1] <= width
    assert explorer._power.params["frames_sampled"] <= 16  # a few frames per column, not all 450,000
    assert "Long recording" in explorer.readout.value
    explorer.controls["n_fft"].value = 1024
    assert explorer.error is None and explorer.image.get_array().shape[0] == 513
    assert explorer.image.get_array().shape[1] <= width


def test_feature_map_channel_step_redraws_the_map_alone_and_equals_a_full_redraw():
    from audioviz.explain import FeatureMapExplorer
    from audioviz.model import KeywordCNN

    torch.manual_seed(0)
    explorer = FeatureMapExplorer(KeywordCNN(), 0.1 * torch.randn(16000))
    stale = []
    original_step = explorer._blitter.step
    explorer._blitter.step = lambda axes: stale.append(list(axes)) or original_step(axes)
    channel = explorer.params["channel"]
    explorer.controls["channel"].value = (channel + 1) % (explorer.controls["channel"].max + 1)
    assert stale == [[explorer.ax]]  # the layer's colour scale holds: its colorbar is not drawn again
    stepped = np.array(explorer.to_rgba())
    explorer._full_draw(relayout=False)
    np.testing.assert_array_equal(stepped, explorer.to_rgba())
    explorer.controls["layer"].value = 2
    assert stale[-1] == [explorer.ax, explorer._cax]
    stepped = np.array(explorer.to_rgba())  # the map's rows and colour scale moved
    explorer._full_draw(relayout=False)
    np.testing.assert_array_equal(stepped, explorer.to_rgba())


def test_mel_explorer_frequency_steps_equal_a_full_redraw(clip):
    explorer = audioviz.MelExplorer(clip, 16000)
    for name, value in (("f_max", 6000.0), ("f_max", 5990.0), ("f_min", 200.0), ("n_mels", 40)):
        explorer.controls[name].value = value
        stepped = np.array(explorer.to_rgba())
        explorer._full_draw(relayout=False)
        np.testing.assert_array_equal(stepped, explorer.to_rgba())


def test_nearest_images_drawn_by_lookup_equal_matplotlibs_own_pixels(clip):
    """The explorers draw nearest-neighbour images by looking up the cells Agg's sampler picked
    for that geometry (audioviz.widgets._nearest): pixel for pixel what matplotlib draws itself,
    here for images that overhang the Axes, fall short of them, hold masked cells or flip."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from audioviz.widgets import _nearest

    rng = np.random.default_rng(0)
    used = 0
    for trial in range(40):
        figure = Figure(figsize=(rng.uniform(2, 8), rng.uniform(2, 5)), dpi=float(rng.choice([72, 100, 133])))
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        height, width = (int(n) for n in rng.integers(2, 300, 2))
        data = rng.normal(size=(height, width)).astype(np.float32)
        if trial % 5 == 0:
            data[rng.integers(0, height), rng.integers(0, width)] = np.nan
        extent = (rng.uniform(-1, 0.5), rng.uniform(0.6, 3), rng.uniform(-1, 0.5), rng.uniform(0.6, 3))
        image = ax.imshow(data, interpolation="nearest", interpolation_stage="data", aspect="auto", extent=extent,
                          origin=str(rng.choice(["lower", "upper"])))
        ax.set_xlim(rng.uniform(-1.2, 0.7), rng.uniform(0.8, 3.2))
        ax.set_ylim(rng.uniform(-1.2, 0.7), rng.uniform(0.8, 3.2))
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        _nearest._indices.clear()
        own = image.make_image(renderer, 1.0)[0]
        with _nearest.fast_resampling():
            first, again = (image.make_image(renderer, 1.0)[0] for _ in range(2))  # found, then kept
        used += any(found is not None for found in _nearest._indices.values())
        if own is not None:
            np.testing.assert_array_equal(first, own)
            np.testing.assert_array_equal(again, own)
    assert used >= 30

    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    for params in ({"n_fft": 1024}, {"hop_length": 129}, {"f_max": 3970.0}, {"y_axis": "mel"}, {"n_fft": 64},
                   {"y_axis": "log"}):
        explorer.set(**params)
        explorer.redraw()
        drawn = np.array(explorer.to_rgba())
        _nearest.enabled = False
        try:
            explorer.redraw()
            np.testing.assert_array_equal(drawn, explorer.to_rgba())
        finally:
            _nearest.enabled = True


def test_cmap_step_recolours_the_colorbar_in_place_and_equals_a_fresh_explorer(clip, monkeypatch):
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    solids = explorer.colorbar.solids
    rebuilt = []
    real = type(explorer.colorbar).update_normal
    monkeypatch.setattr(type(explorer.colorbar), "update_normal", lambda self, *a: rebuilt.append(1) or real(self, *a))
    for cmap in ("viridis", "gray_r", "magma"):
        explorer.controls["cmap"].value = cmap
        assert not rebuilt  # recoloured, not built again
        assert explorer.colorbar.solids is solids and explorer.colorbar.cmap.name == cmap
        fresh = audioviz.SpectrogramExplorer(clip, 16000, cmap=cmap)
        np.testing.assert_array_equal(explorer.to_rgba(), fresh.to_rgba())
        rebuilt.clear()
    explorer.controls["top_db"].value = 60.0  # a new colour range still builds the colorbar again
    assert rebuilt and explorer.colorbar.cmap.name == "magma"


@pytest.mark.parametrize("n_samples, n_fft, hop_length, columns", [(4000, 256, 64, 1000), (4000, 256, 64, 32),
                                                                   (300, 256, 16, 1000), (16000, 1024, 100, 50)])
def test_column_frames_are_the_stft_frames_they_stand_for(n_samples, n_fft, hop_length, columns):
    from audioviz.widgets._columns import ColumnFrames

    wave = torch.randn(1, n_samples, generator=torch.Generator().manual_seed(0))
    frames = ColumnFrames(wave, 16000, columns, n_fft=n_fft, win_length=n_fft, hop_length=hop_length, window="hann")
    stft = torch.stft(wave, n_fft, hop_length=hop_length, window=torch.hann_window(n_fft), center=True,
                      pad_mode="reflect", return_complex=True).abs().square()
    assert frames.per_column == 1  # one frame per column: every group-th frame, ends included
    expected = stft[..., ::frames.group]
    torch.testing.assert_close(frames.power[..., 0], expected, rtol=1e-4, atol=1e-3)


def test_mel_filter_lines_keep_each_triangle_and_the_zero_runs_as_straight_pieces(clip):
    explorer = audioviz.MelExplorer(clip, 16000, n_mels=40)
    bank, freqs = explorer.filterbank, explorer.filterbank.frequencies.numpy()
    weights = bank.weights.double().numpy()
    segments = explorer.filter_lines.get_segments()
    assert len(segments) == 40 and sum(len(s) for s in segments) < weights.size / 10
    for j, segment in enumerate(segments):
        # the line drawn is the filter's: interpolating it at every FFT bin gives every weight back
        np.testing.assert_allclose(np.interp(freqs, segment[:, 0], segment[:, 1]), weights[:, j], atol=1e-12)
        assert segment[0, 0] == freqs[0] and segment[-1, 0] == freqs[-1]


def test_a_learners_zoom_stays_through_steps_until_a_new_range_is_asked(clip):
    """ipympl's zoom (or limits set from code) into a word stays while n_fft, hop_length or
    top_db move; f_max asks for another frequency range, which is then shown (the time zoom
    stays). The frequency view without a zoom still follows f_max through an n_fft change."""
    explorer = audioviz.SpectrogramExplorer(clip, 16000)
    ax = explorer.ax
    ax.set_xlim(0.2, 0.6)
    ax.set_ylim(500.0, 3000.0)
    for name, value in (("n_fft", 1024), ("hop_length", 200), ("top_db", 70.0), ("window", "hamming"),
                        ("n_fft", 256)):
        explorer.set(**{name: value})
        assert (ax.get_xlim(), ax.get_ylim()) == ((0.2, 0.6), (500.0, 3000.0)), name
    explorer.set(f_max=5000.0)
    assert ax.get_xlim() == (0.2, 0.6) and ax.get_ylim() == (0.0, 5000.0)
    explorer.set(n_fft=2048)
    assert ax.get_ylim() == (0.0, 5000.0)
    mel = audioviz.MelExplorer(clip, 16000)
    mel.ax_mel.set_xlim(0.1, 0.3)
    mel.set(n_mels=mel.params["n_mels"] // 2)
    assert mel.ax_mel.get_xlim() == (0.1, 0.3)
