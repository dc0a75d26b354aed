"""The command line's one rule for failures (audioviz.cli.main): a user or OS error is one line
"audioviz: error: ..." and exit 1, a usage error exit 2, Ctrl-C exit 130 with the command's
hint, AUDIOVIZ_DEBUG=1 shows the traceback. Tested in-process and through a real subprocess."""
from __future__ import annotations

import errno
import os
import subprocess
import sys

import matplotlib.figure
import pytest

import audioviz
import audioviz._cli_show
from audioviz import cli
from audioviz._cache import cache_root

SR = 16000


@pytest.fixture
def wav(tmp_path, tone):
    return audioviz.save_audio(tmp_path / "tone.wav", tone, SR)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("audioviz: error: ")
    return lines[0]


@pytest.mark.parametrize("audio, out, expected", [
    ("{tmp}/missing.wav", "{tmp}/o.png", "audio file not found"),
    ("{tmp}", "{tmp}/o.png", "AUDIO must be an audio file, got the folder"),
    ("{wav}", "{tmp}", "--out must be an image file name, got the folder"),
    ("{wav}", "{wav}/o.png", "not a directory"),
    ("{wav}", "{wav}/deeper/o.png", "not a directory"),
])
def test_wrong_paths_are_one_line_and_exit_1(wav, tmp_path, capsys, audio, out, expected):
    def fill(text):
        return text.replace("{wav}", str(wav)).replace("{tmp}", str(tmp_path))

    assert cli.main(["show", fill(audio), "--out", fill(out)]) == 1
    assert expected in _one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tone.wav"]  # nothing left behind


def test_a_read_only_folder_is_named(wav, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: make the permission check see what a user would
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(folder) else real_access(p, mode))
    else:
        folder.chmod(0o500)
    try:
        assert cli.main(["show", str(wav), "--out", str(folder / "o.png")]) == 1
    finally:
        folder.chmod(0o700)
    line = _one_error_line(capsys)
    assert f"{folder / 'o.png'}: permission denied" in line and "choose a location you can write to" in line


def test_a_full_disk_is_a_message_and_leaves_no_partial_file(wav, tmp_path, capsys, monkeypatch):
    def full(self, target, **kwargs):
        with open(target, "wb") as handle:
            handle.write(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full)
    out = tmp_path / "figs" / "o.png"
    assert cli.main(["show", str(wav), "--out", str(out), "--dpi", "30"]) == 1
    line = _one_error_line(capsys)
    assert f"{out}: no space left on device (the disk is full" in line
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize("value, expected", [
    ("{file}", "is a file; point AUDIOVIZ_CACHE at a folder"),
    ("{file}/below", "is a file; point AUDIOVIZ_CACHE at a folder"),
    ("~nouser-audioviz/x", "names no known user"),
])
def test_a_bad_audioviz_cache_is_one_line(wav, tmp_path, capsys, monkeypatch, value, expected):
    monkeypatch.setenv("AUDIOVIZ_CACHE", value.replace("{file}", str(wav)))
    monkeypatch.setattr(audioviz._cli_show, "run", lambda args: cache_root() and 0)
    assert cli.main(["show", str(wav)]) == 1
    assert expected in _one_error_line(capsys)


def test_cache_root_follows_the_variable_and_creates_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOVIZ_CACHE", str(tmp_path / "a" / "cache"))
    assert cache_root() == tmp_path / "a" / "cache" and (tmp_path / "a" / "cache").is_dir()
    monkeypatch.setenv("AUDIOVIZ_CACHE", "")
    assert cache_root(create=False).name == "audioviz"


def test_ctrl_c_exits_130_with_the_commands_hint(wav, capsys, monkeypatch):
    def interrupted(args):
        cli.interrupt_hint("run the same command with --resume to continue")
        raise KeyboardInterrupt

    monkeypatch.setattr(audioviz._cli_show, "run", interrupted)
    assert cli.main(["show", str(wav)]) == 130
    err = capsys.readouterr().err
    assert "audioviz: interrupted; run the same command with --resume to continue" in err
    assert "Traceback" not in err
    # the hint belongs to that run only
    monkeypatch.setattr(audioviz._cli_show, "run", lambda args: (_ for _ in ()).throw(KeyboardInterrupt))
    assert cli.main(["show", str(wav)]) == 130
    assert capsys.readouterr().err.strip() == "audioviz: interrupted"


def test_sigterm_unwinds_like_ctrl_c_and_exits_143(wav, capsys, monkeypatch):
    import signal

    cleaned = []

    def killed(args):
        cli.interrupt_hint("finished batches are kept")
        try:
            os.kill(os.getpid(), signal.SIGTERM)  # the handler raises here, in the main thread
            raise AssertionError("SIGTERM did not interrupt the command")
        finally:
            cleaned.append(True)

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(audioviz._cli_show, "run", killed)
    assert cli.main(["show", str(wav)]) == 143
    err = capsys.readouterr().err
    assert err.strip() == "audioviz: terminated; finished batches are kept" and cleaned == [True]
    assert signal.getsignal(signal.SIGTERM) == before  # restored for whoever called main()


def test_a_killed_synthesis_stops_its_workers_without_tracebacks(tmp_path):
    """``kill`` during ``audioviz data synth`` with two worker processes: exit 143, one line, and
    no worker left running."""
    import signal
    import time

    root = tmp_path / "tree"
    # 2000 clips a word: some 20 s of rendering on 2 cores, so the signal lands while the workers
    # render (a 200-clip tree, as once used here, can finish within a second on a fast machine)
    command = [sys.executable, "-m", "audioviz", "data", "synth", "--root", str(root), "--per-word", "2000",
               "--processes", "2", "--quiet"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline, workers = time.monotonic() + 120, []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)  # until the pool runs
        workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert proc.poll() is None, proc.stderr.read()
    assert len(workers) == 2, f"the synthesis runs {len(workers)} worker processes, expected 2"
    while not any(root.rglob("*.wav")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)  # until the workers have rendered their first clips
    assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and err.strip().splitlines() == [err.strip()], err
    assert err.startswith("audioviz: terminated")
    time.sleep(0.5)
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower(), pid


def test_an_exception_may_carry_a_hint(wav, capsys, monkeypatch):
    def failing(args):
        exc = RuntimeError("the dataset tree is damaged")
        exc.hint = "run audioviz data check"
        raise exc

    monkeypatch.setattr(audioviz._cli_show, "run", failing)
    assert cli.main(["show", str(wav)]) == 1
    assert _one_error_line(capsys) == "audioviz: error: the dataset tree is damaged; run audioviz data check"


def test_audioviz_debug_shows_the_traceback(wav, monkeypatch):
    monkeypatch.setenv("AUDIOVIZ_DEBUG", "1")
    with pytest.raises(FileNotFoundError):
        cli.main(["show", "missing.wav"])


def test_usage_errors_exit_2(capsys):
    assert cli.main(["show"]) == 2
    assert "the following arguments are required: AUDIO" in capsys.readouterr().err
    assert cli.main(["no-such-command"]) == 2


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "audioviz", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path):
    result = _run("show", str(tmp_path / "missing.wav"), "--out", str(tmp_path / "o.png"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"audioviz: error: audio file not found: {tmp_path / 'missing.wav'}"
    debug = _run("show", str(tmp_path / "missing.wav"), env={"AUDIOVIZ_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    usage = _run("show", str(tmp_path), "--n-fft", "0")
    assert usage.returncode == 2 and "argument --n-fft" in usage.stderr
