"""Training the yes/no classifier: :func:`train` and what it returns.

The whole training set (a few thousand one-second clips) fits in memory, so it is read once into
one tensor and batches are cut from it: no data-loader workers, no per-epoch disk reads. Each
epoch draws its shuffling and augmentation from a generator seeded by ``(seed, epoch)``, so a run
interrupted after epoch *k* and resumed gives the same weights as an uninterrupted one. After each
epoch the metrics go to ``DIR/metrics.json``, the full training state to ``DIR/train_state.pt``
and, when the validation accuracy is the best so far, the model to ``DIR/model.pt`` (all atomic).
"""
from __future__ import annotations

import functools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from .._fileio import write_text_atomic
from .._validation import check_choice, check_positive_int
from ._batch_augment import AugmentConfig, augment_waveforms, spec_augment
from ._checkpoint import atomic_torch_save, save_checkpoint
from ._evaluate import evaluate
from ._network import KeywordCNN, ModelConfig

__all__ = ["DEFAULT_EPOCHS", "TrainResult", "train"]

#: Epochs of a default ``audioviz train`` (chosen so that, data synthesis included, it takes
#: under three minutes on a two-core CPU).
DEFAULT_EPOCHS = 8
DEVICES = ("auto", "cpu", "cuda", "mps")
STATE_NAME = "train_state.pt"


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes:
        out_dir: the training folder.
        checkpoint: path of the best model, ``out_dir/model.pt``.
        metrics_path: path of ``out_dir/metrics.json``.
        history: one dict per epoch: ``epoch``, ``train_loss``, ``train_accuracy``, ``val_loss``,
            ``val_accuracy`` (fractions 0-1), ``learning_rate``, ``seconds``.
        best_epoch: epoch of the saved model (best validation accuracy, then lowest loss).
        best_val_accuracy: its validation accuracy.
        test: :func:`evaluate` result of the saved model on the test split (``None`` when the
            data has no test split).
        device: where it trained.
        seconds: wall-clock time of this call.
        resumed_from: epochs already done when the call started (``0`` for a fresh run).
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
            lines.append(f"test accuracy {self.test['accuracy']:.1%} on {self.test['n']} clips ({per})")
        lines.append(f"model: {self.checkpoint}")
        return "\n".join(lines)


def resolve_device(device) -> torch.device:
    """The torch device to train on.

    Args:
        device: ``"auto"`` (CUDA if torch sees a GPU, else Apple MPS, else CPU), ``"cpu"``,
            ``"cuda"``, ``"mps"``, or a :class:`torch.device`.

    Returns:
        A :class:`torch.device`.

    Raises:
        ValueError: an unknown name, or a GPU asked for that torch cannot see.

    Example:
        >>> resolve_device("cpu")
        device(type='cpu')
    """
    if isinstance(device, torch.device):
        return device
    check_choice(device, DEVICES, name="device")
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but torch sees no CUDA GPU; use device='auto' or 'cpu'")
    if device == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError("device='mps' was asked for but this torch has no Apple MPS support; use 'auto' or 'cpu'")
    return torch.device(device)


def _load_split(root: Path, subset: str, words) -> tuple[torch.Tensor, torch.Tensor, object]:
    """All clips of one split as ``(waves (n, 1, 16000), labels (n,), dataset)``."""
    from audioviz.data import SpeechCommands

    dataset = SpeechCommands(root, subset=subset, words=tuple(words))
    if len(dataset) == 0:
        return torch.zeros(0, 1, 16000), torch.zeros(0, dtype=torch.long), dataset
    index = {w: i for i, w in enumerate(words)}
    waves, labels = [], []
    for i in range(len(dataset)):
        waveform, _, _, word, *_ = dataset[i]
        waves.append(torch.as_tensor(waveform, dtype=torch.float32))
        labels.append(index[word])
    return torch.stack(waves), torch.tensor(labels), dataset


def _atomic_json(obj, path: Path) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2))


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


def _run_epoch(model, waves, labels, *, optimizer, scheduler, batch_size, augment, generator, device, bar):
    model.train()
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(labels), generator=generator)
    total_loss, correct = 0.0, 0
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        if len(idx) < 2:  # batch norm needs two clips
            continue
        x, y = waves[idx], labels[idx]
        if augment is not None:
            x = augment_waveforms(x, augment, generator)
        x, y = x.to(device), y.to(device)
        logmel = model.features(x)
        if augment is not None:
            logmel = spec_augment(logmel, augment, generator)
        logits = model.forward_features(logmel)
        loss = loss_fn(logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total_loss += float(loss.detach()) * len(idx)
        correct += int((logits.argmax(1) == y).sum())
        if bar is not None:
            bar.update(len(idx))
            bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
    n = max(1, len(order))
    return total_loss / n, correct / n


def _validate(model, waves, labels, device, batch_size=256):
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(labels), batch_size):
            x = waves[start : start + batch_size].to(device)
            y = labels[start : start + batch_size].to(device)
            logits = model(x)
            total_loss += float(loss_fn(logits, y))
            correct += int((logits.argmax(1) == y).sum())
    n = max(1, len(labels))
    return total_loss / n, correct / n


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
    epochs: int = DEFAULT_EPOCHS,
    batch_size: int = 64,
    learning_rate: float = 5e-3,
    weight_decay: float = 1e-2,
    seed: int = 0,
    device="auto",
    resume: bool = False,
    progress: bool = True,
    model_config: ModelConfig | None = None,
    augment: AugmentConfig | bool = True,
) -> TrainResult:
    """Train a :class:`KeywordCNN` to tell spoken words apart.

    Args:
        out_dir: folder for ``model.pt`` (best model), ``metrics.json`` (per epoch) and
            ``train_state.pt`` (for ``resume``). Created if missing.
        data: root of a Speech Commands tree (synthetic or real) with ``training``, ``validation``
            and ``testing`` splits. Default: the synthetic yes/no set from
            :func:`audioviz.data.ensure_synthetic_dataset`, made on first use.
        words: the words to tell apart. Default: ``("yes", "no")``.
        epochs: passes over the training set. Default: :data:`DEFAULT_EPOCHS` (8).
        batch_size: clips per optimisation step. Default: ``64``.
        learning_rate: peak learning rate (linear warm-up, then cosine decay). Default: ``5e-3``.
        weight_decay: AdamW weight decay. Default: ``1e-2``.
        seed: seeds initialisation, shuffling and augmentation; the same seed gives the same
            model on the same machine. Default: ``0``.
        device: ``"auto"`` (CUDA, then Apple MPS, then CPU), ``"cpu"``, ``"cuda"`` or ``"mps"``.
        resume: continue from ``out_dir/train_state.pt`` if an earlier run was interrupted
            (settings must match); without a saved state it starts fresh.
        progress: show progress bars (tqdm).
        model_config: network shape. Default: ``ModelConfig(words=words)``.
        augment: an :class:`AugmentConfig`, ``True`` for the defaults or ``False`` for none.

    Returns:
        A :class:`TrainResult`.

    Raises:
        ValueError: bad settings, a data tree with no training or validation clips, or a resume
            whose settings differ from the interrupted run's.

    Example:
        >>> result = train("runs/yesno")  # doctest: +SKIP
        >>> print(result)  # doctest: +SKIP
    """
    started = time.perf_counter()
    epochs = check_positive_int(epochs, name="epochs")
    batch_size = check_positive_int(batch_size, name="batch_size")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    words = tuple(words)
    if len(words) < 2 or len(set(words)) != len(words):
        raise ValueError(f"words must name at least two different words, got {words!r}")
    if augment is True:
        augment = AugmentConfig()
    elif augment is False or augment is None:
        augment = None
    elif not isinstance(augment, AugmentConfig):
        raise TypeError(f"augment must be an AugmentConfig, True or False, got {type(augment).__name__}")
    config = model_config or ModelConfig(words=words)
    if tuple(config.words) != words:
        raise ValueError(f"model_config.words {tuple(config.words)} differs from words {words}")
    dev = resolve_device(device)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if data is None:
        from audioviz.data import ensure_synthetic_dataset

        data = ensure_synthetic_dataset(progress=progress)
    data = Path(data)
    if not data.exists():
        raise FileNotFoundError(
            f"data folder not found: {data}. Make one with `audioviz data synth --root DIR`, "
            "or leave data unset to use the default synthetic set."
        )

    settings = {
        "data": str(data.resolve()),
        "words": list(words),
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "weight_decay": weight_decay,
        "seed": seed,
        "model_config": config.to_dict(),
        "augment": augment.to_dict() if augment else None,
    }

    train_x, train_y, _ = _load_split(data, "training", words)
    val_x, val_y, _ = _load_split(data, "validation", words)
    if len(train_y) < 2:
        raise ValueError(f"{data} has {len(train_y)} training clips of {list(words)}; need at least 2")
    if len(val_y) == 0:
        raise ValueError(f"{data} has no validation clips of {list(words)} (validation_list.txt)")

    torch.manual_seed(seed)
    model = KeywordCNN(config).to(dev)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    steps_per_epoch = sum(1 for s in range(0, len(train_y), batch_size) if len(train_y) - s >= 2)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_cosine(max(1, epochs * steps_per_epoch)))

    history: list = []
    best = {"epoch": 0, "val_accuracy": -1.0, "val_loss": math.inf}
    start_epoch = 0
    state_path = out_dir / STATE_NAME
    if resume and state_path.exists():
        state = torch.load(state_path, map_location="cpu", weights_only=True)
        if state.get("settings") != settings:
            diff = sorted(k for k in settings if state.get("settings", {}).get(k) != settings[k])
            raise ValueError(
                f"cannot resume {out_dir}: the interrupted run used different settings ({', '.join(diff)}); "
                "use the same options, or a new --out folder"
            )
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history = list(state["history"])
        best = dict(state["best"])
        start_epoch = int(state["epoch"])
    resumed_from = start_epoch

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * len(train_y), initial=start_epoch * len(train_y), desc=f"train on {dev.type}",
                   unit="clip", dynamic_ncols=True)
    try:
        for epoch in range(start_epoch, epochs):
            epoch_start = time.perf_counter()
            # Everything random in this epoch follows from (seed, epoch): resuming is exact.
            generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
            torch.manual_seed(seed * 100_003 + epoch)
            train_loss, train_acc = _run_epoch(
                model, train_x, train_y, optimizer=optimizer, scheduler=scheduler, batch_size=batch_size,
                augment=augment, generator=generator, device=dev, bar=bar,
            )
            val_loss, val_acc = _validate(model, val_x, val_y, dev)
            record = {
                "epoch": epoch + 1,
                "train_loss": train_loss,
                "train_accuracy": train_acc,
                "val_loss": val_loss,
                "val_accuracy": val_acc,
                "learning_rate": float(optimizer.param_groups[0]["lr"]),
                "seconds": time.perf_counter() - epoch_start,
            }
            history.append(record)
            if bar is not None:
                bar.set_postfix(epoch=epoch + 1, val_acc=f"{val_acc:.3f}")
            if (val_acc, -val_loss) > (best["val_accuracy"], -best["val_loss"]):
                best = {"epoch": epoch + 1, "val_accuracy": val_acc, "val_loss": val_loss}
                save_checkpoint(out_dir / "model.pt", model, metrics={
                    "epoch": epoch + 1, "val_accuracy": val_acc, "val_loss": val_loss,
                    "history": history, "settings": settings,
                })
            atomic_torch_save({
                "settings": settings,
                "epoch": epoch + 1,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "history": history,
                "best": best,
            }, state_path)
            _atomic_json({"settings": settings, "device": dev.type, "epochs": history, "best": best},
                         out_dir / "metrics.json")
    finally:
        if bar is not None:
            bar.close()

    from ._checkpoint import load_checkpoint, read_checkpoint

    test = None
    best_model, _ = load_checkpoint(out_dir / "model.pt", device=dev)
    try:
        from audioviz.data import SpeechCommands

        test_set = SpeechCommands(data, subset="testing", words=words)
        if len(test_set):
            test = evaluate(best_model, test_set)
    except ValueError:
        test = None
    # Store the test result with the model and in metrics.json.
    payload = read_checkpoint(out_dir / "model.pt")
    metrics = dict(payload.get("metrics", {}))
    metrics["history"] = history
    metrics["test"] = test
    save_checkpoint(out_dir / "model.pt", best_model, metrics=metrics)
    _atomic_json({"settings": settings, "device": dev.type, "epochs": history, "best": best, "test": test},
                 out_dir / "metrics.json")
    return TrainResult(
        out_dir=out_dir,
        checkpoint=out_dir / "model.pt",
        metrics_path=out_dir / "metrics.json",
        history=history,
        best_epoch=best["epoch"],
        best_val_accuracy=best["val_accuracy"],
        test=test,
        device=dev.type,
        seconds=time.perf_counter() - started,
        resumed_from=resumed_from,
        data=str(data),
        settings=settings,
    )
