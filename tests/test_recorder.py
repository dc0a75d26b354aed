"""audioviz.Recorder: the microphone widget, in Python and in a real JupyterLab.

The Python side is checked directly (what a take becomes, callbacks, clear errors, a binary
buffer on the wire). The whole path is checked in JupyterLab 4 driven by headless Chromium with a
fake microphone that plays a WAV file: the recording that reaches the kernel must match that file
(correlation at least 0.9 after alignment) at the sample rate the widget states.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from _browser import CHROMEDRIVER, CHROMIUM, MISSING, chrome, quit_chrome

import audioviz
from audioviz.recorder import Recorder



def _take(recorder: Recorder, samples: np.ndarray, rate: int) -> None:
    """What the browser does at Stop: the rate and the float32 samples, in one update."""
    with recorder.hold_trait_notifications():
        recorder.sample_rate = rate
        recorder._audio = samples.astype("<f4").tobytes()


def test_a_take_becomes_a_float32_tensor_of_shape_1_time():
    recorder = audioviz.Recorder()
    samples = np.sin(np.linspace(0, 100, 4800)).astype(np.float32)
    _take(recorder, samples, 48000)
    waveform = recorder.waveform
    assert waveform.dtype == torch.float32 and tuple(waveform.shape) == (1, 4800)
    assert torch.equal(waveform[0], torch.from_numpy(samples))
    assert recorder.sample_rate == 48000 and recorder.duration == pytest.approx(0.1)
    assert "0.10 s at 48000 Hz" in repr(recorder)


def test_a_take_is_ready_for_predict_and_show():
    from audioviz.model import KeywordCNN, predict

    recorder = Recorder()
    _take(recorder, 0.1 * np.random.default_rng(0).standard_normal(24000), 48000)
    prediction = predict(KeywordCNN().eval(), recorder.waveform, recorder.sample_rate)
    assert "resampled from 48000 Hz to 16000 Hz" in prediction.notes
    figure = audioviz.show(recorder.waveform, recorder.sample_rate)
    assert figure.axes


def test_callbacks_get_each_take_and_their_errors_do_not_lose_it(capsys):
    recorder = Recorder()
    seen = []
    recorder.on_recording(lambda waveform, rate: seen.append((waveform.shape[-1], rate)))
    recorder.on_recording(lambda waveform, rate: 1 / 0)
    _take(recorder, np.zeros(100), 44100)
    _take(recorder, np.zeros(300), 16000)
    assert seen == [(100, 44100), (300, 16000)]
    assert "ZeroDivisionError" in capsys.readouterr().err
    assert recorder.waveform.shape[-1] == 300


def test_before_a_take_waveform_says_what_to_do():
    recorder = Recorder()
    assert not recorder.has_recording
    with pytest.raises(RuntimeError, match="press Record"):
        recorder.waveform
    recorder.error = "Microphone permission was refused."
    with pytest.raises(RuntimeError, match="permission was refused"):
        recorder.waveform


@pytest.mark.parametrize("bad", [0, -1, "5", True, 601])
def test_max_seconds_is_checked(bad):
    with pytest.raises(ValueError, match="max_seconds"):
        Recorder(max_seconds=bad)
    with pytest.raises(TypeError, match="callable"):
        Recorder().on_recording("print")


def test_the_take_travels_as_a_binary_buffer_not_a_json_list():
    from ipywidgets.widgets.widget import _remove_buffers

    recorder = Recorder()
    _take(recorder, np.ones(48000), 48000)
    state, paths, buffers = _remove_buffers(recorder.get_state())
    assert ["_audio"] in paths
    assert sum(len(memoryview(b)) for b in buffers) == 4 * 48000
    assert len(json.dumps(state)) < 20000


# -- the whole path in JupyterLab ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _signature(rate: int) -> np.ndarray:
    """4 s that align unambiguously: a chirp under noise bursts, between short silences.

    Longer than a take, because Chromium's fake microphone does not loop a file seamlessly.
    """
    rng = np.random.default_rng(7)
    t = np.arange(int(4.0 * rate)) / rate
    chirp = 0.3 * np.sin(2 * np.pi * (200 * t + 250 * t ** 2))
    bursts = ((t > 0.4) & (t < 0.55)) | ((t > 0.9) & (t < 1.0)) | ((t > 2.1) & (t < 2.4)) | ((t > 3.0) & (t < 3.2))
    signal = chirp + 0.2 * bursts * rng.standard_normal(t.size)
    signal[(t < 0.05) | (t > 3.95)] = 0
    return signal.astype(np.float32)


def _segment_correlations(recording: np.ndarray, reference: np.ndarray, rate: int) -> list:
    """Correlation of each 1 s of ``recording`` (0.5 s steps) with ``reference``, each aligned on its own."""
    return [_aligned_correlation(recording[start : start + rate], reference)
            for start in range(0, recording.size - rate + 1, rate // 2)]


def _aligned_correlation(recording: np.ndarray, reference: np.ndarray) -> float:
    """Best correlation coefficient of ``recording`` with the looped ``reference`` over all lags."""
    looped = np.tile(reference, int(np.ceil(recording.size / reference.size)) + 2)
    n = recording.size
    spectrum = np.fft.rfft(looped, 2 * looped.size) * np.conj(np.fft.rfft(recording, 2 * looped.size))
    lag = int(np.argmax(np.fft.irfft(spectrum)[: looped.size - n]))
    segment = looped[lag : lag + n]
    return float(np.corrcoef(segment, recording)[0, 1])


@pytest.fixture(params=["lab", "notebook"], ids=["jupyterlab", "notebook7"])
def jupyterlab(request, tmp_path):
    """A Jupyter server with JupyterLab 4, or with Notebook 7 (its own page, built from JupyterLab's
    parts), in ``tmp_path``: ``{"base", "token", "root", "app"}``."""
    app = request.param
    pytest.importorskip("jupyterlab" if app == "lab" else "notebook")
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(MISSING)
    port, token = _free_port(), "audioviz-recorder-test"
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("IPYTHONDIR", "ipython")):
        env[var] = str(tmp_path / sub)
    # No "news" prompt over the notebook, no update check, nothing fetched.
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    command = [sys.executable, "-m", "jupyterlab" if app == "lab" else "notebook", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
               "--ServerApp.port_retries=0", "--allow-root"]
    if app == "lab":  # window.jupyterapp (read below), no extension manager, news or update check
        command += ["--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
                    "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    else:
        command += ["--JupyterNotebookApp.expose_app_in_browser=True"]
    log = open(tmp_path / "jupyter.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyter.log").read_text()[-3000:])
            time.sleep(0.5)
    yield {"base": base, "token": token, "root": tmp_path, "app": app}
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def _run_recorder_notebook(driver, jupyterlab, cell: str):
    """Open a one-cell notebook in JupyterLab or Notebook 7, run it, and return the recorder's
    Record button."""
    import nbformat
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(notebook, str(jupyterlab["root"] / "rec.ipynb"))
    page = "lab/tree" if jupyterlab["app"] == "lab" else "notebooks"
    driver.get(f"{jupyterlab['base']}/{page}/rec.ipynb?token={jupyterlab['token']}")
    wait = WebDriverWait(driver, 120)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .cm-content"))
    # The kernel is ready when the notebook's session says so (both front ends are JupyterLab apps).
    wait.until(lambda d: d.execute_script(
        "var app = window.jupyterapp, w = app && app.shell.currentWidget;"
        "var k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
        "return !!k && k.status === 'idle';"), message="the notebook's kernel never became idle")
    editor = driver.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .cm-content")
    editor.click()
    editor.send_keys(Keys.SHIFT, Keys.ENTER)
    return wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".audioviz-recorder .avr-record"))


def _close(driver, root: Path, failed: bool):
    if failed:
        driver.save_screenshot(str(root / "failure.png"))
        print("screenshot of the failure:", root / "failure.png")
    quit_chrome(driver)


def test_in_jupyterlab_the_kernel_gets_the_microphone_recording(jupyterlab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root = jupyterlab["root"]
    file_rate = 48000
    reference = _signature(file_rate)
    fake_mic = root / "mic.wav"
    sf.write(str(fake_mic), reference, file_rate, subtype="PCM_16")
    out = root / "take.npy"
    cell = (
        "import numpy as np, audioviz\n"
        "recorder = audioviz.Recorder(max_seconds=20)\n"
        "def keep(waveform, sample_rate):\n"
        f"    np.save({str(root / 'take_tmp.npy')!r}, waveform.numpy())\n"
        f"    open({str(root / 'rate.txt')!r}, 'w').write(str(sample_rate))\n"
        f"    __import__('os').replace({str(root / 'take_tmp.npy')!r}, {str(out)!r})\n"
        "recorder.on_recording(keep)\n"
        "recorder"
    )
    driver = chrome("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                          f"--use-file-for-fake-audio-capture={fake_mic}", "--autoplay-policy=no-user-gesture-required")
    failed = True
    try:
        button = _run_recorder_notebook(driver, jupyterlab, cell)
        button.click()
        WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".audioviz-recorder").get_attribute("data-state") == "recording",
            message=lambda: driver.find_element(By.CSS_SELECTOR, ".audioviz-recorder .avr-message").text)
        # Record at least 2.5 s, read off the widget's own clock.
        WebDriverWait(driver, 60).until(
            lambda d: float(d.find_element(By.CSS_SELECTOR, ".audioviz-recorder .avr-time").text.split()[0]) >= 2.5)
        button.click()
        WebDriverWait(driver, 60).until(lambda d: out.exists(), message="the take never reached the kernel")
        message = driver.find_element(By.CSS_SELECTOR, ".audioviz-recorder .avr-message").text
        failed = False
    finally:
        _close(driver, root, failed)
    recording = np.load(out)
    rate = int((root / "rate.txt").read_text())
    assert recording.dtype == np.float32 and recording.ndim == 2 and recording.shape[0] == 1
    assert recording.shape[1] / rate >= 2.4
    assert f"at {rate} Hz" in message
    # Compare at the stated rate: the file brought to that rate must match the recording.
    expected = reference
    if rate != file_rate:
        import torchaudio

        expected = torchaudio.functional.resample(torch.from_numpy(reference), file_rate, rate).numpy()
    correlations = _segment_correlations(recording[0], expected, rate)
    assert len(correlations) >= 3
    assert float(np.median(correlations)) >= 0.9, correlations


def test_in_jupyterlab_a_refused_microphone_is_a_clear_message_in_the_widget_and_in_python(jupyterlab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root = jupyterlab["root"]
    out = root / "error.txt"
    cell = (
        "import audioviz\n"
        "recorder = audioviz.Recorder()\n"
        f"recorder.observe(lambda change: open({str(out)!r}, 'w').write(change['new']), names='error')\n"
        "recorder"
    )
    driver = chrome("--deny-permission-prompts", "--use-fake-device-for-media-stream")
    failed = True
    try:
        _run_recorder_notebook(driver, jupyterlab, cell).click()
        message = driver.find_element(By.CSS_SELECTOR, ".audioviz-recorder .avr-message")
        WebDriverWait(driver, 60).until(lambda d: "avr-error" in (message.get_attribute("class") or ""))
        text = message.text
        WebDriverWait(driver, 60).until(lambda d: out.exists() and out.read_text())
        failed = False
    finally:
        _close(driver, root, failed)
    assert "microphone" in text.lower() and "refused" in text.lower()
    assert out.read_text() == text
