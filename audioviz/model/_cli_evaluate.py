"""``audioviz evaluate``: accuracy, recall per answer, false accepts and confusion of a checkpoint."""
from __future__ import annotations

import json


def add_arguments(parser) -> None:
    parser.add_argument("--checkpoint", required=True, metavar="PATH",
                        help="model.pt written by `audioviz train` (or its folder)")
    parser.add_argument("--data", required=True, metavar="ROOT",
                        help="Speech Commands tree, synthetic or real: a v0.02 tree, torchaudio's layout, or "
                             "Google's test layout (yes/ ... _unknown_/ _silence_/)")
    parser.add_argument("--subset", default="testing", choices=["training", "validation", "testing"],
                        help="which split to score (default: testing)")
    parser.add_argument("--json", metavar="OUT", default=None,
                        help="also write accuracy, per_class, false_accept, confusion and n to this JSON file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def format_report(result: dict) -> str:
    """Accuracy, recall per answer, false accepts and the confusion matrix as aligned text."""
    words = result["words"]
    width = max(9, *(len(w) + 2 for w in words))
    lines = [f"accuracy: {result['accuracy']:.2%} on {result['n']} clips "
             "(\"neither\" is right for every clip of a word the model does not name)", "recall:"]
    for w, r in result["per_class"].items():
        lines.append(f"  {w:<{width}}{r:.2%}")
    accepts = result.get("false_accept", {})
    for kind, share in accepts.items():
        if share is not None:
            lines.append(f"false accepts on {'other words' if kind == 'words' else kind}: {share:.2%}")
    if len(result.get("labels", ())) > len(words):
        lines.append(f"exact class accuracy ({len(result['labels'])} classes): {result['label_accuracy']:.2%}")
    lines.append("confusion (rows: true answer, columns: answer given):")
    lines.append(" " * (width + 2) + "".join(f"{w:>{width}}" for w in words))
    for w, row in zip(words, result["confusion"]):
        lines.append(f"  {w:<{width}}" + "".join(f"{c:>{width}}" for c in row))
    return "\n".join(lines)


def run(args) -> int:
    from audioviz._fileio import write_text_atomic
    from audioviz.data import SpeechCommands

    from ._checkpoint import load_checkpoint
    from ._evaluate import evaluate

    model, info = load_checkpoint(args.checkpoint)
    # neither=True keeps every clip: words the model does not name are scored as "neither"
    dataset = SpeechCommands(args.data, subset=args.subset, words=model.words, neither=True,
                             sample_rate=model.sample_rate)
    result = evaluate(model, dataset, progress=not args.quiet)
    print(f"{info['path']} on {args.data} ({args.subset})")
    print(format_report(result))
    if args.json:
        write_text_atomic(args.json, json.dumps(result, indent=2))
        print(f"wrote {args.json}")
    return 0
