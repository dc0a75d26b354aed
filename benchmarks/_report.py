"""What every benchmark script shares: the description of the machine a result was measured on,
and writing the result to ``benchmarks/results/<name>.json`` (atomically) for the docs'
Performance page."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def environment(**extra) -> dict:
    """Python version, core count and load average (a busy machine inflates wall-clock times),
    plus the library versions and settings given as keywords."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), **extra,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_result(name: str, result: dict) -> Path:
    """Write ``result`` as ``results/<name>.json`` without ever leaving a half-written file."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    fd, tmp = tempfile.mkstemp(dir=RESULTS, prefix=f".{name}.", suffix=".part")
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, out)
    print(f"wrote {out.relative_to(RESULTS.parent.parent)}")
    return out
