"""``audioviz data``: make a synthetic speech-commands dataset, or describe one (synthetic or real).

    audioviz data synth --root DIR [--words yes,no] [--per-word N] [--seed S]
    audioviz data info --root DIR [--words yes,no]
"""
from __future__ import annotations

COMMAND_HELP = "make or inspect speech-command datasets"


def add_arguments(parser) -> None:
    from ._synth import DEFAULT_PER_WORD

    sub = parser.add_subparsers(dest="data_command", metavar="ACTION")
    synth = sub.add_parser("synth", help="write a synthetic Speech Commands v0.02 tree (eSpeak NG voices)",
                           description="Write a synthetic Speech Commands v0.02 tree made from eSpeak NG voices "
                                       "with simulated rooms, microphones and noise. Resumes an interrupted run; "
                                       "returns at once if the tree is already complete.")
    synth.add_argument("--root", required=True, metavar="DIR", help="the dataset folder to create")
    synth.add_argument("--words", default="yes,no", metavar="W1,W2",
                       help="comma-separated Speech Commands words (default: yes,no)")
    synth.add_argument("--per-word", type=int, default=DEFAULT_PER_WORD, metavar="N",
                       help=f"clips per word (default: {DEFAULT_PER_WORD})")
    synth.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    synth.add_argument("--processes", type=int, default=None, metavar="P",
                       help="worker processes (default: one per CPU core)")
    synth.add_argument("--quiet", action="store_true", help="no progress bar")
    info = sub.add_parser("info", help="clips per split and word of a synthetic or real dataset folder")
    info.add_argument("--root", required=True, metavar="DIR",
                      help="dataset folder, or a folder holding SpeechCommands/speech_commands_v0.02")
    info.add_argument("--words", default="yes,no", metavar="W1,W2", help="words to count (default: yes,no)")
    parser.set_defaults(_data_parser=parser)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


def run(args) -> int:
    if args.data_command == "synth":
        import time

        from ._synth import synthesize_speech_commands

        start = time.perf_counter()
        root = synthesize_speech_commands(args.root, words=_words(args.words), per_word=args.per_word, seed=args.seed,
                                          processes=args.processes, progress=not args.quiet)
        print(f"{root} ({time.perf_counter() - start:.1f} s)")
        return 0
    if args.data_command == "info":
        from ._dataset import SpeechCommands

        for subset in ("training", "validation", "testing"):
            print(f"{subset:>10}: {SpeechCommands(args.root, subset=subset, words=_words(args.words))!r}")
        return 0
    args._data_parser.print_help()
    return 2
