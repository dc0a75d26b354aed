"""The synthetic dataset under faults (issue 10): bounds, roots, locks, damage, determinism,
interruption, and the real test set's download (offline: a local archive through file://)."""
from __future__ import annotations

import ctypes
import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st

from audioviz.cli import main
from audioviz.data import (
    SPEECH_COMMANDS_KEYWORDS,
    download_speech_commands_test_set,
    near_misses,
    neither_vocabulary,
    real_speech_commands_root,
    synthesize_speech_commands,
    verify_synthetic_dataset,
)
from audioviz.data import _real, _synth, _tree
from audioviz.data._espeak import ESpeak

TINY = {"per_word": 2, "unknown_words": ("go",), "unknown_per_word": 1, "silence": 1, "seed": 0,
        "progress": False, "processes": 1}


def _files(root: Path) -> dict:
    return json.loads((root / "manifest.json").read_text())["files"]


# ----------------------------------------------------------------------------------------------
# what audioviz did not create is never touched


def test_user_files_beside_and_named_like_ours_survive(tmp_path):
    (tmp_path / ".data.partial").mkdir()
    (tmp_path / ".data.partial" / "keep.txt").write_text("mine")
    (tmp_path / ".data.lock").write_text("mine too")
    root = synthesize_speech_commands(tmp_path / "data", **TINY)
    assert (tmp_path / ".data.partial" / "keep.txt").read_text() == "mine"
    assert (tmp_path / ".data.lock").read_text() == "mine too"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".data.lock", ".data.partial", "data"]
    assert verify_synthetic_dataset(root).ok


def test_a_foreign_build_like_folder_is_refused_not_deleted(tmp_path):
    # a folder that only looks like ours (no audioviz marker) is the user's
    (tmp_path / "r" / ".audioviz-build-abc").mkdir(parents=True)
    with pytest.raises(ValueError, match="not an empty folder.*audioviz-build-abc"):
        synthesize_speech_commands(tmp_path / "r", **TINY)
    assert (tmp_path / "r" / ".audioviz-build-abc").is_dir()


# ----------------------------------------------------------------------------------------------
# roots that cannot be renamed: a mount point, a symlink to an empty folder, "."


@pytest.fixture
def root_never_renamed(monkeypatch):
    """Make renaming or removing the root itself fail as it does on a mount point (EBUSY)."""
    guarded = []
    real_replace, real_rename, real_rmdir = os.replace, os.rename, os.rmdir

    def guard(*paths):
        for p in paths:
            if any(Path(p).absolute() == g for g in guarded):
                raise OSError(errno.EBUSY, "Device or resource busy", str(p))

    monkeypatch.setattr(os, "replace", lambda a, b, **k: (guard(a, b), real_replace(a, b, **k))[1])
    monkeypatch.setattr(os, "rename", lambda a, b, **k: (guard(a, b), real_rename(a, b, **k))[1])
    monkeypatch.setattr(os, "rmdir", lambda a, **k: (guard(a), real_rmdir(a, **k))[1])
    return guarded


def test_mount_point_like_root_is_filled_in_place(tmp_path, root_never_renamed):
    mount = tmp_path / "volume"
    mount.mkdir()
    (mount / "lost+found").mkdir()  # what a fresh ext4 volume holds
    root_never_renamed.append(mount)
    synthesize_speech_commands(mount, **TINY)
    assert verify_synthetic_dataset(mount).ok and (mount / "lost+found").is_dir()


def test_symlink_to_an_empty_folder(tmp_path, root_never_renamed):
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    root_never_renamed.append(tmp_path / "target")
    assert synthesize_speech_commands(tmp_path / "link", **TINY) == tmp_path / "link"
    assert (tmp_path / "link").is_symlink() and (tmp_path / "target" / "manifest.json").is_file()
    assert synthesize_speech_commands(tmp_path / "link", **TINY) == tmp_path / "link"  # reused


def test_dot_in_an_empty_folder(tmp_path, monkeypatch, root_never_renamed):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    root_never_renamed.append(tmp_path / "here")
    assert main(["data", "synth", "--root", ".", "--per-word", "2", "--unknown-words", "none", "--quiet"]) == 0
    assert verify_synthetic_dataset(".").ok and sorted(os.listdir(tmp_path)) == ["here"]


def test_roots_that_cannot_hold_a_tree(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        synthesize_speech_commands(tmp_path / "file", **TINY)
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    with pytest.raises(OSError, match="symbolic link loop") as info:
        synthesize_speech_commands(tmp_path / "loop1", **TINY)
    assert info.value.errno == errno.ELOOP
    assert main(["data", "synth", "--root", str(tmp_path / "loop1"), "--per-word", "2"]) == 1
    err = capsys.readouterr().err
    assert "symbolic link loop" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_full_disk_or_a_read_only_root_is_found_before_synthesis(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("nothing may be synthesised")

    monkeypatch.setattr(_synth, "_run_jobs", fail)
    real_usage = _tree.shutil.disk_usage
    monkeypatch.setattr(_tree.shutil, "disk_usage", lambda p: real_usage(p)._replace(free=1000))
    with pytest.raises(OSError, match="needs about .* MB but only 0 MB are free") as info:
        synthesize_speech_commands(tmp_path / "full", **TINY)
    assert info.value.errno == errno.ENOSPC
    assert list((tmp_path / "full").iterdir()) == []  # refused before any build was started
    monkeypatch.setattr(_tree.os, "access", lambda *a, **k: False)
    with pytest.raises(PermissionError, match="cannot write in the dataset root"):
        synthesize_speech_commands(tmp_path / "read_only", **TINY)


# ----------------------------------------------------------------------------------------------
# one writer at a time


@pytest.mark.skipif(sys.platform == "win32", reason="no flock on Windows")
def test_a_second_run_waits_for_the_first(tmp_path, capfd):
    import fcntl

    root = tmp_path / "shared"
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process writing this root
    done = []
    worker = threading.Thread(target=lambda: done.append(synthesize_speech_commands(root, **{**TINY,
                                                                                          "progress": True})))
    worker.start()
    deadline = time.monotonic() + 30
    while "waiting" not in capfd.readouterr().err and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.is_alive() and not done and not (root / "manifest.json").exists()
    os.close(fd)  # the other process is done
    worker.join(60)
    assert done == [root] and verify_synthetic_dataset(root).ok


# ----------------------------------------------------------------------------------------------
# damage is found


def test_changed_and_missing_clips_are_found(tmp_path, capsys):
    root = synthesize_speech_commands(tmp_path / "d", **TINY)
    clip = sorted((root / "yes").iterdir())[0]
    data = bytearray(clip.read_bytes())
    data[-1] ^= 1
    clip.write_bytes(bytes(data))
    (root / "no" / "mine.wav").write_bytes(b"")
    with pytest.raises(ValueError, match=f"damaged.*1 differ.*{clip.name}.*audioviz data check"):
        synthesize_speech_commands(root, **TINY)
    check = verify_synthetic_dataset(root)
    assert not check.ok and check.changed == (f"yes/{clip.name}",) and check.unexpected == ("no/mine.wav",)
    assert main(["data", "check", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"changed: yes/{clip.name}" in err and "not in the manifest: no/mine.wav" in err
    clip.unlink()
    assert verify_synthetic_dataset(root).missing == (f"yes/{clip.name}",)
    assert main(["data", "check", str(tmp_path / "nothing")]) == 1


# ----------------------------------------------------------------------------------------------
# determinism


def test_breathy_voices_do_not_depend_on_the_c_librarys_random_state():
    """The cause of ``--processes 2`` differing: eSpeak's breathy Klatt voices draw from libc's
    rand(), which a worker's earlier batches had advanced."""
    libc = ctypes.CDLL(None)

    def say_fresh(disturb: int) -> bytes:
        for _ in range(disturb):
            libc.rand()
        with ESpeak() as engine:
            return engine.say("yes", voice="en-gb-scotland+caleb", rate=120, pitch=40, pitch_range=50, seed=7).tobytes()

    assert say_fresh(0) == say_fresh(1) == say_fresh(977)


def test_processes_do_not_change_the_bytes_with_breathy_voices(tmp_path):
    speakers = _synth._plan_speakers(("yes",), 400, 0, _synth.SynthesisConfig())
    breathy = [s for s in speakers if s["voice"].endswith(("+caleb", "+Reed"))][:2]
    assert breathy, "the plan has no breathy voice: choose another seed for this test"
    clips = [c for s in breathy for c in _synth._clips_of(s, ("yes",), 0)]
    config = _synth.SynthesisConfig().to_dict()
    libc = ctypes.CDLL(None)
    digests = []
    for disturb in (0, 1234):
        for _ in range(disturb):
            libc.rand()
        out = tmp_path / f"run{disturb}"
        _synth._render_chunk((0, clips, config, 0, str(out)))
        digests.append(json.loads((out / ".state" / "chunk_00000.json").read_text()))
    assert digests[0] == digests[1]


# ----------------------------------------------------------------------------------------------
# interruption


def test_ctrl_c_ends_with_130_and_says_how_to_resume(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_synth, "_run_jobs", interrupted)
    assert main(["data", "synth", "--root", str(tmp_path / "r"), "--per-word", "2", "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "resume" in err and "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_real_sigint_stops_the_workers_quietly(tmp_path):
    command = [sys.executable, "-m", "audioviz", "data", "synth", "--root", str(tmp_path / "r"), "--per-word", "400",
               "--processes", "2", "--quiet"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((tmp_path / "r").glob(".audioviz-build-*/.state/chunk_*")):
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "resume" in err
    assert not (tmp_path / "r" / "manifest.json").exists()


# ----------------------------------------------------------------------------------------------
# the "neither" vocabulary


def test_neither_vocabulary_has_near_misses_and_no_homophones():
    vocabulary = neither_vocabulary(("yes", "no"))
    near = vocabulary["near_misses"]
    for word in ("go", "nose", "guess", "yet", "yesterday", "noted", "yell", "mess", "snow"):
        assert word in near
    every = [w for group in vocabulary.values() for w in group]
    assert len(every) == len(set(every)) and len(every) > 500
    assert "know" not in every and "yes" not in every and "no" not in every  # "know" sounds like "no"
    ten = neither_vocabulary(SPEECH_COMMANDS_KEYWORDS)
    assert "write" not in [w for g in ten.values() for w in g]  # sounds like "right"
    assert not set(ten["speech_commands"]) & set(SPEECH_COMMANDS_KEYWORDS)
    assert "sheila" in ten["speech_commands"] and "marvin" in ten["speech_commands"]
    # near misses for a word no table knows, from the vocabulary's rhymes and onsets
    assert set(near_misses("kitten")) & {"kick", "king", "kitchen"}


def test_the_neither_side_of_a_tree(tmp_path):
    root = synthesize_speech_commands(tmp_path / "n", words=("up",), per_word=12, unknown_per_word=None,
                                      silence=60, seed=2, processes=1, progress=False,
                                      unknown_words=("cup", "sheila"))
    silence = [soundfile.read(p, dtype="int16")[0] for p in sorted((root / "_silence_").iterdir())]
    peaks = np.array([np.abs(s.astype(int)).max() for s in silence])
    assert len(silence) == 60 and all(len(s) == 16000 for s in silence)
    # many levels: digital silence and near-silence as well as loud noise
    assert (peaks <= 2).any() and (peaks > 3000).any() and len(np.unique(peaks)) > 30
    split = (root / "validation_list.txt").read_text() + (root / "testing_list.txt").read_text()
    assert "_silence_/" in split


def test_cut_off_words_keep_only_their_end():
    rng = np.random.default_rng(0)
    word = np.concatenate([np.zeros(500), np.ones(10000), np.zeros(500)]) * 1000
    part = _synth._cut_off(word, rng)
    assert 0.3 * 10000 < len(part) < 0.7 * 10000 and part[0] == 0 and part.max() == 1000  # faded in, then the word


# ----------------------------------------------------------------------------------------------
# the real test set: download (offline, from a local archive) and discovery


def _archive(path: Path, members: dict, *, links: dict | None = None) -> str:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wav() -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros(16000, np.int16), 16000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


CANONICAL = {"./yes/0a1b2c3d_nohash_0.wav": _wav(), "./no/0a1b2c3d_nohash_0.wav": _wav(),
             "./_unknown_/eight_0a1b2c3d_nohash_0.wav": _wav(), "./_silence_/0.wav": _wav(), "./LICENSE": b"CC-BY-4.0"}


def test_download_from_a_local_archive(tmp_path, monkeypatch):
    digest = _archive(tmp_path / "test_set.tar.gz", CANONICAL)
    monkeypatch.setenv("AUDIOVIZ_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("AUDIOVIZ_SPEECH_COMMANDS", raising=False)
    assert real_speech_commands_root() is None
    url = (tmp_path / "test_set.tar.gz").as_uri()
    root = download_speech_commands_test_set(url=url, sha256=digest, progress=False)
    assert root == _real.download_location()
    assert sorted(p.name for p in root.iterdir()) == [".audioviz-download.json", "LICENSE", "_silence_", "_unknown_",
                                                      "no", "yes"]
    assert real_speech_commands_root() == root
    assert download_speech_commands_test_set(url="file:///nowhere", sha256=digest, progress=False) == root  # done


def test_download_refuses_a_bad_checksum_and_unsafe_archives(tmp_path):
    good = _archive(tmp_path / "good.tar.gz", CANONICAL)
    with pytest.raises(ValueError, match="SHA-256"):
        download_speech_commands_test_set(tmp_path / "a", url=(tmp_path / "good.tar.gz").as_uri(), sha256="0" * 64,
                                          progress=False)
    assert list((tmp_path / "a").iterdir()) == []  # nothing left that looks downloaded
    for name, members, links in (("escape", {**CANONICAL, "../evil.txt": b"x"}, None),
                                 ("absolute", {**CANONICAL, "/tmp/evil.txt": b"x"}, None),
                                 ("link", CANONICAL, {"./yes/link.wav": "/etc/passwd"})):
        digest = _archive(tmp_path / f"{name}.tar.gz", members, links=links)
        with pytest.raises(ValueError, match="refusing"):
            download_speech_commands_test_set(tmp_path / name, url=(tmp_path / f"{name}.tar.gz").as_uri(),
                                              sha256=digest, progress=False)
        assert list((tmp_path / name).iterdir()) == []
    assert not (tmp_path / "evil.txt").exists() and good


def test_download_offline_is_a_clear_error(tmp_path, monkeypatch, capsys):
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(errno.ENETUNREACH, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(OSError, match="cannot download .*AUDIOVIZ_SPEECH_COMMANDS"):
        download_speech_commands_test_set(tmp_path / "x", progress=False)
    assert main(["data", "download", "--root", str(tmp_path / "y"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "AUDIOVIZ_SPEECH_COMMANDS" in err and "Traceback" not in err


def test_real_root_from_the_environment_either_layout(tmp_path, monkeypatch):
    canonical = tmp_path / "canonical"
    for name, data in CANONICAL.items():
        (canonical / name).parent.mkdir(parents=True, exist_ok=True)
        (canonical / name).write_bytes(data)
    monkeypatch.setenv("AUDIOVIZ_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("AUDIOVIZ_SPEECH_COMMANDS", str(canonical))
    assert real_speech_commands_root() == canonical
    torchaudio_layout = tmp_path / "ta"
    synthesize_speech_commands(torchaudio_layout / "SpeechCommands" / "speech_commands_v0.02", **TINY)
    monkeypatch.setenv("AUDIOVIZ_SPEECH_COMMANDS", str(torchaudio_layout))
    assert real_speech_commands_root() == torchaudio_layout


def test_a_symlink_loop_inside_a_tree_is_reported(tmp_path):
    root = synthesize_speech_commands(tmp_path / "t", **TINY)
    victim = sorted((root / "yes").iterdir())[0]
    victim.unlink()
    victim.symlink_to(victim)  # a listed clip replaced by a link to itself
    (root / "no" / "loop.wav").symlink_to(root / "no" / "loop.wav")
    check = verify_synthetic_dataset(root)
    assert check.missing == (f"yes/{victim.name}",) and "no/loop.wav" in check.unexpected


# ----------------------------------------------------------------------------------------------
# any rejected argument names itself


_NAMES = ("per_word", "unknown_per_word", "silence", "seed", "processes")
# out-of-range integers, and things that are no count at all (None is a valid "default" for three)
_VALUES = st.one_of(st.integers(-10**12, -1), st.integers(2**32, 10**15), st.floats(allow_nan=True),
                    st.text(max_size=5), st.none(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(_NAMES), value=_VALUES)
def test_every_rejected_count_names_its_parameter(tmp_path_factory, name, value):
    root = tmp_path_factory.getbasetemp() / "never"
    if value is None and name in ("unknown_per_word", "silence", "processes"):
        return
    with pytest.raises((ValueError, TypeError)) as info:
        synthesize_speech_commands(root, **{**TINY, name: value})
    assert name in str(info.value)
    assert not root.exists()


def test_an_interrupted_placement_is_finished_by_the_next_run(tmp_path, monkeypatch):
    root = tmp_path / "p"
    real_replace = os.replace
    moves = []

    def replace_then_stop(a, b, **kwargs):
        if Path(b).parent == root:
            moves.append(b)
            if len(moves) == 5:  # README, the noise, _silence_ and the word "go" moved
                raise KeyboardInterrupt
        return real_replace(a, b, **kwargs)

    monkeypatch.setattr(_tree.os, "replace", replace_then_stop)
    with pytest.raises(KeyboardInterrupt):
        synthesize_speech_commands(root, **TINY)
    monkeypatch.setattr(_tree.os, "replace", real_replace)
    assert not (root / "manifest.json").exists() and (root / "go").is_dir()
    assert len(list(root.iterdir())) == 5  # 4 moved + the build
    synthesize_speech_commands(root, **TINY)
    assert verify_synthetic_dataset(root).ok and not list(root.glob(".audioviz-*"))


def test_real_root_finds_googles_test_layout_when_named(monkeypatch, tmp_path):
    test_set = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech_commands_v0.02_test"
    if not test_set.is_dir():
        pytest.skip("the real Speech Commands test clips are not beside the repository")
    monkeypatch.setenv("AUDIOVIZ_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("AUDIOVIZ_SPEECH_COMMANDS", str(test_set))
    assert real_speech_commands_root() == test_set
