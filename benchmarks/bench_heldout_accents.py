"""Held-out-accent check: does the default recipe generalise to eSpeak accents it never heard?

The synthetic validation and test splits of :func:`audioviz.data.ensure_synthetic_dataset` are
disjoint by speaker, but every accent is in training, so they cannot see a model whose boundary
is drawn tight around the voices it knows. This benchmark rebuilds the default yes/no/neither
tree (links, no copies) so that whole accents are held out:

* training: the training speakers of every other accent;
* validation (epoch choice): the validation speakers of those same accents;
* testing: EVERY speaker of the held-out accents (default ``en-gb-scotland`` and ``en-029``,
  the two least like the others), keywords, "neither" words and silence alike;

trains the default recipe (``--epochs``, seeds ``--seeds``) and reports, per seed, the recall of
yes, no and "neither" and the false accepts on other words and on silence. Synthetic data only:
use it to choose a recipe; the real recordings are for reporting afterwards. Usage::

    nice -n 10 python benchmarks/bench_heldout_accents.py [--seeds 0,1] [--epochs 8]

Writes ``benchmarks/results/heldout_accents.json``.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from _report import environment, utc_now, write_result

HELD_OUT = ("en-gb-scotland", "en-029")


def accent_of_speakers(tree: Path) -> dict[str, tuple[str, str]]:
    """Speaker id -> (eSpeak accent, split) of a tree made by audioviz, re-planned from its
    manifest (the plan is deterministic given the parameters)."""
    from audioviz.data import SynthesisConfig
    from audioviz.data._plan import _plan_speakers

    manifest = json.loads((tree / "manifest.json").read_text())
    parameters = manifest["parameters"]
    config = SynthesisConfig.from_dict(parameters["config"])
    speakers = _plan_speakers(tuple(parameters["words"]), parameters["per_word"], parameters["seed"], config)
    if len(speakers) != manifest["speakers"]:
        raise RuntimeError(f"{tree}: re-planned {len(speakers)} speakers, the manifest says {manifest['speakers']}")
    return {s["id"]: (s["voice"].split("+")[0], s["split"]) for s in speakers}


def held_out_accent_tree(tree: Path, out: Path, held_out=HELD_OUT) -> dict[str, int]:
    """Link ``tree``'s clips into ``out`` with the held-out-accent split; clip count per split."""
    speakers = accent_of_speakers(tree)
    unknown = set(held_out) - {accent for accent, _ in speakers.values()}
    if unknown:
        raise ValueError(f"held_out: no speaker of the tree has accent(s) {sorted(unknown)}")
    manifest = json.loads((tree / "manifest.json").read_text())
    lists = {"validation": [], "testing": []}
    count = {"training": 0, "validation": 0, "testing": 0}
    for rel in sorted(manifest["files"]):
        if not rel.endswith(".wav") or rel.startswith("_background_noise_/"):
            continue
        accent, split = speakers[rel.split("/")[1].split("_nohash_")[0]]
        if accent in held_out:
            split = "testing"
        elif split == "testing":
            continue
        if split != "training":
            lists[split].append(rel)
        count[split] += 1
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).symlink_to(tree / rel)
    (out / "_background_noise_").symlink_to(tree / "_background_noise_")
    for split, names in lists.items():
        (out / f"{split}_list.txt").write_text("".join(f"{name}\n" for name in names))
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1", help="training seeds, comma-separated (default: 0,1)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: the recipe's)")
    parser.add_argument("--held-out", default=",".join(HELD_OUT), help="accents to hold out, comma-separated")
    args = parser.parse_args(argv)
    from audioviz.data import SpeechCommands, ensure_synthetic_dataset
    from audioviz.model import evaluate, load_checkpoint, train
    from audioviz.model._train import DEFAULT_EPOCHS

    epochs = args.epochs or DEFAULT_EPOCHS
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = {}
    with tempfile.TemporaryDirectory(prefix="bench_heldout_") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        clips = held_out_accent_tree(ensure_synthetic_dataset(progress=False), data, tuple(args.held_out.split(",")))
        test_set = SpeechCommands(data, "testing", ("yes", "no"), neither=True)
        for seed in seeds:
            train(Path(tmp) / f"seed{seed}", data=data, epochs=epochs, seed=seed, progress=False)
            model, _ = load_checkpoint(Path(tmp) / f"seed{seed}" / "model.pt")
            result = evaluate(model, test_set)
            runs[seed] = {k: result[k] for k in ("per_class", "false_accept", "accuracy", "n")}
            print(f"seed {seed}: " + ", ".join(f"recall {k} {v:.1%}" for k, v in result["per_class"].items())
                  + ", false accepts " + ", ".join(f"{k} {v:.1%}" for k, v in result["false_accept"].items()))
    write_result("heldout_accents", {"measured": utc_now(), "environment": environment(), "held_out": args.held_out,
                                     "epochs": epochs, "clips": clips, "runs": runs})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
