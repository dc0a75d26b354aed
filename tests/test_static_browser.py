"""Static-slider pages in a real browser: headless Chromium driven by selenium.

Each test saves a page with :meth:`audioviz.StaticSliders.save`, opens it from disk, moves every
slider with the keyboard (as a reader would) and checks that the shown frame changes to the right
one and that the console stays free of errors. The tutorial page built by ``make docs`` is checked
the same way when it exists. Uses the system ``chromium`` and ``chromedriver`` (see
DEVELOPERS.md); where either is absent the tests skip and say why.
"""
from __future__ import annotations

import base64
from pathlib import Path

import ipywidgets
import numpy as np
import pytest
from _browser import CHROMEDRIVER, CHROMIUM, MISSING, chrome, quit_chrome

from audioviz.widgets import Explorer

REPO = Path(__file__).resolve().parents[1]
TUTORIAL_PAGE = REPO / "docs" / "_build" / "html" / "auto_examples" / "06_interactive_explorers.html"

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=f"headless browser tests {MISSING}")


@pytest.fixture(scope="module")
def browser():
    driver = chrome()
    yield driver
    quit_chrome(driver)


class Bars(Explorer):
    """A tiny explorer whose picture depends visibly on both parameters."""

    figsize = (3.0, 2.0)

    def _make_controls(self):
        return {
            "height": ipywidgets.IntSlider(value=1, min=1, max=5),
            "cmap": ipywidgets.Dropdown(options=["viridis", "magma", "gray"], value="viridis"),
        }

    def _bars(self):
        return np.tril(np.ones((5, 5)))[::-1] * self.params["height"]

    def _draw(self, figure):
        self.image = figure.add_subplot().imshow(self._bars(), cmap=self.params["cmap"], vmin=0, vmax=5)

    def _update(self, changed):
        self.image.set_data(self._bars())
        self.image.set_cmap(self.params["cmap"])


def _errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _shown(driver, root):
    img = root.find_element("css selector", "img.avz-frame")
    return img.get_attribute("data-avz-frame"), img.get_attribute("src")


def _move_every_slider(driver, root):
    """Move each slider to its other end with the keyboard, check the frame changes, then put
    it back and check the first frame returns. Returns the sliders and the (frame, src) seen."""
    from selenium.webdriver.common.keys import Keys

    sliders = root.find_elements("css selector", "input.avz-slider")
    assert sliders, "no sliders on the page"
    seen = []
    for slider in sliders:
        start, last = int(slider.get_attribute("value")), int(slider.get_attribute("max"))
        if last == 0:
            continue  # a single value: nothing to move
        before = _shown(driver, root)
        slider.send_keys(Keys.END if start < last else Keys.HOME)
        after = _shown(driver, root)
        assert after != before, f"moving slider {slider.get_attribute('data-param')} did not change the frame"
        seen.append(after)
        slider.send_keys(Keys.HOME, *[Keys.ARROW_RIGHT] * start)
        assert int(slider.get_attribute("value")) == start
        assert _shown(driver, root) == before
    return sliders, seen


def test_saved_page_sliders_swap_frames(browser, tmp_path):
    page = Bars().static(height=[1, 3, 5], cmap=["viridis", "gray"], fmt="png")
    path = page.save(tmp_path / "bars.html")
    browser.get(path.as_uri())
    _errors(browser)  # drop messages from earlier pages
    root = browser.find_element("css selector", "div.audioviz-static")
    assert _shown(browser, root)[0] == str(page.index[0])
    sliders, _ = _move_every_slider(browser, root)
    assert [s.get_attribute("data-param") for s in sliders] == ["height", "cmap"]

    # Every cell shows exactly the frame the explorer drew for it.
    from selenium.webdriver.common.keys import Keys

    height, cmap = sliders
    for i, h in enumerate(page.values[0]):
        for j, c in enumerate(page.values[1]):
            height.send_keys(Keys.HOME, *[Keys.ARROW_RIGHT] * i)
            cmap.send_keys(Keys.HOME, *[Keys.ARROW_RIGHT] * j)
            frame, src = _shown(browser, root)
            assert base64.b64decode(src.split(",", 1)[1]) == page.frame(height=h, cmap=c)
            labels = [o.text for o in root.find_elements("css selector", "output.avz-value")]
            assert labels == [str(h), c]
    assert _errors(browser) == []


def test_two_grids_on_one_page_work_independently(browser, tmp_path):
    bars = Bars()
    first, second = bars.static(height=[1, 5]), bars.static(cmap=["viridis", "magma"])
    path = tmp_path / "two.html"
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        + first.to_html() + second.to_html() + "</body></html>",
        encoding="utf-8",
    )
    browser.get(path.as_uri())
    roots = browser.find_elements("css selector", "div.audioviz-static")
    assert len(roots) == 2
    untouched = _shown(browser, roots[1])
    _move_every_slider(browser, roots[0])
    assert _shown(browser, roots[1]) == untouched
    _move_every_slider(browser, roots[1])
    assert _errors(browser) == []


def test_spectrogram_page_shows_the_readout_of_each_frame(browser, tmp_path):
    import torch

    import audioviz

    t = torch.arange(16000) / 16000
    explorer = audioviz.SpectrogramExplorer(torch.sin(2 * torch.pi * 440 * t), 16000)
    path = explorer.static(n_fft=[256, 1024]).save(tmp_path / "spectrogram.html")
    browser.get(path.as_uri())
    root = browser.find_element("css selector", "div.audioviz-static")
    caption = root.find_element("css selector", "div.avz-caption")
    assert "62.50 Hz per row" in caption.text  # 16000 / 256, the first value
    from selenium.webdriver.common.keys import Keys

    root.find_element("css selector", "input.avz-slider").send_keys(Keys.END)
    assert "15.62 Hz per row" in caption.text  # 16000 / 1024
    assert _errors(browser) == []


@pytest.mark.skipif(not TUTORIAL_PAGE.exists(), reason=f"tutorial page not built yet ({TUTORIAL_PAGE}); run make docs")
def test_tutorial_page_static_sliders_work(browser):
    browser.get(TUTORIAL_PAGE.as_uri())
    roots = browser.find_elements("css selector", "div.audioviz-static")
    assert roots, "the built tutorial shows no static sliders"
    for root in roots:
        browser.execute_script("arguments[0].scrollIntoView();", root)
        _move_every_slider(browser, root)
    assert _errors(browser) == []


# Each of these would run a script if it were placed into the page as HTML.
_HOSTILE = [
    '"><img src=x onerror="window.__avz_pwned=1">',
    "<script>window.__avz_pwned=1</script>",
    "</script><script>window.__avz_pwned=1</script>",
    "<svg onload=window.__avz_pwned=1>",
]


def test_text_from_the_caller_never_runs_as_html(browser, tmp_path):
    """names, title, value labels and captions are shown as text; no script of theirs runs."""
    import audioviz

    frames = [Bars().to_png(), Bars().static(height=[5], fmt="png").frames[0]]
    page = audioviz.StaticSliders(names=_HOSTILE[:2], values=[[_HOSTILE[2], "b"], [_HOSTILE[3]]], frames=frames,
                                  index=[0, 1], mime="image/png", title=_HOSTILE[0], captions=_HOSTILE[1:3],
                                  caption_index=[0, 1])
    path = page.save(tmp_path / "hostile.html")
    browser.get(path.as_uri())
    root = browser.find_element("css selector", "div.audioviz-static")
    from selenium.webdriver.common.keys import Keys

    root.find_element("css selector", "input.avz-slider").send_keys(Keys.END)  # the other caption and label
    assert browser.execute_script("return window.__avz_pwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('div.audioviz-static script').length") == 2
    assert root.find_element("css selector", "div.avz-caption").text == _HOSTILE[2]
    assert [n.text for n in root.find_elements("css selector", "span.avz-name")] == _HOSTILE[:2]
    assert _errors(browser) == []


@pytest.mark.parametrize("mime", ['image/png;base64,x" onerror="window.__avz_pwned=1', "text/html", "image/svg+xml"])
def test_mime_comes_from_a_fixed_set(mime):
    import audioviz

    with pytest.raises(ValueError, match="mime must be one of image/jpeg, image/png, image/webp"):
        audioviz.StaticSliders(names=["a"], values=[[1]], frames=[b"x"], index=[0], mime=mime)
