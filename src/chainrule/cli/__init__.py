"""The ``chainrule`` command line.

Each sub-command lives in a module of its own that defines ``register(subparsers)``; the module
adds its parser and sets ``func`` (taking the parsed arguments, returning the exit status).
This package imports the rest of chainrule; nothing imports it.

Only the module of the sub-command being run is imported: ``chainrule --help`` lists the
others from :data:`COMMANDS` alone, so that it, ``train``, ``gradcheck`` and ``predict`` start
without SymPy (which ``derive`` needs).

Every :class:`~chainrule.errors.ChainruleError` and every argument error becomes one line on
standard error and exit status 2, never a traceback; a warning (NumPy's ``overflow
encountered in exp``) is one ``chainrule: warning:`` line, once, without the path of the
library that raised it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

from chainrule import __version__
from chainrule.errors import ChainruleError

__all__ = ["main"]

#: Sub-command modules and the line ``--help`` shows for each, in the order it lists them.
COMMANDS = {
    "derive": "derive backprop derivatives step by step, every step proven",
    "train": "train a network on a bundled data set or a CSV file",
    "gradcheck": "check backpropagation against central differences",
    "predict": "classify the rows of a CSV file with a saved model",
    "check": "check your own derivation, layer equations or backward function",
}


class UsageError(Exception):
    """An argument the parser refused: ``prog`` (``chainrule train``) and the message."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise :class:`UsageError` instead of printing usage."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(self.prog, message)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the parser: ``command``'s sub-parser in full, every other sub-command as its
    name and help line (enough for ``--help`` and for refusing an unknown command)."""
    parser = OneLineParser(
        prog="chainrule",
        description="Backprop, derived, proven, run.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    for name, summary in COMMANDS.items():
        if name == command:
            importlib.import_module(f"chainrule.cli.{name}").register(subparsers)
        else:
            subparsers.add_parser(name, help=summary)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command that ``argv`` names: its first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _one_line_warning(set())
        return _run(argv)


def _one_line_warning(shown: set[str]):
    """A ``warnings.showwarning`` that prints each distinct message once, on one line."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = " ".join(str(message).split())
        if text not in shown:
            shown.add(text)
            print(f"chainrule: warning: {text}", file=sys.stderr)

    return show


def _run(argv: list[str]) -> int:
    parser = build_parser(_command_of(argv))
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        return int(args.func(args))
    except UsageError as exc:  # same shape as the other errors: "chainrule train: error: ..."
        print(f"{exc.prog}: error: {exc}", file=sys.stderr)
        return 2
    except ChainruleError as exc:
        print(f"chainrule: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130
