"""Where a synthetic dataset tree is built, how it is moved into place, who may write it, and
how a finished tree is checked against its manifest.

A tree is built inside its own root folder, in a hidden build folder that only audioviz creates
(``.audioviz-build-<random>``, with a marker file saying so), and is then moved into the root
entry by entry, the manifest last. Building inside the root means the moves are renames within one
file system, so the root may be a mount point, a symlink to a folder, or ``.``; the root folder
itself is never renamed or removed. A tree without its manifest is never taken as complete.

One process at a time writes a root: it holds an exclusive ``flock`` on the root folder itself
(no lock file to leave behind or to mistake for a user's file); another process waits for it and
then finds the tree complete. Nothing outside the root is touched, and inside it only build
folders carrying audioviz's marker are ever deleted.
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .._fileio import write_bytes_atomic

MANIFEST_NAME = "manifest.json"
BUILD_PREFIX = ".audioviz-build-"
MARKER_NAME = ".audioviz-build.json"
STATE_DIR = ".state"
# entries a fresh file system may already hold at its root (ext4 creates lost+found)
_SYSTEM_ENTRIES = ("lost+found",)


def dataset_folder(root) -> Path:
    """``root`` as an absolute real folder path (symlinks followed), checked to be usable.

    Raises
    ------
    OSError
        ``root`` is a symlink loop (errno ELOOP), or exists and is not a folder (ENOTDIR).
    """
    path = Path(root).expanduser()
    try:
        real = path.resolve()
        loop = False
    except RuntimeError:  # Python < 3.13 on a symlink loop
        loop = True
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        loop = True
    if loop:
        raise OSError(errno.ELOOP, f"dataset root {str(path)!r} is a symbolic link loop; point --root at a real "
                                   "folder") from None
    if path.is_symlink() and not real.exists():
        raise OSError(errno.ENOENT, f"dataset root {str(path)!r} is a symbolic link to {str(real)!r}, which "
                                    "does not exist; create that folder or choose another root")
    if real.exists() and not real.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"dataset root {str(path)!r} exists and is not a folder; "
                                                "choose a new or empty folder")
    return real


def _is_build(path: Path) -> bool:
    return (path.name.startswith(BUILD_PREFIX) and path.is_dir() and not path.is_symlink()
            and (path / MARKER_NAME).is_file())


def _marker(build: Path) -> dict:
    try:
        marker = json.loads((build / MARKER_NAME).read_text())
        return marker if isinstance(marker, dict) and marker.get("created_by") == "audioviz" else {}
    except (OSError, ValueError):
        return {}


def builds_in(folder: Path) -> list[Path]:
    """Build folders audioviz left in ``folder`` (an interrupted run), oldest name first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _is_build(p) and _marker(p))


def foreign_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that neither audioviz's builds nor a file system put there."""
    if not folder.is_dir():
        return []
    allowed = set(_SYSTEM_ENTRIES)
    for build in builds_in(folder):
        allowed.add(build.name)
        allowed.update(_marker(build).get("placing", ()))
    return sorted(p.name for p in folder.iterdir() if p.name not in allowed)


def check_writable(folder: Path) -> None:
    """Raise PermissionError naming ``folder`` unless files can be created in it."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"cannot write in the dataset root {str(folder)!r}; choose a folder "
                                            "you can write to")


def check_free_space(folder: Path, needed_bytes: int) -> None:
    """Raise OSError (ENOSPC) before any synthesis if ``folder``'s disk cannot hold the tree."""
    free = shutil.disk_usage(folder).free
    if needed_bytes > free:
        raise OSError(errno.ENOSPC, f"the dataset needs about {needed_bytes / 1e6:,.0f} MB but only "
                                    f"{free / 1e6:,.0f} MB are free at {str(folder)!r}; free some space, "
                                    "choose another root or ask for fewer clips")


def open_build(folder: Path, parameters: dict) -> Path:
    """The build folder for ``parameters`` in ``folder``: an interrupted one made with the same
    parameters (resumed), else a new one. Builds with other parameters are audioviz's own
    leftovers and are removed."""
    resumable = None
    for build in builds_in(folder):
        if resumable is None and _marker(build).get("parameters") == parameters:
            resumable = build
        else:
            shutil.rmtree(build)
    if resumable is not None:
        # an interrupted placement moved some entries out already: take them back, so the
        # build is whole again before its manifest is (re)written
        for name in _marker(resumable).get("placing", ()):
            if name != MANIFEST_NAME and not (resumable / name).exists() and (folder / name).exists():
                os.replace(folder / name, resumable / name)
        return resumable
    build = Path(tempfile.mkdtemp(prefix=BUILD_PREFIX, dir=folder))
    write_marker(build, {"created_by": "audioviz", "parameters": parameters})
    (build / STATE_DIR).mkdir()
    return build


def finished_batches(folder: Path, parameters: dict) -> int:
    """Batches an interrupted build of ``parameters`` in ``folder`` has finished (0 if none)."""
    for build in builds_in(folder):
        if _marker(build).get("parameters") == parameters:
            return len(list((build / STATE_DIR).glob("chunk_*.json")))
    return 0


def write_marker(build: Path, marker: dict) -> None:
    write_bytes_atomic(build / MARKER_NAME, json.dumps(marker).encode())


def place(build: Path, folder: Path) -> None:
    """Move the finished tree from ``build`` into ``folder`` entry by entry, the manifest last,
    then remove the build folder (audioviz's own)."""
    names = sorted(p.name for p in build.iterdir() if p.name not in (MARKER_NAME, STATE_DIR, MANIFEST_NAME)
                   and not p.name.startswith("."))
    marker = _marker(build)
    # names an interrupted placement of this build already moved: those entries are ours
    ours = set(marker.get("placing", ()))
    marker["placing"] = names + [MANIFEST_NAME]
    write_marker(build, marker)  # a rerun after an interruption here knows these names are ours
    for name in names:
        source, target = build / name, folder / name
        if not source.exists():
            continue
        if target.exists() or target.is_symlink():
            if name not in ours:
                raise FileExistsError(errno.EEXIST, f"{str(target)!r} appeared while the dataset was being "
                                                    "written; move it away and run again")
            shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
        os.replace(source, target)
    os.replace(build / MANIFEST_NAME, folder / MANIFEST_NAME)
    shutil.rmtree(build)


def remove_stray_temporaries(build: Path) -> None:
    """Drop half-written ``.<name>.<random>.part`` files of workers killed mid-write (inside our
    build folder only)."""
    for dirpath, _, filenames in os.walk(build):
        for name in filenames:
            if name.startswith(".") and name.endswith(".part"):
                Path(dirpath, name).unlink(missing_ok=True)


@contextlib.contextmanager
def hold(folder: Path, *, progress: bool = True):
    """Hold an exclusive lock on the dataset root ``folder`` for the block (one writer at a time).

    The lock is an ``flock`` on the folder itself, released by the system if the process dies.
    If another process holds it, say so on stderr and wait for it. No-op where ``fcntl`` is
    missing (Windows).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress:
                print(f"audioviz: another process is writing the dataset {folder}; waiting for it to finish",
                      file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


# ----------------------------------------------------------------------------------------------
# checking a finished tree


@dataclasses.dataclass(frozen=True)
class DatasetCheck:
    """What :func:`verify_synthetic_dataset` found in a tree, compared with its manifest.

    Attributes
    ----------
    root : pathlib.Path
        The dataset folder.
    checked : int
        Number of files listed in the manifest.
    missing : tuple of str
        Listed files that are absent or unreadable (relative paths).
    changed : tuple of str
        Listed files whose SHA-256 differs from the manifest's.
    unexpected : tuple of str
        Files in the tree the manifest does not list (hidden files are ignored).
    """

    root: Path
    checked: int
    missing: tuple = ()
    changed: tuple = ()
    unexpected: tuple = ()

    @property
    def ok(self) -> bool:
        """True if every listed file is present and unchanged and nothing else is there."""
        return not (self.missing or self.changed or self.unexpected)

    def problems(self) -> list[str]:
        """One line per problem, e.g. ``"changed: yes/0a1b2c3d_nohash_0.wav"``."""
        return ([f"missing: {p}" for p in self.missing] + [f"changed: {p}" for p in self.changed]
                + [f"not in the manifest: {p}" for p in self.unexpected])

    def __str__(self) -> str:
        if self.ok:
            return f"{self.root}: all {self.checked} files match the manifest"
        return (f"{self.root}: {len(self.missing)} missing, {len(self.changed)} changed, "
                f"{len(self.unexpected)} not in the manifest (of {self.checked} listed files)")


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text())
        if not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("parameters"), dict):
            raise ValueError("it has no 'files' or 'parameters'")
    except (OSError, ValueError, AttributeError) as exc:
        raise ValueError(f"cannot read the dataset manifest {path}: {exc}; delete the folder and synthesise "
                         "again") from None
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(folder: Path, manifest: dict | None = None) -> DatasetCheck:
    """Compare every file of the tree at ``folder`` with the SHA-256 in its manifest."""
    manifest = read_manifest(folder) if manifest is None else manifest
    files = manifest["files"]
    missing, changed = [], []
    for rel, digest in files.items():
        path = folder / rel
        try:
            if _sha256(path) != digest:
                changed.append(rel)
        except OSError:  # absent, a folder, a symlink loop, unreadable
            missing.append(rel)
    unexpected = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = Path(dirpath).relative_to(folder)
        for name in filenames:
            rel = (base / name).as_posix()
            if not name.startswith(".") and rel != MANIFEST_NAME and rel not in files:
                unexpected.append(rel)
    return DatasetCheck(folder, len(files), tuple(missing), tuple(changed), tuple(sorted(unexpected)))
