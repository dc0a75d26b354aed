"""Record your own voice in a notebook: :class:`Recorder`, a microphone widget.

The widget (record / stop, a live level meter, a player of the take) is written with anywidget,
so one piece of JavaScript (``audioviz/_recorder/recorder.js``) runs in JupyterLab 4, Notebook 7
and VS Code. The browser records at its own rate (usually 48000 Hz) and sends the take to Python
as one binary buffer of float32 samples; :attr:`Recorder.waveform` is then a Tensor of shape
``(1, time)`` and :attr:`Recorder.sample_rate` its rate in Hz, ready for :func:`audioviz.show`,
:func:`audioviz.model.predict` (which resamples to the model's 16 kHz and says so) and
:class:`audioviz.explain.GradCAMDisplay`.
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import numpy as np
import torch
import traitlets
from ipywidgets.widgets.trait_types import bytes_serialization

__all__ = ["Recorder"]

_ASSETS = Path(__file__).parent / "_recorder"


class Recorder(anywidget.AnyWidget):
    """A microphone recorder for notebooks; the last take is :attr:`waveform` at :attr:`sample_rate`.

    Press **Record**, speak, press **Stop**: the take arrives in Python, replaces the previous
    one, and the functions given to :meth:`on_recording` are called with it. If the browser has
    no microphone, or permission is refused, the widget says so (and :attr:`error` holds the
    message). A take is at most ``max_seconds`` long.

    Args:
        max_seconds: longest take in seconds; recording stops by itself then. Default: ``10.0``.

    Attributes:
        sample_rate: rate of the last take in Hz (the browser's audio rate), ``0`` before one.
        error: the last microphone problem as the widget showed it, ``""`` if none.

    Example:
        >>> from audioviz import Recorder
        >>> recorder = Recorder(max_seconds=3)
        >>> recorder.has_recording, recorder.max_seconds
        (False, 3.0)
        >>> recorder  # in a notebook: the widget; press Record, say "yes", press Stop  # doctest: +SKIP
        >>> audioviz.show(recorder.waveform, recorder.sample_rate)  # doctest: +SKIP
    """

    # capture.js (the microphone tap and the WAV encoder, shared with the docs' Try-it page) first
    _esm = "\n".join((_ASSETS / name).read_text(encoding="utf-8") for name in ("capture.js", "recorder.js"))
    _css = _ASSETS / "recorder.css"
    # The take: little-endian float32 samples, sent as a binary widget buffer.
    _audio = traitlets.Bytes(b"").tag(sync=True, **bytes_serialization)
    sample_rate = traitlets.Int(0).tag(sync=True)
    max_seconds = traitlets.Float(10.0).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, *, max_seconds: float = 10.0, **kwargs):
        if isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) or not 0 < max_seconds <= 600:
            raise ValueError(f"max_seconds must be a number of seconds in (0, 600], got {max_seconds!r}")
        super().__init__(max_seconds=float(max_seconds), **kwargs)
        self._callbacks = []
        self.observe(self._on_audio, names="_audio")

    @property
    def has_recording(self) -> bool:
        """True once a take has arrived from the browser."""
        return len(self._audio) >= 4 and self.sample_rate > 0

    @property
    def waveform(self) -> torch.Tensor:
        """The last take: float32 Tensor of shape ``(1, time)`` at :attr:`sample_rate` Hz.

        Raises:
            RuntimeError: nothing has been recorded yet (with what to do about it).
        """
        if not self.has_recording:
            hint = f" The widget said: {self.error}" if self.error else ""
            raise RuntimeError("no recording yet: press Record in the widget, speak, then press Stop "
                               "(a live notebook is needed; a static page has no kernel)." + hint)
        samples = np.frombuffer(self._audio, dtype="<f4", count=len(self._audio) // 4)
        return torch.from_numpy(samples.astype(np.float32)).unsqueeze(0)

    @property
    def duration(self) -> float:
        """Length of the last take in seconds (``0.0`` before one)."""
        return (len(self._audio) // 4) / self.sample_rate if self.has_recording else 0.0

    def on_recording(self, callback):
        """Call ``callback(waveform, sample_rate)`` each time a take arrives; returns ``callback``.

        Errors in the callback are printed with their traceback, as ipywidgets does for its own
        callbacks, and do not lose the take.
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {type(callback).__name__}")
        self._callbacks.append(callback)
        return callback

    def _on_audio(self, change):
        if not self.has_recording:
            return
        for callback in list(self._callbacks):
            try:
                callback(self.waveform, self.sample_rate)
            except Exception:  # noqa: BLE001 - shown to the user, as ipywidgets shows callback errors
                import traceback

                traceback.print_exc()

    def __repr__(self) -> str:
        if self.has_recording:
            return f"Recorder({self.duration:.2f} s at {self.sample_rate} Hz)"
        return "Recorder(no recording yet: press Record in a live notebook)"
