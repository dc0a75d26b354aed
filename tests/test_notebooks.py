"""Every tutorial, run as a learner runs it: the generated notebook executed in a real Jupyter kernel.

The notebooks are the ones sphinx-gallery writes next to the site (``docs/auto_examples/*.ipynb``,
offered on every tutorial page). They are reused from ``make docs`` or built here when missing or
stale (see ``_docs_build.py``). Each is executed with nbclient in an ipykernel ``python3`` kernel,
from ``examples/`` (the folder sphinx-gallery runs the scripts in), with
``AUDIOVIZ_TUTORIAL_QUICK=1`` so the training tutorial trains a tiny model. Any cell error fails
the test and names the cell.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from _docs_build import EXAMPLES, GALLERY, build_site, tutorial_scripts

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

TUTORIALS = [script.stem for script in tutorial_scripts()]
CELL_TIMEOUT = 600


@pytest.fixture(scope="module")
def notebooks():
    build_site()
    return GALLERY


@pytest.mark.parametrize("name", TUTORIALS)
def test_notebook_runs_in_a_kernel(notebooks, name, monkeypatch):
    path = notebooks / f"{name}.ipynb"
    assert path.is_file(), f"{path} was not generated"
    nb = nbformat.read(path, as_version=4)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code_cells, f"{name}.ipynb has no code cells"

    monkeypatch.setenv("AUDIOVIZ_TUTORIAL_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{name}.ipynb: a cell failed in the kernel:\n{exc}")

    outputs = [out for cell in code_cells for out in cell.get("outputs", [])]
    errors = [out for out in outputs if out.get("output_type") == "error"]
    assert not errors, f"{name}.ipynb: error outputs {[(e['ename'], e['evalue']) for e in errors]}"
    # A figure reaches a notebook as a PNG, as a widget (live explorers) or as HTML with images
    # (static sliders).
    shown = [out.get("data", {}) for out in outputs]
    assert any("image/png" in data or "application/vnd.jupyter.widget-view+json" in data
               or "<img" in str(data.get("text/html", "")) for data in shown), f"{name}.ipynb showed no figure"


# -- downloaded notebooks, outside the repository, with audioviz from a wheel ------------------------
# What a learner does: download a tutorial's notebook, install audioviz as a package, run it in a
# folder of their own. A wheel is built from this checkout (``pip wheel --no-deps``, no network),
# installed into a fresh virtual environment whose other packages come from this checkout's
# environment through a .pth file (fast and offline; the editable install's finder is not
# activated there, so ``import audioviz`` can only find the wheel), and four notebooks that need
# no training run from a temporary folder outside the repository. ``make notebooks-outside`` runs
# just this test.
OUTSIDE_NOTEBOOKS = ["01_sound_as_numbers", "03_loudness_and_colour", "04_mel_scale", "05_mfcc"]

_RUN_NOTEBOOK = """
import json, sys
import nbclient, nbformat
path, folder = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import audioviz; print('AUDIOVIZ_FROM', audioviz.__file__)"))
nbclient.NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=False,
                        resources={"metadata": {"path": folder}}).execute()
print(json.dumps([out.get("text", "") for out in nb.cells[-1].outputs]))
"""


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory):
    import shutil
    import site
    import subprocess
    import sys
    import venv

    from _docs_build import REPO

    root = tmp_path_factory.mktemp("audioviz-wheel")
    # Build from a copy of what the wheel needs: setuptools writes build/ and *.egg-info beside
    # the sources, and the checkout must stay untouched.
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "audioviz", source / "audioviz", ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-w", str(root / "dist"), str(source)], capture_output=True, text=True)
    assert build.returncode == 0, f"pip wheel failed:\n{build.stdout[-2000:]}\n{build.stderr[-2000:]}"
    (wheel,) = (root / "dist").glob("audioviz-*.whl")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    own_site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    (Path(own_site) / "_audioviz_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, f"installing the wheel failed:\n{install.stderr[-2000:]}"
    return python


@pytest.mark.parametrize("name", OUTSIDE_NOTEBOOKS)
def test_downloaded_notebook_runs_outside_the_repository(notebooks, wheel_venv, name, tmp_path):
    import json
    import shutil
    import subprocess

    from _docs_build import REPO

    folder = tmp_path / "my_notebooks"  # a learner's own folder, outside the repository
    folder.mkdir()
    assert REPO not in folder.parents
    notebook = shutil.copy(notebooks / f"{name}.ipynb", folder)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUDIOVIZ_SPEECH_COMMANDS")}
    env.update(AUDIOVIZ_TUTORIAL_QUICK="1", AUDIOVIZ_CACHE=str(tmp_path / "cache"),
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    result = subprocess.run([str(wheel_venv), "-c", _RUN_NOTEBOOK, str(notebook), str(folder)], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=CELL_TIMEOUT * 2)
    assert result.returncode == 0, f"{name}.ipynb failed outside the repository:\n{result.stderr[-4000:]}"
    where = "".join(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "AUDIOVIZ_FROM" in where and str(wheel_venv.parents[1]) in where, \
        f"{name}.ipynb imported audioviz from {where!r}, not from the wheel"
