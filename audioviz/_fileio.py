"""Atomic file writes: what audioviz writes (audio, datasets, checkpoints, figures, pages) appears
complete or not at all.

Everything is written to a temporary file beside the target and renamed over it; a failure or an
interruption leaves the old file (or none) and no half-written one.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _usual_permissions(path) -> None:
    # mkstemp creates files readable by their owner only (0600); a file written with a plain
    # open() would get 0666 minus the umask, and so should ours.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


@contextlib.contextmanager
def atomic_path(path, *, suffix: str = ".part"):
    """Yield a temporary path beside ``path``; when the block succeeds it replaces ``path``.

    Args:
        path: the file to write; its folder is created.
        suffix: ending of the temporary name (give the real extension when a writer guesses the
            format from it, as ``savefig`` does).

    Example:
        >>> with atomic_path("out.json") as tmp:  # doctest: +SKIP
        ...     Path(tmp).write_text("{}")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        _usual_permissions(tmp)
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_bytes_atomic(path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(path, text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


@contextlib.contextmanager
def exclusive_lock(lock_path):
    """Hold an exclusive ``flock`` on ``lock_path`` (created if missing) for the block, so that two
    processes never build the same dataset or model at once. A no-op where fcntl is missing
    (Windows): builds are still atomic, only possibly done twice."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
