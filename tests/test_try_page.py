"""The Try-it page in a real browser: it must answer what ``audioviz.model.predict`` answers.

The page (``docs/try.rst``, ``docs/_static/try/``) runs the classifier in its own JavaScript from
numbers exported by :func:`audioviz.model.export_for_browser`. Each test builds the page without
Sphinx (``docs/_ext/trypage.py``'s :func:`write_try_page`), serves it from 127.0.0.1 and drives
headless Chromium (system ``chromium`` + ``chromedriver``, never a downloaded browser):

- WAV files chosen in ``#audio-file``: the page's answer and every probability against
  :func:`~audioviz.model.predict` on the same file (synthetic clips at several rates, lengths and
  channel counts; real Speech Commands clips when ``../shared/data`` is there);
- the class activation map against Grad-CAM (captum) on the last block, which the page says are
  the same thing for this network;
- the microphone, through Chromium's fake capture device playing a WAV;
- no console error, no request off the site, clear messages for a bad file or a missing model;
- once, the page of the real built site (``docs/_build/html/try.html``) when it exists.

The models are an untrained network with spread-out weights (so that the probabilities are far
from uniform and disagreements show), a differently shaped one (three blocks, other words: the
exporter reads the shape from the model) and the tutorials' quick checkpoint for real speech.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from audioviz.model import KeywordCNN, ModelConfig, predict, save_checkpoint

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "docs" / "_ext"))
import trypage  # noqa: E402
from _browser import CHROMEDRIVER, CHROMIUM, MISSING, chrome, quit_chrome  # noqa: E402

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=f"the Try-it page {MISSING}")
TOLERANCE = 0.02
# The built site (``make docs``); AUDIOVIZ_BUILT_SITE points at another build folder.
BUILT_PAGE = Path(os.environ.get("AUDIOVIZ_BUILT_SITE") or REPO / "docs" / "_build" / "html") / "try.html"


# -- a browser and a server ------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path):
    """An HTTP server for ``directory`` on 127.0.0.1 (a free port), running in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def origin(server) -> str:
    return f"http://127.0.0.1:{server.server_port}"


def wait_ready(driver):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(
        lambda d: d.find_element("id", "try-app").get_attribute("data-state") in ("ready", "answered", "error"))
    assert driver.find_element("id", "try-app").get_attribute("data-state") != "error", \
        driver.find_element("id", "status").text


def wait_answer(driver, after: int, timeout: float = 60):
    """Wait until ``#result`` shows an answer newer than number ``after``; return its data."""
    from selenium.webdriver.support.ui import WebDriverWait

    def newer(d):
        seq = d.find_element("id", "result").get_attribute("data-sequence")
        return seq is not None and seq != "" and int(seq) > after

    WebDriverWait(driver, timeout).until(newer, message=driver.find_element("id", "status").text)
    result = driver.find_element("id", "result")
    return {
        "word": result.get_attribute("data-word"),
        "label": result.get_attribute("data-label"),
        "probabilities": json.loads(result.get_attribute("data-probabilities")),
        "sequence": int(result.get_attribute("data-sequence")),
        "source": result.get_attribute("data-source"),
    }


def sequence(driver) -> int:
    seq = driver.find_element("id", "result").get_attribute("data-sequence")
    return int(seq) if seq else 0


def choose_file(driver, path: Path) -> dict:
    before = sequence(driver)
    driver.find_element("id", "audio-file").send_keys(str(path))
    return wait_answer(driver, before)


def console_errors(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def offsite_requests(driver, site: str) -> list:
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [u for u in urls + [driver.current_url] if not u.startswith((site + "/", "blob:", "data:"))]


def assert_agrees(page: dict, model, path: Path):
    expected = predict(model, path)
    labels = list(getattr(model, "labels", model.words))
    assert list(page["probabilities"]) == labels
    diffs = {k: abs(page["probabilities"][k] - v) for k, v in expected.probabilities.items()}
    assert max(diffs.values()) <= TOLERANCE, (path.name, diffs)
    assert page["label"] == getattr(expected, "label", expected.word), (path.name, page, expected.probabilities)
    assert page["word"] == expected.word, (path.name, page["word"], expected.word)
    return max(diffs.values())


# -- models and clips ------------------------------------------------------------------------------


def spread_out(model: KeywordCNN, seed: int) -> KeywordCNN:
    """An untrained model whose batch norms and head are far from their neutral start."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * p.detach().std().clamp_min(0.1))
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.copy_(0.2 * torch.randn(module.num_features, generator=gen))
                module.running_var.copy_(torch.rand(module.num_features, generator=gen) + 0.5)
        model.head[-1].weight.mul_(8.0)
    return model.eval()


def models():
    default = spread_out(KeywordCNN(), seed=1)
    other = spread_out(KeywordCNN(ModelConfig(words=("up", "down", "left"), channels=(8, 16, 24))), seed=2)
    return {"default": default, "three_blocks": other}


def write(path: Path, wave: torch.Tensor, rate: int, subtype: str = "PCM_16") -> Path:
    data = wave.numpy().T if wave.dim() == 2 else wave.numpy()
    sf.write(str(path), np.ascontiguousarray(data), rate, subtype=subtype)
    return path


def synthetic_clips(folder: Path) -> list[Path]:
    """Clips that exercise every rule of prepare_clip: rates, lengths, channels, encodings."""
    gen = torch.Generator().manual_seed(0)

    def t(n, rate):
        return torch.arange(n) / rate

    def burst(n, rate, f0, start, stop):
        env = ((t(n, rate) > start) & (t(n, rate) < stop)).float()
        harmonics = sum(torch.sin(2 * torch.pi * k * f0 * t(n, rate)) / k for k in range(1, 6))
        return 0.3 * env * harmonics + 0.003 * torch.randn(n, generator=gen)

    clips = [
        write(folder / "vowel_16k.wav", burst(16000, 16000, 180, 0.2, 0.7), 16000),
        write(folder / "short_16k_float.wav", burst(4800, 16000, 250, 0.05, 0.25), 16000, "FLOAT"),
        write(folder / "long_44k.wav", burst(3 * 44100, 44100, 140, 1.2, 1.8), 44100),
        write(folder / "stereo_48k.wav", torch.stack([burst(24000, 48000, 220, 0.1, 0.4),
                                                      burst(24000, 48000, 330, 0.2, 0.45)]), 48000),
        write(folder / "noise_8k.wav", 0.05 * torch.randn(9000, generator=gen), 8000, "PCM_24"),
        write(folder / "quiet_16k.wav", 0.0005 * torch.randn(16000, generator=gen), 16000),
    ]
    return clips


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One served folder with a page per model, the models and synthetic clips."""
    root = tmp_path_factory.mktemp("try_site")
    built = {}
    for name, model in models().items():
        trypage.write_try_page(root / name, model)
        built[name] = model
    clips = synthetic_clips(tmp_path_factory.mktemp("clips"))
    server = serve(root)
    yield {"root": root, "server": server, "models": built, "clips": clips}
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    driver = chrome()
    yield driver
    quit_chrome(driver)


def open_page(driver, url: str):
    driver.get(url)
    wait_ready(driver)
    driver.get_log("browser")  # start the console record from here


@pytest.mark.parametrize("name", ["default", "three_blocks"])
def test_page_answers_as_predict_on_synthetic_clips(site, browser, name):
    model = site["models"][name]
    open_page(browser, f"{origin(site['server'])}/{name}/try.html")
    worst = 0.0
    for clip in site["clips"]:
        page = choose_file(browser, clip)
        assert page["source"] == clip.name
        worst = max(worst, assert_agrees(page, model, clip))
    assert console_errors(browser) == []
    print(f"{name}: max |dp| over {len(site['clips'])} synthetic clips = {worst:.2e}")


def test_page_notes_say_what_prepare_clip_did(site, browser):
    from audioviz.model import prepare_clip
    from audioviz.io import load_audio

    open_page(browser, f"{origin(site['server'])}/default/try.html")
    for clip in site["clips"]:
        choose_file(browser, clip)
        notes = [li.text for li in browser.find_elements("css selector", "#notes li")]
        waveform, rate = load_audio(clip)
        assert notes == prepare_clip(waveform, rate)[1]


def test_class_activation_map_is_grad_cam_on_the_last_block(site, browser):
    from captum.attr import LayerGradCam

    model = site["models"]["default"]
    open_page(browser, f"{origin(site['server'])}/default/try.html")
    clip = site["clips"][0]
    page = choose_file(browser, clip)
    cam = browser.execute_script(
        "var c = window.audiovizTry.last().result.cam; return [c.H, c.W, Array.from(c.data)];")
    expected = predict(model, clip)
    logmel = model.features(expected.waveform.unsqueeze(0))
    labels = list(getattr(model, "labels", model.words))
    target = labels.index(page["label"])
    gradcam = LayerGradCam(model.forward_features, model.blocks[-1].relu)
    reference = gradcam.attribute(logmel.requires_grad_(True), target=target, relu_attributions=True)[0, 0].detach()
    assert [cam[0], cam[1]] == list(reference.shape)
    got = torch.tensor(cam[2]).reshape(reference.shape)
    assert reference.max() > 0
    assert torch.allclose(got, reference, atol=1e-4 * float(reference.abs().max()) + 1e-7)


def test_bad_file_gives_a_message_and_keeps_the_last_answer(site, browser, tmp_path):
    open_page(browser, f"{origin(site['server'])}/default/try.html")
    first = choose_file(browser, site["clips"][0])
    bogus = tmp_path / "notes.wav"
    bogus.write_text("this is not audio")
    browser.find_element("id", "audio-file").send_keys(str(bogus))
    from selenium.webdriver.support.ui import WebDriverWait

    status = browser.find_element("id", "status")
    WebDriverWait(browser, 20).until(lambda d: "try-error" in (status.get_attribute("class") or ""))
    assert "notes.wav" in status.text and "WAV" in status.text
    assert sequence(browser) == first["sequence"]


def test_loads_with_no_console_error_and_nothing_from_elsewhere(site, browser):
    open_page(browser, f"{origin(site['server'])}/default/try.html")
    choose_file(browser, site["clips"][2])
    assert console_errors(browser) == []
    assert offsite_requests(browser, origin(site["server"])) == []


def test_without_the_model_the_page_says_so(site, browser, tmp_path):
    page = trypage.write_try_page(tmp_path / "nomodel", site["models"]["default"])
    (page.parent / "_static" / "try" / "model.js").unlink()
    server = serve(page.parent)
    try:
        browser.get(f"{origin(server)}/try.html")
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(browser, 30).until(
            lambda d: d.find_element("id", "try-app").get_attribute("data-state") == "error")
        assert "model" in browser.find_element("id", "status").text
        assert browser.find_element("id", "record").get_attribute("disabled") is not None
    finally:
        server.shutdown()
        browser.get_log("browser")  # the 404 of model.js is this test's point


# -- the microphone --------------------------------------------------------------------------------


def word_like(rate: int = 48000) -> torch.Tensor:
    """Half a second of silence, a 0.45 s voiced 'word', then silence: what a take looks like."""
    n = int(1.6 * rate)
    time = torch.arange(n) / rate
    env = torch.clamp(torch.minimum((time - 0.5) / 0.03, (0.95 - time) / 0.03), 0, 1)
    f0 = 150 + 40 * (time - 0.5)
    phase = 2 * torch.pi * torch.cumsum(f0, 0) / rate
    voiced = sum(torch.sin(k * phase) / k for k in range(1, 12))
    return 0.25 * env * voiced


def test_microphone_take_answers_and_matches_predict_on_what_it_heard(site, tmp_path):
    clip = write(tmp_path / "fake_mic.wav", word_like(), 48000)
    driver = chrome("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                    f"--use-file-for-fake-audio-capture={clip}", "--autoplay-policy=no-user-gesture-required")
    try:
        open_page(driver, f"{origin(site['server'])}/default/try.html")
        driver.find_element("id", "record").click()
        page = wait_answer(driver, 0, timeout=60)
        model = site["models"]["default"]
        assert page["source"].startswith("the microphone")
        assert page["word"] in list(model.words) + ["neither"]
        heard, rate = driver.execute_script(
            "var l = window.audiovizTry.last(); return [Array.from(l.channels[0]), l.rate];")
        heard = torch.tensor(heard, dtype=torch.float32)
        assert heard.abs().max() > 0.05  # the fake device played the word, not silence
        expected = predict(model, heard.unsqueeze(0), rate)
        diffs = [abs(page["probabilities"][k] - v) for k, v in expected.probabilities.items()]
        assert max(diffs) <= TOLERANCE
        assert page["word"] == expected.word
        assert console_errors(driver) == []
        assert driver.find_element("id", "record").text == "Record"  # the take ended by itself
    finally:
        quit_chrome(driver)


def test_microphone_refused_is_a_clear_message(site):
    driver = chrome("--deny-permission-prompts", "--use-fake-device-for-media-stream")
    try:
        open_page(driver, f"{origin(site['server'])}/default/try.html")
        driver.find_element("id", "record").click()
        from selenium.webdriver.support.ui import WebDriverWait

        status = driver.find_element("id", "status")
        WebDriverWait(driver, 30).until(lambda d: "try-error" in (status.get_attribute("class") or ""))
        assert "microphone" in status.text.lower()
        assert driver.find_element("id", "record").text == "Record"
    finally:
        quit_chrome(driver)


# -- real speech and the real site ------------------------------------------------------------------


def real_test_set() -> Path | None:
    env = os.environ.get("AUDIOVIZ_SPEECH_COMMANDS")
    candidates = [Path(env), Path(env) / "speech_commands_v0.02_test"] if env else []
    candidates.append(REPO.parent / "shared" / "data" / "speech_commands_v0.02_test")
    for path in candidates:
        if (path / "yes").is_dir():
            return path
    return None


@pytest.fixture(scope="module")
def quick_checkpoint():
    """The tutorials' quick checkpoint (trained on a tiny synthetic set), as the docs tests use it."""
    from audioviz.model import load_checkpoint, tutorial_checkpoint

    old = os.environ.get("AUDIOVIZ_TUTORIAL_QUICK")
    os.environ["AUDIOVIZ_TUTORIAL_QUICK"] = "1"
    try:
        path = tutorial_checkpoint(progress=False)
    finally:
        if old is None:
            os.environ.pop("AUDIOVIZ_TUTORIAL_QUICK")
        else:
            os.environ["AUDIOVIZ_TUTORIAL_QUICK"] = old
    model, _ = load_checkpoint(path)
    return path, model


def test_page_answers_as_predict_on_real_speech(quick_checkpoint, browser, tmp_path):
    root = real_test_set()
    if root is None:
        pytest.skip("real Speech Commands test set not found (set AUDIOVIZ_SPEECH_COMMANDS or place ../shared/data)")
    path, model = quick_checkpoint
    page_file = trypage.write_try_page(tmp_path / "site", path)
    server = serve(page_file.parent)
    try:
        open_page(browser, f"{origin(server)}/try.html")
        worst, n = 0.0, 0
        for category in sorted(p for p in root.iterdir() if p.is_dir()):
            for clip in sorted(category.glob("*.wav"))[:2]:
                worst = max(worst, assert_agrees(choose_file(browser, clip), model, clip))
                n += 1
        assert n >= 4
        assert console_errors(browser) == []
        print(f"real speech: max |dp| over {n} clips = {worst:.2e}")
    finally:
        server.shutdown()


def test_built_site_page_answers_as_its_checkpoint(browser, tmp_path):
    if not BUILT_PAGE.is_file() or not (BUILT_PAGE.parent / "_static" / "try" / "model.js").is_file():
        pytest.skip("the site is not built (make docs)")
    import hashlib

    from audioviz.model import load_checkpoint

    text = (BUILT_PAGE.parent / "_static" / "try" / "model.js").read_text()
    exported = json.loads(text[text.index("=") + 1:].strip().rstrip(";"))
    source = exported.get("source") or {}
    checkpoint = Path(source.get("checkpoint", ""))
    if not checkpoint.is_file() or hashlib.sha256(checkpoint.read_bytes()).hexdigest() != source.get("sha256"):
        pytest.skip("the checkpoint the site was built with is no longer in the cache")
    model, _ = load_checkpoint(checkpoint)
    server = serve(BUILT_PAGE.parent)
    try:
        open_page(browser, f"{origin(server)}/try.html")
        clip = write(tmp_path / "vowel.wav", word_like(16000), 16000)
        assert_agrees(choose_file(browser, clip), model, clip)
        assert console_errors(browser) == []
        assert offsite_requests(browser, origin(server)) == []
    finally:
        server.shutdown()


def test_exported_checkpoint_names_its_source(tmp_path):
    from audioviz.model._export import browser_model

    path = save_checkpoint(tmp_path / "model.pt", spread_out(KeywordCNN(), seed=3))
    exported = browser_model(path)
    assert exported["source"]["checkpoint"] == str(path)
    assert len(exported["source"]["sha256"]) == 64


def test_from_a_file_url_a_chosen_wav_still_gets_its_answer(site, browser):
    """The page says WAV files work from file:// (no server): the model is a script, not a fetch."""
    model = site["models"]["default"]
    open_page(browser, (site["root"] / "default" / "try.html").as_uri())
    clip = site["clips"][0]
    assert_agrees(choose_file(browser, clip), model, clip)
    assert console_errors(browser) == []
