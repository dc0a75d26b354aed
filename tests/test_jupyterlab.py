"""The explorers as a learner meets them: JupyterLab, a real kernel, headless Chromium, keys.

One JupyterLab per backend (inline and ipympl): the explorer renders, an arrow key on a slider
changes the picture, an error shows in the widget and the next good step clears it, ``f_max``
holds through an ``n_fft`` change, and static sliders answer arrow keys inside JupyterLab
(which otherwise takes them to move between cells). The server and browser are driven by the
helpers of ``benchmarks/bench_jupyterlab.py``. Waits are generous and nothing is timed: the
tests must pass on a loaded two-core machine. They skip when chromium, chromedriver or
jupyterlab is missing.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_jupyterlab as lab_driver  # noqa: E402

pytestmark = pytest.mark.skipif(lab_driver.missing() is not None, reason=f"JupyterLab browser tests {lab_driver.missing()}")


@pytest.fixture(scope="module", params=["inline", "ipympl"])
def page(request):
    # find_spec, not importorskip: importing ipympl switches this process's matplotlib backend
    # to ipympl, and every later test's explorer would then take the widget-canvas path
    if request.param == "ipympl" and importlib.util.find_spec("ipympl") is None:
        pytest.skip("ipympl is not installed")
    cells = (["%matplotlib widget\n"] if request.param == "ipympl" else []) + [
        lab_driver.SETUP + "explorer = audioviz.SpectrogramExplorer(clip[:32000], 16000)\nexplorer"]
    lab = lab_driver.Lab(timeout=240)
    try:
        page = lab.open(cells)
        yield page
    finally:
        lab.close()


def _keys():
    from selenium.webdriver.common.keys import Keys

    return Keys


def test_explorer_renders_and_a_key_changes_the_picture(page):
    view = page.view()
    page.probe(view)
    before = page.picture(view)
    assert before
    page.press(page.slider(view, "n_fft"), _keys().ARROW_RIGHT)
    page.wait(lambda: page.picture(view) != before, what="a new picture after the key")
    assert page.run("print(explorer.params['n_fft'], explorer.image.get_array().shape[0])").split() == ["1024", "513"]


def test_a_setting_drawn_ahead_is_painted_while_the_kernel_is_busy(page):
    """After a step, the settings one key away are drawn ahead and kept in the page, so the next
    key's picture and readout appear with the kernel busy elsewhere; the kernel's own step comes
    after and gives the same picture. With ipympl the picture drawn ahead is laid over ipympl's
    canvas, and goes once ipympl has painted the kernel's, the very same pixels."""
    view = page.view()
    ipympl = bool(view.find_elements("css selector", ".jupyter-matplotlib"))
    page.probe(view)
    handle = page.slider(view, "hop_length")
    hop = int(page.run("print(explorer.params['hop_length'])"))
    page.press(handle, _keys().ARROW_RIGHT)  # may itself be painted from what was drawn ahead
    done = ("a = explorer._ahead\nprint(explorer.params['hop_length'], a._shadow is not None and a._making is None "
            "and a._handle is None and not a._queue, a.holds(a.key({**explorer.params, 'hop_length': "
            f"{hop + 2}}})))")
    page.wait(lambda: page.run(done).split()[:2] == [str(hop + 1), "True"], what="the kernel's step and its round")
    if page.run(done).split()[2] != "True":
        # that step happened to cost more than the budget (drawing ahead skips a dear key's
        # neighbours): plan them as after a cheap one
        page.run("explorer._ahead.after_step({'hop_length': 1}, 0.0)")
        page.wait(lambda: page.run(done).split() == [str(hop + 1), "True", "True"], what="the neighbours drawn ahead")
    canvas = view.find_element("css selector", "canvas.avz-overlay" if ipympl else "canvas.avz-picture")
    before = page.picture(view)
    # The kernel's step for the next key is held up for 4 s (its _flush waits first), so
    # whatever the page paints meanwhile came from what it holds.
    page.run("import time as _avz_t\n_avz_flush = explorer._flush\n"
             "def _avz_slow():\n    _avz_t.sleep(4)\n    _avz_flush()\nexplorer._flush = _avz_slow")
    page.key(handle, _keys().ARROW_RIGHT)
    page.wait(lambda: page.picture(view) != before, what="the picture drawn ahead", timeout=3)
    assert canvas.get_attribute("data-avz-from") == "ahead"
    assert f"every {hop + 2} samples" in view.text  # the readout came with it
    # painted before any picture of the kernel's (ipywidgets' echo of the value may come first)
    key_at, painted_at, messages = page.js("var p = window.__avz, i = p.sources.lastIndexOf('ahead'); "
                                           "return [p.keys[p.keys.length - 1], p.paints[i], p.messages]")
    assert painted_at > key_at
    assert not [kind for at, kind in messages if key_at <= at <= painted_at and kind == "picture"]
    # the kernel's step, once it is free: the same settings and the very same picture
    shown = page.picture(view)
    page.wait(lambda: page.run("print(explorer.params['hop_length'])").strip() == str(hop + 2),
              what="the kernel's own step", timeout=60)
    page.run("del explorer._flush")
    time.sleep(0.5)
    if ipympl:
        # ipympl painted the kernel's picture: the overlay is gone, and ipympl's canvas holds the
        # pixels the overlay held
        page.wait(lambda: canvas.value_of_css_property("display") == "none", what="the overlay to go")
        assert page.js("var o = arguments[0], c = arguments[1]; return [o.width, o.height, "
                       "o.toDataURL() === c.toDataURL()]", canvas,
                       view.find_element("css selector", ".jupyter-matplotlib-canvas-div > canvas")) == [
                           canvas.get_attribute("width") and int(canvas.get_attribute("width")),
                           int(canvas.get_attribute("height")), True]
    assert page.picture(view) == shown
    page.run("explorer.draw_ahead = False")
    before = page.picture(view)
    page.press(handle, _keys().ARROW_RIGHT)
    page.wait(lambda: page.picture(view) != before, what="the kernel's picture with drawing ahead off")
    if ipympl:
        assert canvas.value_of_css_property("display") == "none"
    else:
        assert canvas.get_attribute("data-avz-from") == "kernel"
    assert page.sources[-1] == "kernel"
    page.run("explorer.draw_ahead = True")


def test_working_the_ipympl_figure_drops_what_was_drawn_ahead(page):
    """ipympl: a pointer in the figure (zoom, pan, its toolbar) hides the picture laid over it and
    drops what the page holds (the kernel is told), so the next key waits for the kernel, whose
    picture shows what the figure shows. Inline: nothing is laid over the picture."""
    view = page.view()
    if not view.find_elements("css selector", ".jupyter-matplotlib"):
        assert not view.find_elements("css selector", "canvas.avz-overlay")
        return
    page.probe(view)
    handle = page.slider(view, "hop_length")
    page.press(handle, _keys().ARROW_LEFT)
    held = "a = explorer._ahead\nprint(len(a._held) > 0 and a._handle is None and not a._queue)"
    page.wait(lambda: page.run(held).strip() == "True", what="pictures drawn ahead")
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(page.driver).move_to_element(view.find_element(
        "css selector", ".jupyter-matplotlib-canvas-div")).click().perform()
    page.wait(lambda: page.run("print(len(explorer._ahead._held))").strip() == "0", what="the kernel to be told")
    assert view.find_element("css selector", "canvas.avz-overlay").value_of_css_property("display") == "none"
    page.press(handle, _keys().ARROW_RIGHT)  # a setting that was drawn ahead, and is dropped
    assert page.sources[-1] == "kernel"


def test_the_picture_kept_for_a_saved_notebook_hides_beside_the_live_widget(page):
    page.view()
    snapshots = page.wait(lambda: page.driver.find_elements("css selector", ".avz-snapshot"), what="the kept picture")
    assert "Run the cell again for live sliders" in page.js("return arguments[0].textContent", snapshots[0])
    page.wait(lambda: page.js("return getComputedStyle(arguments[0]).display", snapshots[0]) == "none",
              what="the kept picture to hide beside the live widget", timeout=60)


def test_error_shows_and_the_next_good_step_clears_it(page):
    view = page.view()
    page.run("def broken(**settings):\n    raise RuntimeError('kaboom')\nexplorer._compute_power = broken")
    page.slider(view, "hop_length").send_keys(_keys().ARROW_RIGHT)
    page.wait(lambda: "kaboom" in page.status(view), what="the error in the widget")
    assert "RuntimeError" in page.status(view)
    page.run("del explorer._compute_power")  # the explorer's own method again
    page.slider(view, "hop_length").send_keys(_keys().ARROW_RIGHT)
    page.wait(lambda: "kaboom" not in page.status(view), what="the error to clear")
    assert "Traceback" not in page.status(view)
    assert page.run("print(explorer.error)").strip() == "None"


def test_f_max_holds_through_an_n_fft_change(page):
    view = page.view()
    page.run("explorer.set(f_max=3970.0)")
    n_fft = page.run("print(explorer.params['n_fft'])").strip()
    page.slider(view, "n_fft").send_keys(_keys().ARROW_LEFT)
    page.wait(lambda: page.run("print(explorer.params['n_fft'])").strip() != n_fft, what="the n_fft step")
    assert page.run("print(explorer.params['f_max'], explorer.ax.get_ylim()[1])").split() == ["3970.0", "3970.0"]


def test_static_sliders_answer_arrow_keys_inside_jupyterlab(page):
    page.run("display(explorer.static(n_fft=[256, 512, 1024], dpi=40))")
    slider = page.wait(lambda: page.driver.find_elements("css selector", "input.avz-slider"),
                       what="the static sliders")[0]
    frame = page.driver.find_elements("css selector", "img.avz-frame")[0]
    page.driver.execute_script("arguments[0].focus()", slider)
    cell = page.js("return window.jupyterapp.shell.currentWidget.content.activeCellIndex")
    start = int(slider.get_attribute("value"))
    shown = frame.get_attribute("data-avz-frame")
    slider.send_keys(_keys().ARROW_LEFT if start > 0 else _keys().ARROW_RIGHT)
    page.wait(lambda: frame.get_attribute("data-avz-frame") != shown, what="the static frame to change", timeout=30)
    assert int(slider.get_attribute("value")) != start
    # JupyterLab kept its hands off the key: the same cell is active and the slider kept focus
    assert page.js("return window.jupyterapp.shell.currentWidget.content.activeCellIndex") == cell
    assert page.js("return document.activeElement === arguments[0]", slider)


def test_a_saved_notebook_reopened_shows_the_last_picture(page):
    """Last in the module: it saves the notebook, shuts its kernel down and opens it again."""
    import time
    import urllib.request

    lab = page.lab
    page.driver.execute_async_script("var done = arguments[0];"
                                     "window.jupyterapp.commands.execute('docmanager:save').then(done, done);")
    kernel = page.js("return window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
    request = urllib.request.Request(f"http://127.0.0.1:{lab.port}/api/kernels/{kernel}?token={lab.token}",
                                     method="DELETE")
    urllib.request.urlopen(request, timeout=30).close()
    time.sleep(1.0)
    page.driver.get(f"http://127.0.0.1:{lab.port}/lab/tree/explorer.ipynb?token={lab.token}&reset")

    def shown():
        found = page.driver.find_elements("css selector", ".avz-snapshot")
        return [s for s in found if page.js("return getComputedStyle(arguments[0]).display", s) != "none"]

    snapshot = page.wait(shown, what="the kept picture in the reopened notebook")[0]
    assert page.js("return arguments[0].querySelector('img').naturalWidth", snapshot) > 100
    assert "Run the cell again for live sliders" in snapshot.text
