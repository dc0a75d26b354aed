"""The one way the tests start a browser: the system Chromium through the system chromedriver,
headless, with a fresh profile, never a browser or driver that selenium-manager would fetch."""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")
#: Why a browser test skipped.
MISSING = ("needs the system chromium and chromedriver (Debian: apt-get install chromium chromium-driver; "
           ".ci/run installs them)")


def chrome(*extra_flags, window: str = "1400,1000"):
    """Headless system Chromium with a fresh profile and the browser log kept; stop it with
    :func:`quit_chrome`. Skips the test when selenium is not installed."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch a browser or driver
    profile = tempfile.mkdtemp(prefix="audioviz-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={window}", *extra_flags):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    driver.profile_dir = profile
    # A learner's browser window has the focus; a headless one (Chromium 150 here) does not, and
    # JupyterLab then knows no current notebook (shell.currentWidget stays null). Emulate it.
    driver.execute_cdp_cmd("Emulation.setFocusEmulationEnabled", {"enabled": True})
    return driver


def quit_chrome(driver) -> None:
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)
