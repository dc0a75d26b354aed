"""Atomic file writes: what audioviz writes (audio, datasets, checkpoints, figures, pages) appears
complete or not at all.

Everything is written to a temporary file beside the target and renamed over it; a failure or an
interruption leaves the old file (or none) and no half-written one.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


def _usual_permissions(path) -> None:
    # mkstemp creates files readable by their owner only (0600); a file written with a plain
    # open() would get 0666 minus the umask, and so should ours.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _about(exc: OSError, path: Path) -> OSError:
    """``exc`` reworded to name ``path`` (the file the user asked for) instead of our temporary
    file, or as is when it names something else."""
    named = None if exc.filename is None else Path(os.fsdecode(exc.filename))
    ours = named is None or named == path.parent or (named.parent == path.parent and named.name.startswith(f".{path.name}."))
    if exc.errno is None or not ours:
        return exc
    if isinstance(exc, FileExistsError) and not path.parent.is_dir():
        # mkdir of a folder that exists as a file: the path runs through a file
        return NotADirectoryError(errno.ENOTDIR, "Not a directory", str(path))
    return type(exc)(exc.errno, exc.strerror, str(path))


@contextlib.contextmanager
def atomic_path(path, *, suffix: str = ".part"):
    """Yield a temporary path beside ``path``; when the block succeeds it replaces ``path``.

    An ``OSError`` from making the folder, the temporary file, the block's writes or the final
    rename is raised again naming ``path`` (not the temporary name), so a message such as
    "disk full" or "permission denied" points at the file the user asked for.

    Args:
        path: the file to write; its folder is created.
        suffix: ending of the temporary name (give the real extension when a writer guesses the
            format from it, as ``savefig`` does).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "out.json"
        >>> with atomic_path(target) as tmp:
        ...     _ = Path(tmp).write_text("{}")
        >>> target.read_text()
        '{}'
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise _about(exc, path) from None
    os.close(fd)
    try:
        _usual_permissions(tmp)
        try:
            yield Path(tmp)
            os.replace(tmp, path)
        except OSError as exc:
            raise _about(exc, path) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def check_writable(path) -> Path:
    """Raise the ``OSError`` that writing ``path`` would meet, before any work is done for it.

    The nearest existing folder on the way to ``path`` must be a folder audioviz may write in;
    ``path`` itself must not be a folder. Nothing is created.

    Example:
        >>> check_writable("/proc/version/out.png")
        Traceback (most recent call last):
        ...
        NotADirectoryError: [Errno 20] Not a directory: '/proc/version/out.png'
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    return path


def write_bytes_atomic(path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_all_atomic(contents) -> list[Path]:
    """Write several files as one result: every file is written to its temporary name first, and
    only when all of them are complete are they renamed into place.

    A failure while writing any of them (a full disk, a file-size limit, a folder that cannot be
    made) replaces none of the targets and leaves no temporary file; what was there before stays.

    Args:
        contents: ``{path: bytes}``, in the order the files are written.

    Returns:
        list of pathlib.Path: the paths, in that order.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> [p.name for p in write_all_atomic({folder / "a.txt": b"a", folder / "b.txt": b"b"})]
        ['a.txt', 'b.txt']
    """
    paths = [Path(p) for p in contents]
    if len(set(paths)) != len(paths):
        raise ValueError(f"write_all_atomic got the same path twice: {[str(p) for p in paths]}")
    made = []  # folders this call creates, removed again (when empty) if the result is not written
    for path in paths:
        folder = path.parent
        while not folder.exists() and folder != folder.parent and folder not in made:
            made.append(folder)
            folder = folder.parent
    try:
        with contextlib.ExitStack() as stack:
            for path, data in zip(paths, contents.values()):
                tmp = stack.enter_context(atomic_path(path, suffix=path.suffix))
                try:
                    tmp.write_bytes(data)
                except OSError as exc:
                    raise _about(exc, path) from exc
        # each atomic_path renames its file as the stack closes, all writes having succeeded
    except BaseException:
        for folder in sorted(made, key=lambda f: len(f.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: never what another program put there meanwhile
        raise
    return paths


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
