"""How well the classifier does, as Display objects: the confusion matrix, the clips it got most
confidently wrong (with their spectrograms and players) and the training curves.

Each is computed once (``from_model``, ``from_predictions``, ``from_evaluation``, ``from_file``)
and drawn by ``.plot(ax=None)``, which returns the display with the drawn artists on attributes
ending in ``_``.
"""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

import numpy as np
import torch

from ._common import check_model, draw_feature, resolve_axes
from ._inference import Inference

__all__ = ["ConfusionMatrixDisplay", "MistakesDisplay", "TrainingCurvesDisplay"]


# --- confusion matrix ------------------------------------------------------------------------

class ConfusionMatrixDisplay:
    """Confusion matrix: rows are the true words, columns the predicted ones.

    Attributes:
        confusion: int array ``(n_words, n_words)`` of clip counts.
        words: the word of each row and column.
        n: number of clips.
        accuracy: fraction of clips on the diagonal.
        per_class: dict word -> recall (the fraction of that word's clips classified correctly).
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        ax_: the Axes.
        im_: AxesImage of the shown values.
        text_: array of the Text in every cell.
        colorbar_: the colorbar, or ``None``.

    Example:
        >>> disp = ConfusionMatrixDisplay.from_predictions(["yes", "yes", "no"], ["yes", "no", "no"])
        >>> disp.confusion.tolist(), round(disp.accuracy, 3)
        ([[1, 1], [0, 1]], 0.667)
    """

    def __init__(self, confusion, words):
        confusion = np.asarray(confusion, dtype=np.int64)
        words = tuple(str(w) for w in words)
        if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1] or confusion.shape[0] != len(words):
            raise ValueError(f"confusion must be a square array with one row per word ({len(words)} words), "
                             f"got shape {confusion.shape}")
        if (confusion < 0).any():
            raise ValueError("confusion must hold counts (>= 0)")
        self.confusion = confusion
        self.words = words
        self.n = int(confusion.sum())
        self.accuracy = float(np.trace(confusion) / self.n) if self.n else float("nan")
        row_totals = confusion.sum(axis=1)
        self.per_class = {w: float(confusion[i, i] / row_totals[i]) for i, w in enumerate(words) if row_totals[i]}

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, words=None) -> "ConfusionMatrixDisplay":
        """Count true/predicted pairs.

        Args:
            y_true, y_pred: sequences of the same length, of words (str) or word indices.
            words: the word order. Default: the words of ``y_true`` and ``y_pred``, in order of first
                appearance (required when the labels are indices).
        """
        y_true, y_pred = list(y_true), list(y_pred)
        if len(y_true) != len(y_pred):
            raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
        if not y_true:
            raise ValueError("y_true is empty; expected at least one clip")
        as_index = isinstance(y_true[0], (int, np.integer))
        if words is None:
            if as_index:
                raise ValueError("words is required when y_true holds indices (it names each index)")
            words = list(dict.fromkeys(y_true + y_pred))
        words = [str(w) for w in words]
        position = {w: i for i, w in enumerate(words)}
        confusion = np.zeros((len(words), len(words)), dtype=np.int64)
        for name, values in (("y_true", y_true), ("y_pred", y_pred)):
            for v in values:
                ok = (0 <= int(v) < len(words)) if isinstance(v, (int, np.integer)) else v in position
                if not ok:
                    raise ValueError(f"{name} holds {v!r}, which is not one of the words {words}")
        for t, p in zip(y_true, y_pred):
            ti = int(t) if isinstance(t, (int, np.integer)) else position[t]
            pi = int(p) if isinstance(p, (int, np.integer)) else position[p]
            confusion[ti, pi] += 1
        return cls(confusion, words)

    @classmethod
    def from_evaluation(cls, result: dict) -> "ConfusionMatrixDisplay":
        """From the dict :func:`audioviz.model.evaluate` returns (or its JSON file's contents).

        Rows and columns are the evaluation's answers, ``result["words"]``: the model's words and,
        when the model or the data has it, ``"neither"``.
        """
        if not isinstance(result, dict) or "confusion" not in result or "words" not in result:
            raise ValueError("result must be the dict audioviz.model.evaluate returns, with 'confusion' and 'words'")
        return cls(result["confusion"], result["words"])

    @classmethod
    def from_model(cls, model, dataset, *, batch_size: int = 128) -> "ConfusionMatrixDisplay":
        """Classify every clip of ``dataset`` (items ``(waveform, sample_rate, label, word, ...)``)."""
        from ..model import evaluate

        check_model(model)
        return cls.from_evaluation(evaluate(model, dataset, batch_size=batch_size))

    def plot(self, *, ax=None, cmap: str = "Blues", normalize: bool = True, colorbar: bool = True,
             title: str | None = None) -> "ConfusionMatrixDisplay":
        """Draw the matrix with the count and the share of the true class's clips in every cell.

        Args:
            ax: ``None`` (new figure) or an Axes.
            cmap: colormap.
            normalize: colour by the fraction of each true word's clips (so rare and common words
                are comparable); ``False`` colours by count.
            colorbar: add a colorbar.
            title: Default: the accuracy and number of clips.

        Returns:
            ``self``.
        """
        fig, (ax,) = resolve_axes(ax, 1, figsize=(4.6, 3.8))
        totals = self.confusion.sum(axis=1, keepdims=True)
        shares = np.divide(self.confusion, totals, out=np.zeros(self.confusion.shape), where=totals > 0)
        values = shares if normalize else self.confusion
        vmax = 1.0 if normalize else max(1, int(self.confusion.max()))
        self.im_ = ax.imshow(values, cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
        k = len(self.words)
        self.text_ = np.empty((k, k), dtype=object)
        for i in range(k):
            for j in range(k):
                dark = values[i, j] > 0.5 * vmax
                self.text_[i, j] = ax.text(j, i, f"{self.confusion[i, j]}\n{shares[i, j]:.1%}", ha="center",
                                           va="center", color="white" if dark else "black")
        ax.set_xticks(range(k), self.words)
        ax.set_yticks(range(k), [f"{w}\n(recall {self.per_class[w]:.1%})" if w in self.per_class else w
                                 for w in self.words])
        ax.set_xlabel("Model's answer")
        ax.set_ylabel("True answer")
        ax.set_title(title if title is not None else f"accuracy {self.accuracy:.1%} on {self.n} clips")
        self.colorbar_ = None
        if colorbar:
            # A colorbar beside the Axes would span the Axes' whole height, and the square matrix
            # fills only part of it; an inset at the matrix's right edge has the matrix's height.
            cax = ax.inset_axes([1.04, 0.0, 0.05, 1.0])
            self.colorbar_ = fig.colorbar(self.im_, cax=cax, label="share of the true word's clips" if normalize
                                          else "clips")
        self.figure_, self.ax_ = fig, ax
        return self


# --- most confident mistakes -----------------------------------------------------------------

class MistakesDisplay:
    """The clips the model got wrong with the highest confidence, with what it saw and players.

    Attributes:
        mistakes: list of dicts, most confident first: ``index`` (in the dataset), ``word`` (the
            right answer),
            ``category`` (the dataset's word: ``"go"``, whose right answer is ``"neither"``),
            ``predicted``, ``confidence`` (probability of the wrong answer), ``speaker``,
            ``waveform`` (Tensor ``(1, n_samples)``), ``logmel`` (the Feature the model saw) and
            ``inference`` (the clip's :class:`~audioviz.explain.Inference`, for Grad-CAM or feature
            maps of the mistake without running it again).
        n_wrong: number of wrong clips.
        n: number of clips scored.
        sample_rate: of the waveforms, in Hz.
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: list of the Axes.
        images_: one AxesImage per mistake.
    """

    def __init__(self, mistakes, *, n_wrong: int, n: int, sample_rate: int):
        self.mistakes = list(mistakes)
        self.n_wrong = int(n_wrong)
        self.n = int(n)
        self.sample_rate = int(sample_rate)

    @classmethod
    def from_model(cls, model, dataset, *, n_mistakes: int = 6, batch_size: int = 128) -> "MistakesDisplay":
        """Score every clip of ``dataset`` and keep the ``n_mistakes`` most confidently wrong.

        Args:
            model: a :class:`~audioviz.model.KeywordCNN`.
            dataset: items ``(waveform, sample_rate, label, word, speaker)`` such as
                ``audioviz.data.SpeechCommands(root, "testing")``.
            n_mistakes: how many to keep. Default: ``6``.
            batch_size: clips per forward pass.
        """
        from ..model import evaluate

        check_model(model)
        _check_n_mistakes(n_mistakes)
        result = evaluate(model, dataset, batch_size=batch_size, details=True)
        return cls.from_evaluation(model, dataset, result, n_mistakes=n_mistakes)

    @classmethod
    def from_evaluation(cls, model, dataset, result: dict, *, n_mistakes: int = 6) -> "MistakesDisplay":
        """Reuse ``result = audioviz.model.evaluate(model, dataset, details=True)``: no second pass.

        Args:
            model: the model that was evaluated (it draws the log-mel images).
            dataset: the dataset it was evaluated on (the clips are read from it by index).
            result: the evaluation, with its per-clip ``predictions``.
            n_mistakes: how many to keep. Default: ``6``.
        """
        from ..model import prepare_clip

        check_model(model)
        _check_n_mistakes(n_mistakes)
        if not isinstance(result, dict) or "predictions" not in result:
            raise ValueError("result must come from audioviz.model.evaluate(..., details=True), "
                             "with per-clip 'predictions'")
        wrong = [r for r in result["predictions"] if r["predicted"] != r["word"]]
        wrong.sort(key=lambda r: r["confidence"], reverse=True)
        rate = int(model.config.frontend.sample_rate)
        mistakes = []
        for record in wrong[:n_mistakes]:
            item = dataset[record["index"]]
            # prepared the way evaluate prepared it, so the record raises no second warning
            clip, _ = prepare_clip(item[0], int(item[1]), target_rate=rate)
            inference = Inference.from_model(model, clip)
            mistakes.append({**{k: record.get(k, "") for k in ("index", "word", "predicted", "confidence", "speaker",
                                                               "category")},
                             "waveform": inference.waveform, "logmel": inference.logmel, "inference": inference})
        return cls(mistakes, n_wrong=len(wrong), n=result["n"], sample_rate=rate)

    def plot(self, *, ax=None, ncols: int = 3, cmap: str = "viridis") -> "MistakesDisplay":
        """One panel per mistake: the log-mel the model saw, titled with truth, guess and confidence.

        Args:
            ax: ``None`` (new figure) or one Axes per mistake (one Axes when there are none).
            ncols: panels per row of a new figure.
            cmap: colormap.

        Returns:
            ``self``.
        """
        n_panels = max(1, len(self.mistakes))
        fig, axes = resolve_axes(ax, n_panels, ncols=min(ncols, n_panels), figsize=None)
        self.images_ = []
        if not self.mistakes:
            axes[0].text(0.5, 0.5, f"no mistakes on these {self.n} clips", ha="center", va="center",
                         transform=axes[0].transAxes)
            axes[0].set_axis_off()
        for i, (panel, m) in enumerate(zip(axes, self.mistakes)):
            self.images_.append(draw_feature(panel, m["logmel"], cmap=cmap, label_y=(i % ncols == 0)))
            # three short lines: several panels share a row of a page-wide figure
            panel.set_title(f"said {_said(m)}\nheard '{m['predicted']}' ({m['confidence']:.0%})\n"
                            f"clip #{m['index']}", fontsize="small")
        shown = ("most confident first" if len(self.mistakes) == self.n_wrong
                 else f"the {len(self.mistakes)} most confident mistakes")
        fig.suptitle(f"{self.n_wrong} of {self.n} clips wrong; {shown}")
        self.figure_, self.axes_ = fig, axes
        return self

    def players(self) -> list:
        """One :class:`IPython.display.Audio` per mistake, in the order of :attr:`mistakes`."""
        from IPython.display import Audio

        return [Audio(m["waveform"][0].numpy(), rate=self.sample_rate) for m in self.mistakes]

    def _repr_html_(self) -> str:
        if not self.mistakes:
            return f"<p>No mistakes on these {self.n} clips.</p>"
        parts = []
        for m, player in zip(self.mistakes, self.players()):
            label = html.escape(f"clip #{m['index']}: said {_said(m)}, heard '{m['predicted']}' "
                                f"({m['confidence']:.0%})")
            parts.append(f"<div class='audioviz-player'><div>{label}</div>{player._repr_html_()}</div>")
        return "<div class='audioviz-mistakes'>" + "".join(parts) + "</div>"


def _said(mistake: dict) -> str:
    """``'yes'``, or ``'go' (neither)`` when the clip's word is not one the model names."""
    category, word = mistake.get("category") or mistake["word"], mistake["word"]
    shown = {"_unknown_": "another word", "_silence_": "silence"}.get(category, category)
    return f"'{shown}'" if category == word else f"'{shown}' ({word})"


def _check_n_mistakes(n_mistakes):
    if isinstance(n_mistakes, bool) or not isinstance(n_mistakes, int) or n_mistakes < 1:
        raise ValueError(f"n_mistakes must be a positive integer, got {n_mistakes!r}")


# --- training curves -------------------------------------------------------------------------

class TrainingCurvesDisplay:
    """Loss and accuracy per epoch, on the training and the validation set.

    Attributes:
        history: list of per-epoch dicts (``epoch``, ``train_loss``, ``val_loss``,
            ``train_accuracy``, ``val_accuracy``, ...), as in ``DIR/metrics.json``.
        best_epoch: the epoch whose model was kept (``None`` if unknown).
        test_accuracy: accuracy of that model on the test split (``None`` if unknown).
        figure_: the Figure (set by :meth:`plot`, like the attributes below).
        axes_: the two Axes (loss, accuracy).
        lines_: dict ``"train_loss"``, ``"val_loss"``, ``"train_accuracy"``, ``"val_accuracy"``,
            ``"test_accuracy"`` -> the Line2D drawn.

    Example:
        >>> history = [{"epoch": 1, "train_loss": 0.6, "val_loss": 0.5, "train_accuracy": 0.7,
        ...             "val_accuracy": 0.8}, {"epoch": 2, "train_loss": 0.3, "val_loss": 0.2,
        ...             "train_accuracy": 0.9, "val_accuracy": 0.95}]
        >>> TrainingCurvesDisplay.from_history(history).best_epoch
        2
    """

    KEYS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")

    def __init__(self, history, *, best_epoch=None, test_accuracy=None):
        history = list(history)
        if not history:
            raise ValueError("history is empty; expected one dict per epoch")
        for i, record in enumerate(history):
            if not isinstance(record, dict) or "epoch" not in record:
                raise ValueError(f"history[{i}] must be a dict with an 'epoch' key, got {record!r}")
        self.history = history
        if best_epoch is None and all("val_accuracy" in r for r in history):
            best_epoch = max(history, key=lambda r: (r["val_accuracy"], -r.get("val_loss", 0.0)))["epoch"]
        self.best_epoch = best_epoch
        self.test_accuracy = test_accuracy

    @classmethod
    def from_history(cls, history, **kwargs) -> "TrainingCurvesDisplay":
        """From a list of per-epoch dicts (``TrainResult.history``)."""
        return cls(history, **kwargs)

    @classmethod
    def from_file(cls, path) -> "TrainingCurvesDisplay":
        """From a training folder or its ``metrics.json`` (written by :func:`audioviz.model.train`)."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a training folder or metrics.json path, got {type(path).__name__}")
        path = Path(path)
        if path.is_dir():
            path = path / "metrics.json"
        if not path.exists():
            raise FileNotFoundError(f"no metrics file at {path}; `audioviz train --out DIR` writes DIR/metrics.json")
        try:
            metrics = json.loads(path.read_text())
        except ValueError as exc:
            raise ValueError(f"{path} is not valid JSON ({exc}); is the training still writing it?") from None
        history = metrics.get("epochs") if isinstance(metrics, dict) else None
        if not history:
            raise ValueError(f"{path} holds no per-epoch records under 'epochs'")
        test = metrics.get("test") or {}
        best = metrics.get("best") or {}
        return cls(history, best_epoch=best.get("epoch"), test_accuracy=test.get("accuracy"))

    def plot(self, *, ax=None) -> "TrainingCurvesDisplay":
        """Two panels: loss (cross-entropy) and accuracy per epoch, the kept epoch marked.

        Args:
            ax: ``None`` (new figure) or two Axes (loss, accuracy).

        Returns:
            ``self``.
        """
        fig, axes = resolve_axes(ax, 2, figsize=(8.4, 3.2))
        epochs = [r["epoch"] for r in self.history]
        self.lines_ = {}
        styles = {"train": dict(color="C0", marker="o", label="training set"),
                  "val": dict(color="C1", marker="s", label="validation set")}
        for panel, metric in zip(axes, ("loss", "accuracy")):
            for split in ("train", "val"):
                key = f"{split}_{metric}"
                if all(key in r for r in self.history):
                    values = [r[key] * (100 if metric == "accuracy" else 1) for r in self.history]
                    (self.lines_[key],) = panel.plot(epochs, values, ms=4, **styles[split])
            if self.best_epoch is not None:
                panel.axvline(self.best_epoch, color="0.5", ls=":", lw=1, label=f"kept (epoch {self.best_epoch})")
            panel.set_xlabel("Epoch")
            panel.grid(alpha=0.3)
        axes[0].set_ylabel("Loss (cross-entropy)")
        axes[0].set_title("loss: lower is better")
        axes[1].set_ylabel("Accuracy (%)")
        axes[1].set_title("accuracy")
        if self.test_accuracy is not None:
            self.lines_["test_accuracy"] = axes[1].axhline(100 * self.test_accuracy, color="C2", ls="--", lw=1,
                                                           label=f"test set: {self.test_accuracy:.1%}")
        for panel in axes:
            panel.legend(fontsize="small")
        self.figure_, self.axes_ = fig, axes
        return self
