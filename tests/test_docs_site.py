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
import os
import re
import sys
import textwrap
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from _docs_build import DOCS, GALLERY, HTML, REPO, build_site, tutorial_scripts

sys.path.insert(0, str(DOCS / "_ext"))
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


def test_performance_page_shows_commands_as_code_not_backticks(site):
    """The benchmark files write commands between backticks ("3 default `audioviz train` runs");
    the page sets them as code, so no backtick reaches the reader's text."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.skip, self.text, self.code = 0, [], []

        def handle_starttag(self, tag, attrs):
            if tag in ("pre", "code", "script", "style"):
                self.skip += 1

        def handle_endtag(self, tag):
            if tag in ("pre", "code", "script", "style") and self.skip:
                self.skip -= 1

        def handle_data(self, data):
            (self.code if self.skip else self.text).append(data)

    parser = Text()
    parser.feed((site / "performance.html").read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert "`" not in text, re.findall(r".{0,40}`.{0,40}", text)[:3]
    if (REPO / "benchmarks" / "results" / "classifier.json").is_file():
        assert "audioviz train" in "".join(parser.code)


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


def _first_python_block(text: str, heading: str) -> str:
    """The first Python code block after ``heading``, dedented (reST ``code-block`` or markdown)."""
    section = text[text.index(heading):]
    if "```python" in section.split(".. code-block:: python")[0]:
        return section.split("```python", 1)[1].split("```", 1)[0].strip()
    block = section[section.index(".. code-block:: python"):].split("\n", 2)[2]
    lines = []
    for line in block.splitlines():
        if line.strip() and not line.startswith("   "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines)).strip()


@pytest.mark.parametrize("page, heading, figures", [("docs/index.rst", "A first look, in a notebook", 2),
                                                    ("README.md", "## In a notebook", 2)])
def test_first_example_runs_as_written(tmp_path, page, heading, figures):
    """The landing page's and the README's first example, exactly as printed, in an empty folder."""
    import subprocess

    code = _first_python_block((REPO / page).read_text(encoding="utf-8"), heading)
    assert "audioviz" in code
    check = f"\nimport matplotlib.pyplot as plt\nassert len(plt.get_fignums()) == {figures}, plt.get_fignums()\n"
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-c", code + check], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"{page}'s example fails as written:\n{code}\n{result.stderr[-3000:]}"


# Numbers a tutorial's prose may state without computing them: facts about the world, not
# results of the page (each with its reason).
STATED_FACTS = {
    "44.1": "music's usual sample rate, 44.1 kHz",
    "2.3": "the size of Google's Speech Commands download, 2.3 GB",
    "20": "the definition of decibels: 20 dB is ten times the amplitude",
    "6": "the definition of decibels: +6 dB is twice the amplitude",
    "10": "the definition of decibels: +10 dB is ten times the power",
}
_MEASURED = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)\s?(%|dB\b|x\b|times\b|mistakes\b|errors\b)"
                       r"|(?<![\w.])(\d+\.\d+)(?![\w.])")


def _prose_and_code(source: str) -> tuple[str, str]:
    """A sphinx-gallery script's text (docstring and ``# %%`` comment blocks) and its code."""
    _, docstring, rest = source.split('"""', 2)
    prose, code, in_text = [docstring], [], False
    for line in rest.splitlines():
        if line.startswith("# %%"):
            in_text = True
        elif in_text and line.startswith("#"):
            prose.append(line[1:])
        else:
            in_text = False
            code.append(line)
    return "\n".join(prose), "\n".join(code)


def typed_in_numbers(source: str) -> list[tuple[str, str]]:
    """Numbers in a tutorial's prose that look measured (decimals, %, dB, "5x", "9 mistakes") but
    are neither a literal of the page's code (a setting the page chose; also in kHz or ms) nor a
    stated fact: (number, line) pairs."""
    prose, code = _prose_and_code(source)
    prose = re.sub(r"``[^`]*``", "", prose)  # inline code is code
    literals = {float(v) for v in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", code)}
    found = []
    for match in _MEASURED.finditer(prose):
        number = (match.group(1) or match.group(3)).replace(",", ".")
        value = float(number)
        if number in STATED_FACTS or any(abs(value * k - v) < 1e-9 for v in literals for k in (1, 1000, 0.001)):
            continue
        found.append((number, prose.splitlines()[prose[:match.start()].count("\n")].strip()))
    return found


def test_typed_in_number_check_can_fail():
    source = '"""\nT\n=\n"""\n# %%\n# The model scores 97.8% with 9 mistakes, 0.98 on real voices.\nx = 9\n'
    assert [n for n, _ in typed_in_numbers(source)] == ["97.8", "0.98"]


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_prose_has_no_typed_in_results(name):
    """A number in a tutorial's prose is computed by the page (printed), not typed in."""
    found = typed_in_numbers((REPO / "examples" / f"{name}.py").read_text(encoding="utf-8"))
    assert not found, f"{name}: numbers in the prose that the page does not compute:\n" + "\n".join(
        f"  {number}: {line}" for number, line in found)


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_says_what_it_needs_to_run(name):
    """Every tutorial opens with a "Run it yourself" paragraph: what to install, what data it uses."""
    source = (REPO / "examples" / f"{name}.py").read_text(encoding="utf-8")
    docstring = source.split('"""')[1]
    assert "**Run it yourself:**" in docstring, f"{name}: no 'Run it yourself' paragraph in its introduction"


@pytest.mark.parametrize("name", TUTORIALS)
def test_downloaded_notebook_starts_with_setup_and_has_no_sphinx_roles(site, name):
    import re

    from notebook_cells import SETUP_CELL

    cells = json.loads((GALLERY / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    assert cells[0]["cell_type"] == "code" and "".join(cells[0]["source"]).strip() == SETUP_CELL.strip(), \
        f"{name}.ipynb does not start with the setup cell"
    markdown = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    roles = sorted(set(re.findall(r":(?:py:)?[a-z]+:`[^`]*`", markdown)))
    assert not roles, f"{name}.ipynb: raw Sphinx roles in its text: {roles[:10]}"
    assert "Run it yourself" in markdown


@pytest.mark.parametrize("name", TUTORIALS)
def test_gallery_figures_are_legible(site, name):
    """The figure check made while the site was built (docs/_ext/figure_checks.py): at 1400 px
    every figure shows at 80% of its natural size or more, its text is at least 9 px, and no two
    texts overlap or are cut off."""
    report = DOCS / "_build" / "figure_checks" / f"{name}.json"
    assert report.is_file(), f"{report} missing: the site was not built with the checking scraper"
    problems = json.loads(report.read_text(encoding="utf-8"))
    assert not problems, f"{name}: figures hard to read:\n" + "\n".join(
        f"  {figure}: {'; '.join(items)}" for figure, items in problems.items())


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


_FIGURES = """
return Array.from(document.querySelectorAll('img.sphx-glr-single-img, img.sphx-glr-multi-img')).map(img => ({
  src: img.getAttribute('src').split('/').pop(), natural: img.naturalWidth,
  shown: img.getBoundingClientRect().width, link: img.closest('a') ? img.closest('a').getAttribute('href') : null}));
"""


def _check_figures_at_1400(browser, page: str) -> None:
    """At 1400 px every figure shows at >= 80% of its natural size and links to its full-size file;
    the header links the source repository."""
    from figure_checks import CONTENT_WIDTH_PX, MIN_SCALE

    browser.set_window_size(1400, 1000)
    try:
        column = browser.execute_script(
            "const a = document.querySelector('.bd-article'); const s = getComputedStyle(a);"
            "return a.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);")
        assert column >= CONTENT_WIDTH_PX - 1, \
            f"{page}: the text column is {column:.0f} px, narrower than figure_checks' {CONTENT_WIDTH_PX} px"
        figures = browser.execute_script(_FIGURES)
        small = [f for f in figures if f["natural"] and f["shown"] < MIN_SCALE * f["natural"] - 1]
        assert not small, f"{page}: figures shown below {MIN_SCALE:.0%} of their natural size: {small}"
        unlinked = [f["src"] for f in figures if not (f["link"] or "").endswith(f["src"])]
        assert not unlinked, f"{page}: figures that do not open at full size: {unlinked}"
        assert browser.execute_script("return !!document.querySelector('header a[aria-label=\"Source repository\"]')"), \
            f"{page}: no link to the source repository in the header"
    finally:
        browser.set_window_size(1280, 1000)


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_page_in_the_browser(browser, server, name):
    counts = _check_page(browser, f"{server}/auto_examples/{name}.html", name)
    _check_figures_at_1400(browser, name)
    assert counts["images"] >= 1, f"{name}: a tutorial page without a single figure"
    if name.startswith("02_"):  # the time/frequency trade-off is taught with n_fft and hop_length sliders
        assert counts["sliders"] >= 2, f"{name}: expected static sliders over n_fft and hop_length, found {counts}"
    print(name, json.dumps(counts))


@pytest.mark.parametrize("page", OTHER_PAGES)
def test_site_page_in_the_browser(browser, server, page):
    _check_page(browser, f"{server}/{page}.html", page)
