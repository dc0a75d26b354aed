"""Tests for audioviz.widgets: the Explorer base, the spectrogram and mel explorers, static sliders.

Everything is checked through the public attributes (controls, figure, image, status, output), with
no browser; tests/test_static_browser.py opens the static pages in Chromium.
"""
from __future__ import annotations

import html
import json
import re

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


def test_inline_view_receives_a_new_png_on_each_change():
    toy = ToyExplorer()
    box = toy.widget
    assert isinstance(box, ipywidgets.VBox)
    first = toy._picture.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    toy.controls["freq"].value = 9
    assert toy._picture.value != first
    bundle = toy._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert toy._repr_html_().startswith('<figure class="audioviz-explorer-snapshot">')


# ---------------------------------------------------------------------- static sliders
def _payload(fragment: str) -> dict:
    match = re.search(r'<script type="application/json" class="avz-data">(.*?)</script>', fragment, re.S)
    return json.loads(match.group(1))


def test_static_grid_holds_every_frame_in_order_and_restores_controls():
    toy = ToyExplorer()
    page = toy.static(freq=[1, 2, 3], cmap=["magma", "viridis"], fmt="png")
    assert isinstance(page, StaticSliders)
    assert page.shape == (3, 2) and len(page) == 6 and len(page.frames) == 6
    assert toy.params == {"freq": 3, "cmap": "magma"}
    # The frame for freq=2, viridis is what the explorer draws for those settings.
    toy.set(freq=2, cmap="viridis")
    toy.figure.canvas.draw()
    from PIL import Image
    import io

    shown = np.asarray(Image.open(io.BytesIO(page.frame(freq=2, cmap="viridis"))).convert("RGBA"))
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
