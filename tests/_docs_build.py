"""Shared by the site and notebook tests: find (or make) the built tutorial site.

CI runs ``make docs`` before ``make test``, so ``docs/_build/html`` and ``docs/auto_examples`` are
normally there and are reused as they are. When they are missing, or a tutorial in ``examples/`` is
newer than its built page, the tests run ``make docs``'s Sphinx command (without ``-W``). Sphinx
re-executes only the tutorials whose source changed, so this costs a full build once (a few
minutes) and seconds after that. This is what lets ``make test`` pass alone on a clean clone.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
EXAMPLES = REPO / "examples"
HTML = DOCS / "_build" / "html"
GALLERY = DOCS / "auto_examples"
BUILD_TIMEOUT = 20 * 60


def tutorial_scripts() -> list[Path]:
    """Every tutorial, in its numbered order."""
    return sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))


def _stale(outputs: list[Path], sources: list[Path]) -> bool:
    for out, src in zip(outputs, sources):
        if not out.is_file() or out.stat().st_mtime < src.stat().st_mtime:
            return True
    return False


def site_is_current() -> bool:
    scripts = tutorial_scripts()
    pages = [HTML / "auto_examples" / f"{s.stem}.html" for s in scripts]
    notebooks = [GALLERY / f"{s.stem}.ipynb" for s in scripts]
    return (HTML / "index.html").is_file() and not _stale(pages, scripts) and not _stale(notebooks, scripts)


_failure: list[str] = []


def build_site() -> None:
    """Run ``make docs``'s Sphinx command (incremental) unless the built site is current.

    Without ``-W``: Sphinx warnings fail ``make docs`` (and CI) already; these tests are about
    what the built pages and notebooks do. A tutorial that raises still fails the build here.
    A failed build is remembered, so the tests that need it fail at once with its log.
    """
    if _failure:
        raise RuntimeError(_failure[0])
    if site_is_current():
        return
    command = [sys.executable, "-m", "sphinx", "--keep-going", "-q", "-b", "html", str(DOCS), str(HTML)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        tail = (result.stdout[-4000:] + "\n" + result.stderr[-6000:]).strip()
        _failure.append(f"building the docs failed ({' '.join(command)}):\n{tail}")
        raise RuntimeError(_failure[0])
