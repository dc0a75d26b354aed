"""Run one function in a forked child process while this one does something else.

``audioviz show`` spends about as long importing matplotlib (pure Python, holding the GIL) as it
spends reading and computing the file (numpy). Threads cannot overlap the two: the import keeps
taking the GIL back from the computing threads. A forked child has its own interpreter, so on a
machine with two cores the file is computed in the child while the parent imports matplotlib
and builds the empty figure.

:class:`ChildCall` gives back what the function returned, re-raises what it raised and repeats
the warnings it gave, as if it had been called here. Where ``os.fork`` is missing or unsafe (not
Linux) the function is simply called in this process.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import warnings

__all__ = ["ChildCall", "can_fork"]


def can_fork() -> bool:
    """Whether :class:`ChildCall` forks here: Linux only (macOS forbids fork after some system
    libraries have started threads; Windows has no fork)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def _portable(error: BaseException) -> BaseException:
    """``error`` itself when it survives pickling, else the first built-in class it derives from
    with the same message (an exception class with a custom ``__init__`` may not unpickle)."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        for kind in type(error).__mro__:
            if kind.__module__ == "builtins" and issubclass(kind, BaseException):
                return kind(str(error))
        return RuntimeError(str(error))


def _child(function, args, kwargs, write_end: int) -> None:
    """In the child: call, send ``(outcome, value, warnings)`` and leave at once (``os._exit``: no
    atexit handlers, no flushing of buffers the parent also holds)."""
    status = 1
    try:
        with warnings.catch_warnings(record=True) as caught:
            try:
                payload = ("value", function(*args, **kwargs))
            except Exception as error:
                payload = ("error", _portable(error))
        said = [(warning.message, warning.category) for warning in caught]
        data = pickle.dumps((*payload, said), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        status = 0
    except BaseException:  # the parent gave up (closed pipe, killed): nothing to say
        pass
    finally:
        os._exit(status)


def _die_with_parent(parent: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except Exception:  # no prctl: the child then ends by itself once it has computed
        pass
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)


class ChildCall:
    """``function(*args, **kwargs)`` started in a forked child; :meth:`result` waits for it.

    Use it as a context manager: leaving the block early (an error, Ctrl-C) kills the child.

    Example:
        >>> with ChildCall(sum, [1, 2, 3]) as call:
        ...     call.result()
        6
    """

    def __init__(self, function, *args, **kwargs):
        self.pid = self._read_end = None
        self._outcome = None
        if not can_fork():
            try:
                self._outcome = ("value", function(*args, **kwargs), [])
            except Exception as error:
                self._outcome = ("error", error, [])
            return
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            # the parent alone answers Ctrl-C and kill, by killing this child; were the parent
            # killed outright, the kernel kills the child too (Linux's PR_SET_PDEATHSIG)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _die_with_parent(parent)
            _child(function, args, kwargs, write_end)
        os.close(write_end)
        self.pid, self._read_end = pid, read_end

    def result(self):
        """What the function returned; what it raised is raised here, its warnings warned here."""
        if self._outcome is None:
            pipe, self._read_end = os.fdopen(self._read_end, "rb"), None  # the file object owns it now
            with pipe:
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            if not data:
                code = os.waitstatus_to_exitcode(status)
                raise RuntimeError(f"the process computing the file ended without an answer (exit status {code})")
            self._outcome = pickle.loads(data)
        outcome, value, said = self._outcome
        for message, category in said:
            warnings.warn(message, category, stacklevel=2)
        self._outcome = (outcome, value, [])  # said once
        if outcome == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Kill the child if it still runs (idempotent)."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = None
        if self._read_end is not None:
            os.close(self._read_end)
            self._read_end = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.cancel()
        return False
