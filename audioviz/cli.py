"""The ``audioviz`` command line.

Each subcommand lives beside the code it drives and is registered in :data:`COMMANDS` as
``name -> "module"``; that module provides ``add_arguments(parser)`` and ``run(args) -> int``,
and the ``help`` line is the module's ``COMMAND_HELP``. Modules load only when their command runs,
so ``audioviz --help`` is quick.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "show": ("audioviz._cli_show", "overview figure of an audio file (waveform, spectrogram, mel, MFCC)"),
    "data": ("audioviz.data._cli", "make or inspect speech-command datasets"),
    "train": ("audioviz.model._cli_train", "train the yes/no classifier"),
    "evaluate": ("audioviz.model._cli_evaluate", "evaluate a trained classifier on a dataset"),
    "explain": ("audioviz.explain._cli", "explain one prediction (feature maps, Grad-CAM, listening)"),
}


def build_parser(load_all: bool = True) -> argparse.ArgumentParser:
    from audioviz import __version__

    parser = argparse.ArgumentParser(prog="audioviz", description="See how machines hear.")
    parser.add_argument("--version", action="version", version=f"audioviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.set_defaults(_module=module_name)
        if load_all:
            importlib.import_module(module_name).add_arguments(cmd)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Only the chosen command's module is imported (torch is slow to import).
    chosen = next((a for a in argv if not a.startswith("-")), None)
    if chosen in COMMANDS:
        parser = build_parser(load_all=False)
        module = importlib.import_module(COMMANDS[chosen][0])
        cmd_parser = parser._subparsers._group_actions[0].choices[chosen]
        module.add_arguments(cmd_parser)
        args = parser.parse_args(argv)
        try:
            return int(module.run(args) or 0)
        except (ValueError, FileNotFoundError, TypeError) as exc:
            print(f"audioviz {chosen}: error: {exc}", file=sys.stderr)
            return 2
    parser = build_parser(load_all=False)
    parser.parse_args(argv)
    parser.print_help()
    return 0 if not argv else 2
