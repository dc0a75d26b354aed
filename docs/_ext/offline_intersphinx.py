"""Intersphinx inventories that never fail an offline build.

Sphinx's intersphinx warns (and ``-W`` turns that into an error) when an inventory cannot be
fetched. Here each inventory is fetched once with a short timeout into ``docs/_build/intersphinx``
and intersphinx is pointed at that local copy; a project whose inventory is neither cached nor
reachable is left out of the mapping, so its links degrade to plain text instead of breaking the
build. Cached copies are refreshed after a week when the network is there.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REFRESH_SECONDS = 7 * 24 * 3600
TIMEOUT_SECONDS = 4.0


def _fetch(url: str, dest: Path) -> bool:
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/objects.inv", timeout=TIMEOUT_SECONDS) as response:
            data = response.read()
    except (OSError, urllib.error.URLError, ValueError):
        return False
    if not data.startswith(b"# Sphinx inventory version"):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(dest)
    return True


def available_inventories(projects: dict[str, str], *, cache_dir: Path) -> dict:
    """An ``intersphinx_mapping`` holding only the projects whose inventory is on disk.

    Args:
        projects: name -> documentation root URL.
        cache_dir: folder for the cached ``<name>.inv`` files.

    Returns:
        dict ``name -> (url, local_inventory_path)`` for ``intersphinx_mapping``.
    """
    now = time.time()
    paths = {name: Path(cache_dir) / f"{name}.inv" for name in projects}
    stale = [name for name, path in paths.items()
             if not path.is_file() or now - path.stat().st_mtime > REFRESH_SECONDS]
    if stale:
        with ThreadPoolExecutor(max_workers=len(stale)) as pool:
            list(pool.map(lambda name: _fetch(projects[name], paths[name]), stale))
    return {name: (projects[name], str(paths[name])) for name in projects if paths[name].is_file()}
