"""``chainrule check FILE``: a learner's own derivation, layer equations or backward code.

What the file is, is told from it (or by ``--kind``): a ``.py`` file is a backward function
(``L_model_backward(AL, Y, caches)``), a file of lines ``dW1 = ...`` is a set of layer
equations, anything else a derivation (text, Markdown, LaTeX or chainrule's JSON). Exit status
0 when everything is right, 1 when a step, equation or array is wrong, 2 when the file cannot
be read (one line: file, line, what was expected). The heavy imports wait inside the command,
so ``chainrule --help`` stays light.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from chainrule.errors import InputError

__all__ = ["register", "run"]

_KINDS = ("auto", "derivation", "equations", "backward")
_EQUATION = re.compile(r"^\s*d(Z|W|b|A)(\d+|L|\[\w+\])\s*=")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``check`` sub-command."""
    parser = subparsers.add_parser(
        "check",
        help="check your own derivation, layer equations or backward function",
        description="Check a derivation step by step (every step proven, the first wrong one "
        "explained), layer equations against the network's shapes and proven gradients, or a "
        "NumPy L_model_backward(AL, Y, caches) against chainrule's gradients.",
    )
    parser.add_argument("file", help="the file to check (.txt/.md/.tex/.json, equations, .py)")
    parser.add_argument("--kind", choices=_KINDS, default="auto", help="what the file holds")
    parser.add_argument(
        "--function",
        default="L_model_backward",
        help="the backward function's name in a .py file (default: L_model_backward)",
    )
    parser.add_argument(
        "--activation",
        choices=("relu", "tanh", "sigmoid"),
        default="relu",
        help="the hidden layers' activation for equations and backward code (default: relu)",
    )
    parser.set_defaults(func=run)


def _kind(path: str, text: str | None) -> str:
    if path.endswith(".py"):
        return "backward"
    lines = [ln.split("#", 1)[0] for ln in (text or "").splitlines()]
    lines = [ln for ln in lines if ln.strip() and not ln.strip().startswith("network:")]
    if lines and all(_EQUATION.match(ln) for ln in lines):
        return "equations"
    return "derivation"


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"file '{path}': expected a file to check, got nothing there") from None
    except UnicodeDecodeError:
        raise InputError(f"file '{path}', line 1: expected UTF-8 text") from None
    except OSError as error:
        raise InputError(f"file '{path}': cannot be read ({error.strerror})") from None


def run(args: argparse.Namespace) -> int:
    """Check the file, print the report; 0 right, 1 wrong (2 comes from the errors)."""
    kind = args.kind
    text = None if (kind == "backward" or args.file.endswith(".py")) else _read(args.file)
    if kind == "auto":
        kind = _kind(args.file, text)
    if kind == "backward":
        return _backward(args)
    assert text is not None
    if kind == "equations":
        return _equations(args, text)
    return _derivations(args, text)


def _derivations(args: argparse.Namespace, text: str) -> int:
    from chainrule.render.checked import checked_text
    from chainrule.symbolic.checking.documents import read_derivations
    from chainrule.symbolic.checking.steps import check_derivation

    checked = [check_derivation(d) for d in read_derivations(text, args.file)]
    print(checked_text(checked), end="")
    return 0 if all(c.ok for c in checked) else 1


def _equations(args: argparse.Namespace, text: str) -> int:
    from chainrule.numeric.layer_equations import check_layer_equations, read_layer_equations
    from chainrule.render.printing import expr_text
    from chainrule.symbolic.derivations.layers.dense import backward_equations

    equations, settings = read_layer_equations(text, args.file)
    settings.setdefault("activation", args.activation)
    reports = check_layer_equations(equations, settings, args.file)
    proven = {
        expr_text(lhs).split("[")[0]: f"{expr_text(lhs)} = {expr_text(rhs)}"
        for lhs, rhs in backward_equations()
    }
    for report in reports:
        print(report)
        if not report.ok:
            kind = re.match(r"d[A-Za-z]", report.equation.lhs)
            if kind and kind.group(0) in proven:
                print(f"    proven: {proven[kind.group(0)]}")
    wrong = sum(not r.ok for r in reports)
    print(f"{len(reports) - wrong} of {len(reports)} equations right")
    return 0 if not wrong else 1


def _backward(args: argparse.Namespace) -> int:
    from chainrule.numeric.backward_check import check_backward_function, first_wrong, load_backward

    function = load_backward(args.file, args.function)
    reports = check_backward_function(function, hidden=args.activation)
    for rows in reports:
        sizes = rows[0].sizes
        print(f"network {list(sizes)}, {args.activation} hidden layers, sigmoid output:")
        for row in rows:
            print(row)
    wrong = first_wrong(reports)
    if wrong is None:
        print("every array matches chainrule's proven gradients")
        return 0
    print(f"first wrong: {wrong.name}, layer {wrong.layer}, in network {list(wrong.sizes)}")
    return 1
