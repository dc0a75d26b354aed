"""Classifier benchmark: how long a default ``audioviz train`` takes, and how right its model is.

Measures, in one run, on this machine:

1. the wall-clock time of ``audioviz train --out DIR`` with default settings in a fresh cache
   (so eSpeak synthesis of the default yes/no set is included), against the 3-minute budget;
2. the accuracy of that model on the voice-disjoint synthetic test split;
3. its accuracy on REAL human voices (the Speech Commands sample in ``../shared/data`` or
   ``$AUDIOVIZ_SPEECH_COMMANDS``; never trained on), overall and per word;
4. a baseline trained in the same run on the same synthetic data: the same network with the
   skeleton's front end (per-clip normalisation only) and no training augmentation. The ratio
   column is the baseline's error rate divided by ours (how many times fewer mistakes we make).

Usage::

    python benchmarks/bench_classifier.py              # everything (about 6 minutes on 2 cores)
    python benchmarks/bench_classifier.py --no-baseline

Writes ``benchmarks/results/classifier.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import environment, utc_now, write_result

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BUDGET_S = 180.0
TARGETS = {"synthetic_test": 0.98, "real_overall": 0.90, "real_per_word": 0.85}


def real_root() -> Path | None:
    env = os.environ.get("AUDIOVIZ_SPEECH_COMMANDS")
    for path in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data" / "speech_commands_yes_no"]:
        if (path / "SpeechCommands").is_dir():
            return path
    return None


def timed_default_train(cache: Path, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, all processes) of ``audioviz train --out out``
    in a fresh process with an empty cache."""
    import resource

    env = dict(os.environ, AUDIOVIZ_CACHE=str(cache))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "audioviz", "train", "--out", str(out), "--quiet"], check=True, env=env,
                   cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def score(checkpoint: Path, synthetic_root: Path, real: Path | None) -> dict:
    from audioviz.data import SpeechCommands
    from audioviz.model import evaluate, load_checkpoint

    model, _ = load_checkpoint(checkpoint)
    result = {"synthetic": evaluate(model, SpeechCommands(synthetic_root, subset="testing"))}
    if real is not None:
        result["real"] = evaluate(model, SpeechCommands(real, subset="testing"))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline model")
    args = parser.parse_args(argv)

    import torch

    from audioviz.model import DEFAULT_EPOCHS, FrontendConfig, ModelConfig, train

    torch.set_num_threads(min(2, torch.get_num_threads()))
    real = real_root()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_classifier_") as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        seconds, cpu_seconds = timed_default_train(cache, tmp / "ours")
        metrics = json.loads((tmp / "ours" / "metrics.json").read_text())
        train_s = sum(e["seconds"] for e in metrics["epochs"])
        synthetic_root = Path(metrics["settings"]["data"])
        ours = score(tmp / "ours" / "model.pt", synthetic_root, real)

        base = None
        if not args.no_baseline:
            os.environ["AUDIOVIZ_CACHE"] = str(cache)
            config = ModelConfig(frontend=FrontendConfig(normalize="clip"))
            baseline_run = train(tmp / "baseline", data=synthetic_root, epochs=DEFAULT_EPOCHS, augment=False,
                                 model_config=config, progress=False)
            base = score(baseline_run.checkpoint, synthetic_root, real)

    def ratio(ours_acc, base_acc):
        if base is None:
            return None
        ours_err, base_err = 1 - ours_acc, 1 - base_acc
        return round(base_err / ours_err, 2) if ours_err > 0 else None

    rows.append(["default `audioviz train` wall-clock, s (synthesis included)", round(seconds, 1), None, None,
                 f"<= {BUDGET_S:.0f}", "yes" if seconds <= BUDGET_S else "NO"])
    rows.append(["  of which training epochs, s", round(train_s, 1), None, None, "", ""])
    rows.append(["  CPU time of that command, s (user+sys, all cores)", round(cpu_seconds, 1), None, None, "", ""])
    load = os.getloadavg()[0]
    rows.append(["  machine load average when it finished", round(load, 2), None, None, "", ""])
    syn = ours["synthetic"]["accuracy"]
    base_syn = base["synthetic"]["accuracy"] if base else None
    rows.append(["synthetic test accuracy (voice-disjoint)", round(syn, 4), base_syn and round(base_syn, 4),
                 ratio(syn, base_syn) if base else None, f">= {TARGETS['synthetic_test']}",
                 "yes" if syn >= TARGETS["synthetic_test"] else "NO"])
    if real is not None:
        acc = ours["real"]["accuracy"]
        base_acc = base["real"]["accuracy"] if base else None
        rows.append([f"REAL voices accuracy ({ours['real']['n']} clips)", round(acc, 4),
                     base_acc and round(base_acc, 4), ratio(acc, base_acc) if base else None,
                     f">= {TARGETS['real_overall']}", "yes" if acc >= TARGETS["real_overall"] else "NO"])
        for word, recall in ours["real"]["per_class"].items():
            base_r = base["real"]["per_class"][word] if base else None
            rows.append([f"REAL voices recall '{word}'", round(recall, 4), base_r and round(base_r, 4),
                         ratio(recall, base_r) if base else None, f">= {TARGETS['real_per_word']}",
                         "yes" if recall >= TARGETS["real_per_word"] else "NO"])
    else:
        rows.append(["REAL voices", "not measured: real Speech Commands sample not found", None, None, "", ""])

    columns = ["measure", "audioviz", "baseline", "baseline error / ours", "target", "met"]
    widths = [max(len(str(r[i])) for r in rows + [columns]) for i in range(len(columns))]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for row in rows:
        print("  ".join(("" if v is None else str(v)).ljust(w) for v, w in zip(row, widths)))
    print(f"(one run each; epochs: {metrics['settings']['epochs']}, device: {metrics['device']}, "
          f"confusion on real voices [rows true yes/no]: {ours['real']['confusion'] if real else '-'})")

    import torch as _torch

    result = {
        "title": "Classifier: default training time and accuracy on real voices",
        "description": (
            "One default `audioviz train` in a fresh cache (eSpeak synthesis of the yes/no set included), "
            "scored on the voice-disjoint synthetic test split and on 405 REAL Speech Commands v0.02 test "
            "clips never used in training. Single run, not a median: training is the expensive part."
        ),
        "baseline": ("same CNN and data, skeleton front end (per-clip normalisation only), no training "
                     "augmentation; ratio = baseline error rate / audioviz error rate"),
        "columns": columns,
        "rows": rows,
        "confusion_real": ours["real"]["confusion"] if real else None,
        "environment": environment(torch=_torch.__version__, device=metrics["device"]),
        "generated": utc_now(),
    }
    write_result("classifier", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
