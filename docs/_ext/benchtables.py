"""The Performance page: every ``benchmarks/results/*.json`` drawn as a table.

The benchmark scripts (``benchmarks/bench_*.py``, run them all with ``make bench``) write their
latest measurements there; this extension renders whatever files are present, so a benchmark
added later appears without touching the docs, and a missing folder or an unreadable file gives a
note on the page, never a failed build.

Preferred file layout (anything else is still shown, as a key/value table or as JSON)::

    {
      "title": "Spectrogram: compute and draw",       # or "name"
      "description": "10-minute 16 kHz clip, 1000x300 px at 100 dpi, PNG included.",
      "baseline": "librosa.stft + librosa.display.specshow",
      "columns": ["case", "median_s", "baseline_median_s", "speedup"],
      "rows": [["10 min", 0.21, 5.3, 25.2], ...],      # or a list of dicts
      "environment": {"python": "3.11", "torch": "2.14.1", "cpus": 2},
      "generated": "2026-11-25T13:00:00Z"
    }
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

TITLE_KEYS = ("title", "name", "benchmark")
TEXT_KEYS = ("description", "summary", "what")
BASELINE_KEYS = ("baseline",)
ENV_KEYS = ("environment", "machine", "system", "env")
DATE_KEYS = ("generated", "date", "timestamp", "measured_at", "created")
ROW_KEYS = ("rows", "results", "cases", "table", "data", "measurements")


def format_value(value) -> str:
    """A table cell: floats to 3 significant digits, everything else as text."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={format_value(v)}" for k, v in value.items())
    return str(value)


def _first(data: dict, keys) -> object:
    for key in keys:
        if key in data and data[key] not in (None, "", [], {}):
            return data[key]
    return None


def table_rows(data) -> tuple[list[str], list[list[str]]] | None:
    """``(header, rows)`` from the shapes a benchmark file may take, or ``None``."""
    if isinstance(data, dict):
        columns = data.get("columns") or data.get("header") or data.get("headers")
        rows = _first(data, ROW_KEYS)
        if isinstance(rows, dict) and rows.get("rows") is not None:  # {"table": {"columns", "rows"}}
            return table_rows(rows)
    else:
        columns, rows = None, data
    if not isinstance(rows, list) or not rows:
        return None
    if all(isinstance(row, dict) for row in rows):
        header = list(columns) if isinstance(columns, list) else []
        for row in rows:
            header += [key for key in row if key not in header]
        return [str(h) for h in header], [[format_value(row.get(key)) for key in header] for row in rows]
    if all(isinstance(row, (list, tuple)) for row in rows):
        width = max(len(row) for row in rows)
        header = [str(c) for c in columns] if isinstance(columns, list) else [f"column {i + 1}" for i in range(width)]
        header += [""] * (width - len(header))
        return header, [[format_value(v) for v in row] + [""] * (width - len(row)) for row in rows]
    return None


def make_table(header: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table(classes=["benchmark-table"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    head += _row(header)
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row)
    return table


def inline_paragraph(text: str) -> nodes.paragraph:
    """A paragraph of text in which each span between two backticks is set as code: the benchmark
    files (and this extension's own notes) write commands that way, e.g. "3 default `audioviz
    train` runs". Every text the page shows from a results file goes through here."""
    paragraph = nodes.paragraph()
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: show the text as it is
        parts = [str(text)]
    for i, part in enumerate(parts):
        if part:
            paragraph += nodes.literal(text=part) if i % 2 else nodes.Text(part)
    return paragraph


def _row(cells) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += inline_paragraph(cell)
        row += entry
    return row


def _field_list(items: dict) -> nodes.field_list:
    fields = nodes.field_list()
    for key, value in items.items():
        field = nodes.field()
        field += nodes.field_name(text=str(key))
        body = nodes.field_body()
        body += inline_paragraph(format_value(value))
        field += body
        fields += field
    return fields


def render_file(path: Path, document) -> list[nodes.Node]:
    """The nodes for one results file: a section with its title, notes and table."""
    section_id = nodes.make_id(f"bench-{path.stem}")
    section = nodes.section(ids=[section_id])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        section += nodes.title(text=path.stem)
        note = nodes.warning()
        note += nodes.paragraph(text=f"{path.name} could not be read: {exc}")
        section += note
        logger.info(f"[benchtables] {path} unreadable: {exc}")
        return [section]
    meta = data if isinstance(data, dict) else {}
    title = _first(meta, TITLE_KEYS) or path.stem.replace("_", " ")
    section += nodes.title(text=str(title))
    text = _first(meta, TEXT_KEYS)
    if text:
        section += inline_paragraph(text)
    details = {}
    baseline = _first(meta, BASELINE_KEYS)
    if baseline:
        details["Baseline"] = baseline
    date = _first(meta, DATE_KEYS)
    if date:
        details["Measured"] = date
    env = _first(meta, ENV_KEYS)
    if env:
        details["Environment"] = env
    details["Source"] = f"benchmarks/results/{path.name}"
    table = table_rows(data)
    if table is not None:
        section += make_table(*table)
        consumed = set(TITLE_KEYS + TEXT_KEYS + BASELINE_KEYS + ENV_KEYS + DATE_KEYS + ROW_KEYS
                       + ("columns", "header", "headers"))
        for key, value in meta.items():
            if key in consumed or value in (None, "", [], {}):
                continue
            # Extra measurements (per-control medians, raw runs, settings): small key/value tables.
            section += nodes.rubric(text=str(key).replace("_", " "))
            if isinstance(value, dict):
                section += make_table(["", "value"], [[str(k), format_value(v)] for k, v in value.items()])
            else:
                section += inline_paragraph(format_value(value))
    else:
        scalars = {k: v for k, v in meta.items() if not isinstance(v, (dict, list))
                   and k not in TITLE_KEYS + TEXT_KEYS + BASELINE_KEYS + DATE_KEYS}
        if scalars:
            section += make_table(["quantity", "value"], [[k, format_value(v)] for k, v in scalars.items()])
        rest = {k: v for k, v in meta.items() if isinstance(v, (dict, list)) and k not in ENV_KEYS} if meta else data
        if rest:
            section += nodes.literal_block(text=json.dumps(rest, indent=2), language="json")
    section += _field_list(details)
    return [section]


class BenchmarkTables(SphinxDirective):
    """``.. benchmark-tables::`` - one section per ``benchmarks/results/*.json`` (path relative to the repo)."""

    optional_arguments = 1

    def run(self):
        repo = Path(self.env.srcdir).parent
        folder = repo / (self.arguments[0] if self.arguments else "benchmarks/results")
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        for path in files:
            self.env.note_dependency(str(path))
        if not files:
            para = inline_paragraph((
                f"No benchmark results yet: run `make bench` to measure on this machine; the "
                f"tables appear here from {folder.relative_to(repo).as_posix()}/*.json."))
            return [nodes.note("", para)]
        out: list[nodes.Node] = []
        for path in files:
            out += render_file(path, self.state.document)
        return out


def _always_reread(app, env, added, changed, removed):
    # A results file added since the last build is not a dependency Sphinx knows about yet.
    return ["performance"] if "performance" in env.found_docs else []


def setup(app):
    app.add_directive("benchmark-tables", BenchmarkTables)
    app.connect("env-get-outdated", _always_reread)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
