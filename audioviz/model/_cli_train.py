"""``audioviz train``: train the yes/no classifier from the command line."""
from __future__ import annotations

COMMAND_HELP = "train the yes/no classifier"


def add_arguments(parser) -> None:
    from ._train import DEFAULT_EPOCHS

    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder for model.pt, metrics.json and the resumable training state")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="Speech Commands tree to train on (default: synthesise the yes/no set into the cache)")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, metavar="N",
                        help=f"passes over the training set (default: {DEFAULT_EPOCHS})")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"],
                        help="where to train (default: auto = GPU when present)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    from ._train import train

    result = train(args.out, data=args.data, epochs=args.epochs, seed=args.seed, device=args.device,
                   resume=args.resume, progress=not args.quiet)
    if result.resumed_from:
        print(f"resumed after epoch {result.resumed_from}")
    print(result)
    print(f"metrics: {result.metrics_path}")
    return 0
