"""Every tutorial, run as a learner runs it: the generated notebook executed in a real Jupyter kernel.

The notebooks are the ones sphinx-gallery writes next to the site (``docs/auto_examples/*.ipynb``,
offered on every tutorial page). They are reused from ``make docs`` or built here when missing or
stale (see ``_docs_build.py``). Each is executed with nbclient in an ipykernel ``python3`` kernel,
from ``examples/`` (the folder sphinx-gallery runs the scripts in), with
``AUDIOVIZ_TUTORIAL_QUICK=1`` so the training tutorial trains a tiny model. Any cell error fails
the test and names the cell.
"""
from __future__ import annotations

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
