"""What a training run keeps on disk: the resumable state, the folder lock, and clear errors
when either cannot be read or written.

``DIR/train_state.pt`` holds everything :func:`audioviz.model.train` needs to continue after an
interruption (weights, optimiser, schedule, history, the best weights so far) and is checked
before use: an empty, corrupt or foreign file is a ValueError naming it and saying what to do.
``DIR/.audioviz_train.lock`` keeps a second run out of the folder while one trains.
"""
from __future__ import annotations

import contextlib
import errno
import pickle
import shutil
import zipfile
from pathlib import Path

import torch

__all__ = ["LOCK_NAME", "STATE_FORMAT", "STATE_NAME", "read_state", "resume_state", "training_lock", "writing"]

STATE_NAME = "train_state.pt"
STATE_FORMAT = "audioviz.train_state"
LOCK_NAME = ".audioviz_train.lock"


@contextlib.contextmanager
def training_lock(out_dir: Path):
    """Hold ``out_dir``'s lock for the run: a second ``train`` into the same folder fails at once
    instead of interleaving its files with the first one's."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, writes are still atomic
        yield
        return
    with open(out_dir / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another training is writing into {out_dir} (it holds {out_dir / LOCK_NAME}); "
                               "wait for it to finish, or train into another folder") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def writing(path: Path):
    """Turn torch's write failure (``enforce fail at inline_container.cc ...``) into an error that
    names ``path``: an OSError "no space left" when the disk is (nearly) full."""
    try:
        yield
    except RuntimeError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        try:
            free = shutil.disk_usage(path.parent).free
        except OSError:
            free = None
        if free is not None and free < 64 * 2**20:
            raise OSError(errno.ENOSPC, f"No space left on device ({free // 2**20} MB free); free some space and "
                          "run again with --resume", str(path)) from None
        raise RuntimeError(f"cannot write {path}: {first}") from None


def read_state(path: Path) -> dict:
    """The training state at ``path``, or a ValueError naming the file and what to do."""
    advice = f"delete {path} to start again, or train into a new folder"
    if path.stat().st_size == 0:
        raise ValueError(f"cannot resume: {path} is empty (0 bytes); {advice}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, UnicodeDecodeError, IndexError,
            AttributeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValueError(f"cannot resume: {path} is truncated, corrupt or not a torch file ({first}); {advice}") from None
    keys = {"settings", "epoch", "model", "optimizer", "scheduler", "history", "best", "best_model"}
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT or not keys <= set(state):
        raise ValueError(f"cannot resume: {path} is not an audioviz training state (written by another program "
                         f"or an older audioviz); {advice}")
    return state


def resume_state(state_path: Path, settings: dict, model, optimizer, scheduler) -> dict:
    """Load an interrupted run's state into the model, optimiser and schedule; the progress so far."""
    state = read_state(state_path)
    if state["settings"] != settings:
        diff = sorted(k for k in settings if state["settings"].get(k) != settings[k])
        raise ValueError(f"cannot resume {state_path.parent}: the interrupted run used different settings "
                         f"({', '.join(diff)}); use the same options, or a new --out folder")
    try:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
    except (RuntimeError, ValueError, KeyError) as exc:
        raise ValueError(f"cannot resume: {state_path} does not fit this model ({exc}); delete it to start "
                         "again") from None
    return {"epoch": int(state["epoch"]), "history": list(state["history"]), "best": dict(state["best"]),
            "best_model": state["best_model"]}
