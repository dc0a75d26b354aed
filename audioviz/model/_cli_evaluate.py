"""``audioviz evaluate``: accuracy, recall per word and confusion matrix of a checkpoint on a dataset."""
from __future__ import annotations

import json
from pathlib import Path

COMMAND_HELP = "evaluate a trained classifier on a dataset"


def add_arguments(parser) -> None:
    parser.add_argument("--checkpoint", required=True, metavar="PATH",
                        help="model.pt written by `audioviz train` (or its folder)")
    parser.add_argument("--data", required=True, metavar="ROOT",
                        help="Speech Commands tree, synthetic or real (e.g. ../shared/data/speech_commands_yes_no)")
    parser.add_argument("--subset", default="testing", choices=["training", "validation", "testing"],
                        help="which split to score (default: testing)")
    parser.add_argument("--json", metavar="OUT", default=None,
                        help="also write accuracy, per_class, confusion and n to this JSON file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def format_report(result: dict) -> str:
    """Accuracy, recall per word and the confusion matrix as aligned text."""
    words = result["words"]
    width = max(9, *(len(w) + 2 for w in words))
    lines = [f"accuracy: {result['accuracy']:.2%} on {result['n']} clips", "recall per word:"]
    for w, r in result["per_class"].items():
        lines.append(f"  {w:<{width}}{r:.2%}")
    lines.append("confusion (rows: true word, columns: predicted):")
    lines.append(" " * (width + 2) + "".join(f"{w:>{width}}" for w in words))
    for w, row in zip(words, result["confusion"]):
        lines.append(f"  {w:<{width}}" + "".join(f"{c:>{width}}" for c in row))
    return "\n".join(lines)


def run(args) -> int:
    from audioviz.data import SpeechCommands

    from ._checkpoint import load_checkpoint
    from ._evaluate import evaluate

    model, info = load_checkpoint(args.checkpoint)
    dataset = SpeechCommands(args.data, subset=args.subset, words=tuple(info["words"]))
    result = evaluate(model, dataset, progress=not args.quiet)
    print(f"{info['path']} on {args.data} ({args.subset})")
    print(format_report(result))
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
        print(f"wrote {out}")
    return 0
