"""audioviz._child.ChildCall: a function run in a forked child, as if called here."""
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pytest

from audioviz._child import ChildCall, can_fork

linux_only = pytest.mark.skipif(not can_fork(), reason="ChildCall forks on Linux only")


def _pid_and_sum(values):
    return os.getpid(), sum(values)


def _fails():
    raise ValueError("n_fft must be at most 4096, got 9999")


def _warns_then_returns():
    warnings.warn("64 of n_mels=64 mel filters are empty", UserWarning)
    warnings.warn("a second one", RuntimeWarning)
    return "done"


class _Stubborn(Exception):
    """An exception that does not unpickle (its __init__ wants two arguments)."""

    def __init__(self, path, why):
        super().__init__(f"{path}: {why}")


def _fails_stubbornly():
    raise _Stubborn("a.wav", "damaged header")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


@linux_only
def test_the_value_comes_back_from_another_process():
    with ChildCall(_pid_and_sum, [1, 2, 3]) as call:
        pid, total = call.result()
    assert total == 6 and pid != os.getpid()
    assert call.pid is None  # reaped


def test_errors_are_raised_here_with_their_type_and_message():
    with ChildCall(_fails) as call:
        with pytest.raises(ValueError, match="n_fft must be at most 4096, got 9999"):
            call.result()


def test_warnings_are_repeated_here_once():
    with ChildCall(_warns_then_returns) as call:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert call.result() == "done"
            assert call.result() == "done"  # a second call gives the value, not the warnings again
    assert [(str(w.message), w.category) for w in caught] == [
        ("64 of n_mels=64 mel filters are empty", UserWarning), ("a second one", RuntimeWarning)]


@linux_only
def test_an_exception_that_does_not_unpickle_arrives_as_its_builtin_base():
    with ChildCall(_fails_stubbornly) as call:
        with pytest.raises(Exception, match="a.wav: damaged header") as raised:
            call.result()
    assert type(raised.value) is Exception


@linux_only
def test_leaving_the_block_early_kills_the_child():
    with pytest.raises(KeyboardInterrupt):
        with ChildCall(time.sleep, 60) as call:
            pid = call.pid
            assert _alive(pid)
            raise KeyboardInterrupt
    assert not _alive(pid)
    assert call.pid is None and call._read_end is None


@linux_only
def test_the_child_dies_with_its_parent(tmp_path):
    """A parent killed outright (SIGKILL: no Python code runs) takes its child with it."""
    script = textwrap.dedent("""
        import sys, time
        from audioviz._child import ChildCall
        call = ChildCall(time.sleep, 60)
        print(call.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert _alive(child)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        parent.stdout.close()
    for _ in range(200):  # the kernel delivers the signal at once; allow a slow machine 10 s
        if not _alive(child):
            break
        time.sleep(0.05)
    assert not _alive(child)
