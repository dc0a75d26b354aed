"""``audioviz train``: train the keyword classifier (default: yes, no or neither) from the command line."""
from __future__ import annotations

import argparse

from ..cli import ranged


def _word_list(text: str) -> tuple[str, ...]:
    words = tuple(w.strip() for w in text.split(",") if w.strip())
    if not words:
        raise argparse.ArgumentTypeError(f"expected comma-separated words such as yes,no; got {text!r}")
    return words


def add_arguments(parser) -> None:
    from ._train import DEFAULT_EPOCHS, LIMITS

    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder for model.pt, metrics.json and the resumable training state")
    parser.add_argument("--words", type=_word_list, default=("yes", "no"), metavar="W1,W2,...",
                        help="keywords to listen for (default: yes,no); the ten Speech Commands keywords "
                             "up,down,left,right,on,off,stop,go,yes,no give its 12-category model")
    parser.add_argument("--closed-set", action="store_true",
                        help="no 'neither' answer: the model must call every sound one of the words")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="Speech Commands tree to train on (default: synthesise what the words need into the cache)")
    parser.add_argument("--epochs", type=ranged(int, *LIMITS["epochs"]), default=DEFAULT_EPOCHS, metavar="N",
                        help=f"passes over the training set, 1-{LIMITS['epochs'][1]} (default: {DEFAULT_EPOCHS})")
    parser.add_argument("--batch-size", type=ranged(int, *LIMITS["batch_size"]), default=64, metavar="N",
                        help=f"clips per step, {LIMITS['batch_size'][0]}-{LIMITS['batch_size'][1]} (default: 64)")
    parser.add_argument("--learning-rate", type=ranged(float, *LIMITS["learning_rate"]), default=5e-3, metavar="LR",
                        help="peak learning rate (default: 0.005)")
    parser.add_argument("--seed", type=ranged(int, *LIMITS["seed"]), default=0, metavar="S",
                        help="random seed; the same seed gives the same model on the same machine (default: 0)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"],
                        help="where to train (default: auto = GPU when present)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    from audioviz.cli import interrupt_hint

    from ._train import train

    # Every finished epoch is saved (and synthesis keeps its finished clips), so Ctrl-C loses little.
    interrupt_hint("run the same command with --resume to continue from the last finished epoch")
    result = train(args.out, data=args.data, words=args.words, neither=not args.closed_set, epochs=args.epochs,
                   batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed,
                   device=args.device, resume=args.resume, progress=not args.quiet)
    if result.resumed_from:
        print(f"resumed after epoch {result.resumed_from}")
    print(result)
    print(f"metrics: {result.metrics_path}")
    return 0
