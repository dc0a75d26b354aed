"""Shared test set-up: a headless matplotlib backend, figures closed after every test, and
the location of the real Speech Commands sample (tests that need it skip where it is absent)."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def tone():
    """One second of a 440 Hz sine at 16 kHz, shape (1, 16000)."""
    t = torch.arange(16000) / 16000
    return (0.5 * torch.sin(2 * torch.pi * 440 * t)).unsqueeze(0)


@pytest.fixture(scope="session")
def real_speech_root() -> Path:
    """Root of the real Speech Commands yes/no sample, or skip."""
    env = os.environ.get("AUDIOVIZ_SPEECH_COMMANDS")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data" / "speech_commands_yes_no")
    for path in candidates:
        if (path / "SpeechCommands").is_dir():
            return path
    pytest.skip("real Speech Commands sample not found (set AUDIOVIZ_SPEECH_COMMANDS or place ../shared/data)")


@pytest.fixture
def full_disk_for(monkeypatch):
    """``full_disk_for(name)``: from now on, writing the temporary file of ``name`` (what
    ``audioviz._fileio.atomic_path`` makes beside it, ``.<name>.*``) fails as a full disk does."""
    import errno
    import pathlib

    real_write = pathlib.Path.write_bytes

    def install(name: str) -> None:
        def write_bytes(self, data):
            if self.name.startswith(f".{name}."):
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return real_write(self, data)

        monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)

    return install
