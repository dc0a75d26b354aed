"""The built tutorial site, opened in a real browser (headless Chromium through selenium).

Every tutorial page must load with no console errors, show every image, give every audio player a
playable source, and every static slider must change its frame when moved. The site is reused from
``make docs`` (CI builds it first) or built here when missing or stale (see ``_docs_build.py``).
Pages are served over HTTP from localhost, as ``make serve`` does. Where the system Chromium or
chromedriver is missing, the browser tests skip with that reason.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from _docs_build import GALLERY, HTML, build_site, tutorial_scripts

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else shutil.which("chromedriver")
TUTORIALS = [script.stem for script in tutorial_scripts()]
OTHER_PAGES = ["index", "install", "api", "performance", "auto_examples/index"]


@pytest.fixture(scope="module")
def site() -> Path:
    build_site()
    return HTML


# -- checks that need no browser ------------------------------------------------------------------


def test_every_tutorial_has_a_page_a_script_and_a_notebook(site):
    assert TUTORIALS, "no examples/NN_*.py tutorials found"
    for name in TUTORIALS:
        page = site / "auto_examples" / f"{name}.html"
        assert page.is_file(), f"missing page for {name}"
        text = page.read_text(encoding="utf-8")
        assert f"{name}.py" in text and f"{name}.ipynb" in text, f"{name}: download links missing"
        assert (GALLERY / f"{name}.ipynb").is_file()
        downloads = list((site / "_downloads").rglob(f"{name}.ipynb")) + list((site / "_downloads").rglob(f"{name}.py"))
        assert len(downloads) >= 2, f"{name}: .py and .ipynb not both copied into the site"


def test_gallery_lists_tutorials_in_numbered_order(site):
    text = (site / "auto_examples" / "index.html").read_text(encoding="utf-8")
    positions = [text.find(f"{name}.html") for name in TUTORIALS]
    assert all(p >= 0 for p in positions), dict(zip(TUTORIALS, positions))
    assert positions == sorted(positions)


def test_api_reference_documents_every_public_name(site):
    import audioviz

    api_dir = site / "gen_modules" / "api"
    names = [f"audioviz.{n}" for n in audioviz.__all__ if not n.startswith("__")]
    missing = [n for n in names if not (api_dir / f"{n}.html").is_file()]
    assert not missing, f"public names without an API page: {missing}"
    api = (site / "api.html").read_text(encoding="utf-8")
    assert all(f"{n}.html" in api for n in names)


def test_every_public_name_appears_in_a_tutorial():
    import importlib
    import re

    import audioviz

    names = [n for n in audioviz.__all__ if not n.startswith("__")]
    for package in ("audioviz.data", "audioviz.model", "audioviz.explain"):
        try:
            names += list(importlib.import_module(package).__all__)
        except ModuleNotFoundError as exc:
            if exc.name != package:
                raise
    text = "\n".join(script.read_text(encoding="utf-8") for script in tutorial_scripts())
    unused = [n for n in names if not re.search(rf"\b{re.escape(n)}\b", text)]
    assert not unused, f"public names no tutorial uses: {unused}"


# -- the browser -----------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip("system Chromium and chromedriver not found (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="audioviz-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                 "--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(browser, url: str) -> None:
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(url)
    _wait(browser, "return document.readyState === 'complete'", "the page to load")


def _wait(browser, script: str, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = browser.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


_IMAGES_STATE = """
const imgs = Array.from(document.images);
imgs.forEach(img => { img.loading = 'eager'; });
return imgs.map(img => ({src: img.currentSrc.slice(0, 120), complete: img.complete, width: img.naturalWidth}));
"""

_FOREIGN_RESOURCES = """
const here = location.origin;
const urls = [];
document.querySelectorAll('script[src], link[rel=stylesheet][href], img[src], source[src], audio[src], iframe[src]')
  .forEach(el => urls.push(el.src || el.href));
return urls.filter(u => u && !u.startsWith(here) && !u.startsWith('data:') && !u.startsWith('blob:'));
"""


def _check_images(browser, page: str) -> int:
    # Scroll through the page so that lazily loaded images are requested, then wait for them.
    height = browser.execute_script("return document.body.scrollHeight")
    for y in range(0, int(height) + 1000, 800):
        browser.execute_script(f"window.scrollTo(0, {y})")
    browser.execute_script(_IMAGES_STATE)
    _wait(browser, "return Array.from(document.images).every(img => img.complete)", f"images of {page}")
    states = browser.execute_script(_IMAGES_STATE)
    broken = [s["src"] for s in states if not s["width"]]
    assert not broken, f"{page}: images that did not load: {broken}"
    return len(states)


_AUDIO_STATE = """
return Array.from(document.querySelectorAll('audio')).map(a => ({
  src: (a.currentSrc || a.src || (a.querySelector('source[src]') || {}).src || '').slice(0, 40),
  ready: a.readyState, error: a.error ? a.error.code : null, duration: a.duration}));
"""


def _check_audio(browser, page: str) -> int:
    players = browser.execute_script(_AUDIO_STATE)
    assert all(p["src"] for p in players), f"{page}: audio players without a source: {players}"
    if players:
        browser.execute_script("document.querySelectorAll('audio').forEach(a => { a.preload = 'auto'; a.load(); })")
        _wait(browser, "return Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1 || a.error)",
              f"audio of {page} to decode")
        players = browser.execute_script(_AUDIO_STATE)
        bad = [p for p in players if p["error"] is not None or not (p["duration"] and p["duration"] > 0)]
        assert not bad, f"{page}: audio that does not decode: {bad}"
    return len(players)


_SLIDERS = """
return Array.from(document.querySelectorAll('input[type=range]')).map((input, i) => {
  input.setAttribute('data-test-index', String(i));
  return {index: i, min: Number(input.min || 0), max: Number(input.max || 100), step: Number(input.step || 1)};
});
"""

_MOVE_SLIDER = """
const input = document.querySelector('input[data-test-index="' + arguments[0] + '"]');
const root = input.closest('.audioviz-static') || input.parentElement.parentElement.parentElement;
const img = root.querySelector('img');
input.value = String(arguments[1]);
input.dispatchEvent(new Event('input', {bubbles: true}));
input.dispatchEvent(new Event('change', {bubbles: true}));
return img ? img.src.length + ':' + img.src.slice(-64) : null;
"""


def _check_sliders(browser, page: str) -> int:
    sliders = browser.execute_script(_SLIDERS)
    for slider in sliders:
        frames = set()
        value = slider["min"]
        while value <= slider["max"]:
            frames.add(browser.execute_script(_MOVE_SLIDER, slider["index"], value))
            value += slider["step"]
        assert None not in frames, f"{page}: slider {slider['index']} has no image next to it"
        assert len(frames) > 1, f"{page}: moving slider {slider['index']} over {slider} never changed the frame"
    return len(sliders)


def _check_page(browser, url: str, page: str) -> dict:
    _open(browser, url)
    counts = {"images": _check_images(browser, page), "audio": _check_audio(browser, page),
              "sliders": _check_sliders(browser, page)}
    foreign = browser.execute_script(_FOREIGN_RESOURCES)
    assert not foreign, f"{page}: needs the network for {foreign}"
    errors = _console_errors(browser)
    assert not errors, f"{page}: console errors:\n" + "\n".join(errors)
    return counts


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_page_in_the_browser(browser, server, name):
    counts = _check_page(browser, f"{server}/auto_examples/{name}.html", name)
    assert counts["images"] >= 1, f"{name}: a tutorial page without a single figure"
    if name.startswith("02_"):  # the time/frequency trade-off is taught with n_fft and hop_length sliders
        assert counts["sliders"] >= 2, f"{name}: expected static sliders over n_fft and hop_length, found {counts}"
    print(name, json.dumps(counts))


@pytest.mark.parametrize("page", OTHER_PAGES)
def test_site_page_in_the_browser(browser, server, page):
    _check_page(browser, f"{server}/{page}.html", page)
