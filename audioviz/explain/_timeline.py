"""The classifier listening to a longer recording: its answer over time, detections, false alarms.

A keyword spotter in the real world does not get one tidy second per word: it hears a stream.
:class:`ListeningTimelineDisplay` slides the model's one-second window over a recording (every
``hop`` seconds), keeps the probability of every answer for every window position, smooths them
over a few windows, and turns the peaks into detections: a keyword is detected where its smoothed
probability has a local maximum of at least ``threshold``, and a weaker detection closer than
``suppress`` seconds to a stronger one is dropped (one word fills one window, so it cannot be
heard twice in a second). Given the true position of every word, each detection is a hit (the
word said there) or a false alarm, and false alarms are counted per minute of listening: the
figure voice assistants are judged by.

:func:`synthesize_recording` makes such a recording offline, with the word positions known: words
said by synthetic speakers (:func:`audioviz.data.synthesize_word`), pauses between them and a
steady noise floor.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ._common import NEITHER, check_model, eval_mode, model_labels

__all__ = ["ListeningTimelineDisplay", "SyntheticRecording", "synthesize_recording"]

#: The words of the default recording: the keywords, words that are neither, and a near miss.
DEFAULT_SCRIPT = ("yes", "go", "no", "house", "yes", "off", "no", "wow", "left", "yes", "down", "no", "dog")


@dataclass
class SyntheticRecording:
    """A longer recording with the position of every word in it.

    Attributes:
        waveform: Tensor ``(1, n_samples)`` in [-1, 1].
        sample_rate: in Hz.
        events: one ``(word, start, end)`` per spoken word, in seconds, in time order.
    """

    waveform: torch.Tensor
    sample_rate: int
    events: list = field(default_factory=list)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.waveform.shape[-1] / self.sample_rate


def _word_extent(samples: np.ndarray, *, frame: int = 160, floor_db: float = -35.0) -> tuple[int, int]:
    """First and last sample of the frames within ``floor_db`` of the loudest 10 ms frame."""
    n = len(samples) // frame
    rms = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-20)
    loud = np.flatnonzero(20 * np.log10(rms / rms.max()) > floor_db)
    return int(loud[0] * frame), int((loud[-1] + 1) * frame)


def synthesize_recording(words=DEFAULT_SCRIPT, *, seed: int = 0, pause: tuple = (0.6, 1.6),
                         noise_db: float = -50.0) -> SyntheticRecording:
    """Words said one after another by different synthetic speakers, with pauses and noise.

    Each word is :func:`audioviz.data.synthesize_word` without the simulated room (``augment=False``),
    cut to where its sound is (the frames within 35 dB of its loudest), and placed after a pause
    drawn uniformly from ``pause``; a pause of the same kind starts and ends the recording. White
    noise ``noise_db`` below full scale runs under everything, so the pauses are not digital
    silence.

    Args:
        words: the words in order; each one :func:`~audioviz.data.synthesize_word` can say.
            Default: :data:`DEFAULT_SCRIPT` (yes and no between other words).
        seed: picks the speakers, pauses and noise; same seed, same samples.
        pause: shortest and longest pause between words, in seconds. Default: ``(0.6, 1.6)``.
        noise_db: level of the noise floor in dB re full scale (RMS). Default: ``-50``.

    Returns:
        A :class:`SyntheticRecording` at 16000 Hz with the true ``(word, start, end)`` of each word.

    Example:
        >>> rec = synthesize_recording(["yes", "go"], seed=1)
        >>> [word for word, start, end in rec.events], rec.sample_rate
        (['yes', 'go'], 16000)
    """
    from ..data import synthesize_word

    words = [words] if isinstance(words, str) else list(words)
    if not words:
        raise ValueError("words must name at least one word, got an empty sequence")
    if (len(pause) != 2 or not all(isinstance(p, (int, float)) for p in pause)
            or not 0.0 <= pause[0] <= pause[1] <= 10.0):
        raise ValueError(f"pause must be (shortest, longest) seconds with 0 <= shortest <= longest <= 10, got {pause!r}")
    if isinstance(noise_db, bool) or not isinstance(noise_db, (int, float)) or not -120.0 <= noise_db <= 0.0:
        raise ValueError(f"noise_db must be a level in dB re full scale from -120 to 0, got {noise_db!r}")
    rng = np.random.default_rng(seed)
    pieces, events, position, rate = [], [], 0, 16000
    for i, word in enumerate(words):
        wave, rate, _ = synthesize_word(word, seed=int(rng.integers(0, 2**31 - 1)), augment=False)
        samples = wave[0].double().numpy()
        start, end = _word_extent(samples)
        gap = int(rng.uniform(*pause) * rate)
        pieces += [np.zeros(gap), samples[start:end]]
        position += gap
        events.append((word, position / rate, (position + end - start) / rate))
        position += end - start
    pieces.append(np.zeros(int(rng.uniform(*pause) * rate)))
    signal = np.concatenate(pieces)
    signal += rng.standard_normal(len(signal)) * 10 ** (noise_db / 20)
    waveform = torch.from_numpy(np.clip(signal, -1.0, 1.0)).float().unsqueeze(0)
    return SyntheticRecording(waveform=waveform, sample_rate=rate, events=events)


def _seconds(value, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number of seconds from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _smooth(values: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` rows (edges averaged over the rows that exist)."""
    if n <= 1:
        return values
    kernel = np.ones(n)
    total = np.apply_along_axis(lambda col: np.convolve(col, kernel, mode="same"), 0, values)
    count = np.convolve(np.ones(len(values)), kernel, mode="same")[:, None]
    return total / count


def detect(times, scores, words, *, threshold: float, suppress: float) -> list:
    """Peaks of each word's score of at least ``threshold``, strongest first kept, none closer than
    ``suppress`` seconds to a stronger one. Returns dicts ``word``, ``time``, ``score`` in time order."""
    candidates = []
    for j, word in enumerate(words):
        s = scores[:, j]
        padded = np.concatenate([[-np.inf], s, [-np.inf]])
        peaks = np.flatnonzero((s >= threshold) & (s >= padded[:-2]) & (s > padded[2:]))
        candidates += [(float(s[i]), float(times[i]), word) for i in peaks]
    kept = []
    for score, time, word in sorted(candidates, reverse=True):
        if all(abs(time - other["time"]) >= suppress for other in kept):
            kept.append({"word": word, "time": time, "score": score})
    return sorted(kept, key=lambda d: d["time"])


class ListeningTimelineDisplay:
    """The model's answer over a longer recording, its detections, and how many were false alarms.

    Compute with :meth:`from_model`, draw with :meth:`plot`.

    Attributes:
        times: centre of each window position, in seconds, array ``(n_windows,)``.
        labels: the model's output classes; words: its keywords.
        probabilities: array ``(n_windows, n_labels)``, the raw softmax of each window.
        answers: the curves drawn, dict answer -> array ``(n_windows,)`` smoothed: every keyword, and
            ``"neither"`` (the sum of the other classes) for an open-set model.
        detections: dicts ``word``, ``time``, ``score``, ``hit`` (a true word there) and ``event``
            (index into :attr:`events`, or ``None``), in time order.
        events: the true ``(word, start, end)`` of each spoken word (empty if not given).
        false_alarms: the number of detections that are no hit.
        misses: the number of keyword events not detected.
        duration: seconds listened to.
        false_alarms_per_minute: ``false_alarms / (duration / 60)``.
        settings: ``hop``, ``smoothing``, ``threshold``, ``suppress``, ``tolerance``.
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: its two Axes (the recording, the answers).
        lines_: dict answer -> Line2D of its curve.
        markers_: one Line2D per detection.
        spans_: one patch per true word.
    """

    def __init__(self, *, times, probabilities, labels, words, events, duration, settings):
        self.times = np.asarray(times, dtype=np.float64)
        self.probabilities = np.asarray(probabilities, dtype=np.float64)
        self.labels, self.words = tuple(labels), tuple(words)
        self.events = [tuple(e) for e in events]
        self.duration = float(duration)
        self.settings = dict(settings)
        n_smooth = max(1, int(round(self.settings["smoothing"] / self.settings["hop"])))
        smoothed = _smooth(self.probabilities, n_smooth)
        self.answers = {w: smoothed[:, self.labels.index(w)] for w in self.words}
        others = [i for i, label in enumerate(self.labels) if label not in self.words]
        if others:
            self.answers[NEITHER] = smoothed[:, others].sum(axis=1)
        scores = np.stack([self.answers[w] for w in self.words], axis=1)
        self.detections = detect(self.times, scores, self.words, threshold=self.settings["threshold"],
                                 suppress=self.settings["suppress"])
        self._score()

    def _score(self):
        tolerance = self.settings["tolerance"]
        matched = set()
        for d in self.detections:
            d["hit"], d["event"] = False, None
            for k, (word, start, end) in enumerate(self.events):
                if k not in matched and word == d["word"] and start - tolerance <= d["time"] <= end + tolerance:
                    d["hit"], d["event"] = True, k
                    matched.add(k)
                    break
        self.false_alarms = sum(not d["hit"] for d in self.detections)
        self.misses = sum(1 for k, (word, *_) in enumerate(self.events) if word in self.words and k not in matched)
        self.false_alarms_per_minute = self.false_alarms / (self.duration / 60.0)

    @classmethod
    def from_model(cls, model, waveform, sample_rate: int | None = None, *, events=None, hop: float = 0.1,
                   smoothing: float = 0.3, threshold: float = 0.5, suppress: float = 1.0,
                   tolerance: float = 0.5, batch_size: int = 64) -> "ListeningTimelineDisplay":
        """Slide the model over ``waveform`` and score its detections against ``events``.

        The recording is brought to the model's rate and to mono by
        :func:`audioviz.model.prepare_clip` (the one rule for the model's input), padded with half
        a window of silence at each end (so that the first and last words are heard whole), and
        cut into one-second windows every ``hop`` seconds; the windows go through the network in
        batches.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            waveform: Tensor or array ``(time,)`` or ``(channel, time)``, any length of at least
                ``hop``; or a :class:`SyntheticRecording` (its rate and events are used).
            sample_rate: its rate in Hz. Default: the model's.
            events: the true ``(word, start, end)`` of each spoken word, in seconds; without them
                every detection counts as a false alarm.
            hop: seconds between window positions. Default: ``0.1``.
            smoothing: the probabilities are averaged over this many seconds of window positions
                (centred). Default: ``0.3``.
            threshold: smallest smoothed probability of a detection. Default: ``0.5``.
            suppress: a detection closer than this to a stronger one is dropped, in seconds.
                Default: ``1.0`` (the window length).
            tolerance: a detection is a hit if it lies within the word's span widened by this
                many seconds on each side (the window centre can be up to half a window from the
                word it hears). Default: ``0.5``.
            batch_size: windows per forward pass.

        Example:
            >>> import torch
            >>> from audioviz.model import KeywordCNN
            >>> timeline = ListeningTimelineDisplay.from_model(KeywordCNN(), torch.zeros(32000), 16000)
            >>> timeline.times[:3].round(2).tolist(), timeline.probabilities.shape
            ([0.0, 0.1, 0.2], (21, 4))
        """
        from ..model import prepare_clip

        check_model(model)
        if isinstance(waveform, SyntheticRecording):
            events = waveform.events if events is None else events
            sample_rate = waveform.sample_rate
            waveform = waveform.waveform
        rate = int(model.config.frontend.sample_rate)
        sample_rate = rate if sample_rate is None else sample_rate
        settings = dict(hop=_seconds(hop, "hop", 0.01, 1.0), smoothing=_seconds(smoothing, "smoothing", 0.0, 5.0),
                        suppress=_seconds(suppress, "suppress", 0.0, 10.0),
                        tolerance=_seconds(tolerance, "tolerance", 0.0, 5.0))
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be a probability in (0, 1], got {threshold!r}")
        settings["threshold"] = float(threshold)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        events = [] if events is None else [(str(w), float(a), float(b)) for w, a, b in events]
        length = torch.as_tensor(waveform).shape[-1]
        n_out = max(1, int(round(length * rate / int(sample_rate))))
        clip, _ = prepare_clip(waveform, sample_rate, target_rate=rate, n_samples=n_out)
        duration = clip.shape[-1] / rate
        step = int(round(settings["hop"] * rate))
        if clip.shape[-1] < step:
            raise ValueError(f"waveform must be at least hop = {hop} s long, got {duration:.3f} s")
        half = rate // 2
        padded = torch.nn.functional.pad(clip, (half, half))
        starts = torch.arange(0, clip.shape[-1] + 1, step)
        parameter = next(model.parameters(), None)
        device = parameter.device if parameter is not None else torch.device("cpu")
        probabilities = []
        with eval_mode(model), torch.no_grad():
            for chunk in torch.split(starts, batch_size):
                batch = torch.stack([padded[:, s: s + rate] for s in chunk.tolist()])  # (batch, 1, rate)
                logits = model(batch.to(device))
                probabilities.append(torch.softmax(logits.double(), dim=-1).cpu())
        return cls(times=(starts.double() / rate).numpy(), probabilities=torch.cat(probabilities).numpy(),
                   labels=model_labels(model), words=model.words, events=events, duration=duration,
                   settings=settings)

    def summary(self) -> str:
        """One line: hits, misses and false alarms per minute."""
        n_keywords = sum(1 for w, *_ in self.events if w in self.words)
        return (f"{sum(d['hit'] for d in self.detections)} of {n_keywords} keywords detected, "
                f"{self.misses} missed, {self.false_alarms} false alarm{'' if self.false_alarms == 1 else 's'} "
                f"in {self.duration:.1f} s "
                f"({self.false_alarms_per_minute:.1f} per minute)")

    def plot(self, waveform=None, *, ax=None, sample_rate: int | None = None) -> "ListeningTimelineDisplay":
        """Draw the answer over time (bottom) under the recording with its true words (top).

        Args:
            waveform: the recording, to draw its waveform on top. Default: only the true words.
            ax: ``None`` (a new figure, as every multi-panel display of :mod:`audioviz.explain`
                does) or two Axes sharing nothing (top, bottom).
            sample_rate: rate of ``waveform`` in Hz. Default: 16000, or the recording's.

        Returns:
            ``self``.
        """
        from ._common import resolve_axes

        if ax is None:
            import matplotlib.pyplot as plt

            fig, axes = plt.subplots(2, 1, figsize=(8.4, 5.0), sharex=True, height_ratios=(1, 1.6),
                                     layout="constrained")
            axes = list(axes)
        else:
            fig, axes = resolve_axes(ax, 2)
        top, bottom = axes
        if isinstance(waveform, SyntheticRecording):
            sample_rate, waveform = waveform.sample_rate, waveform.waveform
        if waveform is not None:
            wave = torch.as_tensor(waveform).reshape(-1).double().numpy()
            rate = 16000 if sample_rate is None else int(sample_rate)
            # one min/max pair per 10 ms keeps a long recording light and its envelope exact
            block = max(1, rate // 100)
            n = len(wave) // block
            env = wave[: n * block].reshape(n, block)
            t = (np.arange(n) + 0.5) * block / rate
            top.fill_between(t, env.min(axis=1), env.max(axis=1), color="0.45", lw=0)
        self.spans_ = []
        for word, start, end in self.events:
            keyword = word in self.words
            self.spans_.append(top.axvspan(start, end, color="C2" if keyword else "0.8", alpha=0.35, lw=0))
            top.text((start + end) / 2, 1.02, word, transform=top.get_xaxis_transform(), ha="center", va="bottom",
                     fontsize="small", color="C2" if keyword else "0.3", parse_math=False)
        top.set_yticks([])
        top.set_title("the recording: keywords in green, other words in grey", pad=16, fontsize="medium")
        self.lines_ = {}
        for i, (answer, values) in enumerate(self.answers.items()):
            style = dict(color="0.5", ls="--") if answer == NEITHER else dict(color=f"C{i}")
            (self.lines_[answer],) = bottom.plot(self.times, values, lw=1.4, label=answer, **style)
        bottom.axhline(self.settings["threshold"], color="k", lw=0.8, ls=":", label="threshold")
        self.markers_ = []
        for d in self.detections:
            colour = self.lines_[d["word"]].get_color()
            (marker,) = bottom.plot([d["time"]], [d["score"]], marker="v" if d["hit"] else "X", ms=8, ls="",
                                    color=colour if d["hit"] else "red", markeredgecolor="k")
            self.markers_.append(marker)
        bottom.set_ylim(0, 1.05)
        bottom.set_xlim(0, self.duration)
        bottom.set_xlabel("Time (s)")
        bottom.set_ylabel("smoothed probability")
        bottom.set_title(f"the model's answer over time (a 1 s window every {self.settings['hop']:g} s)",
                         fontsize="medium")
        # below the Axes, so that no curve or detection hides behind it
        from matplotlib.lines import Line2D

        handles = list(bottom.get_legend_handles_labels()[0]) + [
            Line2D([], [], marker="v", ls="", color="0.6", markeredgecolor="k", ms=8, label="detection"),
            Line2D([], [], marker="X", ls="", color="red", markeredgecolor="k", ms=8, label="false alarm")]
        bottom.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize="small",
                      ncols=len(handles), frameon=False)
        self.figure_, self.axes_ = fig, axes
        return self
