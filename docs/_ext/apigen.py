"""The API reference, generated from the public names themselves.

Which names are public is decided by the package, not by this file: ``audioviz.__all__`` and the
``__all__`` of the subpackages ``audioviz.data``, ``audioviz.model`` and ``audioviz.explain``.
Before Sphinx looks for sources, one stub page per name is written to ``docs/gen_modules/api/``
(autodoc of its docstring plus the tutorials that use it); the ``audioviz-api`` directive in
``api.rst`` draws the summary tables, grouped by the module that defines each name. Stubs are
rewritten only when their text changes, so an unchanged rebuild re-reads nothing.

A name whose defining module does not exist yet (another part of the package still being written)
is left out with a message; any other import failure is a build warning.
"""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

SUBPACKAGES = ("audioviz.data", "audioviz.model", "audioviz.explain")
STUB_DIR = Path("gen_modules") / "api"

# Section titles for the modules that define public names; unknown modules get their own name.
SECTION_TITLES = {
    "audioviz.io": "Audio in and out",
    "audioviz.features": "Features that carry their own axes",
    "audioviz.display": "Plotting",
    "audioviz.widgets": "Interactive explorers and static sliders",
    "audioviz.data": "Speech data (audioviz.data)",
    "audioviz.model": "The yes/no classifier (audioviz.model)",
    "audioviz.explain": "Explaining the classifier (audioviz.explain)",
}


def _section_for(module: str) -> str:
    for prefix in sorted(SECTION_TITLES, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return module


def _missing_module(exc: BaseException) -> str | None:
    """The audioviz module that is not there yet, if that is what ``exc`` says."""
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("audioviz"):
        return exc.name
    return None


def public_names() -> list[tuple[str, str, object]]:
    """``(qualified name, section module, object)`` for every public name that imports."""
    import audioviz

    found = []
    exports = getattr(audioviz, "_EXPORTS", {})
    for name in audioviz.__all__:
        if name.startswith("__"):
            continue
        try:
            obj = getattr(audioviz, name)
        except Exception as exc:  # noqa: BLE001 - reported below
            missing = _missing_module(exc)
            if missing:
                logger.info(f"[apigen] audioviz.{name} left out: {missing} does not exist yet")
                continue
            logger.warning(f"[apigen] cannot import audioviz.{name}: {type(exc).__name__}: {exc}")
            continue
        module = exports.get(name) or getattr(obj, "__module__", "audioviz")
        found.append((f"audioviz.{name}", _section_for(module), obj))
    for package in SUBPACKAGES:
        try:
            mod = importlib.import_module(package)
        except Exception as exc:  # noqa: BLE001
            if _missing_module(exc) == package:
                logger.info(f"[apigen] {package} left out: it does not exist yet")
                continue
            logger.warning(f"[apigen] cannot import {package}: {type(exc).__name__}: {exc}")
            continue
        for name in getattr(mod, "__all__", []):
            try:
                obj = getattr(mod, name)
            except Exception as exc:  # noqa: BLE001
                logger.warning(f"[apigen] cannot import {package}.{name}: {type(exc).__name__}: {exc}")
                continue
            found.append((f"{package}.{name}", package, obj))
    return found


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def stub_text(qualname: str, obj) -> str:
    module, _, name = qualname.rpartition(".")
    kind = _kind(obj)
    lines = [qualname, "=" * len(qualname), "", f".. currentmodule:: {module}", ""]
    if kind == "class":
        lines += [f".. autoclass:: {name}", "   :members:", ""]
    elif kind == "function":
        lines += [f".. autofunction:: {name}", ""]
    else:
        lines += [f".. autodata:: {name}", "   :no-value:", ""]
    lines += [f".. minigallery:: {qualname}", f"   :add-heading: Tutorials using ``{name}``", "   :heading-level: -", ""]
    return "\n".join(lines)


def write_stubs(app) -> None:
    """``config-inited``/``builder-inited`` hook: write one page per public name, drop stale ones."""
    out = Path(app.srcdir) / STUB_DIR
    out.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for qualname, _, obj in public_names():
        path = out / f"{qualname}.rst"
        wanted.add(path.name)
        text = stub_text(qualname, obj)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for path in out.glob("*.rst"):
        if path.name not in wanted:
            path.unlink()


def _summary(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ").strip()
    return first


class AudiovizApi(SphinxDirective):
    """``.. audioviz-api::`` - one autosummary table per defining module, and the toctree of stubs."""

    has_content = False

    def run(self):
        groups: dict[str, list[str]] = {}
        for qualname, section, _ in public_names():
            groups.setdefault(section, []).append(qualname)
        order = list(SECTION_TITLES) + sorted(set(groups) - set(SECTION_TITLES))
        rst: list[str] = []
        for section in order:
            names = groups.get(section)
            if not names:
                continue
            title = SECTION_TITLES.get(section, section)
            rst += [title, "-" * len(title), "", ".. autosummary::", "   :nosignatures:", ""]
            rst += [f"   {name}" for name in names]
            rst += [""]
        rst += [".. toctree::", "   :hidden:", ""]
        rst += [f"   {STUB_DIR.as_posix()}/{name}" for section in order for name in groups.get(section, [])]
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(rst, source="<audioviz-api>"), container)
        return container.children


def _always_reread(app, env, added, changed, removed):
    # The tables depend on the package's __all__, which Sphinx cannot track as a file.
    return ["api"] if "api" in env.found_docs else []


def setup(app):
    app.connect("builder-inited", write_stubs, priority=100)
    app.connect("env-get-outdated", _always_reread)
    app.add_directive("audioviz-api", AudiovizApi)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
