"""Real Speech Commands recordings on this machine: where they are found, and how a learner gets
Google's official test set.

:func:`real_speech_commands_root` looks in exactly two places, the same whether audioviz is
installed from a wheel or from a clone: the folder named by ``AUDIOVIZ_SPEECH_COMMANDS``, then the
folder :func:`download_speech_commands_test_set` fills in the audioviz cache. It never searches
the source tree or the current folder, so what a page finds does not depend on where it runs.

:func:`download_speech_commands_test_set` (``audioviz data download``) fetches
``speech_commands_test_set_v0.02.tar.gz`` (Warden 2018, CC-BY-4.0, 112.6 MB, 4,890 clips in
Google's canonical 12-category layout ``yes/ no/ ... go/ _unknown_/ _silence_/``), checks its
size and SHA-256, extracts it safely (regular files and folders only, nothing outside the target)
into a hidden build folder and moves it into place; an interrupted or failed download leaves no
tree that looks complete.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
from pathlib import Path, PurePosixPath

from .._fileio import write_bytes_atomic
from . import _tree

__all__ = ["download_speech_commands_test_set", "real_speech_commands_root"]

#: Environment variable naming a local copy of real Speech Commands recordings.
REAL_DATA_ENV = "AUDIOVIZ_SPEECH_COMMANDS"
#: Google's canonical Speech Commands v0.02 test archive.
TEST_SET_URL = "https://storage.googleapis.com/download.tensorflow.org/data/speech_commands_test_set_v0.02.tar.gz"
TEST_SET_SHA256 = "cc2a00c1147c2254e9be3fa0f779d8c17421dc349b86366567a8edfa9acd51df"
TEST_SET_BYTES = 112_563_277
DOWNLOAD_FOLDER = "speech_commands_test_set_v0.02"
_DONE_NAME = ".audioviz-download.json"
_MAX_ARCHIVE_BYTES = 4 * 10**9
_MAX_EXTRACTED_BYTES = 8 * 10**9


def download_location() -> Path:
    """Where :func:`download_speech_commands_test_set` puts the test set by default:
    ``<cache>/speech_commands/speech_commands_test_set_v0.02``."""
    from .._cache import cache_root

    return cache_root(create=False) / "speech_commands" / DOWNLOAD_FOLDER


def _holds_dataset(path: Path) -> bool:
    from ._dataset import _locate

    try:
        return path.is_dir() and _locate(path) is not None
    except OSError:
        return False


def real_speech_commands_root() -> Path | None:
    """The folder of real Speech Commands recordings on this machine, or None.

    Looked for, in order: the folder named by the environment variable
    ``AUDIOVIZ_SPEECH_COMMANDS``; then the download location of
    :func:`download_speech_commands_test_set` in the audioviz cache. Nothing else (no search of
    the source tree or of the current folder). The folder may have either layout
    :class:`audioviz.data.SpeechCommands` reads: torchaudio's (a folder holding
    ``SpeechCommands/speech_commands_v0.02/`` with split lists) or Google's canonical test
    layout (``yes/ no/ ... _unknown_/ _silence_/``, every clip a test clip).

    Returns
    -------
    pathlib.Path or None
        Pass it to :class:`audioviz.data.SpeechCommands` as ``root``.

    Warns
    -----
    UserWarning
        ``AUDIOVIZ_SPEECH_COMMANDS`` is set but names no speech-commands folder (it is ignored).

    Examples
    --------
    >>> from audioviz.data import SpeechCommands, real_speech_commands_root
    >>> root = real_speech_commands_root()
    >>> real = SpeechCommands(root, subset="testing") if root else None  # doctest: +SKIP
    """
    env = os.environ.get(REAL_DATA_ENV, "").strip()
    if env:
        path = Path(env).expanduser()
        if _holds_dataset(path):
            return path
        warnings.warn(f"{REAL_DATA_ENV}={env!r} holds no speech-commands dataset; ignoring it", stacklevel=2)
    downloaded = download_location()
    if (downloaded / _DONE_NAME).is_file() and _holds_dataset(downloaded):
        return downloaded
    return None


# ----------------------------------------------------------------------------------------------
# download


def _fetch(url: str, target: Path, *, timeout: float, progress: bool, expected_bytes: int | None) -> str:
    """Stream ``url`` into ``target``; return the SHA-256 of what was written."""
    from tqdm.auto import tqdm

    digest = hashlib.sha256()
    try:
        response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - the URL is the caller's choice
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OSError(errno.ENETUNREACH, f"cannot download {url}: {reason}. Offline? Copy the test set to this "
                                         f"machine and set {REAL_DATA_ENV} to its folder") from None
    written = 0
    with response, open(target, "wb") as out, tqdm(total=expected_bytes, unit="B", unit_scale=True,
                                                   desc="downloading", disable=not progress, leave=False) as bar:
        while True:
            try:
                block = response.read(1 << 20)
            except OSError as exc:
                raise OSError(errno.EIO, f"the download of {url} broke off after {written:,} bytes ({exc}); "
                                         "run the command again") from None
            if not block:
                break
            written += len(block)
            if written > _MAX_ARCHIVE_BYTES:
                raise ValueError(f"{url} sent more than {_MAX_ARCHIVE_BYTES:,} bytes; not a Speech Commands archive")
            digest.update(block)
            out.write(block)
            bar.update(len(block))
    return digest.hexdigest()


def _safe_members(archive: tarfile.TarFile):
    """The archive's members if every one is a regular file or folder inside the target; a
    ValueError naming the first that is not (absolute path, ``..``, link, device)."""
    total = 0
    members = []
    for member in archive.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.name.startswith(("/", "\\")) or ".." in parts or any(":" in p or "\\" in p for p in parts):
            raise ValueError(f"the archive holds {member.name!r}, a path outside its folder; refusing to extract it")
        if not (member.isfile() or member.isdir()):
            raise ValueError(f"the archive holds {member.name!r}, which is not a plain file or folder "
                             "(a link or a device); refusing to extract it")
        total += max(member.size, 0)
        if total > _MAX_EXTRACTED_BYTES:
            raise ValueError(f"the archive unpacks to more than {_MAX_EXTRACTED_BYTES:,} bytes; refusing it")
        members.append(member)
    return members


def _extract(archive_path: Path, into: Path) -> None:
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            for member in _safe_members(archive):
                target = into.joinpath(*PurePosixPath(member.name).parts) if member.name not in (".", "./") else into
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                with source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
    except (tarfile.TarError, EOFError) as exc:
        raise ValueError(f"{archive_path} is not a readable .tar.gz archive ({exc})") from None


def download_speech_commands_test_set(root=None, *, url: str = TEST_SET_URL, sha256: str | None = TEST_SET_SHA256,
                                      timeout: float = 60.0, progress: bool = True) -> Path:
    """Download and unpack Google's canonical Speech Commands v0.02 test set, once.

    The archive (``speech_commands_test_set_v0.02.tar.gz``, 112.6 MB, CC-BY-4.0) unpacks to
    Google's test layout: ``yes/ no/ up/ down/ left/ right/ on/ off/ stop/ go/`` (one folder per
    keyword), ``_unknown_/`` (other words) and ``_silence_/``; :class:`audioviz.data.SpeechCommands`
    reads it with ``subset="testing"``. Use it for evaluation only: never train on it.

    Parameters
    ----------
    root : str or path, optional
        The folder to fill (new or empty). Default: the cache location that
        :func:`real_speech_commands_root` looks in.
    url : str, optional
        Where to download from (``file://`` URLs work, for a copy on disk). Default: Google's.
    sha256 : str or None, optional
        Expected SHA-256 of the archive; None skips the check (for another archive).
        Default: the official archive's.
    timeout : float, optional
        Seconds to wait for the server. Default: 60.
    progress : bool, optional
        Show a progress bar. Default: True.

    Returns
    -------
    pathlib.Path
        The filled folder (returned at once if an earlier call completed it).

    Raises
    ------
    OSError
        Offline or the server is unreachable (the message says how to use a local copy), the
        folder is not writable, or the disk is full.
    ValueError
        The archive's checksum differs, it is not a tar archive, or it holds a path outside its
        folder, a link or a device; or ``root`` holds other files.

    Examples
    --------
    >>> from audioviz.data import SpeechCommands, download_speech_commands_test_set
    >>> test_set = SpeechCommands(download_speech_commands_test_set(), subset="testing")  # doctest: +SKIP
    """
    if not isinstance(url, str) or not url:
        raise TypeError(f"url must be a non-empty string, got {url!r}")
    if sha256 is not None and (not isinstance(sha256, str) or len(sha256) != 64):
        raise ValueError(f"sha256 must be 64 hexadecimal digits or None, got {sha256!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
        raise ValueError(f"timeout must be a number of seconds from 0 to 3600, got {timeout!r}")
    given = Path(root).expanduser() if root is not None else download_location()
    folder = _tree.dataset_folder(given)
    if (folder / _DONE_NAME).is_file():
        return given
    folder.mkdir(parents=True, exist_ok=True)
    with _tree.hold(folder, progress=progress):
        if (folder / _DONE_NAME).is_file():
            return given
        foreign = [n for n in _tree.foreign_entries(folder) if not n.startswith(".audioviz-download-")]
        if foreign:
            raise ValueError(f"{folder} is not an empty folder (it holds {', '.join(foreign[:3])}); "
                             "give a new or empty folder for the download")
        _tree.check_writable(folder)
        _tree.check_free_space(folder, 2 * TEST_SET_BYTES + 50_000_000)
        for old in folder.glob(".audioviz-download-*"):
            old.unlink()  # an earlier, interrupted download of ours
        fd, archive = tempfile.mkstemp(prefix=".audioviz-download-", suffix=".tar.gz", dir=folder)
        os.close(fd)
        archive = Path(archive)
        try:
            digest = _fetch(url, archive, timeout=timeout, progress=progress,
                            expected_bytes=TEST_SET_BYTES if url == TEST_SET_URL else None)
            if sha256 is not None and digest != sha256.lower():
                raise ValueError(f"the archive from {url} has SHA-256 {digest}, not the expected {sha256}; it is "
                                 "damaged or not the official test set. Run the command again")
            build = _tree.open_build(folder, {"download": url, "sha256": digest})
            shutil.rmtree(build / _tree.STATE_DIR)
            _extract(archive, build)
            if not _holds_dataset(build):
                raise ValueError(f"the archive from {url} holds no speech-commands folders (yes/, no/, ...)")
            # the record is written last: a folder without it is never taken as downloaded
            write_bytes_atomic(build / _tree.MANIFEST_NAME, json.dumps({"url": url, "sha256": digest}).encode())
            _tree.place(build, folder)
            os.replace(folder / _tree.MANIFEST_NAME, folder / _DONE_NAME)
        finally:
            archive.unlink(missing_ok=True)
            for build in _tree.builds_in(folder):
                shutil.rmtree(build)
    return given
