"""``chainrule derive``: the reference derivations, or any expression, step by step, proven."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from chainrule import __version__
from chainrule.cli.output import write_output
from chainrule.errors import InputError
from chainrule.render import FORMATS, render
from chainrule.symbolic.functions import BASE_SYMBOLS
from chainrule.symbolic.model import Derivation
from chainrule.symbolic.reference import REFERENCE_IDS, reference_derivations

ROUTES = {"chain": ("chain rule",), "direct": ("direct",), "both": ("chain rule", "direct")}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "derive",
        help="derive backprop derivatives step by step, every step proven",
        description=(
            "Reproduce the reference derivations ([1] dL/da, ln, [2] dσ/dz, [3] dL/dz, "
            "[4] dz/dw, [5] dL/dw, [6] dL/db, layers) step by step, each step proven; "
            "or derive any expression with --expr."
        ),
    )
    parser.add_argument(
        "ids",
        nargs="*",
        metavar="ID",
        help=f"derivations to show (default: all): {', '.join(REFERENCE_IDS)}",
    )
    parser.add_argument("--route", choices=sorted(ROUTES), default="both")
    parser.add_argument("--format", choices=FORMATS, default="text", dest="fmt")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead")
    parser.add_argument("--expr", metavar="TEXT", help='an expression, e.g. "log(1 + exp(-z))"')
    parser.add_argument("--wrt", metavar="VAR", default="z", help="variable for --expr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    derivations = _expression(args) if args.expr is not None else _reference(args)
    text = render(derivations, args.fmt, version=__version__)
    if args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _reference(args: argparse.Namespace) -> list[Derivation]:
    derivations = reference_derivations(args.ids or None)
    wanted = ROUTES[args.route]
    return [_only_routes(d, wanted) for d in derivations]


def _only_routes(derivation: Derivation, names: tuple[str, ...]) -> Derivation:
    """Keep the routes named ``names`` where a derivation has a choice of routes."""
    if len(derivation.routes) < 2:
        return derivation
    kept = tuple(r for r in derivation.routes if r.name in names)
    return dataclasses.replace(derivation, routes=kept)


def _expression(args: argparse.Namespace) -> list[Derivation]:
    from chainrule.symbolic.expression import derive_expression
    from chainrule.symbolic.parse import parse_expression

    if args.ids:
        raise InputError(f"'--expr' takes no derivation ids (got {' '.join(args.ids)})")
    if args.wrt not in BASE_SYMBOLS:
        raise InputError(f"'--wrt' must be one of {', '.join(BASE_SYMBOLS)} (got {args.wrt!r})")
    expr = parse_expression(args.expr, BASE_SYMBOLS, parameter="--expr")
    return [derive_expression(expr, BASE_SYMBOLS[args.wrt], text=args.expr)]
