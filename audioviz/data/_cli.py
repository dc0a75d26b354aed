"""``audioviz data``: make, check or describe a speech-commands dataset, or get the real test set.

    audioviz data synth --root DIR [--words yes,no] [--per-word N] [--unknown-words auto|none|W1,W2]
                        [--unknown-per-word N] [--silence N] [--seed S] [--processes P] [--quiet]
    audioviz data check ROOT
    audioviz data info --root DIR [--words yes,no]
    audioviz data words [--words yes,no]
    audioviz data download [--root DIR] [--url URL]

Every numeric option has a range that argparse checks before anything runs (exit 2).
"""
from __future__ import annotations

import argparse

from ..cli import ranged  # one argparse rule for a bounded number


def _word_list(text: str) -> tuple[str, ...]:
    from ._vocabulary import check_words

    try:
        return check_words(text)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _unknown_words(text: str):
    if text.strip().lower() == "auto":
        return None
    if text.strip().lower() == "none":
        return ()
    return _word_list(text)


def add_arguments(parser) -> None:
    from ._plan import MAX_PER_WORD, MAX_PROCESSES, MAX_SILENCE, MAX_UNKNOWN_PER_WORD
    from ._synth import DEFAULT_PER_WORD

    sub = parser.add_subparsers(dest="data_command", metavar="ACTION")
    synth = sub.add_parser("synth", help="write a synthetic Speech Commands v0.02 tree (eSpeak NG voices)",
                           description="Write a synthetic Speech Commands v0.02 tree made from eSpeak NG voices "
                                       "with simulated rooms, microphones and noise: the keywords, a 'neither' "
                                       "side (other words, near misses, cut-off and nonsense words) and _silence_ "
                                       "clips. Resumes an interrupted run; returns at once if the tree is already "
                                       "complete and intact.")
    synth.add_argument("--root", required=True, metavar="DIR", help="the dataset folder (new, empty or earlier result)")
    synth.add_argument("--words", type=_word_list, default=("yes", "no"), metavar="W1,W2",
                       help="comma-separated keywords, any lower-case English words (default: yes,no)")
    synth.add_argument("--per-word", type=ranged(int, 1, MAX_PER_WORD), default=DEFAULT_PER_WORD, metavar="N",
                       help=f"clips per keyword, 1 to {MAX_PER_WORD:,} (default: {DEFAULT_PER_WORD})")
    synth.add_argument("--unknown-words", type=_unknown_words, default=None, metavar="auto|none|W1,W2",
                       help="the 'neither' words: 'auto' (near misses, other words, cut-off and nonsense words; "
                            "see `audioviz data words`), 'none' (a closed-set tree) or a list (default: auto)")
    synth.add_argument("--unknown-per-word", type=ranged(int, 0, MAX_UNKNOWN_PER_WORD), default=None, metavar="N",
                       help=f"clips per unknown word, 0 to {MAX_UNKNOWN_PER_WORD:,} (default: about 1.5 x "
                            "--per-word unknown clips in all)")
    synth.add_argument("--silence", type=ranged(int, 0, MAX_SILENCE), default=None, metavar="N",
                       help=f"one-second _silence_ clips (silence, room tone, noise, hum), 0 to {MAX_SILENCE:,} "
                            "(default: --per-word; 0 with --unknown-words none)")
    synth.add_argument("--seed", type=ranged(int, 0, 2**32 - 1), default=0, metavar="S", help="random seed (default: 0)")
    synth.add_argument("--processes", type=ranged(int, 1, MAX_PROCESSES), default=None, metavar="P",
                       help=f"worker processes, 1 to {MAX_PROCESSES} (default: one per CPU core)")
    synth.add_argument("--quiet", action="store_true", help="no progress bar")

    check = sub.add_parser("check", help="verify a synthetic tree against its manifest (SHA-256 of every file)",
                           description="Verify every file of a synthetic tree against the SHA-256 in its "
                                       "manifest.json. Exit 0 if all match, 1 with the list of missing, changed "
                                       "and unlisted files otherwise.")
    check.add_argument("root", metavar="ROOT", help="the dataset folder")

    info = sub.add_parser("info", help="clips per split and word of a synthetic or real dataset folder")
    info.add_argument("--root", required=True, metavar="DIR",
                      help="dataset folder, or a folder holding SpeechCommands/speech_commands_v0.02")
    info.add_argument("--words", type=_word_list, default=("yes", "no"), metavar="W1,W2",
                      help="words to count (default: yes,no)")

    words = sub.add_parser("words", help="the automatic 'neither' vocabulary for some keywords",
                           description="Print the words `data synth --unknown-words auto` speaks for these "
                                       "keywords, by source (near misses, other Speech Commands words, general "
                                       "vocabulary, nonsense words).")
    words.add_argument("--words", type=_word_list, default=("yes", "no"), metavar="W1,W2",
                       help="the keywords (default: yes,no)")

    download = sub.add_parser("download", help="download Google's official Speech Commands v0.02 test set (113 MB)",
                              description="Download speech_commands_test_set_v0.02.tar.gz (real voices, "
                                          "CC-BY-4.0) from download.tensorflow.org, check its SHA-256 and unpack "
                                          "it safely. For evaluation only. Offline: copy the test set to this "
                                          "machine and set AUDIOVIZ_SPEECH_COMMANDS to its folder instead.")
    download.add_argument("--root", default=None, metavar="DIR",
                          help="folder to fill (default: the audioviz cache, where the tutorials look)")
    download.add_argument("--url", default=None, metavar="URL", help="another location of the same archive")
    download.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(_data_parser=parser)


def _synth(args) -> int:
    import time

    from ..cli import interrupt_hint
    from ._synth import synthesize_speech_commands

    interrupt_hint(f"run the same command again to resume: finished batches in {args.root} are kept")
    start = time.perf_counter()
    root = synthesize_speech_commands(args.root, words=args.words, per_word=args.per_word,
                                      unknown_words=args.unknown_words, unknown_per_word=args.unknown_per_word,
                                      silence=args.silence, seed=args.seed, processes=args.processes,
                                      progress=not args.quiet)
    print(f"{root} ({time.perf_counter() - start:.1f} s)")
    return 0


def _check(args) -> int:
    import sys

    from ._synth import verify_synthetic_dataset

    result = verify_synthetic_dataset(args.root)
    print(result)
    if result.ok:
        return 0
    for line in result.problems():
        print(f"  {line}", file=sys.stderr)
    return 1


def _words(args) -> int:
    from ._vocabulary import neither_vocabulary

    for source, group in neither_vocabulary(args.words).items():
        print(f"{source} ({len(group)}): {', '.join(group)}")
    return 0


def _download(args) -> int:
    from ._real import TEST_SET_SHA256, TEST_SET_URL, download_speech_commands_test_set

    url = args.url or TEST_SET_URL
    root = download_speech_commands_test_set(args.root, url=url, sha256=TEST_SET_SHA256, progress=not args.quiet)
    print(root)
    return 0


def run(args) -> int:
    if args.data_command == "synth":
        return _synth(args)
    if args.data_command == "check":
        return _check(args)
    if args.data_command == "words":
        return _words(args)
    if args.data_command == "download":
        return _download(args)
    if args.data_command == "info":
        from ._dataset import SpeechCommands

        for subset in ("training", "validation", "testing"):
            print(f"{subset:>10}: {SpeechCommands(args.root, subset=subset, words=args.words)!r}")
        return 0
    args._data_parser.print_help()
    return 2
