"""The one place that decides where audioviz keeps its cache (synthetic datasets, tutorial models).

:func:`cache_root` reads ``AUDIOVIZ_CACHE`` (default ``~/.cache/audioviz``) and checks it before
anything is written there, so a bad setting is reported once, naming the variable and what to
do, instead of surfacing later as a traceback from deep inside a dataset or training run.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_root"]

#: Environment variable that moves the cache folder.
CACHE_ENV = "AUDIOVIZ_CACHE"


def _default_root() -> Path:
    try:
        return Path.home() / ".cache" / "audioviz"
    except (RuntimeError, KeyError) as exc:  # no HOME and no password entry (bare containers)
        raise RuntimeError(f"cannot find a home folder for the audioviz cache ({exc}); "
                           f"set {CACHE_ENV} to a writable folder") from None


def _configured_root() -> Path:
    value = os.environ.get(CACHE_ENV, "").strip()
    if not value:
        return _default_root()
    try:
        path = Path(value).expanduser()
    except RuntimeError:  # Python >= 3.12 raises here for "~name" with no user "name"
        path = Path(value)
    if str(path).startswith("~"):
        # older Pythons leave "~name/..." untouched when there is no user "name"
        raise ValueError(f"{CACHE_ENV}={value!r} starts with '~' but names no known user; "
                         f"give an absolute path such as {str(_default_root())!r}")
    # absolute, so that a later chdir does not move the cache
    return path.absolute()


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def cache_root(*, create: bool = True) -> Path:
    """The audioviz cache folder: ``$AUDIOVIZ_CACHE`` if set (and not empty), else
    ``~/.cache/audioviz``.

    Synthetic datasets live in ``<cache>/speech_commands`` and the tutorials' trained models in
    ``<cache>/models``. Every part of audioviz that caches something asks this function.

    Parameters
    ----------
    create : bool, optional
        Create the folder (and its parents) if missing. With ``False`` nothing is created, but
        the folder, or its nearest existing parent, must still be a writable folder.
        Default: ``True``.

    Returns
    -------
    pathlib.Path
        Absolute path of the cache folder.

    Raises
    ------
    ValueError
        ``AUDIOVIZ_CACHE`` starts with ``~name`` for a user that does not exist.
    NotADirectoryError
        ``AUDIOVIZ_CACHE`` (or one of its parents) is a file.
    PermissionError
        The folder cannot be written.

    Examples
    --------
    >>> from audioviz._cache import cache_root
    >>> root = cache_root(create=False)
    >>> root.is_absolute()
    True
    """
    root = _configured_root()
    where = f"{CACHE_ENV}={str(root)!r}" if os.environ.get(CACHE_ENV, "").strip() else f"{str(root)!r}"
    existing = _nearest_existing(root)
    if not existing.is_dir():
        raise NotADirectoryError(f"the audioviz cache folder {where} cannot be made: {str(existing)!r} is "
                                 f"a file; point {CACHE_ENV} at a folder")
    if create and existing != root:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise type(exc)(exc.errno, f"cannot create the audioviz cache folder {where}: {exc.strerror}; "
                                       f"point {CACHE_ENV} at a writable folder") from None
        existing = root
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"the audioviz cache folder {where} is not writable ({str(existing)!r}); "
                              f"point {CACHE_ENV} at a writable folder")
    return root
