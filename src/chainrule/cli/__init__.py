"""The ``chainrule`` command line.

Each sub-command lives in a module of its own that defines ``register(subparsers)``; the module
adds its parser and sets ``func`` (taking the parsed arguments, returning the exit status).
This package imports the rest of chainrule; nothing imports it.

Every :class:`~chainrule.errors.ChainruleError` and every argument error becomes one line on
standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from chainrule import __version__
from chainrule.errors import ChainruleError

__all__ = ["main"]

#: Sub-command modules, in the order ``--help`` lists them.
COMMANDS = ("derive", "train", "gradcheck", "predict", "check")


class UsageError(Exception):
    """An argument the parser refused: ``prog`` (``chainrule train``) and the message."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise :class:`UsageError` instead of printing usage."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(self.prog, message)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every registered sub-command."""
    parser = OneLineParser(
        prog="chainrule",
        description="Backprop, derived, proven, run.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    for name in COMMANDS:
        module = _load_command(name)
        if module is not None:
            module.register(subparsers)
    return parser


def _load_command(name: str):
    try:
        return importlib.import_module(f"chainrule.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"chainrule.cli.{name}":
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
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
