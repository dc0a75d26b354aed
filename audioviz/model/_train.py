"""Training the keyword classifier: :func:`train` and what it returns.

:func:`train` runs four steps, each a function below: **check** the settings and find the data,
**resume** an interrupted run (or start fresh), **fit** epoch by epoch, and **finish** by scoring
the best model on the test split in memory and saving it once. Each epoch draws its shuffling and
augmentation from a generator seeded by ``(seed, epoch)``, so a run interrupted after epoch *k*
and resumed gives the same weights as an uninterrupted one, and the same seed gives the same
model on the same machine and install (another processor or numeric library can round
differently, and a training amplifies that). After each epoch the metrics go to
``DIR/metrics.json`` and the full training state (the best weights so far included) to
``DIR/train_state.pt``; ``DIR/model.pt`` is written when the run
finishes (all atomic). The best epoch is the one with the best *validation* score (the mean
recall over the classes, so a rare class counts as much as a common one): synthetic voices never
heard in training, never the real recordings.
"""
from __future__ import annotations

import copy
import functools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from .._fileio import write_text_atomic
from .._validation import check_choice
from ._batch_augment import AugmentConfig, augment_features, augment_waveforms, mixup
from ._checkpoint import atomic_torch_save, save_checkpoint
from ._evaluate import evaluate
from ._network import KeywordCNN, ModelConfig
from ._train_data import default_training_data, load_split
from ._train_state import STATE_FORMAT, STATE_NAME, resume_state, training_lock, writing

__all__ = ["DEFAULT_EPOCHS", "LIMITS", "TrainResult", "resolve_device", "train"]

#: Epochs of a default ``audioviz train`` (chosen so that, data synthesis included, it takes
#: under three minutes on a two-core CPU).
DEFAULT_EPOCHS = 8
#: Accepted range of each numeric setting (inclusive), so a typo cannot run for days.
LIMITS = {
    "epochs": (1, 1000),
    "batch_size": (2, 4096),
    "learning_rate": (1e-6, 1.0),
    "weight_decay": (0.0, 1.0),
    "label_smoothing": (0.0, 0.5),
    "seed": (0, 2**31 - 1),
}
DEVICES = ("auto", "cpu", "cuda", "mps")


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    out_dir : Path
        The training folder.
    checkpoint : Path
        The best model, ``out_dir/model.pt``.
    metrics_path : Path
        ``out_dir/metrics.json``.
    history : list of dict
        One per epoch: ``epoch``, ``train_loss``, ``train_accuracy``, ``val_loss``,
        ``val_accuracy``, ``val_score`` (mean recall over the classes; fractions 0-1),
        ``learning_rate``, ``seconds``.
    best_epoch : int
        Epoch of the saved model (best ``val_score``, then lowest ``val_loss``).
    best_val_accuracy : float
        Its validation accuracy.
    test : dict or None
        :func:`evaluate` result of the saved model on the test split (``None`` without one).
    device : str
        Where it trained.
    seconds : float
        Wall-clock time of this call.
    resumed_from : int
        Epochs already done when the call started (``0`` for a fresh run).
    data : str
        The data folder.
    settings : dict
        Every setting of the run (what ``resume`` compares).
    """

    out_dir: Path
    checkpoint: Path
    metrics_path: Path
    history: list
    best_epoch: int
    best_val_accuracy: float
    test: dict | None
    device: str
    seconds: float
    resumed_from: int = 0
    data: str = ""
    settings: dict = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"trained on {self.device} in {self.seconds:.1f} s; best epoch {self.best_epoch} "
                 f"(validation accuracy {self.best_val_accuracy:.1%})"]
        if self.test:
            per = ", ".join(f"{w} {r:.1%}" for w, r in self.test["per_class"].items())
            lines.append(f"test accuracy {self.test['accuracy']:.1%} on {self.test['n']} clips (recall: {per})")
            accepts = {k: v for k, v in self.test.get("false_accept", {}).items() if v is not None}
            if accepts:
                lines.append("false accepts: " + ", ".join(f"{k} {v:.1%}" for k, v in accepts.items()))
        lines.append(f"model: {self.checkpoint}")
        return "\n".join(lines)


def resolve_device(device) -> torch.device:
    """The torch device to train on.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` (CUDA if torch sees a GPU, else Apple MPS, else CPU), ``"cpu"``, ``"cuda"``,
        ``"mps"``, or a :class:`torch.device`.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        An unknown name, or a GPU asked for that torch cannot see.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, torch.device):
        return device
    check_choice(device, DEVICES, name="device")
    mps = getattr(torch.backends, "mps", None)
    has_mps = mps is not None and mps.is_available()
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but torch sees no CUDA GPU; use device='auto' or 'cpu'")
    if device == "mps" and not has_mps:
        raise ValueError("device='mps' was asked for but this torch has no Apple MPS support; use 'auto' or 'cpu'")
    return torch.device(device)


# ----------------------------------------------------------------------------------------------
# step 1: check


def _check_number(value, name: str, integer: bool = False):
    low, high = LIMITS[name]
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not math.isfinite(value) or not low <= value <= high:
        what = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {what} from {low:g} to {high:g}, got {value!r}")
    return value


def _check(words, neither, epochs, batch_size, learning_rate, weight_decay, label_smoothing, seed,
           model_config, augment) -> tuple[ModelConfig, AugmentConfig | None, dict]:
    """The model config, the augmentation and the settings dict, or a ValueError/TypeError."""
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("seed", seed)):
        _check_number(value, name, integer=True)
    for name, value in (("learning_rate", learning_rate), ("weight_decay", weight_decay),
                        ("label_smoothing", label_smoothing)):
        _check_number(value, name)
    words = (words,) if isinstance(words, str) else tuple(words)
    if model_config is None:
        config = ModelConfig(words=words, neither=neither)  # validates words and neither
    elif not isinstance(model_config, ModelConfig):
        raise TypeError(f"model_config must be a ModelConfig or None, got {type(model_config).__name__}")
    else:
        config = model_config
        if tuple(config.words) != words or config.neither != neither:
            raise ValueError(f"model_config has words={tuple(config.words)}, neither={config.neither}, "
                             f"but train() was given words={words}, neither={neither}; make them agree")
    if augment is True:
        augment = AugmentConfig()
    elif augment is False or augment is None:
        augment = None
    elif not isinstance(augment, AugmentConfig):
        raise TypeError(f"augment must be an AugmentConfig, True or False, got {type(augment).__name__}")
    settings = {
        "words": list(config.words), "neither": config.neither, "epochs": epochs, "batch_size": batch_size,
        "learning_rate": learning_rate, "weight_decay": weight_decay, "label_smoothing": label_smoothing,
        "seed": seed, "model_config": config.to_dict(), "augment": augment.to_dict() if augment else None,
    }
    return config, augment, settings


def _find_data(data, config: ModelConfig, progress: bool) -> Path:
    if data is None:
        return default_training_data(config.words, progress=progress)
    data = Path(data).expanduser()
    if not data.exists():
        raise FileNotFoundError(f"data folder not found: {data}. Make one with `audioviz data synth --root DIR`, "
                                "or leave data unset to synthesise what the words need.")
    return data


# ----------------------------------------------------------------------------------------------
# step 2, resume: the state on disk, the folder lock and the write errors live in _train_state.py
# ----------------------------------------------------------------------------------------------
# step 3: fit


def _warmup_cosine(total_steps: int, warmup_fraction: float = 0.1):
    """Learning-rate factor per step: a linear warm-up (large steps on random weights diverge),
    then a cosine decay to 2 % of the peak (small steps at the end settle into a minimum)."""
    warmup = max(1, int(warmup_fraction * total_steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def _class_weights(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Loss weight per class, inversely proportional to its clip count: each class weighs the
    same in total, however many clips the "neither" side has."""
    counts = torch.bincount(labels, minlength=n_classes).float()
    return (counts.sum() / (n_classes * counts.clamp(min=1))).where(counts > 0, torch.zeros(()))


def _run_epoch(model, waves, labels, *, loss_fn, optimizer, scheduler, batch_size, augment, generator, device,
               sample_rate, bar):
    model.train()
    order = torch.randperm(len(labels), generator=generator)
    total_loss, correct, seen = 0.0, 0, 0
    for start in range(0, len(order) - 1, batch_size):
        idx = order[start : start + batch_size]
        if len(idx) < 2:  # batch norm needs two clips
            continue
        x, y = waves[idx].float(), labels[idx]
        if augment is not None:
            x = augment_waveforms(x, augment, generator, sample_rate=sample_rate)
        x, y = x.to(device), y.to(device)
        logmel = model.features(x)
        partner = None
        if augment is not None:
            logmel = augment_features(logmel, augment, generator)
            if augment.mixup > 0:
                logmel, partner, lam = mixup(logmel, augment.mixup, generator)
        logits = model.forward_features(logmel)
        if partner is None:
            loss = loss_fn(logits, y)
        else:
            # the weighted mean that loss_fn takes, over both labels of each mixed clip
            weight, other = loss_fn.weight, y[partner]
            each = [nn.functional.cross_entropy(logits, target, weight=weight, reduction="none",
                                                label_smoothing=loss_fn.label_smoothing) for target in (y, other)]
            loss = (lam * each[0] + (1 - lam) * each[1]).sum() / (lam * weight[y] + (1 - lam) * weight[other]).sum()
        if not bool(torch.isfinite(loss)):
            raise RuntimeError(f"training diverged: the loss became {float(loss.detach())} (lower the learning rate, "
                               f"now {optimizer.param_groups[0]['lr']:.3g})")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total_loss += float(loss.detach()) * len(idx)
        correct += int((logits.argmax(1) == y).sum())
        seen += len(idx)
        if bar is not None:
            bar.update(len(idx))
            bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
    return total_loss / max(1, seen), correct / max(1, seen)


def _validate(model, waves, labels, device, n_classes: int, batch_size: int = 256):
    """``(loss, accuracy, score)`` on the validation clips; score = mean recall over the classes."""
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total_loss, hits = 0.0, torch.zeros(n_classes)
    with torch.no_grad():
        for start in range(0, len(labels), batch_size):
            x = waves[start : start + batch_size].float().to(device)
            y = labels[start : start + batch_size].to(device)
            logits = model(x)
            total_loss += float(loss_fn(logits, y))
            right = (logits.argmax(1) == y).cpu()
            hits += torch.bincount(y.cpu()[right], minlength=n_classes).float()
    counts = torch.bincount(labels, minlength=n_classes).float()
    present = counts > 0
    n = max(1, len(labels))
    return total_loss / n, float(hits.sum()) / n, float((hits[present] / counts[present]).mean())


def _fit(model, optimizer, scheduler, progress_so_far, *, train_set, val_set, settings, augment, device,
         out_dir: Path, progress: bool) -> dict:
    """Train the remaining epochs; after each, write the state and metrics. The progress at the end."""
    (train_x, train_y), (val_x, val_y) = train_set, val_set
    n_classes = len(model.labels)
    seed, epochs = settings["seed"], settings["epochs"]
    loss_fn = nn.CrossEntropyLoss(weight=_class_weights(train_y, n_classes).to(device),
                                  label_smoothing=settings["label_smoothing"])
    state = dict(progress_so_far)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * len(train_y), initial=state["epoch"] * len(train_y), desc=f"train on {device.type}",
                   unit="clip", dynamic_ncols=True)
    try:
        for epoch in range(state["epoch"], epochs):
            started = time.perf_counter()
            # Everything random in this epoch follows from (seed, epoch): resuming is exact.
            generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
            torch.manual_seed(seed * 100_003 + epoch)
            train_loss, train_acc = _run_epoch(
                model, train_x, train_y, loss_fn=loss_fn, optimizer=optimizer, scheduler=scheduler,
                batch_size=settings["batch_size"], augment=augment, generator=generator, device=device,
                sample_rate=model.sample_rate, bar=bar)
            val_loss, val_acc, val_score = _validate(model, val_x, val_y, device, n_classes)
            state["history"].append({
                "epoch": epoch + 1, "train_loss": train_loss, "train_accuracy": train_acc, "val_loss": val_loss,
                "val_accuracy": val_acc, "val_score": val_score,
                "learning_rate": float(optimizer.param_groups[0]["lr"]), "seconds": time.perf_counter() - started,
            })
            best = state["best"]
            if (val_score, -val_loss) > (best["val_score"], -best["val_loss"]):
                state["best"] = {"epoch": epoch + 1, "val_accuracy": val_acc, "val_score": val_score,
                                 "val_loss": val_loss}
                state["best_model"] = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
            state["epoch"] = epoch + 1
            if bar is not None:
                bar.set_postfix(epoch=epoch + 1, val_score=f"{val_score:.3f}")
            with writing(out_dir / STATE_NAME):
                atomic_torch_save({"format": STATE_FORMAT, "settings": settings, "model": model.state_dict(),
                                   "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                                   **state}, out_dir / STATE_NAME)
            _write_metrics(out_dir, settings, device, state)
    finally:
        if bar is not None:
            bar.close()
    return state


_UNFINISHED = object()


def _write_metrics(out_dir: Path, settings: dict, device, state: dict, test=_UNFINISHED) -> None:
    """``metrics.json``; its ``test`` key (the finished run's test result, maybe None) marks a
    finished run."""
    metrics = {"settings": settings, "device": device.type, "epochs": state["history"], "best": state["best"]}
    if test is not _UNFINISHED:
        metrics["test"] = test
    write_text_atomic(out_dir / "metrics.json", json.dumps(metrics, indent=2))


# ----------------------------------------------------------------------------------------------
# step 4: finish


def _test_result(model, data: Path, device) -> dict | None:
    """The best model scored on the data's test split, or None when the data has no test clips."""
    from audioviz.data import SpeechCommands

    if not (data / "testing_list.txt").is_file() and not any(data.glob("SpeechCommands/*/testing_list.txt")):
        return None
    test_set = SpeechCommands(data, subset="testing", words=model.words, neither=model.config.neither,
                              sample_rate=model.sample_rate)
    return evaluate(model, test_set, device=device) if len(test_set) else None


def _finish(model, state: dict, *, data: Path, settings: dict, device, out_dir: Path) -> dict | None:
    model.load_state_dict(state["best_model"])
    test = _test_result(model, data, device)
    with writing(out_dir / "model.pt"):
        save_checkpoint(out_dir / "model.pt", model, metrics={
            "epoch": state["best"]["epoch"], "val_accuracy": state["best"]["val_accuracy"],
            "val_score": state["best"]["val_score"], "val_loss": state["best"]["val_loss"],
            "history": state["history"], "settings": settings, "test": test,
        })
    _write_metrics(out_dir, settings, device, state, test)
    return test


def _keeps_global_rng(function):
    """Run ``function`` on a copy of torch's global random state: training seeds it (so that the
    same seed gives the same model), and the caller's own random numbers must not change."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        cuda_devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
        with torch.random.fork_rng(devices=cuda_devices):
            return function(*args, **kwargs)

    return wrapper


@_keeps_global_rng
def train(
    out_dir,
    *,
    data=None,
    words=("yes", "no"),
    neither: bool = True,
    epochs: int = DEFAULT_EPOCHS,
    batch_size: int = 64,
    learning_rate: float = 5e-3,
    weight_decay: float = 1e-2,
    label_smoothing: float = 0.15,
    seed: int = 0,
    device="auto",
    resume: bool = False,
    progress: bool = True,
    model_config: ModelConfig | None = None,
    augment: AugmentConfig | bool = True,
) -> TrainResult:
    """Train a :class:`KeywordCNN` to spot keywords, and to answer "neither" to anything else.

    Parameters
    ----------
    out_dir : str or Path
        Folder for ``model.pt`` (best model), ``metrics.json`` (per epoch) and ``train_state.pt``
        (for ``resume``). Created if missing; one training at a time may use it.
    data : str or Path, optional
        A Speech Commands tree (synthetic or real) with ``training``, ``validation`` and
        ``testing`` splits. Default: the synthetic set these words need, from
        :func:`audioviz.data.ensure_synthetic_dataset` (made on first use, then cached).
    words : sequence of str, optional
        The keywords. Default: ``("yes", "no")``; the ten Speech Commands keywords with
        ``neither=True`` give its standard 12-category model.
    neither : bool, optional
        Add the classes ``"_unknown_"`` (every other word in the data) and ``"_silence_"``
        (silence and noise), so the model can answer "neither". ``False`` trains a closed-set model
        that must call everything one of ``words``. Default: ``True``.
    epochs : int, optional
        Passes over the training set, 1-1000. Default: :data:`DEFAULT_EPOCHS`.
    batch_size : int, optional
        Clips per optimisation step, 2-4096. Default: ``64``.
    learning_rate : float, optional
        Peak learning rate (linear warm-up, then cosine decay). Default: ``5e-3``.
    weight_decay : float, optional
        AdamW weight decay. Default: ``1e-2``.
    label_smoothing : float, optional
        Share of each target spread over the other classes (keeps the model from being sure of
        voices it has never heard). Default: ``0.15``: on voices of two other synthesisers
        (``benchmarks/bench_other_engines.py``) it raised the recall of "yes" over three seeds
        from 0.79 to 0.93 (Flite) and 0.79 to 0.97 (Festival) at the same false accepts, where
        ``0.05`` left one seed of three at 0.6.
    seed : int, optional
        Seeds initialisation, shuffling and augmentation; the same seed gives the same model on the
        same machine. Default: ``0``.
    device : str, optional
        ``"auto"`` (CUDA, then Apple MPS, then CPU), ``"cpu"``, ``"cuda"`` or ``"mps"``.
    resume : bool, optional
        Continue from ``out_dir/train_state.pt`` if an earlier run was interrupted (settings must
        match); without a saved state it starts fresh.
    progress : bool, optional
        Show progress bars (tqdm).
    model_config : ModelConfig, optional
        Network shape. Default: ``ModelConfig(words=words, neither=neither)``.
    augment : AugmentConfig or bool, optional
        An :class:`AugmentConfig`, ``True`` for the defaults or ``False`` for none.

    Returns
    -------
    TrainResult

    Raises
    ------
    ValueError
        Bad settings, a data tree without clips of every class, a clip with NaN or infinite
        samples (named), a damaged ``train_state.pt`` or one whose settings differ.
    RuntimeError
        Another training holds ``out_dir``, or the loss stopped being finite.

    Examples
    --------
    >>> result = train("runs/yes_no")  # doctest: +SKIP
    >>> print(result)  # doctest: +SKIP
    """
    started = time.perf_counter()
    config, augment, settings = _check(words, neither, epochs, batch_size, learning_rate, weight_decay,
                                       label_smoothing, seed, model_config, augment)
    device = resolve_device(device)
    out_dir = Path(out_dir).expanduser()
    out_dir.mkdir(parents=True, exist_ok=True)
    with training_lock(out_dir):
        data = _find_data(data, config, progress)
        settings = {"data": str(data.resolve()), **settings}
        rate, labels = config.frontend.sample_rate, config.labels
        train_x, train_y, counts = load_split(data, "training", config.words, neither=config.neither, sample_rate=rate)
        empty = [label for label in labels if not counts.get(label)]
        if empty:
            raise ValueError(f"{data} has no training clips of {empty} (training needs every class of {list(labels)})")
        val_x, val_y, _ = load_split(data, "validation", config.words, neither=config.neither, sample_rate=rate)
        if len(val_y) == 0:
            raise ValueError(f"{data} has no validation clips of {list(labels)} (validation_list.txt)")

        torch.manual_seed(seed)
        model = KeywordCNN(config).to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
        steps_per_epoch = sum(1 for s in range(0, len(train_y) - 1, batch_size) if len(train_y) - s >= 2)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_cosine(max(1, epochs * steps_per_epoch)))
        state_path = out_dir / STATE_NAME
        progress_so_far = {"epoch": 0, "history": [], "best_model": None,
                           "best": {"epoch": 0, "val_accuracy": -1.0, "val_score": -1.0, "val_loss": math.inf}}
        if resume and state_path.exists():
            progress_so_far = resume_state(state_path, settings, model, optimizer, scheduler)
        resumed_from = progress_so_far["epoch"]
        state = _fit(model, optimizer, scheduler, progress_so_far, train_set=(train_x, train_y),
                     val_set=(val_x, val_y), settings=settings, augment=augment, device=device, out_dir=out_dir,
                     progress=progress)
        test = _finish(model, state, data=data, settings=settings, device=device, out_dir=out_dir)
    return TrainResult(
        out_dir=out_dir, checkpoint=out_dir / "model.pt", metrics_path=out_dir / "metrics.json",
        history=state["history"], best_epoch=state["best"]["epoch"],
        best_val_accuracy=state["best"]["val_accuracy"], test=test, device=device.type,
        seconds=time.perf_counter() - started, resumed_from=resumed_from, data=str(data), settings=settings,
    )
