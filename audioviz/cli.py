"""The ``audioviz`` command line, and the one place where its failures become messages.

Each subcommand lives beside the code it drives and is registered in :data:`COMMANDS` as
``name -> (module, help line)``; that module provides ``add_arguments(parser)`` and
``run(args) -> int``. Only the chosen command's module is imported, so ``audioviz --help`` is
quick (torch is slow to import).

How failures end (every subcommand gets this from :func:`main`; none needs to catch):

- A usage error (unknown option, bad choice) is argparse's: usage and message, exit code 2.
- ``ValueError``, ``TypeError``, ``OSError`` (file missing, folder read-only, disk full, ...) or
  ``RuntimeError`` raised by a subcommand is printed as one line,
  ``audioviz: error: <message>``, and the exit code is 1. Raise them with a message that names
  the file or option and says what to do. An operating-system error that carries a file name
  is worded from its ``strerror`` and file name, with advice for the usual causes.
- Ctrl-C (``KeyboardInterrupt``) prints ``audioviz: interrupted`` and exits with 130.
- ``SIGTERM`` (``kill``, a job scheduler, a closing terminal's manager) is turned into the same
  unwinding as Ctrl-C (a :class:`Terminated`, a ``KeyboardInterrupt``), so worker pools are
  stopped, locks released and partial files removed; it prints ``audioviz: terminated`` and
  exits with 143.
- ``AUDIOVIZ_DEBUG=1`` in the environment re-raises instead, so the traceback shows.

A subcommand adds a hint to the line it ends with in either of two ways:

- an exception it raises carries a ``hint`` attribute (a string), e.g.
  ``exc = ValueError("..."); exc.hint = "see audioviz data check"; raise exc``;
- :func:`interrupt_hint` sets what to print if Ctrl-C arrives while the command runs, e.g.
  ``interrupt_hint("run the same command with --resume to continue")`` once a training run has
  saved a state it can resume from.

Example:
    >>> from audioviz.cli import main
    >>> main(["show", "no-such-file.wav"])  # doctest: +SKIP
    audioviz: error: audio file not found: no-such-file.wav
    1
"""
from __future__ import annotations

import argparse
import errno
import importlib
import os
import signal
import sys
import threading

__all__ = ["COMMANDS", "DEBUG_ENV", "Terminated", "build_parser", "describe_error", "interrupt_hint", "main", "ranged"]

COMMANDS = {
    "show": ("audioviz._cli_show", "overview figure of an audio file (waveform, spectrogram, mel, MFCC)"),
    "data": ("audioviz.data._cli", "make or inspect speech-command datasets"),
    "train": ("audioviz.model._cli_train", "train a keyword classifier (yes, no or neither; --words for others)"),
    "evaluate": ("audioviz.model._cli_evaluate", "evaluate a trained classifier on a dataset"),
    "explain": ("audioviz.explain._cli", "explain one prediction (feature maps, Grad-CAM, listening)"),
}

#: Set to ``1`` to see the traceback of a failed command.
DEBUG_ENV = "AUDIOVIZ_DEBUG"

# Exit codes, as argparse and shells use them.
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives ``SIGTERM`` while a command runs.

    A subclass of ``KeyboardInterrupt``, so everything that cleans up after Ctrl-C (worker pools,
    training locks, partial downloads) cleans up after ``kill`` too.
    """


def _raise_terminated(signum, frame):
    raise Terminated()

# What to print after Ctrl-C; set by a running subcommand through interrupt_hint().
_interrupt_hint: str | None = None

# Advice for the operating-system errors a user meets most.
_OS_ADVICE = {
    errno.ENOENT: "check the path",
    errno.EACCES: "choose a location you can write to, or change its permissions",
    errno.EPERM: "choose a location you can write to, or change its permissions",
    errno.EROFS: "the file system is read-only; choose another location",
    errno.ENOSPC: "the disk is full; free some space or choose another location",
    errno.EISDIR: "that is a folder; give a file name",
    errno.ENOTDIR: "a part of that path is a file, not a folder",
    errno.EEXIST: "a part of that path is a file, not a folder",
    errno.ELOOP: "the path has a symbolic-link loop",
}


def interrupt_hint(hint: str | None) -> None:
    """Set the line printed after ``audioviz: interrupted`` if Ctrl-C stops the running command.

    Args:
        hint: what the user can do next (``None``: no hint).

    Example:
        >>> interrupt_hint("run the same command with --resume to continue")
        >>> interrupt_hint(None)
    """
    global _interrupt_hint
    _interrupt_hint = hint


def ranged(kind, low, high):
    """An argparse ``type=``: ``kind`` (``int`` or ``float``) within ``[low, high]``, else a usage
    error (exit 2) naming the option and the range. The one range check for every subcommand's
    numeric options.

    Example:
        >>> ranged(int, 1, 10)("3")
        3
        >>> ranged(int, 1, 10)("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: expected a whole number from 1 to 10, got 0
    """
    what = "a whole number" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= value <= high:  # also refuses NaN
            raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def build_parser(load_all: bool = True) -> argparse.ArgumentParser:
    """The ``audioviz`` argument parser; with ``load_all`` every subcommand's options are added."""
    parser, commands = _parser_and_commands()
    if load_all:
        for name, (module_name, _) in COMMANDS.items():
            importlib.import_module(module_name).add_arguments(commands[name])
    return parser


def _parser_and_commands():
    from audioviz import __version__

    parser = argparse.ArgumentParser(prog="audioviz", description="See how machines hear.")
    parser.add_argument("--version", action="version", version=f"audioviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = {}
    for name, (module_name, help_text) in COMMANDS.items():
        commands[name] = sub.add_parser(name, help=help_text, description=help_text)
        commands[name].set_defaults(_module=module_name)
    return parser, commands


def describe_error(exc: BaseException) -> str:
    """One line saying what went wrong, for the error line of the command line.

    Example:
        >>> print(describe_error(PermissionError(13, "Permission denied", "/sys/out.png")))
        /sys/out.png: permission denied (choose a location you can write to, or change its permissions)
    """
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        advice = _OS_ADVICE.get(exc.errno)
        where = os.fsdecode(exc.filename)
        if exc.filename2 is not None:
            where = f"{where} -> {os.fsdecode(exc.filename2)}"
        text = f"{where}: {exc.strerror[0].lower()}{exc.strerror[1:]}" + (f" ({advice})" if advice else "")
    elif isinstance(exc, OSError) and exc.strerror:
        advice = _OS_ADVICE.get(exc.errno)
        text = exc.strerror + (f" ({advice})" if advice else "")
    else:
        text = str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", None)
    if hint:
        text = f"{text}; {hint}"
    # one line: messages from libraries (libsndfile, torch) sometimes span several
    return " ".join(text.split())


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    """Run the ``audioviz`` command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, commands = _parser_and_commands()
    chosen = next((a for a in argv if not a.startswith("-")), None)
    if chosen not in COMMANDS:
        try:
            parser.parse_args(argv)  # --help, --version and unknown commands end here (exit 0 or 2)
        except SystemExit as exc:
            return int(exc.code or 0)
        parser.print_help()
        return 0 if not argv else EXIT_USAGE
    interrupt_hint(None)
    # a signal handler can only be set from the main thread (main() may run in another, e.g. a test)
    handles_sigterm = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if handles_sigterm else None
    try:
        module = importlib.import_module(COMMANDS[chosen][0])
        module.add_arguments(commands[chosen])
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:
            return int(exc.code or 0)
        return int(module.run(args) or 0)
    except KeyboardInterrupt as exc:
        if _debug():
            raise
        hint = f"; {_interrupt_hint}" if _interrupt_hint else ""
        if isinstance(exc, Terminated):
            print(f"audioviz: terminated{hint}", file=sys.stderr)
            return EXIT_TERMINATED
        print(f"\naudioviz: interrupted{hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, TypeError, OSError, RuntimeError) as exc:
        if _debug():
            raise
        print(f"audioviz: error: {describe_error(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        interrupt_hint(None)
        if handles_sigterm:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
