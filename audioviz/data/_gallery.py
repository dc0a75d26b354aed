"""A gallery of example clips per word: each clip's waveform over its spectrogram, with players.

:class:`SpeechExamplesDisplay` follows scikit-learn's Display objects: ``from_dataset`` picks the
clips (computes once), ``plot`` draws them and keeps the artists on attributes with a trailing
underscore, and in a notebook (or a sphinx-gallery page) the object itself shows one audio
player per clip, laid out like the figure.
"""
from __future__ import annotations

import base64
import html

import numpy as np

from .._validation import as_waveform, check_positive_int, check_sample_rate

__all__ = ["SpeechExamplesDisplay", "plot_speech_examples"]


class SpeechExamplesDisplay:
    """Example clips of each word, drawn as a grid and playable.

    Parameters
    ----------
    clips
        a list of dicts with keys ``waveform`` (Tensor ``(1, time)``), ``sample_rate`` (Hz),
        ``word`` and ``speaker``.
    words
        the words in row order. Default: the clips' words in order of first appearance.

    Attributes
    ----------
    figure_
        the matplotlib Figure (after :meth:`plot`).
    axes_
        object array of Axes of shape ``(n_words, n_per_word, 2)``: ``[..., 0]`` holds the
        waveforms, ``[..., 1]`` the spectrograms.
    images_
        the spectrogram images, shape ``(n_words, n_per_word)``.

    Examples
    --------
    >>> from audioviz.data import SpeechCommands, SpeechExamplesDisplay
    >>> gallery = SpeechExamplesDisplay.from_dataset(SpeechCommands(root, "training"))  # doctest: +SKIP
    >>> gallery.plot()  # doctest: +SKIP
    >>> gallery  # in a notebook: one audio player per clip  # doctest: +SKIP
    """

    def __init__(self, clips, words=None):
        clips = list(clips)
        if not clips:
            raise ValueError("clips is empty; expected at least one clip")
        for i, clip in enumerate(clips):
            missing = {"waveform", "sample_rate", "word", "speaker"} - set(clip)
            if missing:
                raise ValueError(f"clips[{i}] lacks the keys {sorted(missing)}")
        self.clips = clips
        self.words = tuple(words) if words is not None else tuple(dict.fromkeys(c["word"] for c in clips))
        self._grid = [[c for c in clips if c["word"] == w] for w in self.words]

    @classmethod
    def from_dataset(cls, dataset, *, n_per_word: int = 3, seed: int = 0) -> "SpeechExamplesDisplay":
        """Pick ``n_per_word`` clips of each word at random (different speakers where possible).

        Parameters
        ----------
        dataset
            a :class:`~audioviz.data.SpeechCommands` (anything with ``words``, ``labels``,
            ``speakers`` and items ``(waveform, sample_rate, label, word, speaker)``).
        n_per_word
            clips per word (columns of the grid). Default: ``3``.
        seed
            which clips; same seed, same clips.
        """
        n_per_word = check_positive_int(n_per_word, name="n_per_word")
        rng = np.random.default_rng(seed)
        clips = []
        for label, word in enumerate(dataset.words):
            candidates = [i for i, lab in enumerate(dataset.labels) if lab == label]
            if not candidates:
                raise ValueError(f"the dataset has no clip of the word {word!r}")
            order = rng.permutation(candidates)
            chosen, seen = [], set()
            for i in order:  # distinct speakers first
                if dataset.speakers[i] not in seen:
                    chosen.append(int(i))
                    seen.add(dataset.speakers[i])
                if len(chosen) == n_per_word:
                    break
            chosen += [int(i) for i in order if int(i) not in chosen][: n_per_word - len(chosen)]
            for i in chosen:
                waveform, sample_rate, _, word_, speaker = dataset[i]
                clips.append({"waveform": waveform, "sample_rate": sample_rate, "word": word_, "speaker": speaker})
        return cls(clips, words=dataset.words)

    def plot(self, *, n_fft: int = 512, hop_length: int = 160, top_db: float = 80.0, figsize=None):
        """Draw one column per example and two rows per word (waveform, then spectrogram).

        Parameters
        ----------
        n_fft
            FFT size of the spectrograms. Default: ``512``.
        hop_length
            samples between spectrogram frames. Default: ``160`` (10 ms at 16 kHz).
        top_db
            dynamic range of the spectrograms in dB. Default: ``80``.
        figsize
            figure size in inches. Default: 3.2 wide per clip, 3.4 high per word.

        Returns
        -------
        SpeechExamplesDisplay
            ``self``, drawn.
        """
        import matplotlib.pyplot as plt

        from audioviz.display import plot_spectrogram, plot_waveform

        n_rows = len(self.words)
        n_cols = max(len(row) for row in self._grid)
        figsize = figsize or (3.2 * n_cols, 3.4 * n_rows)
        figure = plt.figure(figsize=figsize, layout="constrained")
        outer = figure.add_gridspec(n_rows, n_cols)
        axes = np.empty((n_rows, n_cols, 2), dtype=object)
        images = np.empty((n_rows, n_cols), dtype=object)
        for r, row in enumerate(self._grid):
            for c in range(n_cols):
                inner = outer[r, c].subgridspec(2, 1, height_ratios=(1, 2))
                wave_ax = figure.add_subplot(inner[0])
                spec_ax = figure.add_subplot(inner[1], sharex=wave_ax)
                axes[r, c] = (wave_ax, spec_ax)
                if c >= len(row):
                    wave_ax.set_axis_off()
                    spec_ax.set_axis_off()
                    continue
                clip = row[c]
                waveform = as_waveform(clip["waveform"])
                sample_rate = check_sample_rate(clip["sample_rate"])
                plot_waveform(waveform, sample_rate, ax=wave_ax)
                wave_ax.set_title(f"\u201c{clip['word']}\u201d \u00b7 speaker {clip['speaker']}", fontsize="medium")
                wave_ax.set_xlabel("")
                wave_ax.tick_params(labelbottom=False)
                images[r, c] = plot_spectrogram(waveform, sample_rate, n_fft=n_fft, hop_length=hop_length,
                                                top_db=top_db, ax=spec_ax, colorbar=False)
                if c > 0:
                    wave_ax.set_ylabel("")
                    spec_ax.set_ylabel("")
        self.figure_ = figure
        self.axes_ = axes
        self.images_ = images
        return self

    def _repr_html_(self) -> str:
        from audioviz.io import to_wav_bytes

        rows = []
        for word, row in zip(self.words, self._grid):
            cells = []
            for clip in row:
                data = base64.b64encode(to_wav_bytes(clip["waveform"], clip["sample_rate"])).decode("ascii")
                caption = html.escape(f"{clip['word']} \u00b7 {clip['speaker']}")
                cells.append(
                    f'<td style="padding:4px 8px"><div style="font-size:85%">{caption}</div>'
                    f'<audio controls preload="none" src="data:audio/wav;base64,{data}"></audio></td>'
                )
            rows.append(f'<tr><th style="padding-right:8px">{html.escape(word)}</th>{"".join(cells)}</tr>')
        return f'<table class="audioviz-speech-examples">{"".join(rows)}</table>'

    def __repr__(self) -> str:
        counts = ", ".join(f"{w}: {len(r)}" for w, r in zip(self.words, self._grid))
        return f"SpeechExamplesDisplay({counts})"


def plot_speech_examples(dataset, *, n_per_word: int = 3, seed: int = 0, **plot_kwargs) -> SpeechExamplesDisplay:
    """Pick example clips of each word from ``dataset`` and draw them (see :class:`SpeechExamplesDisplay`).

    Returns
    -------
    SpeechExamplesDisplay
        The drawn display; show it as a cell's last value to get players.

    Examples
    --------
    >>> from audioviz.data import SpeechCommands, plot_speech_examples
    >>> gallery = plot_speech_examples(SpeechCommands(root, "training"), n_per_word=4)  # doctest: +SKIP
    """
    return SpeechExamplesDisplay.from_dataset(dataset, n_per_word=n_per_word, seed=seed).plot(**plot_kwargs)
